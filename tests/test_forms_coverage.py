"""A PDF form prints only characters its fonts have: a label with a character none of the
form.css fonts has is refused naming the character (as the documents' characters are)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forms_support import DATA
from regkit.errors import RenderError
from regkit.forms.api import render_form
from regkit.forms.coverage import family_cmap
from regkit.loader import load_project

RARE = "\U0002A6A5"  # a CJK Extension B character the shipped form fonts lack


def test_the_character_is_in_no_form_font() -> None:
    fams = ["AR PL SungtiL GB", "Noto Serif CJK SC", "Noto Sans CJK SC", "serif", "WenQuanYi Zen Hei", "sans-serif"]
    assert not any(ord(RARE) in family_cmap(f) for f in fams)
    assert ord("客") in family_cmap("AR PL SungtiL GB")


def test_a_label_no_font_has_is_refused_naming_the_character(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGKIT_NO_CACHE", "1")
    regs = tmp_path / "regs"
    shutil.copytree(DATA, regs)
    path = regs / "forms-fixture.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("label: 客户名称,", f"label: 客户{RARE}名称,", 1), encoding="utf-8")
    project = load_project([regs])
    form_id = next(f.id for _, f in project.forms() if any(RARE in x.label for x in f.fields))
    with pytest.raises(RenderError, match=f"form {form_id} .*has {RARE} U\\+2A6A5"):
        render_form(project, form_id, "pdf")
