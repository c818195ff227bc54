# ruff: noqa: E501  (a data file: Chinese record values count double towards the line length)
"""Write the demo records in examples/records/: two months (October and November 2026) of a
logistics company's paperwork under the five regulations, with real breaches, in every format
``regkit check`` reads: YAML and JSON files, a UTF-8 CSV with Chinese headings, a GBK-encoded CSV
(as Chinese Excel saves it), XLSX workbooks (a sheet per form) and a filled-in Word form.

    .venv/bin/python examples/make_records.py
    .venv/bin/regkit check examples/records --as-of 2026-11-30

The output is deterministic (no randomness, fixed dates), so the files can be committed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "examples" / "records"
D = dt.date


def day(month: int, d: int) -> dt.date:
    """A date of 2026."""
    return D(2026, month, d)


def mondays() -> list[dt.date]:
    """The Mondays of the weeks overlapping October and November 2026."""
    first = day(9, 28)
    return [first + dt.timedelta(weeks=i) for i in range(9)]


class _Dumper(yaml.SafeDumper):
    """Writes repeated values out in full (regkit refuses YAML anchors and aliases)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_yaml(name: str, records: list[dict[str, Any]], note: str) -> None:
    """A YAML file of records, with a comment saying what it holds."""
    text = yaml.dump(records, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    (OUT / name).write_text(f"# {note}\n" + text, encoding="utf-8")


def labels(form_id: str, keys: list[str]) -> list[str]:
    """The Chinese labels of a form's fields (``table.column`` keys: the column's label)."""
    from regkit.loader import load_project

    hit = load_project([ROOT / "regulations"]).form(form_id)
    assert hit is not None, form_id
    form = hit[1]
    out = []
    for key in keys:
        if "." in key:
            table = form.table
            assert table is not None
            out.append(next(c.label for c in table.columns or [] if c.key == key.split(".")[1]))
        else:
            f = form.field(key)
            assert f is not None, (form_id, key)
            out.append(f.label)
    return out


def write_csv(name: str, header: list[str], rows: list[list[Any]], encoding: str) -> None:
    """A CSV file with a heading row (Excel's line ends)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([["" if v is None else v for v in row] for row in rows])
    (OUT / name).write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(name: str, sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> None:
    """A workbook with a sheet per form (sheet named after the form's title)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
    path = OUT / name
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip with fixed timestamps and member order, so the bytes do not change."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    # openpyxl stamps the document properties with the time of saving
    stamp = b"2026-12-01T00:00:00Z"
    members = [(n, re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", stamp, d) if n == "docProps/core.xml" else d)
               for n, d in members]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


# -- 市场部的管理制度 (market-department) ---------------------------------------------------------

ARREARS = ["id", "date", "customer", "settlement", "amount", "reason", "promised_date", "handler", "approved_by",
           "approved_on", "departments", "stub_signed_by", "paid_on", "paid_amount"]


def arrears() -> list[list[Any]]:
    """《同意欠费通知单》 of October and November."""
    ok = ("张伟", "财务部;调度部", "王芳;陈刚")

    def row(n: int, d: dt.date, customer: str, amount: str, handler: str, approver: str = ok[0],
            approved: dt.date | None = None, depts: str = ok[1], signed: str = ok[2], paid: dt.date | None = None,
            paid_amount: str | None = None, settlement: str = "现金") -> list[Any]:
        return [f"QF-2026{n:03d}", d, customer, settlement, amount, "临时资金周转困难，申请延期付款", d + dt.timedelta(days=30),
                handler, approver, (approved or d) if approver else approved, depts, signed, paid, paid_amount]

    return [
        row(101, day(10, 8), "华东建材有限公司", "12000", "李娜", paid=day(11, 5), paid_amount="12000"),
        # approved by the deputy manager, who may not approve arrears
        row(102, day(10, 12), "申达电器有限公司", "8600.50", "陈晨", approver="赵明", paid=day(11, 10), paid_amount="8600.50"),
        # approved two days after the slip was filled in; 运输部's stub not signed by its head
        row(103, day(10, 15), "恒丰食品有限公司", "5000", "李娜", approved=day(10, 17), depts="财务部;运输部",
            signed="王芳;马超", paid=day(11, 14), paid_amount="5000"),
        # promised for 11-19, still unpaid at the audit date
        row(104, day(10, 20), "金源纺织有限公司", "23000", "陈晨"),
        # paid, but 1000 short
        row(105, day(10, 25), "宏达五金有限公司", "3000", "李娜", paid=day(11, 20), paid_amount="2000"),
        # monthly settlement without an approved 《新（重）进客户操作通知单》
        row(106, day(11, 2), "顺通物流有限公司", "4500", "陈晨", settlement="月结"),
        # nobody approved it, and the approval date is blank too: a finding, not an unreadable row
        row(107, day(11, 5), "华东建材有限公司", "1500", "李娜", approver="", approved=None),
        # the heads signed the stub in another order than the departments: no breach
        row(108, day(11, 9), "瑞祥家具有限公司", "6800", "陈晨", signed="陈刚;王芳", paid=day(11, 25), paid_amount="6800"),
        # paid in full two days after the promised date: late, not unpaid
        row(109, day(10, 5), "恒丰食品有限公司", "2600", "李娜", paid=day(11, 6), paid_amount="2600"),
    ]


def notices() -> list[dict[str, Any]]:
    """《新（重）进客户操作通知单》."""
    base = {"contact": "王经理", "phone": "021-62345678", "terms": "按公司标准运价，送货上门。",
            "departments": ["财务部", "调度部"], "stub_signed_by": ["王芳", "陈刚"]}
    return [
        {"form": "new-customer-notice", "id": "XK-2026101", "date": day(10, 9), "kind": "新进", "customer": "华东建材有限公司",
         "settlement": "现金", "handler": "李娜", **base},
        {"form": "new-customer-notice", "id": "XK-2026102", "date": day(10, 16), "kind": "变更结算方式",
         "customer": "瑞祥家具有限公司", "settlement": "月结", "previous_settlement": "现金", "handler": "陈晨",
         "approved_by": "张伟", "approved_on": day(10, 16), **base},
        # monthly settlement promised without the leader's approval
        {"form": "new-customer-notice", "id": "XK-2026103", "date": day(10, 22), "kind": "新进", "customer": "远航贸易有限公司",
         "settlement": "月结", "handler": "陈晨", **base},
        # the same customer, already handled by 李娜, reported again by 陈晨
        {"form": "new-customer-notice", "id": "XK-2026104", "date": day(10, 28), "kind": "重进", "customer": "华东建材有限公司",
         "settlement": "现金", "handler": "陈晨", **base},
        # 运输部's head 孙涛 did not sign the stub
        {"form": "new-customer-notice", "id": "XK-2026105", "date": day(11, 3), "kind": "新进", "customer": "鑫达包装有限公司",
         "settlement": "现金", "handler": "李娜", **{**base, "departments": ["财务部", "运输部"], "stub_signed_by": ["王芳"]}},
    ]


def market_misc() -> list[dict[str, Any]]:
    """Liaison slips, customer visits, deductions, surveys, order sorting."""
    liaison = {"departments": ["财务部", "调度部"], "stub_signed_by": ["王芳", "陈刚"]}
    return [
        {"form": "liaison-slip", "id": "LL-2026101", "date": day(10, 20), "customer": "申达电器有限公司", "kind": "运价调整",
         "content": "客户要求下调上海至南京线路运价。", "current_rate": "120元/吨", "new_rate": "100元/吨", "rate_change": "下调",
         "handler": "陈晨", **liaison},
        {"form": "liaison-slip", "id": "LL-2026102", "date": day(11, 6), "customer": "恒丰食品有限公司", "kind": "特殊操作要求",
         "content": "冷链货物，需全程温控。", "handler": "李娜", **liaison},
        # a rate cut with the direction left blank, not approved: the rates show the cut
        {"form": "liaison-slip", "id": "LL-2026103", "date": day(11, 18), "customer": "瑞祥家具有限公司", "kind": "运价调整",
         "content": "客户要求调整上海至杭州线路运价。", "current_rate": "150元/吨", "new_rate": "135元/吨", "handler": "李娜",
         **liaison},
        {"form": "customer-visit", "id": "BF-2026101", "date": day(10, 10), "customer": "远航贸易有限公司", "contact": "赵总",
         "visit_kind": "上门拜访", "content": "介绍华东线路及仓储服务。", "intention": "有意向", "visited_by": "陈晨",
         "reported_to": "张伟"},
        {"form": "customer-visit", "id": "BF-2026102", "date": day(10, 30), "customer": "鑫达包装有限公司", "contact": "钱经理",
         "visit_kind": "上门拜访", "content": "洽谈长期合作。", "intention": "有意向", "visited_by": "李娜"},
        {"form": "customer-visit", "id": "BF-2026103", "date": day(11, 13), "customer": "金源纺织有限公司", "contact": "孙经理",
         "visit_kind": "上门拜访", "content": "催收欠款。", "intention": "待定", "visited_by": "陈晨", "verified": "不属实"},
        {"form": "deduction-record", "id": "LP-2026101", "date": day(10, 18), "customer": "恒丰食品有限公司", "kind": "理赔",
         "reason": "货物破损两箱。", "amount": 600, "verified_with": ["调度部"], "handler": "刘强", "reported_to": "张伟",
         "reported_on": day(10, 18), "deducted_on": day(10, 20)},
        {"form": "deduction-record", "id": "LP-2026102", "date": day(11, 8), "customer": "申达电器有限公司", "kind": "扣款",
         "reason": "延误一天交货。", "amount": 1500, "verified_with": ["调度部"], "handler": "刘强", "reported_to": "张伟",
         "reported_on": day(11, 12), "deducted_on": day(11, 10)},
        {"form": "satisfaction-survey", "id": "MY-2026101", "date": day(10, 19), "customer": "华东建材有限公司",
         "respondent": "刘主任", "service_attitude": "满意", "timeliness": "基本满意", "cargo_safety": "满意", "billing": "满意",
         "overall": "满意", "visited_by": "李娜", "reported_to": "张伟", "reported_on": day(11, 2)},
        {"form": "order-sorting", "id": "DZ-2026101", "date": day(10, 10), "customer": "恒丰食品有限公司", "consignee": "联华超市",
         "verified_with_customer": True, "prepared_by": "杨帆", "faxed_on": day(10, 10),
         "rows": [{"order_no": "HF-1001", "delivery_note_no": "SH-88001", "goods": "速冻水饺", "quantity": 120, "unit": "箱"}]},
        {"form": "order-sorting", "id": "DZ-2026102", "date": day(11, 6), "customer": "恒丰食品有限公司", "consignee": "华联超市",
         "verified_with_customer": False, "prepared_by": "杨帆", "faxed_on": day(11, 6),
         "rows": [{"order_no": "HF-1088", "delivery_note_no": "SH-88120", "goods": "速冻汤圆", "quantity": 80, "unit": "箱"}]},
    ]


def market_periodic() -> list[dict[str, Any]]:
    """The monthly records of the market department (陈晨's October lost-customer analysis is
    missing, 李娜's filed on 2 November counts for October; November is still running; the
    October receivables statistics are late)."""
    lost = {"customer": "东方电子有限公司", "last_business_date": day(8, 20), "reason_category": "价格",
            "reason": "竞争对手报价低10%。", "retention_action": "申请优惠运价。", "result": "跟进中"}
    return [
        {"form": "lost-customer-analysis", "id": "LS-202610-李娜", "period": "2026-10", "prepared_by": "李娜",
         "prepared_on": day(11, 2), "reviewed_by": "张伟", "rows": [lost]},
        {"form": "consignment-list", "id": "TY-202610-01", "customer": "华东建材有限公司", "period": "2026-10",
         "printed_on": day(11, 4), "delivered_on": day(11, 12), "confirmed_by": "刘主任", "prepared_by": "刘强",
         "rows": [{"waybill_no": "YD-1003", "ship_date": day(10, 9), "consignee": "无锡分公司", "destination": "无锡",
                   "pieces": 40, "freight": 2400}],
         "freight_total": 2400, "counting_fee": 60, "storage_fee": 300, "handling_fee": 200, "total_amount": 2900},
        {"form": "receivables-statistics", "id": "YS-202610", "period": "2026-10", "prepared_by": "刘强",
         "prepared_on": day(11, 12), "submitted_to": "张伟", "submitted_on": day(11, 12),
         "rows": [{"customer": "华东建材有限公司", "salesman": "李娜", "receivable": 61000, "received": 55000,
                   "outstanding": 6000}], "total_receivable": 61000, "total_received": 55000},
        {"form": "turnover-report", "id": "YY-202610", "period": "2026-10", "prepared_by": "赵明", "prepared_on": day(11, 3),
         "rows": [{"customer": "华东建材有限公司", "salesman": "李娜", "turnover": 61000}], "total_turnover": 61000,
         "reviewed_by": "张伟"},
    ]


def pickup_form() -> dict[str, Any]:
    """A 《提货通知单》 filled in on the computer: the dispatcher never signed it."""
    return {"form": "pickup-notice", "id": "TH-2026101", "date": day(10, 14), "customer": "申达电器有限公司",
            "contact": "周先生", "phone": "13812345678", "pickup_address": "上海市嘉定区曹安公路1888号",
            "pickup_date": day(10, 15), "goods": "家用电器", "pieces": 60, "handler": "陈晨"}


# -- 市场值班经理管理制度 (duty-manager) --------------------------------------------------------

def rosters() -> list[dict[str, Any]]:
    """Weekly duty rosters (the week of 11-02 has none; the week of 11-16 was fixed on its Monday)."""
    out = []
    managers = ["何军", "高磊", "许婷"]
    for i, monday in enumerate(mondays()):
        if monday == day(11, 2):
            continue
        prepared = monday if monday == day(11, 16) else monday - dt.timedelta(days=3)
        rows = [{"date": monday + dt.timedelta(days=k), "weekday": "一二三四五"[k], "duty_manager": managers[(i + k) % 3],
                 "hours": "8:30—17:30"} for k in range(5)]
        out.append({"form": "duty-roster", "id": f"ZB-{monday:%Y%m%d}", "week_start": monday,
                    "week_end": monday + dt.timedelta(days=6), "department": "市场部", "prepared_on": prepared,
                    "rows": rows, "prepared_by": "张伟", "approved_by": "张伟"})
    return out


def duty_misc() -> list[dict[str, Any]]:
    """Swaps, a handover, a complaint and a marketing activity."""
    return [
        {"form": "duty-swap-request", "id": "TB-2026101", "applicant": "何军", "original_date": day(10, 22),
         "substitute": "高磊", "reason": "家中有事。", "requested_on": day(10, 19), "approved_by": "张伟",
         "approved_on": day(10, 19)},
        # asked the day before, and approved only after the original duty day
        {"form": "duty-swap-request", "id": "TB-2026102", "applicant": "许婷", "original_date": day(11, 11),
         "substitute": "何军", "reason": "身体不适。", "requested_on": day(11, 10), "approved_by": "张伟",
         "approved_on": day(11, 12)},
        {"form": "duty-handover", "id": "JJ-2026101", "date": day(10, 16), "time": "17:30", "market_situation": "运行平稳。",
         "open_issues": "无。", "important_customers": "华东建材有限公司到货。", "todo": "跟进投诉处理。",
         "from_manager": "何军", "to_manager": "高磊"},
        # the reply was due 10-26 and went out 10-29
        {"form": "complaint-record", "id": "TS-2026101", "received_on": day(10, 23), "customer": "申达电器有限公司",
         "content": "货物送达延误一天。", "nature": "时效", "responsible_department": "调度部", "resolved_on_spot": False,
         "reply_due": day(10, 26), "replied_on": day(10, 29), "follow_up_on": day(11, 5), "satisfaction": "基本满意",
         "archived_on": day(11, 6), "handler": "高磊"},
        # carried out before anyone approved it
        {"form": "marketing-plan", "id": "YX-2026101", "theme": "秋季客户答谢会", "activity_date": day(11, 15),
         "place": "公司会议室", "content": "答谢重点客户，介绍新线路。", "participants": ["张伟", "李娜", "陈晨"],
         "budget": 8000, "prepared_by": "李娜", "submitted_on": day(11, 1), "carried_out_on": day(11, 15),
         "summary": "到会客户12家。"},
    ]


PATROL = ["id", "date", "time", "route", "items", "problems", "severity", "handling", "reported_to", "reported_on",
          "inspector"]


def patrols() -> list[list[Any]]:
    """Daily patrols (none on 11-16; a problem found on 10-21 was never handled)."""
    out = []
    people = ["何军", "高磊", "许婷"]
    first = mondays()[0]  # the audit window starts with the first duty roster's week
    for i in range((day(11, 30) - first).days + 1):
        when = first + dt.timedelta(days=i)
        if when == day(11, 16):
            continue
        problem = "东区消防通道堆放货物" if when == day(10, 21) else None
        # the patrol of 11-24 looked at the market and its hazards only
        items = "市场环境;安全隐患" if when == day(11, 24) else "市场环境;商家经营状况;设施设备运行情况;安全隐患"
        out.append([f"XC-{when:%Y%m%d}", when, "10:00", "东区—中区—西区", items, problem,
                    "一般" if problem else None, None, None, None, people[i % 3]])
    return out


# -- 市场内勤管理办法 (market-office) -----------------------------------------------------------

def office_sheets() -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The office's monthly self-evaluations, reviews and backups, one sheet per form."""
    self_head = labels("self-evaluation", ["id", "month", "person", "achievements", "shortcomings", "improvements",
                                            "filled_on"])
    selfs = []
    for person in ("钱敏", "郭琳"):
        for month, filled in (("2026-10", day(10, 29)), ("2026-11", day(11, 27))):
            if person == "郭琳" and month == "2026-11":
                filled = day(11, 20)  # filled in ten days before the month's end
            selfs.append([f"ZP-{month}-{person}", month, person, "按时完成资料整理。", "归档偶有延误。", "每日清理待归档文件。",
                          filled])
    sup_head = labels("supervisor-evaluation", ["id", "month", "person", "performance", "score", "comments",
                                                "reviewed_by", "reviewed_on"])
    sups = [[f"SJ-{m}-{p}", m, p, "工作认真。", 90, "继续保持。", "孙悦", d] for m, d in (("2026-10", day(11, 6)),)
            for p in ("钱敏", "郭琳")]
    peer_head = labels("peer-evaluation", ["id", "month", "person", "held_on", "score", "organiser", "rows.evaluator",
                                           "rows.teamwork", "rows.contribution", "rows.comments"])
    peers = []
    for m, held in (("2026-10", day(11, 4)),):
        for p in ("钱敏", "郭琳"):
            if m == "2026-10" and p == "郭琳":
                continue  # no peer evaluation before her October review
            for evaluator in ("张伟", "赵明"):
                peers.append([f"TS-{m}-{p}", m, p, held, 88, "孙悦", evaluator, 9, 8, None])
    backup_head = labels("data-backup", ["id", "backed_up_on", "content", "medium", "verified", "operator"])
    backups = [["BK-202610", day(10, 30), "客户档案、合同台账", "移动硬盘", "是", "钱敏"],
               ["BK-202611", day(11, 27), "客户档案、合同台账", "云存储", "是", "郭琳"]]
    return {"月度自评表": (self_head, selfs), "上级评价表": (sup_head, sups), "同事评价表": (peer_head, peers),
            "数据备份记录": (backup_head, backups)}


def office_misc() -> list[dict[str, Any]]:
    """An archive consulted before approval, a document archived late."""
    return [
        {"form": "archive-access", "id": "CY-2026101", "applicant": "陈晨", "department": "市场部", "date": day(10, 21),
         "archive": "远航贸易有限公司合同", "purpose": "核对结算条款。", "approved_by": "张伟", "approved_on": day(10, 22),
         "accessed_on": day(10, 21), "returned_on": day(10, 21), "registered_by": "钱敏"},
        {"form": "document-issue", "id": "FW-2026101", "doc_title": "关于调整华东线路运价的通知", "drafted_by": "钱敏",
         "reviewed_by": "孙悦", "reviewed_on": day(10, 12), "issued_on": day(10, 13), "recipients": ["财务部", "调度部"],
         "archived_on": day(10, 26), "registered_by": "钱敏"},
    ]


# -- 案场管理制度 (sales-site) ------------------------------------------------------------------

def site_sheets() -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Weekly safety patrols (a hazard found on 11-11 has no measure)."""
    head = labels("safety-patrol-record", ["id", "date", "time", "area", "facilities", "hazards", "measures", "incident",
                                           "reported_to", "inspector"])
    rows = []
    for monday in mondays():
        when = max(monday + dt.timedelta(days=2), day(10, 1))
        hazard = "售楼处二楼应急灯损坏" if when == day(11, 11) else None
        rows.append([f"AQ-{when:%Y%m%d}", when, "15:00", "售楼处、样板间", "消防设施完好。", hazard, None, None, None, "冯刚"])
    return {"安全巡查记录": (head, rows)}


def site_misc() -> list[dict[str, Any]]:
    """Report meetings (none in November), a complaint answered late, a revision carried out unapproved."""
    return [
        {"form": "report-meeting", "id": "HY-202610", "date": day(10, 28), "place": "案场会议室",
         "attendees": ["黄磊", "宋佳", "唐宁", "韩雪"], "analysis": "来访量环比上升15%。", "measures": "加强周末接待力量。",
         "host": "黄磊", "recorder": "韩雪"},
        {"form": "site-complaint-record", "id": "AT-2026101", "received_on": day(11, 2), "customer": "陈女士",
         "content": "样板间开放时间与宣传不符。", "solution": "调整开放时间并致歉。", "fed_back_on": day(11, 9),
         "result": "客户表示理解。", "handler": "韩雪", "reviewed_by": "黄磊"},
        {"form": "revision-proposal", "id": "XD-2026101", "regulation": "案场管理制度", "articles": "第七条",
         "proposal": "增加周末值班安排。", "reason": "周末来访量大。", "proposed_by": "黄磊", "proposed_on": day(10, 10),
         "implemented_on": day(10, 20)},
    ]


# -- 市场部客户管理制度 (customer-management) ---------------------------------------------------

def customers() -> list[dict[str, Any]]:
    """Customer files (one without phone or needs, filed late) and one complaint handled late."""
    return [
        {"form": "customer-file", "id": "DA-2026101", "customer": "远航贸易有限公司", "category": "重点客户",
         "contact": "赵总", "phone": "021-58881234", "settlement": "月结", "needs": "华东线路整车运输。",
         "first_contact": day(10, 10), "filed_on": day(10, 12), "handler": "陈晨", "checked_by": "钱敏"},
        {"form": "customer-file", "id": "DA-2026102", "customer": "鑫达包装有限公司", "category": "潜在客户",
         "contact": "钱经理", "first_contact": day(10, 30), "filed_on": day(11, 12), "handler": "李娜", "checked_by": "钱敏"},
        {"form": "customer-feedback", "id": "FK-2026101", "received": day(11, 3), "channel": "客户服务电话", "kind": "投诉",
         "customer": "金源纺织有限公司", "content": "送货司机态度差。", "received_by": "郭琳", "deadline": day(11, 10),
         "handler": "李娜", "handled_on": day(11, 13), "result": "已向客户致歉并更换司机。", "reviewed_by": "张伟"},
    ]


def main() -> None:
    """Write every example file."""
    sys.path.insert(0, str(ROOT / "src"))
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "forms").mkdir(parents=True)
    write_csv("同意欠费通知单.csv", labels("arrears-approval", ARREARS), arrears(), "utf-8-sig")
    write_yaml("new-customer-notice.yaml", notices(), "《新（重）进客户操作通知单》, 2026年10—11月")
    write_yaml("market-department.yaml", market_misc(), "市场部：联络单、拜访记录、理赔扣款、满意度调查、订单整理")
    (OUT / "market-periodic.json").write_text(
        json.dumps(market_periodic(), ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    write_yaml("duty-roster.yaml", rosters(), "值班安排表（每周）")
    write_yaml("duty-manager.yaml", duty_misc(), "市场值班经理：调班、交接、投诉、营销活动")
    write_csv("巡查记录.csv", labels("patrol-record", PATROL), patrols(), "gbk")  # as Chinese Excel saves it
    write_xlsx("市场内勤.xlsx", office_sheets())
    write_yaml("market-office.yaml", office_misc(), "市场内勤：档案查阅、文件印发")
    write_xlsx("案场.xlsx", site_sheets())
    write_yaml("sales-site.yaml", site_misc(), "案场：工作汇报会议、投诉处理、制度修订")
    write_yaml("customer-management.yaml", customers(), "客户档案与客户反馈")
    from regkit.forms.api import render_form
    from regkit.loader import load_project

    project = load_project([ROOT / "regulations"])
    (OUT / "forms" / "TH-2026101.docx").write_bytes(render_form(project, "pickup-notice", "docx", pickup_form()))
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
