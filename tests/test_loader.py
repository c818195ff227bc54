"""The library side of loading: load_project() and the Project it returns, and how problems in
several places of several files come back together in one InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from regkit import InputError, load_project
from regkit.loader import discover, load_regulation_file

DATA = Path(__file__).parent / "data"
MINI = (DATA / "mini.yaml").read_text(encoding="utf-8")
RULE_KINDS = "approval, stub_signatures, deadline, cadence, requires, conflict, expr, outstanding"
ORG = (DATA / "org.yaml").read_text(encoding="utf-8")


def write(folder: Path, name: str, text: str, *edits: tuple[str, str]) -> Path:
    """Write ``text`` with each (old, new) edit applied once; every ``old`` must be there."""
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(*paths: Path, org: Path | None = None) -> list[str]:
    """The lines of the InputError load_project raises."""
    with pytest.raises(InputError) as info:
        load_project(paths, org)
    return info.value.lines()


def test_project_api() -> None:
    project = load_project([DATA])
    reg = project.regulation("mini")
    assert reg is not None and project.regulation("nope") is None
    assert [r.id for r in project.regulations] == ["mini"]
    assert project.files == {"mini": str(DATA / "mini.yaml")}
    hit = project.form("mini-slip")
    assert hit is not None and hit[0] is reg and hit[1].title == "示例通知单"
    assert [f.id for _, f in project.forms()] == ["mini-slip"]
    assert project.org.company == "某某物流有限公司"
    assert project.org.head_of("市场部") == "张伟"
    assert project.org.holders("部门经理") == {"张伟"}
    # the profile's value wins over the regulation's default; unset parameters keep the default
    assert project.param(reg, "notice_days") == 2
    assert project.param(reg, "mini:fine_operating") == 10
    assert project.params(reg) == {"fine_operating": 10, "notice_days": 2}
    with pytest.raises(KeyError):
        project.param(reg, "nothere")
    with pytest.raises(KeyError):
        project.param(reg, "other-reg:fine_operating")


def test_model_helpers_on_mini() -> None:
    reg = load_project([DATA]).regulations[0]
    assert [c.id for c in reg.clauses()] == ["s1", "s1.1"]
    assert reg.citation("s1.1") == "第一节 总则 第一条"
    assert reg.role_names() == {"部门经理", "部门领导", "经办人"}
    form = reg.form("mini-slip")
    assert form is not None and form.table is None
    assert reg.rules[0].kind == "approval"


def test_discover_splits_regulations_and_profile(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MINI)
    write(tmp_path, "b.yml", MINI)
    write(tmp_path, "org.yaml", ORG)
    write(tmp_path, "notes.txt", "not yaml")
    regs, org = discover([tmp_path])
    assert regs == [tmp_path / "a.yaml", tmp_path / "b.yml"]
    assert org == tmp_path / "org.yaml"


def test_missing_path_and_missing_profile(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nothere") == [f"{tmp_path / 'nothere'}:1:1: no such file or folder"]
    reg = write(tmp_path, "mini.yaml", MINI)
    assert problems_of(reg, org=tmp_path / "org.yaml") == [
        f"{tmp_path / 'org.yaml'}:1:1: organisation profile not found (give --org FILE)"
    ]


def test_same_regulation_id_in_two_files(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", MINI)
    b = write(tmp_path, "b.yaml", MINI)
    org = write(tmp_path, "org.yaml", ORG)
    assert f"{b}:2:5: regulation id 'mini' also defined in {a}" in problems_of(a, b, org=org)


def test_duplicate_keys_do_not_hide_schema_and_reference_problems(tmp_path: Path) -> None:
    # YAML-level problems used to stop loading before the schema and references were checked
    reg = write(
        tmp_path, "bad.yaml", MINI,
        ("title: 示例制度\n", "title: 示例制度\ntitle: 又一个\n"),
        ("    num: 第一节\n", "    num: 第一节\n    colour: 红\n"),
        ("    form: mini-slip", "    form: mini-slap"),
    )
    org = write(tmp_path, "org.yaml", ORG)
    # and the schema problem does not hide the reference problem either: one run says all three
    assert problems_of(reg, org=org) == [
        f"{reg}:4:1: duplicate key 'title' (first at line 3)",
        f"{reg}:21:5: unknown key 'colour'",
        f"{reg}:46:11: unknown form 'mini-slap'",
    ]
    # with the schema satisfied, the references are checked too
    reg = write(
        tmp_path, "bad.yaml", MINI,
        ("title: 示例制度\n", "title: 示例制度\ntitle: 又一个\n"),
        ("    form: mini-slip", "    form: mini-slap"),
    )
    assert problems_of(reg, org=org) == [
        f"{reg}:4:1: duplicate key 'title' (first at line 3)",
        f"{reg}:45:11: unknown form 'mini-slap'",
    ]


def test_unreadable_value_is_reported_once(tmp_path: Path) -> None:
    reg = write(tmp_path, "bad.yaml", MINI, ("effective: 2026-01-01", "effective: 2026-02-30"))
    org = write(tmp_path, "org.yaml", ORG)
    # YAML's problem only, not also the schema's "effective: Input should be a valid date" there
    assert problems_of(reg, org=org) == [f"{reg}:6:12: cannot read value '2026-02-30': day is out of range for month"]


def test_problems_in_regulation_and_profile_together(tmp_path: Path) -> None:
    reg = write(tmp_path, "bad.yaml", MINI, ("version: \"1.0\"\neffective", "version: [1]\neffective"))
    org = write(tmp_path, "org.yaml", ORG, ("company: 某某物流有限公司\n", ""))
    assert problems_of(reg, org=org) == [
        f"{reg}:5:10: version: expected text, got a list",
        f"{org}:1:1: missing required key 'company'",
    ]


def test_broken_regulation_does_not_hide_problems_of_the_others(tmp_path: Path) -> None:
    broken = write(tmp_path, "other.yaml", MINI, ("id: mini\n", "id: other\n"), ("kind: approval", "kind: approve"),
                   ("  - {name: 经办人}", "  - {name: 经办人}\n  - {name: 出纳}"))
    reg = write(
        tmp_path, "mini.yaml", MINI,
        ("    person: handler", "    person: handlr"),
        ("    clauses: [s1.1]\n    form", "    clauses: [s1.1, other:s1, s9]\n    form"),
    )
    org = write(tmp_path, "org.yaml", ORG, ("roles: [部门经理]", "roles: [部门经理, 出纳]"))
    # the broken file is checked without its broken rule: other:s1 and 出纳 are found in it, and
    # its copy of mini's form is reported in the same run
    assert problems_of(reg, broken, org=org) == [
        f"{reg}:43:31: unknown clause 's9'",
        f"{reg}:45:13: unknown field 'handlr' of form mini-slip",
        f"{broken}:29:9: duplicate form id 'mini-slip'",
        f"{broken}:42:11: unknown rule kind 'approve' (one of {RULE_KINDS})",
    ]


def test_broken_profile_does_not_hide_reference_problems(tmp_path: Path) -> None:
    reg = write(tmp_path, "bad.yaml", MINI, ("    form: mini-slip", "    form: mini-slap"))
    org = write(tmp_path, "org.yaml", ORG, ("company: 某某物流有限公司\n", ""))
    assert problems_of(reg, org=org) == [
        f"{reg}:44:11: unknown form 'mini-slap'",
        f"{org}:1:1: missing required key 'company'",
    ]
    assert problems_of(reg, org=tmp_path / "none.yaml") == [
        f"{reg}:44:11: unknown form 'mini-slap'",
        f"{tmp_path / 'none.yaml'}:1:1: organisation profile not found (give --org FILE)",
    ]


def test_load_regulation_file_returns_model_with_yaml_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", MINI, ("title: 示例制度\n", "title: 示例制度\ntitle: 又一个\n"))
    reg, loc, problems = load_regulation_file(path)
    assert reg is not None and reg.title == "示例制度"
    assert loc is not None and loc.where(("title",)) == (3, 8)
    assert [str(p) for p in problems] == [f"{path}:4:1: duplicate key 'title' (first at line 3)"]


def test_not_a_mapping(tmp_path: Path) -> None:
    reg = write(tmp_path, "list.yaml", "- a\n- b\n")
    org = write(tmp_path, "org.yaml", "just text\n")
    assert problems_of(reg, org=org) == [
        f"{reg}:1:1: a regulation file is a mapping (id:, title:, ...)",
        f"{org}:1:1: the organisation profile is a mapping (company:, departments:, ...)",
    ]


KINDS = (
    "{key: date, label: 填写日期, type: date}",
    "{key: date, label: 填写日期, type: date}\n      - {key: kinds, label: 类别, type: multichoice, choices: [甲, 乙]}",
)


def test_valid_expressions_pass(tmp_path: Path) -> None:
    when = "\"'甲' in kinds and days(date, as_of) <= notice_days and not empty(handler)\""
    reg = write(tmp_path, "ok.yaml", MINI, KINDS, ("when: settlement == '现金' and amount > 0", f"when: {when}"))
    org = write(tmp_path, "org.yaml", ORG)
    assert load_project([reg], org).regulations[0].rules[0].when == when.strip('"')


@pytest.mark.parametrize(("when", "message"), [
    ("\"'丙' in kinds\"", "expression: '丙' is not a choice of kinds (甲 / 乙)"),
    ("days(date, as_of) > '3'", "expression: cannot compare number with text (\"'3'\")"),
    ("len(kinds) + date > 0", "expression: cannot apply + to number and date in 'len(kinds) + date'"),
    ("amount", "expression: 'amount' is number, a rule needs boolean"),
    ("other.amount > 0", "expression: other.<field> is only for requires rules"),
    ("__import__('os').system('x')", "expression: only len(), days(), workdays(), empty(), month(), "
     "day_of_next_month(), next_year(), head(), department(), number() may be called"),
    ("amount.real > 0", "expression: only other.<field> may use a dot"),
    ("notice_days > 'x'", "expression: cannot compare number with text (\"'x'\")"),
])
def test_expression_type_errors(tmp_path: Path, when: str, message: str) -> None:
    reg = write(tmp_path, "bad.yaml", MINI, KINDS, ("when: settlement == '现金' and amount > 0", f"when: {when}"))
    org = write(tmp_path, "org.yaml", ORG)
    assert problems_of(reg, org=org) == [f"{reg}:49:11: {message}"]


@pytest.mark.parametrize(("text", "token", "message"), [
    ("{id: r2, kind: deadline, title: 期限, clauses: [s1.1], form: mini-slip, due: date, days: grace, message: 超期}",
     "grace", "unknown parameter 'grace'"),
    ("{id: r2, kind: deadline, title: 期限, clauses: [s1.1], form: mini-slip, due: date, days: -grace, message: 超期}",
     "-grace", "unknown parameter 'grace'"),
    ("{id: r2, kind: deadline, title: 期限, clauses: [s1.1], form: mini-slip, due: date, done: done_on, message: 超期}",
     "done_on", "unknown field 'done_on' of form mini-slip"),
    ("{id: r2, kind: cadence, title: 每月, clauses: [s1.1], form: mini-slip, date_field: date, period: fortnight, "
     "responsible: role:部门经理, message: 缺}", "fortnight", "unknown parameter 'fortnight'"),
    ("{id: r2, kind: cadence, title: 每月, clauses: [s1.1], form: mini-slip, date_field: date, "
     "responsible: 部门经理, message: 缺}", "部门经理", "responsible is written role:NAME"),
    ("{id: r2, kind: cadence, title: 每日, clauses: [s1.1], form: mini-slip, date_field: handler, period: day, "
     "responsible: role:部门经理, message: 缺}", "day", "a daily duty needs a date field; handler is a person field"),
    ("{id: r2, kind: requires, title: 需要, clauses: [s1.1], form: mini-slip, other: mini-slop, match: {id: id}, "
     "message: 缺}", "mini-slop", "unknown form 'mini-slop'"),
    ("{id: r2, kind: requires, title: 需要, clauses: [s1.1], form: mini-slip, other: mini-slip, match: {id: idd}, "
     "message: 缺}", "idd", "unknown field 'idd' of form mini-slip"),
    ("{id: r2, kind: requires, title: 需要, clauses: [s1.1], form: mini-slip, other: mini-slip, match: {id: id}, "
     "where: other.amout > 0, message: 缺}", "other.amout", "expression: unknown field other.amout"),
    ("{id: r2, kind: conflict, title: 一致, clauses: [s1.1], form: mini-slip, key: [id], agree: [amout], "
     "message: 不一致}", "amout", "unknown field 'amout' of form mini-slip"),
    ("{id: r2, kind: stub_signatures, title: 存根, clauses: [other-reg:s1], form: mini-slip, "
     "departments_field: handler, signed_field: approved_by, message: 缺}", "other-reg:s1",
     "unknown clause 'other-reg:s1'"),
    ("{id: r2, kind: expr, title: 正数, clauses: [s1.1], assert: amount > 0, message: 缺}",
     "{id", "missing required key 'form'"),
    ("{id: r2, kind: expr, title: 正数, clauses: [s1.1], form: mini-slip, person: role:出纳, "
     "assert: amount > 0, message: 缺}", "role:出纳", "unknown role '出纳' (declare it under roles:)"),
    ("{id: r2, kind: expr, title: 正数, clauses: [s1.1], form: mini-slip, "
     "fine: {amount: fine_operating, clause: s2}, assert: amount > 0, message: 缺}", "s2", "unknown clause 's2'"),
])
def test_rule_references(tmp_path: Path, text: str, token: str, message: str) -> None:
    end = "    message: 未经部门领导批准\n"
    reg = write(tmp_path, "bad.yaml", MINI, (end, f"{end}  - {text}\n"))
    org = write(tmp_path, "org.yaml", ORG)
    line = reg.read_text(encoding="utf-8").splitlines()[50]
    assert problems_of(reg, org=org) == [f"{reg}:51:{line.index(token) + 1}: {message}"]
