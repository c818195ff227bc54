"""`regkit lint`, `regkit list` and the command line's error handling, through CliRunner.

Each bad input is mini.yaml (or org.yaml) with one edit; lint must print exactly the expected
``file:line:col: message`` lines, exit 2 and show no traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import regkit.cli
from regkit.cli import main
from regkit.errors import InputError
from regkit.yamlsafe import MAX_BYTES

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
MINI = (DATA / "mini.yaml").read_bytes()
ORG = (DATA / "org.yaml").read_bytes()
KINDS = "approval, stub_signatures, deadline, cadence, requires, conflict, expr, outstanding"
WHEN = "when: settlement == '现金' and amount > 0"
BIG = b"#" + b"x" * MAX_BYTES + b"\n"

# (case, old, new, expected lines after "bad.yaml:"): ``old`` is replaced once; an empty ``old``
# appends ``new``.
REGULATION_CASES: list[tuple[str, str, str | bytes, list[str]]] = [
    ("unknown key", "department: 市场部\n", "department: 市场部\ncolour: 红\n", ["8:1: unknown key 'colour'"]),
    ("missing required key", "doc_number: 〔2026〕1号\n", "", ["2:1: missing required key 'doc_number'"]),
    ("wrong type: list for text", 'version: "1.0"\neffective', "version: [1, 0]\neffective",
     ["5:10: version: expected text, got a list"]),
    ("wrong type: text for integer", "    number_prefix: SL\n", "    number_prefix: SL\n    version: 二\n",
     ["32:14: version: expected a whole number (e.g. 30); got '二'"]),
    ("wrong type: text for a rule", "  - id: mini-approval\n", "  - mini-approval\n  - id: mini-approval\n",
     ["40:5: rules[0]: expected a mapping (key: value)"]),
    ("duplicate mapping key", "title: 示例制度\n", "title: 示例制度\ntitle: 另一个\n",
     ["4:1: duplicate key 'title' (first at line 3)"]),
    ("duplicate clause id", '        source: "002:46"\nforms:',
     '        source: "002:46"\n      - id: s1.1\n        text: 重复。\n        source: "002:47"\nforms:',
     ["27:13: duplicate clause id 's1.1'"]),
    ("duplicate form id", "rules:\n",
     "  - {id: mini-slip, title: 重复, clauses: [s1.1], number_prefix: SL, fields: [{key: id, label: 编号}]}\nrules:\n",
     ["39:10: duplicate form id 'mini-slip'"]),
    ("duplicate rule id", "    message: 未经部门领导批准\n",
     "    message: 未经部门领导批准\n  - {id: mini-approval, kind: expr, title: 金额为正, clauses: [s1.1], "
     "form: mini-slip, assert: amount > 0, message: 金额须为正}\n",
     ["51:10: duplicate rule id 'mini-approval'"]),
    ("duplicate field key", "{key: date, label: 填写日期", "{key: id, label: 填写日期", ["34:9: duplicate field 'id'"]),
    ("unknown clause", "    clauses: [s1.1]\n    number_prefix", "    clauses: [s9]\n    number_prefix",
     ["30:15: unknown clause 's9'"]),
    ("unknown form", "    form: mini-slip", "    form: mini-slap", ["44:11: unknown form 'mini-slap'"]),
    ("unknown field", "    person: handler", "    person: handlr", ["45:13: unknown field 'handlr' of form mini-slip"]),
    ("unknown stub field", "    number_prefix: SL\n", "    number_prefix: SL\n    stub: {fields: [amout]}\n",
     ["32:21: unknown field 'amout' of form mini-slip"]),
    ("unknown {parameter} in text", "{notice_days}", "{notice_dayz}", ["25:15: unknown parameter {notice_dayz}"]),
    ("unknown fine parameter", "fine: {amount: fine_operating", "fine: {amount: fine_serious",
     ["49:20: unknown parameter 'fine_serious'"]),
    ("unknown role in rule", "    role: 部门经理\n    when", "    role: 总经理\n    when",
     ["47:11: unknown role '总经理' (declare it under roles:)"]),
    ("unknown role of field", "role: 经办人, sign", "role: 出纳, sign",
     ["37:56: unknown role '出纳' (declare it under roles:)"]),
    ("unknown department", "    role: 部门经理\n    when", "    role: 部门经理\n    department: 销售部\n    when",
     ["48:17: unknown department '销售部'"]),
    ("unknown rule kind", "kind: approval", "kind: approve", [f"41:11: unknown rule kind 'approve' (one of {KINDS})"]),
    ("missing rule kind", "    kind: approval\n", "", [f"40:5: missing required key 'kind' (one of {KINDS})"]),
    ("NO in text", "    title: 总则", "    title: NO",
     ["20:12: title: expected text; YAML reads unquoted NO as a boolean (False): quote it to mean text"]),
    ("1:20 in text", "title: 示例通知单", "title: 1:20",
     ["29:12: title: expected text; YAML reads unquoted 1:20 as a number (80): quote it to mean text"]),
    ("date in text", "num: 第一节", "num: 2024-01-01",
     ["19:10: num: expected text; YAML reads unquoted 2024-01-01 as a date: quote it to mean text"]),
    ("anchor and alias", "title: 示例制度\n", "title: &t 示例制度\nshort: *t\n", ["3:8: anchors (&t) are not allowed"]),
    ("python tag", "title: 示例制度", 'title: !!python/object/apply:os.system ["echo pwned"]',
     ["3:8: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"]),
    ("custom tag", "title: 示例制度", "title: !include other.yaml", ["3:8: tag !include is not allowed"]),
    ("invalid UTF-8", "title: 示例制度", "title: 示".encode() + b"\xff" + "例".encode(),
     ["3:9: invalid UTF-8 (byte 0xff)"]),
    ("tab in indentation", "    num: 第一节", "\tnum: 第一节", ["19:1: tab in indentation; indent with spaces"]),
    ("file over the size limit", "", BIG,
     [f"1:1: file is {len(MINI) + len(BIG)} bytes, over the limit of {MAX_BYTES}"]),
    ("nesting over the limit", "seeds: [", "seeds: " + "[" * 100 + "]" * 100 + "\nother: [",
     ["8:71: nesting deeper than 64 levels"]),
    ("expression: unknown field", WHEN, "when: settlment == '现金'",
     ["48:11: expression: unknown name 'settlment' (not a field, parameter or as_of)"]),
    ("expression: number with text", WHEN, "when: amount > '100'",
     ["48:11: expression: cannot compare number with text (\"'100'\")"]),
    ("expression: not a choice", WHEN, "when: settlement in ['现金', '支票']",
     ["48:11: expression: '支票' is not a choice of settlement (现金 / 月结 / 其他)"]),
    ("expression: syntax", WHEN, "when: amount >", ["48:11: expression: syntax error (invalid syntax) in 'amount >'"]),
    ("expression: nested too deeply", WHEN, "when: " + "not " * 3000 + "True",
     ["48:11: expression: expression nested too deeply: 'not not not not not not not not not not '..."]),
    ("id pattern", "  - id: mini-slip", "  - id: Mini_Slip",
     ["28:9: id: 'Mini_Slip' is not valid here; write lowercase letters and digits joined by hyphens, "
      "e.g. arrears-approval"]),
    ("source pattern", 'source: "002:44"', 'source: "p.44"',
     ["21:13: source: 'p.44' is not valid here; write seed number and line in quotes, e.g. \"002:88\""]),
    ("source and added", '    source: "002:44"\n    children', '    source: "002:44"\n    added: true\n    children',
     ["18:5: body[0]: a clause is either from a seed (source) or added, not both"]),
    ("choice field without choices", "type: choice, choices: [现金, 月结, 其他]", "type: choice",
     ["36:9: fields[3]: field settlement: a choice field needs choices"]),
    ("timestamp for a date", "effective: 2026-01-01", "effective: 2026-01-01 08:00:00",
     ["6:12: '2026-01-01 08:00:00' is a timestamp; write a date (YYYY-MM-DD) or quote it"]),
    ("impossible date", "effective: 2026-01-01", "effective: 2026-02-30",
     ["6:12: cannot read value '2026-02-30': day is out of range for month"]),
    ("parameter default of the wrong type", "default: 3,", "default: yes,",
     ["13:63: default: expected an integer, got yes"]),
]

ORG_CASES: list[tuple[str, str, str, list[str]]] = [
    ("org: unknown department", "department: 市场部, roles", "department: 销售部, roles",
     ["5:28: unknown department '销售部'"]),
    ("org: unknown role", "roles: [部门经理]", "roles: [部门经理, 总裁]",
     ["5:47: unknown role '总裁': no regulation names it"]),
    ("org: unknown parameter", "notice_days: 2", "notice_dayz: 2", ["7:10: unknown parameter 'notice_dayz' of mini"]),
    ("org: text for an integer parameter", "notice_days: 2", "notice_days: 两天",
     ["7:23: notice_days: expected an integer, got '两天'"]),
    ("org: boolean for an integer parameter", "notice_days: 2", "notice_days: yes",
     ["7:23: notice_days: expected an integer, got yes"]),
    ("org: unknown regulation", "  mini: {", "  maxi: {", ["7:3: unknown regulation 'maxi'"]),
    ("org: missing company", "company: 某某物流有限公司\n", "", ["1:1: missing required key 'company'"]),
    ("org: duplicate person", "  - {name: 张伟, department: 市场部, roles: [部门经理]}\n",
     "  - {name: 张伟, department: 市场部, roles: [部门经理]}\n  - {name: 张伟, department: 市场部}\n",
     ["6:5: duplicate person '张伟'"]),
]


def edited(source: bytes, old: str, new: str | bytes) -> bytes:
    """``source`` with ``old`` replaced once by ``new`` (appended when ``old`` is empty)."""
    new_b = new if isinstance(new, bytes) else new.encode()
    if not old:
        return source + new_b
    assert old.encode() in source, old
    return source.replace(old.encode(), new_b, 1)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run in tmp_path, so lint prints the short relative names."""
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(cwd)


def lint(*args: str) -> Result:
    """Run ``regkit lint`` with these arguments."""
    return CliRunner().invoke(main, ["lint", *args], obj={})


def assert_lint_fails(result: Result, expected: list[str]) -> None:
    """Exit 2, exactly these lines on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == expected
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_at_least_25_bad_inputs() -> None:
    assert len(REGULATION_CASES) + len(ORG_CASES) >= 25


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in REGULATION_CASES],
                         ids=[c[0] for c in REGULATION_CASES])
def test_bad_regulation(in_tmp: Path, old: str, new: str | bytes, expected: list[str]) -> None:
    (in_tmp / "bad.yaml").write_bytes(edited(MINI, old, new))
    (in_tmp / "org.yaml").write_bytes(ORG)
    assert_lint_fails(lint("bad.yaml", "--org", "org.yaml"), [f"bad.yaml:{e}" for e in expected])


@pytest.mark.parametrize(("old", "new", "expected"), [c[1:] for c in ORG_CASES], ids=[c[0] for c in ORG_CASES])
def test_bad_profile(in_tmp: Path, old: str, new: str, expected: list[str]) -> None:
    (in_tmp / "mini.yaml").write_bytes(MINI)
    (in_tmp / "org.yaml").write_bytes(edited(ORG, old, new))
    assert_lint_fails(lint("mini.yaml", "--org", "org.yaml"), [f"org.yaml:{e}" for e in expected])


def test_every_problem_is_reported_at_once(in_tmp: Path) -> None:
    bad = MINI
    for old, new in [
        ("title: 示例制度\n", "title: 示例制度\ntitle: 另一个\n"),  # YAML level
        ("department: 市场部\n", "department: 市场部\ncolour: 红\n"),  # schema
        ("    title: 总则", "    title: NO"),
        ("kind: approval", "kind: approve"),
    ]:
        bad = edited(bad, old, new)
    (in_tmp / "regs").mkdir()
    (in_tmp / "regs" / "bad.yaml").write_bytes(bad)
    (in_tmp / "regs" / "org.yaml").write_bytes(edited(ORG, "company: 某某物流有限公司\n", ""))
    assert_lint_fails(lint("regs"), [
        "regs/bad.yaml:4:1: duplicate key 'title' (first at line 3)",
        "regs/bad.yaml:9:1: unknown key 'colour'",
        "regs/bad.yaml:22:12: title: expected text; YAML reads unquoted NO as a boolean (False): quote it to mean text",
        f"regs/bad.yaml:43:11: unknown rule kind 'approve' (one of {KINDS})",
        "regs/org.yaml:1:1: missing required key 'company'",
    ])


def test_every_reference_problem_is_reported_at_once(in_tmp: Path) -> None:
    bad = MINI
    for old, new in [
        ("    person: handler", "    person: handlr"),
        ("{notice_days}", "{notice_dayz}"),
        (WHEN, "when: amount > '100'"),
    ]:
        bad = edited(bad, old, new)
    (in_tmp / "bad.yaml").write_bytes(bad)
    (in_tmp / "org.yaml").write_bytes(edited(ORG, "roles: [部门经理]", "roles: [总裁]"))
    assert_lint_fails(lint("bad.yaml", "--org", "org.yaml"), [
        "bad.yaml:25:15: unknown parameter {notice_dayz}",
        "bad.yaml:45:13: unknown field 'handlr' of form mini-slip",
        "bad.yaml:47:11: nobody in the organisation profile holds 部门经理 for mini: add it to someone's roles: "
        "(or under roles: for mini)",
        "bad.yaml:48:11: expression: cannot compare number with text (\"'100'\")",
        "org.yaml:5:41: unknown role '总裁': no regulation names it",
    ])


def test_missing_path(in_tmp: Path) -> None:
    assert_lint_fails(lint("nothere/"), ["nothere:1:1: no such file or folder"])


def test_lint_mini_is_clean() -> None:
    result = lint(str(DATA))
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 1 regulations, 1 forms, 1 rules\n"


def test_lint_the_project_regulations() -> None:
    """The real regulations/ folder, as `make run` lints it."""
    result = CliRunner().invoke(main, ["lint", str(ROOT / "regulations")], obj={})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: ")


def test_list_text() -> None:
    result = CliRunner().invoke(main, ["list", "--regulations", str(DATA)], obj={})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "mini  示例制度  (〔2026〕1号, v1.0, 2 clauses)",
        "  form mini-slip  《示例通知单》  6 fields",
        "  rule mini-approval  [approval] 部门领导批准  — 第一节 总则 第一条",
    ]


def test_list_json() -> None:
    result = CliRunner().invoke(main, ["list", "--regulations", str(DATA), "--json"], obj={})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{
        "id": "mini", "title": "示例制度", "doc_number": "〔2026〕1号", "version": "1.0",
        "effective": "2026-01-01", "clauses": 2,
        "forms": [{"id": "mini-slip", "title": "示例通知单", "version": 1, "fields": 6, "table": False,
                   "stub": False, "citations": ["第一节 总则 第一条"]}],
        "rules": [{"id": "mini-approval", "kind": "approval", "title": "部门领导批准", "form": "mini-slip",
                   "citations": ["第一节 总则 第一条"]}],
    }]


def test_list_of_the_project() -> None:
    result = CliRunner().invoke(
        main, ["list", "--json", "--regulations", str(ROOT / "regulations")], obj={})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [r["id"] for r in data] == sorted(r["id"] for r in data)
    for reg in data:
        assert set(reg) == {"id", "title", "doc_number", "version", "effective", "clauses", "forms", "rules"}
        for rule in reg["rules"]:
            assert rule["citations"] and all(rule["citations"])


def test_list_bad_input_exits_2(in_tmp: Path) -> None:
    (in_tmp / "regs").mkdir()
    (in_tmp / "regs" / "mini.yaml").write_bytes(edited(MINI, "kind: approval", "kind: approve"))
    (in_tmp / "regs" / "org.yaml").write_bytes(ORG)
    result = CliRunner().invoke(main, ["list", "--regulations", "regs"], obj={})
    assert_lint_fails(result, [f"regs/mini.yaml:41:11: unknown rule kind 'approve' (one of {KINDS})"])


def test_help() -> None:
    result = CliRunner().invoke(main, ["--help"], obj={}, prog_name="regkit")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: regkit [OPTIONS] COMMAND [ARGS]...")
    for name in ("lint", "list", "schema"):
        assert f"  {name} " in result.stdout


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"], obj={}, prog_name="regkit")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: regkit {command} [OPTIONS]")
    help_text = main.commands[command].help or ""
    assert help_text.strip(), f"{command} has no help text"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"], obj={})
    assert result.exit_code == 0 and result.stdout.startswith("regkit, version ")


def _boom(*_: object, **__: object) -> None:
    raise RuntimeError("boom")


def test_internal_error_exits_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    # our own function fails unexpectedly: stands for any bug behind a command
    monkeypatch.setattr(regkit.cli, "load_project", _boom)
    result = CliRunner().invoke(main, ["list", "--regulations", str(DATA)], obj={})
    assert result.exit_code == 3
    assert result.stderr == "regkit: internal error: RuntimeError: boom (run with --debug for the traceback)\n"
    assert "Traceback" not in result.output


def test_internal_error_with_debug_shows_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regkit.cli, "load_project", _boom)
    result = CliRunner().invoke(main, ["--debug", "list", "--regulations", str(DATA)], obj={})
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert 'raise RuntimeError("boom")' in result.stderr


def test_input_error_with_debug_shows_traceback_and_lines(in_tmp: Path) -> None:
    (in_tmp / "bad.yaml").write_bytes(edited(MINI, "kind: approval", "kind: approve"))
    (in_tmp / "org.yaml").write_bytes(ORG)
    result = CliRunner().invoke(main, ["--debug", "lint", "bad.yaml", "--org", "org.yaml"], obj={})
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert InputError.__name__ in result.stderr
    assert result.stderr.endswith(f"bad.yaml:41:11: unknown rule kind 'approve' (one of {KINDS})\n")
