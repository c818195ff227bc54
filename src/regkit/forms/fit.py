"""Fitting a form's layout to its page, for the Word and PDF writers alike: labels that would
wrap by one character are set smaller (or broken evenly in two), table columns are made wide
enough for their heads, dates and longest choice, and a table form offers as many rows as fill
the page. The measures are the knobs of ``layout.yaml`` (``fit``)."""

from __future__ import annotations

import math
import unicodedata

from .layout import Cell, FormLayout, Grid
from .style import Style

PT_MM = 25.4 / 72


def text_em(text: str) -> float:
    """Width of ``text`` in em: Chinese and full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _fits(text: str, width_mm: float, size_pt: float, style: Style, *, spaced: bool = True) -> bool:
    spacing = style.num("fit.letter_spacing_em") if spaced else 0.0
    room = width_mm - style.num("fit.cell_padding_mm")
    return text_em(text) * size_pt * PT_MM * (1 + spacing) <= room


def balanced(text: str) -> str:
    """``text`` broken in two lines of (nearly) equal length: 承诺付款/日期 never 承诺付款日/期."""
    cut = math.ceil(len(text) / 2)
    return text[:cut] + "\n" + text[cut:]


def fit_label(cell: Cell, width_mm: float, size_knob: str, style: Style) -> None:
    """Keep a label on one line (smaller if need be), else break it evenly."""
    if len(cell.parts) != 1 or not isinstance(cell.parts[0], str) or "\n" in cell.parts[0]:
        return
    text = cell.parts[0]
    if _fits(text, width_mm, style.num(f"sizes.{size_knob}"), style):
        return
    small = style.num("sizes.small_label")
    cell.size = "small_label"
    if not _fits(text, width_mm, small, style, spaced=False):  # small labels are set without letter-spacing
        cell.parts = [balanced(text)]


def column_mm(grid: Grid, style: Style) -> list[float]:
    """The grid's column widths in millimetres."""
    total = sum(grid.widths)
    return [style.content_width_mm * w / total for w in grid.widths]


def fit_labels(layout: FormLayout, style: Style) -> None:
    """Fit every label and table head of the layout to its column."""
    grids = [*layout.grids, *([layout.stub_grid] if layout.stub_grid else [])]
    for grid in grids:
        widths = column_mm(grid, style)
        for r, row in enumerate(grid.rows):
            col = 0
            for cell in row:
                width = sum(widths[col:col + cell.span])
                col += cell.span
                if cell.style == "label":
                    fit_label(cell, width, "label", style)
                elif cell.style == "head" and r < grid.header_rows:
                    fit_label(cell, width, "table", style)


def min_column_em(head: str, kind: str, choices: tuple[str, ...] | list[str]) -> float:
    """The narrowest a table column may be, in em of the table's text: its head on at most two
    lines (short heads on one), a date's ten digits, its longest choice plus a drop-down arrow."""
    need = text_em(head) if len(head) <= 4 else math.ceil(len(head) / 2)
    if kind == "date":
        need = max(need, text_em("2026-03-05"))
    if kind == "choice" and choices:
        need = max(need, max(text_em(c) for c in choices) + 1.2)
    return need


def widen(widths: list[float], mins: list[float], total: float) -> list[float]:
    """Relative widths scaled to ``total``, each at least its minimum; what the narrow columns
    gain is taken from the others in proportion to their slack."""
    mm = [total * w / sum(widths) for w in widths]
    for _ in range(len(mm)):
        short = [i for i, (m, n) in enumerate(zip(mm, mins, strict=True)) if m < n - 1e-6]
        if not short:
            break
        need = sum(mins[i] - mm[i] for i in short)
        for i in short:
            mm[i] = mins[i]
        slack = {i: mm[i] - mins[i] for i in range(len(mm)) if i not in short and mm[i] > mins[i]}
        room = sum(slack.values())
        if room <= 0:
            break
        for i, s in slack.items():
            mm[i] -= min(need, room) * s / room
    return mm


def grid_height_mm(grid: Grid, style: Style) -> float:
    """About how tall a grid prints (its rows at the knobs' heights, notes under labels)."""
    height = 0.0
    for r, row in enumerate(grid.rows):
        lines = max(c.lines for c in row)
        if grid.kind == "table":
            base = style.num("table_multiline_row_height" if lines > 1 else "table_row_height")
            if r < grid.header_rows:
                base = style.num("fit.table_head_height")
        else:
            base = style.num("row_height") * (1 + 0.75 * (lines - 1))
            if any(c.note for c in row):
                base += style.num("fit.note_height")
        height += base + style.num("fit.cell_vpad_mm")
    return height


def rows_to_fill(layout: FormLayout, table: Grid, style: Style) -> int:
    """How many body rows the table may have for the form to fill one page."""
    page = style.num("page.height") - style.num("page.margin_top") - style.num("page.margin_bottom")
    used = style.num("fit.header_height") + style.num("fit.safety")
    used += sum(grid_height_mm(g, style) for g in layout.grids if g is not table)
    used += grid_height_mm(Grid(table.kind, table.widths, table.rows[:table.header_rows], table.header_rows), style)
    sample = table.rows[table.header_rows:table.header_rows + 1]
    row = grid_height_mm(Grid(table.kind, table.widths, sample, 0), style) if sample else 1.0
    return max(0, int((page - used) // row))
