"""Fonts: HarfBuzz subsetting, the coverage check, collection faces, font configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from regkit.errors import EnvironmentProblem, RenderError
from regkit.loader import load_project
from regkit.render.context import build_document
from regkit.render.fonts import Face, FontSet, check_coverage, extract_face
from regkit.render.pdf import harfbuzz_subsetting, render_pdf
from regkit.render.settings import load_settings

HERE = Path(__file__).parent
DATA = HERE / "data" / "render"
TEMPLATES = HERE.parent / "templates"
ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def _fonts(lang: str = "zh-Hans") -> FontSet:
    return FontSet.from_settings(load_settings(TEMPLATES).language(lang).fonts, TEMPLATES)


def test_weasyprint_subsets_with_harfbuzz() -> None:
    # weasyprint/pdf/fonts.py Font.subset: HarfBuzz when libharfbuzz-subset loads and HarfBuzz is
    # at least 4.1, else fontTools (~60x slower on CJK fonts). Fails if that fallback would happen.
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None, "libharfbuzz-subset0 is not loadable"
    assert harfbuzz.hb_version_atleast(4, 1, 0)
    assert harfbuzz_subsetting()


def test_render_emits_no_weasyprint_warning(caplog: pytest.LogCaptureFixture) -> None:
    # the fontTools fallback announces itself with a warning; render_pdf turns any warning into a
    # TemplateError, and nothing may reach the log either
    project = load_project([DATA])
    doc = build_document(project, project.regulations[0], "zh-Hans", load_settings(TEMPLATES))
    with caplog.at_level("WARNING", logger="weasyprint"):
        assert render_pdf(doc, TEMPLATES).startswith(b"%PDF-")
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")]


def test_a_character_missing_from_its_font_stops_the_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "regs"
    shutil.copytree(DATA, folder)
    yaml = folder / "handbook.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("按时上下班。", "按时上下班樌颙。"), encoding="utf-8")
    project = load_project([folder])
    doc = build_document(project, project.regulations[0], "zh-Hans", load_settings(TEMPLATES))
    with pytest.raises(RenderError) as err:
        render_pdf(doc, TEMPLATES)
    message = str(err.value)
    assert "樌 U+6A0C" in message and "颙 U+9899" in message
    assert "AR PL SungtiL GB" in message and "gbsn00lp.ttf" in message
    assert "handbook (zh-Hans) PDF" in message


def test_check_coverage_names_font_and_characters() -> None:
    fonts = _fonts()
    check_coverage([(("regkit-hei",), "第一章　总则 12 ab")], fonts, "x")
    with pytest.raises(RenderError, match=r"WenQuanYi Zen Hei .*lacks 1 character\(s\): 𠀀 U\+20000"):
        check_coverage([(("regkit-hei",), "总则𠀀")], fonts, "x")


def test_text_in_an_unconfigured_family_is_refused() -> None:
    # a family regkit does not serve would be fontconfig's silent choice
    with pytest.raises(RenderError, match="font-family serif"):
        check_coverage([(("regkit-song", "serif"), "正文")], _fonts(), "x")
    check_coverage([(("serif",), " \n")], _fonts(), "x")  # only white space: nothing is printed


def test_fallback_font_supplies_what_the_first_lacks() -> None:
    fonts = _fonts("zh-Hant")
    uming = fonts.stack("fang")[0]
    assert not uming.covers("爲")  # what s2t prints for 为
    check_coverage([(("regkit-song", "regkit-song-2"), "爲規範")], fonts, "x")
    with pytest.raises(RenderError, match="爲 U\\+7232"):
        check_coverage([(("regkit-song",), "爲")], fonts, "x")


def test_extract_face_gives_the_configured_face_of_a_collection() -> None:
    for index, name in ((0, "WenQuanYi Zen Hei"), (1, "WenQuanYi Zen Hei Mono")):
        data = extract_face(ZENHEI.read_bytes(), index)
        from io import BytesIO

        font = TTFont(BytesIO(data))
        assert font["name"].getDebugName(4) == name
        assert font.getBestCmap() == TTFont(ZENHEI, fontNumber=index, lazy=True).getBestCmap()
    with pytest.raises(EnvironmentProblem, match="face 7"):
        extract_face(ZENHEI.read_bytes(), 7, "wqy")


def test_font_set_serves_each_face_once() -> None:
    fonts = _fonts()
    families = fonts.families()
    assert len(families) == len(fonts.faces()) == 3  # song and fang share AR PL SungtiL GB
    css = fonts.css()
    assert css.count("@font-face") == 3
    assert '--fang: "regkit-song";' in css and '--hei: "regkit-hei";' in css
    assert Face(ZENHEI, 0).url.endswith("wqy-zenhei.ttc#face=0")


def test_missing_font_file_is_an_environment_problem(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "document", templates / "document")
    settings = templates / "document" / "document.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "kai: /usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", "kai: fonts/KaiTi.ttf"), encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match=r"role kai not found: .*/fonts/KaiTi.ttf"):
        FontSet.from_settings(load_settings(templates).language("zh-Hans").fonts, templates)
    # a font dropped into the project's fonts/ folder is found relative to it
    (tmp_path / "fonts").mkdir()
    shutil.copy("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", tmp_path / "fonts" / "KaiTi.ttf")
    fonts = FontSet.from_settings(load_settings(templates).language("zh-Hans").fonts, templates)
    assert fonts.stack("kai")[0].path == (tmp_path / "fonts" / "KaiTi.ttf").resolve()
