"""Jinja template loading confined to a template folder: a template (or an ``{% include %}``d
file) is read only if its real path, links resolved, is a regular file inside the folder, as the
WeasyPrint fetcher serves files (render/fetcher.py). A link to a file elsewhere is refused, not
followed into the printed document."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from .errors import TemplateError

MAX_TEMPLATE_BYTES = 4 << 20  # no template is this big; a device or a FIFO could be endless


class ConfinedLoader(jinja2.BaseLoader):
    """Loads templates from ``folder`` only; TemplateError for a file whose real path is outside it."""

    def __init__(self, folder: str | Path) -> None:
        self.shown = Path(folder)
        self.folder = Path(folder).resolve()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The template's text, its file name and an up-to-date check."""
        pieces = split_template_path(template)  # refuses ".." itself
        path = self.folder.joinpath(*pieces)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, or a link loop
            raise jinja2.TemplateNotFound(template) from None
        if not real.is_relative_to(self.folder):
            raise TemplateError(f"{self.shown / template}: refused: the file is a link to {real}, outside the "
                                f"template folder {self.shown}")
        if not real.is_file():
            raise TemplateError(f"{self.shown / template}: refused: not a regular file")
        try:
            with real.open("rb") as fh:
                raw = fh.read(MAX_TEMPLATE_BYTES + 1)
            mtime = os.stat(real).st_mtime
        except OSError as exc:
            raise TemplateError(f"{self.shown / template}: cannot read: {exc.strerror or exc}") from None
        if len(raw) > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"{self.shown / template}: over the limit of {MAX_TEMPLATE_BYTES >> 20} MB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(f"{self.shown / template}: invalid UTF-8 (byte {exc.start})") from None

        def uptodate() -> bool:
            try:
                return os.stat(real).st_mtime == mtime and path.resolve() == real
            except OSError:
                return False

        return text, str(path), uptodate

    def list_templates(self) -> list[str]:
        """Every file under the folder, as template names."""
        out = []
        for root, _, files in os.walk(self.folder):
            for name in files:
                out.append((Path(root) / name).relative_to(self.folder).as_posix())
        return sorted(out)


def environment(folder: str | Path, **options: Any) -> jinja2.Environment:
    """A Jinja environment over ``folder`` (confined), autoescaping, with StrictUndefined."""
    return jinja2.Environment(loader=ConfinedLoader(folder), autoescape=True, undefined=jinja2.StrictUndefined,
                              **options)
