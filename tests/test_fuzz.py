"""Mutated DOCX, XLSX, PDF, CSV, JSON and YAML inputs reach every reader (extract, check, lint)
and only regkit's own errors come out: no other exception, no warning or log line on stderr, and
well-formed reports. Bounded here (about half a minute); REGKIT_FUZZ=N runs N rounds, and
bench/fuzz_readers.py runs a bigger pass and prints the counts."""

from __future__ import annotations

import os
from pathlib import Path

from fuzz_support import fuzz

ROUNDS = int(os.environ.get("REGKIT_FUZZ", "24"))
SEED = int(os.environ.get("REGKIT_FUZZ_SEED", "20261130"))


def test_mutated_inputs_give_only_regkit_errors(tmp_path: Path) -> None:
    counts = fuzz(ROUNDS, SEED, tmp_path, check_every=8)
    assert sum(counts.inputs.values()) >= ROUNDS * 8
    assert not counts.crashes, f"{len(counts.crashes)} crashes; the first:\n{counts.crashes[0]}"
