"""Record problems in the user's terms: the column heading the file wrote (费用类别, not category),
and a CSV row with a cell too many or too few said to be one, in both the engine's fast path and
the careful Python read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from regkit.cli import main
from regkit.starter import init_project

HEADER = "编号,填写日期,报销人,所在部门,费用类别,费用发生日期,报销金额,招待人数,事由,部门负责人,审批日期,总经理\n"
GOOD = "BX-101,2026-05-08,王磊,销售部,差旅费,2026-05-02,680.00,,广州,郑强,2026-05-09,\n"


def unreadable(root: Path, csv: str) -> list[tuple[int, str]]:
    (root / "records" / "费用报销单.csv").write_text(csv, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--project", str(root), str(root / "records"), "--as-of",
                                       "2026-06-30", "--format", "json"], obj={})
    assert result.exit_code == 2, result.output
    return [(u["line"], u["error"]) for u in json.loads(result.stdout)["unreadable"]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_project(tmp_path / "p").root


def test_a_choice_is_named_by_the_heading_written(root: Path) -> None:
    # only a bad value: the engine's fast path rejects the row, Python words the problem
    bad = "BX-102,2026-05-08,王磊,销售部,餐费,2026-05-02,680.00,,广州,郑强,2026-05-09,\n"
    assert unreadable(root, HEADER + GOOD + bad) == [
        (3, "费用类别: '餐费' is not one of 差旅费/交通费/业务招待费/办公用品/其他")]
    keyed = HEADER.replace("费用类别", "category")
    assert unreadable(root, keyed + GOOD + bad) == [
        (3, "category: '餐费' is not one of 差旅费/交通费/业务招待费/办公用品/其他")]


def test_a_row_with_a_cell_too_many_or_too_few(root: Path) -> None:
    many = "BX-103,2026-05-20,王磊,销售部,业务招待费,2026-05-18,360.00,2,招待,华东建材,郑强,2026-05-20,\n"
    few = "BX-104,2026-05-21,王磊,销售部,业务招待费,2026-05-18\n"
    assert unreadable(root, HEADER + GOOD + many + few + GOOD.replace("101", "105")) == [
        (3, "the row has 13 cells, the header 12: one cell too many (a value with a comma goes in double quotes)"),
        (4, "the row has 6 cells, the header 12: 6 cells too few (an empty value still needs its comma)"),
    ]
