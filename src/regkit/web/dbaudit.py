"""The stored records as record files, so the checker audits them exactly as it audits files:
one JSON file per form in a temporary folder, the report's sources then named ``database:FORM``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..check import Report, audit
from ..forms.records import plain
from ..loader import Project
from .codec import from_json

SOURCE = "database:"


def stored_records(project: Project) -> Iterator[dict[str, Any]]:
    """Every stored record as a record mapping (form, id, the fields' canonical values), by form and number."""
    from .models import StoredRecord

    for rec in StoredRecord.objects.order_by("form_id", "number").iterator(chunk_size=2000):
        hit = project.form(rec.form_id)
        values = from_json(hit[1], rec.values) if hit else dict(rec.values)
        yield {"form": rec.form_id, "id": rec.number, **{k: v for k, v in values.items() if k not in ("form", "id")}}


def write_record_files(records: Sequence[dict[str, Any]] | Iterator[dict[str, Any]],
                       folder: Path) -> dict[tuple[str, int], str]:
    """The records as JSON record files, one per form (``FORM.json``, one record per line from
    line 2), as ``regkit check`` reads them; returns the record number at each (form, line)."""
    by_form: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_form.setdefault(str(r["form"]), []).append(plain(r))
    where: dict[tuple[str, int], str] = {}
    for fid, recs in sorted(by_form.items()):
        lines = [json.dumps(r, ensure_ascii=False) for r in recs]
        (folder / f"{fid}.json").write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
        where.update({(fid, i + 2): str(r.get("id")) for i, r in enumerate(recs)})
    return where


def audit_database(project: Project, *, date_from: dt.date | None = None, as_of: dt.date | None = None,
                   only: Sequence[str] = ()) -> Report:
    """Audit the stored records with the checker (the database Django is configured with)."""
    with tempfile.TemporaryDirectory(prefix="regkit-db-") as tmp:
        folder = Path(tmp)
        where = write_record_files(stored_records(project), folder)
        report = audit(project, [folder], date_from=date_from, as_of=as_of, only=only)
    return renamed(report, folder, where)


def renamed(report: Report, folder: Path, where: dict[tuple[str, int], str]) -> Report:
    """The report with the temporary files' names replaced by ``database:FORM`` (and, for an
    unreadable record, ``database:FORM/NUMBER``)."""
    prefix = folder.as_posix().rstrip("/") + "/"

    def form_of(source: str | None) -> str | None:
        if source is None or not source.startswith(prefix):
            return None
        return source.removeprefix(prefix).removesuffix(".json")

    findings = []
    for f in report.findings:
        fid = form_of(f.source)
        if fid:
            line = getattr(f, "line", None)
            number = where.get((fid, line)) if isinstance(line, int) else None
            changes: dict[str, Any] = {"source": SOURCE + fid + (f"/{number}" if number else "")}
            if hasattr(f, "line"):
                changes["line"] = None  # a stored record has no line; its number names it
            f = dataclasses.replace(f, **changes)
        findings.append(f)
    unreadable = []
    for u in report.unreadable:
        fid = form_of(u.source)
        number = where.get((fid, u.line)) if fid else None
        name = SOURCE + fid + (f"/{number}" if number else "") if fid else u.source
        unreadable.append(dataclasses.replace(u, source=name))
    report.findings[:] = sorted(findings, key=lambda f: f.sort_key())
    report.unreadable[:] = sorted(set(unreadable))
    return report
