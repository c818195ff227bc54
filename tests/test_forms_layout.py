"""The layout model shared by the three writers."""

from __future__ import annotations

from forms_support import ARREARS, DATA, LOST
from regkit.forms.layout import build_layout, sign_dates, stub_fields
from regkit.forms.style import load_style
from regkit.loader import load_project

PROJECT = load_project([DATA])
STYLE = load_style()


def _layout(form_id: str, record: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    reg, form = PROJECT.form(form_id)  # type: ignore[misc]
    return build_layout(reg, form, PROJECT.org.company, STYLE, record)


def test_header_has_number_and_date_and_company() -> None:
    lay = _layout("arrears-approval")
    assert lay.company == "某某物流有限公司" and lay.title == "同意欠费通知单"
    tags = [c.tag for cell in lay.header for c in cell.controls()]
    assert tags == ["id", "date"]
    assert [c.tag for cell in _layout("lost-customer-analysis").header for c in cell.controls()] == ["id", "period"]


def test_signatures_pair_with_their_dates() -> None:
    form = PROJECT.form("arrears-approval")[1]  # type: ignore[index]
    assert {k: v.key for k, v in sign_dates(form).items()} == {"approved_by": "approved_on"}
    sign = _layout("arrears-approval").grids[-1]
    assert sign.kind == "sign"
    rows = [[c.tag for cell in row for c in cell.controls()] for row in sign.rows]
    assert rows == [["handler"], ["approved_by", "approved_on"]]
    assert "年" in "".join(p for p in sign.rows[0][3].parts if isinstance(p, str))


def test_stub_carries_the_number_and_its_fields() -> None:
    lay = _layout("arrears-approval")
    assert lay.stub_title == "存根"
    cut = [p for p in lay.stub_cut if not isinstance(p, str)]
    assert [c.tag for c in cut] == ["stub.id"] and [c.name for c in cut] == ["id"]
    assert "骑缝线" in lay.stub_cut[0]  # type: ignore[operator]
    stub_tags = [c.tag for row in lay.stub_grid.rows for cell in row for c in cell.controls()]  # type: ignore[union-attr]
    assert "stub.customer" in stub_tags and "stub_signed_by" in stub_tags
    main_tags = {c.tag for g in lay.grids for row in g.rows for cell in row for c in cell.controls()}
    assert "stub_signed_by" not in main_tags and "customer" in main_tags
    form = PROJECT.form("arrears-approval")[1]  # type: ignore[index]
    assert [f.key for f in stub_fields(form)][:2] == ["date", "customer"]


def test_table_rows_blank_and_filled() -> None:
    grid = next(g for g in _layout("lost-customer-analysis").grids if g.kind == "table")
    # as many rows as fill the page (the form asks for at least 10), multi-line columns taller
    assert len(grid.rows) - 1 > 10 and grid.header_rows == 1
    assert [c.lines for c in grid.rows[1]] == [1, 1, 1, 1, 2, 2, 1]
    assert grid.rows[1][1].controls()[0].tag == "rows[0].customer"
    assert grid.rows[1][1].controls()[0].name == "rows_0_customer"
    many = dict(LOST, rows=LOST["rows"] * 12)
    filled = next(g for g in _layout("lost-customer-analysis", many).grids if g.kind == "table")
    assert len(filled.rows) == 1 + 24
    assert filled.rows[2][1].controls()[0].text == "乙公司"


def test_filled_values_and_check_boxes() -> None:
    lay = _layout("arrears-approval", ARREARS)
    by_tag = {c.tag: c for c in lay.controls()}
    assert by_tag["amount"].text == "12345.67"
    assert by_tag["departments"].text == "财务部、调度部"
    assert by_tag["stub.id"].text == "QF-2026-001"
    record = {"form": "patrol-check", "id": "1", "items": ["安全隐患"], "resolved": True}
    checks = {c.tag: c.checked for c in _layout("patrol-check", record).controls() if c.kind == "check"}
    assert checks == {"items[0]": False, "items[1]": False, "items[2]": True, "resolved": True}


def test_every_control_name_is_unique_except_copies() -> None:
    for _, form in PROJECT.forms():
        lay = _layout(form.id)
        tags = [c.tag for c in lay.controls() if c.tag != "stub.id"]
        assert len(tags) == len(set(tags)), form.id
        names = {c.name for c in lay.controls() if not c.copy}
        assert all(n.isascii() and "." not in n for n in names)


def test_labels_fit_their_column() -> None:
    # 承诺付款日期 would wrap by one character at the label size: set smaller on one line; a head
    # too long for its column is broken evenly (最后业/务日期), never leaving one character alone.
    from regkit.forms.fit import balanced

    lay = _layout("arrears-approval")
    label = next(c for g in lay.grids for row in g.rows for c in row if c.parts == ["承诺付款日期"])
    assert label.size == "small_label"
    short = next(c for g in lay.grids for row in g.rows for c in row if c.parts == ["客户名称"])
    assert short.size is None
    assert balanced("最后业务日期") == "最后业\n务日期" and balanced("运价及操作要求") == "运价及操\n作要求"
    table = next(g for g in _layout("lost-customer-analysis").grids if g.kind == "table")
    heads = ["".join(p for p in c.parts if isinstance(p, str)) for c in table.rows[0]]
    assert all(len(line) > 1 for h in heads for line in h.split("\n")), heads


def test_table_columns_hold_their_longest_choice() -> None:
    from regkit.forms.fit import PT_MM, text_em
    from regkit.forms.style import load_style

    style = load_style()
    table = next(g for g in _layout("lost-customer-analysis").grids if g.kind == "table")
    mm = [style.content_width_mm * w / sum(table.widths) for w in table.widths]
    category = next(i for i, c in enumerate(table.rows[0]) if "流失原因类别" in "".join(map(str, c.parts)))
    assert mm[category] >= text_em("客户经营变化") * style.num("sizes.table") * PT_MM + 3
