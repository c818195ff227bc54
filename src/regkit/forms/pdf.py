"""PDF forms: the printed page from ``templates/forms/form.html`` + ``form.css`` by WeasyPrint
(fonts subset, no form fields, so the page stays small), then AcroForm fields laid over the boxes
WeasyPrint placed for them (``acroform``).

WeasyPrint's own ``pdf_forms`` embeds the whole CJK font for the fields (10-21 MB); our fields use
a subset of it (``fieldfont``), so a one-page form stays under 300 KB.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from ..errors import RegkitError, RenderError, TemplateError
from ..templating import environment as confined_environment
from .layout import Cell, Control, FormLayout, Grid
from .output import atomic_write
from .style import Style

HTML_TEMPLATE = "form.html"
CSS_FILE = "form.css"
PX_TO_PT = 0.75  # CSS px are 1/96 in; PDF points 1/72 in


@dataclass(frozen=True)
class Widget:
    """Where a control landed: page index and rectangle in PDF points (x0, y0, x1, y1)."""

    control: Control
    page: int
    rect: tuple[float, float, float, float]


def _env(folder: Path) -> jinja2.Environment:
    return _env_cached(str(folder))


@lru_cache(maxsize=4)
def _env_cached(folder: str) -> jinja2.Environment:
    return confined_environment(folder, trim_blocks=False, lstrip_blocks=False)


def _parts(parts: list[str | Control], index: dict[int, int], lines: int = 1) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, Control):
            out.append({"ctl": index[id(p)], "kind": p.kind, "lines": lines, "text": ""})
        else:
            out.append({"ctl": None, "kind": "text", "lines": 1, "text": p})
    return out


def _cell(c: Cell, index: dict[int, int]) -> dict[str, Any]:
    return {"parts": _parts(c.parts, index, c.lines), "span": c.span, "style": c.style, "note": c.note,
            "lines": c.lines, "check": c.is_check() or any(x.kind == "check" for x in c.controls()),
            "small": c.size is not None}


def _grid(g: Grid, index: dict[int, int]) -> dict[str, Any]:
    total = sum(g.widths)
    return {
        "kind": g.kind, "widths": [100 * w / total for w in g.widths], "header_rows": g.header_rows,
        "rows": [{"cells": [_cell(c, index) for c in row], "lines": max(c.lines for c in row)} for row in g.rows],
    }


def page_html(layout: FormLayout, style: Style, controls: list[Control]) -> str:
    """The HTML of the printed page; ``data-ctl`` indexes ``controls``."""
    index = {id(c): i for i, c in enumerate(controls)}
    context = {
        "company": layout.company, "title": layout.title, "form_id": layout.form.id,
        "version": layout.form.version,
        "header": [_parts([*layout.header[i].parts, *layout.header[i + 1].parts], index)
                   for i in range(0, len(layout.header), 2)],
        "grids": [_grid(g, index) for g in layout.grids],
        "stub": None if layout.stub_title is None else {
            "cut": _parts(layout.stub_cut, index), "header": _parts(layout.stub_header, index),
            "grid": _grid(layout.stub_grid, index) if layout.stub_grid else None,
        },
    }
    env = _env(style.folder)
    try:
        return env.get_template(HTML_TEMPLATE).render(context)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{style.folder / HTML_TEMPLATE}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None) or 1
        raise TemplateError(f"{style.folder / HTML_TEMPLATE}:{line}: {exc}") from None


@lru_cache(maxsize=1)
def _weasy() -> tuple[Any, Any, Any]:
    # Imported lazily: WeasyPrint loads Pango at import time (~0.6 s).
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):  # type: ignore[misc]
        """Refuses every URL: the page needs no file or network resource (fonts come from fontconfig)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"regkit forms load no external resources ({url[:60]})")

    return HTML, CSS, (FontConfiguration(), NoFetch())


@lru_cache(maxsize=4)
def _stylesheet(path: str, mtime: float) -> Any:
    from ..render.csslimits import check_css

    _, css_cls, (fonts, fetcher) = _weasy()
    check_css(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read the form stylesheet: {exc.strerror}") from None
    return css_cls(string=text, base_url=str(Path(path).parent), url_fetcher=fetcher, font_config=fonts)


def warm_up(style: Style) -> None:
    """Import WeasyPrint, load the stylesheet's fonts and compile the page template (before
    forking workers that render)."""
    try:
        _env(style.folder).get_template(HTML_TEMPLATE)
    except jinja2.TemplateError:
        pass  # page_html reports it, with its context
    html_cls, _, (fonts, fetcher) = _weasy()
    css_path = style.folder / CSS_FILE
    if css_path.is_file():
        sheet = _stylesheet(str(css_path), css_path.stat().st_mtime)
        sample = ('<div class="company">字</div><h1>字</h1>'
                  '<table class="grid"><tr><td>字<div class="note">字</div></td></tr></table>')
        html_cls(string=sample, url_fetcher=fetcher).render(font_config=fonts, stylesheets=[sheet])


def render_page(layout: FormLayout, style: Style, *, cache: bool = False,
                keep: bool = False) -> tuple[bytes, list[Widget]]:
    """The printed page(s) as PDF and where each control's field goes. The page does not depend
    on the values (they live in the fields), so with ``cache`` it is kept by content and reused:
    see ``page_cache``. ``keep`` only keeps it (``regkit build`` renders every page afresh, and
    leaves them for ``regkit form``)."""
    controls = list(layout.controls())
    html = page_html(layout, style, controls)
    css_path = style.folder / CSS_FILE
    try:
        css = css_path.read_text(encoding="utf-8")
    except OSError:
        raise TemplateError(f"{css_path}: form stylesheet not found") from None
    key = _cache_key(html, css) if cache or keep else ""
    cached = _cache_get(key, controls) if cache else None
    if cached is not None:
        return cached
    page, widgets = _render(layout, style, html, css_path, controls)
    if cache or keep:
        _cache_put(key, page, widgets, controls)
    return page, widgets


def _render(layout: FormLayout, style: Style, html: str, css_path: Path,
            controls: list[Control]) -> tuple[bytes, list[Widget]]:
    html_cls, _, (fonts, fetcher) = _weasy()
    sheet = _stylesheet(str(css_path), css_path.stat().st_mtime)
    try:
        document = html_cls(string=html, base_url=str(style.folder), url_fetcher=fetcher).render(
            font_config=fonts, stylesheets=[sheet])
    except Exception as exc:
        raise RenderError(f"form {layout.form.id}: PDF rendering failed: {type(exc).__name__}: {exc}") from None
    from .coverage import check_form_coverage

    check_form_coverage(document, f"form {layout.form.id} ({style.folder / HTML_TEMPLATE})")
    widgets: list[Widget] = []
    seen: set[int] = set()
    for page_no, page in enumerate(document.pages):
        height_pt = page.height * PX_TO_PT
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) != "span":
                continue
            ctl = element.get("data-ctl")
            if ctl is None or int(ctl) in seen or not hasattr(box, "border_box_x"):
                continue
            seen.add(int(ctl))
            x, y = box.border_box_x(), box.border_box_y()
            w, h = box.border_width(), box.border_height()
            rect = (x * PX_TO_PT, height_pt - (y + h) * PX_TO_PT, (x + w) * PX_TO_PT, height_pt - y * PX_TO_PT)
            widgets.append(Widget(controls[int(ctl)], page_no, _rounded(rect)))
    missing = [controls[i].tag for i in range(len(controls)) if i not in seen]
    if missing:
        raise TemplateError(f"{style.folder / HTML_TEMPLATE}: no box for field(s) {', '.join(missing[:5])} "
                            "(every data-ctl span must be laid out)")
    return document.write_pdf(), widgets


def _rounded(rect: tuple[float, ...]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (round(v, 2) for v in rect)
    return x0, y0, x1, y1


# -- page cache --------------------------------------------------------------------------------
# Rendering needs WeasyPrint (~1 s to import and load the CJK fonts); the page of a form only
# changes with its definition, the template or the stylesheet, so ``regkit form`` keeps the page
# and the field boxes under the user's cache folder, keyed by a hash of exactly those inputs. A
# hit gives the same bytes as a fresh rendering (WeasyPrint's output is reproducible).
# REGKIT_CACHE_DIR moves the cache; REGKIT_NO_CACHE=1 turns it off.
_CACHE_FORMAT = "1"


def page_cache() -> Path | None:
    """The cache folder of rendered form pages, or None when caching is off."""
    if os.environ.get("REGKIT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    base = os.environ.get("REGKIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    return (root if os.environ.get("REGKIT_CACHE_DIR") else root / "regkit") / "form-pages"


def _cache_key(html: str, css: str) -> str:
    digest = hashlib.sha256()
    for part in (*_versions(), html, css):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:40]


@lru_cache(maxsize=1)
def _versions() -> tuple[str, ...]:
    """What a cached page depends on besides the page's HTML and CSS: the cache format, regkit,
    WeasyPrint, and this module (it renders the page and finds the field boxes)."""
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    try:
        weasy = version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover
        weasy = "?"
    return _CACHE_FORMAT, __version__, weasy, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _cache_get(key: str, controls: list[Control]) -> tuple[bytes, list[Widget]] | None:
    folder = page_cache()
    if folder is None:
        return None
    try:
        page = (folder / f"{key}.pdf").read_bytes()
        boxes = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        widgets = [Widget(controls[int(i)], int(p), _rounded(tuple(float(v) for v in r))) for i, p, r in boxes]
    except (OSError, ValueError, TypeError, IndexError, KeyError, RecursionError):
        return None
    if not page.startswith(b"%PDF-") or len({id(w.control) for w in widgets}) != len(controls):
        return None
    return page, widgets


def _cache_put(key: str, page: bytes, widgets: list[Widget], controls: list[Control]) -> None:
    folder = page_cache()
    if folder is None:
        return
    index = {id(c): i for i, c in enumerate(controls)}
    boxes = [[index[id(w.control)], w.page, list(w.rect)] for w in widgets]
    try:
        atomic_write(folder / f"{key}.pdf", page)
        atomic_write(folder / f"{key}.json", json.dumps(boxes).encode("utf-8"))
    except (OSError, RegkitError):  # OutputError: a cache that cannot be written only costs time
        pass


def write_pdf(layout: FormLayout, style: Style, *, cache: bool = False, keep: bool = False) -> bytes:
    """The form as a PDF with AcroForm fields (filled in and drawn if the layout is); ``cache``
    reuses (and keeps) the rendered page in the page cache, ``keep`` only keeps it."""
    from .acroform import add_fields

    page, widgets = render_page(layout, style, cache=cache, keep=keep)
    return add_fields(page, widgets, layout, style)
