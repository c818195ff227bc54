"""An acceptance audit written as a user runs it: record files (CSV with Chinese headers, YAML, JSON,
XLSX) in a folder, ``regkit check ... --as-of 2026-11-30 --format json``, and the findings a careful
auditor reading regulations/*.yaml would report, exactly: rule, record or period, person, fine,
and the file row the finding points at."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from regkit.cli import main

ROOT = Path(__file__).parent.parent
REGULATIONS = ROOT / "regulations"
HEADER = ["编号", "填写日期", "客户名称", "结算方式", "欠费金额", "欠费原因", "承诺付款日期", "经办人", "批准人",
          "批准日期", "送达部门", "存根签字", "付清日期", "付清金额"]


def slip(n: int, **changes: str) -> list[str]:
    """A clean cash arrears slip of October, paid in time; changes by Chinese column label."""
    row = {"编号": f"QF-{n:04d}", "填写日期": "2026-10-08", "客户名称": f"客户{n}", "结算方式": "现金",
           "欠费金额": "1200.50", "欠费原因": "资金周转", "承诺付款日期": "2026-11-07", "经办人": "李娜",
           "批准人": "张伟", "批准日期": "2026-10-08", "送达部门": "财务部;调度部", "存根签字": "王芳;陈刚",
           "付清日期": "2026-11-05", "付清金额": "1200.50"}
    row.update(changes)
    return [row[h] for h in HEADER]


def write_slips(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


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
        slip(1),                                                  # line 2: clean
        slip(2, 欠费金额="1,200.50", 付清日期="2026-11-09"),       # line 3: paid two days late
        slip(3, 欠费金额="¥1200", 付清日期="", 付清金额=""),        # line 4: not paid
        slip(4, 欠费金额="abc"),                                   # line 5: unreadable
        slip(5, 填写日期="2026-02-29"),                            # line 6: unreadable
        slip(6, 批准人="   "),                                     # line 7: whitespace approver
        slip(7, 批准人="", 批准日期=""),                           # line 8: empty approval
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
    assert [(u["line"], u["error"].split(":")[0]) for u in report["unreadable"]] == [(5, "amount"), (6, "date")]
    assert report["summary"]["penalties"] == {"李娜": 30}
    assert report["summary"]["checked"] == 5


def test_a_duplicate_id_among_rows_read_by_python_is_at_its_row(tmp_path: Path) -> None:
    """The second record of the same number is listed unreadable at its own row."""
    path = write_slips(tmp_path / "同意欠费通知单.csv", [
        slip(1, 欠费金额="1,200.50"), slip(2), slip(1, 欠费金额="¥1200.50", 客户名称="别家")])
    code, report, _ = run(path, "--as-of", "2026-11-30")
    assert code == 2 and report["findings"] == []
    assert [(u["line"], "QF-0001" in u["error"]) for u in report["unreadable"]] == [(4, True)]
