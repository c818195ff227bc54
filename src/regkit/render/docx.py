"""The Word edition: ``templates/document/regulation.docx`` filled by docxtpl with the document
model (autoescaped, StrictUndefined), with fixed core properties and a reproducible ZIP."""

from __future__ import annotations

import io
from pathlib import Path

import jinja2

from .. import __version__
from ..errors import TemplateError
from .context import Document
from .reproducible import normalise_zip

DOCX_TEMPLATE = "regulation.docx"


def render_docx(doc: Document, templates: Path, name: str = DOCX_TEMPLATE) -> bytes:
    """The DOCX bytes of a document model; TemplateError naming the template and the problem."""
    from docxtpl import DocxTemplate

    where = templates / "document" / name
    if not where.is_file():
        raise TemplateError(f"{where}: Word template not found (scripts/make_docx_template.py makes it)")
    try:
        tpl = DocxTemplate(str(where))
        # docxtpl escapes nothing by itself: a "<" or "&" in the data would break document.xml
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        tpl.render({"doc": doc}, jinja_env=env, autoescape=True)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{where}: line {exc.lineno} of document.xml: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{where}: undefined variable: {exc.message}") from None
    props = tpl.docx.core_properties
    stamp = doc.timestamp.replace(tzinfo=None)  # python-docx writes naive datetimes as UTC
    props.title = doc.title
    props.author = doc.company
    props.subject = doc.doc_number
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.identifier = doc.id
    props.language = doc.lang
    props.version = doc.version
    props.last_modified_by = f"regkit {__version__}"
    props.created = stamp
    props.modified = stamp
    props.revision = 1
    buf = io.BytesIO()
    tpl.save(buf)
    return normalise_zip(buf.getvalue(), doc.timestamp)
