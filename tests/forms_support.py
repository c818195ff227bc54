"""Shared data and third-party fillers for the forms tests: records of the three spec forms, and
filling generated forms the way another program would (pypdf, lxml via python-docx, openpyxl)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

DATA = Path(__file__).parent / "data" / "forms"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}

ARREARS: dict[str, Any] = {
    "form": "arrears-approval", "id": "QF-2026-001", "date": "2026-03-05",
    "customer": "上海浦东“新”贸易有限公司 & Co. <A>", "settlement": "现金", "amount": Decimal("12345.67"),
    "reason": "客户资金周转困难。\n承诺月底前付清，已电话确认。", "promised_date": "2026-03-31",
    "handler": "李娜", "approved_by": "张伟", "approved_on": "2026-03-05",
    "departments": ["财务部", "调度部"], "stub_signed_by": ["王芳", "陈刚"],
    "paid_on": None, "paid_amount": None,
}
NEW_CUSTOMER: dict[str, Any] = {
    "form": "new-customer-notice", "id": "XK-0007", "date": "2026-02-10", "kind": "变更结算方式",
    "customer": "杭州西湖物流有限公司", "contact": "王先生", "phone": "0571-8888 6666", "settlement": "月结",
    "previous_settlement": "现金", "terms": "运价：每吨 120 元\n需提前一天预约\n\n第四行", "handler": "陈晨",
    "approved_by": None, "approved_on": None, "departments": ["财务部"], "stub_signed_by": [],
}
LOST: dict[str, Any] = {
    "form": "lost-customer-analysis", "id": "LS-2026-03", "period": "2026-03", "prepared_by": "李娜",
    "prepared_on": "2026-04-02", "reviewed_by": None,
    "rows": [
        {"customer": "甲公司", "last_business_date": "2026-01-15", "reason_category": "价格",
         "reason": "对方报价低 15%\n服务一般", "retention_action": "上门拜访，给予优惠", "result": "跟进中"},
        {"customer": "乙公司", "last_business_date": "2026-02-01", "reason_category": "客户经营变化",
         "reason": None, "retention_action": None, "result": "未挽回"},
    ],
}
SPEC_RECORDS = [ARREARS, NEW_CUSTOMER, LOST]


def text_of(value: Any, sep: str = "；") -> str:
    """A record value as someone would type it."""
    if value is None:
        return ""
    if isinstance(value, list):
        return sep.join(value)
    return str(value)


def flat_values(record: dict[str, Any], *, docx: bool) -> dict[str, str]:
    """The record as control name -> typed text (tags for Word, field names for PDF)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        if key == "form":
            continue
        if key == "rows":
            for i, row in enumerate(value):
                for col, cell in row.items():
                    out[f"rows[{i}].{col}" if docx else f"rows_{i}_{col}"] = text_of(cell)
        else:
            out[key] = text_of(value, "、" if docx else "；")
    return out


# -- Word, filled with python-docx + lxml ------------------------------------------------------

def fill_docx(src: Path, dst: Path, values: dict[str, str | bool]) -> None:
    """Type into the content controls by tag (w:t text, w:br line breaks, check box state)."""
    import docx

    document = docx.Document(str(src))
    body = document.element.body
    for sdt in body.iter(f"{{{W}}}sdt"):
        tag = sdt.find("w:sdtPr/w:tag", NS).get(f"{{{W}}}val")
        if tag not in values:
            continue
        value = values[tag]
        if isinstance(value, bool):
            sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS).set(f"{{{W14}}}val", "1" if value else "0")
            sdt.find(".//w:sdtContent//w:t", NS).text = "☒" if value else "☐"
            continue
        runs = sdt.findall("w:sdtContent/w:r", NS)
        run = runs[0]
        for extra in runs[1:]:
            extra.getparent().remove(extra)
        for child in list(run):
            if etree.QName(child).localname != "rPr":
                run.remove(child)
        for i, line in enumerate(value.split("\n")):
            if i:
                etree.SubElement(run, f"{{{W}}}br")
            t = etree.SubElement(run, f"{{{W}}}t")
            t.text = line
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        # Word drops the placeholder flag when someone types; some tools do not.
        plc = sdt.find("w:sdtPr/w:showingPlcHdr", NS)
        if plc is not None and tag != "customer":
            plc.getparent().remove(plc)
    document.save(str(dst))


# -- PDF, filled with pypdf --------------------------------------------------------------------

def fill_pdf(src: Path, dst: Path, values: dict[str, str | bool]) -> None:
    """Set field values with pypdf (it writes its own appearance streams)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(src)))
    texts = {k: v for k, v in values.items() if not isinstance(v, bool)}
    boxes = {k: ("/Yes" if v else "/Off") for k, v in values.items() if isinstance(v, bool)}
    writer.update_page_form_field_values(None, {**texts, **boxes}, auto_regenerate=False)
    with open(dst, "wb") as fh:
        writer.write(fh)


# -- Excel, filled with openpyxl ---------------------------------------------------------------

def fill_xlsx(src: Path, dst: Path, sheet: str, rows: list[dict[str, Any]]) -> None:
    """Write rows under the header labels (dates as Excel dates, amounts as numbers)."""
    from openpyxl import load_workbook

    wb = load_workbook(str(src))
    ws = wb[sheet]
    headers = {c.value: c.column for c in ws[1] if c.value}
    for r, row in enumerate(rows, 2):
        for label, value in row.items():
            cell = ws.cell(row=r, column=headers[label])
            if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
                value = dt.date.fromisoformat(value)
            elif isinstance(value, Decimal):
                value = float(value)
            cell.value = value
    wb.save(str(dst))
