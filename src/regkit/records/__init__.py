"""Reading submitted records: YAML/JSON files, CSV and XLSX sheets, filled-in forms; each record
validated against its form. Every record read is either returned valid or listed as unreadable
with its file and line; large flat CSV files are handed to the engine to read itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..loader import Project
from ..model import Form, Regulation


@dataclass(frozen=True, order=True)
class Unreadable:
    """A record, a file or a part of a file that could not be read or is invalid."""

    source: str
    line: int
    error: str


@dataclass
class RawRecord:
    """A record as read from its file, before validation."""

    data: dict[Any, Any]
    source: str
    line: int
    default_form: str | None = None
    lenient: bool = False
    headings: dict[str, str] | None = None  # field key -> the column heading as the file writes it


@dataclass
class Record:
    """A valid record, its values typed (dates as ``date``, amounts as ``Decimal``)."""

    regulation: Regulation
    form: Form
    values: dict[str, Any]
    source: str
    line: int


@dataclass
class CsvTable:
    """A flat CSV file of one form that the engine reads itself (the fast path).

    ``path`` is a UTF-8 file (the original, or a transcoded copy in the work folder); ``columns``
    names the field key of each CSV column in order (``form`` for a form column)."""

    path: Path
    original: Path
    source: str
    encoding: str
    regulation: Regulation
    form: Form
    columns: list[str]
    headings: dict[str, str] | None = None  # field key -> the column heading as written


@dataclass
class Collected:
    """Everything read from the record sources."""

    records: list[Record] = field(default_factory=list)
    tables: list[CsvTable] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    files: int = 0

    def add(self, other: Collected) -> None:
        """Merge another collection into this one."""
        self.records += other.records
        self.tables += other.tables
        self.unreadable += other.unreadable
        self.files += other.files


def validate(project: Project, raws: Iterable[RawRecord]) -> Collected:
    """Validate raw records against their forms: valid ones become Records, the rest Unreadable."""
    from .values import check_record

    out = Collected()
    for raw in raws:
        fid = raw.data.get("form") if isinstance(raw.data.get("form"), str) else None
        fid = fid or raw.default_form
        if fid is None:
            out.unreadable.append(Unreadable(raw.source, raw.line, "the record names no form (add form: <form id>)"))
            continue
        hit = project.form(fid)
        if hit is None:
            out.unreadable.append(Unreadable(raw.source, raw.line, f"unknown form {fid!r}"))
            continue
        reg, form = hit
        data = {k: v for k, v in raw.data.items() if not (k == "form" and v in (None, ""))}
        values, problems = check_record(form, data, lenient=raw.lenient)
        if values is None:
            if raw.headings:
                from .tabular import in_user_terms

                problems = [in_user_terms(p, raw.headings) for p in problems]
            out.unreadable.append(Unreadable(raw.source, raw.line, "; ".join(problems)))
        else:
            out.records.append(Record(reg, form, values, raw.source, raw.line))
    return out


def collect(project: Project, paths: Iterable[Path | str], *, workdir: Path, encoding: str | None = None) -> Collected:
    """Read every record source under ``paths`` (files or folders, walked in sorted order)."""
    from .csvfile import check_encoding
    from .sources import read_sources

    if encoding is not None:
        check_encoding(encoding)
    return read_sources(project, [Path(p) for p in paths], workdir=workdir, encoding=encoding)


__all__ = ["Collected", "CsvTable", "RawRecord", "Record", "Unreadable", "collect", "validate"]
