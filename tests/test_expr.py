"""The rule language's arithmetic, working days, due dates, the profile's heads, parameters by
role or rank, fines computed from the record and the outstanding rule: each compiled to SQL and
run in DuckDB as the checker runs it, and each type-checked before."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner

from regkit.check.rules import by_person
from regkit.cli import main
from regkit.expr import ExprError, Scope, bindings, compile_expr
from regkit.loader import Project, load_project
from regkit.starter import init_project
from regkit.yamlsafe import load_yaml

CALENDAR = Path(__file__).parent.parent / "src" / "regkit" / "data" / "calendars" / "cn-2026.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = init_project(tmp_path_factory.mktemp("expr") / "p").root
    return load_project([root / "regulations"])


def evaluate(project: Project, source: str, **row: Any) -> Any:
    """``source`` over one expense-claim record, as the checker runs it."""
    reg = project.regulation("expense")
    hit = project.form("expense-claim")
    assert reg is not None and hit is not None
    c = compile_expr(source, Scope.for_form(hit[1], reg))
    types = {"amount": "DECIMAL(18,2)", "guests": "INTEGER", "spent_on": "DATE", "date": "DATE",
             "approved_on": "DATE", "paid_on": "DATE"}
    cols = ", ".join(f"CAST($v_{k} AS {types.get(k, 'VARCHAR')}) AS \"{k}\"" for k in row) or "1 AS x"
    sql = f"SELECT {c.sql} FROM (SELECT {cols}) r"
    params: dict[str, Any] = {f"v_{k}": v for k, v in row.items()}
    params |= {"p_" + k: project.param(reg, k) for k in c.params}
    params |= bindings(c.binds, project.org)
    for bind in c.binds:
        if bind.startswith("by_"):
            values = by_person(project, reg, bind[3:])
            params[bind + "_p"], params[bind + "_v"] = list(values), list(values.values())
    params["as_of"] = dt.date(2026, 6, 30)
    used = {k: v for k, v in params.items() if "$" + k in sql}
    return duckdb.connect().execute(sql, used).fetchone()[0]  # type: ignore[index]


def test_arithmetic_is_exact(project: Project) -> None:
    assert evaluate(project, "0.1 + 0.2 == 0.3") is True
    assert evaluate(project, "(amount - 100) * 2", amount=Decimal("150.10")) == Decimal("100.20")
    assert evaluate(project, "amount / 3", amount=Decimal("10.00")) == Decimal("3.3333333333")
    assert evaluate(project, "amount / guests <= meal_limit", amount=Decimal("600.00"), guests=3) is True
    assert evaluate(project, "amount / guests <= meal_limit", amount=Decimal("600.03"), guests=3) is False
    assert evaluate(project, "amount / guests", amount=Decimal("600.00"), guests=0) is None


def test_if_else_chooses(project: Project) -> None:
    assert evaluate(project, "0 if amount > 100 else amount", amount=Decimal("150.00")) == 0
    assert evaluate(project, "0 if amount > 100 else amount", amount=Decimal("50.00")) == Decimal("50.00")
    assert evaluate(project, "0 if amount > 100 else amount", amount=None) is None  # a null test takes 'else'
    assert evaluate(project, "'大额' if amount > 100 else None", amount=Decimal("150.00")) == "大额"
    assert evaluate(project, "(1 if empty(department) else 2) == 1", department="") is True


@pytest.mark.parametrize(("start", "end", "days"), [
    ("2026-03-06", "2026-03-09", 1),   # Friday to Monday
    ("2026-03-09", "2026-03-09", 0),
    ("2026-09-30", "2026-10-12", 4),   # 国庆: 10-8, 10-9, Saturday 10-10 (调休), 10-12
    ("2026-02-13", "2026-02-28", 6),   # 春节: Saturdays 02-14 and 02-28 worked (调休), and 02-24..27
    ("2026-04-01", "2026-04-08", 4),   # 清明 04-06 (Monday) is off
])
def test_workdays_follow_the_calendar(project: Project, start: str, end: str, days: int) -> None:
    got = evaluate(project, "workdays(spent_on, date)", spent_on=dt.date.fromisoformat(start),
                   date=dt.date.fromisoformat(end))
    assert got == days


def test_the_shipped_calendar_is_the_example_profiles(project: Project) -> None:
    shipped = load_yaml(CALENDAR).data["calendar"]
    assert project.org.calendar is not None
    assert project.org.calendar.holidays == shipped["holidays"]
    assert project.org.calendar.workdays == shipped["workdays"]
    assert len(shipped["holidays"]) == 33 and all(d.year == 2026 for d in shipped["holidays"])


def test_due_dates(project: Project) -> None:
    assert evaluate(project, "day_of_next_month(spent_on, 5)", spent_on=dt.date(2026, 12, 30)) == dt.date(2027, 1, 5)
    assert evaluate(project, "day_of_next_month(spent_on, 5)", spent_on=dt.date(2026, 1, 31)) == dt.date(2026, 2, 5)
    assert evaluate(project, "next_year(spent_on, 1, 15)", spent_on=dt.date(2026, 3, 1)) == dt.date(2027, 1, 15)


def test_heads_and_departments_from_the_profile(project: Project) -> None:
    assert evaluate(project, "head(claimant)", claimant="王磊") == "郑强"
    assert evaluate(project, "head('技术部')") == "冯雪"
    assert evaluate(project, "department(claimant)", claimant="陈浩") == "技术部"
    assert evaluate(project, "head(claimant)", claimant="不认识") is None


def test_a_parameter_by_role(project: Project) -> None:
    assert evaluate(project, "meal_limit(claimant)", claimant="郑强") == Decimal("300")  # 部门负责人
    assert evaluate(project, "meal_limit(claimant)", claimant="王磊") == Decimal("200")  # the default
    assert evaluate(project, "meal_limit") == Decimal("200")


@pytest.mark.parametrize(("source", "message"), [
    ("amount * '2' > 0", "cannot apply * to number and text in \"amount * '2'\""),
    ("spent_on * 2 > date", "cannot apply * to date and number in 'spent_on * 2'"),
    ("amount % 2 == 0", "operator 'amount % 2' is not allowed: use + - * / and parentheses"),
    ("workdays(spent_on, 3) > 0", "'3' is number, expected date"),
    ("head(amount) == claimant", "'amount' is number, expected text"),
    ("claim_days(claimant) > 0", "unknown function claim_days()"),
    ("meal_limit(claimant, date) > 0", "meal_limit(person) takes one argument, the person"),
    ("day_of_next_month(spent_on) > date", "day_of_next_month() takes 2 argument(s)"),
    ("(amount if guests > 1 else 'x') == 1", "both results of 'if ... else' must have one type, not number and text"),
    ("(1 if amount else 2) == 1", "'amount' is number, expected boolean"),
])
def test_type_errors(project: Project, source: str, message: str) -> None:
    reg = project.regulation("expense")
    hit = project.form("expense-claim")
    assert reg is not None and hit is not None
    with pytest.raises(ExprError) as err:
        compile_expr(source, Scope.for_form(hit[1], reg), want="boolean")
    assert message in str(err.value)


def _audit(root: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["check", "--project", str(root), str(root / "records"), "--as-of", "2026-06-30",
                                       "--format", "json", *args], obj={})
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_outstanding_loans_and_computed_fines(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p").root
    report = _audit(root, "--only", "loan-outstanding", "--only", "false-claim")
    got = {(f["rule"], f["record"], f["person"], f["penalty"]) for f in report["findings"]}
    assert got == {("loan-outstanding", "JK-004", "李静", 0), ("false-claim", "BX-008", "王磊", 240)}
    msg = next(f["message"] for f in report["findings"] if f["rule"] == "loan-outstanding")
    assert msg == "李静尚有借款JK-002未归还，又于2026-04-20借款500元"
    # a loan repaid the day the next one is taken is closed; one repaid later is open
    loans = root / "records" / "借款单.yaml"
    loans.write_text(loans.read_text(encoding="utf-8") + (
        "- {form: loan, id: JK-005, date: 2026-03-20, borrower: 王磊, amount: 100.00, purpose: 茶歇,\n"
        "   approved_by: 郑强, approved_on: 2026-03-20, paid_on: 2026-03-20, repaid_on: 2026-03-25}\n"
        "- {form: loan, id: JK-006, date: 2026-03-24, borrower: 王磊, amount: 100.00, purpose: 茶歇,\n"
        "   approved_by: 郑强, approved_on: 2026-03-24, paid_on: 2026-03-24, repaid_on: 2026-03-26}\n"),
        encoding="utf-8")
    report = _audit(root, "--only", "loan-outstanding")
    assert sorted(f["record"] for f in report["findings"]) == ["JK-004", "JK-006"]  # JK-001 closed 03-20


def test_lint_checks_the_new_rule_kinds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = init_project(tmp_path / "p").root
    reg = root / "regulations" / "expense.yaml"
    text = reg.read_text(encoding="utf-8")
    text = text.replace("    closed: repaid_on\n", "    closed: purpose\n").replace(
        "fine: {amount: 2 * overclaimed,", "fine: {amount: 2 * reason,").replace(
        "by: role, values: {部门负责人: 300}", "by: role, values: {经理: 300}")
    reg.write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["lint"], obj={})
    lines = result.stderr.splitlines()
    assert any(line.endswith("unknown role '经理' (declare it under roles:)") for line in lines), lines
    assert any(line.endswith("expression: cannot apply * to number and text in '2 * reason'") for line in lines)
    assert any(line.endswith("closed needs a date field; purpose is a multiline field") for line in lines)


# Numbers a rule cannot compute with are a lint error naming them, not a crash.

ROOT = Path(__file__).resolve().parent.parent
SCOPE = Scope(fields={"amount": "number", "d": "date"})


@pytest.mark.parametrize(("source", "message"), [
    ("amount > " + "9" * 5000, "too many digits"),
    ("amount > 99999999999999999999", "too large"),
    ("amount > 1e999", "too large"),
    ("amount > -1e999", "too large"),
    ("d + " + "9" * 30 + " > d", "too large"),
])
def test_numbers_out_of_range_are_expression_errors(source: str, message: str) -> None:
    with pytest.raises(ExprError, match=message):
        compile_expr(source, SCOPE, want="boolean")


def test_ordinary_numbers_compile() -> None:
    assert compile_expr("amount > 999999999999999999 and amount < 1.5e10", SCOPE, want="boolean").type == "boolean"


def test_a_5000_digit_literal_in_a_rule_is_a_lint_error(tmp_path: Path) -> None:
    regs = tmp_path / "regs"
    shutil.copytree(ROOT / "regulations", regs)
    path = regs / "customer-management.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    when: handled_on is not None\n" in text
    path.write_text(text.replace("    when: handled_on is not None\n",
                                 f"    when: handled_on is not None and days(handled_on, as_of) > {'9' * 5000}\n", 1),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(regs)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "too many digits" in lines[0], lines
