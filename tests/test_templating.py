"""Templates stay inside their folder: a link to a file elsewhere is refused, not printed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from regkit.errors import TemplateError
from regkit.loader import load_project
from regkit.templating import environment

HERE = Path(__file__).parent
TEMPLATES = HERE.parent / "templates"
SECRET = "TOP-SECRET-7d1f"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def test_includes_inside_the_folder_and_links_within_it(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "a.html").write_text("<b>{{ x }}</b>", encoding="utf-8")
    (folder / "b.html").symlink_to(folder / "parts" / "a.html")
    (folder / "page.html").write_text('{% include "parts/a.html" %}{% include "b.html" %}', encoding="utf-8")
    assert environment(folder).get_template("page.html").render(x="<&>") == "<b>&lt;&amp;&gt;</b>" * 2


@pytest.mark.parametrize("how", ["include", "main"])
def test_a_link_to_a_file_outside_is_refused(tmp_path: Path, secret: Path, how: str) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "leak.html").symlink_to(secret)
    (folder / "page.html").write_text('{% include "leak.html" %}', encoding="utf-8")
    with pytest.raises(TemplateError, match="outside the template folder") as info:
        environment(folder).get_template("page.html" if how == "include" else "leak.html").render()
    assert SECRET not in str(info.value)


def test_a_linked_folder_is_refused_too(tmp_path: Path, secret: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    with pytest.raises(TemplateError, match="outside the template folder"):
        environment(folder).get_template("sub/secret.txt")


def test_the_document_template_cannot_include_a_linked_file(tmp_path: Path, secret: Path) -> None:
    from regkit.render.context import build_document
    from regkit.render.fonts import FontSet
    from regkit.render.html import render_html
    from regkit.render.settings import load_settings

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "document", templates / "document")
    (templates / "document" / "notes.html").symlink_to(secret)
    page = templates / "document" / "regulation.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("<main>", '<main>{% include "notes.html" %}'),
                    encoding="utf-8")
    project = load_project([HERE / "data" / "render"])
    settings = load_settings(templates)
    doc = build_document(project, project.regulations[0], "zh-Hans", settings)
    with pytest.raises(TemplateError, match="outside the template folder"):
        render_html(doc, templates / "document", FontSet.from_settings(settings.language("zh-Hans").fonts, templates))


def test_the_form_page_cannot_include_a_linked_file(tmp_path: Path, secret: Path) -> None:
    from regkit.forms.api import render_form
    from regkit.forms.style import load_style

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "forms", templates / "forms")
    (templates / "forms" / "notes.html").symlink_to(secret)
    page = templates / "forms" / "form.html"
    page.write_text(page.read_text(encoding="utf-8").replace("<body>", '<body>{% include "notes.html" %}'),
                    encoding="utf-8")
    project = load_project([HERE / "data" / "forms"])
    form_id = next(f.id for _, f in project.forms())
    with pytest.raises(TemplateError, match="outside the template folder"):
        render_form(project, form_id, "pdf", style=load_style(templates))


def test_the_report_page_cannot_include_a_linked_file(tmp_path: Path, secret: Path) -> None:
    import datetime as dt

    from regkit.check.findings import Report
    from regkit.report.html import render_html

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES / "report", templates / "report")
    (templates / "report" / "notes.html").symlink_to(secret)
    page = templates / "report" / "report.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace("<body>", '<body>{% include "notes.html" %}', 1),
                    encoding="utf-8")
    report = Report(dt.date(2026, 1, 1), dt.date(2026, 1, 1), "公司", 0, [], [], [], {})
    with pytest.raises(TemplateError, match="outside the template folder"):
        render_html(report, templates)
