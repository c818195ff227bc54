"""XLSX workbooks of records (a sheet per form, Excel's native dates and numbers, formulas never
calculated, zip bombs) and filled-in regkit forms (DOCX, PDF, XLSX) as audit inputs."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from check_support import notice, project, rules_hit, run, slip, stats, write_yaml
from regkit.forms.api import render_form
from regkit.records.xlsx import XlsxProblem, check_zip

HEAD = ["编号", "填写日期", "客户名称", "结算方式", "欠费金额", "承诺付款日期", "经办人", "批准人", "批准日期",
        "送达部门", "存根签字", "付清日期", "付清金额"]


def slip_row(**changes: object) -> list[object]:
    rec = slip(**changes)
    keys = ["id", "date", "customer", "settlement", "amount", "promised_date", "handler", "approved_by", "approved_on",
            "departments", "stub_signed_by", "paid_on", "paid_amount"]
    out: list[object] = []
    for k in keys:
        v = rec.get(k)
        if isinstance(v, dt.date):
            v = dt.datetime(v.year, v.month, v.day)  # Excel stores dates as date-times
        out.append(";".join(v) if isinstance(v, list) else v)
    return out


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_sheets_by_form_id_and_title(tmp_path: Path) -> None:
    path = workbook(tmp_path / "records.xlsx", {
        "slip": [HEAD, slip_row(), slip_row(id="QF-002", approved_by="李娜", amount=99.9)],
        "应收账款统计表": [["编号", "统计月份", "统计人", "统计日期", "客户名称", "应收账款"],
                           ["YS-1", dt.datetime(2026, 3, 1), "刘强", dt.datetime(2026, 4, 2), "甲公司", 100]],
        "Sheet3": [],
    })
    report = run(path)
    assert report.unreadable == []
    assert report.checked == 3
    assert rules_hit(report) == [("slip-approved", "QF-002")]
    assert report.findings[0].message.startswith("客户甲公司欠费99.90元")
    assert report.findings[0].source == f"{path}#slip"


def test_unknown_sheet_and_bad_cells_are_listed(tmp_path: Path) -> None:
    path = workbook(tmp_path / "records.xlsx", {
        "slip": [HEAD, slip_row(), slip_row(id="QF-002", amount="很多")],
        "备注": [["说明"], ["随便写写"]],
    })
    report = run(path)
    assert [(u.source, u.line) for u in report.unreadable] == [(f"{path}#slip", 3), (f"{path}#备注", 1)]
    assert "amount" in report.unreadable[0].error
    assert report.exit_code == 2


def test_formula_never_calculated_is_not_read_as_empty(tmp_path: Path) -> None:
    row = slip_row()
    row[12] = "=E2"  # paid_amount as a formula openpyxl cannot calculate
    path = workbook(tmp_path / "slip.xlsx", {"slip": [HEAD, row]})
    [u] = run(path).unreadable
    assert u.line == 2 and "formula never calculated" in u.error


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 << 20))
    with pytest.raises(XlsxProblem, match="zip bomb"):
        check_zip(path)
    [u] = run(path).unreadable
    assert u.line == 1 and "zip bomb" in u.error


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_filled_forms_are_audited(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"QF-001.{fmt}"
    path.write_bytes(render_form(project(), "slip", fmt, slip(approved_by="李娜")))
    report = run([path, write_yaml(tmp_path / "other.yaml", [notice(), stats()])])
    assert report.unreadable == []
    assert rules_hit(report) == [("slip-approved", "QF-001")]
    assert report.findings[0].source == str(path)


def test_a_broken_filled_form_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "QF-001.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    [u] = run(path).unreadable
    assert u.source == str(path) and u.line == 1


def _with_member(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def test_a_workbook_inflating_past_the_form_ratio_is_refused_before_reading(tmp_path: Path) -> None:
    # 135:1, as the 2 MiB workbook that inflated to 296 MiB: under the old 200:1 ratio
    path = workbook(tmp_path / "slips.xlsx", {"arrears-approval": [HEAD, slip_row()]})
    import random

    rng = random.Random(1)
    blob = bytearray(b" " * (4 << 20))
    for i in range(0, len(blob), 600):
        blob[i] = rng.randrange(256)
    _with_member(path, "xl/media/padding.xml", bytes(blob))
    info = zipfile.ZipFile(path).getinfo("xl/media/padding.xml")
    assert 100 < info.file_size / info.compress_size < 200
    with pytest.raises(XlsxProblem, match="possible zip bomb"):
        check_zip(path)
    [u] = run(path).unreadable
    assert u.line == 1 and "zip bomb" in u.error


def test_a_workbook_declaring_too_much_content_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import regkit.records.xlsx as records_xlsx

    path = workbook(tmp_path / "slips.xlsx", {"arrears-approval": [HEAD, slip_row()]})
    total = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(records_xlsx, "MAX_UNPACKED", total - 1)
    with pytest.raises(XlsxProblem, match="over the limit"):
        check_zip(path)


def test_a_sheet_over_the_row_limit_is_one_line_and_the_other_sheets_are_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import regkit.records.xlsx as records_xlsx

    monkeypatch.setattr(records_xlsx, "MAX_ROWS", 3)
    rows = [HEAD] + [slip_row(id=f"QF-{i:03d}") for i in range(5)]
    path = workbook(tmp_path / "book.xlsx", {"arrears-approval": rows, "统计": [["form", "id"], ["stats", "S-1"]]})
    report = run(path)
    assert [(u.source.rsplit("#", 1)[-1], u.line, u.error) for u in report.unreadable][:1] == [
        ("arrears-approval", 1, "sheet 'arrears-approval' has over 3 rows (split it, or write a CSV file: the "
         "engine reads it itself)")]
