"""CSV record files: encodings (UTF-8 with and without BOM, GBK detected or given), Chinese-label
headers, the unmatched-quote trap, line numbers of bad rows (blank lines and quoted line breaks
before them), table forms regrouped by id, and the engine's fast path agreeing with the Python
checks value for value."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from check_support import notice, project, rules_hit, run, slip, stats, write_yaml
from regkit.check import load_table
from regkit.check.store import Store
from regkit.records import Collected, validate
from regkit.records.csvfile import plan_csv
from regkit.records.tabular import rows_to_records

KEYS = ["id", "date", "customer", "settlement", "amount", "promised_date", "handler", "approved_by", "approved_on",
        "departments", "stub_signed_by", "paid_on", "paid_amount"]


def labels() -> list[str]:
    form = project().form("slip")
    assert form is not None
    return [form[1].field(k).label for k in KEYS]  # type: ignore[union-attr]


def cells(rec: dict[str, Any]) -> list[str]:
    out = []
    for k in KEYS:
        v = rec.get(k)
        out.append(";".join(v) if isinstance(v, list) else "" if v is None else str(v))
    return out


def write_csv(path: Path, rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8",
              newline: str = "\r\n") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header or KEYS)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_bom_csv_with_chinese_labels(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "slip.csv", [cells(slip()), cells(slip(id="QF-002", approved_by="李娜"))],
                     header=labels(), encoding="utf-8-sig")
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == []
    assert rules_hit(report) == [("slip-approved", "QF-002")]
    assert report.findings[0].source == str(path)


def test_utf8_without_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "slip.csv", [cells(slip(approved_by="李娜"))])
    assert rules_hit(run([path, write_yaml(tmp_path / "s.yaml", [stats()])])) == [("slip-approved", "QF-001")]


def test_gbk_csv_is_detected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "同意欠费通知单.csv", [cells(slip(approved_by="李娜"))], header=labels(),
                     encoding="gbk")
    path = path.rename(tmp_path / "slip.csv")
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == []
    assert [f.message for f in report.findings] == [
        "客户甲公司欠费1200.50元未经部门领导事先批准（批准人：李娜，批准日期：2026-03-01）"]


def test_gbk_after_an_ascii_start_is_still_read(tmp_path: Path) -> None:
    plain = [cells(slip(id=f"QF-{i:05d}", customer="ACME", handler="Li")) for i in range(1500)]
    path = write_csv(tmp_path / "slip.csv", [*plain, cells(slip(id="QF-X", customer="丙公司"))], encoding="gbk")
    assert path.stat().st_size > 1 << 16
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == []
    assert report.checked == 1502


def test_encoding_can_be_given(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "slip.csv", [cells(slip(customer="乙公司"))], header=labels(), encoding="gb18030")
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])], encoding="gb18030")
    assert report.unreadable == [] and report.checked == 2
    report = run([path], encoding="utf-8")
    assert report.unreadable and "cannot decode as UTF-8" in report.unreadable[0].error


def test_unmatched_quote_is_located(tmp_path: Path) -> None:
    rows = [cells(slip(id=f"QF-{i}")) for i in range(1, 4)]
    path = write_csv(tmp_path / "slip.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[2] = text[2].replace("甲公司", '"甲公司', 1)  # line 3: QF-2 opens a quote that never closes
    path.write_text("".join(text), encoding="utf-8")
    report = run(path)
    [u] = report.unreadable
    assert (u.source, u.line) == (str(path), 3)
    assert "unmatched quote" in u.error
    assert report.checked == 1  # QF-1, before it, is still checked


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_bad_rows_have_their_lines(tmp_path: Path, newline: str) -> None:
    rows = [cells(slip(id="QF-1")), cells(slip(id="QF-2", customer="多行\n客户")), [], cells(slip(id="QF-3")),
            cells(slip(id="QF-4", amount="abc")), cells(slip(id="QF-5", date="2026-02-30"))]
    path = write_csv(tmp_path / "slip.csv", rows, newline=newline)
    report = run(path)
    assert [(u.line, u.error) for u in report.unreadable] == [
        (7, "amount: 'abc' is not an amount in yuan"), (8, "date: '2026-02-30' is not a valid date")]
    assert report.checked == 3


def test_other_spellings_go_through_the_python_checks(tmp_path: Path) -> None:
    odd = slip(id="QF-2", date="2026/3/2", amount="¥1,200.50", departments="财务部，调度部", approved_on="2026年3月1日")
    path = write_csv(tmp_path / "slip.csv", [cells(slip()), cells(odd), [" QF-3 ", *cells(slip())[1:]]])
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == []
    assert report.checked == 4
    assert report.findings == []


def _store_rows(store: Store, fid: str) -> list[tuple[Any, ...]]:
    return sorted(store.con.execute(f'SELECT * EXCLUDE (_src, _pos) FROM "{fid}"').fetchall(), key=str)


def test_fast_path_and_python_checks_agree(tmp_path: Path) -> None:
    """Rows typed by DuckDB (fast path, plus the Python checks for the rows it leaves) and the
    same rows typed by the Python checks alone give the same values; canonical rows never leave
    the fast path."""
    canonical = [slip(), slip(id="QF-2", amount="-3", paid_amount="0.5", paid_on=""), slip(id="QF-3", amount="7.10"),
                 slip(id="QF-5", approved_by="", approved_on="", settlement="其他")]
    odd = [slip(id="QF-4", departments="财务部;;调度部", stub_signed_by="王芳；陈刚"),
           slip(id="QF-6", date="0026-01-05"),
           slip(id="QF-7", customer=" 甲公司\u3000", amount="+12.5", departments="财务部, 调度部"),
           slip(id="QF-8", date="2026-3-2", promised_date="2026/03/20", amount="１２")]
    rows = [cells(v) for v in canonical + odd]
    path = write_csv(tmp_path / "slip.csv", rows)
    [table] = plan_csv(project(), path, "slip.csv", workdir=tmp_path, encoding=None).tables
    fast = Store()
    assert [p for p, _ in fast.load_csv(table)] == [4, 5, 6, 7]
    fast = Store()
    more = load_table(project(), fast, table, tmp_path, forced=False)
    assert more.unreadable == []
    fast.load_records(more.records)
    fast.create_views([table.form])
    raws, bad = rows_to_records(table.form, table.columns, [(i + 2, c) for i, c in enumerate(rows)], "slip.csv")
    checked: Collected = validate(project(), raws)
    assert bad == [] and checked.unreadable == []
    slow = Store()
    slow.load_records(checked.records)
    slow.create_views([table.form])
    assert _store_rows(fast, "slip") == _store_rows(slow, "slip")
    assert len(_store_rows(fast, "slip")) == 8


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "slip.csv", [[*cells(slip()), "x"]], header=[*KEYS, "备注"])
    [u] = run(path).unreadable
    assert (u.line, u.error) == (1, "column 14 ('备注') is not a field of form slip (write the field key or its label)")
    path = write_csv(tmp_path / "slip.csv", [cells(slip())[:-4]], header=KEYS[:-4])
    assert [u.error for u in run(path).unreadable] == ["missing column(s) of form slip: departments (送达部门), "
                                                       "stub_signed_by (存根签字)"]


def test_form_from_column_or_title(tmp_path: Path) -> None:
    rows = [["slip", *cells(slip())], ["slip", *cells(slip(id="QF-2"))]]
    path = write_csv(tmp_path / "data.csv", rows, header=["form", *KEYS])
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == [] and report.checked == 3
    rows[1][0] = "notice"
    path = write_csv(tmp_path / "data.csv", rows, header=["form", *KEYS])
    assert [u.line for u in run(path).unreadable] == [3]
    titled = write_csv(tmp_path / "同意欠费通知单.csv", [cells(slip())])
    assert run([titled, write_yaml(tmp_path / "s.yaml", [stats()])]).unreadable == []
    unnamed = write_csv(tmp_path / "data2.csv", [cells(slip())])
    assert "cannot tell the form" in run(unnamed).unreadable[0].error


def test_table_form_rows_are_regrouped(tmp_path: Path) -> None:
    header = ["编号", "统计月份", "统计人", "统计日期", "客户名称", "应收账款"]
    rows = [["YS-1", "2026-03", "刘强", "2026-04-02", "甲公司", "100"],
            ["YS-1", "2026-03", "刘强", "2026-04-02", "乙公司", "250.5"],
            ["YS-2", "2026-02", "刘强", "2026-03-02", "丙公司", "1"]]
    path = write_csv(tmp_path / "stats.csv", rows, header=header)
    report = run(path, date_from=dt.date(2026, 2, 1))
    assert report.unreadable == [] and report.checked == 2 and report.findings == []
    rows.append(["YS-2", "2026-01", "刘强", "2026-03-02", "丁公司", "1"])
    path = write_csv(tmp_path / "stats.csv", rows, header=header)
    [u] = run(path, date_from=dt.date(2026, 2, 1)).unreadable
    assert (u.line, u.error) == (5, "record YS-2: period differs from line 4")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "b.csv", [cells(slip(id="QF-9")), cells(slip())], header=labels())
    path = path.rename(tmp_path / "slip.csv")
    report = run([path, write_yaml(tmp_path / "a.yaml", [slip(), notice(), stats()])])
    [u] = report.unreadable
    assert (u.source, u.line) == (str(path), 3)
    assert u.error == "duplicate id 'QF-001' of form slip (another record has it)"
    assert report.checked == 4


def test_list_separators_match_the_forms() -> None:
    """The fast path sends every list written with another separator than ';' to the Python
    checks: its list of those separators must be the forms' list."""
    import re

    from regkit.check.accept import OTHER_SEPARATORS
    from regkit.forms.records import LIST_SEP

    m = re.fullmatch(r"\[(.*)\]\+", LIST_SEP.pattern)
    assert m is not None
    assert set(m.group(1).replace("\\n", "\n")) == set(OTHER_SEPARATORS) | {";", "\n"}
    for ch in OTHER_SEPARATORS + ";\n":
        assert LIST_SEP.split("a" + ch + "b") == ["a", "b"]


def test_whitespace_is_what_python_strips() -> None:
    """The fast path's list of whitespace code points (written out for start-up speed) is exactly
    what str.strip() removes, so a padded cell never slips past the Python checks."""
    from regkit.check.accept import WHITESPACE

    assert WHITESPACE == tuple(c for c in range(0x110000) if chr(c).isspace())


CELLS = ["a", " a", "a ", "\u3000a", "a\u3000", "a\nb", "\na", "a\n", "a\r", " ", "   ", "\u3000", "\t\n", " a b ",
         "多行\n客户", " x\n", "2026-03-05", "2026-02-30", "0026-01-05", "2026-3-05", "１２", "12", "-3", "+12.5",
         "7.10", "1.005", "1e3", ".5", "2026-03", "2026-13", "是", "TRUE", "n", "x", "a;b", "a;;b", "a; b", ";a",
         "a；b", "现金", " 现金", "甲;乙"]


@pytest.mark.parametrize("ftype", ["text", "person", "multiline", "list", "multichoice", "choice", "date", "amount",
                                   "integer", "month", "boolean"])
@pytest.mark.parametrize("required", [True, False])
def test_fast_path_accepts_only_what_the_python_checks_read_alike(ftype: str, required: bool) -> None:
    """Every cell the engine's SQL test accepts, the Python checks accept too, with the same value
    (and a value at all where the field is required): the fast path never lets a record through
    that the Python checks would list as unreadable."""
    import duckdb

    from regkit.check.accept import accept, shown, stored
    from regkit.forms.records import ValueProblem, is_empty, parse_value
    from regkit.model import FormField

    choices = ["现金", "甲", "乙"] if ftype in ("choice", "multichoice") else None
    f = FormField(key="v", label="值", type=ftype, required=required, choices=choices)  # type: ignore[arg-type]
    con = duckdb.connect()
    rows = con.execute(f"SELECT v, {accept(f, 'v')}, {shown(f, stored(f, 'v'))} FROM "
                       "(SELECT unnest($cells) AS v)", {"cells": CELLS}).fetchall()
    accepted = 0
    for cell, ok, value in rows:
        if not ok:
            continue
        accepted += 1
        try:
            want = parse_value(f, cell, lenient=True)
        except ValueProblem as exc:
            raise AssertionError(f"{cell!r}: SQL accepts what Python rejects ({exc})") from None
        assert not (required and is_empty(want)), f"{cell!r}: SQL accepts an empty required {ftype}"
        if ftype == "date" and want is not None:
            want = dt.date.fromisoformat(want)
        if ftype == "amount" and want is not None:
            want = want.quantize(Decimal("0.01"))
        assert value == want, f"{cell!r}: SQL stores {value!r}, Python reads {want!r}"
    assert accepted > 0


@pytest.mark.parametrize("rows_before", [1, 2000])  # inside the first 64 KiB read to guess, and after it
def test_a_stray_byte_in_utf8_is_reported_where_it_is(tmp_path: Path, rows_before: int) -> None:
    rows = [cells(slip(id=f"QF-{i:05d}", customer="甲公司")) for i in range(rows_before)]
    path = write_csv(tmp_path / "slip.csv", [*rows, cells(slip(id="QF-X", customer="乙公司"))], header=labels(),
                     newline="\n")
    data = path.read_bytes()
    at = data.index("乙公司".encode())
    path.write_bytes(data[:at] + b"\xff" + data[at:])
    line = data[:at].count(b"\n") + 1
    column = at - data.rfind(b"\n", 0, at)
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])])
    assert [(u.line, u.error) for u in report.unreadable] == [
        (line, f"cannot decode as UTF-8: byte 0xff at byte {column} of the line (give --encoding if the file is "
               "not UTF-8)")]


@pytest.mark.parametrize(("encoding", "message"), [
    ("rot13", "'rot13' is not a text encoding"), ("hex", "'hex' is not a text encoding"),
    ("no-such-codec", "unknown encoding 'no-such-codec'")])
def test_an_encoding_that_cannot_read_text_is_one_line(tmp_path: Path, encoding: str, message: str) -> None:
    from click.testing import CliRunner

    from regkit.cli import main

    path = write_csv(tmp_path / "slip.csv", [cells(slip())])
    result = CliRunner().invoke(main, ["check", str(path), "--encoding", encoding, "--regulations",
                                       str(Path(__file__).parent / "data" / "check" / "regulations")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"--encoding:1:1: {message} (give one of utf-8, gbk, gb18030, big5, "
                                          "utf-16)" if "unknown" not in message else
                                          f"--encoding:1:1: {message} (CSV files are UTF-8 or GBK/GB18030; give "
                                          "one of utf-8, gbk, gb18030, big5, utf-16)"]


def test_utf16_given_for_a_utf8_file_is_that_files_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "slip.csv", [cells(slip())])
    report = run([path, write_yaml(tmp_path / "s.yaml", [stats()])], encoding="utf-16")
    assert [(u.line, u.error.split(":")[0]) for u in report.unreadable] == [(1, "cannot decode as UTF-16")]
    assert report.checked == 1  # the other file is read


def test_a_table_forms_csv_over_the_row_by_row_limit_is_one_line(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import regkit.records.csvfile as csvfile

    path = tmp_path / "stats.csv"
    path.write_text("id,period,prepared_by,prepared_on,rows.customer,rows.receivable\n"
                    "YS-1,2026-03,刘强,2026-04-02,甲公司,100\n", encoding="utf-8")
    monkeypatch.setattr(csvfile, "MAX_PYTHON_BYTES", 10)
    report = run([path])
    assert [(u.line, u.error.split(",")[0]) for u in report.unreadable] == [(1, f"file is {path.stat().st_size} "
                                                                                "bytes")]


@pytest.mark.parametrize(("blank", "line"), [(0, 4), (2, 6)])
def test_a_findings_line_in_a_file_without_quotes(tmp_path: Path, blank: int, line: int) -> None:
    """Lines of the engine's rows in an LF file: without a quote, a carriage return or a blank line
    each row is one line (known without counting them); blank lines, which the engine skips, count."""
    rows = [",".join(cells(slip(id="QF-1"))), ",".join(cells(slip(id="QF-2")))] + [""] * blank
    rows.append(",".join(cells(slip(id="QF-9", approved_by="李娜"))))
    path = tmp_path / "slip.csv"
    path.write_text("\n".join([",".join(KEYS), *rows]) + "\n", encoding="utf-8")
    assert '"' not in path.read_text(encoding="utf-8")
    report = run(path)
    assert report.unreadable == [] and report.checked == 3
    [f] = [f for f in report.findings if f.record == "QF-9"]
    assert f.line == line


@pytest.mark.parametrize("start", ["\n", "\r\n", "\ufeff\n", "\n\n"])
def test_a_file_whose_first_line_is_blank_is_audited(tmp_path: Path, start: str) -> None:
    """A blank line before the header: the engine would take it for the header, and the file was
    once left out of the audit without a word. It is read in Python, which skips it."""
    rows = [",".join(cells(slip(id="QF-1"))), ",".join(cells(slip(id="QF-9", approved_by="李娜")))]
    path = tmp_path / "slip.csv"
    path.write_text(start + "\n".join([",".join(KEYS), *rows]) + "\n", encoding="utf-8", newline="")
    report = run(path)
    assert report.unreadable == [] and report.checked == 2
    [f] = [f for f in report.findings if f.record == "QF-9"]
    assert f.line == 3 + start.count("\n")
