"""Benchmark of reading JSON record files: regkit's reader (strict, a line for every record) on N
and 2N records, against the floor in the same run: the standard library's ``json.loads`` of the
same text (no lines, no checks). Linear time shows as a 2N/N ratio near 2 (it was quadratic: 14k
records 11 s, 28k records 40 s). A file over MAX_RECORDS records is refused with one line.

Usage: ``python bench/json_bench.py [N]`` (default 100000).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from regkit.records.structured import MAX_RECORDS, read_json


def write(path: Path, n: int) -> None:
    """N records of 《数据备份记录》, one per line."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i in range(n):
            fh.write(json.dumps({"id": f"B{i}", "backed_up_on": "2026-10-01", "content": "全部业务数据",
                                 "medium": "服务器", "operator": "李娜"}, ensure_ascii=False))
            fh.write(",\n" if i < n - 1 else "\n]\n")


def timed(path: Path) -> tuple[float, float, int]:
    start = time.perf_counter()
    raws, bad = read_json(path, path.name, "data-backup")
    ours = time.perf_counter() - start
    start = time.perf_counter()
    json.loads(path.read_text(encoding="utf-8"))
    floor = time.perf_counter() - start
    assert not bad, bad[:3]
    return ours, floor, len(raws)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for size in (n, 2 * n):
            path = Path(tmp) / f"data-backup-{size}.json"
            write(path, min(size, MAX_RECORDS))
            ours, floor, count = timed(path)
            results.append(ours)
            print(f"{count:>8} records ({path.stat().st_size >> 20} MB): regkit {ours:6.2f} s, "
                  f"json.loads floor {floor:5.2f} s, ratio {ours / floor:4.1f}x")
        print(f"2N/N time ratio {results[1] / results[0]:.2f} (linear: about 2)")
        over = Path(tmp) / "over.json"
        write(over, MAX_RECORDS + 1)
        start = time.perf_counter()
        _, bad = read_json(over, over.name, "data-backup")
        print(f"{MAX_RECORDS + 1} records: refused in {time.perf_counter() - start:.2f} s: {bad[0].error}")


if __name__ == "__main__":
    main()
