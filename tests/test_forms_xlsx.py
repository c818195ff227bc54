"""Excel forms: Chinese headers, data validation, protection, properties, formula escaping."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import load_workbook

from forms_support import ARREARS, DATA, LOST
from regkit.forms.api import render_form
from regkit.loader import load_project

PROJECT = load_project([DATA])


def _book(form_id: str, record: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    return load_workbook(BytesIO(render_form(PROJECT, form_id, "xlsx", record)))


def test_headers_are_chinese_labels_and_locked() -> None:
    wb = _book("lost-customer-analysis")
    ws = wb["lost-customer-analysis"]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["编号", "期间", "填表人", "填表日期", "部门领导"]
    assert "流失原因类别" in headers and "挽留措施" in headers
    assert ws.protection.sheet is True
    assert ws["A1"].protection.locked is True
    assert ws["A2"].protection.locked is False and ws["K20"].protection.locked is False
    assert ws.column_dimensions["K"].protection.locked is False  # rows below the ruled ones
    assert ws.freeze_panes == "A2"


def test_data_validation() -> None:
    ws = _book("arrears-approval")["arrears-approval"]
    by_formula = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    assert '"现金,月结,其他"' in by_formula
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "date", "decimal"} <= kinds
    dates = next(dv for dv in ws.data_validations.dataValidation if dv.type == "date")
    assert "B2" in str(dates.sqref)  # 填写日期 is the second column


def test_properties_carry_form_id_and_version() -> None:
    wb = _book("arrears-approval")
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["RegkitForm"] == "arrears-approval" and props["RegkitFormVersion"] == "1"
    assert wb.properties.title == "同意欠费通知单"
    assert wb.properties.modified == wb.properties.created


def test_filled_table_form_repeats_header_fields_and_escapes_formulas() -> None:
    rows = [dict(LOST["rows"][0], customer="=HYPERLINK(\"http://x\")"), LOST["rows"][1]]
    ws = _book("lost-customer-analysis", dict(LOST, rows=rows))["lost-customer-analysis"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3)] == ["LS-2026-03", "LS-2026-03"]
    customer = ws.cell(row=2, column=6)
    assert customer.value == '=HYPERLINK("http://x")' and customer.data_type == "s"
    assert ws.cell(row=2, column=7).value == dt.datetime(2026, 1, 15)


def test_reproducible() -> None:
    assert render_form(PROJECT, "arrears-approval", "xlsx") == render_form(PROJECT, "arrears-approval", "xlsx")


def test_blank_register_prints_one_page_and_rows_grow_with_text() -> None:
    from regkit.forms.style import load_style

    ws = _book("arrears-approval")["arrears-approval"]
    last = ws.max_row
    assert ws.print_area == f"'arrears-approval'!$A$1:$N${last}"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.orientation == "landscape"
    assert last > 20  # ruled to the end of the first page
    filled = _book("arrears-approval", ARREARS)["arrears-approval"]
    row_pt = load_style().num("xlsx.row_height")
    assert filled.row_dimensions[2].height > row_pt  # the long customer name and the two-line reason
    assert filled.row_dimensions[3].height == row_pt
