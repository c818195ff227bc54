"""Word forms: WordprocessingML written directly (python-docx has no content-control API).

Every fillable spot is a content control (``w:sdt``) tagged with its control name (see
``layout``): plain text (multi-line where the field is), a date picker (``yyyy-MM-dd``), a
drop-down list for choices, a check box for yes/no fields and multichoice options. The document
is protected for filling in forms (``w:documentProtection w:edit="forms"``), so only the content
controls can be edited. Column widths are fixed (``w:tblLayout``, ``w:gridCol`` and every
``w:tcW``); East Asian fonts are set with ``w:rFonts/@w:eastAsia`` on styles and runs. The form id
and version are custom document properties (``RegkitForm``, ``RegkitFormVersion``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .layout import Cell, Control, FormLayout, Grid
from .output import doc_time, zip_bytes
from .style import Style

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
TWIPS_PER_MM = 1440 / 25.4
# Placeholder shown in an empty text control: full-width spaces print as nothing, so a blank
# form prints clean for handwriting, yet the control is wide enough to click on screen.
PLACEHOLDER = "\u3000" * 4
CHECKED, UNCHECKED = "\u2612", "\u2610"
PROP_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


_UNDERLINE = '<w:u w:val="single"/>'


def tw(mm: float) -> int:
    """Millimetres in twentieths of a point."""
    return round(mm * TWIPS_PER_MM)


def _a(value: str | int) -> str:
    return quoteattr(str(value))


class _Writer:
    def __init__(self, layout: FormLayout, style: Style) -> None:
        self.layout = layout
        self.style = style
        self.width = tw(style.content_width_mm)
        self.next_id = 1
        self.latin = style.text("fonts.latin")

    # -- runs -------------------------------------------------------------------------------
    def rpr(self, font_knob: str, size_knob: str, *, bold: bool = False, color: str | None = None,
            underline: bool = False) -> str:
        font = self.style.text(f"fonts.{font_knob}")
        half_points = round(self.style.num(f"sizes.{size_knob}") * 2)
        return (
            f"<w:rPr><w:rFonts w:ascii={_a(self.latin)} w:hAnsi={_a(self.latin)} w:eastAsia={_a(font)}"
            f" w:cs={_a(self.latin)} w:hint=\"eastAsia\"/>{'<w:b/>' if bold else ''}"
            f"{f'<w:color w:val={_a(color)}/>' if color else ''}"
            f"<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/>"
            f"{_UNDERLINE if underline else ''}</w:rPr>"
        )

    def run(self, text: str, rpr: str) -> str:
        pieces = []
        for i, line in enumerate(text.split("\n")):
            if i:
                pieces.append("<w:br/>")
            if line:
                pieces.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
        return f"<w:r>{rpr}{''.join(pieces)}</w:r>"

    # -- content controls -------------------------------------------------------------------
    def control(self, c: Control, size_knob: str, *, underline: bool = False) -> str:
        sid = self.next_id
        self.next_id += 1
        rpr = self.rpr("value", size_knob, underline=underline)
        head = f"<w:alias w:val={_a(c.label)}/><w:tag w:val={_a(c.tag)}/><w:id w:val=\"{sid}\"/>"
        if c.kind == "check":
            font = self.style.text("fonts.check")
            crpr = (f"<w:rPr><w:rFonts w:ascii={_a(font)} w:eastAsia={_a(font)} w:hAnsi={_a(font)}"
                    f" w:hint=\"eastAsia\"/></w:rPr>")
            body = (
                f"<w14:checkbox><w14:checked w14:val=\"{int(c.checked)}\"/>"
                f"<w14:checkedState w14:val=\"2612\" w14:font={_a(font)}/>"
                f"<w14:uncheckedState w14:val=\"2610\" w14:font={_a(font)}/></w14:checkbox>"
            )
            content = self.run(CHECKED if c.checked else UNCHECKED, crpr)
            return f"<w:sdt><w:sdtPr>{crpr}{head}{body}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"
        empty = not c.text
        kind = ""
        if c.kind == "date":
            full = f" w:fullDate=\"{c.text}T00:00:00Z\"" if c.text else ""
            kind = (f"<w:date{full}><w:dateFormat w:val=\"yyyy-MM-dd\"/><w:lid w:val=\"zh-CN\"/>"
                    "<w:storeMappedDataAs w:val=\"dateTime\"/><w:calendar w:val=\"gregorian\"/></w:date>")
        elif c.kind == "choice":
            items = "".join(f"<w:listItem w:displayText={_a(ch)} w:value={_a(ch)}/>" for ch in c.choices)
            last = f" w:lastValue={_a(c.text)}" if c.text else ""
            kind = f"<w:dropDownList{last}>{items}</w:dropDownList>"
        # Text fields are rich-text controls (no w:text): LibreOffice 7.4 turns plain-text
        # controls into input fields and saves each one as three garbled copies.
        plc = "<w:showingPlcHdr/>" if empty else ""
        content = self.run(PLACEHOLDER if empty else c.text, rpr)
        return f"<w:sdt><w:sdtPr>{rpr}{head}{plc}{kind}</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>"

    def parts(self, parts: list[str | Control], font_knob: str, size_knob: str, *, underline: bool = False) -> str:
        rpr = self.rpr(font_knob, size_knob)
        out = []
        for i, p in enumerate(parts):
            if isinstance(p, Control):
                # underlined: a line to write on in the header of a printed blank form
                out.append(self.control(p, size_knob, underline=underline and p.kind != "check"))
            else:
                gap = "\u3000" if i + 1 < len(parts) and i > 0 and isinstance(parts[i - 1], Control) else ""
                out.append(self.run(p + gap, rpr))
        return "".join(out)

    # -- paragraphs and tables --------------------------------------------------------------
    def para(self, runs: str, *, jc: str = "left", tabs: str = "", before: int = 0, after: int = 0) -> str:
        # pPr children in schema order: tabs, spacing, jc
        return (f"<w:p><w:pPr>{tabs}<w:spacing w:before=\"{before}\" w:after=\"{after}\" w:line=\"240\" "
                f"w:lineRule=\"auto\"/><w:jc w:val=\"{jc}\"/></w:pPr>{runs}</w:p>")

    def cell(self, cell: Cell, width: int, size_knob: str) -> str:
        size_knob = cell.size or size_knob
        font = "label" if cell.style in ("label", "head", "number", "sign") else "value"
        jc = "center" if cell.style in ("head", "number", "sign") or cell.is_check() else "left"
        body = self.para(self.parts(cell.parts, font, size_knob), jc=jc)
        if cell.note:
            body += self.para(self.run(cell.note, self.rpr("hint", "hint", color="555555")), jc=jc)
        span = f"<w:gridSpan w:val=\"{cell.span}\"/>" if cell.span > 1 else ""
        shade = "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"F2F2F2\"/>" if cell.style == "head" else ""
        return (f"<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}{shade}"
                f"<w:vAlign w:val=\"center\"/></w:tcPr>{body}</w:tc>")

    def grid(self, grid: Grid) -> str:
        total = sum(grid.widths)
        cols = [round(self.width * w / total) for w in grid.widths]
        cols[-1] += self.width - sum(cols)
        size = "table" if grid.kind == "table" else "label"
        row_mm = self.style.num("table_row_height" if grid.kind == "table" else "row_height")
        rows = []
        for r, row in enumerate(grid.rows):
            lines = max(c.lines for c in row)
            if grid.kind == "table" and lines > 1:
                height = tw(self.style.num("table_multiline_row_height"))
            else:
                height = tw(row_mm * (1 + 0.75 * (lines - 1)))
            header = "<w:tblHeader/>" if r < grid.header_rows else ""
            cells, i = [], 0
            for cell in row:
                cells.append(self.cell(cell, sum(cols[i:i + cell.span]), size))
                i += cell.span
            rows.append(f"<w:tr><w:trPr><w:cantSplit/>{header}<w:trHeight w:val=\"{height}\" w:hRule=\"atLeast\"/>"
                        f"</w:trPr>{''.join(cells)}</w:tr>")
        border = "".join(f"<w:{s} w:val=\"single\" w:sz=\"6\" w:space=\"0\" w:color=\"000000\"/>"
                         for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
        grid_cols = "".join(f"<w:gridCol w:w=\"{c}\"/>" for c in cols)
        return (
            f"<w:tbl><w:tblPr><w:tblW w:w=\"{self.width}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/>"
            f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
            "<w:tblCellMar><w:left w:w=\"85\" w:type=\"dxa\"/><w:right w:w=\"85\" w:type=\"dxa\"/></w:tblCellMar>"
            f"<w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>{grid_cols}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )

    def spacer(self) -> str:
        # Keeps adjacent tables apart (Word would join them) at almost no height.
        return ("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"40\" w:lineRule=\"exact\"/>"
                "<w:rPr><w:sz w:val=\"4\"/></w:rPr></w:pPr></w:p>")

    def marker(self) -> str:
        """The last, tiny paragraph, holding the form id and version as hidden text: a copy of
        the document properties that survives editors which drop or retype them."""
        form = self.layout.form
        text = f"regkit-form:{form.id} v{form.version}"
        return ("<w:p><w:pPr><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"40\" w:lineRule=\"exact\"/>"
                "<w:rPr><w:vanish/><w:sz w:val=\"4\"/></w:rPr></w:pPr><w:r><w:rPr><w:vanish/><w:sz w:val=\"4\"/>"
                f"</w:rPr><w:t>{escape(text)}</w:t></w:r></w:p>")

    def body(self) -> str:
        lay, st = self.layout, self.style
        out = [
            self.para(self.run(lay.company, self.rpr("company", "company")), jc="center"),
            self.para(self.run(lay.title, self.rpr("title", "title", bold=True)), jc="center", before=60, after=120),
        ]
        meta = lay.header
        runs = self.parts([*meta[0].parts, *meta[1].parts], "label", "meta", underline=True)
        if len(meta) > 2:
            runs += "<w:r><w:tab/></w:r>" + self.parts([*meta[2].parts, *meta[3].parts], "label", "meta",
                                                        underline=True)
        out.append(self.para(runs, tabs=f"<w:tabs><w:tab w:val=\"right\" w:pos=\"{self.width}\"/></w:tabs>"))
        for i, grid in enumerate(lay.grids):
            if i:
                out.append(self.spacer())
            out.append(self.grid(grid))
        if lay.stub_title is not None:
            # The 骑缝 cut line: hyphen tab leaders on both sides of the number.
            tabs = (f"<w:tabs><w:tab w:val=\"center\" w:leader=\"hyphen\" w:pos=\"{self.width // 2}\"/>"
                    f"<w:tab w:val=\"right\" w:leader=\"hyphen\" w:pos=\"{self.width}\"/></w:tabs>")
            cut = "<w:r><w:tab/></w:r>" + self.parts(lay.stub_cut, "label", "cut") + "<w:r><w:tab/></w:r>"
            out.append(self.para(cut, tabs=tabs, before=240, after=240))
            out.append(self.para(self.parts(lay.stub_header, "label", "meta", underline=True), after=60))
            if lay.stub_grid:
                out.append(self.grid(lay.stub_grid))
        out.append(self.marker())
        m = {k: tw(st.num(f"page.margin_{k}")) for k in ("top", "bottom", "left", "right")}
        sect = (
            f"<w:sectPr><w:pgSz w:w=\"{tw(st.num('page.width'))}\" w:h=\"{tw(st.num('page.height'))}\"/>"
            f"<w:pgMar w:top=\"{m['top']}\" w:right=\"{m['right']}\" w:bottom=\"{m['bottom']}\" "
            f"w:left=\"{m['left']}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>"
            "<w:formProt/><w:docGrid w:linePitch=\"312\"/></w:sectPr>"
        )
        return "".join(out) + sect


_DOC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:document xmlns:w="{W_NS}" xmlns:w14="{W14_NS}" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="w14"><w:body>'
)


def _styles(style: Style) -> str:
    latin = escape(style.text("fonts.latin"))
    east = escape(style.text("fonts.label"))
    size = round(style.num("sizes.label") * 2)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:styles xmlns:w="{W_NS}"><w:docDefaults><w:rPrDefault><w:rPr>'
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east}" w:cs="{latin}"/>'
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/>'
        '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
        '</w:pPr></w:pPrDefault></w:docDefaults>'
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        '</w:style><w:style w:type="character" w:styleId="PlaceholderText"><w:name w:val="Placeholder Text"/>'
        '<w:semiHidden/><w:rPr><w:color w:val="808080"/></w:rPr></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr></w:style></w:styles>'
    )


_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/>'
    # Only the content controls can be edited (Word: Restrict Editing > Filling in forms).
    '<w:documentProtection w:edit="forms" w:enforcement="1"/>'
    '<w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="15"/></w:compat></w:settings>'
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/custom.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>'
)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    f'<Relationship Id="rId4" Type="{_REL}/custom-properties" Target="docProps/custom.xml"/></Relationships>'
)
_DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/settings" Target="settings.xml"/></Relationships>'
)


def _core(layout: FormLayout, when: str) -> str:
    f = layout.form
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(f.title)}</dc:title><dc:subject>regkit form {escape(f.id)} v{f.version}</dc:subject>"
        f"<dc:creator>{escape(layout.company)}</dc:creator><cp:keywords>regkit-form:{escape(f.id)}</cp:keywords>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>'
    )


_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>regkit</Application><DocSecurity>0</DocSecurity></Properties>"
)


def _custom(layout: FormLayout) -> str:
    props = [
        ("RegkitForm", "lpwstr", layout.form.id),
        ("RegkitFormVersion", "lpwstr", str(layout.form.version)),
        ("RegkitRegulation", "lpwstr", layout.regulation.id),
    ]
    body = "".join(
        f'<property fmtid="{PROP_FMTID}" pid="{i}" name="{name}"><vt:{t}>{escape(v)}</vt:{t}></property>'
        for i, (name, t, v) in enumerate(props, 2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{body}</Properties>'
    )


def write_docx(layout: FormLayout, style: Style) -> bytes:
    """The form as a protected Word document with content controls."""
    when = doc_time(layout.regulation)
    document = _DOC_HEAD + _Writer(layout, style).body() + "</w:body></w:document>"
    members = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", _APP),
        ("docProps/core.xml", _core(layout, when.strftime("%Y-%m-%dT%H:%M:%SZ"))),
        ("docProps/custom.xml", _custom(layout)),
        ("word/document.xml", document),
        ("word/styles.xml", _styles(style)),
        ("word/settings.xml", _SETTINGS),
        ("word/_rels/document.xml.rels", _DOC_RELS),
    ]
    return zip_bytes([(n, t.encode("utf-8")) for n, t in members], when)
