"""XLSX workbooks of records: one form per sheet (named after the form's id or title, or with a
form column), a header row of field keys or labels, one record per row (table forms regrouped).

The zip container is checked before anything inflates it; openpyxl reads in read-only mode with
the declared sheet dimensions ignored, and XML through defusedxml. A formula cell is read from
the value Excel cached; a formula never calculated is reported, not read as empty."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from ..loader import Project
from ..model import Form, FormField
from . import Collected, Unreadable, validate
from .tabular import find_form_column, form_column_value, headings, map_header, resolve_form, rows_to_records

# Checked before openpyxl inflates anything (the file, its zip directory), then while rows are read.
MAX_FILE_BYTES = 32 << 20
MAX_MEMBERS = 1000
MAX_UNPACKED = 160 << 20  # all members together, as declared; a sheet's XML is about 20x its data
MAX_RATIO = 100  # uncompressed : compressed, per member over 1 MB (sheet XML compresses ~10-20:1)
MAX_ROWS = 200_000  # per sheet; larger sets belong in CSV files, which the engine reads itself
MAX_CELLS = 4_000_000  # per sheet
TEXT_TYPES = {"text", "multiline", "person", "department", "phone", "choice", "list", "multichoice"}


class XlsxProblem(Exception):
    """A workbook that cannot be read safely."""


def check_zip(path: Path) -> None:
    """Refuse zip containers with too many members, too much content or a suspicious ratio."""
    from ..forms.safety import zip_problem

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise XlsxProblem(f"file is {size} bytes, over the limit of {MAX_FILE_BYTES >> 20} MB (write a CSV "
                              "file for larger sets: the engine reads it itself)")
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise XlsxProblem(f"not an XLSX workbook ({exc})") from None
    problem = zip_problem(infos, max_members=MAX_MEMBERS, max_member=MAX_UNPACKED, max_total=MAX_UNPACKED,
                          max_ratio=MAX_RATIO)
    if problem:
        raise XlsxProblem(problem)


def read_xlsx(project: Project, path: Path, source: str) -> Collected:
    """Every sheet's records; a sheet that names no form is reported, an empty one skipped."""
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    out = Collected(files=1)
    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        out.unreadable.append(Unreadable(source, 1, "refusing to read XLSX without defusedxml installed"))
        return out
    try:
        check_zip(path)
        # from memory (the file is bounded): openpyxl leaves its file open when it fails to load
        wb = openpyxl.load_workbook(BytesIO(path.read_bytes()), read_only=True, data_only=False)
    except XlsxProblem as exc:
        out.unreadable.append(Unreadable(source, 1, str(exc)))
        return out
    except Exception as exc:
        out.unreadable.append(Unreadable(source, 1, f"cannot read the workbook: {type(exc).__name__}: {exc}"))
        return out
    try:
        single = len(wb.sheetnames) == 1
        for ws in wb.worksheets:
            where = f"{source}#{ws.title}" if not single else source
            try:
                out.add(_sheet(project, path, ws, where, single))
            except XlsxProblem as exc:
                out.unreadable.append(Unreadable(where, 1, str(exc)))
    finally:
        wb.close()
    out.files = 1
    return out


def _sheet(project: Project, path: Path, ws: Any, where: str, single: bool) -> Collected:
    out = Collected()
    ws.reset_dimensions()  # read-only mode trusts the declared <dimension>, which may lie
    rows, formulas = _cells(ws)
    header = next(rows, None)
    if header is None:
        return out
    body = list(rows)
    if formulas:
        cached = _cached_values(path, ws.title)
        for line, cells in body:
            for col in range(len(cells)):
                if (line, col) in formulas:
                    value = cached.get((line, col))
                    if value is None:
                        msg = f"column {col + 1} holds a formula never calculated (open and save the workbook in Excel)"
                        out.unreadable.append(Unreadable(where, line, msg))
                    cells[col] = value
    fc = find_form_column(header[1])
    named = None
    if fc is not None:
        keys0 = ["form" if i == fc else "" for i in range(len(header[1]))]
        named = next((form_column_value(keys0, c) for _, c in body if form_column_value(keys0, c)), None)
    hit = resolve_form(project, named) if named else resolve_form(project, ws.title)
    if hit is None and single and not named:
        hit = resolve_form(project, path.stem)
    if hit is None:
        why = f"unknown form {named!r} in the form column" if named else (
            f"cannot tell the form of sheet {ws.title!r}: name it after a form id or title, or add a form column")
        out.unreadable.append(Unreadable(where, 1, why))
        return out
    form = hit[1]
    keys, problems = map_header(form, header[1])
    if problems:
        out.unreadable += [Unreadable(where, 1, p) for p in problems]
        return out
    bad_lines = {u.line for u in out.unreadable}
    typed = [(line, [_cell(form, k, v) for k, v in zip(keys, cells, strict=False)] + cells[len(keys):])
             for line, cells in body if line not in bad_lines]
    raws, bad = rows_to_records(form, keys, typed, where, lenient=True, names=headings(keys, header[1]))
    out.unreadable += bad
    out.add(validate(project, raws))
    return out


def _cells(ws: Any) -> tuple[Iterator[tuple[int, list[Any]]], set[tuple[int, int]]]:
    formulas: set[tuple[int, int]] = set()
    rows: list[tuple[int, list[Any]]] = []
    count = 0
    for r, row in enumerate(ws.iter_rows(), 1):
        count += len(row)
        if r > MAX_ROWS or count > MAX_CELLS:
            what = f"over {MAX_ROWS} rows" if r > MAX_ROWS else f"over {MAX_CELLS} cells"
            raise XlsxProblem(f"sheet {ws.title!r} has {what} (split it, or write a CSV file: the engine reads it "
                              "itself)")
        cells = []
        for c, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                formulas.add((r, c))
            cells.append(getattr(cell, "value", None))
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            rows.append((r, cells))
    return iter(rows), formulas


def _cached_values(path: Path, title: str) -> dict[tuple[int, int], Any]:
    import openpyxl

    wb = openpyxl.load_workbook(BytesIO(path.read_bytes()), read_only=True, data_only=True)
    try:
        ws = wb[title]
        ws.reset_dimensions()
        return {(r, c): v for r, row in enumerate(ws.iter_rows(values_only=True), 1) for c, v in enumerate(row)}
    finally:
        wb.close()


def _field(form: Form, key: str) -> FormField | None:
    if "." in key and form.table is not None:
        return next((c for c in form.table.columns or [] if c.key == key.split(".", 1)[1]), None)
    return form.field(key)


def _cell(form: Form, key: str, value: Any) -> Any:
    """A cell value as the field expects it: Excel stores numbers, dates and times natively."""
    f = _field(form, key)
    if value is None or f is None or isinstance(value, str):
        return value
    t = f.type
    if isinstance(value, dt.datetime):
        midnight = value.time() == dt.time(0)
        if t == "month" and midnight and value.day == 1:
            return f"{value.year:04d}-{value.month:02d}"
        if t in ("date", *TEXT_TYPES) and midnight:
            return value.date() if t == "date" else value.date().isoformat()
        return value if t == "date" else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat() if t != "date" else value
    if isinstance(value, bool):
        return value if t == "boolean" else ("是" if value else "否")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer() and t != "amount":
            value = int(value)
        if t in TEXT_TYPES or t == "month":
            return str(value)
        if t == "amount" and isinstance(value, float):
            cents = round(value * 100)
            return Decimal(cents) / 100 if abs(value * 100 - cents) < 1e-6 else Decimal(repr(value))
        return value
    return value
