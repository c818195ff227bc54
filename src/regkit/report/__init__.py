"""Audit reports in five formats: text (for a terminal), JSON (the spec's shape), a self-contained
HTML page with charts, JUnit XML (for CI) and CSV (safe to open in Excel). Each is rendered from
the sorted report alone, so the same audit gives the same bytes."""

from __future__ import annotations

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

        return render_text(report, color=color).encode("utf-8")
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
