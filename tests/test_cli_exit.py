"""``regkit check`` as users run it (a process): after the report is out the process ends at once,
without tearing down the audit; nothing of the report may be lost on the way and the exit code
stays the audit's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from check_support import slip_row, write_slips
from regkit.cli import main

REGULATIONS = Path(__file__).resolve().parent.parent / "regulations"


def _check(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "regkit", "check", *args, "--regulations", str(REGULATIONS),
                           "--as-of", "2026-11-30", "--from", "2026-10-01", "--format", "json"],
                          capture_output=True, check=False, timeout=300)


def test_a_report_piped_to_another_program_arrives_whole(tmp_path: Path) -> None:
    # a report far larger than a pipe's buffer, most of it written after the reader starts
    rows = [slip_row(n, 批准人="") for n in range(1, 1501)]
    slips = write_slips(tmp_path / "同意欠费通知单.csv", rows)
    done = _check(str(slips))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)  # the whole document, to its last brace
    assert len(done.stdout) > 1 << 17
    assert sum(1 for f in report["findings"] if f["rule"] == "arrears-approved-by-leader") == 1500
    written = _check(str(slips), "-o", str(tmp_path / "r.json"))
    assert written.returncode == 1 and (tmp_path / "r.json").read_bytes() == done.stdout
    assert b"1500" in written.stderr or b"findings" in written.stderr


def test_bad_input_still_exits_2_with_its_message(tmp_path: Path) -> None:
    done = _check(str(tmp_path / "no-such-folder"))
    assert done.returncode == 2
    assert b"no-such-folder" in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["check", "--as-of", "2026-02-30", "x.csv"], ["check", "--bogus"], ["form"],
                                  ["nosuchcommand"], ["db", "grant"]])
def test_a_wrong_option_or_argument_is_one_line(args: list[str]) -> None:
    """Bad input on the command line is one line naming the command, as a bad file is: exit 2."""
    result = CliRunner().invoke(main, args, obj={}, prog_name="regkit")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("regkit") and "--help lists the options" in lines[0], lines
