"""Reading what was typed into generated forms, format by format, before any typing: the form id
and version the file carries, and the raw value of every control (text, or True/False for boxes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from lxml import etree

from ..errors import InputError, Problem
from .docx import PLACEHOLDER, W14_NS, W_NS
from .locate import DocBody, DocTable
from .safety import one_line, open_zip, parse_xml, read_member, refuse_dtds

NS = {"w": W_NS, "w14": W14_NS}
CUSTOM_NS = {"p": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
             "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}
MAX_PDF_PAGES = 50
MAX_CONTROLS = 20000
MAX_SHEET_ROWS = 100_000  # rows of a form workbook's sheet


@dataclass
class RawForm:
    """What a filled form holds: its identity and the controls' raw values by name."""

    form_id: str
    version: int
    values: dict[str, list[str | bool]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # spreadsheets: one dict per data row
    headers: list[str] = field(default_factory=list)
    body: DocBody | None = None  # documents: the text of the page, for finding fields by layout


_DECIMAL_VERSION = re.compile(r"^\+?(\d{1,6})(?:\.0*)?$")
# The form id and version in text: the hidden marker paragraph and the document subject.
MARKER = re.compile(r"regkit[- ]form[: ]([a-z0-9][a-z0-9-]{0,62}) v(\d{1,6})\b")


def _version(name: str, raw: Any) -> int:
    # Spreadsheets store numbers as decimals (LibreOffice Calc saves 1 as 1.0).
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    m = _DECIMAL_VERSION.match(str(raw).strip())
    if m is None:
        raise InputError.at(name, 1, 1, f"unreadable form version {raw!r}")
    return int(m[1])


def identity(name: str, props: dict[str, Any], *texts: str | None) -> tuple[str, int]:
    """The form id and version a file carries: its RegkitForm/RegkitFormVersion properties, else
    a ``regkit-form:ID vN`` marker in one of ``texts`` (hidden paragraph, subject, keywords)."""
    form_id = props.get("RegkitForm")
    if form_id is not None and str(form_id).strip():
        return str(form_id).strip(), _version(name, props.get("RegkitFormVersion", "1"))
    for text in texts:
        m = MARKER.search(text or "")
        if m:
            return m[1], int(m[2])
    raise InputError.at(name, 1, 1, "not a regkit form (no RegkitForm document property or form marker)")


# -- Word ------------------------------------------------------------------------------------

def _custom_props(name: str, zf: Any) -> dict[str, str]:
    if "docProps/custom.xml" not in zf.namelist():
        return {}
    root = parse_xml(name, "docProps/custom.xml", read_member(name, zf, "docProps/custom.xml"))
    out = {}
    for prop in root.findall("p:property", CUSTOM_NS):
        out[prop.get("name", "")] = "".join(prop.itertext()).strip()
    return out


def _sdt_text(content: etree._Element) -> str:
    parts: list[str] = []
    paragraphs = 0
    for el in content.iter():
        tag = etree.QName(el).localname if isinstance(el.tag, str) else ""
        if tag == "p":
            if paragraphs:
                parts.append("\n")
            paragraphs += 1
        elif tag == "t" and el.text:
            parts.append(el.text)
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag == "tab":
            parts.append("\t")
    return "".join(parts)


def _core_props(name: str, zf: Any) -> dict[str, str]:
    if "docProps/core.xml" not in zf.namelist():
        return {}
    root = parse_xml(name, "docProps/core.xml", read_member(name, zf, "docProps/core.xml"))
    return {etree.QName(el).localname: "".join(el.itertext()) for el in root if isinstance(el.tag, str)}


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _docx_par_text(p: etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(_w("t"), _w("br"), _w("cr"), _w("tab"), _w("sym")):
        tag = etree.QName(el).localname
        if tag == "t":
            parts.append(el.text or "")
        elif tag == "tab":
            parts.append("\t")
        elif tag == "sym":
            continue
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_cell_text(tc: etree._Element) -> str:
    return "\n".join(_docx_par_text(p) for p in tc.iter(_w("p")))


def docx_body(root: etree._Element) -> DocBody:
    """The body of a Word document as paragraph texts and tables of cell texts."""
    body = DocBody()

    def walk(parent: etree._Element) -> None:
        for el in parent:
            if el.tag == _w("p"):
                body.items.append(_docx_par_text(el))
            elif el.tag == _w("tbl"):
                body.items.append(DocTable([[_docx_cell_text(tc) for tc in tr.iter(_w("tc"))]
                                            for tr in el.iter(_w("tr"))]))
            elif el.tag == _w("sdt"):
                content = el.find(_w("sdtContent"))
                if content is not None:
                    walk(content)

    found = root.find(_w("body"))
    if found is not None:
        walk(found)
    return body


def read_docx(name: str, data: bytes) -> RawForm:
    """Content controls of a regkit Word form, by tag (block-level and inline alike), and the
    page's text for finding fields by layout where an editor dropped the tags."""
    zf = open_zip(name, data)
    refuse_dtds(name, zf)
    props = _custom_props(name, zf)
    root = parse_xml(name, "word/document.xml", read_member(name, zf, "word/document.xml"))
    body = docx_body(root)
    if "RegkitForm" in props:
        form_id, version = identity(name, props)
    else:
        core = _core_props(name, zf)
        form_id, version = identity(name, props, *[t for t in body.items if isinstance(t, str)],
                                    core.get("subject"), core.get("keywords"))
    raw = RawForm(form_id, version, body=body)
    sdts = root.xpath("//w:sdt[w:sdtPr/w:tag]", namespaces=NS)
    if len(sdts) > MAX_CONTROLS:
        raise InputError.at(name, 1, 1, f"{len(sdts)} content controls, over the limit of {MAX_CONTROLS}")
    for sdt in sdts:
        tag = sdt.find("w:sdtPr/w:tag", NS).get(f"{{{W_NS}}}val", "")
        checked = sdt.find("w:sdtPr/w14:checkbox/w14:checked", NS)
        content = sdt.find("w:sdtContent", NS)
        value: str | bool
        if sdt.find("w:sdtPr/w14:checkbox", NS) is not None:
            if checked is not None:
                value = checked.get(f"{{{W14_NS}}}val", "0").lower() in ("1", "true", "on")
            else:
                value = content is not None and any(ch in _sdt_text(content) for ch in "☒☑✓✔")
        else:
            text = _sdt_text(content) if content is not None else ""
            showing = sdt.find("w:sdtPr/w:showingPlcHdr", NS) is not None
            value = "" if (showing and text == PLACEHOLDER) or not text.strip() else text
        raw.values.setdefault(tag, []).append(value)
    return raw


# -- PDF -------------------------------------------------------------------------------------

def read_pdf(name: str, data: bytes) -> RawForm:
    """AcroForm field values of a regkit PDF form (strict parsing: no guessing at damage).

    Fields are walked from the AcroForm's /Fields, so that a field found twice, a name that is
    not text or a value that is not what its type holds is a problem naming the field (pypdf's
    ``get_fields`` merges or skips them). Names are qualified (``parent.child``); a radio group
    or a choice list reads as its option."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise InputError.at(name, 1, 1, "encrypted PDF: regkit reads only unencrypted forms")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError.at(name, 1, 1, f"{len(reader.pages)} pages, over the limit of {MAX_PDF_PAGES}")
        meta: Any = reader.metadata or {}
        form_id = meta.get("/RegkitForm")
        root: Any = reader.trailer["/Root"].get_object()
        acro: Any = root.get("/AcroForm")
        roots = acro.get_object().get("/Fields") if acro is not None else None
    except InputError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise InputError.at(name, 1, 1, f"damaged or truncated PDF: {one_line(exc)}") from None
    if form_id is None:
        raise InputError.at(name, 1, 1, "not a regkit form (no RegkitForm in the PDF metadata)")
    if roots is None:
        raise InputError.at(name, 1, 1, "not a regkit form (the PDF has no form fields)")
    raw = RawForm(str(form_id), _version(name, meta.get("/RegkitFormVersion", "1")))
    problems: list[str] = []
    count = 0
    for fname, fdata in _pdf_fields(roots.get_object(), problems):
        count += 1
        if count > MAX_CONTROLS:
            raise InputError.at(name, 1, 1, f"over {MAX_CONTROLS} form fields")
        value = _pdf_value(fname, fdata, problems)
        if value is not None:
            raw.values.setdefault(fname, []).append(value)
    if problems:
        raise InputError([Problem(name, 1, 1, p) for p in problems])
    return raw


_FF_RADIO, _FF_PUSHBUTTON = 1 << 15, 1 << 16
_INHERITED = ("/FT", "/Ff", "/V", "/Opt")
MAX_FIELD_DEPTH = 16


def _pdf_fields(roots: Any, problems: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(qualified name, attributes with the inherited ones) of every terminal field."""
    seen: set[int] = set()

    def walk(node: Any, parent: str, inherited: dict[str, Any], depth: int) -> Iterator[tuple[str, dict[str, Any]]]:
        node = node.get_object()
        if id(node) in seen or depth > MAX_FIELD_DEPTH or not hasattr(node, "get"):
            problems.append(f"form field {parent or '(top)'}: the field tree loops or is not a tree")
            return
        seen.add(id(node))
        title = node.get("/T")
        if title is not None and not isinstance(title, str):
            problems.append(f"a form field under {parent or 'the form'} has a name that is not text ({title!r})")
            return
        qualified = f"{parent}.{title}" if parent and title is not None else (title or parent)
        attrs = {**inherited, **{k: node[k] for k in _INHERITED if k in node}}
        kids = node.get("/Kids")
        kids = [k.get_object() for k in kids] if hasattr(kids, "__iter__") else []
        fields = [k for k in kids if hasattr(k, "get") and "/T" in k]
        if fields:
            for kid in fields:
                yield from walk(kid, qualified, attrs, depth + 1)
            if "/V" not in node:
                return  # a non-terminal node of a field hierarchy
        if qualified:
            yield qualified, attrs

    for root in roots:
        yield from walk(root, "", {}, 0)


def _pdf_value(fname: str, fdata: dict[str, Any], problems: list[str]) -> str | bool | None:
    """A field's value: text, True/False for a check box, the option of a radio group or list."""
    from pypdf.generic import ArrayObject, ByteStringObject, FloatObject, NameObject, NumberObject

    value: Any = fdata.get("/V")
    value = value.get_object() if hasattr(value, "get_object") else value
    kind = fdata.get("/FT")
    flags = fdata.get("/Ff", 0)
    flags = int(flags) if isinstance(flags, (int, float)) else 0
    if kind == "/Btn":
        if flags & _FF_PUSHBUTTON:
            return None
        if value is not None and not isinstance(value, NameObject):
            problems.append(f"field {fname}: the box holds {value!r}, not on or off")
            return None
        if flags & _FF_RADIO:  # a radio group: the chosen button's export name, or nothing
            if value is None or value == "/Off":
                return ""
            option = str(value)[1:]
            opts = fdata.get("/Opt")
            if isinstance(opts, ArrayObject) and option.isdigit() and int(option) < len(opts):
                option = str(opts[int(option)].get_object())
            return option
        return value is not None and value != "/Off"
    if isinstance(value, ByteStringObject):  # pypdf could not decode it as text
        problems.append(f"field {fname}: value is not readable text")
        return None
    if value is None:
        return ""
    if isinstance(value, str):
        return str(value)[1:] if isinstance(value, NameObject) else str(value)
    if isinstance(value, (NumberObject, FloatObject, int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, ArrayObject) and all(isinstance(v, str) for v in value):
        return "；".join(str(v) for v in value)
    problems.append(f"field {fname}: value is not text ({type(value).__name__})")
    return None


# -- Excel -----------------------------------------------------------------------------------

def read_xlsx(name: str, data: bytes, sheet: str | None = None) -> RawForm:
    """The header row and data rows of a regkit workbook's form sheet."""
    with open_zip(name, data) as zf:  # the bomb and DTD checks, before openpyxl reads anything
        refuse_dtds(name, zf)
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise InputError.at(name, 1, 1, "refusing to read XLSX without defusedxml installed")
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=False)
        props = {p.name: p.value for p in wb.custom_doc_props.props}
        form_id, version = identity(name, props, wb.properties.subject, wb.properties.keywords)
        raw = RawForm(form_id, version)
        title = sheet or raw.form_id[:31]
        if title not in wb.sheetnames:
            raise InputError.at(name, 1, 1, f"no sheet named {title!r} (the form's sheet)")
        ws = wb[title]
        ws.reset_dimensions()  # the declared <dimension> may lie
        formulas: list[tuple[int, int]] = []
        for r, row in enumerate(ws.iter_rows(max_row=MAX_SHEET_ROWS + 1), 1):
            if r > MAX_SHEET_ROWS:  # refused, never cut short
                raise InputError.at(name, r, 1, f"the form's sheet has over {MAX_SHEET_ROWS} rows")
            cells = [c.value for c in row]
            for c, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    formulas.append((r, c))
            if r == 1:
                raw.headers = ["" if v is None else str(v).strip() for v in cells]
            else:
                raw.rows.append({"_line": r, **{str(i): v for i, v in enumerate(cells)}})
        wb.close()
    except InputError:
        raise
    except Exception as exc:
        raise InputError.at(name, 1, 1, f"unreadable XLSX ({type(exc).__name__}: {one_line(exc)})") from None
    if formulas:
        _cached_values(name, data, title, raw, formulas)
    return raw


def _cached_values(name: str, data: bytes, title: str, raw: RawForm, formulas: list[tuple[int, int]]) -> None:
    # A formula's value is the one Excel cached at its last save; never calculated reads as None.
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    ws = wb[title]
    ws.reset_dimensions()
    cached = {(r, c): cell.value for r, row in enumerate(ws.iter_rows(max_row=MAX_SHEET_ROWS), 1)
              for c, cell in enumerate(row)}
    wb.close()
    for r, c in formulas:
        value = cached.get((r, c))
        if value is None:
            raise InputError.at(name, r, c + 1, f"cell {get_column_letter(c + 1)}{r} holds a formula Excel never "
                                "calculated (open and save the file in Excel, or type the value)")
        if r > 1:
            raw.rows[r - 2][str(c)] = value


def cell_text(value: Any) -> str | bool | None:
    """A spreadsheet cell as form text (numbers without a spurious .0, dates ISO)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
