"""A value a rule cannot compute with (an integer too large for the type the rule casts to:
DuckDB's "Conversion Error ... INT32") makes that record's finding a rule error; the rule still
runs on the other records and the rest of the audit goes on."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from check_support import REGULATIONS, slip, stats, write_yaml
from regkit.check import audit
from regkit.loader import load_project

RULE = """  - id: slip-extra-days
    kind: expr
    title: 延期天数内付清
    clauses: [s1.1.3]
    form: slip
    person: handler
    when: extra_days is not None
    assert: promised_date + extra_days >= date
    message: 客户{customer}的承诺付款日期加延期天数早于填写日期
"""


def _project(tmp_path: Path) -> Path:
    regs = tmp_path / "regs"
    shutil.copytree(REGULATIONS, regs)
    path = regs / "audit-demo.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("      - {key: paid_amount, label: 付清金额, type: amount, required: false}\n",
                        "      - {key: paid_amount, label: 付清金额, type: amount, required: false}\n"
                        "      - {key: extra_days, label: 延期天数, type: integer, required: false}\n", 1)
    text = text.replace("rules:\n", "rules:\n" + RULE, 1)
    path.write_text(text, encoding="utf-8")
    return regs


def test_a_value_the_rule_cannot_compute_with_is_that_records_rule_error(tmp_path: Path) -> None:
    project = load_project([_project(tmp_path)])
    records = write_yaml(tmp_path / "r.yaml", [
        slip(id="QF-001", extra_days=3),
        slip(id="QF-002", extra_days=5_000_000_000),  # a valid BIGINT; INTEGER overflows
        slip(id="QF-003", extra_days=-100),  # breaks the rule
        slip(id="QF-004", extra_days=None, approved_by="李娜"),  # breaks another rule
        stats(),
    ])
    report = audit(project, [records], as_of=dt.date(2026, 3, 31), date_from=dt.date(2026, 3, 1))
    assert report.unreadable == []
    hits = sorted((f.rule, f.record, f.message[:8]) for f in report.findings)
    assert ("slip-extra-days", "QF-002", "规则错误：无法按") in hits
    assert ("slip-extra-days", "QF-003", "客户甲公司的承诺") in hits
    assert ("slip-approved", "QF-004", "客户甲公司欠费1") in hits
    [error] = [f for f in report.findings if f.record == "QF-002"]
    assert "INT32" in error.message or "Conversion" in error.message
    assert error.penalty == 0
    assert report.exit_code == 1
