"""Reading filled-in forms back into records: ``extract_file(path, project)``.

The file says which form (and version) it holds; its controls are mapped to the form's fields by
name (see ``layout``) and typed (dates ``YYYY-MM-DD``, amounts ``Decimal``, lists, table rows). A
file of an older form version is mapped by field key when every field it holds still exists (a
note says so); otherwise, and for anything unreadable, InputError with one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..loader import Project
from ..model import Form, FormField
from .locate import DocBody
from .records import ValueProblem, empty_value, is_empty, parse_value
from .xlsx import sheet_columns

Record = dict[str, Any]


def extract_file(path: Path | str, project: Project, *, data: bytes | None = None,
                 notes: list[str] | None = None) -> list[Record]:
    """The records a filled-in regkit form (DOCX, PDF or XLSX) holds, typed per field: one record
    for a Word or PDF form, one per register row (or table) for a workbook. Raises InputError
    (one line) for anything that is not a readable regkit form. ``notes`` collects remarks such as
    an older form version having been mapped."""
    from .opendoc import read_ods, read_odt
    from .readers import read_docx, read_pdf, read_xlsx
    from .safety import contained, read_limited

    name = str(path)
    raw_bytes = read_limited(name, data)
    with contained(name, "file"):
        kind = sniff(name, raw_bytes)
    with contained(name, kind.upper()):
        if kind == "pdf":
            raw = read_pdf(name, raw_bytes)
        elif kind == "docx":
            raw = read_docx(name, raw_bytes)
        elif kind == "odt":
            raw = read_odt(name, raw_bytes)
        elif kind == "ods":
            raw = read_ods(name, raw_bytes)
        else:
            raw = read_xlsx(name, raw_bytes)
    form = _form(name, project, raw.form_id, raw.version, notes)
    if kind in ("xlsx", "ods"):
        return _xlsx_records(name, form, raw.headers, raw.rows, raw.version, notes)
    if kind == "pdf":
        _resolve_dotted(raw.values, _control_names(form, raw.values, flat=True))
    names = _control_names(form, raw.values, flat=kind == "pdf")
    if not set(raw.values) & set(names):
        if raw.body is None:
            raise InputError.at(name, 1, 1, f"no form fields of form {form.id} left in the file (was it saved by "
                                "an editor that drops them?)")
        # LibreOffice 7.4 saves content controls without their w:tag, an ODT has none: find each
        # field where the form's layout put it.
        raw.values = _by_layout(name, project, form, raw.body)
        names = _control_names(form, raw.values, flat=False)
    elif raw.version == form.version:
        _check_controls(name, project, form, raw.values, flat=kind == "pdf")
    stale = sorted(set(raw.values) - set(names))
    if stale:
        # Controls of fields the form no longer has: only a value in one makes mapping lossy.
        filled = [k for k in stale if any(v not in ("", False) for v in raw.values[k])]
        _stale(name, form, raw.version, filled, notes, empty=sorted(set(stale) - set(filled)))
    return [_record(name, form, {names[k]: v for k, v in raw.values.items() if k in names})]


def _by_layout(name: str, project: Project, form: Form, body: DocBody) -> dict[str, list[str | bool]]:
    from .layout import build_layout
    from .locate import locate_values
    from .style import load_style

    hit = project.form(form.id)
    assert hit is not None
    layout = build_layout(hit[0], form, project.org.company, load_style())
    values, problems = locate_values(body, layout)
    if problems:
        raise InputError([Problem(name, 1, 1, p) for p in problems])
    return values


def _resolve_dotted(values: dict[str, list[str | bool]], names: Mapping[str, Slot]) -> None:
    """A PDF field moved under a parent by an editor (``a.customer``) is the field ``customer``;
    if ``customer`` is there too, the copies are counted as the field found twice."""
    for qualified in [k for k in values if k not in names and "." in k]:
        tail = qualified.rsplit(".", 1)[1]
        if tail in names:
            values.setdefault(tail, []).extend(values.pop(qualified))


def _check_controls(name: str, project: Project, form: Form, values: Mapping[str, list[str | bool]], *,
                    flat: bool) -> None:
    """Every control the form's layout has is in the file, as many times as the layout has it: a
    control an editor removed (or whose tag it dropped) or duplicated is a problem naming the
    field, never an empty value or a guess between copies."""
    from collections import Counter

    from .layout import build_layout
    from .style import load_style

    hit = project.form(form.id)
    if hit is None:  # pragma: no cover - _form found it
        return
    controls = list(build_layout(hit[0], form, project.org.company, load_style(), None).controls())
    # a PDF has one field per name, its copies being widgets of it; Word repeats the control
    expected = Counter({c.name: 1 for c in controls} if flat else (c.tag for c in controls))
    labels = {(c.name if flat else c.tag): c.label for c in controls}
    problems = []
    for control, count in sorted(expected.items()):
        got = len(values.get(control, []))
        what = f"field {control} ({labels[control]})"
        if got == 0:
            problems.append(Problem(name, 1, 1, f"{what}: not found in the file (was it deleted, or its "
                                    f"{'name' if flat else 'tag'} changed by an editor?)"))
        elif got > count:
            problems.append(Problem(name, 1, 1, f"{what}: found {got} times in the file, the form has it "
                                    f"{'once' if count == 1 else f'{count} times'}"))
    if problems:
        raise InputError(problems)


def sniff(name: str, data: bytes) -> str:
    """``pdf``, ``docx``, ``xlsx``, ``odt`` or ``ods`` from the content (the extension may lie)."""
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        from .opendoc import is_opendoc
        from .safety import open_zip

        opendoc = is_opendoc(data)
        if opendoc is not None:
            return opendoc

        members = set(open_zip(name, data).namelist())
        if "word/document.xml" in members:
            return "docx"
        if "xl/workbook.xml" in members:
            return "xlsx"
        raise InputError.at(name, 1, 1, "not a DOCX or XLSX form (zip without a document or workbook)")
    raise InputError.at(name, 1, 1, "not a DOCX, PDF, XLSX, ODT or ODS file")


def _form(name: str, project: Project, form_id: str, version: int, notes: list[str] | None) -> Form:
    hit = project.form(form_id)
    if hit is None:
        raise InputError.at(name, 1, 1, f"form {form_id!r} is not defined in the regulations")
    form = hit[1]
    if version > form.version:
        raise InputError.at(name, 1, 1, f"form {form_id} version {version} is newer than the regulations' "
                            f"version {form.version}")
    if version < form.version and notes is not None:
        notes.append(f"{name}: form {form_id} version {version} read as version {form.version} "
                     "(fields mapped by key; fields added since are empty)")
    return form


def _stale(name: str, form: Form, version: int, stale: list[str], notes: list[str] | None,
           empty: list[str] | None = None) -> None:
    def shown(names: list[str]) -> str:
        return ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")

    if stale and version < form.version:
        raise InputError.at(name, 1, 1, f"form {form.id} version {version} cannot be mapped to version "
                            f"{form.version}: no longer defined: {shown(stale)}")
    if notes is not None and (stale or empty):
        notes.append(f"{name}: ignored controls not in form {form.id}: {shown(stale + (empty or []))}")


# A control name resolved: (field key, table row or None, column key or None, option or None, copy)
Slot = tuple[str, int | None, str | None, int | None, bool]


def _control_names(form: Form, present: Mapping[str, Any], *, flat: bool) -> dict[str, Slot]:
    out: dict[str, Slot] = {}
    for f in form.fields:
        if f.type == "table":
            cols = "|".join(re.escape(c.key) for c in f.columns or [])
            pattern = (rf"^{re.escape(f.key)}_(\d{{1,4}})_({cols})$" if flat
                       else rf"^{re.escape(f.key)}\[(\d{{1,4}})\]\.({cols})$")
            for n in present:
                m = re.match(pattern, n)
                if m:
                    out[n] = (f.key, int(m[1]), m[2], None, False)
        elif f.type == "multichoice":
            for i in range(len(f.choices or [])):
                out[f"{f.key}_{i}" if flat else f"{f.key}[{i}]"] = (f.key, None, None, i, False)
                if not flat:
                    out[f"stub.{f.key}[{i}]"] = (f.key, None, None, i, True)
        else:
            out[f.key] = (f.key, None, None, None, False)
            if not flat:
                out[f"stub.{f.key}"] = (f.key, None, None, None, True)
    if form.field("id") is None:
        out["id"] = ("id", None, None, None, False)
        out["stub.id"] = ("id", None, None, None, True)
    return out


def _one(name: str, label: str, values: list[str | bool]) -> str | bool:
    """The value of a control shown in several places: they must agree where filled."""
    filled = [v for v in values if v not in ("", False, None)]
    if len({str(v).strip() for v in filled}) > 1:
        raise InputError.at(name, 1, 1, f"{label}: the copies disagree ({' / '.join(str(v) for v in filled[:3])})")
    return filled[0] if filled else (values[0] if values else "")


def _record(name: str, form: Form, slots: Mapping[Slot, list[str | bool]]) -> Record:
    by_key: dict[str, list[tuple[Slot, list[str | bool]]]] = {}
    for slot, values in slots.items():
        by_key.setdefault(slot[0], []).append((slot, values))
    record: Record = {"form": form.id}
    problems: list[str] = []
    for f in _fields_with_id(form):
        got = by_key.get(f.key, [])
        try:
            record[f.key] = _field_value(name, f, got)
        except ValueProblem as exc:
            problems += exc.problems
            record[f.key] = empty_value(f)
    if problems:
        raise InputError([Problem(name, 1, 1, p) for p in problems])
    return record


def _fields_with_id(form: Form) -> list[FormField]:
    if form.field("id") is None:
        return [FormField(key="id", label="编号"), *form.fields]
    return list(form.fields)


def _field_value(name: str, f: FormField, got: list[tuple[Slot, list[str | bool]]]) -> Any:
    if f.type == "table":
        rows: dict[int, dict[str, Any]] = {}
        cols = {c.key: c for c in f.columns or []}
        for (_, row, col, _opt, _cp), values in got:
            assert row is not None and col is not None
            rows.setdefault(row, {})[col] = _one(name, f"{f.key}[{row}].{col}", values)
        out = []
        for i in sorted(rows):
            typed = {}
            for key, col_f in cols.items():
                raw = rows[i].get(key, "")
                try:
                    typed[key] = parse_value(col_f, raw if raw is not False else None, lenient=True)
                except ValueProblem as exc:
                    raise ValueProblem(f"{f.key}[{i}].{exc}") from None
            if not all(is_empty(v) or v is False for v in typed.values()):
                out.append(typed)
        return out
    if f.type == "multichoice":
        chosen: set[int] = set()
        for (_k, _row, _col, option, _copy), values in got:
            if option is not None and any(v is True for v in values):
                chosen.add(option)
        return [c for i, c in enumerate(f.choices or []) if i in chosen]
    main = [v for (slot, values) in got if not slot[4] for v in values]
    copies = [v for (slot, values) in got if slot[4] for v in values]
    value = _one(name, f.key, main + copies)
    if f.type == "boolean":
        return value is True if isinstance(value, bool) else parse_value(f, value, lenient=True)
    if isinstance(value, bool):
        value = ""
    return parse_value(f, value, lenient=True)


def _xlsx_records(name: str, form: Form, headers: list[str], rows: list[dict[str, Any]], version: int,
                  notes: list[str] | None) -> list[Record]:
    from .readers import cell_text

    cols = sheet_columns(form)
    by_header: dict[str, int] = {}
    for i, col in enumerate(cols):
        by_header[col.header] = i
        by_header.setdefault(col.field.key if not col.table else f"{col.table}.{col.field.key}", i)
    where: dict[int, int] = {}
    unknown = []
    for pos, text in enumerate(headers):
        if not text:
            continue
        if text in by_header:
            where[pos] = by_header[text]
        else:
            unknown.append(text)
    if unknown:
        _stale(name, form, version, unknown, notes)
    if not where:
        raise InputError.at(name, 1, 1, f"no column of form {form.id} in the header row")
    table = form.table
    records: list[Record] = []
    current: Record | None = None
    problems: list[Problem] = []
    for row in rows:
        line = int(row["_line"])
        cells = {where[p]: cell_text(row.get(str(p))) for p in where}
        if all(v in (None, "") for v in cells.values()):
            continue
        head: dict[str, Any] = {}
        trow: dict[str, Any] = {}
        for idx, value in cells.items():
            col = cols[idx]
            (trow if col.table else head)[col.field.key] = value
        try:
            typed_head = {f.key: parse_value(f, head.get(f.key), lenient=True)
                          for f in _fields_with_id(form) if f.type != "table"}
            typed_row = ({c.key: parse_value(c, trow.get(c.key), lenient=True) for c in table.columns or []}
                         if table else {})
        except ValueProblem as exc:
            problems.append(Problem(name, line, 1, str(exc)))
            continue
        continues = table is not None and current is not None and (
            (is_empty(typed_head.get("id")) and all(is_empty(v) for v in typed_head.values()))
            or typed_head.get("id") == current.get("id"))
        if continues and current is not None:
            for key, value in typed_head.items():
                if not is_empty(value) and not is_empty(current.get(key)) and value != current[key]:
                    problems.append(Problem(name, line, 1, f"{key}: {value!r} differs from {current[key]!r} "
                                            f"in the rows above of record {current.get('id')}"))
                elif not is_empty(value):
                    current[key] = value
        else:
            current = {"form": form.id, **typed_head}
            if table:
                current[table.key] = []
            records.append(current)
        if table is not None and not all(is_empty(v) for v in typed_row.values()):
            current[table.key].append(typed_row)
    if problems:
        raise InputError(problems)
    return [_ordered(form, r) for r in records]


def _ordered(form: Form, record: Record) -> Record:
    out: Record = {"form": form.id}
    for f in _fields_with_id(form):
        out[f.key] = record.get(f.key, empty_value(f))
    return out
