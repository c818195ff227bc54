"""The JUnit XML report, for CI: a test suite per regulation, a test case per rule (passing when
it found nothing), a failure per finding; unreadable inputs are errors of their own suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from ..check.findings import Finding, Report, show
from ..xmltext import escape_invalid


def _failure(f: Finding) -> str:
    parts = [f"条款：{f.citation}"]
    if f.record:
        parts.append(f"记录：{f.form} {f.record}")
    if f.period:
        parts.append(f"期间：{f.period}（{f.form}）")
    if f.source:
        parts.append(f"来源：{f.where}")
    parts.append(f"责任人：{f.person or '未指明'}")
    if f.penalty:
        parts.append(f"罚款：{show(f.penalty)} 元（{f.fine_citation}）" if f.fine_citation else
                     f"罚款：{show(f.penalty)} 元")
    if f.loss is not None:
        parts.append(f"损失：{show(f.loss)} 元")
    return "\n".join(parts)


def render_junit(report: Report) -> bytes:
    """The whole report as JUnit XML (no timestamps or host names, so it is reproducible)."""
    root = ET.Element("testsuites", name="regkit check", tests="0", failures="0", errors="0")
    by_rule = {k: list(g) for k, g in groupby(report.findings, key=lambda f: (f.regulation, f.rule))}
    tests = failures = errors = 0
    for rid, rules in groupby(report.rules, key=lambda r: r.regulation):
        rules_l = list(rules)
        suite = ET.SubElement(root, "testsuite", name=rid, tests=str(len(rules_l)), failures="0", errors="0",
                              skipped="0")
        n_fail = 0
        for rule in rules_l:
            case = ET.SubElement(suite, "testcase", classname=rid, name=f"{rule.id} {rule.title}")
            for f in by_rule.get((rid, rule.id), []):
                el = ET.SubElement(case, "failure", type=f.severity, message=f.message)
                el.text = _failure(f)
                n_fail += 1
        suite.set("failures", str(n_fail))
        tests += len(rules_l)
        failures += n_fail
    if report.unreadable:
        suite = ET.SubElement(root, "testsuite", name="unreadable", tests=str(len(report.unreadable)),
                              failures="0", errors=str(len(report.unreadable)), skipped="0")
        for u in report.unreadable:
            case = ET.SubElement(suite, "testcase", classname="unreadable", name=f"{u.source}:{u.line}")
            ET.SubElement(case, "error", type="unreadable", message=u.error).text = f"{u.source}:{u.line}: {u.error}"
        tests += len(report.unreadable)
        errors += len(report.unreadable)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    for el in root.iter():  # record values may hold control characters XML cannot: shown as \x0b
        if el.text:
            el.text = escape_invalid(el.text)
        for key, value in el.attrib.items():
            el.set(key, escape_invalid(value))
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"
