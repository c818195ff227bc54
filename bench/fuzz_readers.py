"""The bigger fuzz pass over the readers, out of the test suite: ROUNDS rounds of one mutated input
of every kind (filled-in DOCX, PDF and XLSX forms; CSV, JSON, YAML and XLSX record files; a
regulation), each fed to its readers (``extract``, the audit and its reports, ``lint``), and the
counts printed: inputs, regkit errors, accepted inputs, crashes (anything else). Crashing inputs
are kept in the work folder.

Usage: ``python bench/fuzz_readers.py [ROUNDS] [--seed N] [--check-every K] [--keep DIR]``
(tests/test_fuzz.py runs the same with a few rounds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzz_support import fuzz


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rounds", type=int, nargs="?", default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-every", type=int, default=2, help="full audit every K rounds (readers only else)")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the crashing inputs")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="regkit-fuzz-"))
    start = time.perf_counter()

    def progress(n: int) -> None:
        if (n + 1) % 25 == 0:
            print(f"  round {n + 1}/{args.rounds} ({time.perf_counter() - start:.0f} s)", file=sys.stderr)

    counts = fuzz(args.rounds, args.seed, work, check_every=args.check_every, progress=progress)
    print(counts.summary())
    print(f"{time.perf_counter() - start:.0f} s; work folder {work}")
    for crash in counts.crashes[:5]:
        print("----\n" + crash)
    sys.exit(1 if counts.crashes else 0)


if __name__ == "__main__":
    main()
