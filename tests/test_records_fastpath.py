"""The engine's fast path for CSV files against the Python record checks, on generated cells.

DuckDB takes a CSV row only when every cell is in canonical form, and then must store exactly
the values the Python checks would; every other row goes to those checks. Rows of random cells
(canonical, other spellings the forms accept, invalid values, every kind of white space, CSV
quoting) for a form with a field of every type must give the same stored records and the same
unreadable lines on both paths."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from check_support import REGULATIONS
from regkit.check import load_table
from regkit.check.accept import OTHER_SEPARATORS, WHITESPACE
from regkit.check.store import Store
from regkit.loader import Project, load_project
from regkit.records.csvfile import plan_csv, read_python
from test_records_csv import write_csv

FORM = """\
  - id: every
    title: 字段类型样表
    clauses: [s1.1.1]
    number_prefix: YB
    fields:
      - {key: id, label: 编号}
      - {key: text, label: 文本}
      - {key: note, label: 备注, type: multiline, required: false}
      - {key: count, label: 数量, type: integer, required: false}
      - {key: money, label: 金额, type: amount}
      - {key: day, label: 日期, type: date}
      - {key: month, label: 月份, type: month, required: false}
      - {key: pick, label: 结算方式, type: choice, choices: [现金, 月结, 其他]}
      - {key: picks, label: 类别, type: multichoice, choices: [甲, 乙, 丙], required: false}
      - {key: tags, label: 送达部门, type: list, required: false}
      - {key: who, label: 经办人, type: person, role: 经办人}
      - {key: dept, label: 部门, type: department, required: false}
      - {key: phone, label: 电话, type: phone, required: false}
      - {key: done, label: 已办结, type: boolean, required: false}
"""
KEYS = ["id", "text", "note", "count", "money", "day", "month", "pick", "picks", "tags", "who", "dept", "phone",
        "done"]
SPACES = [chr(c) for c in WHITESPACE]
POOLS: dict[str, list[str]] = {
    "text": ["甲公司", "A&B Co.", "x y", "'; DROP TABLE x; --", "=1+1", "甲\n乙", "a\"b", "甲,乙"],
    "note": ["第一行\n第二行", "一行", "a\r\nb", "  缩进", "\n前导换行", "尾随换行\n", " \n ", "x\n\n"],
    "count": ["12", "-3", "+12", "012", "１２", "1,200", "12.0", "1e3", "99999999999999999999", "0", "-0"],
    "money": ["1200", "1200.50", "1200.5", "-3", "+12.5", "1,200", "¥12", "1.005", "1e3", "12.", ".5", "00012",
              "１２", "0.10", "999999999999999.99", "1234567890123456"],
    "day": ["2026-03-05", "2024-02-29", "2026-3-5", "2026/03/05", "2026年3月5日", "0026-01-05", "2026-02-30",
            "20260305", "9999-12-31", "10000-01-01", "2026-02-29", "1000-01-01", "0999-12-31"],
    "month": ["2026-03", "2026-12", "2026-3", "2026/03", "2026年3月", "2026-13", "0999-01", "2026-00"],
    "pick": ["现金", "月结", "其他", "cash", "现 金"],
    "picks": ["甲;乙", "甲", "丁", "甲；乙", "甲;甲", "乙;甲", "甲,乙", "甲;;乙", ";甲"],
    "tags": ["财务部;调度部", "财务部；调度部", "财务部,调度部", "财务部;;调度部", ";财务部", "财务部;",
             "财务部 ; 调度部", "财务部、调度部", "财务部，调度部"],
    "who": ["李娜", "陈晨", "张伟", "Li Na", "李 娜"],
    "dept": ["市场部", "财务部", "不存在部", "市场"],
    "phone": ["021-12345678", "13800138000", "+86 138 0013 8000", "电话", "138 0013"],
    "done": ["是", "否", "true", "False", "1", "0", "yes", "Y", "N", "对", "maybe"],
}


@pytest.fixture(scope="module")
def every(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("regs")
    shutil.copy(REGULATIONS / "org.yaml", folder / "org.yaml")
    text = (REGULATIONS / "audit-demo.yaml").read_text(encoding="utf-8")
    (folder / "audit-demo.yaml").write_text(text.replace("forms:\n", "forms:\n" + FORM, 1), encoding="utf-8")
    return load_project([folder])


def _cell(rnd: random.Random, key: str) -> str:
    roll = rnd.random()
    if roll < 0.05:
        return ""
    value = rnd.choice(POOLS[key][:2]) if roll < 0.85 else rnd.choice(POOLS[key])  # the first two are canonical
    if rnd.random() < 0.06:  # white space or a stray separator at either end, or inside
        pad = rnd.choice(SPACES + list(OTHER_SEPARATORS) + [";"])
        where = rnd.randrange(3)
        value = pad + value if where == 0 else value + pad if where == 1 else value[:1] + pad + value[1:]
    return value


def _rows(seed: int, n: int) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        row = [f"YB-{seed}-{i:04d}"] + [_cell(rnd, k) for k in KEYS[1:]]
        if rnd.random() < 0.05:
            row[0] = " " + row[0]  # an id with white space is still the same id
        rows.append(row)
    return rows


def _stored(store: Store) -> list[tuple[Any, ...]]:
    return sorted(store.con.execute('SELECT * EXCLUDE (_src, _pos) FROM "every"').fetchall(), key=str)


@pytest.mark.parametrize("seed", range(30))
def test_fast_path_equals_python_checks_on_random_cells(every: Project, tmp_path: Path, seed: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("regkit.check.needed_fields", lambda project, form: None)  # store every column
    rows = _rows(seed, 400)
    path = write_csv(tmp_path / "every.csv", rows, header=KEYS)
    [table] = plan_csv(every, path, "every.csv", workdir=tmp_path, encoding=None).tables

    fast = Store()
    more = load_table(every, fast, table, tmp_path, forced=False)
    fast.load_records(more.records)
    fast.create_views([table.form])

    checked = read_python(every, path, "every.csv", table.encoding, table.columns)  # the file read in Python
    slow = Store()
    slow.load_records(checked.records)
    slow.create_views([table.form])

    assert sorted(more.unreadable) == sorted(checked.unreadable)
    assert _stored(fast) == _stored(slow)
    accepted = len(_stored(fast))
    assert accepted + len(more.unreadable) == len(rows)  # every row is either stored or reported
    assert 40 < accepted < 360, accepted  # the generator yields both kinds
    fast_rows = fast.con.execute("SELECT count(*) FROM c1 WHERE _ok").fetchone()
    assert fast_rows is not None and fast_rows[0] > 20  # and DuckDB takes a share of them itself


def test_quoted_empty_cells_are_empty_as_in_python(every: Project, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A cell written "" (spreadsheets quote every cell) is empty, as an unquoted empty cell is:
    the engine stores text as it reads it, so it must read both as NULL."""
    monkeypatch.setattr("regkit.check.needed_fields", lambda project, form: None)  # store every column
    rows = _rows(7, 40)
    path = tmp_path / "every.csv"
    lines = [",".join(KEYS)] + [",".join('""' if c == "" else '"' + c.replace('"', '""') + '"' for c in row)
                                for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [table] = plan_csv(every, path, "every.csv", workdir=tmp_path, encoding=None).tables
    fast = Store()
    more = load_table(every, fast, table, tmp_path, forced=False)
    fast.load_records(more.records)
    fast.create_views([table.form])
    text = ["text", "note", "month", "pick", "who", "dept", "phone"]
    where = " OR ".join(f"{k} = ''" for k in text)
    empties = fast.con.execute(f'SELECT count(*) FROM "every" WHERE {where}').fetchone()
    assert empties == (0,)
    checked = read_python(every, path, "every.csv", table.encoding, table.columns)
    slow = Store()
    slow.load_records(checked.records)
    slow.create_views([table.form])
    assert _stored(fast) == _stored(slow)
