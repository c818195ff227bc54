"""Sizes in the layout stylesheets an admin edits (``regulation.css``, ``form.css``) checked before
WeasyPrint and Pango see them: a font size of ``1e9px`` or ``-3pt`` is a clear error with its line,
not a Pango assertion and a division by zero deep in the layout."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tinycss2

from ..errors import TemplateError

# CSS lengths in points; relative units are checked as factors of the inherited size.
_TO_PT = {"pt": 1.0, "px": 0.75, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0, "q": 18 / 25.4}
_RELATIVE = {"em", "rem", "ex", "ch", "%"}
MIN_FONT_PT, MAX_FONT_PT = 1.0, 300.0
MAX_FONT_FACTOR = 20.0  # em, rem, ...; percentages are a hundred times this
MAX_LENGTH_PT = 5000.0  # any other length (line heights, margins, spacing): under two metres
CHECKED = ("font-size", "line-height", "letter-spacing", "word-spacing", "text-indent", "margin", "padding",
           "width", "height", "border-width")


def check_css(path: Path) -> None:
    """TemplateError naming the line and the value of the first size out of range in ``path``."""
    if not path.is_file():  # a FIFO or a device would block or never end
        raise TemplateError(f"{path}: not a regular file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the stylesheet: {exc}") from None
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    for name, value, line, col in _declarations(rules):
        problem = _problem(name, value)
        if problem:
            raise TemplateError(f"{path}:{line}:{col}: {name}: {problem}")


def _declarations(nodes: Iterable[Any]) -> Iterable[tuple[str, list[Any], int, int]]:
    for node in nodes:
        if node.type == "declaration":
            yield node.lower_name, node.value, node.source_line, node.source_column
        elif node.type in ("qualified-rule", "at-rule") and node.content is not None:
            inner = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
            yield from _declarations(inner)


def _problem(name: str, value: list[Any]) -> str | None:
    if not any(name == c or name.startswith(c + "-") for c in CHECKED):
        return None
    for token in _tokens(value):
        if token.type not in ("dimension", "percentage", "number"):
            continue
        number = float(token.value)
        unit = "%" if token.type == "percentage" else (token.lower_unit if token.type == "dimension" else "")
        shown = f"{token.representation}{unit if token.type != 'number' else ''}"
        if not math.isfinite(number):
            return f"{shown} is not a size"
        if name == "font-size":
            if token.type == "number":  # only 0 is valid unitless, and it leaves nothing to print
                return f"{shown} is out of range ({MIN_FONT_PT:g}pt to {MAX_FONT_PT:g}pt)"
            if unit in _TO_PT:
                pt = number * _TO_PT[unit]
                if not MIN_FONT_PT <= pt <= MAX_FONT_PT:
                    return f"{shown} is out of range ({MIN_FONT_PT:g}pt to {MAX_FONT_PT:g}pt)"
            elif unit in _RELATIVE:
                factor = number / 100 if unit == "%" else number
                if not 0 < factor <= MAX_FONT_FACTOR:
                    return f"{shown} is out of range (above 0, at most {MAX_FONT_FACTOR:g} times the parent's size)"
        elif unit in _TO_PT and abs(number * _TO_PT[unit]) > MAX_LENGTH_PT:
            return f"{shown} is out of range (at most {MAX_LENGTH_PT:g}pt)"
        elif unit in _RELATIVE and abs(number / 100 if unit == "%" else number) > 1000:
            return f"{shown} is out of range"
        elif token.type == "number" and abs(number) > 1000:
            return f"{shown} is out of range"
    return None


def _tokens(value: list[Any]) -> Iterable[Any]:
    for token in value:
        yield token
        if token.type in ("function", "() block", "[] block", "{} block"):
            yield from _tokens(token.arguments if token.type == "function" else token.content)
