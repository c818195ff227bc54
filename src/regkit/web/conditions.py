"""Whether a rule's ``when`` holds for one record, computed as the checker computes it: the
expression compiled to SQL by the checker's compiler, run by DuckDB over the record's values typed
as the checker's views type its columns (passed as parameters, never as SQL text).

The answer depends only on the rule, the values of the fields the expression names, the project's
parameters and profile, and the date when the expression reads ``as_of``; it is remembered per
project on those, so a page or an approval does not run the engine again for a question already
answered (the same ``settlement == '现金'`` for every slip paid in cash)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

import duckdb

from .. import expr
from ..check.accept import quote, sql_type
from ..check.rules import by_person
from ..check.store import columns, connect
from ..loader import Project
from ..model import Form, FormField, Regulation
from .codec import engine_values
from .derived import cached

MAX_REMEMBERED = 4096

_LOCAL = threading.local()


@dataclass(frozen=True)
class _Plan:
    """A ``when`` compiled once: the query over a one-row table of the columns it names, and its
    constant parameters (regulation parameters, profile data)."""

    sql: str
    cols: tuple[tuple[str, FormField | None], ...]
    constants: tuple[tuple[str, Any], ...]
    reads_date: bool


def _engine() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB connection (opening one costs more than a page; it holds no data)."""
    con: duckdb.DuckDBPyConnection | None = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = connect()
        con.execute("SET threads = 1")  # one row: no parallel plan to schedule
    return con


def _plan(project: Project, reg: Regulation, form: Form, rule: Any) -> _Plan:
    def compile_it() -> _Plan:
        compiled = expr.compile_expr(rule.when, expr.Scope.for_form(form, reg), want="boolean")
        named = expr.references(rule.when)
        cols = tuple((k, f) for k, f in columns(form) if k in named)
        row = ", ".join(f"CAST($c{i} AS {sql_type(f) if f is not None else 'VARCHAR'}) AS {quote(k)}"
                        for i, (k, f) in enumerate(cols)) or "NULL AS _none"
        constants: dict[str, Any] = {"p_" + k: project.param(reg, k) for k in compiled.params}
        constants.update(expr.bindings(compiled.binds, project.org))
        for bind in compiled.binds:
            if bind.startswith("by_"):
                values = by_person(project, reg, bind[3:])
                constants[bind + "_p"], constants[bind + "_v"] = list(values), list(values.values())
        return _Plan(f"SELECT coalesce(({compiled.sql}), FALSE) FROM (SELECT {row}) r", cols,
                     tuple(constants.items()), "$as_of" in compiled.sql)

    return cached(project, ("when", reg.id, form.id, rule.id), compile_it)


def _frozen(value: Any) -> Any:
    """A value as a hashable key (lists as tuples)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def holds(project: Project, reg: Regulation, form: Form, rule: Any, values: dict[str, Any],
          today: dt.date) -> bool:
    """Whether the rule's ``when`` holds for the record with these (canonical) values today."""
    if not rule.when:
        return True
    plan = _plan(project, reg, form, rule)
    typed = engine_values(form, values)
    cells = [typed.get(k) for k, _ in plan.cols]
    key = (reg.id, form.id, rule.id, today if plan.reads_date else None, _frozen(cells))
    answers: dict[tuple[Any, ...], bool] = cached(project, "when answers", dict)
    answer = answers.get(key)
    if answer is None:
        params: dict[str, Any] = {f"c{i}": v for i, v in enumerate(cells)}
        params.update(plan.constants)
        if plan.reads_date:
            params["as_of"] = today
        got = _engine().execute(plan.sql, params).fetchone()
        answer = bool(got and got[0])
        if len(answers) >= MAX_REMEMBERED:
            answers.clear()
        answers[key] = answer
    return answer
