"""The engine's safety and the command: record values are data (never SQL), DuckDB is locked
before rules run, the same inputs in any order give the same bytes, and ``regkit check`` exits
0 clean, 1 findings, 2 unreadable (still writing its report), printing what the library returns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from check_support import AS_OF, FROM, REGULATIONS, notice, project, run, slip, stats, write_json, write_yaml
from regkit.check import audit
from regkit.check.store import Store
from regkit.cli import main
from regkit.report import render
from test_records_csv import cells, write_csv

INJECTIONS = [
    "'); COPY (SELECT 42) TO '{out}'; --",
    "\"; ATTACH '{out}' AS x; --",
    "x' || (SELECT * FROM read_text('/etc/hostname')) || '",
]


@pytest.mark.parametrize("template", INJECTIONS)
def test_record_values_are_data(tmp_path: Path, template: str) -> None:
    out = tmp_path / "pwned.csv"
    evil = template.format(out=out)
    records = [slip(customer=evil, approved_by="李娜"), notice(customer=evil), stats()]
    report = run([write_yaml(tmp_path / "a.yaml", records),
                  write_csv(tmp_path / "slip.csv", [cells(slip(id="QF-9", customer=evil, approved_by="李娜"))])])
    assert not out.exists()
    assert report.unreadable == []
    assert [f.message.split("欠费")[0] for f in report.findings] == [f"客户{evil}"] * 2


def test_duckdb_is_locked_before_rules_run(tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "slip.csv", [cells(slip())])
    store = Store()
    store.con.execute("SELECT count(*) FROM read_csv($p)", {"p": str(csv_file)})  # allowed while loading
    store.lock()
    for sql in (f"SELECT * FROM read_csv('{csv_file}')", "SELECT * FROM read_text('/etc/passwd')",
                f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'", "SET enable_external_access = true",
                "SET lock_configuration = false", "INSTALL httpfs"):
        with pytest.raises(duckdb.Error):
            store.con.execute(sql)
    assert not (tmp_path / "x.csv").exists()


RECORDS = [slip(approved_by="李娜"), slip(id="QF-002", paid_on=None, paid_amount=None, handler="陈晨"),
           slip(id="QF-003", stub_signed_by=["王芳"]), notice(), notice(id="XK-002", settlement="现金", handler="陈晨"),
           stats("2026-02")]


@pytest.mark.parametrize("fmt", ["text", "json", "html", "junit", "csv"])
def test_same_inputs_in_any_order_give_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    # the same files given in any order (a finding names its record's line, so the files' own
    # contents stay as they are)
    outs = []
    slips = [r for r in RECORDS if r["form"] == "slip"]
    files = [write_yaml(tmp_path / "a.yaml", [r for r in RECORDS if r["form"] != "slip"]),
             write_json(tmp_path / "b.json", [r for r in slips if r["id"] != "QF-002"]),
             write_csv(tmp_path / "slip.csv", [cells(r) for r in slips if r["id"] == "QF-002"])]
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        outs.append(render(run([files[i] for i in order], date_from=None), fmt))
    assert outs[0] == outs[1] == outs[2]
    assert outs[0].count(b"QF-00") >= 3


def cli(*args: str | Path) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, ["check", *map(str, args), "--regulations", str(REGULATIONS),
                                  "--as-of", AS_OF.isoformat(), "--from", FROM.isoformat()], obj={})
    return result.exit_code, result.stdout, result.stderr


def test_exit_codes(tmp_path: Path) -> None:
    clean = write_yaml(tmp_path / "clean.yaml", [slip(), notice(), stats()])
    assert cli(clean)[0] == 0
    bad = write_yaml(tmp_path / "bad.yaml", [slip(id="QF-2", approved_by="李娜")])
    assert cli(clean, bad)[0] == 1
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    code, out, _ = cli(clean, bad, broken, "--format", "json")
    assert code == 2  # an incomplete audit never looks clean, even with findings
    data = json.loads(out)
    assert data["summary"]["findings"] == 1
    assert data["unreadable"] == [{"source": str(broken), "line": 1,
                                   "error": "invalid JSON: Expecting property name enclosed in double quotes "
                                            "(column 3)"}]
    code, _, _ = cli(tmp_path / "missing.yaml")
    assert code == 2


def test_a_file_with_several_problems_in_its_header_is_one_record_not_read(tmp_path: Path) -> None:
    """Each problem is listed, but the summary counts records: a one-row file whose header names
    two unknown columns is one record not read, not two."""
    slips = tmp_path / "slip.csv"
    slips.write_text("编号,填写日期,颜色,尺码\nQF-1,2026-03-02,红,大\n", encoding="utf-8")
    clean = write_yaml(tmp_path / "clean.yaml", [slip(), notice(), stats()])
    code, out, _ = cli(clean, slips, "--format", "json")
    data = json.loads(out)
    assert code == 2 and len(data["unreadable"]) >= 2
    assert {u["line"] for u in data["unreadable"]} == {1}
    assert data["summary"]["unreadable"] == 1
    assert data["summary"]["records"] == data["summary"]["checked"] + 1


def test_unreadable_report_is_still_written(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("nope", encoding="utf-8")
    out = tmp_path / "out" / "report.html"
    code, _, err = cli(broken, "--format", "html", "-o", out)
    assert code == 2
    assert "无法读取" in out.read_text(encoding="utf-8")
    assert f"wrote {out}" in err


def test_cli_json_equals_library_json(tmp_path: Path) -> None:
    files = [write_yaml(tmp_path / "a.yaml", [slip(approved_by="李娜"), notice(), stats()]),
             write_json(tmp_path / "b.json", [slip(id="QF-2", stub_signed_by=["王芳"])])]
    code, out, _ = cli(*files, "--format", "json")
    assert code == 1
    assert out.encode("utf-8") == render(run(files), "json")
    report = json.loads(out)
    assert set(report) == {"as_of", "from", "summary", "findings", "unreadable"}
    assert {"records", "checked", "unreadable", "findings", "penalties"} <= set(report["summary"])
    assert report["summary"]["penalties"] == {"李娜": 20}


def test_bad_regulations_exit_2(tmp_path: Path) -> None:
    regs = tmp_path / "regs"
    shutil.copytree(REGULATIONS, regs)
    text = (regs / "audit-demo.yaml").read_text(encoding="utf-8")
    (regs / "audit-demo.yaml").write_text(text.replace("assert: paid_amount is not None", "assert: nonsense"),
                                          encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--regulations", str(regs)], obj={})
    assert result.exit_code == 2
    assert "unknown name 'nonsense'" in result.stderr


def test_project_fixture_lints() -> None:
    assert [r.id for r in project().regulations] == ["audit-demo"]
    kinds = {r.kind for r in project().regulations[0].rules}
    assert kinds == {"approval", "stub_signatures", "deadline", "cadence", "requires", "conflict", "expr"}


def test_only_limits_the_audit_to_some_rules(tmp_path: Path) -> None:
    files = [write_yaml(tmp_path / "a.yaml", [slip(approved_by="李娜", stub_signed_by=["王芳"]), notice(),
                                              notice(id="XK-002", settlement="现金", handler="陈晨")])]
    everything = {f.rule for f in run(files).findings}
    assert {"slip-approved", "slip-stub", "notice-conflict"} <= everything
    code, out, _ = cli(*files, "--only", "slip-*", "--only", "notice", "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert {f["rule"] for f in report["findings"]} == {r for r in everything if r.startswith("slip-")} | {
        r for r in everything if r.startswith("notice-")}
    assert report["summary"]["checked"] == 3  # every record is still read and validated
    lib = audit(project(), files, as_of=AS_OF, date_from=FROM, only=["slip-*", "notice"])
    assert out.encode("utf-8") == render(lib, "json")
    junit = render(audit(project(), files, as_of=AS_OF, date_from=FROM, only=["audit-demo"]), "junit")
    assert junit.count(b"<testcase ") == len(project().regulations[0].rules)
    assert render(lib, "junit").count(b"<testcase ") < len(project().regulations[0].rules)


def test_only_with_a_pattern_that_matches_nothing_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, stdout, err = cli(write_yaml(tmp_path / "a.yaml", [slip()]), "--only", "slip-aproved", "-o", out)
    assert (code, stdout) == (2, "")
    assert err.strip() == "--only:1:1: no regulation, form or rule matches 'slip-aproved'"
    assert not out.exists()


def test_a_completeness_finding_names_the_filler_of_a_large_file(tmp_path: Path) -> None:
    """The engine stores only the columns rules read; the person who fills the form in is always
    one of them, even when no rule names that field (《年度考核表》: its 考核人)."""
    from regkit.loader import load_project

    root = Path(__file__).parent.parent / "regulations"
    header = ["id", "year", "person", "monthly_summary", "result", "comments", "reviewed_by", "held_on"]
    path = write_csv(tmp_path / "annual-review.csv",
                     [["ND-1", "2025", "李娜", "", "良好", "认真负责", "赵明", "2026-01-20"]], header=header)
    report = audit(load_project([root]), [path], as_of=AS_OF, date_from=FROM)
    [found] = [f for f in report.findings if f.rule == "annual-review:required"]
    assert found.person == "赵明" and "月度考核情况" in found.message
