"""Finding the record files under the paths given and reading each by its kind.

Sources are named as given (folders joined with the relative path of each file inside), so the
report does not depend on the current directory; they are read in sorted order."""

from __future__ import annotations

import os
from pathlib import Path

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


NO_SUCH_PATH = "no such file or folder"


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
                    if f.is_file():
                        found.setdefault(display(f), f)
                    else:  # a FIFO or a device would block or never end
                        missing.append(Unreadable(display(f), 1, "not a regular file"))
        elif p.is_file():
            found.setdefault(display(p), p)
        elif p.exists():
            missing.append(Unreadable(display(p), 1, "not a regular file or folder"))
        else:
            missing.append(Unreadable(display(p), 1, NO_SUCH_PATH))
    return [(v, k) for k, v in sorted(found.items())], missing


def read_sources(project: Project, paths: list[Path], *, workdir: Path, encoding: str | None) -> Collected:
    """Read every record source; nothing read is dropped without a trace."""
    files, missing = find_files(paths)
    out = Collected(unreadable=list(missing))
    for path, source in files:
        out.add(read_file(project, path, source, workdir=workdir, encoding=encoding))
    return out


def read_file(project: Project, path: Path, source: str, *, workdir: Path, encoding: str | None) -> Collected:
    """The records of one file, by its kind; whatever breaks reading it is that file's problem,
    and the other files are still read."""
    from ..forms.safety import contained

    try:
        with contained(source, _kind(path)):
            return _read_file(project, path, source, workdir=workdir, encoding=encoding)
    except InputError as exc:
        return Collected(unreadable=[Unreadable(source, p.line, p.message) for p in exc.problems], files=1)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    return {"yml": "YAML"}.get(suffix, suffix.upper() or "file")


def _read_file(project: Project, path: Path, source: str, *, workdir: Path, encoding: str | None) -> Collected:
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


def _is_filled_form(path: Path) -> bool:
    """True for a workbook regkit wrote as a form (it carries a RegkitForm document property)."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return False
            return b'name="RegkitForm"' in zf.read(info)
    except (KeyError, OSError, zipfile.BadZipFile, zlib.error, ValueError, EOFError, NotImplementedError):
        return False  # the workbook reader reports what is wrong with it


def _filled_form(project: Project, path: Path, source: str) -> Collected:
    """The records of a filled-in regkit form (DOCX, PDF, or a form workbook)."""
    from ..forms.extract import extract_file

    try:
        got = extract_file(path, project)
    except InputError as exc:
        return Collected(unreadable=[Unreadable(source, p.line, p.message) for p in exc.problems], files=1)
    except RegkitError as exc:
        return Collected(unreadable=[Unreadable(source, 1, str(exc))], files=1)
    raws = [RawRecord(dict(r), source, 1, None, True) for r in got]
    out = validate(project, raws)
    out.files = 1
    return out
