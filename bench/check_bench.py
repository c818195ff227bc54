"""Benchmark of ``regkit check`` on N 《同意欠费通知单》 records (arrears-approval, the form of
regulations/market-department.yaml) with about 1% seeded breaches (empty approvals and stubs
among them; stubs signed in another order or by one more person, which are no breach, among the
clean ones), against, in the same run:

- the floor: DuckDB reading the same CSV with every column typed into a table (``CREATE TABLE t
  AS SELECT * FROM read_csv(..., types=...)``, the least work that looks at every cell), and
  DuckDB counting its rows;
- a plain Python reference loop implementing the same rules over the same CSV;
- frictionless validate, on the rules a Table Schema can express (types, required fields, the
  approver as an enum of the department leaders).

Every engine runs as its own process; its wall time and peak memory (the child's maxrss) are
measured. The findings of regkit (rule, record, person, fine) must equal the seeded breaches and
the reference loop's. Usage: ``python bench/check_bench.py [N] [--no-frictionless] [--keep DIR] [--pairs K]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
REGKIT = [PY, "-m", "regkit"]
FORM = "arrears-approval"
AS_OF = dt.date(2026, 12, 31)
FROM = dt.date(2026, 1, 1)
FIELDS = ["id", "date", "customer", "settlement", "amount", "reason", "promised_date", "handler", "approved_by",
          "approved_on", "departments", "stub_signed_by", "paid_on", "paid_amount"]
COMPLETE = f"{FORM}:required"
# Seeded breaches: kind -> the findings of market-department's rules they must give: (rule, fine).
BREACHES: dict[str, list[tuple[str, int]]] = {
    "approver": [("arrears-approved-by-leader", 10)],        # approved by someone not the department leader
    "late_approval": [("arrears-approved-by-leader", 10)],   # approved after the slip was filled in
    "empty_approval": [("arrears-approved-by-leader", 10), (COMPLETE, 0)],  # nobody approved: one fine
    "stub": [("arrears-stub-signed", 10)],                   # a stub signed by someone other than the head
    "empty_stub": [("arrears-stub-signed", 10), (COMPLETE, 0)],  # nobody signed the stub
    "empty_reason": [(COMPLETE, 10)],                        # a required field no other rule covers
    "unpaid": [("arrears-collected", 10)],                   # the promised date passed, nothing paid
    "paid_late": [("arrears-collected", 0)],                 # paid after the promised date: a warning
    "short": [("arrears-paid-in-full", 10)],                 # paid less than owed
    "monthly": [("monthly-settlement-has-notice", 50)],      # 月结 without an approved notice (once per customer)
}


def profile() -> dict[str, Any]:
    """Who approves and who heads which department, from the project (so the loop stays in step)."""
    sys.path.insert(0, str(ROOT / "src"))
    from regkit.check.rules import holders
    from regkit.loader import load_project

    project = load_project([ROOT / "regulations"])
    return {"leaders": holders(project, "部门经理", "市场部"),
            "heads": {d.name: d.head for d in project.org.departments},
            "others": sorted(p.name for p in project.org.people
                             if p.name not in holders(project, "部门经理", "市场部"))}


Expected = dict[tuple[str, str, str, int], None]


def generate(path: Path, n: int, prof: dict[str, Any], seed: int = 20261130) -> Expected:
    """Write N records; return the expected findings (rule, record id, person, fine), in order."""
    rnd = random.Random(seed)
    leader = prof["leaders"][0]
    heads = prof["heads"]
    depts = ["财务部", "调度部", "运输部"]
    expected: Expected = {}
    promised: set[tuple[str, str]] = set()  # (handler, customer) already fined for a monthly promise
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FIELDS)
        for i in range(n):
            rid = f"QF-{i:07d}"
            day = FROM + dt.timedelta(days=rnd.randrange(330))
            amount = Decimal(rnd.randrange(10_000, 5_000_000)) / 100
            sent = depts[: rnd.randrange(1, 4)]
            row = {"id": rid, "date": day, "customer": f"客户{rnd.randrange(20_000):05d}有限公司",
                   "settlement": "现金",
                   "amount": amount, "reason": "资金周转困难，申请延期付款",
                   "promised_date": day + dt.timedelta(days=30),
                   "handler": rnd.choice(["李娜", "陈晨"]), "approved_by": leader, "approved_on": day,
                   "departments": ";".join(sent), "stub_signed_by": ";".join(heads[d] for d in sent),
                   "paid_on": day + dt.timedelta(days=rnd.randrange(1, 31)), "paid_amount": amount}
            if rnd.random() < 0.01:
                kind = rnd.choice(sorted(BREACHES))
                for rule, fine in BREACHES[kind]:
                    if kind == "monthly":
                        act = (row["handler"], row["customer"])
                        fine = 0 if act in promised else fine
                        promised.add(act)
                    expected[(rule, rid, row["handler"], fine)] = None
                if kind == "approver":
                    row["approved_by"] = rnd.choice(prof["others"])
                elif kind == "late_approval":
                    row["approved_on"] = day + dt.timedelta(days=2)
                elif kind == "empty_approval":
                    row["approved_by"] = row["approved_on"] = ""
                elif kind == "stub":
                    row["stub_signed_by"] = ";".join(["马超", *(heads[d] for d in sent[1:])])
                elif kind == "empty_stub":
                    row["stub_signed_by"] = ""
                elif kind == "empty_reason":
                    row["reason"] = ""
                elif kind == "unpaid":
                    row["paid_on"] = row["paid_amount"] = ""
                elif kind == "paid_late":
                    row["paid_on"] = row["promised_date"] + dt.timedelta(days=5)
                elif kind == "short":
                    row["paid_amount"] = amount - 1
                else:
                    row["settlement"] = "月结"
            elif rnd.random() < 0.05:  # no breach: the heads in another order, or one more signer
                signers = [heads[d] for d in reversed(sent)] + (["张伟"] if rnd.random() < 0.5 else [])
                row["stub_signed_by"] = ";".join(signers)
            w.writerow([row[k] for k in FIELDS])
    return expected


def measure(argv: list[str], repeat: int = 1) -> tuple[float, float, float, str]:
    """Run a process ``repeat`` times; the best (wall seconds, CPU seconds, peak MB) and its
    stdout. CPU is the child's user+sys time and peak its maxrss, from its own rusage (wait4), so
    they do not depend on what else runs on the machine as much as wall time does."""
    best: tuple[float, float, float, str] | None = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        assert proc.stdout is not None and proc.stderr is not None
        stdout = proc.stdout.read()
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        if code not in (0, 1):
            sys.exit(f"{' '.join(argv[:4])} failed ({code}): {stderr.decode()[-2000:]}")
        got = (wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout.decode())
        if best is None or got[0] < best[0]:
            best = got
    assert best is not None
    return best


LOOP = r'''
import csv, datetime as dt, json, sys
from decimal import Decimal
path, as_of, prof = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), json.loads(sys.argv[3])
leaders, heads = set(prof["leaders"]), prof["heads"]
D, N = dt.date.fromisoformat, Decimal
REQUIRED = ["date", "customer", "settlement", "amount", "reason", "promised_date", "handler", "approved_by",
            "approved_on", "departments", "stub_signed_by"]
# the fields whose emptiness a fined finding of each rule reports (one breach, one fine)
COVERS = {"arrears-approved-by-leader": {"approved_by", "approved_on"}, "arrears-stub-signed": {"stub_signed_by"},
          "arrears-collected": {"paid_on"}, "arrears-paid-in-full": {"paid_amount", "amount"},
          "monthly-settlement-has-notice": {"customer"}}
found, promised = [], set()
with open(path, encoding="utf-8", newline="") as fh:
    for r in csv.DictReader(fh):
        rid, who = r["id"], r["handler"]
        date, due = D(r["date"]), D(r["promised_date"])
        amount = N(r["amount"])
        approved_on = D(r["approved_on"]) if r["approved_on"] else None
        paid_on = D(r["paid_on"]) if r["paid_on"] else None
        paid = N(r["paid_amount"]) if r["paid_amount"] else None
        depts = [x for x in r["departments"].split(";") if x]
        signed = {x for x in r["stub_signed_by"].split(";") if x}
        mine = []
        if r["settlement"] == "现金" and (r["approved_by"] not in leaders or approved_on is None or approved_on > date):
            mine.append(("arrears-approved-by-leader", 10))
        if any(heads.get(d) not in signed for d in depts):
            mine.append(("arrears-stub-signed", 10))
        if paid_on is not None and paid_on > due:
            mine.append(("arrears-collected", 0))  # paid late: a warning
        elif paid_on is None and as_of > due:
            mine.append(("arrears-collected", 10))
        if paid_on is not None and (paid is None or paid < amount):
            mine.append(("arrears-paid-in-full", 10))
        if r["settlement"] == "月结":
            act = (who, r["customer"])
            mine.append(("monthly-settlement-has-notice", 0 if act in promised else 50))
            promised.add(act)
        empty = {k for k in REQUIRED if not r[k]}
        if empty:
            covered = set().union(*(COVERS[rule] for rule, fine in mine if fine))
            mine.append(("arrears-approval:required", 0 if empty <= covered else 10))
        found += [(rule, rid, who, fine) for rule, fine in mine]
print(json.dumps(found))
'''

FLOOR = r'''
import duckdb, sys
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
print(con.execute("SELECT count(*) FROM read_csv($p)", {"p": sys.argv[1]}).fetchone()[0])
'''

# The least work that looks at every cell: every column typed (dates, amounts) into a table.
TYPED = r'''
import duckdb, json, sys
types = json.loads(sys.argv[2])
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("CREATE TABLE t AS SELECT * FROM read_csv($p, header = true, types = $t)", {"p": sys.argv[1], "t": types})
print(con.execute("SELECT count(*) FROM t").fetchone()[0])
'''

# DuckDB reading the CSV as regkit's engine does and testing every cell with regkit's own SQL
# tests (types, required fields, choices, canonical text), nothing else: no rules, no regulations
# to load, no report. argv: the CSV file, a file holding the SQL condition, and a JSON object of
# column types (empty: all text, as regkit reads; else the CSV reader parses those columns itself).
VALIDATE = r'''
import duckdb, json, sys
path, tests, types = sys.argv[1], open(sys.argv[2], encoding="utf-8").read(), json.loads(sys.argv[3])
with open(path, encoding="utf-8") as fh:
    header = fh.readline().rstrip("\n").split(",")
spec = "{" + ", ".join(f"'{c}': '{types.get(c, 'VARCHAR')}'" for c in header) + "}"
sql = (f"SELECT count(*) FROM read_csv($p, header = true, auto_detect = false, columns = {spec}, delim = ',', "
       f"quote = '\"', escape = '\"', strict_mode = true, allow_quoted_nulls = true, dateformat = '%Y-%m-%d') "
       f"WHERE {tests}")
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
print(con.execute(sql, {"p": path}).fetchone()[0])
'''

CELLS = r'''
import sys
from pathlib import Path
from regkit.check import cells
from regkit.check.store import columns
from regkit.loader import load_project
form = load_project(["regulations"]).form("arrears-approval")[1]
with open(sys.argv[1], encoding="utf-8") as fh:
    header = fh.readline().rstrip("\n").split(",")
fields = dict(columns(form))
got = cells.scan(Path(sys.argv[1]), [cells.column(fields[k]) for k in header], header.index("id"))
assert got is not None, "no compiled cell test: run make setup"
print(got.rows, len(got.bad))
'''

# What every regkit process pays before it reads a record: Python, its imports, the regulations.
STARTUP = "import regkit.cli, regkit.check, regkit.report.jsonout, regkit.loader as l; l.load_project(['regulations'])"


def validation_sql(*, typed: tuple[str, ...] = ()) -> str:
    """regkit's SQL condition accepting a canonical arrears-approval row (columns named by key),
    without the tests of the field types in ``typed`` (the CSV reader parses those)."""
    sys.path.insert(0, str(ROOT / "src"))
    from regkit.check.accept import accept
    from regkit.check.store import columns
    from regkit.loader import load_project

    hit = load_project([ROOT / "regulations"]).form(FORM)
    assert hit is not None
    return " AND ".join(accept(f, f'"{key}"') for key, f in columns(hit[1])
                        if key in FIELDS and (f is None or f.type not in typed))


def typed_columns() -> dict[str, str]:
    """The DuckDB type of each date and amount column of the form."""
    sys.path.insert(0, str(ROOT / "src"))
    from regkit.check.accept import SQL_TYPES
    from regkit.loader import load_project

    hit = load_project([ROOT / "regulations"]).form(FORM)
    assert hit is not None
    return {f.key: SQL_TYPES[f.type] for f in hit[1].fields if f.type in ("date", "amount")}


FRICTIONLESS = r'''
import json, os, sys
from frictionless import Resource, Schema, fields
leaders = json.loads(sys.argv[2])
schema = Schema(fields=[
    fields.StringField(name="id", constraints={"required": True}),
    fields.DateField(name="date", constraints={"required": True}),
    fields.StringField(name="customer", constraints={"required": True}),
    fields.StringField(name="settlement", constraints={"required": True, "enum": ["现金", "月结", "其他"]}),
    fields.NumberField(name="amount", constraints={"required": True}),
    fields.StringField(name="reason", constraints={"required": True}),
    fields.DateField(name="promised_date", constraints={"required": True}),
    fields.StringField(name="handler", constraints={"required": True}),
    fields.StringField(name="approved_by", constraints={"required": True, "enum": leaders}),
    fields.DateField(name="approved_on", constraints={"required": True}),
    fields.StringField(name="departments", constraints={"required": True}),
    fields.StringField(name="stub_signed_by", constraints={"required": True}),
    fields.DateField(name="paid_on"),
    fields.NumberField(name="paid_amount"),
])
path = sys.argv[1]
resource = Resource(os.path.basename(path), basepath=os.path.dirname(path), schema=schema)
report = resource.validate(limit_errors=10**9)
errors = [e for t in report.tasks for e in t.errors] + list(report.errors)
# empty required fields of the seeded breaches (approval date, stub, reason) are errors there too
other = [e.note for e in errors if getattr(e, "field_name", None) not in ("approved_by", "approved_on",
                                                                          "stub_signed_by", "reason")]
if other:
    sys.exit(f"frictionless: {len(other)} other errors, e.g. {other[:3]}")
print(json.dumps(sorted({e.row_number for e in errors if getattr(e, "field_name", None) == "approved_by"})))
'''


def main() -> None:
    """Generate, run every engine, compare findings, print the table."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=10_000, help="records to generate (default 10000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each engine; the fastest counts (default 3)")
    ap.add_argument("--no-frictionless", action="store_true", help="skip frictionless (slow at 10^6)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated files in this folder")
    ap.add_argument("--copies", type=int, default=1,
                    help="audit K copies of the N records (ids renumbered per copy) in one file: 10^7 records from "
                         "10^6 generated; findings are compared with the reference loop's only")
    ap.add_argument("--pairs", type=int, default=0,
                    help="then run the floor and regkit K times more, one after the other, and print the median of "
                         "their ratios (a machine whose speed drifts during the table's runs biases its ratio)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="regkit-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args.n, work, repeat=args.repeat, frictionless=not args.no_frictionless, copies=args.copies,
            pairs=args.pairs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def replicate(data: Path, copies: int, target: Path) -> None:
    """``copies`` copies of a generated file in one, the ids of copy k prefixed with k; streamed,
    so this process stays small (a child's peak memory starts at its parent's on Linux)."""
    with target.open("w", encoding="utf-8", newline="") as dst:
        for k in range(copies):
            with data.open(encoding="utf-8") as src:
                header = src.readline()
                if k == 0:
                    dst.write(header)
                for line in src:
                    dst.write(f"QF-{k}{line[3:]}")


def run(n: int, work: Path, *, repeat: int, frictionless: bool, copies: int = 1, pairs: int = 0) -> None:
    """One benchmark run in ``work``."""
    # regkit byte-compiled as an installed package is (an editable install under
    # PYTHONDONTWRITEBYTECODE would compile its modules at every start, and that is not the audit)
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    prof = profile()
    data = work / f"{FORM}.csv"
    t0 = time.perf_counter()
    saved = work / f"expected-{n}.json"
    if saved.is_file() and data.is_file():  # --keep DIR: the same N again reuses the file
        expected = {tuple(x): None for x in json.loads(saved.read_text(encoding="utf-8"))}  # type: ignore[misc]
    else:
        expected = generate(data, n, prof)
        saved.write_text(json.dumps(list(expected), ensure_ascii=False), encoding="utf-8")
    if copies > 1:
        big = work / f"{FORM}-x{copies}" / f"{FORM}.csv"
        big.parent.mkdir(exist_ok=True)
        if not big.is_file():
            replicate(data, copies, big)
        data, n, expected, frictionless = big, n * copies, {}, False
    print(f"generated {n} records ({data.stat().st_size / 1e6:.1f} MB, {len(expected)} seeded breaches) "
          f"in {time.perf_counter() - t0:.1f} s; best of {repeat} runs per engine")
    results: list[tuple[str, float, float, float, int]] = []

    floor = measure([PY, "-c", TYPED, str(data), json.dumps(typed_columns())], repeat)
    assert int(floor[3]) == n, floor[3]
    results.append(("floor: DuckDB typed read of every cell into a table", *floor[:3], 0))
    counted = measure([PY, "-c", FLOOR, str(data)], repeat)
    assert int(counted[3]) == n, counted[3]
    results.append(("DuckDB count(*) over read_csv", *counted[:3], 0))

    start = measure([PY, "-c", STARTUP], repeat)
    results.append(("regkit start-up: imports + loading the regulations", *start[:3], 0))

    tests = work / "validate.sql"
    tests.write_text(validation_sql(), encoding="utf-8")
    valid = measure([PY, "-c", VALIDATE, str(data), str(tests), "{}"], repeat)
    assert int(valid[3]) == n, valid[3]
    results.append(("DuckDB reading + regkit's SQL cell tests (no rules)", *valid[:3], 0))
    tests.write_text(validation_sql(typed=("date", "amount")), encoding="utf-8")
    valid = measure([PY, "-c", VALIDATE, str(data), str(tests), json.dumps(typed_columns())], repeat)
    assert int(valid[3]) == n, valid[3]
    results.append(("  same, dates and amounts parsed by the CSV reader", *valid[:3], 0))

    report = work / "report.json"
    argv = [*REGKIT, "check", str(data), "--as-of", AS_OF.isoformat(), "--from", FROM.isoformat(),
            "--format", "json", "-o", str(report)]
    rk = measure(argv, repeat)
    got = json.loads(report.read_text(encoding="utf-8"))
    assert got["unreadable"] == [], got["unreadable"][:3]
    found = {(f["rule"], f["record"], f["person"], f["penalty"]): None for f in got["findings"] if f["form"] == FORM}
    results.append(("regkit check (end to end, JSON report file)", *rk[:3], len(found)))
    # the compiled cell test (cells.c) alone, and regkit without it (the SQL cell tests in the engine's read)
    compiled = measure([PY, "-c", CELLS, str(data)], repeat)
    assert compiled[3].split() == [str(n), "0"], compiled[3]
    results.append(("  its compiled cell test alone (cells.c, one thread)", *compiled[:3], 0))
    os.environ["REGKIT_NO_C_CELLS"] = "1"
    try:
        sql_tests = measure(argv, repeat)
    finally:
        del os.environ["REGKIT_NO_C_CELLS"]
    same = json.loads(report.read_text(encoding="utf-8"))
    assert same == got, "regkit without the compiled cell test reports otherwise"
    results.append(("  regkit check with the SQL cell tests instead", *sql_tests[:3], len(found)))

    loop = measure([PY, "-c", LOOP, str(data), AS_OF.isoformat(), json.dumps(prof)], repeat)
    by_loop = {(r, i, p, fine): None for r, i, p, fine in json.loads(loop[3])}
    results.append(("plain Python loop, same rules", *loop[:3], len(by_loop)))

    assert copies > 1 or set(by_loop) == set(expected), (
        f"the Python loop: {len(set(by_loop) ^ set(expected))} findings differ from the seeded, "
        f"e.g. {sorted(set(by_loop) ^ set(expected))[:4]}")
    assert set(found) == set(by_loop), (f"regkit: {len(set(found) ^ set(by_loop))} findings differ from the loop's, "
                                        f"e.g. {sorted(set(found) ^ set(by_loop))[:4]}")
    fines = sum(f["penalty"] for f in got["findings"])
    assert got["summary"]["total_penalty"] == fines == sum(got["summary"]["penalties"].values())

    fl = None
    if frictionless and subprocess.run([PY, "-c", "import frictionless"], capture_output=True).returncode:
        print("frictionless is not installed (.venv/bin/pip install frictionless): skipping that comparison")
        frictionless = False
    if frictionless:
        fl = measure([PY, "-c", FRICTIONLESS, str(data), json.dumps(prof["leaders"])], 1 if n > 100_000 else repeat)
        ids = {f"QF-{row - 2:07d}" for row in json.loads(fl[3])}
        want = {rid for (rule, rid, _, _) in expected if rule == "arrears-approved-by-leader"}
        late = sorted(rid for rid in want if rid not in ids)
        # frictionless cannot compare two fields, so it misses exactly the late approvals (an
        # empty approver is a required field there too)
        assert ids <= want and all(_late_approval(data, rid) for rid in late[:20]), "frictionless differs"
        results.append(("frictionless validate (types, required, approver enum)", *fl[:3], len(ids)))

    print(f"\n{'engine':<56} {'wall s':>7} {'× floor':>8} {'CPU s':>7} {'× floor':>8} {'peak MB':>8} {'findings':>9}")
    for name, wall, cpu, mb, count in results:
        print(f"{name:<56} {wall:7.2f} {wall / floor[0]:8.2f} {cpu:7.2f} {cpu / floor[1]:8.2f} {mb:8.0f} {count:9d}")
    print(f"\nregkit: {rk[0] / floor[0]:.2f}× DuckDB's typed read (wall; {rk[1] / floor[1]:.2f}× in CPU), "
          f"{rk[0] / counted[0]:.2f}× its count(*), "
          f"{loop[0] / rk[0]:.1f}× faster than the Python loop"
          + (f", {fl[0] / rk[0]:.1f}× faster than frictionless" if fl else "")
          + f"; peak {rk[2]:.0f} MB; its {len(found)} findings identical to the reference loop's"
          + (f" and to the {len(expected)} seeded breaches" if expected else ""))
    if pairs:
        paired(pairs, [PY, "-c", TYPED, str(data), json.dumps(typed_columns())], argv)


def paired(k: int, floor_argv: list[str], regkit_argv: list[str]) -> None:
    """The floor and regkit run one right after the other, ``k`` times: each pair's ratio is taken
    at one speed of the machine, and their median says where regkit stands."""
    import statistics

    walls, cpus = [], []
    print(f"\n{k} pairs, the floor then regkit:")
    for i in range(k):
        f, r = measure(floor_argv), measure(regkit_argv)
        walls.append(r[0] / f[0])
        cpus.append(r[1] / f[1])
        print(f"  pair {i + 1}: floor {f[0]:.2f} s ({f[1]:.2f} s CPU), regkit {r[0]:.2f} s ({r[1]:.2f} s CPU): "
              f"{walls[-1]:.2f}× wall, {cpus[-1]:.2f}× CPU")
    print(f"median of {k} pairs: {statistics.median(walls):.2f}× the typed read in wall time "
          f"({min(walls):.2f}–{max(walls):.2f}), {statistics.median(cpus):.2f}× in CPU")


def _late_approval(data: Path, rid: str) -> bool:
    i = int(rid[3:])
    with data.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if n == i + 1:
                row = dict(zip(FIELDS, next(csv.reader([line])), strict=True))
                return row["approved_on"] > row["date"]
    return False


if __name__ == "__main__":
    main()
