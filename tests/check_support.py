"""Shared data for the checker's tests: the small audit-demo regulation (one rule of each kind),
clean records to start from, and helpers writing record files."""

from __future__ import annotations

import csv
import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from regkit.check import Report, audit
from regkit.loader import Project, load_project

DATA = Path(__file__).parent / "data" / "check"
REGULATIONS = DATA / "regulations"
AS_OF = dt.date(2026, 3, 31)
FROM = dt.date(2026, 3, 1)


@lru_cache(maxsize=1)
def project() -> Project:
    """The audit-demo regulation and its organisation profile."""
    return load_project([REGULATIONS])


def slip(**changes: Any) -> dict[str, Any]:
    """A clean 《同意欠费通知单》 record, with changes."""
    rec: dict[str, Any] = {
        "form": "slip", "id": "QF-001", "date": dt.date(2026, 3, 2), "customer": "甲公司", "settlement": "现金",
        "amount": 1200.5, "promised_date": dt.date(2026, 3, 20), "handler": "李娜", "approved_by": "张伟",
        "approved_on": dt.date(2026, 3, 1), "departments": ["财务部", "调度部"], "stub_signed_by": ["王芳", "陈刚"],
        "paid_on": dt.date(2026, 3, 15), "paid_amount": 1200.5,
    }
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def notice(**changes: Any) -> dict[str, Any]:
    """A clean 结算方式通知单 record, with changes."""
    rec: dict[str, Any] = {"form": "notice", "id": "XK-001", "date": dt.date(2026, 3, 1), "customer": "甲公司",
                           "settlement": "月结", "handler": "李娜", "approved_by": "张伟"}
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def stats(period: str = "2026-03", **changes: Any) -> dict[str, Any]:
    """A 应收账款统计表 record for a month."""
    rec: dict[str, Any] = {"form": "stats", "id": f"YS-{period}", "period": period, "prepared_by": "刘强",
                           "prepared_on": dt.date(2026, 4, 2), "rows": [{"customer": "甲公司", "receivable": 100}]}
    rec.update(changes)
    return rec


def write_yaml(path: Path, records: list[dict[str, Any]] | dict[str, Any]) -> Path:
    """Records as a YAML file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_json(path: Path, records: Any) -> Path:
    """Records as a JSON file (dates as ISO text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def run(paths: list[Path] | Path, *, as_of: dt.date = AS_OF, date_from: dt.date | None = FROM,
        encoding: str | None = None) -> Report:
    """Audit record files against audit-demo."""
    items = paths if isinstance(paths, list) else [paths]
    return audit(project(), items, as_of=as_of, date_from=date_from, encoding=encoding)


def rules_hit(report: Report) -> list[tuple[str, str | None]]:
    """(rule, record) of every finding."""
    return [(f.rule, f.record) for f in report.findings]


SLIP_HEADER = ["编号", "填写日期", "客户名称", "结算方式", "欠费金额", "欠费原因", "承诺付款日期", "经办人", "批准人",
               "批准日期", "送达部门", "存根签字", "付清日期", "付清金额"]


def slip_row(n: int, **changes: str) -> list[str]:
    """A clean cash arrears slip of October, paid in time; changes by Chinese column label."""
    row = {"编号": f"QF-{n:04d}", "填写日期": "2026-10-08", "客户名称": f"客户{n}", "结算方式": "现金",
           "欠费金额": "1200.50", "欠费原因": "资金周转", "承诺付款日期": "2026-11-07", "经办人": "李娜",
           "批准人": "张伟", "批准日期": "2026-10-08", "送达部门": "财务部;调度部", "存根签字": "王芳;陈刚",
           "付清日期": "2026-11-05", "付清金额": "1200.50"}
    row.update(changes)
    return [row[h] for h in SLIP_HEADER]


def write_slips(path: Path, rows: list[list[str]]) -> Path:
    """Arrears slips as a CSV file with the Chinese column labels, as Excel users save it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SLIP_HEADER)
        w.writerows(rows)
    return path
