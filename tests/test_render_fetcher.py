"""WeasyPrint reads only the template folder and the configured fonts."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from regkit.errors import TemplateError
from regkit.loader import load_project
from regkit.render.context import build_document
from regkit.render.fetcher import RefusedURL, SafeFetcher
from regkit.render.fonts import Face
from regkit.render.pdf import render_pdf
from regkit.render.settings import load_settings

HERE = Path(__file__).parent
DATA = HERE / "data" / "render"
TEMPLATES = HERE.parent / "templates"
GKAI = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")


@pytest.fixture
def fetcher() -> SafeFetcher:
    return SafeFetcher(TEMPLATES / "document", {Face(GKAI)})


def test_serves_the_template_folder_and_configured_fonts(fetcher: SafeFetcher) -> None:
    css = fetcher.fetch((TEMPLATES / "document" / "regulation.css").resolve().as_uri())
    assert b"@page" in css.read()
    assert css.headers["Content-Type"].startswith("text/css")
    assert fetcher.fetch(GKAI.as_uri()).read()[:4] == b"\x00\x01\x00\x00"


@pytest.mark.parametrize("url", [
    "http://example.com/x.css",
    "https://example.com/font.ttf",
    "ftp://example.com/x",
    "data:text/css,body{}",
    "file:///dev/urandom",
    "file:///etc/passwd",
    "file:///usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # a font, but not a configured one
    "file://otherhost/etc/passwd",
])
def test_refuses_everything_else(fetcher: SafeFetcher, url: str) -> None:
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_refuses_escapes_from_the_template_folder(tmp_path: Path) -> None:
    folder = tmp_path / "document"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    (folder / "link.css").symlink_to(tmp_path / "secret.txt")
    fetcher = SafeFetcher(folder, set())
    for url in (f"{folder.as_uri()}/../secret.txt", (folder / "link.css").as_uri(), f"{folder.as_uri()}/nothing.css"):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


@pytest.mark.parametrize("src", ["file:///dev/urandom", "http://127.0.0.1:9/x.png", "/etc/passwd"])
def test_a_template_reaching_outside_fails_fast(tmp_path: Path, src: str) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "document", templates / "document")
    page = templates / "document" / "regulation.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("<main>", f'<main><img src="{src}">'), encoding="utf-8")
    project = load_project([DATA])
    doc = build_document(project, project.regulations[0], "zh-Hans", load_settings(templates))
    start = time.perf_counter()
    with pytest.raises(TemplateError, match="refused to fetch"):
        render_pdf(doc, templates)
    assert time.perf_counter() - start < 10
