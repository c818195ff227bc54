"""PDF forms: AcroForm fields with CJK, small files, values printed; read back with pypdf,
pdftotext and pdftoppm (poppler)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from forms_support import ARREARS, DATA, LOST
from regkit.forms.acroform import Fonts, field_fonts, text_appearance, wrap
from regkit.forms.api import render_form
from regkit.loader import load_project

PROJECT = load_project([DATA])
poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@pytest.fixture(autouse=True, scope="module")
def _page_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGKIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(scope="module")
def blank() -> bytes:
    return render_form(PROJECT, "arrears-approval", "pdf")


def test_one_page_form_is_small(blank: bytes) -> None:
    assert len(PdfReader(BytesIO(blank)).pages) == 1
    assert len(blank) < 300_000


def test_fields_named_with_keys_and_embedded_subset_font(blank: bytes) -> None:
    # pdftk (iText) cannot use the predefined STSong-Light: the field font is an embedded TrueType
    # subset, Type0/Identity-H with a ToUnicode map, which pdftk, pypdf and poppler all read.
    reader = PdfReader(BytesIO(blank))
    fields = reader.get_fields()
    assert fields is not None
    assert {"id", "date", "customer", "settlement", "amount", "reason", "stub_signed_by"} <= set(fields)
    assert fields["settlement"]["/FT"] == "/Ch" and fields["customer"]["/FT"] == "/Tx"
    assert fields["reason"]["/Ff"] & (1 << 12)  # multiline
    acro = reader.trailer["/Root"]["/AcroForm"]
    font = acro["/DR"]["/Font"]["/RKF0"].get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H" and "/ToUnicode" in font
    assert not str(font["/BaseFont"]).startswith("/STSong")
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor
    assert "/RKF0" in acro["/DA"]
    assert acro["/NeedAppearances"].value is True  # a blank form: viewers redraw what fillers drew
    # the number is one field shown three times: header, 骑缝 line, 存根
    assert len(fields["id"]["/Kids"]) == 3


def test_field_font_holds_the_likely_characters() -> None:
    from regkit.forms.layout import build_layout
    from regkit.forms.style import load_style

    reg, form = PROJECT.form("arrears-approval")  # type: ignore[misc]
    fonts = field_fonts(build_layout(reg, form, PROJECT.org.company, load_style()), load_style())
    first = fonts.faces[0]
    for ch in "0123456789-./:ABCxyz年月日，。、；客户公司现金月结其他欠费原因":
        assert first.has(ch), ch


def test_metadata_carries_form_id_and_version(blank: bytes) -> None:
    meta = PdfReader(BytesIO(blank)).metadata
    assert meta is not None
    assert meta["/RegkitForm"] == "arrears-approval" and meta["/RegkitFormVersion"] == "1"


def test_filled_values_utf16_and_printed(tmp_path: Path) -> None:
    data = render_form(PROJECT, "arrears-approval", "pdf", ARREARS)
    reader = PdfReader(BytesIO(data))
    fields = reader.get_fields()
    assert fields is not None and fields["customer"]["/V"] == ARREARS["customer"]
    raw = reader.trailer["/Root"]["/AcroForm"]["/Fields"]
    customer = next(f.get_object() for f in raw if f.get_object()["/T"] == "customer")
    assert _raw_string(customer["/V"]).startswith(b"(\\376\\377")  # UTF-16BE with its BOM
    reason = next(f.get_object() for f in raw if f.get_object()["/T"] == "reason")
    ap = reason["/AP"]["/N"].get_object().get_data()
    assert b"Tj" in ap and b"/RKF0" in ap  # drawn, not left to NeedAppearances
    assert reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"].value is False


def _raw_string(value: object) -> bytes:
    out = BytesIO()
    value.write_to_stream(out)  # type: ignore[attr-defined]
    return out.getvalue()


@poppler
def test_pdftotext_finds_filled_values(tmp_path: Path) -> None:
    path = tmp_path / "f.pdf"
    path.write_bytes(render_form(PROJECT, "arrears-approval", "pdf", ARREARS))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    values = ("QF-2026-001", "上海浦东", "12345.67", "2026-03-31", "客户资金周转困难", "财务部、调度部", "王芳、陈刚")
    for value in values:
        assert value in text, value
    assert text.count("QF-2026-001") == 3
    lost = tmp_path / "l.pdf"
    lost.write_bytes(render_form(PROJECT, "lost-customer-analysis", "pdf", LOST))
    text = subprocess.run(["pdftotext", str(lost), "-"], capture_output=True, text=True, check=True).stdout
    assert "甲公司" in text and "客户经营变化" in text and "流失客户分析表" in text


@poppler
def test_pdftoppm_renders_filled_chinese(tmp_path: Path) -> None:
    # Inside the reason field's box: no ink on the blank form, the typed name on the filled one.
    ink = {}
    for name, record in (("blank", None), ("filled", ARREARS)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_form(PROJECT, "arrears-approval", "pdf", record))
        reader = PdfReader(path)
        widget = next(a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/T") == "reason")
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        height = float(reader.pages[0].mediabox.height)
        scale = 100 / 72
        crop = ["-x", str(int(x0 * scale) + 2), "-y", str(int((height - y1) * scale) + 2),
                "-W", str(int((x1 - x0) * scale) - 4), "-H", str(int((y1 - y0) * scale) - 4)]
        subprocess.run(["pdftoppm", "-r", "100", "-gray", *crop, str(path), str(tmp_path / name)], check=True)
        pgm = next(tmp_path.glob(f"{name}-*.pgm")).read_bytes()
        pixels = pgm.split(b"\n", 3)[3]
        ink[name] = sum(1 for b in pixels if b < 128)
    assert ink["blank"] == 0
    assert ink["filled"] > 150


def _fonts() -> Fonts:
    from regkit.forms.layout import build_layout
    from regkit.forms.style import load_style

    reg, form = PROJECT.form("arrears-approval")  # type: ignore[misc]
    layout = build_layout(reg, form, PROJECT.org.company, load_style(), {**ARREARS, "reason": "一行长很第𠮷Custom。"})
    return field_fonts(layout, load_style())


def test_appearance_wraps_and_shrinks() -> None:
    fonts = _fonts()
    assert wrap("第一行很长很长很长", 10, 40, fonts) == ["第一行很", "长很长很", "长"]
    assert wrap("Customer promised to pay", 10, 60, fonts)[0] == "Customer"
    content, size = text_appearance("一" * 80, 100, 12, multiline=False, size=10, fonts=fonts)
    assert size == 5.0 and "Tj" in content
    assert text_appearance("", 100, 12, multiline=False, size=10, fonts=fonts)[0] == "/Tx BMC\nEMC\n"


def test_no_line_starts_with_closing_punctuation() -> None:
    # 禁则: 。，、；：？！）》 never begin a line; the character before them moves down with them.
    fonts = _fonts()
    lines = wrap("一行长很第一行长很。第一行长很，一行", 10, 40, fonts)
    assert all(line[:1] not in "。，、；：？！）》" for line in lines), lines
    assert "".join(lines) == "一行长很第一行长很。第一行长很，一行"
    assert all(line[-1:] not in "（《“" for line in wrap("一行长（很第一", 10, 40, fonts))


def test_rare_character_is_drawn_from_a_fallback_font_or_refused() -> None:
    from regkit.errors import RenderError

    fonts = _fonts()
    kai = [i for i, f in enumerate(fonts.faces) if f.has("𠮷")]  # 𠮷 is not in 简报宋: LXGW WenKai draws it
    assert len(kai) == 1 and "LXGW" in str(fonts.faces[kai[0]].face.path)
    content, _ = text_appearance("𠮷野家", 100, 12, multiline=False, size=10, fonts=fonts)
    assert f"/RKF{kai[0]}" in content and "/RKF0" in content
    with pytest.raises(RenderError, match="U\\+10FFFD"):
        render_form(PROJECT, "arrears-approval", "pdf", {**ARREARS, "customer": "甲\U0010fffd"})


def test_reproducible(blank: bytes) -> None:
    assert render_form(PROJECT, "arrears-approval", "pdf") == blank


def test_table_form_fields_are_flat_names() -> None:
    fields = PdfReader(BytesIO(render_form(PROJECT, "lost-customer-analysis", "pdf"))).get_fields()
    assert fields is not None
    assert "rows_0_customer" in fields and "rows_9_result" in fields
    assert all("." not in name for name in fields)


@pytest.mark.parametrize("form_id", ["arrears-approval", "new-customer-notice", "lost-customer-analysis"])
def test_named_forms_of_the_real_regulations_are_one_small_page(form_id: str) -> None:
    # The field font is embedded: the blank one-page form stays under 300 KB all the same.
    real = load_project([Path(__file__).parent.parent / "regulations"])
    data = render_form(real, form_id, "pdf")
    assert len(PdfReader(BytesIO(data)).pages) == 1
    assert len(data) <= 300_000, len(data)


def test_field_font_subsets_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The likely characters' subset is the same for every copy of a form: made once, then read.
    from regkit.forms import fieldfont
    from regkit.render.fonts import Face

    monkeypatch.setenv("REGKIT_CACHE_DIR", str(tmp_path / "pages"))
    face = Face(Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"))
    made = fieldfont.subset.__wrapped__(face, "客户名称")
    files = sorted((tmp_path / "pages" / "field-fonts").iterdir())
    assert [p.suffix for p in files] == [".json", ".ttf"]
    again = fieldfont.subset.__wrapped__(face, "客户名称")
    assert again.data == made.data and again.gids == made.gids
    files[1].write_bytes(b"damaged")  # a damaged entry is made again, never used
    assert fieldfont.subset.__wrapped__(face, "客户名称").data == made.data
