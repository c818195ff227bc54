"""docs/rules-coverage.md lists every clause of the regulations with its rules or why records
cannot show it, and stays in step with the regulations' YAML."""

from __future__ import annotations

from pathlib import Path

from regkit.check.coverage import coverage_markdown
from regkit.loader import load_project

ROOT = Path(__file__).parent.parent


def test_coverage_document_is_current() -> None:
    doc = (ROOT / "docs" / "rules-coverage.md").read_text(encoding="utf-8")
    assert doc == coverage_markdown(load_project([ROOT / "regulations"])), (
        "docs/rules-coverage.md is out of date: run .venv/bin/python -m regkit.check.coverage > docs/rules-coverage.md")


def test_every_rule_appears_and_every_clause_is_accounted_for() -> None:
    project = load_project([ROOT / "regulations"])
    doc = coverage_markdown(project)
    for reg in project.regulations:
        for rule in reg.rules:
            assert f"`{rule.id}`" in doc
        for clause in reg.clauses():
            if clause.text:
                assert f"({clause.id}) |" in doc
    rows = [line for line in doc.splitlines() if line.startswith("| ") and "(" in line.split("|")[1]]
    assert all(line.rstrip(" |").split("|")[-1].strip() for line in rows)
