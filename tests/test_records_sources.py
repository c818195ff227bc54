"""Only regular files are read: a FIFO (or a device) among the records, given to extract or to
lint is one line, never a read that blocks for ever."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGKIT = str(Path(sys.executable).with_name("regkit"))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGKIT, *args], capture_output=True, text=True, timeout=120, check=False)


def test_a_fifo_among_the_records_is_listed_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    os.mkfifo(folder / "pipe.csv")
    shutil.copy(ROOT / "examples" / "records" / "new-customer-notice.yaml", folder)
    proc = _run("check", str(folder), "--regulations", str(ROOT / "regulations"), "--as-of", "2026-11-30",
                "--format", "json")
    assert proc.returncode == 2, proc.stderr
    assert '"error": "not a regular file"' in proc.stdout
    assert '"checked": 0' not in proc.stdout


def test_a_fifo_given_to_extract_or_lint_is_one_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "form.pdf")
    os.mkfifo(tmp_path / "reg.yaml")
    proc = _run("extract", str(tmp_path / "form.pdf"), "--regulations", str(ROOT / "regulations"))
    assert proc.returncode == 2 and proc.stderr.strip().endswith("form.pdf:1:1: not a regular file"), proc.stderr
    proc = _run("lint", str(tmp_path / "reg.yaml"))
    assert proc.returncode == 2 and proc.stderr.strip().endswith("reg.yaml:1:1: not a regular file"), proc.stderr
