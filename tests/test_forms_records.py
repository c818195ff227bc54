"""Typing and validating record values against a form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from forms_support import ARREARS, DATA, LOST
from regkit.errors import InputError
from regkit.forms.records import (
    ValueProblem,
    coerce_record,
    dump_records,
    format_value,
    load_record_file,
    parse_value,
    validate_record,
)
from regkit.loader import load_project
from regkit.model import FormField

PROJECT = load_project([DATA])
ARREARS_FORM = PROJECT.form("arrears-approval")[1]  # type: ignore[index]
LOST_FORM = PROJECT.form("lost-customer-analysis")[1]  # type: ignore[index]


def f(type_: str, **kw: object) -> FormField:
    return FormField(key="x", label="字段", type=type_, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("type_", "typed", "want"), [
    ("date", "2026年3月5日", "2026-03-05"),
    ("date", "2026/3/5", "2026-03-05"),
    ("date", " ２０２６-03-05 ", "2026-03-05"),
    ("month", "2026年3月", "2026-03"),
    ("amount", "1,234.50元", Decimal("1234.50")),
    ("amount", "¥12", Decimal("12")),
    ("integer", "１２", 12),
    ("list", "财务部；调度部、仓储部,运输部", ["财务部", "调度部", "仓储部", "运输部"]),
    ("boolean", "是", True),
    ("boolean", "否", False),
    ("text", "  中文  ", "中文"),
    ("multiline", "第一行\n第二行\n", "第一行\n第二行"),
])
def test_typed_text_is_read_leniently(type_: str, typed: str, want: object) -> None:
    assert parse_value(f(type_), typed, lenient=True) == want


@pytest.mark.parametrize(("type_", "raw"), [
    ("date", "2026/3/5"),          # record files use ISO dates
    ("date", "2026-02-30"),
    ("date", dt.datetime(2026, 3, 5, 10, 0)),
    ("month", "2026-13"),
    ("amount", "12.5元"),          # a quoted amount in a record file that is not a plain decimal
    ("amount", "1,200"),
    ("integer", "1e3"),
    ("amount", 1.005),
    ("amount", True),
    ("amount", float("nan")),
    ("integer", 1.5),
    ("text", 13800138000),         # YAML read an unquoted phone number as a number
    ("boolean", "yes"),
    ("list", [1, 2]),
])
def test_record_values_are_strict(type_: str, raw: object) -> None:
    with pytest.raises(ValueProblem):
        parse_value(f(type_), raw)


def test_plain_decimals_written_as_text_are_the_same_numbers() -> None:
    """JSON exports keep decimals as text to keep cents exact."""
    assert parse_value(f("amount"), "12.5") == Decimal("12.5")
    assert parse_value(f("integer"), "-12") == -12


def test_yaml_date_objects_and_numbers_become_canonical() -> None:
    assert parse_value(f("date"), dt.date(2026, 3, 5)) == "2026-03-05"
    assert parse_value(f("amount"), 1234.5) == Decimal("1234.5")
    assert parse_value(f("amount"), 10) == Decimal(10)


def test_choice_must_be_one_of_the_choices() -> None:
    field = f("choice", choices=["现金", "月结"])
    assert parse_value(field, "月结") == "月结"
    with pytest.raises(ValueProblem, match="not one of 现金/月结"):
        parse_value(field, "赊账")
    multi = f("multichoice", choices=["甲", "乙"])
    assert parse_value(multi, "甲；乙", lenient=True) == ["甲", "乙"]
    with pytest.raises(ValueProblem, match="丙"):
        parse_value(multi, ["甲", "丙"])


def test_valid_spec_records_have_no_problems() -> None:
    assert validate_record(ARREARS_FORM, ARREARS) == []
    assert validate_record(LOST_FORM, LOST) == [  # the second row leaves two required columns empty
        "rows[1].reason: 原因分析 is required", "rows[1].retention_action: 挽留措施 is required"]


def test_problems_name_fields_rows_and_required() -> None:
    bad = dict(ARREARS, customer=None, settlement="赊账", colour="红", amount="abc")
    problems = validate_record(ARREARS_FORM, bad)
    assert "customer: 客户名称 is required" in problems
    assert any(p.startswith("settlement:") for p in problems)
    assert "colour: unknown field of form arrears-approval" in problems
    assert any(p.startswith("amount:") for p in problems)
    rows = [dict(LOST["rows"][0], result="完成"), {"customer": "丙", "oops": 1}]
    problems = validate_record(LOST_FORM, dict(LOST, rows=rows))
    assert any(p.startswith("rows[0].result") for p in problems)
    assert any("rows[1]: unknown column oops" in p for p in problems)


def test_coerce_fills_missing_fields_with_empty_values() -> None:
    record, problems = coerce_record(ARREARS_FORM, {"form": "arrears-approval", "id": "QF-1"}, required=False)
    assert problems == []
    assert record["departments"] == [] and record["paid_on"] is None


def test_format_value_prints_what_the_form_shows() -> None:
    assert format_value(f("amount"), Decimal("1234.50")) == "1234.50"
    assert format_value(f("list"), ["a", "b"]) == "a、b"  # Chinese forms list with the enumeration comma
    assert format_value(f("boolean"), True) == "是"
    assert format_value(f("text"), None) == ""


def test_record_files(tmp_path: Path) -> None:
    good = tmp_path / "r.json"
    good.write_text(json.dumps({"form": "arrears-approval", "amount": 1.5}), encoding="utf-8")
    assert load_record_file(good)["amount"] == Decimal("1.5")
    for text, msg in [('{"a": 1, "a": 2}', "duplicate key"), ('{"a": NaN}', "NaN"), ("[1, 2]", "mapping"),
                      ('{"a": ', "invalid JSON")]:
        bad = tmp_path / "bad.json"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=msg):
            load_record_file(bad)
    yml = tmp_path / "r.yaml"
    yml.write_text("form: arrears-approval\nid: &a QF-1\nhandler: *a\n", encoding="utf-8")
    with pytest.raises(InputError, match="anchors"):
        load_record_file(yml)


def test_dump_records_keeps_text_types() -> None:
    text = dump_records([ARREARS])
    assert "date: '2026-03-05'" in text
    assert "reason: |-\n" in text
    assert "amount: 12345.67" in text
    assert json.loads(dump_records([ARREARS], "json"))[0]["amount"] == 12345.67
