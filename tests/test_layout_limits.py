"""Layout values out of range (a font size of 1e9px in regulation.css or form.css, sizes in the
forms' layout.yaml) are a clear error with their line, not a crash or a 2-GB font size in a DOCX."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from regkit.errors import TemplateError
from regkit.forms.style import load_style
from regkit.loader import load_project
from regkit.render.csslimits import check_css

HERE = Path(__file__).parent
TEMPLATES = HERE.parent / "templates"


@pytest.mark.parametrize("value", ["1e9px", "-3pt", "0", "5000%", "25em", "0.2pt"])
def test_a_font_size_out_of_range_is_refused_with_its_line(tmp_path: Path, value: str) -> None:
    css = tmp_path / "regulation.css"
    css.write_text(f"/* x */\nbody {{\n  color: black;\n  font-size: {value};\n}}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"regulation.css:4:3: font-size: .* out of range|is not a size"):
        check_css(css)


@pytest.mark.parametrize("css", ["@page { @bottom-right { font-size: 1e9px } }", "p { line-height: 1e12pt }",
                                 "p { margin: 0 0 1e9mm 0 }"])
def test_sizes_in_nested_rules_are_checked(tmp_path: Path, css: str) -> None:
    path = tmp_path / "a.css"
    path.write_text(css, encoding="utf-8")
    with pytest.raises(TemplateError, match="out of range"):
        check_css(path)


def test_the_shipped_stylesheets_pass() -> None:
    for css in sorted(TEMPLATES.rglob("*.css")):
        check_css(css)


def test_the_document_build_refuses_a_huge_font_size(tmp_path: Path) -> None:
    from regkit.render.context import build_document
    from regkit.render.pdf import render_pdf
    from regkit.render.settings import load_settings

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "document", templates / "document")
    css = templates / "document" / "regulation.css"
    css.write_text(css.read_text(encoding="utf-8").replace("font-size: 16pt;", "font-size: 1e9px;", 1),
                   encoding="utf-8")
    project = load_project([HERE / "data" / "render"])
    doc = build_document(project, project.regulations[0], "zh-Hans", load_settings(templates))
    with pytest.raises(TemplateError, match=r"regulation.css:\d+:\d+: font-size: 1e9px is out of range"):
        render_pdf(doc, templates)


@pytest.mark.parametrize(("knob", "value"), [("  title: 20", "  title: 1000000000"), ("  width: 210", "  width: -5"),
                                             ("row_height: 8.5", "row_height: .inf"),
                                             ("  size: 10.5", "  size: 0")])
def test_layout_yaml_sizes_out_of_range_are_refused(tmp_path: Path, knob: str, value: str) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "forms", templates / "forms")
    layout = templates / "forms" / "layout.yaml"
    text = layout.read_text(encoding="utf-8")
    assert knob in text
    layout.write_text(text.replace(knob, value, 1), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"layout.yaml:\d+:\d+: layout knob .* out of range"):
        load_style(templates)
