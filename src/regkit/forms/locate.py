"""Finding a form's values by its own layout, when the controls that named them are gone.

LibreOffice 7.4 saves Word content controls without their ``w:tag`` (and an ODT has none), but it
keeps the printed layout: the 编号 line above the tables, each label in its cell with the value
in the cell to its right, a table form's column heads above numbered rows, and the 存根's table
after the 骑缝 cut line. regkit knows that layout from the form definition (``layout``), so it
reads each field from the cell where the form put it. A field whose label cannot be found, or is
found twice, is a problem naming the field, never an empty value.

The document is seen as ``DocBody``: paragraphs' text and tables of cell texts, in order, which the
DOCX and ODT readers both produce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .layout import Cell, Control, FormLayout, Grid

# Characters a value cell may hold around its text that are not part of the value: regkit's
# placeholder of ideographic spaces, tabs, line ends.
_PAD = " \t\r\n\u3000\u00a0"
CHECKED_MARKS = frozenset("☒☑✓✔■√")
UNCHECKED_MARKS = frozenset("☐□")


@dataclass
class DocTable:
    """A table as text: rows of cell texts (a cell's paragraphs joined with line breaks)."""

    rows: list[list[str]] = field(default_factory=list)


@dataclass
class DocBody:
    """A document's body in reading order: paragraph texts and tables."""

    items: list[str | DocTable] = field(default_factory=list)

    @property
    def tables(self) -> list[DocTable]:
        """The tables, in order."""
        return [i for i in self.items if isinstance(i, DocTable)]

    def paragraphs_before_first_table(self) -> list[str]:
        """The paragraphs above the first table (company, title, 编号 line)."""
        out = []
        for item in self.items:
            if isinstance(item, DocTable):
                break
            out.append(item)
        return out


def clean(text: str) -> str:
    """A cell's text without the placeholder and padding around it."""
    return text.strip(_PAD)


def _first_line(text: str) -> str:
    return clean(text.split("\n", 1)[0]) if text else ""


def _norm(text: str) -> str:
    # Labels may be broken in two lines (fit) and followed by their hint paragraph.
    return "".join(text.split())


def locate_values(body: DocBody, layout: FormLayout) -> tuple[dict[str, list[str | bool]], list[str]]:
    """The raw value of every control of ``layout`` found in ``body``, by Word tag, and a problem
    per control that cannot be located or is ambiguous (stub copies may be missing)."""
    values: dict[str, list[str | bool]] = {}
    problems: list[str] = []
    _header(body, layout, values, problems)
    grids: list[Grid] = list(layout.grids) + ([layout.stub_grid] if layout.stub_grid else [])
    tables = body.tables
    if len(tables) != len(grids):
        problems.append(f"the form's tables were changed: form {layout.form.id} has {len(grids)} "
                        f"table(s), the file {len(tables)}; cannot tell which cell holds which field")
        return values, problems
    for grid, table in zip(grids, tables, strict=True):
        if grid.kind == "table":
            _table(grid, table, values, problems)
        else:
            _fields(grid, table, values, problems)
    return values, problems


def _header(body: DocBody, layout: FormLayout, values: dict[str, list[str | bool]], problems: list[str]) -> None:
    labels: list[tuple[str, Control]] = []
    for i in range(0, len(layout.header) - 1, 2):
        label = "".join(p for p in layout.header[i].parts if isinstance(p, str))
        ctls = layout.header[i + 1].controls()
        if label and ctls:
            labels.append((label, ctls[0]))
    if not labels:
        return
    lines = [p for p in body.paragraphs_before_first_table() if labels[0][0] in p]
    if len(lines) != 1:
        what = "not found" if not lines else "found more than once"
        problems.append(f"{labels[0][1].key}: the line '{labels[0][0]}' above the table is {what}")
        return
    line = lines[0]
    starts = []
    for label, ctl in labels:
        pos = line.find(label)
        if pos < 0:
            problems.append(f"{ctl.key}: '{label}' not found in the line above the table")
            continue
        starts.append((pos, label, ctl))
    starts.sort(key=lambda s: s[0])
    for n, (pos, label, ctl) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(line)
        values.setdefault(ctl.tag, []).append(clean(line[pos + len(label):end]))


def _label_text(cell: Cell) -> str:
    return "".join(p for p in cell.parts if isinstance(p, str))


def _fields(grid: Grid, table: DocTable, values: dict[str, list[str | bool]], problems: list[str]) -> None:
    for row in grid.rows:
        for i, cell in enumerate(row[:-1]):
            if cell.style != "label":
                continue
            target = row[i + 1]
            ctls = target.controls()
            if not ctls:
                continue  # a blank date line for handwriting
            label = _norm(_label_text(cell))
            want = {label, label + _norm(cell.note or "")}
            hits = [(r, c) for r, doc_row in enumerate(table.rows) for c, text in enumerate(doc_row[:-1])
                    if _norm(text) in want]
            copy = all(c.copy for c in ctls)
            if len(hits) != 1:
                if not hits and copy:
                    continue  # a stub copy is optional
                what = "not found" if not hits else f"found {len(hits)} times"
                problems.append(f"{ctls[0].key}: the label '{label}' is {what} in the form's table; "
                                "cannot tell which cell holds the value")
                continue
            r, c = hits[0]
            _cell_value(table.rows[r][c + 1], target, values)


def _cell_value(text: str, cell: Cell, values: dict[str, list[str | bool]]) -> None:
    ctls = cell.controls()
    if len(ctls) == 1 and ctls[0].kind != "check":
        values.setdefault(ctls[0].tag, []).append(clean(text))
        return
    # Check boxes: the mark in front of each option's text.
    words = [p for p in cell.parts if isinstance(p, str)]
    for n, ctl in enumerate(ctls):
        word = words[n] if n < len(words) else ""
        values.setdefault(ctl.tag, []).append(_ticked(text, word, n == 0 and not word))


def _ticked(text: str, word: str, alone: bool) -> bool:
    if alone:
        return any(ch in CHECKED_MARKS for ch in text)
    m = re.search(r"(\S)\s*" + re.escape(word), text)
    return m is not None and m.group(1) in CHECKED_MARKS


def _table(grid: Grid, table: DocTable, values: dict[str, list[str | bool]], problems: list[str]) -> None:
    head = [_norm(_label_text(c)) for c in grid.rows[0]]
    if not table.rows:
        problems.append(f"{grid.caption or 'table'}: the table is empty")
        return
    doc_head = [_norm(t) for t in table.rows[0]]
    where: dict[str, int] = {}
    sample = grid.rows[1] if len(grid.rows) > 1 else []
    for i, label in enumerate(head):
        if i == 0 or i >= len(sample):
            continue
        ctl = sample[i].controls()[0]
        found = [j for j, t in enumerate(doc_head) if t == label]
        if len(found) != 1:
            what = "not found" if not found else f"found {len(found)} times"
            problems.append(f"{ctl.key}.{ctl.column}: the column '{label}' is {what} in the table's head row")
            continue
        where[ctl.column or ""] = found[0]
    seen: set[int] = set()
    for doc_row in table.rows[1:]:
        number = _first_line(doc_row[0]) if doc_row else ""
        if not number.isdigit():
            continue
        index = int(number) - 1
        if index in seen:
            problems.append(f"{grid.caption or 'table'}: row number {number} appears twice")
            continue
        seen.add(index)
        for i in range(1, len(sample)):
            ctl = sample[i].controls()[0]
            col = where.get(ctl.column or "")
            if col is None:
                continue
            text = doc_row[col] if col < len(doc_row) else ""
            tag = f"{ctl.key}[{index}].{ctl.column}"
            values.setdefault(tag, []).append(clean(text))
