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
