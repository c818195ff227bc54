"""One layout model of a form, built from its definition and used by the Word, PDF and Excel
writers: header (company, title, number, date), grids of label and value cells, the repeating
table of a table form, signature and date cells, and the 存根 with its 骑缝 cut line.

Control names (what a filled form is read back by):

=====================  ==========================  ===========================
what                   Word ``w:tag``              PDF field name
=====================  ==========================  ===========================
field                  ``customer``                ``customer``
stub copy of a field   ``stub.customer``           ``customer`` (same field, more widgets)
table cell             ``rows[0].customer``        ``rows_0_customer``
multichoice option i   ``items[2]``                ``items_2``
=====================  ==========================  ===========================
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Form, FormField, Regulation
from .records import coerce_record, format_value
from .style import Style

CHECK_TYPES = frozenset({"boolean"})


@dataclass
class Control:
    """One fillable spot: a field, a table cell, a multichoice option, or a stub copy."""

    key: str
    type: str
    label: str
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str | None = None
    row: int | None = None
    column: str | None = None
    option: int | None = None
    copy: bool = False
    text: str = ""
    checked: bool = False

    @property
    def kind(self) -> str:
        """How it is drawn: ``check``, ``date``, ``choice``, ``multiline`` or ``text``."""
        if self.option is not None or self.type in CHECK_TYPES:
            return "check"
        if self.type in ("date", "choice", "multiline"):
            return self.type
        return "text"

    @property
    def tag(self) -> str:
        """The Word content-control tag."""
        base = f"stub.{self.key}" if self.copy else self.key
        if self.row is not None:
            return f"{base}[{self.row}].{self.column}"
        if self.option is not None:
            return f"{base}[{self.option}]"
        return base

    @property
    def name(self) -> str:
        """The PDF field name (flat ASCII: pypdf reads dots as a field hierarchy)."""
        if self.row is not None:
            return f"{self.key}_{self.row}_{self.column}"
        if self.option is not None:
            return f"{self.key}_{self.option}"
        return self.key

    @property
    def tooltip(self) -> str:
        """Label plus hint, for tooltips."""
        hint = {"date": "YYYY-MM-DD", "month": "YYYY-MM", "list": "多项以、分隔"}.get(self.type)
        extras = [p for p in (self.help, hint) if p]
        return self.label + ("（" + "；".join(extras) + "）" if extras else "")


@dataclass
class Cell:
    """A table cell: static text and controls in reading order."""

    parts: list[str | Control] = field(default_factory=list)
    span: int = 1
    style: str = "value"  # label, value, head, number, sign
    note: str | None = None
    lines: int = 1
    size: str | None = None  # a sizes knob to print it in instead of its grid's (a long label)

    def controls(self) -> list[Control]:
        """The controls in this cell."""
        return [p for p in self.parts if isinstance(p, Control)]

    def is_check(self) -> bool:
        """True when the cell holds just one check box."""
        return len(self.parts) == 1 and isinstance(self.parts[0], Control) and self.parts[0].kind == "check"


@dataclass
class Grid:
    """A ruled table with fixed relative column widths."""

    kind: str  # fields, table, sign, stub
    widths: list[float]
    rows: list[list[Cell]]
    header_rows: int = 0
    caption: str | None = None


@dataclass
class FormLayout:
    """Everything a writer draws, in order."""

    form: Form
    regulation: Regulation
    company: str
    title: str
    header: list[Cell]
    grids: list[Grid]
    stub_title: str | None = None
    stub_cut: list[str | Control] = field(default_factory=list)
    stub_header: list[str | Control] = field(default_factory=list)
    stub_grid: Grid | None = None
    filled: bool = False

    def controls(self) -> Iterator[Control]:
        """Every control, in document order."""
        for cell in self.header:
            yield from cell.controls()
        for grid in self.grids:
            for row in grid.rows:
                for cell in row:
                    yield from cell.controls()
        for part in (*self.stub_cut, *self.stub_header):
            if isinstance(part, Control):
                yield part
        if self.stub_grid:
            for row in self.stub_grid.rows:
                for cell in row:
                    yield from cell.controls()


def stub_only(f: FormField) -> bool:
    """Fields that exist only on the 存根 (the departments' signatures on it): key ``stub_*`` or a
    label starting with 存根."""
    return f.key.startswith("stub_") or f.label.startswith("存根")


def stub_fields(form: Form) -> list[FormField]:
    """The fields printed on the 存根 besides the number: ``stub.fields`` and ``part: stub``."""
    if form.stub is None:
        return []
    keys = list(form.stub.fields) + [f.key for f in form.fields if f.part == "stub" and f.key not in form.stub.fields]
    return [f for k in keys if k != "id" for f in [form.field(k)] if f is not None and f.type != "table"]


def header_date(form: Form) -> FormField | None:
    """The field shown beside the number at the top: ``date``, else the period field."""
    f = form.field("date")
    if f is not None and f.type == "date":
        return f
    return form.field(form.period) if form.period else None


_STEM = re.compile(r"_(by|to|on|date)$")


def sign_dates(form: Form) -> dict[str, FormField]:
    """Each sign field's date field: the date field right after it with the same stem."""
    out: dict[str, FormField] = {}
    for a, b in itertools.pairwise(form.fields):
        if a.sign and b.type == "date" and not b.sign and _STEM.sub("", a.key) == _STEM.sub("", b.key) != a.key:
            out[a.key] = b
    return out


def make_control(f: FormField, *, copy: bool = False, row: int | None = None, column: FormField | None = None,
                 option: int | None = None) -> Control:
    """The control of a field (or of a table column in ``row``)."""
    src = column or f
    return Control(
        key=f.key, type=src.type, label=src.label, choices=tuple(src.choices or ()), required=src.required,
        help=src.help, row=row, column=column.key if column else None, option=option, copy=copy,
    )


def field_parts(f: FormField, *, copy: bool = False) -> list[str | Control]:
    """What a field's value cell holds: one control, or a check box per multichoice option."""
    if f.type == "multichoice":
        parts: list[str | Control] = []
        for i, choice in enumerate(f.choices or []):
            parts += [make_control(f, copy=copy, option=i), choice]
        return parts
    return [make_control(f, copy=copy)]


def build_layout(regulation: Regulation, form: Form, company: str, style: Style,
                 record: Mapping[str, Any] | None = None) -> FormLayout:
    """The layout of a form, blank or (with ``record``) filled in; the record must fit the form
    (InputError is the caller's: see ``records.coerce_record``)."""
    values: dict[str, Any] = {}
    if record is not None:
        values, _ = coerce_record(form, record, required=False)
    header_f = header_date(form)
    id_field = form.field("id") or FormField(key="id", label=style.text("number_label"))
    header = [
        Cell([id_field.label + "："], style="label"), Cell([make_control(id_field)]),
        *([Cell([header_f.label + "："], style="label"), Cell([make_control(header_f)])] if header_f else []),
    ]
    dates = sign_dates(form)
    paired = {f.key for f in dates.values()}
    placed = {"id", header_f.key if header_f else ""} | paired
    grids: list[Grid] = []
    pending: list[FormField] = []
    for f in form.fields:
        if f.key in placed or f.sign or (form.stub and stub_only(f)):
            continue
        if f.type == "table":
            if pending:
                grids.append(_field_grid(pending, style))
                pending = []
            grids.append(_table_grid(f, style, len(values.get(f.key) or [])))
        else:
            pending.append(f)
    if pending:
        grids.append(_field_grid(pending, style))
    signers = [f for f in form.fields if f.sign and not (form.stub and stub_only(f))]
    if signers:
        grids.append(_sign_grid(signers, dates, style))
    layout = FormLayout(form, regulation, company, form.title, header, grids, filled=record is not None)
    if form.stub:
        _add_stub(layout, form, id_field, style)
    from .fit import fit_labels, rows_to_fill

    tables = [g for g in grids if g.kind == "table"]
    if len(tables) == 1 and form.table is not None and not form.stub:
        # A table form offers as many rows as fill its page (at least the rows it asks for).
        add_table_rows(tables[0], form.table, rows_to_fill(layout, tables[0], style), style)
    fit_labels(layout, style)
    if record is not None:
        fill(layout, values)
    return layout


def _wide(f: FormField, style: Style) -> bool:
    return f.type in style.get("wide_types") or len(f.label) > style.num("wide_label_chars")


def _label(f: FormField) -> Cell:
    # The choices go under the label too, so a printed blank form says what may be written.
    hints = [f.help] if f.help else []
    if f.type == "choice":
        hints.append("／".join(f.choices or []))
    return Cell([f.label], style="label", note="；".join(hints) or None)


def _field_grid(fields: list[FormField], style: Style, *, copy: bool = False, kind: str = "fields") -> Grid:
    lines = int(style.num("multiline_lines"))
    rows: list[list[Cell]] = []
    half: list[Cell] | None = None
    for f in fields:
        value = Cell(field_parts(f, copy=copy), lines=lines if f.type == "multiline" else 1)
        if _wide(f, style):
            value.span = 3
            rows.append([_label(f), value])
            half = None
        elif half is not None:
            half[1].span = 1
            half += [_label(f), value]
            half = None
        else:
            value.span = 3
            half = [_label(f), value]
            rows.append(half)
    return Grid(kind, [float(w) for w in style.get("grid")], rows)


def _table_grid(f: FormField, style: Style, filled_rows: int) -> Grid:
    from .fit import PT_MM, min_column_em, widen

    cols = f.columns or []
    defaults = style.get("column_widths")
    widths = [style.num("number_column")] + [float(c.width or defaults.get(c.type, 3)) for c in cols]
    label = style.text("number_column_label")
    em = style.num("sizes.table") * PT_MM * (1 + style.num("fit.letter_spacing_em"))
    pad = style.num("fit.cell_padding_mm")
    mins = [min_column_em(label, "text", ())] + [min_column_em(c.label, c.type, c.choices or ()) for c in cols]
    widths = widen(widths, [m * em + pad for m in mins], style.content_width_mm)
    head = [Cell([label], style="head")] + [Cell([c.label], style="head") for c in cols]
    grid = Grid("table", widths, [head], header_rows=1, caption=f.label)
    add_table_rows(grid, f, max(f.rows, filled_rows), style)
    return grid


def add_table_rows(grid: Grid, f: FormField, count: int, style: Style) -> None:
    """Give a table grid ``count`` body rows (multi-line columns get room for more lines)."""
    lines = int(style.num("table_multiline_lines"))
    for i in range(len(grid.rows) - grid.header_rows, count):
        grid.rows.append([Cell([str(i + 1)], style="number")] + [
            Cell([make_control(f, row=i, column=c)], lines=lines if c.type == "multiline" else 1)
            for c in f.columns or []])


def _sign_grid(signers: list[FormField], dates: dict[str, FormField], style: Style) -> Grid:
    rows = []
    for f in signers:
        d = dates.get(f.key)
        date_cell = Cell([make_control(d)]) if d else Cell([style.text("blank_date")], style="sign")
        rows.append([
            Cell([f.label], style="label", note=f.help), Cell([make_control(f)], style="value"),
            Cell([d.label if d else style.text("date_label")], style="label"), date_cell,
        ])
    return Grid("sign", [float(w) for w in style.get("grid")], rows)


def _add_stub(layout: FormLayout, form: Form, id_field: FormField, style: Style) -> None:
    assert form.stub is not None
    number = style.text("number_label") + "："
    layout.stub_title = form.stub.title
    keeper = style.text("keeper_note").format(keeper=form.stub.keeper) if form.stub.keeper else ""
    layout.stub_cut = [style.text("cut_label") + "　" + number, make_control(id_field, copy=True)]
    layout.stub_header = [form.stub.title + keeper + "　" + number, make_control(id_field, copy=True)]
    fields = stub_fields(form)
    layout.stub_grid = _field_grid(fields, style, copy=True, kind="stub") if fields else None
    if layout.stub_grid:
        for row in layout.stub_grid.rows:
            for cell in row:
                for c in cell.controls():
                    c.copy = not stub_only(form.field(c.key) or id_field)


def fill(layout: FormLayout, values: Mapping[str, Any]) -> None:
    """Put a typed record's values into the layout's controls."""
    form = layout.form
    for c in layout.controls():
        f = form.field(c.key)
        if f is None:
            c.text = format_value(FormField(key="id", label="id"), values.get(c.key))
            continue
        value = values.get(c.key)
        if c.row is not None:
            rows = value or []
            col = next(x for x in f.columns or [] if x.key == c.column)
            cell = rows[c.row].get(col.key) if c.row < len(rows) else None
            c.checked = cell is True
            c.text = format_value(col, cell)
        elif c.option is not None:
            c.checked = isinstance(value, list) and (f.choices or [])[c.option] in value
        else:
            c.checked = value is True
            c.text = format_value(f, value)
