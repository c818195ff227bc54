"""AcroForm fields over a rendered form page, with pypdf.

Field text uses an embedded TrueType subset (``fieldfont``): pdftk/iText, pypdf, poppler and
the viewers draw a field with the font of its ``/DA``, which every one of them can read (the
predefined STSong-Light makes pdftk write a 0-byte file). Values are written UTF-16BE with a BOM;
each field gets its own appearance stream (many viewers ignore ``NeedAppearances``), so a filled
form prints its values; a blank form also asks viewers to redraw fields (``NeedAppearances``)
in case a filler draws a character its appearance font lacks. Field names are flat ASCII (see
``layout``); a field shown in several places (the number on the 存根 and the 骑缝 line) is one
field with several widgets.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from .fieldfont import (
    BASE_CHARS,
    SubsetFont,
    check_chars,
    common_chars,
    field_faces,
    metrics,
    split_by_face,
    subset,
    to_unicode,
)
from .layout import Control, FormLayout
from .output import doc_time
from .pdf import Widget
from .style import Style

FONT = "/RKF0"
CHECK_FONT = "/ZaDb"
TEXT_SIZE = 10.0
TABLE_SIZE = 9.0
MIN_SIZE = 5.0
LEADING = 1.25
FF_MULTILINE = 1 << 12
FF_DONOTSPELL = 1 << 22
FF_COMBO = 1 << 17
# Chinese line-breaking rules (禁则): no line starts with closing punctuation, none ends with an
# opening one.
NO_LINE_START = frozenset("。，、；：？！）》」』】〕〉”’…—．,.;:?!)]}%％·")
NO_LINE_END = frozenset("（《「『【〔〈“‘([{")


class Fonts:
    """The field fonts of one PDF: subsets of the configured faces, first choice first."""

    def __init__(self, faces: list[SubsetFont]) -> None:
        self.faces = faces

    def pick(self, ch: str) -> int:
        """Index of the first subset drawing ``ch`` (0 if none: it is left out)."""
        return next((i for i, f in enumerate(self.faces) if f.has(ch)), 0)

    def width(self, text: str, size: float) -> float:
        """Width of ``text`` at ``size`` points."""
        return sum(self.faces[self.pick(c)].advance(c) for c in text) * size / 1000

    def runs(self, text: str) -> list[tuple[int, str]]:
        """``text`` cut into runs drawn by one subset each."""
        out: list[tuple[int, str]] = []
        for ch in text:
            i = self.pick(ch)
            if out and out[-1][0] == i:
                out[-1] = (i, out[-1][1] + ch)
            else:
                out.append((i, ch))
        return out


def wrap(text: str, size: float, width: float, fonts: Fonts) -> list[str]:
    """Lines of ``text`` broken to ``width``: Chinese breaks between any two characters except
    before closing and after opening punctuation; Latin words are kept whole."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for token in _tokens(para):
            if line and fonts.width(line + token, size) > width:
                line, token = _kinsoku(line, token)
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
            while fonts.width(line, size) > width and len(line) > 1:
                cut = len(line)
                while cut > 1 and fonts.width(line[:cut], size) > width:
                    cut -= 1
                head, tail = _kinsoku(line[:cut], line[cut:])
                lines.append(head)
                line = tail
        lines.append(line)
    return lines


def _kinsoku(head: str, tail: str) -> tuple[str, str]:
    # Move characters to the next line until it does not start with closing punctuation and this
    # one does not end with opening punctuation (never emptying the line).
    while len(head) > 1 and ((tail and tail[0] in NO_LINE_START) or head[-1] in NO_LINE_END):
        head, tail = head[:-1], head[-1] + tail
    return head, tail


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and ch.isascii() and ch != " " and out[-1].isascii() and not out[-1].endswith(" "):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _stream(writer: PdfWriter, data: bytes, extra: dict[str, NumberObject] | None = None) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for k, v in (extra or {}).items():
        stream[NameObject(k)] = v
    return writer._add_object(stream.flate_encode())


def _font(writer: PdfWriter, sub: SubsetFont) -> IndirectObject:
    m = metrics(sub)
    gids = sorted(set(sub.gids.values()))
    widths = ArrayObject()
    for gid in gids:
        widths += [NumberObject(gid), ArrayObject([NumberObject(sub.widths.get(gid, 1000))])]
    name = NameObject("/" + sub.base_name)
    file2 = _stream(writer, sub.data, {"/Length1": NumberObject(len(sub.data))})
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): name,
        NameObject("/Flags"): NumberObject(4),
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in m["bbox"]),
        NameObject("/ItalicAngle"): NumberObject(0), NameObject("/Ascent"): NumberObject(m["ascent"]),
        NameObject("/Descent"): NumberObject(m["descent"]), NameObject("/CapHeight"): NumberObject(m["cap"]),
        NameObject("/StemV"): NumberObject(80), NameObject("/FontFile2"): file2,
    })
    cid = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): name,
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0),
        }),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        NameObject("/DW"): NumberObject(1000), NameObject("/W"): widths,
    })
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): name, NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid)]),
        NameObject("/ToUnicode"): _stream(writer, to_unicode(sub)),
    })
    return writer._add_object(font)


def _zapf(writer: PdfWriter) -> IndirectObject:
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/ZapfDingbats"),
    }))


def _xobject(writer: PdfWriter, width: float, height: float, content: str,
             fonts: DictionaryObject | None) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(content.encode("ascii"))
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
    })
    if fonts is not None:
        stream[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    return writer._add_object(stream)


def _show(line: str, fonts: Fonts, size: float) -> str:
    out = []
    for i, run in fonts.runs(line):
        out.append(f"/RKF{i} {size:g} Tf <{fonts.faces[i].encode(run)}> Tj ")
    return "".join(out) + "\n"


def text_appearance(text: str, width: float, height: float, *, multiline: bool, size: float,
                    fonts: Fonts) -> tuple[str, float]:
    """The content stream drawing ``text`` in a ``width`` x ``height`` box, and the size used."""
    pad = 1.5
    inner_w, inner_h = max(width - 2 * pad, 1), max(height - 2, 1)
    if not text:
        return "/Tx BMC\nEMC\n", size
    size = min(size, inner_h / (LEADING if multiline else 1.0))
    while True:
        lines = wrap(text, size, inner_w, fonts) if multiline else [text.replace("\n", " ")]
        tall = len(lines) * size * LEADING > inner_h + 0.01
        wide = not multiline and fonts.width(lines[0], size) > inner_w
        if not (tall or wide) or size <= MIN_SIZE:
            break
        size = max(MIN_SIZE, round(size - 0.5, 1))
    out = [f"/Tx BMC\nq\n{pad} 1 {inner_w:.2f} {inner_h:.2f} re W n\nBT\n{FONT} {size:g} Tf 0 g\n"]
    if multiline:
        y = height - 1 - size * 0.92
    else:
        y = (height - size) / 2 + size * 0.14
    out.append(f"{pad + 0.5:.2f} {y:.2f} Td\n{size * LEADING:.2f} TL\n")
    for i, line in enumerate(lines):
        out.append(("T* " if i else "") + _show(line, fonts, size))
    out.append("ET\nQ\nEMC\n")
    return "".join(out), size


def _check_on(width: float, height: float) -> str:
    # A drawn tick, so no font is needed to show a checked box.
    s = min(width, height)
    x0, y0 = (width - s) / 2, (height - s) / 2
    pts = [(0.18, 0.52), (0.42, 0.25), (0.85, 0.8)]
    path = " ".join(f"{x0 + px * s:.2f} {y0 + py * s:.2f} {'m' if i == 0 else 'l'}" for i, (px, py) in enumerate(pts))
    return f"q 0 g 0 G {max(s * 0.12, 0.6):.2f} w 1 J 1 j {path} S Q\n"


def _field_dict(c: Control, layout: FormLayout) -> DictionaryObject:
    d = DictionaryObject({
        NameObject("/T"): TextStringObject(c.name),
        NameObject("/TU"): TextStringObject(c.tooltip),
    })
    if c.kind == "check":
        d[NameObject("/FT")] = NameObject("/Btn")
        d[NameObject("/V")] = NameObject("/Yes" if c.checked else "/Off")
        d[NameObject("/DA")] = TextStringObject(f"{CHECK_FONT} 0 Tf 0 g")
        return d
    size = TABLE_SIZE if c.row is not None else TEXT_SIZE
    d[NameObject("/DA")] = TextStringObject(f"{FONT} {size:g} Tf 0 g")
    if c.kind == "choice":
        d[NameObject("/FT")] = NameObject("/Ch")
        d[NameObject("/Ff")] = NumberObject(FF_COMBO)
        d[NameObject("/Opt")] = ArrayObject(TextStringObject(x) for x in c.choices)
    else:
        d[NameObject("/FT")] = NameObject("/Tx")
        d[NameObject("/Ff")] = NumberObject(FF_DONOTSPELL | (FF_MULTILINE if c.kind == "multiline" else 0))
    d[NameObject("/V")] = TextStringObject(c.text)
    return d


def _widget(writer: PdfWriter, w: Widget, page_ref: IndirectObject, fonts: Fonts,
            resources: DictionaryObject) -> DictionaryObject:
    x0, y0, x1, y1 = w.rect
    width, height = x1 - x0, y1 - y0
    c = w.control
    d = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/Rect"): ArrayObject(FloatObject(v) for v in w.rect),
        NameObject("/F"): NumberObject(4), NameObject("/P"): page_ref,
        NameObject("/Border"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(0)]),
    })
    if c.kind == "check":
        on = _xobject(writer, width, height, _check_on(width, height), None)
        off = _xobject(writer, width, height, "", None)
        d[NameObject("/AS")] = NameObject("/Yes" if c.checked else "/Off")
        d[NameObject("/MK")] = DictionaryObject({NameObject("/CA"): TextStringObject("4")})
        d[NameObject("/AP")] = DictionaryObject({NameObject("/N"): DictionaryObject({
            NameObject("/Yes"): on, NameObject("/Off"): off})})
        return d
    size = TABLE_SIZE if c.row is not None else TEXT_SIZE
    content, _ = text_appearance(c.text, width, height, multiline=c.kind == "multiline", size=size, fonts=fonts)
    d[NameObject("/MK")] = DictionaryObject()
    d[NameObject("/AP")] = DictionaryObject({NameObject("/N"): _xobject(writer, width, height, content, resources)})
    return d


def _ref(ref: IndirectObject | None) -> IndirectObject:
    assert ref is not None  # pages of a PdfWriter are always indirect objects
    return ref


def field_fonts(layout: FormLayout, style: Style) -> Fonts:
    """The subsets a form's fields need: the likely characters (``fieldfont``) in the first font,
    and every character of the values, each in the first font that has it (RenderError naming
    a character no configured font has)."""
    faces = field_faces(style)
    values = "".join(c.text for c in layout.controls())
    reg = layout.regulation
    texts = [reg.model_dump_json(), layout.company]
    own = layout.form.model_dump_json() + layout.company  # the form's labels, choices and hints
    likely = BASE_CHARS + own + common_chars(texts, int(style.num("pdf_fields.common_chars")))
    # The likely characters make the field font (the same for every copy of the form, so it is
    # cached; characters the font lacks are left out by the subsetter); the values' other
    # characters come in small extra subsets, each from the first font that has them.
    first = subset(faces[0], "".join(sorted(set(likely))))
    extra = "".join(sorted({ch for ch in values if ch not in "\r\n\t" and not first.has(ch)}))
    check_chars(faces, extra, f"form {layout.form.id}")
    subsets = [first]
    subsets += [subset(face, chars) for face, chars in zip(faces, split_by_face(faces, extra), strict=True) if chars]
    return Fonts(subsets)


def add_fields(page_pdf: bytes, widgets: list[Widget], layout: FormLayout, style: Style) -> bytes:
    """The page PDF with an AcroForm: one field per control name, widgets at their boxes."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(page_pdf)))
    fonts = field_fonts(layout, style)
    refs = [_font(writer, f) for f in fonts.faces]
    resources = DictionaryObject({NameObject(f"/RKF{i}"): ref for i, ref in enumerate(refs)})
    zapf = _zapf(writer)
    groups: dict[str, list[Widget]] = {}
    for w in widgets:
        groups.setdefault(w.control.name, []).append(w)
    fields = ArrayObject()
    for ws in groups.values():
        field = _field_dict(ws[0].control, layout)
        if len(ws) == 1:
            page = writer.pages[ws[0].page]
            field.update(_widget(writer, ws[0], _ref(page.indirect_reference), fonts, resources))
            ref = writer._add_object(field)
            page.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)
        else:
            ref = writer._add_object(field)
            kids = ArrayObject()
            for w in ws:
                page = writer.pages[w.page]
                widget = _widget(writer, w, _ref(page.indirect_reference), fonts, resources)
                widget[NameObject("/Parent")] = ref
                kid = writer._add_object(widget)
                kids.append(kid)
                page.setdefault(NameObject("/Annots"), ArrayObject()).append(kid)
            field[NameObject("/Kids")] = kids
        fields.append(ref)
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({
            **resources, NameObject(CHECK_FONT): zapf})}),
        NameObject("/DA"): TextStringObject(f"{FONT} {TEXT_SIZE:g} Tf 0 g"),
        # A blank form asks viewers to redraw what a filler drew (it may lack a glyph); a form
        # regkit filled carries complete appearances.
        NameObject("/NeedAppearances"): BooleanObject(not layout.filled),
    }))
    form = layout.form
    stamp = doc_time(layout.regulation).strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata({
        "/Title": form.title, "/Subject": f"regkit form {form.id} v{form.version}", "/Author": layout.company,
        "/Creator": "regkit", "/Producer": "regkit (WeasyPrint, pypdf)", "/CreationDate": stamp, "/ModDate": stamp,
        "/RegkitForm": form.id, "/RegkitFormVersion": str(form.version), "/RegkitRegulation": layout.regulation.id,
    })
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
