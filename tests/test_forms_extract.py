"""Round trips: generate each spec form, fill it with a third-party library, extract it back; and
every kind of bad input refused with one line and exit 2."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from forms_support import (
    ARREARS,
    DATA,
    LOST,
    SPEC_RECORDS,
    fill_docx,
    fill_pdf,
    fill_xlsx,
    flat_values,
)
from regkit.cli import main
from regkit.errors import InputError
from regkit.forms.api import render_form
from regkit.forms.extract import extract_file
from regkit.forms.xlsx import sheet_columns
from regkit.loader import Project, load_project


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project([DATA])


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def _blank(project: Project, tmp_path: Path, form_id: str, fmt: str) -> Path:
    path = tmp_path / f"{form_id}.{fmt}"
    path.write_bytes(render_form(project, form_id, fmt))
    return path


@pytest.mark.parametrize("record", SPEC_RECORDS, ids=lambda r: r["form"])
def test_docx_filled_by_python_docx_reads_back_exactly(project: Project, tmp_path: Path,
                                                       record: dict[str, Any]) -> None:
    blank = _blank(project, tmp_path, record["form"], "docx")
    filled = tmp_path / "filled.docx"
    fill_docx(blank, filled, flat_values(record, docx=True))
    assert extract_file(filled, project) == [record]


@pytest.mark.parametrize("record", SPEC_RECORDS, ids=lambda r: r["form"])
def test_pdf_filled_by_pypdf_reads_back_exactly(project: Project, tmp_path: Path, record: dict[str, Any]) -> None:
    blank = _blank(project, tmp_path, record["form"], "pdf")
    filled = tmp_path / "filled.pdf"
    fill_pdf(blank, filled, flat_values(record, docx=False))
    assert extract_file(filled, project) == [record]


@pytest.mark.parametrize("record", SPEC_RECORDS, ids=lambda r: r["form"])
def test_xlsx_filled_by_openpyxl_reads_back_exactly(project: Project, tmp_path: Path,
                                                    record: dict[str, Any]) -> None:
    form = project.form(record["form"])[1]  # type: ignore[index]
    blank = _blank(project, tmp_path, record["form"], "xlsx")
    cols = sheet_columns(form)
    head = {c.header: record[c.field.key] for c in cols if not c.table}
    head = {k: ("；".join(v) if isinstance(v, list) else v) for k, v in head.items() if v not in (None, [])}
    rows = [dict(head, **{c.header: r[c.field.key] for c in cols if c.table and r[c.field.key] is not None})
            for r in record.get("rows", [])] or [head]
    filled = tmp_path / "filled.xlsx"
    fill_xlsx(blank, filled, record["form"], rows)
    assert extract_file(filled, project) == [record]


def test_checkboxes_and_multichoice_read_back(project: Project, tmp_path: Path) -> None:
    values: dict[str, str | bool] = {"id": "XC-1", "date": "2026年3月5日", "inspector": "李娜", "visitors": "１２",
                                     "resolved": True}
    blank = _blank(project, tmp_path, "patrol-check", "docx")
    fill_docx(blank, tmp_path / "d.docx", {**values, "items[0]": True, "items[2]": True})
    pdf = _blank(project, tmp_path, "patrol-check", "pdf")
    fill_pdf(pdf, tmp_path / "p.pdf", {**values, "items_0": True, "items_2": True})
    want = {"form": "patrol-check", "id": "XC-1", "date": "2026-03-05", "items": ["市场环境", "安全隐患"],
            "resolved": True, "visitors": 12, "department": None, "inspector": "李娜"}
    assert extract_file(tmp_path / "d.docx", project) == [want]
    assert extract_file(tmp_path / "p.pdf", project) == [want]


def test_filled_from_data_reads_back_in_every_format(project: Project, tmp_path: Path) -> None:
    for record in SPEC_RECORDS:
        for fmt in ("docx", "pdf", "xlsx"):
            path = tmp_path / f"{record['form']}.{fmt}"
            path.write_bytes(render_form(project, record["form"], fmt, record))
            assert extract_file(path, project) == [record], (record["form"], fmt)


def test_docx_stub_copy_that_disagrees_is_reported(project: Project, tmp_path: Path) -> None:
    blank = _blank(project, tmp_path, "arrears-approval", "docx")
    fill_docx(blank, tmp_path / "f.docx", {"id": "QF-1", "stub.id": "QF-2"})
    with pytest.raises(InputError, match="copies disagree"):
        extract_file(tmp_path / "f.docx", project)


def test_value_that_does_not_fit_its_field_is_reported(project: Project, tmp_path: Path) -> None:
    blank = _blank(project, tmp_path, "arrears-approval", "pdf")
    fill_pdf(blank, tmp_path / "f.pdf", {"id": "QF-1", "amount": "一千元", "promised_date": "月底"})
    with pytest.raises(InputError) as err:
        extract_file(tmp_path / "f.pdf", project)
    assert any("amount" in line for line in err.value.lines())
    assert any("promised_date" in line for line in err.value.lines())


def _with_version(project: Project, form_id: str, version: int, drop: str | None = None) -> None:
    reg, form = project.form(form_id)  # type: ignore[misc]
    fields = [f for f in form.fields if f.key != drop]
    reg.forms[reg.forms.index(form)] = form.model_copy(update={"version": version, "fields": fields})


def test_older_form_version_is_mapped_with_a_note(tmp_path: Path) -> None:
    project = load_project([DATA])
    path = tmp_path / "v1.docx"
    path.write_bytes(render_form(project, "arrears-approval", "docx", ARREARS))
    _with_version(project, "arrears-approval", 2)
    notes: list[str] = []
    assert extract_file(path, project, notes=notes) == [ARREARS]
    assert len(notes) == 1 and "version 1 read as version 2" in notes[0]


def test_older_form_version_with_a_removed_field_is_refused(tmp_path: Path) -> None:
    project = load_project([DATA])
    path = tmp_path / "v1.pdf"
    path.write_bytes(render_form(project, "arrears-approval", "pdf", ARREARS))
    _with_version(project, "arrears-approval", 2, drop="reason")
    with pytest.raises(InputError, match="cannot be mapped to version 2: no longer defined: reason"):
        extract_file(path, project)


def test_newer_form_version_is_refused(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "v3.docx"
    data = _bump(render_form(project, "arrears-approval", "docx"), b"<vt:lpwstr>1</vt:lpwstr>",
                 b"<vt:lpwstr>3</vt:lpwstr>")
    path.write_bytes(data)
    with pytest.raises(InputError, match="version 3 is newer than the regulations' version 1"):
        extract_file(path, project)


def _rewrite_member(path: Path, member: str, change: Any) -> Path:
    out = path.with_name("changed-" + path.name)
    out.write_bytes(_bump(path.read_bytes(), None, None, member=member, change=change))
    return out


def _bump(data: bytes, old: bytes | None, new: bytes | None, member: str = "docProps/custom.xml",
          change: Any = None) -> bytes:
    src = zipfile.ZipFile(BytesIO(data))
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                body = change(body) if change else body.replace(old or b"", new or b"")
            dst.writestr(info, body)
    return buf.getvalue()


# -- bad input: one line, exit 2, nothing on stdout ---------------------------------------------

def _extract_cli(path: Path) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(path), "--regulations", str(DATA)], obj={})
    return result.exit_code, result.stdout, result.stderr


def _refused(path: Path, message: str) -> None:
    code, out, err = _extract_cli(path)
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith(str(path)), err


def test_docx_not_made_by_regkit(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "other.docx"
    doc = docx.Document()
    doc.add_paragraph("你好")
    doc.save(str(path))
    _refused(path, "not a regkit form")


def test_pdf_not_made_by_regkit(tmp_path: Path, project: Project) -> None:
    from pypdf import PdfWriter

    path = tmp_path / "other.pdf"
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.write(str(path))
    _refused(path, "not a regkit form")
    w.add_metadata({"/RegkitForm": "arrears-approval"})
    w.write(str(path))
    _refused(path, "no form fields")


def test_encrypted_pdf(project: Project, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    blank = _blank(project, tmp_path, "arrears-approval", "pdf")
    w = PdfWriter(clone_from=PdfReader(str(blank)))
    w.encrypt("secret")
    path = tmp_path / "locked.pdf"
    w.write(str(path))
    _refused(path, "encrypted PDF")


def test_truncated_files(project: Project, tmp_path: Path) -> None:
    for fmt in ("pdf", "docx", "xlsx"):
        data = render_form(project, "arrears-approval", fmt, ARREARS)
        path = tmp_path / f"cut.{fmt}"
        path.write_bytes(data[: len(data) // 2])
        _refused(path, "damaged" if fmt != "xlsx" else "truncated")


def test_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * (30 << 20))
    _refused(path, "zip bomb")
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(1500):
            zf.writestr(f"x/{i}.xml", b"")
    _refused(many, "members")


def test_xml_external_entity_in_docx(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "f.docx"
    path.write_bytes(render_form(project, "arrears-approval", "docx", ARREARS))
    evil = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'

    def inject(body: bytes) -> bytes:
        head, rest = body.split(b"\n", 1)
        return head + b"\n" + evil + rest.replace("上海浦东".encode(), b"&x;", 1)

    bad = _rewrite_member(path, "word/document.xml", inject)
    _refused(bad, "DTD")


def test_xml_entity_in_xlsx(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    path.write_bytes(render_form(project, "lost-customer-analysis", "xlsx", LOST))
    evil = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    bad = _rewrite_member(path, "xl/worksheets/sheet1.xml",
                          lambda b: evil + b.replace("甲公司".encode(), b"&b;", 1))
    _refused(bad, "DTD or entities")


def test_not_a_form_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("hello", encoding="utf-8")
    _refused(path, "not a DOCX, PDF, XLSX, ODT or ODS file")


def test_extract_cli_prints_yaml_and_json(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(render_form(project, "arrears-approval", "pdf", ARREARS))
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(path), "--format", "json", "--regulations", str(DATA)], obj={})
    assert result.exit_code == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert data[0]["amount"] == 12345.67 and data[0]["departments"] == ["财务部", "调度部"]
    result = runner.invoke(main, ["extract", str(path), "--regulations", str(DATA)], obj={})
    import yaml

    assert yaml.safe_load(result.stdout)[0]["reason"] == ARREARS["reason"]
    assert Decimal(str(data[0]["amount"])) == ARREARS["amount"]


@pytest.mark.parametrize("record", SPEC_RECORDS, ids=lambda r: r["form"])
def test_docx_whose_tags_were_dropped_reads_by_layout(project: Project, tmp_path: Path,
                                                     record: dict[str, Any]) -> None:
    # LibreOffice 7.4 saves content controls without w:tag (and its own properties): each field is
    # found where the form's layout put it, label cell -> value cell.
    import re

    path = tmp_path / "f.docx"
    path.write_bytes(render_form(project, record["form"], "docx", record))
    bad = _rewrite_member(path, "word/document.xml", lambda b: re.sub(rb"<w:(tag|alias) [^>]*/>", b"", b))
    assert extract_file(bad, project) == [record]
    # Without the document properties too: the hidden marker paragraph still names the form.
    worse = _rewrite_member(bad, "docProps/custom.xml", lambda b: b.replace(b"RegkitForm", b"Other"))
    assert extract_file(worse, project) == [record]


def test_docx_without_tags_names_the_field_it_cannot_locate(project: Project, tmp_path: Path) -> None:
    import re

    path = tmp_path / "f.docx"
    path.write_bytes(render_form(project, "arrears-approval", "docx", ARREARS))

    def change(b: bytes) -> bytes:
        b = re.sub(rb"<w:tag [^>]*/>", b"", b)
        return b.replace("欠费金额".encode(), "金额".encode()).replace("欠费原因<".encode(), "客户名称<".encode(), 1)

    bad = _rewrite_member(path, "word/document.xml", change)
    with pytest.raises(InputError) as err:
        extract_file(bad, project)
    text = "\n".join(err.value.lines())
    assert "amount: the label '欠费金额' is not found" in text
    assert "reason: the label '欠费原因' is not found" in text
    assert "customer: the label '客户名称' is found 2 times" in text


def test_block_level_content_control_reads_its_paragraphs(project: Project, tmp_path: Path) -> None:
    # Word may hold a control around whole paragraphs (block-level) instead of inside a run.
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def to_block(body: bytes) -> bytes:
        root = etree.fromstring(body)
        sdt = root.xpath("//w:sdt[w:sdtPr/w:tag/@w:val='reason']", namespaces={"w": w})[0]
        para = sdt.getparent()
        block = etree.Element(f"{{{w}}}sdt")
        block.append(sdt.find(f"{{{w}}}sdtPr"))
        content = etree.SubElement(block, f"{{{w}}}sdtContent")
        for text in ("第一段", "第二段"):
            p = etree.SubElement(content, f"{{{w}}}p")
            etree.SubElement(etree.SubElement(p, f"{{{w}}}r"), f"{{{w}}}t").text = text
        para.getparent().replace(para, block)
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))

    path = tmp_path / "f.docx"
    path.write_bytes(render_form(project, "arrears-approval", "docx", ARREARS))
    got = extract_file(_rewrite_member(path, "word/document.xml", to_block), project)
    assert got == [dict(ARREARS, reason="第一段\n第二段")]


def test_extract_is_per_file(project: Project, tmp_path: Path) -> None:
    # One bad file among good ones: the good files' records are still printed, the bad one listed.
    good = tmp_path / "a.pdf"
    good.write_bytes(render_form(project, "arrears-approval", "pdf", ARREARS))
    bad = tmp_path / "b.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    also = tmp_path / "c.xlsx"
    also.write_bytes(render_form(project, "lost-customer-analysis", "xlsx", LOST))
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(good), str(bad), str(also), "--regulations", str(DATA)], obj={})
    assert result.exit_code == 2
    import yaml

    assert [r["id"] for r in yaml.safe_load(result.stdout)] == [ARREARS["id"], LOST["id"]]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:1:1: "), result.stderr


@pytest.mark.parametrize("stored", [b"<vt:r8>1.0</vt:r8>", b"<vt:r8>1</vt:r8>", b"<vt:lpwstr>1.0</vt:lpwstr>"])
def test_version_stored_as_a_decimal_reads(project: Project, tmp_path: Path, stored: bytes) -> None:
    # LibreOffice Calc and Writer save a number property as a decimal: 1 becomes 1.0.
    for fmt, record in (("xlsx", LOST), ("docx", ARREARS)):
        path = tmp_path / f"f.{fmt}"
        path.write_bytes(render_form(project, record["form"], fmt, record))
        changed = _rewrite_member(path, "docProps/custom.xml",
                                  lambda b: b.replace(b"<vt:lpwstr>1</vt:lpwstr>", stored))
        assert extract_file(changed, project) == [record]
