"""The stored records of a form as the files ``regkit check`` reads: a CSV table (the fields'
Chinese labels as headers, a table form's header fields repeated on each of its rows) or the
form's XLSX register from the forms library."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from ..forms.records import format_value, is_empty
from ..forms.style import load_style
from ..forms.xlsx import sheet_columns, write_xlsx
from ..loader import Project
from ..model import Form
from .dbaudit import stored_records


def _records(project: Project, form: Form) -> list[Mapping[str, Any]]:
    return [r for r in stored_records(project) if r["form"] == form.id]


def csv_bytes(project: Project, form: Form) -> bytes:
    """The form's records as CSV (UTF-8 with BOM, so Excel and WPS open it in Chinese)."""
    cols = sheet_columns(form)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([c.header for c in cols])
    table = form.table
    for rec in _records(project, form):
        for trow in (rec.get(table.key) or [None]) if table else [None]:
            row = []
            for c in cols:
                value = (trow or {}).get(c.field.key) if c.table else rec.get(c.field.key)
                row.append("" if is_empty(value) else _safe(format_value(c.field, value)))
            w.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(text: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; a leading apostrophe keeps it text.
    # Amounts and dates never start so except negative numbers, which stay numbers.
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not text[1:].replace(".", "").isdigit()):
        return "'" + text
    return text


def xlsx_bytes(project: Project, form: Form) -> bytes:
    """The form's records as its XLSX register (the same workbook ``regkit build`` makes blank)."""
    hit = project.form(form.id)
    assert hit is not None
    return write_xlsx(hit[0], form, project.org.company, load_style(), _records(project, form))
