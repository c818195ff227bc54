"""The forms library's entry points: one form (blank or filled in) in a format, every blank form
into a folder, and filled-in forms read back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, UsageError
from ..loader import Project
from ..model import Form, Regulation
from ..xmltext import clean_record
from .output import atomic_write, safe_name
from .style import Style, load_style

FORMATS = ("docx", "pdf", "xlsx")


def parse_formats(text: str | Iterable[str]) -> list[str]:
    """``docx,pdf`` -> ["docx", "pdf"]; UsageError for an unknown format."""
    items = text.split(",") if isinstance(text, str) else list(text)
    out = []
    for item in (i.strip().lower().lstrip(".") for i in items):
        if not item:
            continue
        if item not in FORMATS:
            raise UsageError(f"unknown form format {item!r} (choose from {', '.join(FORMATS)})")
        if item not in out:
            out.append(item)
    if not out:
        raise UsageError("no form format given")
    return out


def find_form(project: Project, form_id: str) -> tuple[Regulation, Form]:
    """The form with this id and its regulation; UsageError naming the known ids otherwise."""
    hit = project.form(form_id)
    if hit is None:
        known = ", ".join(sorted(f.id for _, f in project.forms()))
        raise UsageError(f"unknown form {form_id!r} (known: {known})")
    return hit


def render_form(project: Project, form_id: str, fmt: str, record: Mapping[str, Any] | None = None,
                style: Style | None = None, *, page_cache: bool = False, keep_page: bool = False) -> bytes:
    """One form as bytes in ``fmt`` (docx, pdf, xlsx), blank or filled in from ``record``
    (which must fit the form: InputError listing every problem otherwise). ``page_cache`` lets a
    PDF reuse its rendered page (see ``pdf.page_cache``); ``keep_page`` only stores it there."""
    from ..render.context import printed_form

    reg, form = find_form(project, form_id)
    form = printed_form(project, reg, form)
    style = style or load_style()
    if record is not None:
        check_fill_record(form, record, "<record>")
        record, _ = clean_record(record)  # no control character reaches the DOCX/XLSX XML
    if fmt == "xlsx":
        from .xlsx import write_xlsx

        return write_xlsx(reg, form, project.org.company, style, [record] if record is not None else None)
    from .layout import build_layout

    layout = build_layout(reg, form, project.org.company, style, record)
    if fmt == "docx":
        from .docx import write_docx

        return write_docx(layout, style)
    if fmt == "pdf":
        from .pdf import write_pdf

        return write_pdf(layout, style, cache=page_cache, keep=keep_page)
    raise UsageError(f"unknown form format {fmt!r}")


def check_fill_record(form: Form, record: Mapping[str, Any], source: str) -> None:
    """A record used to fill a form must be for this form and type-correct (required fields may
    be empty: a half-filled form is still a form)."""
    from .records import coerce_record

    _, problems = coerce_record(form, record, required=False)
    if problems:
        raise InputError([Problem(source, 1, 1, p) for p in problems])


def form_command(project: Project, form_id: str, formats: Sequence[str], data: Path | None = None,
                 output: Path | None = None, outdir: Path = Path("out/forms"),
                 templates: Path | None = None, notes: list[str] | None = None) -> list[Path]:
    """``regkit form``: write one form per format, blank or filled in from the record file
    ``data``; returns the files written. ``output`` names the file (its suffix is replaced per
    format when several formats are asked for). ``notes`` collects what was changed to fit the
    file (control characters dropped from a value)."""
    from .records import load_record_file

    _, form = find_form(project, form_id)
    record = None
    if data is not None:
        record = load_record_file(data)
        if record.get("form") not in (None, form_id):
            raise InputError.at(str(data), 1, 1, f"the record is for form {record.get('form')!r}, not {form_id!r}")
        check_fill_record(form, record, str(data))
        record, cleaned = clean_record(record, f"{data}: ")
        if notes is not None:
            notes += cleaned
    style = load_style(templates)
    targets = []
    for fmt in formats:
        if output is not None:
            path = output if len(formats) == 1 else output.with_suffix("." + fmt)
        else:
            stem = form_id if record is None else f"{form_id}-{safe_name(str(record.get('id') or 'filled'))}"
            path = outdir / f"{stem}.{fmt}"
        targets.append((fmt, path))
    # Render everything first, so a failure writes nothing.
    rendered = [(path, render_form(project, form_id, fmt, record, style, page_cache=True)) for fmt, path in targets]
    for path, blob in rendered:
        atomic_write(path, blob)
    return [p for p, _ in rendered]


def write_blank_forms(project: Project, outdir: Path, formats: Sequence[str] = FORMATS,
                      regulations: Sequence[str] | None = None, templates: Path | None = None,
                      jobs: int | None = None) -> list[Path]:
    """Every blank form of the (given) regulations into ``outdir/<form-id>.<fmt>``; returns the
    files written, sorted. Uses up to ``jobs`` processes (default: CPU count), scheduled like
    ``regkit build``."""
    from ..render.build import Target
    from ..render.workers import render_all
    from .build import COSTS, warm_up

    fmts = parse_formats(formats)
    style = load_style(templates)
    warm = partial(warm_up, templates)
    targets = [Target(Path(f"{f.id}.{fmt}"), (), partial(render_form, project, f.id, fmt, None, style),
                      warm=warm if fmt == "pdf" else None, cost=COSTS[fmt])
               for r, f in project.forms() if not regulations or r.id in regulations for fmt in fmts]
    blobs = render_all(targets, jobs, lambda t: None)
    paths = []
    for t in targets:
        atomic_write(outdir / t.path, blobs[t.path])
        paths.append(outdir / t.path)
    return sorted(paths)


FORM_SUFFIXES = (".docx", ".pdf", ".xlsx", ".odt", ".ods")


@dataclass
class Extracted:
    """What ``read_forms`` got: the records of every readable file, notes, and one problem line
    (``file:line:col: message``) per unreadable file or field."""

    records: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _form_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.iterdir() if x.suffix.lower() in FORM_SUFFIXES)
        else:
            files.append(p)
    return files


def read_forms(paths: Sequence[Path], project: Project) -> Extracted:
    """Records from filled-in forms (files, or folders of forms), file by file: a file that
    cannot be read is listed in ``problems`` and the others are still read."""
    from .extract import extract_file

    out = Extracted()
    for f in _form_files(paths):
        try:
            out.records += extract_file(f, project, notes=out.notes)
        except InputError as exc:
            out.problems += exc.problems
    return out


def extract_files(paths: Sequence[Path], project: Project) -> tuple[list[dict[str, Any]], list[str]]:
    """Records from filled-in forms (files, or folders of forms), with notes; every unreadable
    file is reported in one InputError (``read_forms`` keeps the readable files' records)."""
    got = read_forms(paths, project)
    if got.problems:
        raise InputError(got.problems)
    return got.records, got.notes
