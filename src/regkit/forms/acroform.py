"""AcroForm fields over a rendered form page, with pypdf.

Field text uses the PDF's predefined CJK font STSong-Light (Adobe-GB1, UniGB-UCS2-H): viewers
supply it, nothing is embedded, and typing Chinese works. Values are written UTF-16BE with a BOM;
each filled field gets its own appearance stream (many viewers ignore ``NeedAppearances``), so a
filled form prints its values. Field names are flat ASCII (see ``layout``); a field shown in several
places (the number on the 存根 and the 骑缝 line) is one field with several widgets.
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

from .layout import Control, FormLayout
from .output import doc_time
from .pdf import Widget

FONT = "/STSong"
CHECK_FONT = "/ZaDb"
TEXT_SIZE = 10.0
TABLE_SIZE = 9.0
MIN_SIZE = 5.0
LEADING = 1.25
FF_MULTILINE = 1 << 12
FF_DONOTSPELL = 1 << 22
FF_COMBO = 1 << 17
# Widths (1/1000 em) of STSong-Light's proportional Latin glyphs, CIDs 1-95 = U+0020..U+007E
# (Adobe-GB1); every other glyph is a full em.
_LATIN_W = [
    207, 270, 342, 467, 462, 797, 710, 239, 374, 374, 423, 605, 238, 375, 238, 334,
    462, 462, 462, 462, 462, 462, 462, 462, 462, 462, 238, 238, 605, 605, 605, 344,
    748, 684, 560, 695, 739, 563, 511, 729, 793, 318, 312, 666, 526, 896, 758, 772,
    544, 772, 628, 465, 607, 753, 711, 972, 647, 620, 607, 374, 333, 374, 606, 500,
    239, 417, 503, 427, 529, 415, 264, 444, 518, 241, 230, 495, 228, 793, 527, 524,
    524, 504, 338, 336, 277, 517, 450, 652, 466, 452, 407, 370, 258, 370, 605,
]
# Unicode blocks given a ToUnicode map (identity): text extraction, and pypdf's own appearance
# generation when a third party fills the form with it.
_UNICODE_BLOCKS = [(0x00, 0x00), (0x20, 0x20), (0x25, 0x26), (0x30, 0x30), (0x4E, 0x9F), (0xFF, 0xFF)]


def char_width(ch: str) -> int:
    """Advance of a character in STSong-Light, 1/1000 em."""
    o = ord(ch)
    return _LATIN_W[o - 0x20] if 0x20 <= o <= 0x7E else 1000


def text_width(text: str, size: float) -> float:
    """Width of ``text`` at ``size`` points."""
    return sum(char_width(c) for c in text) * size / 1000


def encode(text: str) -> str:
    """Text as UniGB-UCS2-H codes (hex); characters beyond the BMP become ？."""
    return "".join(f"{ord(c) if ord(c) <= 0xFFFF else 0xFF1F:04X}" for c in text)


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines of ``text`` broken to ``width`` (Chinese breaks anywhere; Latin words kept whole)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for token in _tokens(para):
            if line and text_width(line + token, size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
            while text_width(line, size) > width and len(line) > 1:
                cut = len(line)
                while cut > 1 and text_width(line[:cut], size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and ch.isascii() and ch != " " and out[-1].isascii() and not out[-1].endswith(" "):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _to_unicode() -> bytes:
    ranges = []
    for lo, hi in _UNICODE_BLOCKS:
        for high in range(lo, hi + 1):
            ranges.append(f"<{high:02X}00> <{high:02X}FF> <{high:02X}00>")
    chunks = [ranges[i:i + 100] for i in range(0, len(ranges), 100)]
    body = "".join(f"{len(c)} beginbfrange\n" + "\n".join(c) + "\nendbfrange\n" for c in chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")


def _font(writer: PdfWriter) -> IndirectObject:
    widths = ArrayObject([NumberObject(1), ArrayObject(NumberObject(w) for w in _LATIN_W)])
    descriptor = DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"), NameObject("/FontName"): NameObject("/STSong-Light"),
        NameObject("/Flags"): NumberObject(6),
        NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in (-25, -254, 1000, 880)),
        NameObject("/ItalicAngle"): NumberObject(0), NameObject("/Ascent"): NumberObject(880),
        NameObject("/Descent"): NumberObject(-120), NameObject("/CapHeight"): NumberObject(737),
        NameObject("/StemV"): NumberObject(58),
    })
    cid = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType0"),
        NameObject("/BaseFont"): NameObject("/STSong-Light"),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("GB1"),
            NameObject("/Supplement"): NumberObject(2),
        }),
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
        NameObject("/DW"): NumberObject(1000), NameObject("/W"): widths,
    })
    cmap = DecodedStreamObject()
    cmap.set_data(_to_unicode())
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject("/STSong-Light"), NameObject("/Encoding"): NameObject("/UniGB-UCS2-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid)]),
        NameObject("/ToUnicode"): writer._add_object(cmap.flate_encode()),
    })
    return writer._add_object(font)


def _zapf(writer: PdfWriter) -> IndirectObject:
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/ZapfDingbats"),
    }))


def _xobject(writer: PdfWriter, width: float, height: float, content: str,
             font: IndirectObject | None) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(content.encode("ascii"))
    stream.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
    })
    if font is not None:
        stream[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject(FONT): font})})
    return writer._add_object(stream)


def text_appearance(text: str, width: float, height: float, *, multiline: bool, size: float) -> tuple[str, float]:
    """The content stream drawing ``text`` in a ``width`` x ``height`` box, and the size used."""
    pad = 1.5
    inner_w, inner_h = max(width - 2 * pad, 1), max(height - 2, 1)
    if not text:
        return "/Tx BMC\nEMC\n", size
    size = min(size, inner_h / (LEADING if multiline else 1.0))
    while True:
        lines = wrap(text, size, inner_w) if multiline else [text.replace("\n", " ")]
        tall = len(lines) * size * LEADING > inner_h + 0.01
        wide = not multiline and text_width(lines[0], size) > inner_w
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
        out.append(("T* " if i else "") + f"<{encode(line)}> Tj\n")
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


def _widget(writer: PdfWriter, w: Widget, page_ref: IndirectObject, font: IndirectObject) -> DictionaryObject:
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
    content, _ = text_appearance(c.text, width, height, multiline=c.kind == "multiline", size=size)
    d[NameObject("/MK")] = DictionaryObject()
    d[NameObject("/AP")] = DictionaryObject({NameObject("/N"): _xobject(writer, width, height, content, font)})
    return d


def _ref(ref: IndirectObject | None) -> IndirectObject:
    assert ref is not None  # pages of a PdfWriter are always indirect objects
    return ref


def add_fields(page_pdf: bytes, widgets: list[Widget], layout: FormLayout) -> bytes:
    """The page PDF with an AcroForm: one field per control name, widgets at their boxes."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(page_pdf)))
    font, zapf = _font(writer), _zapf(writer)
    groups: dict[str, list[Widget]] = {}
    for w in widgets:
        groups.setdefault(w.control.name, []).append(w)
    fields = ArrayObject()
    for ws in groups.values():
        field = _field_dict(ws[0].control, layout)
        if len(ws) == 1:
            page = writer.pages[ws[0].page]
            field.update(_widget(writer, ws[0], _ref(page.indirect_reference), font))
            ref = writer._add_object(field)
            page.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)
        else:
            ref = writer._add_object(field)
            kids = ArrayObject()
            for w in ws:
                page = writer.pages[w.page]
                widget = _widget(writer, w, _ref(page.indirect_reference), font)
                widget[NameObject("/Parent")] = ref
                kid = writer._add_object(widget)
                kids.append(kid)
                page.setdefault(NameObject("/Annots"), ArrayObject()).append(kid)
            field[NameObject("/Kids")] = kids
        fields.append(ref)
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(DictionaryObject({
        NameObject("/Fields"): fields,
        NameObject("/DR"): DictionaryObject({NameObject("/Font"): DictionaryObject({
            NameObject(FONT): font, NameObject(CHECK_FONT): zapf})}),
        NameObject("/DA"): TextStringObject(f"{FONT} {TEXT_SIZE:g} Tf 0 g"),
        NameObject("/NeedAppearances"): BooleanObject(False),
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
