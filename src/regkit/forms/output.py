"""Writing generated forms reproducibly: the document date, fixed zip members, atomic files."""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from io import BytesIO

from ..files import write_atomic
from ..model import Regulation

atomic_write = write_atomic  # the forms package's name for the shared writer

# ZIP cannot store dates before 1980.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def doc_time(regulation: Regulation | None = None) -> dt.datetime:
    """The date stamped into generated files: SOURCE_DATE_EPOCH if set, else the regulation's
    effective date (never the wall clock, so the same inputs give the same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    day = regulation.effective if regulation else dt.date(2026, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def zip_bytes(members: list[tuple[str, bytes]], when: dt.datetime | None = None) -> bytes:
    """A deflated ZIP of ``members`` in the given order with one fixed timestamp."""
    stamp = _ZIP_EPOCH if when is None or when.year < 1980 else when.timetuple()[:6]
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()



_UNSAFE = re.compile(r"[^0-9A-Za-z._\-\u4e00-\u9fff]+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)


MAX_NAME_BYTES = 120  # of the 255 bytes a file name may have: room for the form id and suffix


def safe_name(text: str, fallback: str = "form") -> str:
    """A file-name part made from record data: no separators, no dot-only or device names, at most
    MAX_NAME_BYTES bytes of UTF-8 (a Chinese character takes three), cut between characters."""
    name = _UNSAFE.sub("_", text).strip("._")
    name = name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip("._")
    if not name or _RESERVED.match(name.split(".")[0]):
        name = f"{fallback}_{name}" if name else fallback
    return name
