"""Same inputs, same bytes: the documents' timestamp, ZIP containers with fixed member dates and
order, and atomic writes. Shared by every renderer (documents and forms)."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

from ..errors import UsageError
from ..files import write_atomic as write_atomic  # re-exported: renderers write through it

# Word opens any order, but [Content_Types].xml first is what Office writes and what zip sniffers expect.
_FIRST = ("[Content_Types].xml", "_rels/.rels")
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def source_datetime(fallback: dt.date) -> dt.datetime:
    """The timestamp written into documents: ``SOURCE_DATE_EPOCH`` if set, else midnight UTC of
    ``fallback`` (e.g. the latest revision date), never the wall clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds, not {raw!r}") from None
    return dt.datetime(fallback.year, fallback.month, fallback.day, tzinfo=dt.UTC)


def normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a ZIP container (DOCX, XLSX) with every member dated ``when`` (not before 1980, the
    format's epoch) in a fixed order, deflated, with no extra fields."""
    stamp = max(when, _ZIP_EPOCH).timetuple()[:6]
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    order = [n for n in _FIRST if n in names] + sorted(n for n in names if n not in _FIRST)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            dst.writestr(info, src.read(name), compresslevel=9)
    return out.getvalue()
