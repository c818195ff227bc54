"""Times the forms: every blank form of the regulations in all formats (goal: < 5 s on 2 cores),
and ``regkit form`` writing one filled-in form (goal: < 1 s). Prints the figures.

    .venv/bin/python bench/forms_bench.py [--regulations regulations] [--runs 3]

Each figure is the best of ``--runs`` fresh processes. "cold" renders every PDF page with
WeasyPrint (REGKIT_NO_CACHE=1); "warm" is ``regkit form`` reusing the page it rendered before,
or that ``regkit build`` left there (the page cache, in a temporary folder here).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REGKIT = str(Path(PYTHON).with_name("regkit"))

BUILD = """
import json, sys, time
t0 = time.perf_counter()
from regkit.loader import load_project
from regkit.forms.api import write_blank_forms
project = load_project([sys.argv[1]])
t1 = time.perf_counter()
paths = write_blank_forms(project, __import__("pathlib").Path(sys.argv[2]), sys.argv[3].split(","),
                          jobs=int(sys.argv[4]))
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "build": t2 - t1, "files": len(paths),
                  "forms": sum(1 for _ in project.forms())}))
"""

RECORD = """form: arrears-approval
id: QF-2026-001
date: 2026-03-05
customer: 上海浦东新贸易有限公司
settlement: 现金
amount: 12345.67
reason: |-
  客户资金周转困难。
  承诺月底前付清。
promised_date: 2026-03-31
handler: 李娜
approved_by: 张伟
approved_on: 2026-03-05
departments: [财务部, 调度部]
stub_signed_by: [王芳, 陈刚]
"""


def _build(regs: Path, out: Path, formats: str, jobs: int, env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.run([PYTHON, "-c", BUILD, str(regs), str(out), formats, str(jobs)], env=env,
                          capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(proc.stdout)
    figures["wall"] = time.perf_counter() - start
    return figures


def _best(runs: int, fn: object) -> dict[str, float]:
    results = [fn() for _ in range(runs)]  # type: ignore[operator]
    return min(results, key=lambda r: r["wall"])


def _form(regs: Path, record: Path, fmt: str, out: Path, env: dict[str, str]) -> dict[str, float]:
    start = time.perf_counter()
    subprocess.run([REGKIT, "form", "arrears-approval", "--regulations", str(regs), "--data", str(record),
                    "--format", fmt, "-o", str(out / f"filled.{fmt}")], env=env, check=True, capture_output=True)
    return {"wall": time.perf_counter() - start}


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regulations", type=Path, default=ROOT / "regulations")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        cold = dict(os.environ, REGKIT_NO_CACHE="1")
        warm = dict(os.environ, REGKIT_CACHE_DIR=str(base / "cache"))
        record = base / "rec.yaml"
        record.write_text(RECORD, encoding="utf-8")
        print(f"forms bench: {args.regulations}, {cores} cores, best of {args.runs}")
        all_cold = _best(args.runs, lambda: _build(args.regulations, base / "a", "docx,pdf,xlsx", cores, cold))
        print(f"  {all_cold['forms']:.0f} forms x 3 formats = {all_cold['files']:.0f} files")
        print(f"  all blank forms, all formats, cold, {cores} jobs: build {all_cold['build']:.2f} s "
              f"(+ load {all_cold['load']:.2f} s; process {all_cold['wall']:.2f} s)  goal < 5 s")
        for fmt in ("docx", "pdf", "xlsx"):
            one = _best(1, lambda fmt=fmt: _build(args.regulations, base / fmt, fmt, 1, cold))
            print(f"  {fmt:4s} only, 1 job, cold: {one['build']:.2f} s "
                  f"({1000 * one['build'] / max(one['files'], 1):.0f} ms/form)")
        for fmt in ("pdf", "docx", "xlsx"):
            c = _best(args.runs, lambda fmt=fmt: _form(args.regulations, record, fmt, base, cold))
            _form(args.regulations, record, fmt, base, warm)
            w = _best(args.runs, lambda fmt=fmt: _form(args.regulations, record, fmt, base, warm))
            label = f"regkit form arrears-approval --data rec.yaml --format {fmt}"
            extra = f", warm page cache (e.g. after regkit build) {w['wall']:.2f} s" if fmt == "pdf" else ""
            print(f"  {label}: {c['wall']:.2f} s{extra}  goal < 1 s")
        size = (base / "filled.pdf").stat().st_size
        print(f"  filled one-page PDF: {size / 1024:.0f} KB (limit 300 KB)")


if __name__ == "__main__":
    main()
