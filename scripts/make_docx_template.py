#!/usr/bin/env python3
"""Generate templates/document/regulation.docx, the Word template of the official documents.

Run `.venv/bin/python scripts/make_docx_template.py` after changing this script; the generated file
is committed, and an admin may also restyle it directly in Word or WPS (change the named styles;
keep the {{ ... }} and {%p ... %} tags). The template follows GB/T 9704-2012 where it applies:

- A4, margins top 37 mm, bottom 35 mm, inside 28 mm, outside 26 mm (mirrored for double-sided);
- a 22 x 28 grid: w:docGrid type="lines" with linePitch 579 twips (28.95 pt = 225 mm / 22) and
  every style's lines exactly 579 twips; 28 characters a line from the characters' spacing, -0.25 pt
  (16 pt - 0.25 pt = 15.75 pt, 28 of them fill 156 mm, justified). Why not the character grid
  (type="linesAndChars" charSpace="-849", 15.79 pt cells)? Word and WPS honour it, but LibreOffice
  (7.4, measured) gives each 16 pt character two 15.79 pt cells: 14 characters a line. Set
  CHAR_GRID = True below to write the character grid anyway;
- body 3号 (16 pt) 仿宋, two-character first-line indent; title 2号 (22 pt) 宋体 bold centred;
  第X章/节 centred 黑体; 一、 黑体; （一） 楷体; numbers of 第X条 in 黑体;
- page numbers "— N —" in 4号 (14 pt) 宋体, odd pages right and even pages left, one character in
  from the edge, as complete PAGE fields;
- East Asian fonts through w:rFonts/@w:eastAsia (宋体, 仿宋, 黑体, 楷体), with the theme-font
  attributes that would override them removed.

Style names are Chinese (what the user sees in Word), style ids English (what the XML says).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "document" / "regulation.docx"

LATIN = "Times New Roman"
SONG, FANG, HEI, KAI = "宋体", "仿宋", "黑体", "楷体"
RED = "D40000"
LINE = 579          # twips: 28.95 pt, one grid line
CHAR = 316          # twips: 15.79 pt, one grid character
TEXT_WIDTH = 8844   # twips: 156 mm
# revision table columns (版本, 修订日期, 修订人, 修订内容): 12 %, 22 %, 18 %, 48 % of the text width
COLUMNS = (1061, 1946, 1592, 4245)
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CHAR_GRID = False   # see the module docstring
CHAR_SPACING = -5   # twentieths of a point: -0.25 pt, for 28 characters a line without the grid


# Word refuses files whose property elements are out of schema order (ECMA-376 CT_PPr / CT_RPr).
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr")
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
             "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
             "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
             "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")


def reorder(parent: Any, order: tuple[str, ...]) -> None:
    """Sort parent's children into schema order (unknown ones last, in their order)."""
    rank = {qn(f"w:{t}"): i for i, t in enumerate(order)}
    kids = list(parent)
    for k in kids:
        parent.remove(k)
    for k in sorted(kids, key=lambda e: rank.get(e.tag, len(order))):
        parent.append(k)


def el(tag: str, **attrs: str) -> Any:
    """A w: element with w: attributes."""
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn(f"w:{k}"), v)
    return e


def child(parent: Any, tag: str, **attrs: str) -> Any:
    """Replace parent's <tag> with a new one carrying attrs, keeping the schema order loosely."""
    old = parent.find(qn(tag))
    new = el(tag, **attrs)
    if old is not None:
        old.addprevious(new)
        parent.remove(old)
    else:
        parent.append(new)
    return new


def set_fonts(rpr: Any, east_asia: str) -> None:
    """Latin and East Asian font names, no theme fonts (which Word would prefer over the names)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = el("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for k, v in (("ascii", LATIN), ("hAnsi", LATIN), ("eastAsia", east_asia), ("cs", LATIN)):
        fonts.set(qn(f"w:{k}"), v)
    fonts.set(qn("w:hint"), "eastAsia")


def strip_theme_fonts(root: Any) -> None:
    """Remove every *Theme attribute of every w:rFonts below root."""
    for fonts in root.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del fonts.attrib[attr]


def run_props(rpr: Any, east_asia: str, size_pt: float, *, bold: bool = False, color: str | None = None) -> None:
    """Fonts, size, weight and colour of a run or style."""
    set_fonts(rpr, east_asia)
    for tag in ("w:b", "w:bCs", "w:color", "w:spacing", "w:sz", "w:szCs", "w:kern"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    if bold:
        rpr.append(el("w:b"))
        rpr.append(el("w:bCs"))
    if color:
        rpr.append(el("w:color", val=color))
    if not CHAR_GRID:
        rpr.append(el("w:spacing", val=str(CHAR_SPACING)))
    rpr.append(el("w:sz", val=str(round(size_pt * 2))))
    rpr.append(el("w:szCs", val=str(round(size_pt * 2))))
    reorder(rpr, RPR_ORDER)


def para_props(ppr: Any, *, jc: str = "both", indent: bool = False, line: int = LINE,
               before: int = 0, after: int = 0, outline: int | None = None, keep_next: bool = False) -> None:
    """Alignment, first-line indent, exact line spacing and outline level of a paragraph style."""
    for tag in ("w:keepNext", "w:spacing", "w:ind", "w:jc", "w:outlineLvl"):
        old = ppr.find(qn(tag))
        if old is not None:
            ppr.remove(old)
    if keep_next:
        ppr.append(el("w:keepNext"))
    ppr.append(el("w:spacing", before=str(before), after=str(after), line=str(line), lineRule="exact"))
    if indent:
        ppr.append(el("w:ind", firstLineChars="200", firstLine=str(2 * CHAR)))
    else:
        ppr.append(el("w:ind", firstLineChars="0", firstLine="0"))
    ppr.append(el("w:jc", val=jc))
    if outline is not None:
        ppr.append(el("w:outlineLvl", val=str(outline)))
    reorder(ppr, PPR_ORDER)


def add_style(document: Any, sid: str, name: str, kind: WD_STYLE_TYPE, base: str | None = "Normal") -> Any:
    """A custom style with an English id and a Chinese name."""
    style = document.styles.add_style(name, kind)
    style.element.set(qn("w:styleId"), sid)
    if base and kind == WD_STYLE_TYPE.PARAGRAPH:
        style.base_style = document.styles[base]
    style.quick_style = True
    return style


def make() -> bytes:
    """The template's bytes."""
    d = docx.Document()
    body = d.element.body
    for p in list(body):
        if p.tag != qn("w:sectPr"):
            body.remove(p)

    # document defaults and Normal: 仿宋 16 pt on the grid, Chinese language, no theme fonts
    styles = d.styles.element
    strip_theme_fonts(styles)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    run_props(rpr, FANG, 16)
    child(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    reorder(rpr, RPR_ORDER)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    child(ppr, "w:spacing", after="0", line=str(LINE), lineRule="exact")
    normal = d.styles["Normal"]
    para_props(normal.element.get_or_add_pPr(), jc="both")
    run_props(normal.element.get_or_add_rPr(), FANG, 16)

    P, C = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER
    specs: list[tuple[str, str, str, float, dict[str, Any], dict[str, Any]]] = [
        ("RegBody", "制度正文", FANG, 16, {}, {"indent": True}),
        ("RegCompany", "发文机关", SONG, 26, {"bold": True, "color": RED}, {"jc": "center", "line": 2 * LINE}),
        ("RegDocNumber", "发文字号", FANG, 16, {}, {"jc": "center", "line": LINE}),
        ("RegTitle", "制度标题", SONG, 22, {"bold": True}, {"jc": "center", "before": LINE}),
        ("RegEffective", "施行日期", KAI, 16, {}, {"jc": "center", "after": LINE}),
        ("RegChapter", "章节标题", HEI, 16, {}, {"jc": "center", "outline": 0, "keep_next": True}),
        ("RegHeading1", "一级标题", HEI, 16, {}, {"indent": True, "outline": 1, "keep_next": True}),
        ("RegHeading2", "二级标题", KAI, 16, {}, {"indent": True, "outline": 2, "keep_next": True}),
        ("RegTableHead", "表头文字", HEI, 14, {}, {"jc": "center", "line": 420}),
        ("RegTableText", "表格文字", FANG, 14, {}, {"jc": "center", "line": 420}),
        ("RegPageNumber", "页码", SONG, 14, {}, {"jc": "right", "line": 280}),
    ]
    for sid, name, face, size, run, par in specs:
        style = add_style(d, sid, name, P)
        para_props(style.element.get_or_add_pPr(), **par)
        run_props(style.element.get_or_add_rPr(), face, size, **run)
    for sid, name, face in (("RegLeadHei", "序号黑体", HEI), ("RegLeadKai", "序号楷体", KAI)):
        style = add_style(d, sid, name, C, base=None)
        set_fonts(style.element.get_or_add_rPr(), face)

    # the red rule under the document number (版头分隔线)
    dn = d.styles["发文字号"].element.get_or_add_pPr()
    borders = el("w:pBdr")
    borders.append(el("w:bottom", val="single", sz="8", space="4", color=RED))
    dn.append(borders)
    reorder(dn, PPR_ORDER)

    def para(text: str, style: str | None = None) -> Any:
        return d.add_paragraph(text, style=style)

    para("{{ doc.company }}", "发文机关")
    para("{{ doc.doc_number }}", "发文字号")
    para("{{ doc.title }}", "制度标题")
    para("{{ doc.effective_line }}", "施行日期")
    para("{%p for b in doc.blocks %}")
    para('{%p if b.kind == "chapter" %}')
    para("{{ b.lead }}", "章节标题")
    para('{%p elif b.kind == "heading1" %}')
    para("{{ b.lead }}", "一级标题")
    para('{%p elif b.kind == "heading2" %}')
    para("{{ b.lead }}", "二级标题")
    for kind, char_style in (("lead_hei", "序号黑体"), ("lead_kai", "序号楷体")):
        para(f'{{%p elif b.kind == "{kind}" %}}')
        p = para("", "制度正文")
        p.add_run("{{ b.lead }}", style=char_style)
        p.add_run("{{ b.text }}")
    para("{%p else %}")
    para("{{ b.text }}", "制度正文")
    para("{%p endif %}")
    para("{%p endfor %}")
    revisions_title = para("{{ doc.revisions_title }}", "章节标题")
    revisions_title.paragraph_format.space_before = Emu(LINE * 635)
    revision_table(d)

    section = d.sections[0]
    sect = section._sectPr
    child(sect, "w:pgSz", w="11906", h="16838")
    child(sect, "w:pgMar", top="2098", right="1474", bottom="1984", left="1587",
          header="851", footer="1304", gutter="0")
    if CHAR_GRID:
        child(sect, "w:docGrid", type="linesAndChars", linePitch=str(LINE), charSpace="-849")
    else:
        child(sect, "w:docGrid", type="lines", linePitch=str(LINE))
    settings = d.settings.element
    zoom = settings.find(qn("w:zoom"))
    zoom.addnext(el("w:mirrorMargins"))
    d.settings.odd_and_even_pages_header_footer = True
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    page_number(section.footer.paragraphs[0], "right", d.styles["页码"])
    page_number(section.even_page_footer.paragraphs[0], "left", d.styles["页码"])

    font_table(d)
    for rid, rel in list(d.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):  # Word 2010's copy, still full of theme fonts
            d.part.drop_rel(rid)
    # the default template's thumbnail shows an unrelated page in file browsers
    package = d.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]

    props = d.core_properties
    props.title, props.author, props.subject = "{{ doc.title }}", "regkit", ""
    props.created = props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by, props.revision = "regkit", 1
    buf = io.BytesIO()
    d.save(buf)
    return fixed_zip(buf.getvalue())


# The Chinese fonts the styles name, declared with their GB2312 charset and English names so Word
# on a non-Chinese Windows (SimSun, FangSong, SimHei, KaiTi) and WPS find them.
FONT_TABLE = ((SONG, "SimSun", "roman"), (FANG, "FangSong", "modern"), (HEI, "SimHei", "modern"),
              (KAI, "KaiTi", "modern"))


def font_table(d: Any) -> None:
    """Add the four Chinese fonts to word/fontTable.xml."""
    from lxml import etree

    part = next(r.target_part for r in d.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob, etree.XMLParser(resolve_entities=False))
    for name, alt, family in FONT_TABLE:
        font = el("w:font", name=name)
        for tag, attrs in (("w:altName", {"val": alt}), ("w:charset", {"val": "86"}),
                           ("w:family", {"val": family}), ("w:pitch", {"val": "variable"})):
            font.append(el(tag, **attrs))
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def revision_table(d: Any) -> None:
    """修订记录: a header row, then one row per revision (docxtpl {%tr %} loop)."""
    t = d.add_table(rows=4, cols=4)
    tbl = t._tbl
    tpr = tbl.tblPr
    for tag in ("w:tblStyle", "w:tblW", "w:tblLayout", "w:tblBorders", "w:tblLook"):
        old = tpr.find(qn(tag))
        if old is not None:
            tpr.remove(old)
    tpr.append(el("w:tblW", w=str(TEXT_WIDTH), type="dxa"))
    tpr.append(el("w:jc", val="center"))
    borders = el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", val="single", sz="6", space="0", color="000000"))
    tpr.append(borders)
    tpr.append(el("w:tblLayout", type="fixed"))
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), COLUMNS, strict=True):
        col.set(qn("w:w"), str(w))
    texts = [
        [f"{{{{ doc.revision_columns[{i}] }}}}" for i in range(4)],
        ["{%tr for r in doc.revisions %}", "", "", ""],
        ["{{ r.version }}", "{{ r.date }}", "{{ r.by }}", "{{ r.change }}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    for r, row in enumerate(t.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(el("w:cantSplit"))
        if r == 0:
            trpr.append(el("w:tblHeader"))
        for c, cell in enumerate(row.cells):
            tcpr = cell._tc.get_or_add_tcPr()
            child(tcpr, "w:tcW", w=str(COLUMNS[c]), type="dxa")
            tcpr.append(el("w:vAlign", val="center"))
            p = cell.paragraphs[0]
            p.style = d.styles["表头文字" if r == 0 else "表格文字"]
            if texts[r][c]:
                p.add_run(texts[r][c])
            if r == 2 and c == 3:
                p.alignment = 0  # the change text reads left-aligned


def page_number(p: Any, side: str, style: Any) -> None:
    """"— N —" with a complete PAGE field (begin / instrText / separate / result / end), aligned to
    ``side`` one character (14 pt) in from the edge of the type area."""
    p.style = style
    ppr = p._p.get_or_add_pPr()
    ppr.append(el("w:ind", **{side: "280"}))
    ppr.append(el("w:jc", val=side))
    reorder(ppr, PPR_ORDER)

    def run(*children: Any) -> None:
        r = OxmlElement("w:r")
        for c in children:
            r.append(c)
        p._p.append(r)

    def text(s: str) -> Any:
        t = el("w:t")
        t.text = s
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        return t

    instr = el("w:instrText")
    instr.text = " PAGE "
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run(text("— "))
    run(el("w:fldChar", fldCharType="begin"))
    run(instr)
    run(el("w:fldChar", fldCharType="separate"))
    run(text("1"))
    run(el("w:fldChar", fldCharType="end"))
    run(text(" —"))


def fixed_zip(data: bytes) -> bytes:
    """Members in a fixed order with a fixed date, so regenerating gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    first = [n for n in ("[Content_Types].xml", "_rels/.rels") if n in names]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in first + sorted(n for n in names if n not in first):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def main() -> int:
    """Write the template."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(make())
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
