"""The encoded regulations against their seeds: every clause of every seed appears in its
regulation, every ``source:`` cites a seed line that holds the clause, and the YAML is clean
Simplified Chinese. Then the helpers of ``regkit.seeds`` themselves, each shown to catch what it
is for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regkit.loader import load_regulation_file
from regkit.model import Clause, Regulation
from regkit.seeds import (
    SEED_REGULATIONS,
    SKIPPED,
    artefact_problems,
    normalise,
    regulation_strings,
    seed_clauses,
    seed_file,
    source_problems,
    split_line,
    traditional_problems,
    uncovered,
)

ROOT = Path(__file__).parent.parent
SEEDS = ROOT / "seeds"
REGULATIONS = ROOT / "regulations"
# The five regulations and anything else found in regulations/
REGULATION_FILES = sorted(
    {REGULATIONS / f"{rid}.yaml" for rid in SEED_REGULATIONS.values()}
    | {p for p in REGULATIONS.glob("*.yaml") if p.name != "org.yaml"}
)


def _load(path: Path) -> Regulation:
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} does not exist", pytrace=False)
    reg, _, problems = load_regulation_file(path)
    if reg is None or problems:
        pytest.fail(f"{path.relative_to(ROOT)} does not load:\n" + "\n".join(f"  {p}" for p in problems), pytrace=False)
    return reg


def _fail(header: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{header} ({len(problems)}):\n" + "\n".join(f"  {p}" for p in problems), pytrace=False)


# --- the regulations against the seeds --------------------------------------------------------


@pytest.mark.parametrize("number", sorted(SEED_REGULATIONS), ids=lambda n: f"{n:03d}-{SEED_REGULATIONS[n]}")
def test_every_seed_clause_is_in_its_regulation(number: int) -> None:
    rid = SEED_REGULATIONS[number]
    reg = _load(REGULATIONS / f"{rid}.yaml")
    seed = seed_file(SEEDS, number)
    missing = uncovered(seed, reg)
    _fail(
        f"clauses of seed {seed.name} missing from regulations/{rid}.yaml (of {len(seed_clauses(seed))}; compared "
        "normalised: Simplified, no pinyin, no punctuation, {param} = seed blank or default value)",
        [f"{number:03d}:{line}: {text}\n      normalised: {normalise(text)}" for line, text in missing],
    )


@pytest.mark.parametrize("number", sorted(SEED_REGULATIONS), ids=lambda n: f"{n:03d}-{SEED_REGULATIONS[n]}")
def test_regulation_names_its_seed(number: int) -> None:
    rid = SEED_REGULATIONS[number]
    reg = _load(REGULATIONS / f"{rid}.yaml")
    name = seed_file(SEEDS, number).name
    assert name in [s.file for s in reg.seeds], f"regulations/{rid}.yaml: seeds: does not list {name}"


@pytest.mark.parametrize("path", REGULATION_FILES, ids=lambda p: p.stem)
def test_sources_hold_their_clauses(path: Path) -> None:
    reg = _load(path)
    _fail(f"{path.name}: clauses whose source: line does not hold them", source_problems(reg, SEEDS))


@pytest.mark.parametrize("path", REGULATION_FILES, ids=lambda p: p.stem)
def test_no_traditional_characters(path: Path) -> None:
    reg = _load(path)
    _fail(f"{path.name}: text that OpenCC t2s changes", traditional_problems(regulation_strings(reg)))


@pytest.mark.parametrize("path", REGULATION_FILES, ids=lambda p: p.stem)
def test_no_pinyin_mangled_text_or_seed_blanks(path: Path) -> None:
    reg = _load(path)
    _fail(f"{path.name}: artefacts of the seed left in the text", artefact_problems(regulation_strings(reg)))


# --- normalise -----------------------------------------------------------------------------------


def test_normalise_removes_pinyin_script_punctuation_and_spacing() -> None:
    seed = "規(guī)范市場部與客戶間的互動行為, 確保服務(wù)質量。"
    assert normalise(seed) == "规范市场部与客户间的互动行为确保服务质量"
    assert normalise("（一）目的：") == normalise("(一)目的:") == "一目的"
    assert normalise("关键绩效指标（KPIs）") == normalise("關鍵績效指標(kpis)")


def test_normalise_keeps_parentheses_that_are_not_pinyin() -> None:
    assert normalise("《新(重)進(jìn)客戶操作通知單》") == "新重进客户操作通知单"


def test_normalise_treats_seed_blanks_and_parameters_alike() -> None:
    seed = "每周工作[X]天,每天值班時間為[具體時間段]。"
    assert normalise(seed) == normalise("每周工作{days}天，每天值班时间为{hours}。")
    assert normalise("每周工作[X]天") != normalise("每周工作5天")


def test_normalise_repairs_the_mangled_002_title() -> None:
    line = seed_file(SEEDS, 2).read_text(encoding="utf-8").splitlines()[152]
    assert "!缎拢" in line
    n = normalise(line)
    assert "缎拢" not in n
    # the mangled text was a second copy of the title: once is enough
    assert "填写新重进客户操作通知单交相关部门" in n
    assert normalise("填写《新（重）进客户操作通知单》《新（重）进客户操作通知单》交相关部门") in n


def test_normalise_repairs_the_mangled_004_words() -> None:
    text = seed_file(SEEDS, 4).read_text(encoding="utf-8")
    assert "確?;" in text
    assert "现场协调等确保活动顺利进行3活动结束后" in normalise(text)


# --- seed_clauses --------------------------------------------------------------------------------


def test_split_line_cuts_at_numbers_and_sentence_ends() -> None:
    flat = "一、總則(一)目的為加強管理。(二)適用範圍本辦法適用"
    assert split_line(flat) == ["總則", "目的為加強管理。", "適用範圍本辦法適用"]
    assert split_line("1. 客戶關係管理:定義客戶接觸點。2. 服務") == ["客戶關係管理:", "定義客戶接觸點。", "服務"]
    assert split_line("年度考核於次年1月進行,評定2.5分") == ["年度考核於次年1月進行,評定2.5分"]


def test_seed_004_is_split_into_its_clauses() -> None:
    clauses = seed_clauses(seed_file(SEEDS, 4))
    assert {line for line, _ in clauses} == {1}
    texts = [normalise(t) for _, t in clauses]
    assert texts[0] == "市场内勤管理办法"
    assert texts[-1] == "严禁在互联网等公共平台上泄露公司"
    assert "合规性原则" in texts and "严格遵守国家法律法规以及行业相关标准确保市场内勤工作合法合规" in texts
    assert len(clauses) == 140


def test_seed_001_outline_items_are_heading_and_content() -> None:
    clauses = seed_clauses(seed_file(SEEDS, 1))
    on_9 = [normalise(t) for line, t in clauses if line == 9]
    assert on_9 == ["客户关系管理", "定义客户接触点建立客户档案维护客户联系信息以及定期进行客户满意度调查"]
    on_25 = [normalise(t) for line, t in clauses if line == 25]
    assert len(on_25) == 7 and on_25[0] == "部门职责界定"
    assert 1 not in {line for line, _ in clauses}  # 篇1: the regulation itself


def test_seed_002_site_boilerplate_is_skipped_and_nothing_else() -> None:
    lines = {line for line, _ in seed_clauses(seed_file(SEEDS, 2))}
    assert not lines & set(SKIPPED[2])
    text_lines = [i for i, s in enumerate(seed_file(SEEDS, 2).read_text(encoding="utf-8").splitlines(), 1) if s.strip()]
    assert set(text_lines) - set(SKIPPED[2]) == lines


def test_seed_clauses_fails_loudly_when_a_skipped_line_changed(tmp_path: Path) -> None:
    seed = tmp_path / "002_changed.txt"
    seed.write_text("市場部管理制度新版\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"002_changed\.txt:1: expected a line starting"):
        seed_clauses(seed)


# --- uncovered and source_problems catch what they are for -------------------------------------


def _without(nodes: list[Clause], cid: str) -> list[Clause]:
    return [c.model_copy(update={"children": _without(c.children, cid)}) for c in nodes if c.id != cid]


def test_uncovered_names_a_dropped_clause() -> None:
    reg = _load(REGULATIONS / "market-office.yaml")
    seed = seed_file(SEEDS, 4)
    assert uncovered(seed, reg) == []
    cut = reg.model_copy(update={"body": _without(reg.body, "c4.4.3")})
    missing = uncovered(seed, cut)
    assert [normalise(t) for _, t in missing] == ["严格按照公司数据安全规定处理和存储数据防止数据泄露"]
    assert missing[0][0] == 1


def _regulation(text: str, default: Any = 10, unit: str | None = "元") -> Regulation:
    return Regulation.model_validate({
        "id": "t", "title": "测试制度", "doc_number": "〔2026〕9号", "version": "1.0",
        "effective": "2026-01-01", "department": "市场部", "seeds": [{"file": "009_t.txt"}],
        "revisions": [{"version": "1.0", "date": "2026-01-01", "by": "市场部", "change": "首次发布"}],
        "parameters": [{"key": "fine", "label": "罚款", "type": "integer", "default": default, "unit": unit}],
        "body": [{"id": "s1", "num": "一、", "text": text, "source": "009:2"}],
    })


def test_a_parameter_stands_for_the_seed_value_or_blank(tmp_path: Path) -> None:
    seed = tmp_path / "009_t.txt"
    seed.write_text("測試制度\n一、違反操作規定作業的,每人/次罰款10元。\n", encoding="utf-8")
    assert uncovered(seed, _regulation("违反操作规定作业的，每人/次罚款{fine}元。")) == []
    assert uncovered(seed, _regulation("违反操作规定作业的，每人/次罚款{fine}。")) == []  # unit printed by render
    assert uncovered(seed, _regulation("违反操作规定作业的，每人/次罚款{fine}元。", default=20)) != []
    seed.write_text("測試制度\n一、違反操作規定作業的,每人/次罰款[X]元。\n", encoding="utf-8")
    assert uncovered(seed, _regulation("违反操作规定作业的，每人/次罚款{fine}元。", default=20)) == []


def test_source_problems_names_a_clause_on_the_wrong_line(tmp_path: Path) -> None:
    (tmp_path / "009_t.txt").write_text("測試制度\n一、違反操作規定作業的,每人/次罰款10元。\n", encoding="utf-8")
    assert source_problems(_regulation("违反操作规定作业的，每人/次罚款{fine}元。"), tmp_path) == []
    wrong = _regulation("本制度自发布之日起施行。")
    assert [p.split(":")[0] for p in source_problems(wrong, tmp_path)] == ["t clause s1 (source 009"]
    far = _regulation("违反操作规定作业的。")
    far.body[0].source = "009:7"
    assert "seed 009 has 2 lines" in source_problems(far, tmp_path)[0]


def test_traditional_and_artefact_checks_catch_leftovers() -> None:
    assert traditional_problems(iter([("body a1.text", "市场部管理制度")])) == []
    assert "規→规" in traditional_problems(iter([("body a1.text", "規范管理")]))[0]
    assert "pinyin" in artefact_problems(iter([("body a1.text", "规(guī)范")]))[0]
    assert "mangled" in artefact_problems(iter([("forms x.title", "!缎拢ㄖ兀通知单")]))[0]
    assert "blank" in artefact_problems(iter([("body a1.text", "每周工作[X]天")]))[0]
    assert artefact_problems(iter([("parameters d.description", "“每周工作[X]天”的天数")])) == []
