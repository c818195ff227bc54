"""The Word edition: template, styles and East Asian fonts, grid, page fields, escaping, bytes."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from regkit.errors import TemplateError
from regkit.loader import load_project
from regkit.render.context import Document, build_document
from regkit.render.docx import render_docx
from regkit.render.settings import load_settings

HERE = Path(__file__).parent
ROOT = HERE.parent
DATA = HERE / "data" / "render"
TEMPLATES = ROOT / "templates"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARSER = etree.XMLParser(resolve_entities=False)


def _doc(lang: str = "zh-Hans") -> Document:
    project = load_project([DATA])
    return build_document(project, project.regulations[0], lang, load_settings(TEMPLATES))


@pytest.fixture(scope="module")
def docx() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(render_docx(_doc(), TEMPLATES)))


def _xml(z: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(z.read(name), PARSER)


def _text(z: zipfile.ZipFile) -> str:
    return "".join(t.text or "" for t in _xml(z, "word/document.xml").iter(f"{W}t"))


def test_named_styles_with_east_asian_fonts_and_no_theme_fonts(docx: zipfile.ZipFile) -> None:
    styles = _xml(docx, "word/styles.xml")
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    expected = {"RegTitle": ("制度标题", "宋体"), "RegBody": ("制度正文", "仿宋"),
                "RegChapter": ("章节标题", "黑体"), "RegHeading1": ("一级标题", "黑体"),
                "RegHeading2": ("二级标题", "楷体"), "RegLeadHei": ("序号黑体", "黑体"),
                "RegLeadKai": ("序号楷体", "楷体"), "RegPageNumber": ("页码", "宋体")}
    for sid, (name, face) in expected.items():
        style = by_id[sid]
        assert style.find(f"{W}name").get(f"{W}val") == name
        assert style.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == face
    for fonts in styles.iter(f"{W}rFonts"):
        assert not [a for a in fonts.attrib if "heme" in a], etree.tostring(fonts)
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert default.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋"
    assert default.find(f"{W}sz").get(f"{W}val") == "32"  # 3号
    assert by_id["RegTitle"].find(f"{W}rPr/{W}sz").get(f"{W}val") == "44"  # 2号
    assert by_id["RegPageNumber"].find(f"{W}rPr/{W}sz").get(f"{W}val") == "28"  # 4号
    assert by_id["RegBody"].find(f"{W}pPr/{W}ind").get(f"{W}firstLineChars") == "200"
    assert by_id["RegBody"].find(f"{W}pPr/{W}spacing").get(f"{W}line") == "579"


def test_paragraphs_use_the_styles(docx: zipfile.ZipFile) -> None:
    body = _xml(docx, "word/document.xml").find(f"{W}body")
    styled = [(p.find(f"{W}pPr/{W}pStyle").get(f"{W}val"), "".join(t.text or "" for t in p.iter(f"{W}t")))
              for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle") is not None]
    assert ("RegTitle", "测试管理制度") in styled
    assert ("RegChapter", "第一章　总则") in styled
    assert ("RegHeading1", "一、基本要求") in styled
    assert ("RegHeading2", "（一）工作纪律") in styled
    lead = next(r for r in body.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t")) == "第二条　")
    assert lead.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "RegLeadHei"
    assert not re.search(r"\{[{%]", _text(docx))  # every template tag rendered


def test_page_setup_grid_and_odd_even_footers(docx: zipfile.ZipFile) -> None:
    sect = _xml(docx, "word/document.xml").find(f"{W}body/{W}sectPr")
    size, margins, grid = sect.find(f"{W}pgSz"), sect.find(f"{W}pgMar"), sect.find(f"{W}docGrid")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # A4
    # twips: top 37 mm, bottom 35 mm, inside 28 mm, outside 26 mm (mirrored)
    assert [margins.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")] == ["2098", "1984", "1587", "1474"]
    assert grid.get(f"{W}linePitch") == "579"
    settings = _xml(docx, "word/settings.xml")
    assert settings.find(f"{W}evenAndOddHeaders") is not None
    assert settings.find(f"{W}mirrorMargins") is not None
    refs = {r.get(f"{W}type") for r in sect.iter(f"{W}footerReference")}
    assert refs == {"default", "even"}


@pytest.mark.parametrize("part", ["word/footer1.xml", "word/footer2.xml"])
def test_page_number_field_is_complete(docx: zipfile.ZipFile, part: str) -> None:
    footer = _xml(docx, part)
    runs = [r for r in footer.iter(f"{W}r")]
    sequence = []
    for r in runs:
        for child in r:
            if child.tag == f"{W}fldChar":
                sequence.append(child.get(f"{W}fldCharType"))
            elif child.tag == f"{W}instrText":
                sequence.append(child.text.strip())
            elif child.tag == f"{W}t":
                sequence.append(child.text)
    assert sequence == ["— ", "begin", "PAGE", "separate", "1", "end", " —"]
    jc = footer.find(f"{W}p/{W}pPr/{W}jc").get(f"{W}val")
    assert jc in ("right", "left")


def test_data_with_markup_characters_is_escaped(docx: zipfile.ZipFile) -> None:
    # docxtpl escapes nothing unless told; "<" or "&" would otherwise break document.xml
    assert "A<B & C>D 的情形另行处理。" in _text(docx)
    assert b"A&lt;B &amp; C&gt;D" in docx.read("word/document.xml")


def test_same_bytes_with_fixed_zip_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a, b = render_docx(_doc(), TEMPLATES), render_docx(_doc(), TEMPLATES)
    assert a == b
    z = zipfile.ZipFile(io.BytesIO(a))
    assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}
    assert z.namelist()[0] == "[Content_Types].xml"
    core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z</dcterms:created>" in core
    assert "<dc:creator>某某测试有限公司</dc:creator>" in core and "<dc:title>测试管理制度</dc:title>" in core


def test_undefined_template_variable_names_it(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "document", templates / "document")
    path = templates / "document" / "regulation.docx"
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "word/document.xml":
                data = data.replace(b"{{ doc.title }}", b"{{ doc.titel }}")
            dst.writestr(name, data)
    path.write_bytes(out.getvalue())
    with pytest.raises(TemplateError, match=r"regulation.docx: undefined variable: .*titel"):
        render_docx(_doc(), templates)


def test_committed_template_is_what_the_script_makes() -> None:
    spec = importlib.util.spec_from_file_location("make_docx_template", ROOT / "scripts" / "make_docx_template.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.make() == (TEMPLATES / "document" / "regulation.docx").read_bytes(), \
        "run .venv/bin/python scripts/make_docx_template.py"
