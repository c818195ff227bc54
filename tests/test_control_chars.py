"""Record values holding control characters XML cannot (a \\v pasted from a spreadsheet) still make
well-formed DOCX, XLSX and JUnit files: dropped from forms with a note, shown escaped in reports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from check_support import run, slip, stats, write_yaml
from forms_support import ARREARS, DATA
from regkit.cli import main
from regkit.forms.extract import extract_file
from regkit.loader import load_project
from regkit.report import render
from regkit.xmltext import clean_record, escape_invalid, invalid_chars


def test_the_characters_xml_cannot_hold() -> None:
    assert invalid_chars("a\tb\nc\rd") == []
    assert invalid_chars("a\vb\x00c\x1f\ufffe\v") == ["U+000B", "U+0000", "U+001F", "U+FFFE"]
    assert escape_invalid("甲\v公司\x00") == "甲\\x0b公司\\x00"
    record, notes = clean_record({"a": "x\vy", "rows": [{"b": "\x01"}], "n": 3}, "r.yaml: ")
    assert record == {"a": "xy", "rows": [{"b": ""}], "n": 3}
    assert notes == ["r.yaml: a: removed control characters U+000B (a form cannot hold them)",
                     "r.yaml: rows[0].b: removed control characters U+0001 (a form cannot hold them)"]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_a_form_filled_with_a_control_character_is_well_formed(tmp_path: Path, fmt: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGKIT_CACHE_DIR", str(tmp_path / "cache"))
    record = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in ARREARS.items()}
    record["reason"] = "客户资金\v周转困难\x07。"
    record["amount"] = float(record["amount"])
    data = tmp_path / "rec.yaml"
    data.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    out = tmp_path / f"filled.{fmt}"
    result = CliRunner().invoke(main, ["form", "arrears-approval", "--data", str(data), "-o", str(out),
                                       "--regulations", str(DATA)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"note: {data}: reason: removed control characters U+000B, U+0007 (a form cannot hold them)"]
    if fmt != "pdf":
        with zipfile.ZipFile(out) as zf:
            for name in zf.namelist():
                if name.endswith(".xml"):
                    etree.fromstring(zf.read(name))  # well-formed, or this raises
    [back] = extract_file(out, load_project([DATA]))
    assert back["reason"] == "客户资金周转困难。"


def test_junit_with_control_characters_in_values_is_well_formed(tmp_path: Path) -> None:
    records = write_yaml(tmp_path / "r.yaml", [slip(customer="甲\v公司", approved_by="李娜"), stats(),
                                                  slip(id="QF-\x1b9", amount="x")])
    report = run(records)
    assert report.findings and report.unreadable
    junit = render(report, "junit")
    root = etree.fromstring(junit)
    text = etree.tostring(root, encoding="unicode")
    assert "甲\\x0b公司" in text


def test_the_text_report_shows_escape_sequences_as_data(tmp_path: Path) -> None:
    records = write_yaml(tmp_path / "r.yaml", [slip(customer="\x1b[2J甲\r公司", approved_by="李娜"), stats()])
    text = render(run(records), "text", color=True).decode("utf-8")
    assert "\\x1b[2J甲\\x0d公司" in text
    assert "\x1b[2J" not in text and "\r" not in text
