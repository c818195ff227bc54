"""Finding the record files under the paths given and reading each by its kind.

Sources are named as given (folders joined with the relative path of each file inside), so the
report does not depend on the current directory; they are read in sorted order."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, RegkitError
from ..loader import Project
from . import Collected, RawRecord, Unreadable, validate
from .structured import read_json, read_yaml

RECORD_SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".xlsx", ".docx", ".pdf")


def display(path: Path) -> str:
    """How a source is named in reports: as given, relative to the current folder if inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def find_files(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[Unreadable]]:
    """Every record file under ``paths`` with its display name, sorted and without repeats."""
    found: dict[str, Path] = {}
    missing: list[Unreadable] = []
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.startswith((".", "~$")) or not name.lower().endswith(RECORD_SUFFIXES):
                        continue
                    f = Path(root) / name
                    found.setdefault(display(f), f)
        elif p.is_file():
            found.setdefault(display(p), p)
        else:
            missing.append(Unreadable(display(p), 1, "no such file or folder"))
    return [(v, k) for k, v in sorted(found.items())], missing


def read_sources(project: Project, paths: list[Path], *, workdir: Path, encoding: str | None) -> Collected:
    """Read every record source; nothing read is dropped without a trace."""
    files, missing = find_files(paths)
    out = Collected(unreadable=list(missing))
    for path, source in files:
        out.add(read_file(project, path, source, workdir=workdir, encoding=encoding))
    return out


def read_file(project: Project, path: Path, source: str, *, workdir: Path, encoding: str | None) -> Collected:
    """The records of one file, by its kind."""
    suffix = path.suffix.lower()
    stem_form = path.stem if project.form(path.stem) else None
    if suffix in (".yaml", ".yml", ".json"):
        reader = read_yaml if suffix != ".json" else read_json
        raws, bad = reader(path, source, stem_form)
        out = validate(project, raws)
        out.unreadable += bad
        out.files = 1
        return out
    if suffix == ".csv":
        from .csvfile import plan_csv

        return plan_csv(project, path, source, workdir=workdir, encoding=encoding)
    if suffix in (".docx", ".pdf") or (suffix == ".xlsx" and _is_filled_form(path)):
        return _filled_form(project, path, source)
    if suffix == ".xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(project, path, source)
    return Collected(unreadable=[Unreadable(source, 1, f"not a record file ({suffix or 'no suffix'}); "
                                            f"records are {', '.join(RECORD_SUFFIXES)}")], files=1)


def _extract_api() -> dict[str, Callable[..., Any]]:
    """The forms package's read-back functions, once its extract module exists."""
    try:
        mod = importlib.import_module("regkit.forms.extract")
    except ImportError:
        return {}
    return {n: getattr(mod, n) for n in ("extract_file", "is_form_file") if callable(getattr(mod, n, None))}


def _is_filled_form(path: Path) -> bool:
    api = _extract_api()
    if "is_form_file" in api:
        return bool(api["is_form_file"](path))
    return False


def _filled_form(project: Project, path: Path, source: str) -> Collected:
    api = _extract_api()
    if "extract_file" not in api:
        return Collected(unreadable=[Unreadable(source, 1, "reading filled-in forms is not available yet")], files=1)
    try:
        got = api["extract_file"](path)
    except InputError as exc:
        return Collected(unreadable=[Unreadable(source, p.line, p.message) for p in exc.problems], files=1)
    except RegkitError as exc:
        return Collected(unreadable=[Unreadable(source, 1, str(exc))], files=1)
    items = got if isinstance(got, list) else [got]
    raws = [RawRecord(dict(r), source, 1, None, True) for r in items if isinstance(r, dict)]
    out = validate(project, raws)
    out.files = 1
    return out
