"""The report formats, read back: text grouped by regulation and person (colour only when asked),
a self-contained escaped HTML page with its charts, JUnit XML a CI can parse, and CSV whose cells
Excel cannot take for formulas."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from check_support import notice, run, slip, stats, write_yaml
from regkit.check import Report
from regkit.errors import TemplateError
from regkit.report import render, write_atomic
from regkit.report.csvout import COLUMNS, cell
from regkit.report.text import width


def report(tmp_path: Path, **changes: object) -> Report:
    records = [slip(approved_by="李娜", **changes), slip(id="QF-002", handler="陈晨", stub_signed_by=["王芳"]),
               notice(), notice(id="XK-002", settlement="现金"), stats("2026-02")]
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    return run([write_yaml(tmp_path / "r.yaml", records), broken])


def test_text_groups_by_regulation_and_person(tmp_path: Path) -> None:
    text = render(report(tmp_path), "text").decode("utf-8")
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "合规检查报告　某某物流有限公司"
    assert "记录 6 条：已检查 5 条，无法读取 1 条；发现问题 3 项；罚款合计 20 元" in text
    people = [line.strip() for line in lines if line.startswith("  ") and not line.startswith("   ")
              and "　" in line and "项" in line and not line.lstrip().startswith(("!", "?"))]
    assert people == ["李娜　2 项，罚款 10 元", "陈晨　1 项，罚款 10 元"]
    assert "■ 检查示例制度（audit-demo）　3 项" in text
    # the summary comes first: by regulation, by rule title, fines by person
    head = text[: text.index("■ 检查示例制度")]
    assert head.index("按制度") < head.index("按规则") < head.index("罚款按责任人")
    assert "欠费须经部门领导事先批准" in head and "slip-approved" not in text
    assert f"[{tmp_path / 'r.yaml'}:1]" in text
    assert f"{tmp_path / 'broken.json'}:1: invalid JSON" in text


def test_text_columns_align_by_display_width(tmp_path: Path) -> None:
    text = render(report(tmp_path), "text").decode("utf-8")
    rows = [line for line in text.splitlines() if line.startswith(("  ! ", "  ? ", "    记录"))]
    starts = {width(line[: line.index("第一节")]) for line in rows if "第一节" in line}
    assert len(starts) <= 3  # one column start per person's table, whatever the record ids' widths
    assert width("批准人ab") == 8


def test_text_colour_only_when_asked(tmp_path: Path) -> None:
    assert "\x1b[" in render(report(tmp_path), "text", color=True).decode("utf-8")


def test_json_shape(tmp_path: Path) -> None:
    import json

    data = json.loads(render(report(tmp_path), "json"))
    assert data["as_of"] == "2026-03-31"
    s = data["summary"]
    assert {k: s[k] for k in ("records", "checked", "unreadable", "findings", "penalties", "total_penalty")} == {
        "records": 6, "checked": 5, "unreadable": 1, "findings": 3, "penalties": {"李娜": 10, "陈晨": 10},
        "total_penalty": 20}
    assert [(r["rule"], r["findings"], r["penalty"]) for r in s["by_rule"]] == [("slip-approved", 1, 10),
                                                                               ("slip-stub", 1, 10),
                                                                               ("notice-conflict", 1, 0)]
    assert s["by_regulation"] == [{"regulation": "audit-demo", "title": "检查示例制度", "findings": 3, "penalty": 20}]
    keys = {"rule", "title", "regulation", "citation", "fine_citation", "form", "record", "source", "line", "person",
            "penalty", "severity", "message"}
    assert all(keys <= set(f) for f in data["findings"])
    assert data["unreadable"][0]["line"] == 1



def test_json_bytes_are_the_standard_librarys(tmp_path: Path) -> None:
    """The fast JSON writer gives exactly json.dumps(indent=2) bytes, for the report and for
    every kind of value (escapes, empty containers, nesting, floats, constants)."""
    import json

    from regkit.report.jsonout import dumps_indented

    data = report(tmp_path).to_json()
    assert render(report(tmp_path), "json") == (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    odd = {"a": [], "b": {}, "c": [1, 2.5, -0.0, 1e21, 10.1, None, True, False, "\"引号\"\n\t\u2028\x00"],
           "d": {"e": [{"f": [[]]}], "键": 12345678901234567890}, "g": float("nan"), "h": ()}
    assert dumps_indented(odd) == json.dumps(odd, ensure_ascii=False, indent=2)
    # lists of flat objects (the findings) take one call of the C encoder: strings that look like
    # the boundary between two objects, objects of one member, NaN, lists nested in lists
    flat = {"findings": [{"a": 1, "b": "x},\n    {y"}, {"a": 2, "b": "}"}, {"c": "},\n      {", "d": float("nan")}],
            "z": [[{"q": 1, "r": None}, {"q": 2.5, "r": "}, {"}]], "one": [{"a": 1, "b": 2}, {"c": 3}],
            "deep": [{"a": 1, "b": 2}, {"c": 3, "d": [1]}]}
    assert dumps_indented(flat) == json.dumps(flat, ensure_ascii=False, indent=2)
    assert dumps_indented([]) == "[]" and dumps_indented("x") == '"x"'
    with pytest.raises(TypeError):
        dumps_indented({"a": object()})

def test_html_is_self_contained_and_escaped(tmp_path: Path) -> None:
    html = render(report(tmp_path, customer="<script>alert(1)</script>&"), "html").decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html)
    assert "@import" not in html and "url(" not in html
    assert html.count("<svg") == 3
    for title in ("按规则", "按责任人", "按月份"):
        assert title in html
    assert '<title>欠费须经部门领导事先批准：1</title>' in html  # the rule's Chinese title


def test_html_template_problems_name_the_template(tmp_path: Path) -> None:
    folder = tmp_path / "templates" / "report"
    folder.mkdir(parents=True)
    (folder / "report.html.j2").write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"report\.html\.j2: undefined variable: 'nothing_here'"):
        render(report(tmp_path), "html", templates=tmp_path / "templates")


def test_junit_one_case_per_rule_and_a_failure_per_finding(tmp_path: Path) -> None:
    root = ET.fromstring(render(report(tmp_path), "junit"))
    assert root.tag == "testsuites"
    suite = root.find("testsuite[@name='audit-demo']")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == 7
    failures = {c.get("name", "").split()[0]: len(c.findall("failure")) for c in cases}
    assert failures["slip-approved"] == 1 and failures["slip-stub"] == 1 and failures["slip-collected"] == 0
    assert root.get("failures") == "3" and root.get("errors") == "1"
    assert root.find("testsuite[@name='unreadable']/testcase/error") is not None


def test_csv_escapes_formulas(tmp_path: Path) -> None:
    data = render(report(tmp_path, customer="=HYPERLINK(\"http://x\")"), "csv")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["severity", "rule", "title", "regulation"]
    assert any(r[-1].startswith("客户=HYPERLINK") for r in rows)
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert cell(value) == "'" + value
    assert cell("正常") == "正常" and cell(None) == ""
    unreadable = [r for r in rows if r[0] == "unreadable"]
    assert unreadable and unreadable[0][COLUMNS.index("line")] == "1"


def test_csv_escapes_a_formula_starting_cell(tmp_path: Path) -> None:
    records = [slip(id="=cmd|' /C calc'!A0", approved_by="李娜"), stats()]
    data = render(run(write_yaml(tmp_path / "r.yaml", records)), "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[1][COLUMNS.index("record")] == "'=cmd|' /C calc'!A0"


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]
