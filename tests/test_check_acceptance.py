"""An acceptance audit written as a user runs it: record files (CSV with Chinese headers, YAML, JSON,
XLSX) in a folder, ``regkit check ... --as-of 2026-11-30 --format json``, and the findings a careful
auditor reading regulations/*.yaml would report, exactly: rule, record or period, person, fine,
and the file row the finding points at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from check_support import slip_row, write_slips
from regkit.cli import main

ROOT = Path(__file__).parent.parent
REGULATIONS = ROOT / "regulations"
def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def run(*args: str | Path) -> tuple[int, dict[str, Any], str]:
    """``regkit check ARGS --format json`` as a user runs it: exit code, report, stderr."""
    result = CliRunner().invoke(main, ["check", *map(str, args), "--regulations", str(REGULATIONS),
                                       "--format", "json"], obj={})
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, report, result.stderr


def lines(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each finding as (rule, record or period, person, penalty, line)."""
    return [(f["rule"], f["record"] or f.get("period"), f["person"], f["penalty"], f["line"])
            for f in report["findings"]]


def test_slips_read_by_python_point_at_their_own_rows(tmp_path: Path) -> None:
    """Rows the engine's fast path hands to the Python checks (amounts written ``1,200.50`` or
    ``¥1200``, a whitespace-only approver) are reported at their own row of the file, as the rows
    beside them are; the unreadable ones (``abc``, 2026-02-29) are listed with theirs."""
    path = write_slips(tmp_path / "同意欠费通知单.csv", [
        slip_row(1),                                                  # line 2: clean
        slip_row(2, 欠费金额="1,200.50", 付清日期="2026-11-09"),       # line 3: paid two days late
        slip_row(3, 欠费金额="¥1200", 付清日期="", 付清金额=""),        # line 4: not paid
        slip_row(4, 欠费金额="abc"),                                   # line 5: unreadable
        slip_row(5, 填写日期="2026-02-29"),                            # line 6: unreadable
        slip_row(6, 批准人="   "),                                     # line 7: whitespace approver
        slip_row(7, 批准人="", 批准日期=""),                           # line 8: empty approval
    ])
    code, report, _ = run(path, "--as-of", "2026-11-30")
    assert code == 2
    assert lines(report) == [
        ("arrears-approved-by-leader", "QF-0006", "李娜", 10, 7),
        ("arrears-approved-by-leader", "QF-0007", "李娜", 10, 8),
        ("arrears-collected", "QF-0002", "李娜", 0, 3),
        ("arrears-collected", "QF-0003", "李娜", 10, 4),
        ("arrears-approval:required", "QF-0006", "李娜", 0, 7),
        ("arrears-approval:required", "QF-0007", "李娜", 0, 8),
    ]
    # named by the headings the file wrote
    assert [(u["line"], u["error"].split(":")[0]) for u in report["unreadable"]] == [(5, "欠费金额"), (6, "填写日期")]
    assert report["summary"]["penalties"] == {"李娜": 30}
    assert report["summary"]["checked"] == 5


def test_a_duplicate_id_among_rows_read_by_python_is_at_its_row(tmp_path: Path) -> None:
    """Two differing records of one number are both set aside, each listed at its own row."""
    path = write_slips(tmp_path / "同意欠费通知单.csv", [
        slip_row(1, 欠费金额="1,200.50"), slip_row(2), slip_row(1, 欠费金额="¥1200.50", 客户名称="别家")])
    code, report, _ = run(path, "--as-of", "2026-11-30")
    assert code == 2 and report["findings"] == []
    assert [(u["line"], "QF-0001" in u["error"]) for u in report["unreadable"]] == [(2, True), (4, True)]


def roster_and_patrol() -> list[dict[str, Any]]:
    """A week's duty roster and the patrol of its first day (duty-manager records)."""
    return [{"form": "duty-roster", "id": "ZB-1", "week_start": "2026-11-16", "week_end": "2026-11-22",
             "department": "市场部", "prepared_on": "2026-11-13", "prepared_by": "张伟",
             "rows": [{"date": "2026-11-16", "weekday": "一", "duty_manager": "何军", "hours": "8:30—17:30"},
                      {"date": "2026-11-17", "weekday": "二", "duty_manager": "高磊", "hours": "8:30—17:30"}]},
            {"form": "patrol-record", "id": "XC-1", "date": "2026-11-16", "time": "9:00", "route": "全场",
             "items": ["市场环境", "商家经营状况", "设施设备运行情况", "安全隐患"], "inspector": "何军"}]


def test_records_of_a_regulation_not_in_force_alone_are_nothing_to_audit(tmp_path: Path) -> None:
    """The profile puts only 市场部的管理制度 in force; a folder holding only duty-manager records
    audited nothing, so it must not say 未发现问题 with exit 0 (issue: "exit 2 ... when nothing was
    audited"). Beside an arrears slip, the slip is audited and the duty records are left alone."""
    org = (REGULATIONS / "org.yaml").read_text(encoding="utf-8").replace(
        "\nparameters:", "\nregulations: [market-department]\nparameters:", 1)
    org_file = tmp_path / "org.yaml"
    org_file.write_text(org, encoding="utf-8")
    duty = write_json(tmp_path / "duty" / "值班.json", roster_and_patrol())
    code, report, err = run(duty, "--org", org_file, "--as-of", "2026-11-30")
    assert (code, report) == (2, {})
    assert len(err.strip().splitlines()) == 1 and "nothing to audit" in err and "duty-manager" in err
    slips = write_slips(tmp_path / "slips" / "同意欠费通知单.csv", [slip_row(1, 批准人="", 批准日期="")])
    code, report, _ = run(duty, slips, "--org", org_file, "--as-of", "2026-11-30")
    assert code == 1
    assert lines(report) == [("arrears-approved-by-leader", "QF-0001", "李娜", 10, 2),
                             ("arrears-approval:required", "QF-0001", "李娜", 0, 2)]
    # with every regulation in force, the duty records are audited: 高磊 missed his patrol, and
    # the week of 23 November (over by 30 November) has no roster
    code, report, _ = run(duty, "--as-of", "2026-11-30")
    assert code == 1 and lines(report) == [("duty-roster-weekly", "2026-W48", "张伟", 0, None),
                                           ("patrol-daily", "2026-11-17", "高磊", 0, None)]


def test_only_naming_rules_of_forms_nobody_supplied_is_nothing_to_audit(tmp_path: Path) -> None:
    """``--only lost-customer-analysis`` on a folder of arrears slips audits nothing: exit 2."""
    slips = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1, 批准人="", 批准日期="")])
    code, report, err = run(slips, "--only", "lost-customer-analysis", "--as-of", "2026-11-30")
    assert (code, report) == (2, {}) and "nothing to audit" in err
    code, report, _ = run(slips, "--only", "arrears-approved-by-leader", "--as-of", "2026-11-30")
    assert code == 1 and lines(report)[0] == ("arrears-approved-by-leader", "QF-0001", "李娜", 10, 2)


def liaison(n: int, current: str, new: str, direction: str = "", **changes: str) -> dict[str, Any]:
    """A 运价调整 《部门信息联络处理单》 of 陈晨, stub signed, not approved unless changed."""
    rec = {"form": "liaison-slip", "id": f"LL-{n}", "date": "2026-10-15", "customer": f"客户{n}", "kind": "运价调整",
           "content": "调整运价", "current_rate": current, "new_rate": new, "rate_change": direction,
           "handler": "陈晨", "departments": ["财务部"], "stub_signed_by": ["王芳"]}
    rec.update(changes)
    return rec


def test_a_rate_change_is_read_from_the_rates(tmp_path: Path) -> None:
    """第十一节 二、1: "擅自答应客户降低运价或免费托运" — a cut shown by the rates is a cut, whatever
    the direction box says (blank, or 上调 by mistake); a blank box beside rates that show the
    direction is not a breach (the direction is a help field of the form, 运价调整时填写)."""
    path = write_json(tmp_path / "联络单.json", [
        liaison(1, "2.5元/公斤", "2.0元/公斤"),                   # cut, blank direction
        liaison(2, "2.0", "2.5"),                                 # rise, blank direction: nothing
        liaison(3, "2.5", "2.0", "上调"),                          # cut labelled 上调
        liaison(4, "面议", "另议"),                                # cannot tell: the blank matters
        liaison(5, "2.5", "2.0", "下调", approved_by="张伟", approved_on="2026-10-14"),  # approved cut
        liaison(6, "1,200", "1,150"),                             # cut written with thousands
    ])
    code, report, _ = run(path, "--as-of", "2026-11-30")
    assert code == 1
    assert [(f["rule"], f["record"], f["person"], f["penalty"], f.get("loss")) for f in report["findings"]] == [
        ("rate-cut-approved", "LL-1", "陈晨", 50, 0.5),
        ("rate-cut-approved", "LL-3", "陈晨", 50, 0.5),
        ("rate-cut-approved", "LL-6", "陈晨", 50, 50),
        ("rate-change-direction", "LL-4", "陈晨", 0, None),
    ]
    cut = report["findings"][0]
    assert cut["fine_citation"].startswith("第十一节") and "二、" in cut["fine_citation"]


def survey(n: int, day: str, who: str) -> dict[str, Any]:
    """A 〈客户满意程度调查表〉 filled in by the customer and fed back to the leader the same day."""
    return {"form": "satisfaction-survey", "id": f"MY-{n}", "date": day, "customer": "甲公司", "respondent": "王五",
            "service_attitude": "满意", "timeliness": "满意", "cargo_safety": "满意", "billing": "满意",
            "overall": "满意", "visited_by": who, "reported_to": "张伟", "reported_on": day}


def test_one_obligation_in_two_regulations_is_one_finding_when_runs_differ(tmp_path: Path) -> None:
    """客户管理制度 第十一条 (quarterly surveys) and 市场部的管理制度 第八节 三、8 (each salesman's
    regular visits with the same 〈客户满意程度调查表〉) are one obligation: a quarter with no survey
    is reported through the salesmen's findings citing both, even when 李娜's run (Q1–Q2) and 陈晨's
    (Q2–Q3) are cut differently from the quarter nobody surveyed (Q2); no third finding."""
    path = write_json(tmp_path / "调查表.json", [survey(1, "2026-08-10", "李娜"), survey(2, "2026-02-10", "陈晨")])
    code, report, _ = run(path, "--from", "2026-01-01", "--as-of", "2026-11-30")
    assert code == 1
    assert lines(report) == [
        ("satisfaction-periodic", "2026-Q1 至 2026-Q2 共 2 个季度", "李娜", 20, None),
        ("satisfaction-periodic", "2026-Q2 至 2026-Q3 共 2 个季度", "陈晨", 20, None),
    ]
    assert all("第十一条" in f["citation"] for f in report["findings"])
    assert report["summary"]["penalties"] == {"李娜": 20, "陈晨": 20}


def turnover(period: str, filed: str) -> dict[str, Any]:
    """The 副经理's 营业额月报表 for a month."""
    return {"form": "turnover-report", "id": f"YY-{period}", "period": period, "prepared_by": "赵明",
            "prepared_on": filed, "rows": [{"customer": "甲公司", "turnover": 1000}], "total_turnover": 1000}


def test_the_running_month_and_the_first_days_of_the_next_are_never_missing(tmp_path: Path) -> None:
    """第四节 第五条 "负责每月营业额报表的统计汇总": September's report filed on 3 October counts
    for September; November's is not missing on 30 November (still running), nor October's on
    5 November (月初, the first 5 days); on 6 November October's is missing. The duty is the
    副经理's (one holder, 赵明); 第十一节 fines breaches of 第八节 to 第十节 only, so no fine."""
    path = write_json(tmp_path / "营业额.json", [turnover("2026-09", "2026-10-03")])
    assert run(path, "--from", "2026-09-01", "--as-of", "2026-10-31")[0] == 0
    assert run(path, "--from", "2026-09-01", "--as-of", "2026-11-05")[0] == 0
    code, report, _ = run(path, "--from", "2026-09-01", "--as-of", "2026-11-06")
    assert code == 1 and lines(report) == [("turnover-report-monthly", "2026-10", "赵明", 0, None)]
    both = write_json(tmp_path / "营业额.json", [turnover("2026-09", "2026-10-03"), turnover("2026-10", "2026-11-04")])
    assert run(both, "--from", "2026-09-01", "--as-of", "2026-11-30")[0] == 0
    code, report, _ = run(both, "--from", "2026-09-01", "--as-of", "2027-01-06")
    assert lines(report) == [("turnover-report-monthly", "2026-11 至 2026-12 共 2 个月", "赵明", 0, None)]


def test_a_paid_off_date_without_an_amount_is_not_a_partial_payment(tmp_path: Path) -> None:
    """付清日期 ("date paid off") filled in and the optional 付清金额 left blank shows the debt paid
    off, not "仅收回未填元"; an amount short of the debt is a partial payment (loss = the rest)."""
    path = write_slips(tmp_path / "同意欠费通知单.csv", [
        slip_row(1, 付清金额=""), slip_row(2, 欠费金额="100", 付清金额="80")])
    code, report, _ = run(path, "--as-of", "2026-11-30")
    assert code == 1
    assert [(f["rule"], f["record"], f["person"], f["penalty"], f.get("loss")) for f in report["findings"]] == [
        ("arrears-paid-in-full", "QF-0002", "李娜", 10, 20)]
