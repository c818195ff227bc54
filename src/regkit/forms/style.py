"""The layout knobs of the forms (``templates/forms/layout.yaml``) and where the form templates are."""

from __future__ import annotations

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
        data = load_yaml(path).data
    except InputError as exc:
        raise TemplateError("\n".join(exc.lines())) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: the layout knobs are a mapping")
    return Style(data, str(path), path.parent)
