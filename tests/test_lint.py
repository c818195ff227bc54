"""`regkit lint` on a project of one's own: a regulation written outside the team with planted
mistakes of every kind is reported whole in one run, in the author's terms; `lint FILE` reports
that file only; roles belong to their regulation; help texts are filled on forms."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document

from regkit.check.rules import holders
from regkit.cli import main
from regkit.forms.api import render_form
from regkit.loader import load_project
from regkit.starter import init_project


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj={})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_project(tmp_path / "p").root
    monkeypatch.chdir(root)
    return root


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


PLANTED = [
    ("department: 财务部\nseeds", "department: 财务部\ncolour: 红\nseeds"),
    ("seeds: [{file: 000_expense.txt}]", "seeds: [{file: 000_expence.txt}]"),
    ('source: "000:18"', 'source: "000:99"'),
    ("    days: claim_days\n", "    days: 30天\n"),
    ("    message: 借款单{id}应由{borrower}所在", "    message: 借款单{id}应由{borower}所在"),
    ('help: "借款之日起{loan_days}内归还"', 'help: "借款之日起{loan_dayz}内归还"'),
    ("    role: 总经理\n", "    role: 总经理\n    department: 财务部\n"),
    ("    clauses: [a11]\n", "    clauses: [a111]\n"),
    ("    when: amount > big_claim\n", "    when: amount > '5000'\n"),
    ("    done: repaid_on\n", "    done: repaid\n"),
    ("{key: purpose, label: 借款用途,", '{key: purpose, label: "借款用途{loan_days}",'),
    ("number_prefix: JK", "number_prefix: jk"),
    ("  - id: loan-approved-by-head\n", "  - id: loan-monthly\n    kind: cadence\n    title: 借款月报\n"
     "    clauses: [a9]\n    form: loan\n    date_field: date\n    period: 每月\n    message: 本月无借款记录\n"
     "  - id: loan-approved-by-head\n"),
]


def test_planted_mistakes_are_reported_in_one_run(project: Path) -> None:
    edit(project / "regulations" / "expense.yaml", *PLANTED)
    result = run("lint")
    assert result.exit_code == 2
    f = "regulations/expense.yaml"
    assert result.stderr.splitlines() == [
        f"{f}:9:1: unknown key 'colour'",
        f"{f}:10:16: seed file '000_expence.txt' is not in seeds/",
        f"{f}:102:17: source 000:99: seed 000 has 18 lines",
        f"{f}:128:20: number_prefix: 'jk' is not valid here; write capital letters, e.g. QF",
        f"{f}:135:31: unknown placeholder {{loan_days}} (a label is printed as written)",
        f"{f}:139:74: unknown placeholder {{loan_dayz}} (parameters: big_claim, claim_days, fine_overdue_loan, "
        "loan_days, meal_limit, pay_workdays)",
        f"{f}:149:11: days: expected a whole number (e.g. 30) or a parameter key (e.g. claim_days, or -claim_days "
        "for that many days before); got '30天'",
        f"{f}:177:11: nobody in the organisation profile holds 总经理 in 财务部 for expense: add it to someone's "
        "roles: (or under roles: for expense)",
        f"{f}:186:11: expression: cannot compare number with text (\"'5000'\")",
        f"{f}:233:14: unknown placeholder {{borower}} (known: amount, approved_by, approved_on, as_of, big_claim, "
        "borrower, claim_days, date, fine_overdue_loan, id, loan_days, meal_limit, paid_on, pay_workdays, purpose, "
        "repaid_on)",
        f"{f}:251:11: unknown field 'repaid' of form loan",
        f"{f}:257:15: unknown clause 'a111'",
    ]
    # no library words
    for word in ("Input should", "pydantic", "constrained-str", "literal[", "int:", "pattern '^"):
        assert word not in result.stderr


def test_lint_file_reports_that_file_only(project: Path) -> None:
    regs = project / "regulations"
    other = regs / "trips.yaml"
    text = (regs / "expense.yaml").read_text(encoding="utf-8")
    text = re.sub(r"  - id: (\S+)\n    kind:", r"  - id: trip-\1\n    kind:", text)
    other.write_text(text.replace("id: expense\n", "id: trips\n").replace("id: expense-claim", "id: trip-claim")
                     .replace("id: loan\n", "id: trip-loan\n").replace("form: loan\n", "form: trip-loan\n")
                     .replace("form: expense-claim", "form: trip-claim")
                     .replace("    form: trip-claim\n    person: claimant\n    due",
                              "    form: trip-claim\n    person: claimnt\n    due"), encoding="utf-8")
    edit(regs / "expense.yaml", ("    message: 借款单{id}", "    message: 借款单{idd}"))
    whole = run("lint")
    assert [line.split(":")[0] for line in whole.stderr.splitlines()] == [
        "regulations/expense.yaml", "regulations/trips.yaml"]
    mine = run("lint", "regulations/trips.yaml")
    assert mine.exit_code == 2
    assert mine.stderr == "regulations/trips.yaml:146:13: unknown field 'claimnt' of form trip-claim\n"
    # checked against the project: from a subfolder, and a file outside it sees the project's forms
    (project / "records" / "draft.yaml").write_text(
        "id: draft\ntitle: 草稿\ndoc_number: 〔2026〕9号\nversion: '1'\neffective: 2026-01-01\ndepartment: 财务部\n"
        "seeds: [{file: 000_expense.txt}]\nrevisions: [{version: '1', date: 2026-01-01, by: 财务部, change: 草稿}]\n"
        "body: [{id: a1, text: 草稿。, added: true}]\n"
        "rules:\n  - {id: draft-rule, kind: expr, title: 草稿, clauses: [a1], form: loan, assert: amount > 0, "
        "message: '{borrower}'}\n", encoding="utf-8")
    assert run("lint", "draft.yaml", "--project", str(project)).exit_code == 2  # not relative to the project
    (project / "records" / "draft.yaml").rename(project / "draft.yaml")
    edit(regs / "expense.yaml", ("    message: 借款单{idd}", "    message: 借款单{id}"))
    other.unlink()
    assert run("lint", "draft.yaml").output == "ok: 2 regulations, 2 forms, 13 rules\n"


def test_help_parameters_are_filled_on_forms(project: Path) -> None:
    proj = load_project([project / "regulations"])
    docx = Document(io.BytesIO(render_form(proj, "loan", "docx")))
    text = "\n".join(c.text for t in docx.tables for row in t.rows for c in row.cells)
    assert "借款之日起30日内归还" in text and "{loan_days}" not in text


ORG_SHARED = """\
company: 示例科技有限公司
departments:
  - {name: 财务部, head: 吴芳}
  - {name: 调度部, head: 陈刚}
  - {name: 运输部, head: 孙涛}
people:
  - {name: 周明, department: 财务部, roles: [总经理, 报销人, 借款人, 出纳]}
  - {name: 吴芳, department: 财务部, roles: [部门负责人]}
  - {name: 陈刚, department: 调度部, roles: [部门负责人]}
  - {name: 孙涛, department: 运输部, roles: [部门负责人]}
"""


def _second_regulation(project: Path) -> None:
    """A roster regulation whose 部门负责人 answers for a missing monthly roster; the expense
    regulation's 部门负责人 approves loans."""
    with (project / "regulations" / "expense.yaml").open("a", encoding="utf-8") as fh:
        fh.write("  - {id: loan-approved, kind: approval, title: 借款审批, clauses: [a9], form: loan, "
                 "person: borrower, field: approved_by, role: 部门负责人, message: '借款单{id}未经审批'}\n")
    (project / "regulations" / "roster.yaml").write_text("""\
id: roster
title: 值班管理制度
doc_number: 〔2026〕2号
version: "1.0"
effective: 2026-01-01
department: 财务部
seeds: [{file: 000_expense.txt}]
revisions: [{version: "1.0", date: 2026-01-01, by: 财务部, change: 首次发布}]
roles: [{name: 部门负责人}]
body: [{id: a1, num: 第一条, text: 财务部每月编制值班表。, added: true}]
forms:
  - id: roster-sheet
    title: 值班表
    clauses: [a1]
    number_prefix: ZB
    fields: [{key: id, label: 编号}, {key: month, label: 月份, type: month}]
rules:
  - {id: roster-monthly, kind: cadence, title: 每月编制值班表, clauses: [a1], form: roster-sheet,
     date_field: month, period: 每月, responsible: role:部门负责人, message: 未编制值班表}
""", encoding="utf-8")


def test_a_role_given_for_all_regulations_to_several_departments_is_refused(project: Path) -> None:
    _second_regulation(project)
    (project / "regulations" / "org.yaml").write_text(ORG_SHARED, encoding="utf-8")
    result = run("lint")
    assert result.exit_code == 2
    assert result.stderr == (
        "regulations/org.yaml:8:41: 部门负责人 is a role in expense and roster, given here to people of "
        "调度部、财务部、运输部 for all of them: say who holds it for which regulation "
        "(roles: - {role: 部门负责人, regulation: expense, people: [...]})\n")


def test_roles_belong_to_their_regulation(project: Path) -> None:
    _second_regulation(project)
    (project / "regulations" / "org.yaml").write_text(ORG_SHARED + """\
roles:
  - {role: 部门负责人, regulation: expense, people: [吴芳, 陈刚, 孙涛]}
  - {role: 部门负责人, regulation: roster, people: [吴芳]}
""", encoding="utf-8")
    assert run("lint").exit_code == 0, run("lint").output
    proj = load_project([project / "regulations"])
    assert holders(proj, "部门负责人", regulation="expense") == ["吴芳", "孙涛", "陈刚"]
    assert holders(proj, "部门负责人", regulation="roster") == ["吴芳"]
    assert holders(proj, "部门负责人", "调度部", regulation="expense") == ["陈刚"]
    assert holders(proj, "部门负责人", "调度部", regulation="roster") == []
    (project / "records" / "roster.yaml").write_text("form: roster-sheet\nid: ZB-1\nmonth: 2026-03\n",
                                                     encoding="utf-8")
    # April is over by 31 May (the running month is never missing) and has no roster
    audit = run("check", "--as-of", "2026-05-31", "--only", "roster", "--format", "json")
    findings = json.loads(audit.output)["findings"]
    assert findings and {f["person"] for f in findings} == {"吴芳"}  # not the heads of 调度部 and 运输部


def test_a_role_for_a_department(project: Path) -> None:
    edit(project / "regulations" / "org.yaml",
         ("parameters:\n", "roles:\n  - {role: 部门负责人, department: 技术部, people: [郑强]}\nparameters:\n"))
    proj = load_project([project / "regulations"])
    assert holders(proj, "部门负责人", "技术部", regulation="expense") == ["冯雪", "郑强"]
    assert holders(proj, "部门负责人", "销售部", regulation="expense") == ["郑强"]


def test_profile_role_assignments_are_checked(project: Path) -> None:
    edit(project / "regulations" / "org.yaml",
         ("parameters:\n", "roles:\n  - {role: 部门经理, regulation: expense, people: [郑强]}\n"
          "  - {role: 总经理, regulation: expenses, department: 人事部, people: [周明, 钱多]}\nparameters:\n"))
    result = run("lint")
    assert result.stderr.splitlines() == [
        "regulations/org.yaml:21:12: unknown role '部门经理': expense does not name it",
        "regulations/org.yaml:22:29: unknown regulation 'expenses'",
        "regulations/org.yaml:22:51: unknown department '人事部'",
        "regulations/org.yaml:22:69: unknown person '钱多' (not under people:)",
    ]


@pytest.mark.parametrize(("period", "ok"), [("每月", True), ("month", True), ("每季度", True), ("月度", False)])
def test_periods_in_chinese(project: Path, period: str, ok: bool) -> None:
    edit(project / "regulations" / "expense.yaml", PLANTED[-1])
    edit(project / "regulations" / "expense.yaml", ("period: 每月", f"period: {period}"))
    result = run("lint")
    assert (result.exit_code == 0) == ok, result.output
    if not ok:
        assert result.stderr.endswith("period: expected day, week, month, quarter or year (or 每日, 每周, 每月, "
                                      "每季度, 每年), or a parameter key holding one; got '月度'\n")
