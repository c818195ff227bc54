"""The CSV report: one row per finding and per unreadable input, UTF-8 with a BOM so Excel reads
the Chinese, and every cell that Excel would take for a formula neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..check.findings import Report, number

COLUMNS = ("severity", "rule", "title", "regulation", "citation", "fine_citation", "form", "record", "period",
           "source", "line", "person", "penalty", "loss", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a CSV cell; text starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: Report) -> bytes:
    """The findings, then the unreadable inputs."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for f in report.findings:
        row = {**f.to_json(), "loss": number(f.loss) if f.loss is not None else None}
        w.writerow([cell(row.get(c)) for c in COLUMNS])
    for u in report.unreadable:
        row = {"severity": "unreadable", "source": u.source, "line": u.line, "message": u.error}
        w.writerow([cell(row.get(c)) for c in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
