"""The demo audit of `make run`: examples/records holds every kind of record file (YAML, JSON,
UTF-8 and GBK CSV, XLSX, a filled Word form), all readable, with real breaches of the five
regulations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from regkit.check import audit
from regkit.loader import load_project
from regkit.records import collect
from regkit.records.sources import display

ROOT = Path(__file__).parent.parent
RECORDS = ROOT / "examples" / "records"


def test_every_example_file_is_read(tmp_path: Path) -> None:
    project = load_project([ROOT / "regulations"])
    got = collect(project, [RECORDS], workdir=tmp_path)
    assert got.unreadable == []
    sources = {r.source.split("#")[0] for r in got.records} | {t.source for t in got.tables}
    files = {display(p) for p in RECORDS.rglob("*") if p.suffix in (".yaml", ".json", ".csv", ".xlsx", ".docx")}
    assert sources == files
    assert {p.rsplit(".", 1)[-1] for p in files} == {"yaml", "json", "csv", "xlsx", "docx"}


def test_demo_audit_finds_the_planted_breaches() -> None:
    project = load_project([ROOT / "regulations"])
    report = audit(project, [RECORDS], date_from=dt.date(2026, 10, 1), as_of=dt.date(2026, 11, 30))
    assert report.unreadable == []
    assert report.exit_code == 1
    found = {(f.rule, f.what) for f in report.findings}
    planted = {
        ("arrears-approved-by-leader", "QF-2026102"),   # UTF-8 CSV with Chinese headings
        ("monthly-settlement-has-notice", "QF-2026106"),
        ("patrol-problem-handled", "XC-20261021"),      # GBK CSV
        ("patrol-daily", "2026-11-16"),                # 每日巡查: the one rostered day without a patrol
        ("safety-hazard-handled", "AQ-20261111"),       # XLSX
        ("mo-peer-evaluation-done", "SJ-2026-10-郭琳"),  # XLSX, a requires rule over two sheets
        ("pickup-dispatcher-signed", "TH-2026101"),     # the filled-in Word form
        ("lost-customer-periodic", "2026-10"),         # 陈晨's; 李娜's, filed on 2 November, counts for October
        ("arrears-approved-by-leader", "QF-2026107"),   # the approver left blank: a finding, not unreadable
        ("arrears-approval:required", "QF-2026107"),
        ("rate-cut-approved", "LL-2026103"),            # the direction left blank, the rates show a cut
    }
    assert planted <= found
    # November is still running at the audit date; the stub signed in another order is fine
    assert ("lost-customer-periodic", "2026-11") not in found
    assert ("arrears-stub-signed", "QF-2026108") not in found
    [late] = [f for f in report.findings if f.record == "QF-2026109"]
    assert (late.rule, late.severity, late.penalty, late.loss) == ("arrears-collected", "warning", 0, None)
    assert "至今未收回" not in late.message and "逾期2天" in late.message
    [patrol] = [f for f in report.findings if f.rule == "patrol-daily"]
    assert patrol.person == "高磊"  # the one the roster put on duty that Monday
    s = report.summary()
    assert s["penalties"]["陈晨"] >= 100
    assert sum(s["penalties"].values()) + sum(f.penalty for f in report.findings if not f.person) == \
        s["total_penalty"] == sum(f.penalty for f in report.findings)


def test_duty_swap_asked_the_parameters_days_ahead(tmp_path: Path) -> None:
    """A deadline counting back from a date by a parameter (days: -swap_notice_days, 2 in org.yaml)."""
    base = {"form": "duty-swap-request", "applicant": "何军", "original_date": "2026-11-11", "substitute": "高磊",
            "reason": "家中有事", "approved_by": "张伟", "approved_on": "2026-11-08"}
    records = [{**base, "id": "TB-1", "requested_on": "2026-11-09"},   # 2 days ahead: in time
               {**base, "id": "TB-2", "requested_on": "2026-11-10"},   # 1 day ahead: late
               {**base, "id": "TB-3", "requested_on": "2026-11-05", "swap_date": "2026-11-06"}]  # exchange too late
    path = tmp_path / "swaps.yaml"
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")
    report = audit(load_project([ROOT / "regulations"]), [path], date_from=dt.date(2026, 11, 1),
                   as_of=dt.date(2026, 11, 30), only=["duty-swap-notice*"])
    assert report.unreadable == []
    assert [(f.rule, f.record) for f in report.findings] == [("duty-swap-notice", "TB-2"),
                                                             ("duty-swap-notice-exchange", "TB-3")]
    assert report.findings[0].message == ("调班申请于2026-11-10提出，未按规定提前2天申请（原值班日期2026-11-11，"
                                          "应不晚于2026-11-09）")
