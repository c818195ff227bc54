"""The HTML the PDF is printed from: ``templates/document/regulation.html.j2`` filled with the
document model, through a Jinja environment that escapes everything and refuses undefined names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .. import __version__
from ..errors import TemplateError
from .context import Document

HTML_TEMPLATE = "regulation.html.j2"


@lru_cache(maxsize=4)
def environment(folder: str) -> jinja2.Environment:
    """The Jinja environment of a template folder: autoescape on, StrictUndefined."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(doc: Document, folder: Path, name: str = HTML_TEMPLATE) -> str:
    """The filled-in HTML; TemplateError naming the template and the problem."""
    where = folder / name
    try:
        template = environment(str(folder.resolve())).get_template(name)
        return template.render(doc=doc, generator=f"regkit {__version__}")
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{where}: template not found") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}:{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{where}: undefined variable: {exc.message}") from None
