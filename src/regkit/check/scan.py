"""One scan of a form's records for all its per-record rules. Each rule alone would read every
record of the form again (a million slips, five rules: five full scans); instead one query flags
the records that breach any of them, or leave a required field empty, into a small table, and
each rule then reads only the records it flagged to word its findings.

Rules that compare a record with other records (requires, conflict, outstanding) and cadence
rules keep their own queries. If the shared scan cannot run (a value one rule cannot compute
with), every rule falls back to its own query, which isolates the records at fault."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..model import ApprovalRule, DeadlineRule, ExprRule, Regulation, StubRule
from ..model import Rule as AnyRule
from .accept import quote
from .engine import duckdb
from .rules import Compiler, Query, RuleError, renamed, used_params

SHARED = (ApprovalRule, StubRule, DeadlineRule, ExprRule)


@dataclass
class Scan:
    """Where the shared scans put their rows: per form the table, per rule its flag column."""

    tables: dict[str, str] = field(default_factory=dict)
    flags: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def flag(self, reg: Regulation, rule: AnyRule) -> tuple[str, str] | None:
        """(table, flag column) of a rule that took part in a shared scan, else None."""
        return self.flags.get((reg.id, rule.id))


def shared_scans(con: duckdb.DuckDBPyConnection, comp: Compiler, rules: list[tuple[Regulation, AnyRule]],
                 complete: set[str]) -> Scan:
    """Run one scan per form for the per-record ``rules`` given (those of forms with records),
    together with the completeness of the forms in ``complete``; a form with a single such test
    keeps its own query."""
    by_form: dict[str, list[tuple[Regulation, AnyRule, Query]]] = defaultdict(list)
    for reg, rule in rules:
        if isinstance(rule, SHARED) and rule.form:
            try:
                by_form[rule.form].append((reg, rule, comp.query(reg, rule)))
            except RuleError:
                continue  # reported when the rule runs on its own
    scan = Scan()
    for n, fid in enumerate(sorted(by_form)):
        items = by_form[fid]
        if len(items) + (fid in complete) < 2:
            continue
        conds: list[str] = []
        params: dict[str, Any] = {}
        for k, (_, _, q) in enumerate(items):
            used = used_params(q.where, {**q.params, "as_of": comp.as_of})
            conds.append(renamed(q.where, f"s{k}_"))
            params.update({f"s{k}_{name}": value for name, value in used.items()})
        table = f"_scan{n}"
        flags = ", ".join(f"coalesce({c}, FALSE) AS _hit{k}" for k, c in enumerate(conds))
        hit = " OR ".join(f"({c})" for c in conds) + (" OR r._missing IS NOT NULL" if fid in complete else "")
        try:
            con.execute(f"CREATE TEMP TABLE {table} AS SELECT r.*, {flags} FROM {quote(fid)} r WHERE {hit}", params)
        except duckdb.Error:
            con.execute(f"DROP TABLE IF EXISTS {table}")
            continue
        scan.tables[fid] = table
        for k, (reg, rule, _) in enumerate(items):
            scan.flags[(reg.id, rule.id)] = (table, f"_hit{k}")
    return scan
