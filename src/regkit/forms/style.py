"""The layout knobs of the forms (``templates/forms/layout.yaml``) and where the form templates are."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import TemplateError
from ..project import PACKAGE_TEMPLATES

LAYOUT_FILE = "layout.yaml"


def templates_dir(explicit: Path | None = None) -> Path:
    """The folder holding ``forms/``: the one given, else ``./templates``, else regkit's own (package data)."""
    for candidate in (explicit, Path("templates"), PACKAGE_TEMPLATES):
        if candidate is not None and (candidate / "forms" / LAYOUT_FILE).is_file():
            return candidate.resolve()
    where = explicit or Path("templates")
    raise TemplateError(f"{where / 'forms' / LAYOUT_FILE}: form layout template not found")


@dataclass(frozen=True)
class Style:
    """The parsed knobs; ``get('fonts.title')`` reads a dotted key and names it if missing."""

    data: dict[str, Any]
    source: str
    folder: Path

    def get(self, dotted: str) -> Any:
        """The knob at ``dotted`` (``sizes.title``); TemplateError naming it if absent."""
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise TemplateError(f"{self.source}: missing layout knob {dotted!r}")
            node = node[part]
        return node

    def num(self, dotted: str) -> float:
        """A numeric knob."""
        value = self.get(dotted)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TemplateError(f"{self.source}: layout knob {dotted!r} must be a number, got {value!r}")
        return float(value)

    def text(self, dotted: str) -> str:
        """A text knob."""
        value = self.get(dotted)
        if not isinstance(value, str):
            raise TemplateError(f"{self.source}: layout knob {dotted!r} must be text, got {value!r}")
        return value

    @property
    def content_width_mm(self) -> float:
        """Page width inside the margins."""
        return self.num("page.width") - self.num("page.margin_left") - self.num("page.margin_right")


def load_style(templates: Path | None = None) -> Style:
    """The form layout knobs from ``<templates>/forms/layout.yaml``."""
    folder = templates_dir(templates) / "forms"
    return _load(folder / LAYOUT_FILE)


@lru_cache(maxsize=8)
def _load(path: Path) -> Style:
    from ..errors import InputError
    from ..yamlsafe import load_yaml

    try:
        loc = load_yaml(path)
    except InputError as exc:
        raise TemplateError("\n".join(exc.lines())) from None
    data = loc.data
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: the layout knobs are a mapping")
    for dotted, value in _numbers(data, ()):
        problem = range_problem(".".join(str(p) for p in dotted), value)
        if problem:
            line, col = loc.where(dotted)
            raise TemplateError(f"{path}:{line}:{col}: {problem}")
    return Style(data, str(path), path.parent)


# The sane range of each numeric knob (the first pattern that matches the dotted key): beyond it
# a form is unprintable, or Word and LibreOffice refuse the file (a 2-GB font size).
RANGES: list[tuple[str, float, float, str]] = [
    ("sizes.*", 4, 72, "points"), ("xlsx.size", 4, 72, "points"),
    ("page.width", 50, 1000, "mm"), ("page.height", 50, 1000, "mm"), ("page.margin_*", 0, 100, "mm"),
    ("row_height", 3, 100, "mm"), ("table_row_height", 3, 100, "mm"), ("multiline_lines", 1, 50, "lines"),
    ("wide_label_chars", 1, 200, "characters"), ("grid.*", 0.1, 1000, ""), ("column_widths.*", 0.1, 1000, ""),
    ("number_column", 0.1, 1000, ""), ("xlsx.blank_rows", 0, 10000, "rows"),
    ("xlsx.validated_rows", 0, 1048576, "rows"), ("xlsx.char_width", 0.1, 20, ""),
    ("xlsx.min_width", 1, 255, "characters"), ("xlsx.max_width", 1, 255, "characters"),
    ("*", -100000, 100000, ""),
]


def range_problem(dotted: str, value: float) -> str | None:
    """Why a numeric layout knob is out of range, or None."""
    from fnmatch import fnmatchcase

    for pattern, lo, hi, unit in RANGES:
        if fnmatchcase(dotted, pattern):
            if not (math.isfinite(value) and lo <= value <= hi):
                unit = f" {unit}" if unit else ""
                return f"layout knob {dotted!r} is {value!r}, out of range ({lo:g} to {hi:g}{unit})"
            return None
    return None


def _numbers(node: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], float]]:
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in _numbers(v, (*path, k))]
    if isinstance(node, list):
        return [x for i, v in enumerate(node) for x in _numbers(v, (*path, i))]
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return [(path, float(node))]
    return []
