"""When a rule's query fails on the data (a value the SQL cannot compute with, e.g. an integer too
large for the type a rule casts to: ``Conversion Error ... INT32``), find the records it fails on
by halving the form's records, so those records get a rule-error finding and the rule still runs
on all the others. An error that does not depend on the records is the rule's own (None)."""

from __future__ import annotations

from typing import Any

from .accept import quote
from .engine import duckdb

MAX_QUERIES = 400  # bisection steps for one rule; past them the rule fails as a whole


def error_line(exc: BaseException) -> str:
    """DuckDB's message, first line only."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def isolate(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any],
            form_id: str) -> tuple[list[tuple[Any, ...]], list[tuple[str | None, int | None, str | None, str]]] | None:
    """The rows of ``sql`` over the records it can evaluate, and (source, position, record id,
    error) of each record it cannot; None if the failure is not caused by particular records."""
    view = quote(form_id)
    marker = f"FROM {view} r"
    if sql.count(marker) != 1:
        return None
    numbered = (f"FROM (SELECT * FROM (SELECT *, row_number() OVER (ORDER BY _src, _pos) AS _k FROM {view}) "
                f"WHERE _k BETWEEN $_lo AND $_hi) r")
    subset = sql.replace(marker, numbered)
    total_row = con.execute(f"SELECT count(*) FROM {view}").fetchone()
    total = int(total_row[0]) if total_row else 0
    queries = 0

    def run(lo: int, hi: int) -> list[tuple[Any, ...]]:
        nonlocal queries
        queries += 1
        if queries > MAX_QUERIES:
            raise _TooMany
        return con.execute(subset, {**params, "_lo": lo, "_hi": hi}).fetchall()

    rows: list[tuple[Any, ...]] = []
    failed: list[tuple[int, str]] = []

    def solve(lo: int, hi: int) -> None:
        try:
            rows.extend(run(lo, hi))
        except duckdb.Error as exc:
            if lo == hi:
                failed.append((lo, error_line(exc)))
                return
            mid = (lo + hi) // 2
            solve(lo, mid)
            solve(mid + 1, hi)

    try:
        try:
            run(1, 0)  # no record at all: an error here is the rule's, not the data's
        except duckdb.Error:
            return None
        if total:
            solve(1, total)
    except _TooMany:
        return None
    if not failed:
        return None  # it ran through in parts: not something isolate can explain
    who = con.execute(f"SELECT _k, _src, _pos, id FROM (SELECT _src, _pos, id, row_number() OVER (ORDER BY _src, "
                      f"_pos) AS _k FROM {view}) WHERE list_contains($ks, _k)",
                      {"ks": [k for k, _ in failed]}).fetchall()
    names = {k: (src, pos, rid) for k, src, pos, rid in who}
    return rows, [(*names.get(k, (None, None, None)), msg) for k, msg in failed]


class _TooMany(Exception):
    """More bisection steps than MAX_QUERIES."""
