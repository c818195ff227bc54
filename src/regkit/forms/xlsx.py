"""Excel forms: one sheet per form, named with the form id, holding a register of records an
audit reads directly: a header row of the fields' Chinese labels, then one row per record (a
table form repeats its header fields on each row of its table, as the record format says).

Data validation gives drop-downs for choices and yes/no, date, whole-number and decimal checks;
the header row is locked (sheet protection without password) and the data cells unlocked. The
company and title print in the page header; the form id and version are document properties.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from ..model import Form, FormField, Regulation
from .output import doc_time, zip_bytes
from .records import coerce_record, format_value, is_empty
from .style import Style

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One sheet column: a form field, or a column of the form's table."""

    field: FormField
    header: str
    table: str | None = None  # the table field's key for table columns


def sheet_columns(form: Form) -> list[Column]:
    """The sheet's columns in order; table columns take the table's place among the fields."""
    cols: list[Column] = []
    labels = {f.label for f in form.fields}
    for f in form.fields:
        if f.type == "table":
            for c in f.columns or []:
                cols.append(Column(c, f"{f.label}·{c.label}" if c.label in labels else c.label, f.key))
        else:
            cols.append(Column(f, f.label))
    return cols


def _rows(form: Form, values: Mapping[str, Any]) -> list[dict[int, Any]]:
    cols = sheet_columns(form)
    table = form.table
    data_rows = (values.get(table.key) or [None]) if table else [None]
    out = []
    for trow in data_rows:
        row: dict[int, Any] = {}
        for i, col in enumerate(cols):
            value = (trow or {}).get(col.field.key) if col.table else values.get(col.field.key)
            if not is_empty(value):
                row[i] = value
        out.append(row)
    return out


def _cell_value(f: FormField, value: Any) -> Any:
    if f.type == "date":
        return dt.date.fromisoformat(value)
    if f.type in ("integer", "amount"):
        return value
    return format_value(f, value)


def _validation(f: FormField, ref: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    kw: dict[str, Any] = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True,
                          "promptTitle": f.label[:32], "errorTitle": f.label[:32]}
    if f.type == "choice" or f.type == "boolean":
        choices = f.choices if f.type == "choice" else ["是", "否"]
        dv = DataValidation(type="list", formula1='"' + ",".join(choices or []) + '"', **kw)
        dv.error = "请从下拉列表中选择"
    elif f.type == "date":
        dv = DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)", formula2="DATE(2199,12,31)",
                            **kw)
        dv.error, dv.prompt = "请输入日期，例如 2026-03-05", "日期 YYYY-MM-DD"
    elif f.type == "integer":
        dv = DataValidation(type="whole", operator="between", formula1="-999999999", formula2="999999999", **kw)
        dv.error = "请输入整数"
    elif f.type == "amount":
        dv = DataValidation(type="decimal", operator="between", formula1="-999999999999", formula2="999999999999",
                            **kw)
        dv.error, dv.prompt = "请输入金额（元）", "金额（元），最多两位小数"
    else:
        hint = {"month": "月份 YYYY-MM", "list": "多项以、分隔",
                "multichoice": "可多选，以、分隔：" + "／".join(f.choices or [])}.get(f.type, f.help)
        if not hint:
            return None
        dv = DataValidation(showInputMessage=True, promptTitle=f.label[:32], allow_blank=True)
        dv.prompt = hint[:250]
    if f.help and f.type not in ("month", "list", "multichoice"):
        dv.prompt = ((dv.prompt or "") + " " + f.help).strip()[:250]
    dv.add(ref)
    return dv


def write_xlsx(regulation: Regulation, form: Form, company: str, style: Style,
               records: list[Mapping[str, Any]] | None = None) -> bytes:
    """The form's register as a workbook: blank (formatted rows ready) or holding ``records``."""
    from openpyxl import Workbook
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    cols = sheet_columns(form)
    widths: list[float] = []
    wb = Workbook()
    ws = wb.active
    ws.title = form.id[:31]
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(name=style.text("xlsx.header_font"), bold=True, size=style.num("xlsx.size"))
    body_font = Font(name=style.text("xlsx.font"), size=style.num("xlsx.size"))
    fill = PatternFill("solid", fgColor=style.text("xlsx.header_fill"))
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="center")
    for i, col in enumerate(cols, 1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill, cell.border = head_font, fill, border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        width = len(col.header) * style.num("xlsx.char_width") + 2
        width = max(width, {"date": 12, "multiline": 30, "list": 18, "amount": 12}.get(col.field.type, 0))
        if col.field.key == "id" and not col.table:  # a number such as LS-2026-03 on one line
            width = max(width, 13)
        if col.field.type == "choice" and col.field.choices:  # the longest choice and the drop-down arrow
            width = max(width, max(len(c) for c in col.field.choices) * style.num("xlsx.char_width") + 4)
        widths.append(min(max(width, style.num("xlsx.min_width")), style.num("xlsx.max_width")))
        ws.column_dimensions[get_column_letter(i)].width = widths[-1]
    ws.row_dimensions[1].height = _height(max(_lines(c.header, w, style) for c, w in zip(cols, widths, strict=True)),
                                          style)
    rows: list[dict[int, Any]] = []
    for rec in records or []:
        values, _ = coerce_record(form, rec, required=False)
        rows += _rows(form, values)
    # A blank register is ruled down to the end of its first printed page; a filled one as far as it goes.
    last = max(len(rows), page_rows(widths, ws.row_dimensions[1].height, style)) + 1
    protos = []
    for i, col in enumerate(cols):
        proto = ws.cell(row=2, column=i + 1)
        proto.protection, proto.font, proto.border, proto.alignment = unlocked, body_font, border, wrap
        proto.number_format = {"date": "yyyy-mm-dd", "amount": "0.00", "integer": "0"}.get(col.field.type, "@")
        protos.append(proto._style)
        # Rows below the ruled ones take the column's style: unlocked, so the register can grow.
        dim = ws.column_dimensions[get_column_letter(i + 1)]
        dim.protection, dim.font, dim.number_format = unlocked, body_font, proto.number_format
    for r in range(2, last + 1):
        data = rows[r - 2] if r - 2 < len(rows) else {}
        for i, col in enumerate(cols):
            cell = ws.cell(row=r, column=i + 1)
            cell._style = copy(protos[i])  # styling each cell anew costs 100x more
            if i in data:
                cell.value = _cell_value(col.field, data[i])
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        # Rows grow with wrapped text (Excel and LibreOffice do not grow a row on opening).
        texts = [str(_cell_value(col.field, data[i])) if i in data else "" for i, col in enumerate(cols)]
        ws.row_dimensions[r].height = _height(max(_lines(t, w, style) for t, w in zip(texts, widths, strict=True)),
                                              style)
    checked_to = max(last, int(style.num("xlsx.validated_rows")))
    for i, col in enumerate(cols, 1):
        letter = get_column_letter(i)
        dv = _validation(col.field, f"{letter}2:{letter}{checked_to}")
        if dv is not None:
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(len(cols))}{last}"
    ws.page_margins = PageMargins(**{k: style.num(f"xlsx.margins.{k}") for k in MARGINS})
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = f"{company}  {form.title}"
    ws.oddHeader.center.size = 14
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "sort", "autoFilter"):
        setattr(ws.protection, allowed, False)
    when = doc_time(regulation)
    props = wb.properties
    props.title, props.subject = form.title, f"regkit form {form.id} v{form.version}"
    props.creator, props.keywords = company, f"regkit-form:{form.id}"
    props.created = props.modified = when
    props.lastModifiedBy = "regkit"
    wb.custom_doc_props.append(StringProperty(name="RegkitForm", value=form.id))
    # Text, not a number: LibreOffice Calc saves a number property as a decimal (1.0).
    wb.custom_doc_props.append(StringProperty(name="RegkitFormVersion", value=str(form.version)))
    wb.custom_doc_props.append(StringProperty(name="RegkitRegulation", value=regulation.id))
    buf = BytesIO()
    wb.save(buf)
    return _reproducible(buf.getvalue(), when)


MARGINS = ("left", "right", "top", "bottom", "header", "footer")
A4_INCHES = (11.69, 8.27)  # landscape


def _lines(text: str, width: float, style: Style) -> int:
    """Lines ``text`` takes in a column ``width`` characters wide (a Chinese character is two)."""
    from .fit import text_em

    room = max(width - 1, 1) / 2  # in em: Excel's width unit is about half a Chinese character
    return sum(max(1, math.ceil(text_em(part) / room)) for part in (text.split("\n") if text else [""]))


def _height(lines: int, style: Style) -> float:
    """Row height in points for ``lines`` lines of text (at least the ruled row's height)."""
    return max(style.num("xlsx.row_height"), round(lines * style.num("xlsx.size") * 1.4 + 4, 1))


def page_rows(widths: list[float], head_pt: float | None, style: Style) -> int:
    """How many ruled rows fit the first landscape A4 page under the header row, the columns
    scaled to the page width as the sheet's page setup asks."""
    m = {k: style.num(f"xlsx.margins.{k}") for k in MARGINS}
    page_w = (A4_INCHES[0] - m["left"] - m["right"]) * 72
    page_h = (A4_INCHES[1] - m["top"] - m["bottom"]) * 72
    sheet_w = sum((w * 7 + 5) * 0.75 for w in widths)  # Excel: 7 px per width unit plus padding, 0.75 pt/px
    scale = min(1.0, page_w / sheet_w) if sheet_w else 1.0
    rows = int((page_h / scale - (head_pt or 0) - style.num("xlsx.row_height")) // style.num("xlsx.row_height"))
    return max(rows, 1)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _reproducible(data: bytes, when: dt.datetime) -> bytes:
    # openpyxl stamps the save time into core.xml and the zip entries; pin both.
    members = []
    with zipfile.ZipFile(BytesIO(data)) as zf:
        for name in zf.namelist():
            body = zf.read(name)
            if name == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", body)
            members.append((name, body))
    return zip_bytes(members, when)

