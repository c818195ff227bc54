"""Word forms: content controls, protection, fixed column widths, East Asian fonts, properties,
reproducible bytes. Read back from the DOCX XML."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from lxml import etree

from forms_support import ARREARS, DATA, NS, W14, W
from regkit.forms.api import render_form
from regkit.loader import load_project

PROJECT = load_project([DATA])


def _parts(data: bytes) -> dict[str, etree._Element]:
    zf = zipfile.ZipFile(BytesIO(data))
    return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xml")}


@pytest.fixture(scope="module")
def blank() -> dict[str, etree._Element]:
    return _parts(render_form(PROJECT, "arrears-approval", "docx"))


def _sdt(doc: etree._Element, tag: str) -> etree._Element:
    found = doc.xpath(f"//w:sdt[w:sdtPr/w:tag/@w:val='{tag}']", namespaces=NS)
    assert found, tag
    return found[0]


def test_content_controls_are_tagged_with_field_keys(blank: dict[str, etree._Element]) -> None:
    doc = blank["word/document.xml"]
    tags = doc.xpath("//w:sdtPr/w:tag/@w:val", namespaces=NS)
    for key in ("id", "date", "customer", "settlement", "amount", "reason", "handler", "approved_by",
                "approved_on", "departments", "stub_signed_by", "stub.id", "stub.customer"):
        assert key in tags
    assert tags.count("stub.id") == 2  # on the 骑缝 line and the 存根 heading


def test_control_kinds(blank: dict[str, etree._Element]) -> None:
    doc = blank["word/document.xml"]
    date = _sdt(doc, "promised_date").find("w:sdtPr/w:date", NS)
    assert date.find("w:dateFormat", NS).get(f"{{{W}}}val") == "yyyy-MM-dd"
    items = _sdt(doc, "settlement").xpath("w:sdtPr/w:dropDownList/w:listItem/@w:value", namespaces=NS)
    assert items == ["现金", "月结", "其他"]
    # Rich-text controls, not w:text: LibreOffice 7.4 saves plain-text controls as garbled copies.
    assert _sdt(doc, "reason").find("w:sdtPr/w:text", NS) is None
    assert _sdt(doc, "customer").find("w:sdtPr/w:showingPlcHdr", NS) is not None


def test_check_boxes() -> None:
    record = {"form": "patrol-check", "id": "1", "items": ["安全隐患"], "resolved": True}
    doc = _parts(render_form(PROJECT, "patrol-check", "docx", record))["word/document.xml"]
    box = _sdt(doc, "items[2]").find("w:sdtPr/w14:checkbox", NS)
    assert box.find("w14:checked", NS).get(f"{{{W14}}}val") == "1"
    assert _sdt(doc, "items[0]").find("w:sdtPr/w14:checkbox/w14:checked", NS).get(f"{{{W14}}}val") == "0"
    assert "".join(_sdt(doc, "resolved").itertext()) == "☒"


def test_only_the_controls_can_be_edited(blank: dict[str, etree._Element]) -> None:
    prot = blank["word/settings.xml"].find("w:documentProtection", NS)
    assert prot.get(f"{{{W}}}edit") == "forms" and prot.get(f"{{{W}}}enforcement") == "1"


def test_fixed_column_widths(blank: dict[str, etree._Element]) -> None:
    doc = blank["word/document.xml"]
    tables = doc.findall(".//w:tbl", NS)
    assert len(tables) >= 3
    for tbl in tables:
        assert tbl.find("w:tblPr/w:tblLayout", NS).get(f"{{{W}}}type") == "fixed"
        grid = [int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)]
        width = int(tbl.find("w:tblPr/w:tblW", NS).get(f"{{{W}}}w"))
        assert sum(grid) == width
        for tr in tbl.findall("w:tr", NS):
            cells = tr.findall("w:tc", NS)
            assert all(tc.find("w:tcPr/w:tcW", NS) is not None for tc in cells)
            assert sum(int(tc.find("w:tcPr/w:tcW", NS).get(f"{{{W}}}w")) for tc in cells) == width


def test_east_asian_fonts_on_styles_and_runs(blank: dict[str, etree._Element]) -> None:
    default = blank["word/styles.xml"].find(".//w:rPrDefault/w:rPr/w:rFonts", NS)
    assert default.get(f"{{{W}}}eastAsia") == "宋体"
    assert not [a for a in default.attrib if "Theme" in a]
    fonts = set(blank["word/document.xml"].xpath("//w:r/w:rPr/w:rFonts/@w:eastAsia", namespaces=NS))
    assert {"黑体", "宋体", "仿宋"} <= fonts


def test_form_id_and_version_in_custom_properties(blank: dict[str, etree._Element]) -> None:
    props = {p.get("name"): "".join(p.itertext()) for p in blank["docProps/custom.xml"]}
    assert props["RegkitForm"] == "arrears-approval" and props["RegkitFormVersion"] == "1"


def test_company_title_and_cut_line_text(blank: dict[str, etree._Element]) -> None:
    text = "".join(blank["word/document.xml"].itertext())
    assert "某某物流有限公司" in text and "同意欠费通知单" in text and "骑缝线" in text and "存根（市场部留存）" in text


def test_filled_values_escaped_and_shown() -> None:
    doc = _parts(render_form(PROJECT, "arrears-approval", "docx", ARREARS))["word/document.xml"]
    assert "".join(_sdt(doc, "customer").itertext()) == ARREARS["customer"]
    assert _sdt(doc, "customer").find("w:sdtPr/w:showingPlcHdr", NS) is None
    assert _sdt(doc, "reason").findall(".//w:br", NS)
    assert _sdt(doc, "date").find("w:sdtPr/w:date", NS).get(f"{{{W}}}fullDate") == "2026-03-05T00:00:00Z"


def test_reproducible_zip() -> None:
    a = render_form(PROJECT, "lost-customer-analysis", "docx")
    assert a == render_form(PROJECT, "lost-customer-analysis", "docx")
    infos = zipfile.ZipFile(BytesIO(a)).infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert len({i.date_time for i in infos}) == 1


def test_properties_in_schema_order(blank: dict[str, etree._Element]) -> None:
    # Word refuses files whose pPr/rPr children repeat or come out of the schema's order.
    ppr_order = ["pStyle", "keepNext", "tabs", "spacing", "jc", "rPr"]
    rpr_order = ["rFonts", "b", "vanish", "color", "sz", "szCs", "u"]
    doc = blank["word/document.xml"]
    for props, order in ((doc.iter(f"{{{W}}}pPr"), ppr_order), (doc.iter(f"{{{W}}}rPr"), rpr_order)):
        for el in props:
            names = [etree.QName(c).localname for c in el]
            assert len(names) == len(set(names)), names
            assert names == sorted(names, key=order.index), names
