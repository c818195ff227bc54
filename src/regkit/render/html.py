"""The HTML the PDF is printed from: ``templates/document/regulation.html.j2`` filled with the
document model, through a Jinja environment that escapes everything and refuses undefined names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from .. import __version__
from ..errors import TemplateError
from ..templating import environment as confined_environment
from .context import Document
from .fonts import FontSet
from .settings import ROLES

HTML_TEMPLATE = "regulation.html.j2"


@lru_cache(maxsize=4)
def environment(folder: str) -> jinja2.Environment:
    """The Jinja environment of a template folder: autoescape on, StrictUndefined."""
    env = confined_environment(folder, keep_trailing_newline=True)
    env.filters["lines"] = balanced_lines
    return env


def balanced_lines(text: str, per_line: int) -> list[str]:
    """``text`` in as few lines of at most ``per_line`` characters as it needs, of nearly equal
    length (a long title is set in balanced lines, not one full line and a short one)."""
    if per_line < 1 or len(text) <= per_line:
        return [text]
    count = -(-len(text) // per_line)
    size, extra = divmod(len(text), count)
    out, pos = [], 0
    for i in range(count):
        step = size + (1 if i < extra else 0)
        out.append(text[pos:pos + step])
        pos += step
    return out


def render_html(doc: Document, folder: Path, fonts: FontSet, name: str = HTML_TEMPLATE) -> str:
    """The filled-in HTML; TemplateError naming the template and the problem. Besides ``doc``,
    the template gets ``families``: per font role, the family list to name in inline SVG, where
    the CSS ``var(--role)`` variables do not reach, and ``text_width(text, role, size, spacing)``
    (FontSet.text_width) to size it."""
    where = folder / name
    families = {role: ", ".join(fonts.stack_families(role)) for role in ROLES}
    try:
        template = environment(str(folder.resolve())).get_template(name)
        return template.render(doc=doc, families=families, text_width=fonts.text_width,
                               generator=f"regkit {__version__}")
    except jinja2.TemplateNotFound as exc:
        missing = "" if exc.name == name else f" ({exc.name}, included)"
        raise TemplateError(f"{where}: template not found{missing}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}:{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{where}: undefined variable: {exc.message}") from None
