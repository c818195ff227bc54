"""Every rule kind on clean and on breaching records (the audit-demo regulation has one rule of
each kind), with the clause, person, fine and message a finding carries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from check_support import notice, rules_hit, run, slip, stats, write_yaml
from regkit.check.periods import normalise, periods


def audit_of(tmp_path: Path, records: list[dict[str, Any]], **kw: Any) -> Any:
    return run(write_yaml(tmp_path / "records.yaml", records), **kw)


def test_clean_records_have_no_findings(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(), notice(), stats()])
    assert report.findings == []
    assert report.unreadable == []
    assert report.checked == 3
    assert report.exit_code == 0


BREACHES = [
    # approval: approver not a holder of 部门领导 (alias of 部门经理) in 市场部
    ("slip-approved", [slip(approved_by="李娜")]),
    ("slip-approved", [slip(approved_by=None)]),
    # approval: approved after the slip was filled in (date_field > not_after)
    ("slip-approved", [slip(approved_on=dt.date(2026, 3, 3))]),
    # (the leader's name without the optional 批准日期 shows the approval: no breach, see
    # test_check_hidden.test_an_undated_approval_where_the_date_is_optional_is_an_approval)
    # stub signatures: wrong signer, missing signer, nobody signed
    ("slip-stub", [slip(stub_signed_by=["王芳", "李娜"])]),
    ("slip-stub", [slip(stub_signed_by=["王芳"])]),
    ("slip-stub", [slip(stub_signed_by=[])]),
    # deadline: paid late; unpaid and the audit date is past due
    ("slip-collected", [slip(paid_on=dt.date(2026, 3, 21))]),
    ("slip-collected", [slip(paid_on=None, paid_amount=None)]),
    # expr: paid less than owed
    ("slip-paid-in-full", [slip(paid_amount=100)]),
    # requires: a monthly slip without an approved monthly notice for the customer
    ("monthly-needs-notice", [slip(settlement="月结"), notice(approved_by=None)]),
    ("monthly-needs-notice", [slip(settlement="月结", customer="乙公司"), notice()]),
]


@pytest.mark.parametrize(("rule", "records"), BREACHES, ids=[f"{r}-{i}" for i, (r, _) in enumerate(BREACHES)])
def test_breach_is_found(tmp_path: Path, rule: str, records: list[dict[str, Any]]) -> None:
    report = audit_of(tmp_path, [*records, stats()])
    assert (rule, "QF-001") in rules_hit(report)
    assert report.exit_code == 1


@pytest.mark.parametrize("signed", [["陈刚", "王芳"], ["王芳", "陈刚", "张伟"], ["张伟", "陈刚", "王芳"]])
def test_stub_signatures_are_a_set_of_heads(tmp_path: Path, signed: list[str]) -> None:
    # every department's head signed: in another order, or with one more signer, is no breach
    report = audit_of(tmp_path, [slip(stub_signed_by=signed), stats()])
    assert rules_hit(report) == []


def test_stub_names_only_the_departments_whose_head_did_not_sign(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(stub_signed_by=["陈刚", "李娜"]), stats()])
    [f] = report.findings
    assert f.message == "《同意欠费通知单》QF-001存根未由财务部负责人签字（签字为：陈刚、李娜）"


def test_a_stub_sent_to_a_department_the_profile_does_not_know_says_its_head_cannot_be_checked(
        tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(departments=["财务部", "物业部"], stub_signed_by=["王芳", "赵六"]), stats()])
    [f] = report.findings
    assert f.rule == "slip-stub" and f.penalty > 0  # the stub is not shown signed as the regulation asks
    assert f.message == ("《同意欠费通知单》QF-001存根未由物业部负责人签字（签字为：王芳、赵六）"
                         "（物业部不在组织档案的部门中，无法核对其负责人签字）")
    clean = audit_of(tmp_path / "clean", [slip(stub_signed_by=["陈刚", "李娜"]), stats()])
    assert "组织档案" not in clean.findings[0].message


def test_when_limits_a_rule(tmp_path: Path) -> None:
    # slip-approved applies to cash customers only; 月结 slips need the notice instead
    report = audit_of(tmp_path, [slip(settlement="月结", approved_by=None, approved_on=None), notice(), stats()])
    assert rules_hit(report) == []


def test_unpaid_before_due_is_not_a_breach(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(paid_on=None, paid_amount=None, promised_date=dt.date(2026, 4, 30)), stats()])
    assert rules_hit(report) == []


def test_conflict_flags_the_record_disagreeing_with_the_first(tmp_path: Path) -> None:
    records = [notice(), notice(id="XK-002", date=dt.date(2026, 3, 5), settlement="现金", handler="陈晨"),
               notice(id="XK-003", date=dt.date(2026, 3, 6)), stats()]
    report = audit_of(tmp_path, records)
    [f] = report.findings
    assert (f.rule, f.record, f.person, f.severity, f.penalty) == ("notice-conflict", "XK-002", "陈晨", "warning", 0)
    assert f.message == "客户甲公司的通知单XK-002结算方式（现金）与XK-001不一致"


def test_cadence_finds_missing_months(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(), notice(), stats("2026-01"), stats("2026-03")],
                      date_from=dt.date(2026, 1, 10))
    missing = [f for f in report.findings if f.rule == "stats-monthly"]
    assert [f.message for f in missing] == ["2026-02没有应收账款统计表"]
    [f] = missing
    assert (f.record, f.source, f.person, f.penalty) == (None, None, "刘强", 10)
    assert (f.month, f.period) == ("2026-02", "2026-02")
    assert f.to_json()["period"] == "2026-02"


def test_cadence_window_defaults_to_earliest_record(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(date=dt.date(2026, 1, 5), approved_on=dt.date(2026, 1, 5)), stats()],
                      date_from=None)
    assert report.date_from == dt.date(2026, 1, 5)
    # January is only partly inside the window, so only February is required (and missing)
    assert [f.period for f in report.findings if f.rule == "stats-monthly"] == ["2026-02"]


def test_finding_carries_citation_person_fine_and_message(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(approved_by="李娜"), stats()])
    [f] = report.findings
    assert f.to_json() == {
        "rule": "slip-approved", "title": "欠费须经部门领导事先批准", "regulation": "audit-demo",
        "citation": "第一节 业务规定 一、欠费 第1条", "fine_citation": "第二节 处罚 一、", "form": "slip",
        "record": "QF-001", "source": str(tmp_path / "records.yaml"), "line": 1, "person": "李娜",
        "penalty": 10, "severity": "error",
        "message": "客户甲公司欠费1200.50元未经部门领导事先批准（批准人：李娜，批准日期：2026-03-01）",
    }
    assert report.summary()["penalties"] == {"李娜": 10}


def test_extra_placeholders_and_serious_fine(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(stub_signed_by=["陈刚", "王芳"], paid_on=dt.date(2026, 3, 25)),
                                 slip(id="QF-002", settlement="月结", handler="陈晨"), stats()])
    by_rule = {f.rule: f for f in report.findings}
    assert "slip-stub" not in by_rule  # the same heads in another order
    assert by_rule["slip-collected"].message.endswith("应于2026-03-20前付清，逾期5天（付清日期：2026-03-25）")
    assert by_rule["monthly-needs-notice"].penalty == 50
    assert report.summary()["penalties"] == {"李娜": 10, "陈晨": 50}


def test_loss_is_reported_where_the_rule_computes_it(tmp_path: Path) -> None:
    report = audit_of(tmp_path, [slip(paid_amount=200.5), stats()])
    [f] = report.findings
    assert f.rule == "slip-paid-in-full"
    assert f.to_json()["loss"] == 1000


def test_periods() -> None:
    march = periods("month", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert [p.label for p in march] == ["2026-01", "2026-02", "2026-03"]
    assert [p.label for p in periods("month", dt.date(2026, 1, 15), dt.date(2026, 3, 30))] == ["2026-02"]
    weeks = periods("week", dt.date(2025, 12, 29), dt.date(2026, 1, 17))
    assert [(p.label, p.start.isoformat()) for p in weeks] == [("2026-W01", "2025-12-29"), ("2026-W02", "2026-01-05")]
    assert [p.label for p in periods("week", dt.date(2026, 1, 1), dt.date(2026, 1, 18))] == ["2026-W02", "2026-W03"]
    assert [p.label for p in periods("quarter", dt.date(2026, 1, 1), dt.date(2026, 9, 30))] == ["2026-Q1", "2026-Q2",
                                                                                                "2026-Q3"]
    jan = periods("year", dt.date(2026, 1, 1), dt.date(2027, 2, 1), pin=1)
    assert [(p.label, p.end.isoformat()) for p in jan] == [("2026-01", "2026-01-31"), ("2027-01", "2027-01-31")]
    assert periods("year", dt.date(2026, 1, 1), dt.date(2026, 11, 30)) == []
    days = periods("day", dt.date(2026, 2, 27), dt.date(2026, 3, 2))
    assert [(p.label, p.start, p.end) for p in days][1] == ("2026-02-28", dt.date(2026, 2, 28), dt.date(2026, 2, 28))
    assert [p.label for p in days] == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    assert [normalise(v) for v in ("每日", "每天", "daily", "day", "每两天")] == ["day"] * 4 + [None]
