"""Spreadsheet-shaped records (CSV files, XLSX sheets): which form a sheet holds, which field each
column is (field keys or the Chinese labels), and rows turned into records. A table form repeats
its header fields on every row of its table; those rows are regrouped into one record by id."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..loader import Project
from ..model import Form, Regulation
from . import RawRecord, Unreadable

FORM_COLUMN = "form"
FORM_LABELS = ("form", "表单", "表单编号")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().strip("《》<>〈〉").strip()


def resolve_form(project: Project, name: str) -> tuple[Regulation, Form] | None:
    """The form a sheet or file is named after: its id or its title (with or without 《》)."""
    n = _norm(name)
    hit = project.form(n) or project.form(n.lower())
    if hit:
        return hit
    return next(((r, f) for r, f in project.forms() if _norm(f.title) == n), None)


def map_header(form: Form, cells: list[Any]) -> tuple[list[str], list[str]]:
    """The key of each column (``form`` for a form column; table columns by their own key or
    ``table.column``), and the problems (unknown or repeated columns, missing required ones)."""
    names: dict[str, str] = {}
    table = form.table
    for f in form.fields:
        if f.type == "table":
            continue
        names.setdefault(f.key, f.key)
        names.setdefault(_norm(f.label), f.key)
    if form.field("id") is None:
        names.setdefault("id", "id")
        names.setdefault("编号", "id")
    if table is not None:
        for c in table.columns or []:
            for alias in (f"{table.key}.{c.key}", f"{_norm(table.label)}.{_norm(c.label)}", c.key, _norm(c.label)):
                names.setdefault(alias, f"{table.key}.{c.key}")
    for alias in FORM_LABELS:
        names.setdefault(alias, FORM_COLUMN)
    keys: list[str] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, 1):
        text = _norm(str(cell)) if cell is not None else ""
        key = names.get(text) or names.get(text.rstrip("*＊").strip())
        if key is None:
            what = f"column {i} ({text!r})" if text else f"column {i} (no heading)"
            problems.append(f"{what} is not a field of form {form.id} (write the field key or its label)")
            keys.append("")
            continue
        if key in seen:
            problems.append(f"column {i} ({text!r}) repeats column {seen[key]}")
        seen[key] = i
        keys.append(key)
    required = [f for f in form.fields if f.required and f.type != "table"]
    missing = [f"{f.key} ({f.label})" for f in required if f.key not in seen]
    if missing:
        problems.append(f"missing column(s) of form {form.id}: {', '.join(missing)}")
    return keys, problems


def headings(keys: list[str], cells: list[Any]) -> dict[str, str]:
    """Each field key's column heading as the file writes it (费用类别, not category)."""
    return {k: _norm(str(c)) for k, c in zip(keys, cells, strict=False) if k and c is not None and _norm(str(c)) != k}


_PROBLEM_KEY_RE = re.compile(r"(^|; )([a-z][a-z0-9_]*)((?:\[\d+\])?(?:\.[a-z][a-z0-9_]*)?):")


def in_user_terms(problem: str, names: dict[str, str]) -> str:
    """A record problem naming each field by the heading the user wrote (``category: ...`` in a
    file headed 费用类别 becomes ``费用类别: ...``)."""
    return _PROBLEM_KEY_RE.sub(lambda m: f"{m.group(1)}{names.get(m.group(2), m.group(2))}{m.group(3)}:", problem)


def form_column_value(keys: list[str], row: list[Any]) -> str | None:
    """The form id a row names in its form column, if it has one."""
    if FORM_COLUMN not in keys:
        return None
    i = keys.index(FORM_COLUMN)
    value = row[i] if i < len(row) else None
    return str(value).strip() if value not in (None, "") else None


def find_form_column(cells: list[Any]) -> int | None:
    """The index of a form column in a header row, if any."""
    for i, cell in enumerate(cells):
        if cell is not None and _norm(str(cell)) in FORM_LABELS:
            return i
    return None


def rows_to_records(form: Form, keys: list[str], rows: Iterable[tuple[int, list[Any]]], source: str,
                    *, lenient: bool = True, exact: bool = False,
                    names: dict[str, str] | None = None) -> tuple[list[RawRecord], list[Unreadable]]:
    """Records from data rows (line, cells); a table form's rows are grouped by record id. With
    ``exact`` (CSV), a row with more or fewer cells than the header is unreadable as such, not
    read with its values under the wrong columns. ``names``: the headings the file writes, for
    problems in the user's terms."""
    table = form.table
    records: list[RawRecord] = []
    bad: list[Unreadable] = []
    groups: dict[Any, RawRecord] = {}
    for line, cells in rows:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        extra = len(cells) - len(keys)
        if (extra > 0 and (exact or any(c not in (None, "") for c in cells[len(keys):]))) or (exact and extra < 0):
            n = "one cell" if abs(extra) == 1 else f"{abs(extra)} cells"
            why = f"the row has {len(cells)} cells, the header {len(keys)}: {n} too {'many' if extra > 0 else 'few'}"
            if exact:
                why += (" (a value with a comma goes in double quotes)" if extra > 0
                        else " (an empty value still needs its comma)")
            bad.append(Unreadable(source, line, why))
            continue
        data: dict[str, Any] = {}
        row: dict[str, Any] = {}
        for key, cell in zip(keys, cells, strict=False):
            value = None if isinstance(cell, str) and cell == "" else cell
            if table is not None and key.startswith(table.key + "."):
                row[key.split(".", 1)[1]] = value
            elif key:
                data[key] = value
        named = data.pop(FORM_COLUMN, None)
        if named not in (None, "") and str(named).strip() != form.id:
            bad.append(Unreadable(source, line, f"the row names form {named!r}; this sheet holds form {form.id} "
                                  "(one form per file or sheet)"))
            continue
        if table is None:
            records.append(RawRecord(data, source, line, form.id, lenient, names))
            continue
        rid = data.get("id")
        rid = rid.strip() if isinstance(rid, str) else rid
        rec = groups.get(rid) if rid not in (None, "") else None
        if rec is None:
            data[table.key] = []
            rec = RawRecord(data, source, line, form.id, lenient, names)
            records.append(rec)
            if rid not in (None, ""):
                groups[rid] = rec
        else:
            clash = _merge(rec.data, data)
            if clash:
                bad.append(Unreadable(source, line, f"record {rid}: {clash} differs from line {rec.line}"))
                continue
        if any(v not in (None, "") for v in row.values()):
            rec.data[table.key].append(row)
    return records, bad


def _merge(into: dict[str, Any], data: dict[str, Any]) -> str | None:
    """Fill ``into`` from a continuation row; the name of a header field whose values differ."""
    for key, value in data.items():
        if value in (None, ""):
            continue
        have = into.get(key)
        if have in (None, ""):
            into[key] = value
        elif have != value:
            return key
    return None
