"""Where the web pages' templates and static files are: the project's ``templates/web/``, else
regkit's own (so an admin restyles the pages without touching Python)."""

from __future__ import annotations

from pathlib import Path

from ..errors import TemplateError
from ..project import PACKAGE_TEMPLATES


def web_templates(explicit: Path | None = None) -> Path:
    """The folder holding the page templates (``base.html`` ...) and ``static/``."""
    for candidate in (explicit, Path("templates"), PACKAGE_TEMPLATES):
        if candidate is not None and (candidate / "web" / "base.html").is_file():
            return (candidate / "web").resolve()
    raise TemplateError(f"{(explicit or Path('templates')) / 'web' / 'base.html'}: web page templates not found")
