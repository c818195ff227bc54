"""The audit window stays within dates an audit can cover: --as-of 9999-12-31 or --from 0001-01-01
is one line (not a crash computing the month after year 9999), and a record dated in year 1 does
not make the audit walk two thousand years of periods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from check_support import REGULATIONS, slip, stats, write_yaml
from regkit.cli import main


@pytest.mark.parametrize(("option", "value"), [("--as-of", "9999-12-31"), ("--from", "0001-01-01"),
                                               ("--as-of", "3000-01-01")])
def test_dates_outside_the_audit_range_are_one_line(tmp_path: Path, option: str, value: str) -> None:
    records = write_yaml(tmp_path / "r.yaml", [slip(), stats()])
    args = ["check", str(records), "--regulations", str(REGULATIONS), option, value]
    if option == "--from":
        args += ["--as-of", "2026-03-31"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"{option}:1:1: {value} is outside the dates an audit covers "
                                          "(1900-01-01 to 2999-12-31)"]


def test_a_record_from_year_one_does_not_stretch_the_window(tmp_path: Path) -> None:
    from check_support import run

    records = write_yaml(tmp_path / "r.yaml", [slip(date=dt.date(1, 1, 1), approved_on=dt.date(1, 1, 1)), stats()])
    report = run(records, date_from=None)
    assert report.date_from == dt.date(1900, 1, 1)
