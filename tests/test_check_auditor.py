"""What a careful auditor reports, and no more, on the project's own regulations: slips with an
empty approval or stub, signatures in another order, periods due and not yet due, an unreadable
record beside good ones, an empty folder; through the library and the CLI (same JSON)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from check_support import slip_row, write_slips
from regkit.check import Report, audit
from regkit.cli import main
from regkit.loader import Project, load_project
from regkit.report import render

ROOT = Path(__file__).parent.parent
REGULATIONS = ROOT / "regulations"
AS_OF = dt.date(2026, 11, 30)
def project() -> Project:
    return load_project([REGULATIONS])


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    """Records as a JSON file (YAML would share repeated lists as anchors, which records refuse)."""
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def check(paths: list[Path], **kw: Any) -> Report:
    return audit(project(), paths, as_of=kw.pop("as_of", AS_OF), **kw)


def cli(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *map(str, args), "--regulations", str(REGULATIONS)], obj={})
    return result.exit_code, result.stdout, result.stderr


def brief(report: Report) -> list[tuple[str, str | None, str | None, int | float]]:
    return [(f.rule, f.record or f.period, f.person, f.penalty) for f in report.findings]


def test_clean_slips_are_clean(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1), slip_row(2, 经办人="陈晨")])
    report = check([path])
    assert (report.findings, report.unreadable, report.checked, report.exit_code) == ([], [], 2, 0)
    code, out, _ = cli(path, "--as-of", "2026-11-30")
    assert code == 0 and "未发现问题" in out


def test_empty_approval_is_a_finding_with_one_fine(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1), slip_row(2, 批准人="", 批准日期="")])
    report = check([path])
    assert report.unreadable == []
    assert brief(report) == [("arrears-approved-by-leader", "QF-0002", "李娜", 10),
                             ("arrears-approval:required", "QF-0002", "李娜", 0)]
    approval, complete = report.findings
    assert "未经部门领导事先批准" in approval.message
    assert complete.message == "《同意欠费通知单》QF-0002未填写：批准人、批准日期"
    assert complete.citation == "第八节 业务操作规定 三、维护客户 第3条"
    assert (approval.fine_citation or "").startswith("第十一节")
    assert (approval.source, approval.line) == (str(path), 3)
    assert approval.where == f"{path}:3"
    assert report.exit_code == 1
    assert report.summary()["penalties"] == {"李娜": 10}


def test_unsigned_stub_and_a_missing_reason(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1, 存根签字=""), slip_row(2, 欠费原因="")])
    report = check([path])
    assert brief(report) == [("arrears-stub-signed", "QF-0001", "李娜", 10),
                             ("arrears-approval:required", "QF-0001", "李娜", 0),
                             ("arrears-approval:required", "QF-0002", "李娜", 10)]
    assert report.findings[2].message == "《同意欠费通知单》QF-0002未填写：欠费原因"
    assert report.findings[2].fine_citation is not None


@pytest.mark.parametrize("signed", ["陈刚;王芳", "王芳;陈刚;张伟", "张伟;陈刚;王芳"])
def test_signatures_in_another_order_or_an_extra_signer_are_fine(tmp_path: Path, signed: str) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1, 存根签字=signed)])
    assert check([path]).findings == []


def test_a_missing_head_is_named(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1, 送达部门="财务部;运输部", 存根签字="马超;王芳")])
    [f] = check([path]).findings
    assert (f.rule, f.person, f.penalty) == ("arrears-stub-signed", "李娜", 10)


def test_late_but_paid_is_not_unpaid(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv",
                       [slip_row(1, 付清日期="2026-11-09"), slip_row(2, 付清日期="", 付清金额="")])
    report = check([path])
    late, unpaid = report.findings
    assert (late.record, late.severity, late.penalty, late.loss) == ("QF-0001", "warning", 0, None)
    assert "逾期2天于2026-11-09付清" in late.message and "未收回" not in late.message
    assert (unpaid.record, unpaid.severity, unpaid.penalty) == ("QF-0002", "error", 10)
    assert "至今未收回" in unpaid.message and unpaid.to_json()["loss"] == 1200.5


def test_unreadable_record_beside_good_ones(tmp_path: Path) -> None:
    rows = [slip_row(1), slip_row(2, 填写日期="2026-13-45"), slip_row(3, 批准人="")]
    path = write_slips(tmp_path / "同意欠费通知单.csv", rows)
    report = check([path])
    assert [(u.line, "2026-13-45" in u.error) for u in report.unreadable] == [(3, True)]
    assert report.checked == 2
    assert [f.record for f in report.findings] == ["QF-0003", "QF-0003"]
    assert report.exit_code == 2
    code, out, _ = cli(path, "--as-of", "2026-11-30", "--format", "json")
    assert code == 2
    assert out.encode("utf-8") == render(report, "json")


def test_empty_folder_and_missing_path_exit_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for target in (tmp_path / "empty", tmp_path / "nowhere"):
        code, out, err = cli(target, "--as-of", "2026-11-30")
        assert code == 2
        assert out == ""
        assert len(err.strip().splitlines()) == 1 and str(target) in err
    (tmp_path / "blank.csv").write_text("", encoding="utf-8")
    code, _, err = cli(tmp_path / "blank.csv")
    assert code == 2 and "no records" in err


def test_no_rule_selected_exits_2(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1)])
    code, _, err = cli(path, "--only", "no-such-rule")
    assert code == 2 and "no-such-rule" in err


def analysis(person: str, period: str, filed: str) -> dict[str, Any]:
    return {"form": "lost-customer-analysis", "id": f"LS-{period}-{person}", "period": period, "prepared_by": person,
            "prepared_on": filed, "rows": [{"customer": "东方电子", "last_business_date": "2026-08-20",
                                            "reason_category": "价格", "reason": "报价高", "retention_action": "优惠",
                                            "result": "跟进中"}]}


def test_periods_count_for_the_period_they_state_and_only_when_due(tmp_path: Path) -> None:
    # September's analyses filed on 3 October count for September; 陈晨 has none for October
    records = [analysis("李娜", "2026-09", "2026-10-03"), analysis("陈晨", "2026-09", "2026-10-03"),
               analysis("李娜", "2026-10", "2026-11-02")]
    path = write_records(tmp_path / "analyses.json", records)
    report = check([path], date_from=dt.date(2026, 9, 1))
    assert brief(report) == [("lost-customer-periodic", "2026-10", "陈晨", 10)]
    # on 31 October, October is still running: nothing is missing
    assert check([path], date_from=dt.date(2026, 9, 1), as_of=dt.date(2026, 10, 31)).findings == []


def test_consecutive_missed_periods_are_one_finding_with_every_period(tmp_path: Path) -> None:
    records = [analysis("李娜", m, f"{m}-28") for m in ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10")]
    records += [analysis("陈晨", "2026-06", "2026-06-28")]
    path = write_records(tmp_path / "analyses.json", records)
    report = check([path], date_from=dt.date(2026, 6, 1))
    [f] = report.findings
    assert (f.person, f.period, f.penalty) == ("陈晨", "2026-07 至 2026-10 共 4 个月", 40)
    assert f.to_json()["periods"] == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert f.message.startswith("2026-07 至 2026-10 共 4 个月未填写《流失客户分析表》")


def test_grace_days_of_a_monthly_report(tmp_path: Path) -> None:
    stats = {"form": "receivables-statistics", "id": "YS-202609", "period": "2026-09", "prepared_by": "刘强",
             "prepared_on": "2026-10-03", "submitted_to": "张伟", "submitted_on": "2026-10-03",
             "rows": [{"customer": "甲", "receivable": 100, "received": 100, "outstanding": 0}],
             "total_receivable": 100, "total_received": 100}
    path = write_records(tmp_path / "stats.json", [stats])
    # October's statistics are due in the first 5 days of November
    assert check([path], date_from=dt.date(2026, 9, 1), as_of=dt.date(2026, 11, 4)).findings == []
    [f] = check([path], date_from=dt.date(2026, 9, 1), as_of=dt.date(2026, 11, 7)).findings
    assert (f.rule, f.period, f.person) == ("receivables-monthly", "2026-10", "刘强")


def test_patrols_are_due_on_rostered_days_and_the_one_on_duty_answers(tmp_path: Path) -> None:
    roster = {"form": "duty-roster", "id": "ZB-1", "week_start": "2026-11-02", "week_end": "2026-11-08",
              "department": "市场部", "prepared_on": "2026-10-30", "prepared_by": "张伟", "approved_by": "张伟",
              "rows": [{"date": f"2026-11-0{d}", "weekday": "一二三四五"[d - 2],
                        "duty_manager": ["何军", "高磊"][d % 2], "hours": "8:30—17:30"} for d in range(2, 7)]}
    patrol = {"form": "patrol-record", "id": "XC-1", "date": "2026-11-02", "time": "10:00", "route": "东区",
              "items": ["市场环境"], "inspector": "何军"}
    path = write_records(tmp_path / "duty.json", [roster, patrol])
    report = check([path], date_from=dt.date(2026, 11, 2), as_of=dt.date(2026, 11, 10), only=["patrol-daily"])
    got = [(f.person, f.period, f.to_json()["periods"]) for f in report.findings]
    assert sorted(got) == [("何军", "2026-11-04 至 2026-11-06 共 2 个值班日", ["2026-11-04", "2026-11-06"]),
                           ("高磊", "2026-11-03 至 2026-11-05 共 2 个值班日", ["2026-11-03", "2026-11-05"])]


def test_a_register_not_supplied_is_not_called_missing(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1)])
    report = check([path], date_from=dt.date(2026, 1, 1))
    assert report.findings == []
    assert "lost-customer-periodic" in report.summary()["not_supplied"]


def test_one_monthly_promise_is_fined_once(tmp_path: Path) -> None:
    notice = {"form": "new-customer-notice", "id": "XK-1", "date": "2026-10-01", "kind": "新进", "customer": "远航",
              "contact": "赵", "phone": "021-1", "settlement": "月结", "terms": "标准运价", "handler": "陈晨",
              "departments": ["财务部"], "stub_signed_by": ["王芳"]}
    slips = write_slips(tmp_path / "同意欠费通知单.csv", [
        slip_row(1, 客户名称="远航", 结算方式="月结", 经办人="陈晨", 批准人="", 批准日期=""),
        slip_row(2, 客户名称="远航", 结算方式="月结", 经办人="陈晨", 批准人="", 批准日期="")])
    path = write_records(tmp_path / "notice.json", [notice])
    report = check([path, slips])
    serious = [f for f in report.findings if f.rule in ("monthly-settlement-approved", "monthly-settlement-has-notice")]
    assert len(serious) == 3
    assert sum(f.penalty for f in serious) == 50
    assert report.summary()["penalties"]["陈晨"] == sum(f.penalty for f in report.findings)


def test_rate_cut_with_blank_direction_is_read_from_the_rates(tmp_path: Path) -> None:
    base = {"form": "liaison-slip", "date": "2026-11-02", "customer": "申达", "kind": "运价调整", "content": "调价",
            "handler": "陈晨", "departments": ["财务部"], "stub_signed_by": ["王芳"]}
    records = [{**base, "id": "LL-1", "current_rate": "120元/吨", "new_rate": "100元/吨"},
               {**base, "id": "LL-2", "current_rate": "100元/吨", "new_rate": "120元/吨"}]
    path = write_records(tmp_path / "liaison.json", records)
    report = check([path])
    cut = [f for f in report.findings if f.rule == "rate-cut-approved"]
    assert [(f.record, f.penalty, f.to_json()["loss"]) for f in cut] == [("LL-1", 50, 20)]


def test_same_obligation_in_two_regulations_is_one_finding(tmp_path: Path) -> None:
    survey = {"form": "satisfaction-survey", "id": "MY-1", "date": "2026-04-10", "customer": "华东",
              "respondent": "刘", "service_attitude": "满意", "timeliness": "满意", "cargo_safety": "满意",
              "billing": "满意", "overall": "满意", "visited_by": "李娜", "reported_to": "张伟",
              "reported_on": "2026-04-11"}
    path = write_records(tmp_path / "survey.json", [survey])
    report = check([path], date_from=dt.date(2026, 4, 1), as_of=dt.date(2026, 10, 10))
    # each salesman's own visits (market-department); the quarterly survey of customer-management is
    # the same obligation: no finding of its own, its clause cited on the finding for that quarter
    got = sorted((f.rule, f.person, f.period) for f in report.findings)
    assert got == [("satisfaction-periodic", "李娜", "2026-Q3"),
                   ("satisfaction-periodic", "陈晨", "2026-Q2 至 2026-Q3 共 2 个季度")]
    [q3] = [f for f in report.findings if f.period == "2026-Q3"]
    assert "市场部客户管理制度" in q3.citation


def test_regulations_in_force(tmp_path: Path) -> None:
    org = yaml.safe_load((REGULATIONS / "org.yaml").read_text(encoding="utf-8"))
    org["regulations"] = ["duty-manager"]
    org_file = tmp_path / "org.yaml"
    org_file.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
    path = write_slips(tmp_path / "r" / "同意欠费通知单.csv", [slip_row(1, 批准人="")])
    # a duty record, so that something is audited (records of regulations not in force alone are
    # nothing to audit: tests/test_check_acceptance.py)
    handover = {"form": "duty-handover", "id": "JJ-1", "date": "2026-11-02", "market_situation": "正常",
                "open_issues": "无", "important_customers": "无", "todo": "无", "from_manager": "何军",
                "to_manager": "高磊"}
    duty = write_records(tmp_path / "r" / "交接.json", [handover])
    report = audit(load_project([REGULATIONS], org_file), [path, duty], as_of=AS_OF)
    assert report.findings == [] and report.checked == 2
    assert report.summary()["regulations"] == ["duty-manager"]


def test_totals_equal_the_sum_of_the_lines() -> None:
    report = check([ROOT / "examples" / "records"])
    s = report.to_json()["summary"]
    lines = report.to_json()["findings"]
    assert all(isinstance(f["person"], str) and "、" not in f["person"] for f in lines)
    by_person: dict[str, float] = {}
    for f in lines:
        if f["person"] and f["penalty"]:
            by_person[f["person"]] = by_person.get(f["person"], 0) + f["penalty"]
    assert s["penalties"] == by_person
    assert s["total_penalty"] == sum(f["penalty"] for f in lines)
    assert sum(r["penalty"] for r in s["by_regulation"]) == s["total_penalty"]
    assert sum(r["penalty"] for r in s["by_rule"]) == s["total_penalty"]


def test_cli_json_is_the_librarys(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv",
                       [slip_row(1, 批准人="", 批准日期=""), slip_row(2, 存根签字="陈刚;王芳")])
    code, out, _ = cli(path, "--as-of", "2026-11-30", "--format", "json")
    assert code == 1
    assert out.encode("utf-8") == render(check([path]), "json")
    data = json.loads(out)
    assert {f["rule"] for f in data["findings"]} == {"arrears-approved-by-leader", "arrears-approval:required"}
    assert all(f["title"] and f["line"] == 2 for f in data["findings"])


def test_patrol_items_and_a_document_reviewed_by_its_drafter(tmp_path: Path) -> None:
    patrol = {"form": "patrol-record", "id": "XC-1", "date": "2026-11-02", "time": "10:00", "route": "东区",
              "items": ["市场环境", "安全隐患"], "inspector": "何军"}
    full = {**patrol, "id": "XC-2", "items": ["市场环境", "商家经营状况", "设施设备运行情况", "安全隐患"]}
    doc = {"form": "document-issue", "id": "FW-1", "doc_title": "运价通知", "drafted_by": "钱敏", "reviewed_by": "钱敏",
           "reviewed_on": "2026-11-02", "issued_on": "2026-11-03", "archived_on": "2026-11-04", "registered_by": "钱敏"}
    path = write_records(tmp_path / "r.json", [patrol, full, doc])
    report = check([path], only=["patrol-items-covered", "mo-document-reviewed-by-other"])
    got = [(f.rule, f.record, f.person) for f in report.findings if not f.rule.endswith(":required")]
    assert sorted(got) == [("mo-document-reviewed-by-other", "FW-1", "钱敏"), ("patrol-items-covered", "XC-1", "何军")]


def test_empty_required_table_cells_of_a_yaml_record(tmp_path: Path) -> None:
    record = analysis("李娜", "2026-10", "2026-11-02")
    record["rows"][0]["reason"] = ""
    record["prepared_by"] = ""
    path = write_records(tmp_path / "a.json", [record])
    report = check([path], date_from=dt.date(2026, 10, 1))
    assert report.unreadable == []
    [f] = [f for f in report.findings if f.rule == "lost-customer-analysis:required"]
    assert f.message == "《流失客户分析表》LS-2026-10-李娜未填写：填表人、第1行原因分析"
    assert f.person is None  # the form names nobody who filled it in: 未指明
    assert f.penalty == 10


def test_a_record_without_its_number_is_unreadable(tmp_path: Path) -> None:
    path = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1), slip_row(2, 编号="")])
    report = check([path])
    # named by the column heading the file wrote (编号), not the field key
    assert [(u.line, u.error.startswith("编号:")) for u in report.unreadable] == [(3, True)]
    assert report.checked == 1


def test_the_window_opens_with_the_first_period_the_records_state(tmp_path: Path) -> None:
    # no --from: September's analyses, filed in October, open the window on 1 September, so
    # 陈晨's missing October is due (and September is not called missing)
    records = [analysis("李娜", "2026-09", "2026-10-03"), analysis("陈晨", "2026-09", "2026-10-03"),
               analysis("李娜", "2026-10", "2026-11-02")]
    report = check([write_records(tmp_path / "analyses.json", records)])
    assert report.date_from == dt.date(2026, 9, 1)
    assert brief(report) == [("lost-customer-periodic", "2026-10", "陈晨", 10)]


def test_only_limits_completeness_to_the_forms_chosen(tmp_path: Path) -> None:
    slips = write_slips(tmp_path / "同意欠费通知单.csv", [slip_row(1, 欠费原因="")])
    visit = {"form": "customer-visit", "id": "BF-1", "date": "2026-10-10", "customer": "远航", "contact": "",
             "visit_kind": "上门拜访", "content": "介绍", "intention": "待定", "visited_by": "陈晨"}
    other = write_records(tmp_path / "visit.json", [visit])
    report = check([slips, other], only=["arrears-*"])
    assert [(f.rule, f.record) for f in report.findings] == [("arrears-approval:required", "QF-0001")]
    report = check([slips, other], only=["customer-visit:required"])
    assert [(f.rule, f.record) for f in report.findings] == [("customer-visit:required", "BF-1")]
