"""The PDF edition: the HTML template laid out by WeasyPrint with the configured fonts, checked
for missing glyphs, written with fixed metadata (optionally as PDF/A-2b)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import EnvironmentProblem, RenderError, TemplateError
from .context import Document
from .csslimits import check_css
from .fonts import FontSet, check_coverage, laid_out_texts
from .html import render_html
from .settings import load_settings

PDFA_VARIANT = "pdf/a-2b"


def harfbuzz_subsetting() -> bool:
    """True if WeasyPrint will subset fonts with HarfBuzz (libharfbuzz-subset >= 4.1, the condition
    in weasyprint/pdf/fonts.py); otherwise it falls back to fontTools, ~60x slower on CJK fonts."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@lru_cache(maxsize=4)
def _engine(folder: str, fonts: FontSet) -> tuple[Any, Any, Any]:
    """Per process and font set: WeasyPrint's font configuration, the parsed @font-face sheet and
    the fetcher, so fonts are loaded once and not per document."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .fetcher import SafeFetcher

    fetcher = SafeFetcher(Path(folder), fonts.faces())
    font_config = FontConfiguration()
    with _weasyprint_log(Path(folder) / "document.yaml"):
        sheet = CSS(string=fonts.css(), font_config=font_config, url_fetcher=fetcher)
    return font_config, sheet, fetcher


def render_pdf(doc: Document, templates: Path, *, pdfa: bool = False) -> bytes:
    """The PDF of a document model. RenderError if a printed character is missing from its font,
    TemplateError if the template or CSS is broken or reaches for a file it may not read."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    if not harfbuzz_subsetting():
        raise EnvironmentProblem(
            "WeasyPrint cannot load libharfbuzz-subset (>= 4.1): install libharfbuzz-subset0 "
            "(scripts/system-deps.sh); without it every PDF takes seconds")
    folder = templates / "document"
    for css in sorted(folder.glob("*.css")):
        check_css(css)
    settings = load_settings(templates)
    fonts = FontSet.from_settings(settings.language(doc.lang).fonts, templates)
    font_config, sheet, fetcher = _engine(str(folder.resolve()), fonts)
    source = render_html(doc, folder, fonts)
    what = f"{doc.id} ({doc.lang}) PDF"
    try:
        with _weasyprint_log(folder / "regulation.css"):
            html = HTML(string=source, base_url=folder.resolve().as_uri() + "/", url_fetcher=fetcher)
            laid_out = html.render(stylesheets=[sheet], font_config=font_config)
            check_coverage(laid_out_texts(laid_out), fonts, what)
            options: dict[str, Any] = {"pdf_variant": PDFA_VARIANT} if pdfa else {}
            data = laid_out.write_pdf(**options)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__ or exc
        raise TemplateError(f"{folder}: {cause}") from None
    if not isinstance(data, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise RenderError(f"{what}: WeasyPrint returned no data")
    return data


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_log(where: Path) -> Iterator[None]:
    """Turn WeasyPrint's warnings (ignored CSS, fonts that fail to load, fontTools subsetting) into
    a TemplateError instead of a silently different document."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    if handler.messages:
        raise TemplateError(f"{where}: WeasyPrint: " + "; ".join(dict.fromkeys(handler.messages)))
