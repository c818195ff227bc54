"""Forms saved as OpenDocument by LibreOffice (Writer ``.odt``, Calc ``.ods``): the same values
read back as from the Word and Excel forms.

An ODT keeps the form's layout (the 编号 line, label and value cells, the 存根 table) but no
control names, so its fields are found by layout (``locate``); an ODS keeps the register sheet
(header row of labels, one row per record). The form id and version come from the document's
user-defined properties (``RegkitForm``/``RegkitFormVersion``, which LibreOffice carries over
from DOCX/XLSX), else from the ``regkit-form:ID vN`` marker in the text or the subject.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from ..errors import InputError
from .locate import DocBody, DocTable
from .readers import MAX_CONTROLS, RawForm, identity
from .safety import open_zip, parse_xml, read_member, refuse_dtds

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}
MAX_REPEAT = 100000  # rows one element may stand for (Calc repeats empty ones to 1048576)
MAX_COLUMNS = 1024


def _q(prefix: str, tag: str) -> str:
    return f"{{{NS[prefix]}}}{tag}"


def is_opendoc(data: bytes) -> str | None:
    """``odt`` or ``ods`` from the zip's mimetype member, else None."""
    head = data[:200]
    if b"application/vnd.oasis.opendocument.text" in head:
        return "odt"
    if b"application/vnd.oasis.opendocument.spreadsheet" in head:
        return "ods"
    return None


def _meta(name: str, zf: Any) -> tuple[dict[str, str], str | None]:
    if "meta.xml" not in zf.namelist():
        return {}, None
    root = parse_xml(name, "meta.xml", read_member(name, zf, "meta.xml"))
    props = {el.get(_q("meta", "name"), ""): "".join(el.itertext()).strip()
             for el in root.iter(_q("meta", "user-defined"))}
    subject = root.find(".//dc:subject", NS)
    return props, (subject.text if subject is not None else None)


def _text(el: etree._Element) -> str:
    """The text of a paragraph-like element: spaces (text:s), tabs and line breaks kept."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == _q("text", "s"):
                parts.append(" " * int(child.get(_q("text", "c"), "1") or 1))
            elif tag == _q("text", "tab"):
                parts.append("\t")
            elif tag == _q("text", "line-break"):
                parts.append("\n")
            elif tag in (_q("office", "annotation"), _q("text", "note")):
                pass
            else:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _cell_text(cell: etree._Element) -> str:
    return "\n".join(_text(p) for p in cell.iter(_q("text", "p"), _q("text", "h")))


def _rows(table: etree._Element) -> list[etree._Element]:
    return [r for r in table.iter(_q("table", "table-row")) if r.getparent() is not None
            and _owner(r) is table]


def _owner(row: etree._Element) -> etree._Element | None:
    node = row.getparent()
    while node is not None and node.tag != _q("table", "table"):
        node = node.getparent()
    return node


def read_odt(name: str, data: bytes) -> RawForm:
    """An ODT form: identity, and the page as paragraphs and tables for finding fields by layout."""
    zf = open_zip(name, data)
    refuse_dtds(name, zf)
    props, subject = _meta(name, zf)
    root = parse_xml(name, "content.xml", read_member(name, zf, "content.xml"))
    text = root.find("office:body/office:text", NS)
    body = DocBody()
    if text is not None:
        _walk(text, body)
    form_id, version = identity(name, props, *[t for t in body.items if isinstance(t, str)], subject)
    return RawForm(form_id, version, body=body)


def _walk(parent: etree._Element, body: DocBody) -> None:
    for el in parent:
        if el.tag in (_q("text", "p"), _q("text", "h")):
            body.items.append(_text(el))
        elif el.tag == _q("table", "table"):
            rows = []
            for row in _rows(el):
                cells = [_cell_text(c) for c in row if c.tag == _q("table", "table-cell")]
                rows.append(cells)
            body.items.append(DocTable(rows))
        elif el.tag in (_q("text", "section"), _q("text", "list"), _q("text", "list-item")):
            _walk(el, body)


def read_ods(name: str, data: bytes, sheet: str | None = None) -> RawForm:
    """The header row and data rows of a regkit register saved as ODS (typed like openpyxl's
    cells: numbers, dates, text)."""
    zf = open_zip(name, data)
    refuse_dtds(name, zf)
    props, subject = _meta(name, zf)
    form_id, version = identity(name, props, subject)
    raw = RawForm(form_id, version)
    root = parse_xml(name, "content.xml", read_member(name, zf, "content.xml"))
    title = sheet or form_id[:31]
    tables = [t for t in root.iter(_q("table", "table")) if t.get(_q("table", "name")) == title]
    if not tables:
        raise InputError.at(name, 1, 1, f"no sheet named {title!r} (the form's sheet)")
    line = 0
    for row in _rows(tables[0]):
        repeat = min(int(row.get(_q("table", "number-rows-repeated"), "1") or 1), MAX_REPEAT)
        cells: list[Any] = []
        for cell in row:
            if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                continue
            times = int(cell.get(_q("table", "number-columns-repeated"), "1") or 1)
            cells += [_ods_value(name, line + 1, cell)] * max(0, min(times, MAX_COLUMNS - len(cells)))
        if all(v is None for v in cells):
            line += repeat
            continue
        for _ in range(repeat):
            line += 1
            if line == 1:
                raw.headers = ["" if v is None else str(v).strip() for v in cells]
            else:
                raw.rows.append({"_line": line, **{str(i): v for i, v in enumerate(cells)}})
            if len(raw.rows) > MAX_CONTROLS:
                raise InputError.at(name, line, 1, f"more than {MAX_CONTROLS} rows")
    return raw


def _ods_value(name: str, line: int, cell: etree._Element) -> Any:
    kind = cell.get(_q("office", "value-type"))
    if kind in ("float", "currency", "percentage"):
        raw = cell.get(_q("office", "value"), "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise InputError.at(name, line, 1, f"unreadable number {raw!r}") from None
        return int(number) if number == number.to_integral_value() and "." not in raw else float(number)
    if kind == "date":
        raw = cell.get(_q("office", "date-value"), "")
        try:
            return dt.datetime.fromisoformat(raw) if "T" in raw else dt.date.fromisoformat(raw)
        except ValueError:
            raise InputError.at(name, line, 1, f"unreadable date {raw!r}") from None
    if kind == "boolean":
        return cell.get(_q("office", "boolean-value")) == "true"
    text = _cell_text(cell)
    return text if text != "" else None
