"""A second auditor's audit set, written from the regulations' texts (seeds 000 and 002) before
reading the checker: record files as users give them (GBK and BOM CSV with Chinese headers,
XLSX, JSON), forms of several regulations together, edge dates, and what each finding must say
(rule, record or period, person, fine, loss, line)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from check_support import SLIP_HEADER, slip_row
from regkit.check import Report, audit
from regkit.cli import main
from regkit.loader import Project, load_project
from regkit.report import render

ROOT = Path(__file__).parent.parent
REGULATIONS = ROOT / "regulations"
AS_OF = dt.date(2026, 11, 30)


def project() -> Project:
    return load_project([REGULATIONS])


def check(paths: list[Path], **kw: Any) -> Report:
    return audit(project(), paths, as_of=kw.pop("as_of", AS_OF), **kw)


def cli(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *map(str, args), "--regulations", str(REGULATIONS)], obj={})
    return result.exit_code, result.stdout, result.stderr


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def brief(report: Report) -> list[tuple[str, str | None, str | None, int | float, Any]]:
    """(rule, record or period, person, fine, loss) of every finding, sorted."""
    got = [(f.rule, f.record or f.period, f.person, f.penalty, f.to_json().get("loss")) for f in report.findings]
    return sorted(got, key=lambda x: (x[0], x[1] or ""))


# -- 第九节 三、and 第十一节 二、2: a deduction ---------------------------------------------------

def deduction(n: int, **changes: Any) -> dict[str, Any]:
    """A 《理赔扣款记录》 verified with 运输部 and reported to the leader before the deduction."""
    rec = {"form": "deduction-record", "id": f"LP-{n}", "date": "2026-10-10", "customer": f"客户{n}",
           "kind": "扣款", "reason": "货损", "amount": 300, "verified_with": ["运输部"], "handler": "刘强",
           "reported_to": "张伟", "reported_on": "2026-10-10", "deducted_on": "2026-10-12"}
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def test_a_deduction_with_its_reason_not_reported_is_an_operating_breach(tmp_path: Path) -> None:
    """二、2 fines 50 yuan and charges the loss for "擅自答应无理由扣款": a deduction whose reason is
    written down and verified with 运输部 is not 无理由; not reporting it to the leader breaks
    第九节 三、, fined 10 yuan under 一、, with no loss charged."""
    path = write_json(tmp_path / "deductions.json", [
        deduction(1),
        deduction(2, reported_to=None, reported_on=None, amount=500),
        deduction(3, reason="", reported_to=None, reported_on=None, amount=800),
        deduction(4, reason=""),
    ])
    report = check([path])
    assert brief(report) == [
        ("deduction-record:required", "LP-3", "刘强", 0, None),   # the 50-yuan finding covers 事由
        ("deduction-record:required", "LP-4", "刘强", 10, None),  # reported, but no reason written
        ("deduction-reported", "LP-2", "刘强", 10, None),
        ("deduction-unreasoned", "LP-3", "刘强", 50, 800),
    ]
    fines = {f.record: f.fine_citation for f in report.findings if f.penalty}
    assert fines["LP-2"].startswith("第十一节") and fines["LP-2"].endswith("一、")
    assert fines["LP-3"].endswith("第2条")
    assert report.summary()["penalties"] == {"刘强": 70}


# -- 市场值班经理管理制度 三（二）2 and 四（一）: who is on duty after a swap -----------------------

ALL_ITEMS = ["市场环境", "商家经营状况", "设施设备运行情况", "安全隐患"]


def roster_week(*managers: str) -> dict[str, Any]:
    """The 值班安排表 of the week of 2 November 2026, one manager a day from Monday."""
    return {"form": "duty-roster", "id": "ZB-45", "week_start": "2026-11-02", "week_end": "2026-11-08",
            "department": "市场部", "prepared_on": "2026-10-30", "prepared_by": "张伟", "approved_by": "张伟",
            "rows": [{"date": f"2026-11-{2 + i:02d}", "weekday": "一二三四五六日"[i], "duty_manager": who,
                      "hours": "8:30—17:30"} for i, who in enumerate(managers)]}


def patrol(day: str, who: str) -> dict[str, Any]:
    return {"form": "patrol-record", "id": f"XC-{day}", "date": day, "time": "9:00—10:00", "route": "东区—西区",
            "items": ALL_ITEMS, "inspector": who}


def swap(n: int, applicant: str, day: str, substitute: str, *, approved: bool = True,
         exchange: str | None = None) -> dict[str, Any]:
    rec = {"form": "duty-swap-request", "id": f"TB-{n}", "applicant": applicant, "original_date": day,
           "substitute": substitute, "reason": "家中有事", "requested_on": "2026-10-31"}
    if exchange:
        rec["swap_date"] = exchange
    if approved:
        rec.update(approved_by="张伟", approved_on="2026-10-31")
    return rec


def test_after_an_approved_swap_the_substitute_answers_for_the_patrol(tmp_path: Path) -> None:
    """三（二）2: a swap approved by the market manager changes who is on duty; the patrol of that
    day is then the substitute's. An exchange (调换值班日期) moves the substitute's day to the
    applicant; a request nobody approved changes nothing."""
    records = [roster_week("何军", "高磊", "何军", "许婷", "高磊"),
               patrol("2026-11-02", "何军"),
               swap(1, "何军", "2026-11-04", "许婷"),                           # 11-04: 许婷's now
               swap(2, "高磊", "2026-11-03", "许婷", exchange="2026-11-05"),    # 11-03 许婷, 11-05 高磊
               swap(3, "高磊", "2026-11-06", "何军", approved=False)]           # 11-06 stays 高磊's
    path = write_json(tmp_path / "duty.json", records)
    report = check([path], date_from=dt.date(2026, 11, 2), as_of=dt.date(2026, 11, 8), only=["patrol-daily"])
    got = sorted((f.person, f.to_json()["periods"]) for f in report.findings)
    assert got == [("许婷", ["2026-11-03", "2026-11-04"]), ("高磊", ["2026-11-05", "2026-11-06"])]


# -- 第八节 二、2–3, 三、3: approvals on the 新（重）进客户操作通知单 ------------------------------------

def notice(n: int, **changes: Any) -> dict[str, Any]:
    """A 新进 cash customer's 《新（重）进客户操作通知单》, stub signed by both heads."""
    rec = {"form": "new-customer-notice", "id": f"XK-{n:03d}", "date": "2026-10-10", "kind": "新进",
           "customer": f"新客户{n}", "contact": "王先生", "phone": "13800138000", "settlement": "现金",
           "terms": "按标准运价", "handler": "李娜", "approved_by": "张伟", "approved_on": "2026-10-10",
           "departments": ["财务部", "调度部"], "stub_signed_by": ["王芳", "陈刚"]}
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def monthly_slip(n: int, customer: str, day: str) -> dict[str, Any]:
    return {"form": "arrears-approval", "id": f"QF-{n:04d}", "date": day, "customer": customer, "settlement": "月结",
            "amount": 5000, "reason": "月结", "promised_date": "2026-11-05", "handler": "李娜", "approved_by": "张伟",
            "approved_on": day, "departments": ["财务部"], "stub_signed_by": ["王芳"], "paid_on": "2026-11-04",
            "paid_amount": 5000}


def test_an_undated_approval_where_the_date_is_optional_is_an_approval(tmp_path: Path) -> None:
    """The leader's name on a notice whose 批准日期 the form leaves optional shows the approval;
    it is not "擅自答应客户以月结类方式结帐" (50 yuan), neither on the notice nor on the customer's
    monthly slips. A cash 新进 customer needs no approval at all; an unapproved monthly customer
    is fined once, however many slips show it; a stub signed in another order with one more
    signer is signed."""
    records = [
        notice(1, approved_by=None, approved_on=None),                                 # 新进 cash: clean
        notice(2, settlement="月结", customer="白云", approved_on=None),               # signed, undated
        notice(3, settlement="月结", customer="远航", approved_by=None, approved_on=None),
        notice(4, stub_signed_by=["陈刚", "王芳", "张伟"]),
        monthly_slip(1, "白云", "2026-10-15"),
        monthly_slip(2, "远航", "2026-10-15"), monthly_slip(3, "远航", "2026-10-20"),
    ]
    report = check([write_json(tmp_path / "notices.json", records)])
    assert [(r, rec, p, fine) for r, rec, p, fine, _ in brief(report) if fine] == [
        ("monthly-settlement-approved", "XK-003", "李娜", 50)]
    assert {f.record for f in report.findings} == {"XK-003", "QF-0002", "QF-0003"}
    assert report.summary()["penalties"] == {"李娜": 50}


def handover(n: int, day: str, giver: str, receiver: str) -> dict[str, Any]:
    return {"form": "duty-handover", "id": f"JJ-{n}", "date": day, "market_situation": "正常", "open_issues": "无",
            "important_customers": "无", "todo": "无", "from_manager": giver, "to_manager": receiver}


def test_a_handover_signature_missing_is_the_absent_partys(tmp_path: Path) -> None:
    """三（三）3 "交接双方……在交接记录上签字": the manager who signed is not the one who failed to;
    a record that does not name the other party says nobody (未指明); one person signing both
    sides is no handover between two."""
    records = [handover(1, "2026-11-03", "何军", "高磊"), handover(2, "2026-11-04", "高磊", ""),
               handover(3, "2026-11-05", "", "许婷"), handover(4, "2026-11-06", "许婷", "许婷")]
    report = check([write_json(tmp_path / "handovers.json", records)], only=["duty-handover-*"])
    assert [(f.rule, f.record, f.person) for f in report.findings] == [
        ("duty-handover-signed", "JJ-2", None),
        ("duty-handover-signed-by-giver", "JJ-3", None),
        ("duty-handover-two-parties", "JJ-4", "许婷"),
    ]


# -- 第八节 三、5 and 第十一节 二、1: a rate change ---------------------------------------------------

def liaison(n: int, **changes: Any) -> dict[str, Any]:
    rec = {"form": "liaison-slip", "id": f"LL-{n}", "date": "2026-10-10", "customer": f"客户{n}", "kind": "运价调整",
           "content": "调整运价", "current_rate": "100元/吨", "new_rate": "90元/吨", "handler": "陈晨",
           "departments": ["财务部"], "stub_signed_by": ["王芳"]}
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def test_free_written_as_the_new_rate_is_free_transport(tmp_path: Path) -> None:
    """二、1 "擅自答应客户降低运价或免费托运": 免费 written as the new rate, direction left blank and no
    approval, is free transport (50 yuan), not merely a slip without a direction; a rise needs
    no approval; rates written as shown (元/吨, ¥1,200) are read for the direction and the loss.
    Free transport loses the whole rate, whether 免费 is the new rate or the direction with no
    new rate."""
    records = [liaison(1), liaison(2, current_rate="1.20元/公斤", new_rate="免费"),
               liaison(3, current_rate="¥1,200", new_rate="¥1,100"), liaison(4, new_rate="110元/吨"),
               liaison(5, rate_change="免费托运", new_rate=None)]
    report = check([write_json(tmp_path / "liaison.json", records)])
    assert brief(report) == [("rate-cut-approved", "LL-1", "陈晨", 50, 10.0),
                             ("rate-cut-approved", "LL-2", "陈晨", 50, 1.2),
                             ("rate-cut-approved", "LL-3", "陈晨", 50, 100.0),
                             ("rate-cut-approved", "LL-5", "陈晨", 50, 100.0)]


# -- record files as users give them ------------------------------------------------------------

def slips_file(path: Path, encoding: str) -> Path:
    """Arrears slips as Excel saves a CSV (CRLF), Chinese headers: clean, an empty approval, a
    stub signed in another order with one more signer, an empty stub, unpaid past the promise,
    unpaid on the promised day itself, an amount that is no number, 29 February 2026."""
    rows = [slip_row(1), slip_row(2, 批准人="", 批准日期=""), slip_row(3, 存根签字="陈刚;王芳;张伟"),
            slip_row(4, 存根签字=""), slip_row(5, 承诺付款日期="2026-11-10", 付清日期="", 付清金额=""),
            slip_row(6, 承诺付款日期="2026-11-30", 付清日期="", 付清金额=""), slip_row(7, 欠费金额="abc"),
            slip_row(8, 填写日期="2026-02-29")]
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)  # csv's default line end is CRLF, as Excel writes
        w.writerow(SLIP_HEADER)
        w.writerows(rows)
    return path


EXPECTED_SLIPS = [
    ("arrears-approval:required", "QF-0002", "李娜", 0, None),
    ("arrears-approval:required", "QF-0004", "李娜", 0, None),
    ("arrears-approved-by-leader", "QF-0002", "李娜", 10, None),
    ("arrears-collected", "QF-0005", "李娜", 10, 1200.5),
    ("arrears-stub-signed", "QF-0004", "李娜", 10, None),
]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_slips_as_excel_saves_them(tmp_path: Path, encoding: str) -> None:
    path = slips_file(tmp_path / "同意欠费通知单.csv", encoding)
    report = check([path])
    assert brief(report) == EXPECTED_SLIPS
    assert [u.line for u in report.unreadable] == [8, 9]
    assert (report.checked, report.exit_code) == (6, 2)
    assert {f.line for f in report.findings} == {3, 5, 6}


def test_the_same_slips_in_a_workbook(tmp_path: Path) -> None:
    import openpyxl

    rows = list(csv.reader(slips_file(tmp_path / "s.csv", "utf-8").open(encoding="utf-8")))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "同意欠费通知单"
    for row in rows:  # dates as Excel dates and amounts as numbers where they are valid
        cells: list[Any] = []
        for i, cell in enumerate(row):
            try:
                cells.append(dt.datetime.strptime(cell, "%Y-%m-%d") if cell[4:5] == "-" else
                             float(cell) if SLIP_HEADER[i] in ("欠费金额", "付清金额") and cell else cell)
            except ValueError:
                cells.append(cell)
        sheet.append(cells)
    book.save(tmp_path / "slips.xlsx")
    report = check([tmp_path / "slips.xlsx"])
    assert brief(report) == EXPECTED_SLIPS
    assert [u.line for u in report.unreadable] == [8, 9]


def test_reports_are_the_same_bytes_twice_and_the_text_leads_with_the_summary(tmp_path: Path) -> None:
    path = slips_file(tmp_path / "同意欠费通知单.csv", "gbk")
    runs = [cli(path, "--as-of", "2026-11-30", "--format", "json") for _ in range(2)]
    assert runs[0] == runs[1] and runs[0][0] == 2
    assert runs[0][1].encode("utf-8") == render(check([path]), "json")
    code, text, _ = cli(path, "--as-of", "2026-11-30")
    lines = text.splitlines()
    assert code == 2 and "发现问题 5 项" in lines[2] and "罚款合计 30 元" in lines[2]
    assert lines.index("■ 汇总") < min(i for i, line in enumerate(lines) if "QF-0002" in line)
    assert "同意欠费通知单.csv:3" in text and "arrears-approved-by-leader" not in text


def test_an_impossible_audit_date_is_one_clear_error(tmp_path: Path) -> None:
    path = slips_file(tmp_path / "同意欠费通知单.csv", "utf-8")
    code, out, err = cli(path, "--as-of", "2026-02-30")
    assert (code, out) == (2, "")
    assert "'2026-02-30' is not a date" in err and "%Y" not in err


def test_a_missed_week_says_its_days_and_a_week_begun_before_the_window_is_not_owed(tmp_path: Path) -> None:
    """三（二）1 "提前确定每周的值班经理人员名单": rosters for the weeks of 9 and 16 November, patrols
    on every rostered day. Audited 4–30 November: the week begun on 2 November started before the
    window; the week of 23 November is over and has none."""
    records: list[dict[str, Any]] = []
    for start in (dt.date(2026, 11, 9), dt.date(2026, 11, 16)):
        days = [start + dt.timedelta(days=i) for i in range(5)]
        records.append({**roster_week(*["何军"] * 5), "id": f"ZB-{start}", "week_start": str(start),
                        "week_end": str(start + dt.timedelta(days=6)), "prepared_on": str(start - dt.timedelta(3)),
                        "rows": [{"date": str(d), "weekday": "一二三四五"[i], "duty_manager": "何军",
                                  "hours": "8:30—17:30"} for i, d in enumerate(days)]})
        records += [patrol(str(d), "何军") for d in days]
    report = check([write_json(tmp_path / "duty.json", records)], date_from=dt.date(2026, 11, 4))
    [f] = report.findings
    assert (f.rule, f.period, f.person, f.penalty) == ("duty-roster-weekly", "2026-W48", "张伟", 0)
    assert f.message == "2026-W48（2026-11-23 至 2026-11-29）没有值班安排表"
