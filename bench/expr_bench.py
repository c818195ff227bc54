"""Speed of the rule language's new functions over 10^6 records in DuckDB, as the checker runs
them: workdays() (calendar lists per row), head() (profile lists per row), a parameter by role
and exact decimal arithmetic, each against the plain days() rule as the floor, in the same run."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from regkit.check.rules import by_person
from regkit.expr import Scope, bindings, compile_expr
from regkit.loader import load_project
from regkit.starter import init_project

N = 1_000_000


def main() -> None:
    root = init_project(Path(tempfile.mkdtemp()) / "p").root
    project = load_project([root / "regulations"])
    reg = project.regulation("expense")
    hit = project.form("expense-claim")
    assert reg is not None and hit is not None
    scope = Scope.for_form(hit[1], reg)
    con = duckdb.connect()
    con.execute(f"""CREATE TABLE r AS SELECT DATE '2026-01-01' + CAST(i % 300 AS INTEGER) AS spent_on,
                    DATE '2026-01-01' + CAST(i % 300 + i % 40 AS INTEGER) AS date,
                    CAST((i % 100000) / 100.0 AS DECIMAL(18,2)) AS amount, CAST(i % 5 + 1 AS INTEGER) AS guests,
                    ['王磊', '李静', '郑强', '陈浩', '冯雪'][i % 5 + 1] AS claimant
                    FROM range({N}) t(i)""")
    cases = {
        "days() floor": "days(spent_on, date) <= 30",
        "workdays()": "workdays(spent_on, date) <= 20",
        "head()": "claimant == head(claimant)",
        "by role": "amount <= meal_limit(claimant) * guests",
        "decimal * /": "amount / guests <= meal_limit * 2",
    }
    times: dict[str, float] = {}
    for name, source in cases.items():
        c = compile_expr(source, scope, want="boolean")
        params: dict[str, Any] = {"p_" + k: project.param(reg, k) for k in c.params} | bindings(c.binds, project.org)
        for b in c.binds:
            if b.startswith("by_"):
                values = by_person(project, reg, b[3:])
                params[b + "_p"], params[b + "_v"] = list(values), list(values.values())
        sql = f"SELECT count(*) FROM r WHERE {c.sql}"
        used = {k: v for k, v in params.items() if "$" + k in sql}
        best = min(_timed(con, sql, used) for _ in range(3))
        times[name] = best
    floor = times["days() floor"]
    for name, t in times.items():
        print(f"{name:14s} {t:6.3f} s for {N:,} records   {t / floor:5.1f} x the days() floor")


def _timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> float:
    start = time.perf_counter()
    con.execute(sql, params).fetchone()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
