"""Record files into the database, read by the checker's own readers: every record is stored or
listed with its file and line, never dropped silently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import RegkitError
from ..loader import Project
from ..records import collect
from ..records.csvfile import read_python
from . import service


def import_paths(project: Project, paths: Sequence[Path], actor: str, workdir: Path,
                 names: Mapping[str, str] | None = None) -> tuple[int, list[str]]:
    """Store the records of ``paths``; (how many were stored, ``file:line: problem`` lines).
    ``names`` maps a path as read to the name to report it by (an upload's own name)."""
    names = names or {}

    def shown(source: str) -> str:
        return names.get(source, source)

    workdir.mkdir(parents=True, exist_ok=True)
    try:
        got = collect(project, paths, workdir=workdir)
    except RegkitError as exc:
        return 0, exc.lines()
    records = list(got.records)
    unreadable = list(got.unreadable)
    for table in got.tables:  # flat CSV files the checker leaves to its engine: read them in Python here
        more = read_python(project, table.original, table.source, table.encoding, table.columns)
        records += more.records
        unreadable += more.unreadable
    problems = [f"{shown(u.source)}:{u.line}: {u.error}" for u in sorted(unreadable)]
    stored = 0
    for r in records:
        values = {k: v for k, v in r.values.items() if k != "form"}
        try:
            service.import_record(project, {"form": r.form.id, **values}, actor)
            stored += 1
        except service.Refused as exc:
            problems.append(f"{shown(r.source)}:{r.line}: {exc}")
    return stored, problems
