"""Audit reports in five formats: text (for a terminal), JSON (the spec's shape), a self-contained
HTML page with charts, JUnit XML (for CI) and CSV (safe to open in Excel). Each is rendered from
the sorted report alone, so the same audit gives the same bytes."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..check.findings import Report
from ..files import write_atomic

FORMATS = ("text", "json", "html", "junit", "csv")


def render(report: Report, fmt: str, *, color: bool = False, templates: Path | None = None) -> bytes:
    """The report in one of FORMATS, as bytes (UTF-8)."""
    if fmt == "json":
        from .jsonout import dumps_indented

        return (dumps_indented(report.to_json()) + "\n").encode("utf-8")
    if fmt == "text":
        from .text import render_text

        return render_text(terminal_safe(report), color=color).encode("utf-8")
    if fmt == "csv":
        from .csvout import render_csv

        return render_csv(report)
    if fmt == "junit":
        from .junit import render_junit

        return render_junit(report)
    if fmt == "html":
        from .html import render_html

        return render_html(report, templates).encode("utf-8")
    raise ValueError(f"unknown report format {fmt!r}")



__all__ = ["FORMATS", "render", "write_atomic"]


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(text: str | None) -> str | None:
    return None if text is None else _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def terminal_safe(report: Report) -> Report:
    """The report with control characters of record values (an escape sequence in a customer's
    name would drive the terminal) shown as ``\\x1b``: the text report prints them as data."""
    findings = [replace(f, message=_shown(f.message) or "", record=_shown(f.record), source=_shown(f.source),
                        person=_shown(f.person)) for f in report.findings]
    unreadable = [replace(u, source=_shown(u.source) or "", error=_shown(u.error) or "") for u in report.unreadable]
    return replace(report, findings=findings, unreadable=unreadable)
