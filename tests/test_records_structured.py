"""YAML and JSON record files: lists and single records with their lines, and the JSON traps
(duplicate keys, NaN/Infinity, over-long integers) refused with a location, not silently read."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from check_support import project, run, slip, stats, write_json, write_yaml
from regkit.records import validate
from regkit.records.structured import read_json, read_yaml


def test_yaml_list_records_have_their_lines(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "r.yaml", [slip(), slip(id="QF-002")])
    raws, bad = read_yaml(path, "r.yaml", None)
    assert bad == []
    starts = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("- ")]
    assert [r.line for r in raws] == starts == [1, starts[1]]
    assert [r.data["id"] for r in raws] == ["QF-001", "QF-002"]


def test_yaml_problems_are_listed_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("- form: slip\n  id: QF-1\n  id: QF-2\n", encoding="utf-8")
    _, bad = read_yaml(path, "r.yaml", None)
    assert [(u.line, u.error.split(" (")[0]) for u in bad] == [(3, "duplicate key 'id'")]
    path.write_text("- &a {form: slip}\n- *a\n", encoding="utf-8")
    _, bad = read_yaml(path, "r.yaml", None)
    assert bad and "anchors" in bad[0].error


def test_yaml_number_where_text_is_expected(tmp_path: Path) -> None:
    report = run(write_yaml(tmp_path / "r.yaml", [slip(id=12), stats()]))
    [u] = report.unreadable
    assert u.line == 1
    assert "id: expected text" in u.error


def test_json_list_records_have_their_lines(tmp_path: Path) -> None:
    path = write_json(tmp_path / "r.json", [slip(), slip(id="QF-002")])
    raws, bad = read_json(path, "r.json", None)
    assert bad == []
    starts = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip() == "{"]
    assert [r.line for r in raws] == starts == [2, starts[1]]


def _json_with(tmp_path: Path, second: str) -> Path:
    first = json.dumps(slip(), ensure_ascii=False, default=str)
    text = "[\n" + first + ",\n" + second + ",\n" + first.replace("QF-001", "QF-003") + "\n]\n"
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_json_duplicate_key_is_refused_and_located(tmp_path: Path) -> None:
    path = _json_with(tmp_path, '{"form": "slip",\n "id": "QF-002",\n "id": "QF-X"}')
    raws, bad = read_json(path, "r.json", None)
    assert [r.data["id"] for r in raws] == ["QF-001", "QF-003"]
    assert [(u.line, u.error) for u in bad] == [(5, "invalid JSON: duplicate key 'id'")]


def test_json_nan_and_infinity_are_refused(tmp_path: Path) -> None:
    for constant in ("NaN", "Infinity", "-Infinity"):
        path = _json_with(tmp_path, '{"form": "slip", "id": "QF-002",\n "amount": ' + constant + "}")
        raws, bad = read_json(path, "r.json", None)
        assert len(raws) == 2
        assert [u.line for u in bad] == [4]
        assert constant in bad[0].error


def test_json_overlong_integer_is_refused(tmp_path: Path) -> None:
    path = _json_with(tmp_path, '{"form": "slip", "amount": ' + "9" * 5000 + "}")
    raws, bad = read_json(path, "r.json", None)
    assert len(raws) == 2
    assert bad[0].line == 3 and "too long" in bad[0].error


def test_json_syntax_error_is_located(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"form": "slip",\n "id": "QF-1"\n "x": 1}]', encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    assert raws == []
    assert bad[0].line == 3 and bad[0].error.startswith("invalid JSON")


def test_json_amounts_keep_their_decimals(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(slip(), default=str).replace("1200.5", "0.10"), encoding="utf-8")
    raws, _ = read_json(path, "r.json", None)
    got = validate(project(), raws)
    assert str(got.records[0].values["amount"]) == "0.10"


def test_form_from_file_name(tmp_path: Path) -> None:
    rec = {k: v for k, v in slip().items() if k != "form"}
    report = run([write_yaml(tmp_path / "slip.yaml", [rec]), write_yaml(tmp_path / "s.yaml", [stats()])])
    assert report.unreadable == [] and report.checked == 2
    report = run(write_yaml(tmp_path / "other" / "x.yaml", [rec]))
    assert [u.error for u in report.unreadable] == ["the record names no form (add form: <form id>)"]


def test_yaml_bad_values_make_only_their_record_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("- form: slip\n  id: QF-1\n"
                    "- form: slip\n  id: QF-2\n  amount: .nan\n"
                    "- form: slip\n  id: QF-3\n"
                    f"- form: slip\n  id: QF-4\n  amount: {'9' * 5000}\n"
                    "- form: slip\n  id: QF-5\n", encoding="utf-8")
    raws, bad = read_yaml(path, "r.yaml", None)
    assert [r.data["id"] for r in raws] == ["QF-1", "QF-3", "QF-5"]
    assert [r.line for r in raws] == [1, 6, 11]
    assert [(u.line, u.error) for u in bad] == [
        (5, "'.nan' is not a number regkit accepts (column 11)"),
        (10, "a number of 5000 characters is too long (quote it to mean text) (column 11)"),
    ]


def test_json_bad_values_make_only_their_record_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[\n {"form": "slip", "id": "QF-1"},\n {"form": "slip", "id": "QF-2", "amount": NaN},\n'
                    ' {"form": "slip", "id": "QF-3"},\n'
                    f' {{"form": "slip", "id": "QF-4",\n  "amount": {"9" * 5000}}},\n'
                    f' {{"form": "slip", "id": "QF-5", "amount": 1.{"5" * 5000}}},\n'
                    ' {"form": "slip", "id": "QF-6", "id": "QF-7"},\n'
                    ' {"form": "slip", "id": "QF-8"}\n]\n', encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    assert [(r.data["id"], r.line) for r in raws] == [("QF-1", 2), ("QF-3", 4), ("QF-8", 9)]
    assert [(u.line, u.error.split(":")[1].strip()[:24]) for u in bad] == [
        (3, "NaN is not a number a re"), (6, "a number of 5000 digits "), (7, "a number of 5002 charact"),
        (8, "duplicate key 'id'")]


def test_json_records_past_the_limit_are_refused_with_a_clear_line(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import regkit.records.structured as structured

    monkeypatch.setattr(structured, "MAX_RECORDS", 3)
    path = tmp_path / "r.json"
    path.write_text("[\n" + ",\n".join(json.dumps({"form": "slip", "id": f"QF-{i}"}) for i in range(5)) + "\n]\n",
                    encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    assert raws == []
    assert [(u.line, u.error) for u in bad] == [
        (5, "over 3 records in one file: split it, or write a CSV file (read by the engine)")]


def test_json_lines_of_many_records_are_exact(tmp_path: Path) -> None:
    # the running offset: every record's line, whatever the layout between them
    text, starts = "[", []
    for i in range(300):
        text += "\n" * (i % 3) + " " * (i % 2)
        starts.append(text.count("\n") + 1)
        text += json.dumps({"form": "slip", "id": f"QF-{i}"}, indent=1 if i % 5 == 0 else None)
        text += "," if i < 299 else "]"
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    assert bad == []
    assert [r.line for r in raws] == starts


def test_json_after_the_array_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"form": "slip", "id": "QF-1"}]\n{"x": 1}\n', encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    assert raws == [] and [(u.line, u.error) for u in bad] == [(2, "invalid JSON: Extra data (column 1)")]


@pytest.mark.parametrize(("text", "amount"), [("1200.50", "1200.50"), ("0.10", "0.10"), ("-3", "-3"), ("+12", "12")])
def test_json_amounts_written_as_text_read_as_the_same_amount(tmp_path: Path, text: str, amount: str) -> None:
    """Exports keep decimals as JSON strings to keep cents exact: a plain decimal in text is the
    amount it writes, as the same cell in a CSV file is."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{**slip(), "amount": text}], default=str), encoding="utf-8")
    raws, bad = read_json(path, "r.json", None)
    got = validate(project(), raws)
    assert bad == [] and got.unreadable == []
    assert got.records[0].values["amount"] == Decimal(amount)


@pytest.mark.parametrize("text", ["1,200", "¥12", "1e3", "12.345", " 12", "１２", "12元", ""])
def test_json_text_that_is_not_a_plain_decimal_stays_unreadable(tmp_path: Path, text: str) -> None:
    """Only plain decimals: anything a person would have to interpret is still listed unreadable."""
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{**slip(), "amount": text}], default=str), encoding="utf-8")
    raws, _ = read_json(path, "r.json", None)
    got = validate(project(), raws)
    if text:
        assert [u.line for u in got.unreadable] == [1] and got.records == []
    else:  # an empty amount is what the record shows (a completeness finding), not unreadable
        assert got.unreadable == []
