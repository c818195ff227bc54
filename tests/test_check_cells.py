"""The compiled test of CSV cells (regkit/check/cells.c): built by ``make setup``, never more
lenient than the SQL test it stands in for, right about the rows, lines and numbers of the file,
and, where it cannot be sure, leaving the decision to the SQL test with the same outcome."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from regkit.check import cells, load_table
from regkit.check.store import Store, columns
from regkit.loader import Project
from regkit.records.csvfile import plan_csv, read_python
from test_records_csv import write_csv
from test_records_fastpath import KEYS, _rows, _stored, every  # noqa: F401 - the fixture

FORM = "every"


def _form(project: Project) -> Any:
    return next(f for r in project.regulations for f in r.forms if f.id == FORM)


def _columns(project: Project) -> list[cells.Column]:
    fields = dict(columns(_form(project)))
    return [cells.column(fields[k]) for k in KEYS]


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


GOOD = ["YB-1", "甲公司", "一行", "12", "1200.50", "2026-03-05", "2026-03", "现金", "甲;乙", "财务部;调度部", "李娜",
        "市场部", "13800138000", "是"]


def _line(cells_: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(cells_)
    return buf.getvalue()[:-2]


def test_the_library_is_built() -> None:
    # make setup compiles it; without it every audit of a CSV file silently takes the slower path
    assert cells.library() is not None, f"{cells.LIBRARY} missing: run make setup"


def test_canonical_rows_pass_and_each_odd_cell_is_found(every: Project, tmp_path: Path) -> None:  # noqa: F811
    odd = {1: " 甲公司", 4: "1,200", 5: "2026-02-29", 3: "１２", 6: "2026-13", 7: "cash", 8: "甲;丁",
           9: "财务部、调度部", 10: "李娜\u3000", 13: "maybe", 2: "\n一行"}
    rows = [GOOD[:]]
    for k, value in sorted(odd.items()):
        row = [f"YB-{k + 10}", *GOOD[1:]]
        row[k] = value
        rows.append(row)
    rows.append(["YB-99", *GOOD[1:]])
    text = ",".join(KEYS) + "\n" + "\n".join(_line(r) for r in rows) + "\n"
    found = cells.scan(_write(tmp_path / "every.csv", text), _columns(every), 0)
    assert found is not None
    assert found.rows == len(rows)
    assert found.bad == list(range(1, len(odd) + 1))
    assert not found.rising  # a row with an odd cell: its number is not vouched for
    # each offset is where its row starts
    data = (tmp_path / "every.csv").read_bytes()
    for pos, off in zip(found.bad, found.offsets, strict=True):
        assert data[off:].startswith(_line(rows[pos]).encode())
    assert cells.raw_rows(tmp_path / "every.csv", found.offsets[:1]) == [
        [c or None for c in rows[1]]]


def test_facts_of_the_file(every: Project, tmp_path: Path) -> None:  # noqa: F811
    # a quoted cell with line breaks, CRLF line ends, a blank line, a BOM, no line break at the end
    rows = [["YB-1", *GOOD[1:]], ["YB-2", *GOOD[1:]], ["YB-3", *GOOD[1:]]]
    rows[1][2] = "第一行\r\n第二行\n第三行"
    text = "\ufeff" + ",".join(KEYS) + "\r\n" + _line(rows[0]) + "\r\n\r\n" + _line(rows[1]) + "\r\n" + _line(rows[2])
    path = _write(tmp_path / "every.csv", text)
    found = cells.scan(path, _columns(every), 0)
    assert found is not None
    assert (found.rows, found.bad, found.rising) == (3, [], True)
    assert found.result() == (path.read_bytes().count(b"\n"), path.read_bytes()[-1:])
    # numbers compared as text, as the engine compares them: YB-1 < YB-10 < YB-2 rises; YB-2 then YB-1 does not
    rows[2][0] = "YB-10"
    text = ",".join(KEYS) + "\n" + "\n".join(_line(r) for r in [rows[0], rows[2], rows[1]]) + "\n"
    found = cells.scan(_write(tmp_path / "a.csv", text), _columns(every), 0)
    assert found is not None and found.rising
    text = ",".join(KEYS) + "\n" + "\n".join(_line(r) for r in [rows[0], rows[1], rows[0]]) + "\n"
    found = cells.scan(_write(tmp_path / "b.csv", text), _columns(every), 0)
    assert found is not None and not found.rising
    # the same number twice does not rise either
    text = ",".join(KEYS) + "\n" + "\n".join(_line(r) for r in [rows[0], rows[0]]) + "\n"
    found = cells.scan(_write(tmp_path / "c.csv", text), _columns(every), 0)
    assert found is not None and not found.rising


@pytest.mark.parametrize(("text", "python"), [
    ("{h}\n{r}\rYB-2,x\n", False),                # a lone CR ends a line for nobody knows which reader
    ("{h}\n{r}\nYB-2,甲\"公司,x\n", False),        # a quote inside an unquoted cell
    ("{h}\n{r}\n\"YB-2,甲公司\n", False),           # a quote that never ends
    ("{h}\n{r}\nYB-2,甲公司\n", True),              # too few cells: DuckDB and Python's csv read it otherwise
    ("{h}\n{r}\n\"YB-2\"x,甲公司\n", True),         # text after a closing quote: the same
], ids=["lone-cr", "inner-quote", "unterminated", "few-cells", "after-quote"])
def test_unsure_files_are_left_to_the_sql_test_or_python(every: Project, tmp_path: Path,  # noqa: F811
                                                         text: str, python: bool) -> None:
    path = _write(tmp_path / "every.csv", text.format(h=",".join(KEYS), r=_line(GOOD)))
    assert cells.scan(path, _columns(every), 0) is None
    background = cells.Background(path, _columns(every), 0)
    assert background.wait() is None
    assert background.python is python


def _load(project: Project, path: Path, tmp_path: Path) -> tuple[Store, list[Any]]:
    [table] = plan_csv(project, path, path.name, workdir=tmp_path, encoding=None).tables
    store = Store()
    more = load_table(project, store, table, tmp_path, forced=False)
    store.load_records(more.records)
    store.create_views([table.form])
    return store, sorted(more.unreadable)


@pytest.mark.parametrize("seed", range(4))
def test_compiled_and_sql_tests_store_the_same(every: Project, tmp_path: Path, seed: int,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("regkit.check.needed_fields", lambda project, form: None)
    path = write_csv(tmp_path / "every.csv", _rows(100 + seed, 300), header=KEYS)  # CRLF: a CR in a cell is quoted
    compiled, compiled_bad = _load(every, path, tmp_path)
    assert isinstance(compiled.csv_sources["every.csv"][2], cells.Scan)  # the compiled test did run
    monkeypatch.setattr(cells, "library", lambda: None)
    sql, sql_bad = _load(every, path, tmp_path)
    assert not isinstance(sql.csv_sources["every.csv"][2], cells.Scan)
    assert _stored(compiled) == _stored(sql)
    assert compiled_bad == sql_bad
    checked = read_python(every, path, "every.csv", "utf-8-sig", list(KEYS))
    assert len(_stored(compiled)) == len(checked.records)


@pytest.mark.parametrize("wrong", ["rows", "full"])
def test_a_scan_that_does_not_line_up_leaves_it_to_the_sql_test(every: Project, tmp_path: Path,  # noqa: F811
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 wrong: str) -> None:
    monkeypatch.setattr("regkit.check.needed_fields", lambda project, form: None)
    path = write_csv(tmp_path / "every.csv", _rows(7, 200), header=KEYS)
    monkeypatch.setattr(cells, "library", lambda: None)
    expected, expected_bad = _load(every, path, tmp_path)
    monkeypatch.undo()
    monkeypatch.setattr("regkit.check.needed_fields", lambda project, form: None)
    if wrong == "rows":  # a scan that counted one row more than the engine read
        real = cells._scan

        def one_more(path: Path, cols: list[cells.Column], id_col: int) -> cells.Scan | int:
            got = real(path, cols, id_col)
            return cells.Scan(got.rows + 1, got.bad, got.offsets) if isinstance(got, cells.Scan) else got

        monkeypatch.setattr(cells, "_scan", one_more)
    else:  # more odd rows than the scan keeps
        monkeypatch.setattr(cells, "MAX_BAD", 3)
    got, got_bad = _load(every, path, tmp_path)
    assert not isinstance(got.csv_sources["every.csv"][2], cells.Scan)
    assert _stored(got) == _stored(expected)
    assert got_bad == expected_bad


@pytest.mark.parametrize("stamp", ["right", "other", "none"])
def test_a_library_built_from_another_source_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         stamp: str) -> None:
    # an old _cells.so beside a newer cells.c (a pull without make setup) may test otherwise, or
    # take other arguments: the SQL test runs instead until make setup builds it again
    source = tmp_path / "cells.c"
    shutil.copy(cells.LIBRARY.with_name("cells.c"), source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    flags = {"right": [f'-DCELLS_SOURCE="{digest}"'], "other": ['-DCELLS_SOURCE="0123456789abcdef"'],
             "none": []}[stamp]
    subprocess.run([os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", *flags, "-o", str(tmp_path / "_cells.so"),
                    str(source)], check=True)
    monkeypatch.setattr(cells, "LIBRARY", tmp_path / "_cells.so")
    monkeypatch.setattr(cells, "_tried", False)
    monkeypatch.setattr(cells, "_lib", None)
    assert (cells.library() is not None) is (stamp == "right")
