"""The PDF edition: layout, fonts embedded, bookmarks, metadata, PDF/A, same bytes twice."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from io import BytesIO
from pathlib import Path

import pypdf
import pytest

from regkit.errors import RenderError
from regkit.loader import load_project
from regkit.render.context import Document, build_document
from regkit.render.pdf import render_pdf
from regkit.render.settings import load_settings

HERE = Path(__file__).parent
DATA = HERE / "data" / "render"
TEMPLATES = HERE.parent / "templates"
MM = 72 / 25.4


def _doc(lang: str = "zh-Hans") -> Document:
    project = load_project([DATA])
    return build_document(project, project.regulations[0], lang, load_settings(TEMPLATES))


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "handbook.pdf"
    path.write_bytes(render_pdf(_doc(), TEMPLATES))
    return path


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def test_every_font_is_embedded_subset_truetype(pdf: Path) -> None:
    rows = [line.split() for line in _run("pdffonts", str(pdf)).splitlines()[2:]]
    assert len(rows) >= 3
    for row in rows:
        name, emb, sub, uni = row[0], row[-5], row[-4], row[-3]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert re.match(r"[A-Z]{6}\+regkit-", name)
        assert "CID TrueType" in " ".join(row)  # no CFF (Type 0C) CJK subsets


def test_page_furniture_and_metadata(pdf: Path) -> None:
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    meta = reader.metadata
    assert meta is not None
    assert (meta.title, meta.author, meta.subject) == ("测试管理制度", "某某测试有限公司", "某某测试〔2026〕9号")
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline == ["第一章　总则", "第二章　管理规范", "附则", "附录　术语", "修订记录"]
    assert [i.title for i in reader.outline[2]] == ["一、基本要求"]  # nested under 第二章


def test_page_numbers_odd_right_even_left(pdf: Path) -> None:
    # "— 1 —" on the outer side: right on odd pages, left on even ones (GB/T 9704 7.5)
    for page, side in ((1, "right"), (2, "left")):
        words = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
        boxes = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', words)
        number = [b for b in boxes if b[3] == str(page)]
        assert number, f"no page number on page {page}"
        x0, y0, x1, _ = number[-1]
        assert float(y0) > 297 * MM - 35 * MM  # below the type area
        if side == "right":
            assert 150 * MM < float(x1) < (210 - 26) * MM
        else:
            assert 26 * MM < float(x0) < 60 * MM


def test_type_area_grid(pdf: Path) -> None:
    # odd page: binding (28 mm) on the left, paragraphs indented two 15.79 pt characters;
    # a full line holds 28 characters
    words = _run("pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-")
    lines = re.findall(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"', words)
    lefts = sorted({round(float(x)) for x, _, _ in lines})
    assert round(28 * MM + 31.58) in lefts
    assert round(28 * MM) in lefts  # continuation lines start at the margin
    text = _run("pdftotext", "-raw", "-f", "1", "-l", "1", str(pdf), "-").splitlines()
    at = next(i for i, line in enumerate(text) if line.startswith("第三条"))
    assert len(text[at]) == 26  # 第三条 + ideographic space + 22 characters after the 2-character indent
    assert len(text[at + 1]) == 28, text[at + 1]


def test_same_bytes_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a, b = render_pdf(_doc(), TEMPLATES), render_pdf(_doc(), TEMPLATES)
    assert a == b
    assert pypdf.PdfReader(BytesIO(a)).metadata["/CreationDate"] == "D:20260101000000Z"


def test_pdfa_2b(tmp_path: Path) -> None:
    data = render_pdf(_doc(), TEMPLATES, pdfa=True)
    reader = pypdf.PdfReader(BytesIO(data))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="2"' in xmp or b"<pdfaid:part>2</pdfaid:part>" in xmp
    assert b"pdfaid:conformance" in xmp and b"B" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert data == render_pdf(_doc(), TEMPLATES, pdfa=True)


def test_traditional_edition_renders(tmp_path: Path) -> None:
    path = tmp_path / "handbook.zh-Hant.pdf"
    path.write_bytes(render_pdf(_doc("zh-Hant"), TEMPLATES))
    text = _run("pdftotext", "-raw", str(path), "-")
    assert "測試管理制度" in text and "修訂記錄" in text


def _text_runs(data: bytes) -> tuple[list[str], str]:
    """The text render mode before each positioned text run on page 1 ('' if none is set), in
    content order, and the page's content."""
    stream = pypdf.PdfReader(BytesIO(data)).pages[0].get_contents()
    assert stream is not None
    content = stream.get_data().decode("latin-1")
    return re.findall(r"(?:(\d) Tr\s+)?[-\d. ]+ Tm", content), content


def test_company_and_title_are_bold_text_in_reading_order() -> None:
    """Debian has no bold 宋 face: the company name (26 pt, red) and the title (22 pt) are
    filled and stroked (text render mode 2), still text, and come first in content order."""
    data = render_pdf(_doc(), TEMPLATES)
    modes, content = _text_runs(data)
    # company (8 characters), document number (one run, not bold), title (6): before the body
    assert modes[:15] == ["2"] * 8 + [""] + ["2"] * 6 and modes.count("2") == 14
    for size in (26, 22):
        assert re.search(rf"2 Tr\s+[-\d. ]+ Tm\s+/\w+ {size} Tf", content)
    text = pypdf.PdfReader(BytesIO(data)).pages[0].extract_text()
    assert text.startswith("某某测试有限公司\n某某测试〔2026〕9号\n测试管理制度")


def test_long_title_wraps_in_balanced_lines(tmp_path: Path) -> None:
    title = "某某测试有限公司关于进一步加强和规范市场部客户档案管理工作的实施细则"
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(dataclasses.replace(_doc(), title=title), TEMPLATES))
    lines = _run("pdftotext", "-raw", "-f", "1", "-l", "1", str(path), "-").splitlines()
    at = lines.index(title[:17])
    assert lines[at:at + 2] == [title[:17], title[17:]]


def test_title_characters_are_checked_against_the_song_font() -> None:
    with pytest.raises(RenderError, match=r"role song.*lacks 1 character.*𠀀 U\+20000"):
        render_pdf(dataclasses.replace(_doc(), title="测试𠀀制度"), TEMPLATES)
