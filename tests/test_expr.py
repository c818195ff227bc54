"""Rule expressions: numbers a rule cannot compute with are a lint error naming them, not a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from regkit.cli import main
from regkit.expr import ExprError, Scope, compile_expr

ROOT = Path(__file__).resolve().parent.parent
SCOPE = Scope(fields={"amount": "number", "d": "date"})


@pytest.mark.parametrize(("source", "message"), [
    ("amount > " + "9" * 5000, "too many digits"),
    ("amount > 99999999999999999999", "too large"),
    ("amount > 1e999", "too large"),
    ("amount > -1e999", "too large"),
    ("d + " + "9" * 30 + " > d", "too large"),
])
def test_numbers_out_of_range_are_expression_errors(source: str, message: str) -> None:
    with pytest.raises(ExprError, match=message):
        compile_expr(source, SCOPE, want="boolean")


def test_ordinary_numbers_compile() -> None:
    assert compile_expr("amount > 999999999999999999 and amount < 1.5e10", SCOPE, want="boolean").type == "boolean"


def test_a_5000_digit_literal_in_a_rule_is_a_lint_error(tmp_path: Path) -> None:
    regs = tmp_path / "regs"
    shutil.copytree(ROOT / "regulations", regs)
    path = regs / "customer-management.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    when: handled_on is not None\n" in text
    path.write_text(text.replace("    when: handled_on is not None\n",
                                 f"    when: handled_on is not None and days(handled_on, as_of) > {'9' * 5000}\n", 1),
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(regs)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "too many digits" in lines[0], lines
