"""The document model both renderers print: numbering, parameters, 附则, editions, timestamps."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from regkit.errors import RenderError
from regkit.loader import load_project
from regkit.render.context import build_document, cn_date
from regkit.render.settings import load_settings

HERE = Path(__file__).parent
DATA = HERE / "data" / "render"
TEMPLATES = HERE.parent / "templates"


def _doc(folder: Path = DATA, lang: str = "zh-Hans"):  # type: ignore[no-untyped-def]
    project = load_project([folder])
    return build_document(project, project.regulations[0], lang, load_settings(TEMPLATES))


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "regs"
    shutil.copytree(DATA, folder)
    yaml = folder / "handbook.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert old in text
    yaml.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_every_numbering_level_gets_its_kind() -> None:
    kinds = [(b.kind, b.lead, b.text[:6]) for b in _doc().blocks]
    assert kinds[:3] == [
        ("chapter", "第一章　总则", ""),
        ("lead_hei", "第一条　目的　", "为规范管理，"),
        ("lead_hei", "第二条　", "请假需提前5"),
    ]
    assert ("para", "", "A<B & ") in kinds  # a second line of a clause is its own paragraph
    assert ("heading1", "一、基本要求", "") in kinds
    assert ("heading2", "（一）工作纪律", "") in kinds
    assert ("para", "", "1.考勤：按") in kinds  # 1. level in the body face, title run in
    assert ("para", "", "（1）迟到三") in kinds
    assert ("lead_kai", "（二）", "未尽事宜由部") in kinds  # untitled （二）: number in 楷体
    assert ("lead_hei", "二、", "各部门应遵守") in kinds


def test_bookmarks_per_chapter_and_first_level() -> None:
    marks = [(b.lead, b.bookmark) for b in _doc().blocks if b.bookmark]
    assert marks == [("第一章　总则", 1), ("第二章　管理规范", 1), ("一、基本要求", 2), ("附则", 1),
                     ("附录　术语", 1)]


def test_parameters_take_the_profiles_value_and_unit_once() -> None:
    text = "".join(b.plain for b in _doc().blocks)
    # notice_days: 5 from org.yaml (default 3), unit 天 added; fine: default 10, 元 already in the text
    assert "请假需提前5天申请，违者罚款10元。" in text
    assert "{" not in text


def test_a_parameter_without_value_stops_the_build(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "type: integer, default: 10, unit: 元", "type: integer, unit: 元")
    with pytest.raises(RenderError, match=r"handbook: parameter fine \(罚款金额\) has no value"):
        _doc(folder)


def test_closing_provisions_added_before_the_appendix_when_missing(tmp_path: Path) -> None:
    leads = [b.lead for b in _doc().blocks if b.kind == "chapter"]
    assert leads == ["第一章　总则", "第二章　管理规范", "附则", "附录　术语"]
    text = "".join(b.plain for b in _doc().blocks)
    assert "本制度由行政部负责解释，自2026年3月1日起施行。" in text
    own = _copy(tmp_path, "title: 管理规范", "title: 附则")
    assert [b.lead for b in _doc(own).blocks if b.kind == "chapter"] == ["第一章　总则", "第二章　附则", "附录　术语"]


def test_header_block_strings() -> None:
    doc = _doc()
    assert (doc.company, doc.doc_number, doc.title) == ("某某测试有限公司", "某某测试〔2026〕9号", "测试管理制度")
    assert doc.effective_line == "（2026年3月1日起施行）"
    assert [r.version for r in doc.revisions] == ["1.0", "1.1"]
    assert doc.revisions[1].date == "2026年3月1日"


def test_traditional_edition_converts_every_string() -> None:
    doc = _doc(lang="zh-Hant")
    assert doc.title == "測試管理制度"
    assert doc.doc_number == "某某測試〔2026〕9號"
    assert doc.revisions_title == "修訂記錄"
    assert any(b.lead == "第二章　管理規範" for b in doc.blocks)


def test_control_characters_never_reach_the_documents(tmp_path: Path) -> None:
    folder = _copy(tmp_path, "为规范管理，制定本制度。", '"为规范\\t管理\\f，制定本制度。"')
    assert any(b.text == "为规范管理，制定本制度。" for b in _doc(folder).blocks)


def test_timestamp_from_source_date_epoch_else_latest_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert _doc().timestamp == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert _doc().iso_timestamp == "2026-01-01T00:00:00Z"


def test_cn_date() -> None:
    assert cn_date(dt.date(2026, 1, 9)) == "2026年1月9日"


def test_balanced_lines() -> None:
    from regkit.render.html import balanced_lines

    assert balanced_lines("市场部的管理制度", 19) == ["市场部的管理制度"]
    title = "一二三四五六七八九十一二三四五六七八九十一"
    assert balanced_lines(title, 19) == ["一二三四五六七八九十一", "二三四五六七八九十一"]
    assert balanced_lines("甲" * 40, 19) == ["甲" * 14, "甲" * 13, "甲" * 13]
    assert balanced_lines("", 19) == [""]
