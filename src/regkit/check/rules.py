"""Rules as SQL: one query per rule, generated from its kind, over the forms' views.

Every query returns the breaching rows with the same leading columns (source, record id, person,
loss, month) followed by the values its message names. Parameters, role holders, department
heads and the audit date are bound as ``$name`` values; only constants of the regulations (field
keys, compiled expressions) are SQL text. Semantics are those of the rule kinds in model.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb

from .. import expr
from ..errors import InputError
from ..expr import as_sql_literal
from ..loader import Project
from ..model import (
    ApprovalRule,
    CadenceRule,
    ConflictRule,
    DeadlineRule,
    ExprRule,
    Form,
    Regulation,
    RequiresRule,
    StubRule,
)
from ..model import Rule as AnyRule
from .accept import quote
from .findings import Finding, citation, number
from .messages import message_sql
from .periods import PERIODS, normalise, periods


@dataclass
class Query:
    """A rule's SQL and the values it binds; ``extras`` are message names the SQL computes."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    person: str | None = None


class RuleError(Exception):
    """A rule that cannot run against these regulations (lint should have caught it)."""


def role_names(project: Project, role: str) -> set[str]:
    """A role's name and every alias any regulation gives it."""
    names = {role}
    for reg in project.regulations:
        for r in reg.roles:
            group = {r.name, *r.aliases}
            if role in group:
                names |= group
    return names


def holders(project: Project, role: str, department: str | None = None, *, regulation: str | None = None) -> list[str]:
    """The people holding a role (under any of its names), for a regulation and in (or for) a
    department if given, sorted: see ``Org.holders``."""
    return sorted(project.org.holders(role, department, regulation=regulation, names=role_names(project, role)))


def month_expr(form: Form, alias: str = "r") -> str:
    """SQL for the month a record falls in (for the report's chart), or NULL."""
    date = form.field("date")
    if date is not None and date.type == "date":
        return f"strftime({alias}.\"date\", '%Y-%m')"
    if form.period and (pf := form.field(form.period)) is not None and pf.type == "month":
        return f"{alias}.{quote(pf.key)}"
    first = next((f for f in form.fields if f.type == "date"), None)
    if first is not None:
        return f"strftime({alias}.{quote(first.key)}, '%Y-%m')"
    return "CAST(NULL AS VARCHAR)"


def needed_fields(project: Project, form: Form) -> set[str]:
    """The fields of ``form`` some rule may read (by name), plus the id and the dates that place
    a record in time; the engine need not store the others of a large file."""
    keys = {f.key for f in form.fields if f.type != "table"}
    out = {"id"} | {f.key for f in form.fields if f.type in ("date", "month")}
    for reg in project.regulations:
        for rule in reg.rules:
            if rule.form == form.id or getattr(rule, "other", None) == form.id:
                text = rule.model_dump_json(by_alias=True)
                out |= {k for k in keys if re.search(rf"\b{k}\b", text)}
    return out


def _order_expr(form: Form, alias: str = "r") -> str:
    date = next((f for f in form.fields if f.type in ("date", "month")), None)
    return f"{alias}.{quote(date.key)}, {alias}.id" if date else f"{alias}.id"


class Compiler:
    """Builds the query of each rule of a project."""

    def __init__(self, project: Project, as_of: dt.date, date_from: dt.date) -> None:
        self.project, self.as_of, self.date_from = project, as_of, date_from
        self.by_id = {r.id: r for r in project.regulations}

    def _form(self, fid: str | None) -> Form:
        hit = self.project.form(fid) if fid else None
        if hit is None:
            raise RuleError(f"unknown form {fid!r}")
        return hit[1]

    def _param(self, reg: Regulation, key: str) -> Any:
        try:
            return self.project.param(reg, key)
        except KeyError:
            raise RuleError(f"unknown parameter {key!r}") from None

    def _expr(self, reg: Regulation, form: Form, source: str | None, q: Query, *, want: str = "boolean",
              other: Form | None = None, default: str = "TRUE") -> str:
        if not source:
            return default
        scope = expr.Scope.for_form(form, reg, self.by_id)
        if other is not None:
            scope = scope.with_other(other)
        try:
            c = expr.compile_expr(source, scope, want=want)
        except expr.ExprError as exc:
            raise RuleError(f"expression {source!r}: {exc}") from None
        for key in c.params:
            q.params["p_" + key] = self._param(reg, key)
        return f"({c.sql})" if want != "boolean" else f"coalesce(({c.sql}), FALSE)"

    def _person(self, rule: AnyRule, q: Query, rid: str | None = None) -> str:
        who = rule.person
        if isinstance(rule, CadenceRule) and rule.responsible and not who:
            who = rule.responsible
        if who and who.startswith("role:"):
            q.person = "、".join(holders(self.project, who[5:], getattr(rule, "department", None),
                                         regulation=rid)) or None
            return "CAST(NULL AS VARCHAR)"
        if who:
            return f"CAST(r.{quote(who)} AS VARCHAR)"
        return "CAST(NULL AS VARCHAR)"

    def _select(self, reg: Regulation, rule: AnyRule, form: Form, q: Query,
                extras: dict[str, tuple[str, str]]) -> str:
        loss = self._expr(reg, form, rule.loss, q, want="number", default="NULL")
        msg = message_sql(rule.message, form, self.constants(reg), extras)
        person = self._person(rule, q, reg.id)
        return ", ".join(["r._src AS _src", "r.id AS _id", f"{person} AS _person", f"{loss} AS _loss",
                          f"{month_expr(form)} AS _month", f"{msg} AS _msg", "NULL AS _period"])

    def constants(self, reg: Regulation) -> dict[str, Any]:
        """What a message may name besides fields: the regulation's parameters and the audit date."""
        return {**{p.key: self.project.param(reg, p.key) for p in reg.parameters}, "as_of": self.as_of}

    def query(self, reg: Regulation, rule: AnyRule) -> Query:
        """The SQL finding every breach of ``rule``."""
        q = Query("")
        if isinstance(rule, CadenceRule):
            return self._cadence(reg, rule, q)
        form = self._form(rule.form)
        when = self._expr(reg, form, rule.when, q)
        v = quote(form.id)
        extras: dict[str, tuple[str, str]] = {}
        if isinstance(rule, ApprovalRule):
            allowed = holders(self.project, rule.role, rule.department, regulation=reg.id)
            q.params.update({f"h{i}": name for i, name in enumerate(allowed)})
            f = f"r.{quote(rule.field)}"
            listed = ", ".join(f"$h{i}" for i in range(len(allowed))) or "NULL"
            cond = f"{f} IS NULL OR {f} = '' OR {f} NOT IN ({listed})" if allowed else "TRUE"
            if rule.date_field:
                d = f"r.{quote(rule.date_field)}"
                cond += f" OR {d} IS NULL"
                if rule.not_after:
                    cond += f" OR ({d} > r.{quote(rule.not_after)})"
            extras["approvers"] = (as_sql_literal("、".join(allowed)), "text")
        elif isinstance(rule, StubRule):
            d, s = f"r.{quote(rule.departments_field)}", f"r.{quote(rule.signed_field)}"
            depts = self.project.org.departments
            q.params["depts"] = [x.name for x in depts]
            q.params["heads"] = [x.head for x in depts]
            head = "CAST($heads AS VARCHAR[])[list_position(CAST($depts AS VARCHAR[]), {})]"
            cond = f"coalesce({s}, []) IS DISTINCT FROM list_transform(coalesce({d}, []), lambda x: {head.format('x')})"
            wrong = f"lambda i: {s}[i] IS DISTINCT FROM {head.format(d + '[i]')}"
            extras["unsigned"] = (f"array_to_string(list_transform(list_filter(range(1, len({d}) + 1), {wrong}), "
                                  f"lambda i: {d}[i]), '、')", "text")
        elif isinstance(rule, DeadlineRule):
            sign = -1 if isinstance(rule.days, str) and rule.days.startswith("-") else 1
            days = rule.days if isinstance(rule.days, int) else self._param(reg, rule.days.lstrip("-"))
            try:
                q.params["days"] = sign * int(days)
            except (TypeError, ValueError):
                raise RuleError(f"days {days!r} is not a whole number") from None
            q.params["as_of"] = self.as_of
            due = f"(r.{quote(rule.due)} + CAST($days AS INTEGER))"
            done = f"r.{quote(rule.done)}" if rule.done else "NULL"
            cond = (f"r.{quote(rule.due)} IS NOT NULL AND (({done} IS NOT NULL AND {done} > {due}) OR "
                    f"({done} IS NULL AND CAST($as_of AS DATE) > {due}))")
            extras["due_date"] = (due, "date")
            extras["overdue_days"] = (f"date_diff('day', {due}, coalesce({done}, CAST($as_of AS DATE)))", "days")
        elif isinstance(rule, RequiresRule):
            other = self._form(rule.other)
            where = self._expr(reg, form, rule.where, q, other=other)
            match = " AND ".join(self._match(form, other, mine, theirs) for mine, theirs in rule.match.items())
            cond = f"NOT EXISTS (SELECT 1 FROM {quote(other.id)} o WHERE {match or 'TRUE'} AND {where})"
        elif isinstance(rule, ConflictRule):
            keys = [f"r.{quote(k)}" for k in rule.key]
            window = f"PARTITION BY {', '.join(keys)} ORDER BY {_order_expr(form)}"
            firsts = ", ".join(f"first_value(r.{quote(a)} IGNORE NULLS) OVER w AS {quote('first_' + a)}"
                               for a in rule.agree)
            differs = " OR ".join(f"(r.{quote(a)} IS NOT NULL AND r.{quote(a)} <> r.{quote('first_' + a)})"
                                  for a in rule.agree)
            v = (f"(SELECT r.*, first_value(r.id) OVER w AS _first_id, {firsts} FROM {v} r "
                 f"WHERE {when} AND {' AND '.join(k + ' IS NOT NULL' for k in keys)} WINDOW w AS ({window} "
                 f"ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))")
            when, cond = "TRUE", differs
            extras["first_id"] = ("r._first_id", "text")
        elif isinstance(rule, ExprRule):
            cond = f"NOT {self._expr(reg, form, rule.check, q)}"
        else:  # pragma: no cover - the model admits no other kind
            raise RuleError(f"unknown rule kind {rule.kind}")
        q.sql = f"SELECT {self._select(reg, rule, form, q, extras)} FROM {v} r WHERE {when} AND ({cond})"
        return q

    def _match(self, form: Form, other: Form, mine: str, theirs: str) -> str:
        a, b = form.field(mine), other.field(theirs)
        left, right = f"r.{quote(mine)}", f"o.{quote(theirs)}"
        if a is None or b is None or a.type != b.type:
            left, right = f"CAST({left} AS VARCHAR)", f"CAST({right} AS VARCHAR)"
        return f"{right} = {left}"

    def _cadence(self, reg: Regulation, rule: CadenceRule, q: Query) -> Query:
        form = self._form(rule.form)
        raw = rule.period if rule.period in PERIODS else self._param(reg, rule.period)
        kind = normalise(raw)
        if kind is None:
            raise RuleError(f"period {raw!r} is not {', '.join(PERIODS[:-1])} or {PERIODS[-1]}")
        if kind == "day" and (df := form.field(rule.date_field)) is not None and df.type == "month":
            raise RuleError(f"a daily duty needs a date field, and {rule.date_field} holds a month")
        found = periods(kind, self.date_from, self.as_of, pin=rule.month)
        when = self._expr(reg, form, rule.when, q)
        df = form.field(rule.date_field)
        col = f"r.{quote(rule.date_field)}"
        day = f"CAST({col} || '-01' AS DATE)" if df is not None and df.type == "month" else col
        q.params.update({"labels": [p.label for p in found], "starts": [p.start for p in found],
                         "ends": [p.end for p in found]})
        self._person(rule, q, reg.id)
        # a missing period is only a finding if it says which period: add it if the message does not
        message = rule.message if "{period}" in rule.message else rule.message + "（{period}）"
        msg = message_sql(message, None, self.constants(reg), {"period": ("p.label", "text")}, alias="p")
        cols = (f"NULL AS _src, NULL AS _id, NULL AS _person, NULL AS _loss, strftime(p.s, '%Y-%m') AS _month, "
                f"{msg} AS _msg, p.label AS _period")
        q.sql = (f"SELECT {cols} FROM (SELECT unnest(CAST($labels AS VARCHAR[])) AS label, "
                 f"unnest(CAST($starts AS DATE[])) AS s, unnest(CAST($ends AS DATE[])) AS e) p "
                 f"WHERE NOT EXISTS (SELECT 1 FROM {quote(form.id)} r WHERE {when} AND {day} BETWEEN p.s AND p.e) "
                 f"ORDER BY p.s")
        return q


_PARAM = re.compile(r"'(?:[^']|'')*'|\$([a-z_][a-z0-9_]*)")


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The bound values the SQL names (DuckDB refuses unused ones); string literals skipped."""
    names = {m.group(1) for m in _PARAM.finditer(sql) if m.group(1)}
    missing = names - params.keys()
    if missing:
        raise RuleError(f"no value for {', '.join(sorted(missing))}")
    return {k: params[k] for k in names}


def run(con: duckdb.DuckDBPyConnection, project: Project, as_of: dt.date, date_from: dt.date,
        counts: dict[str, int] | None = None,
        selected: Callable[[Regulation, AnyRule], bool] | None = None) -> list[Finding]:
    """Every breach of every (``selected``) rule of the project. With ``counts`` (records per
    form), a rule reading a form without records is compiled but not run: it cannot find anything
    (a cadence rule, which reports periods without records, always runs)."""
    comp = Compiler(project, as_of, date_from)
    out: list[Finding] = []
    for reg in project.regulations:
        for order, rule in enumerate(reg.rules):
            if selected is not None and not selected(reg, rule):
                continue
            try:
                if counts is not None and rule.kind != "cadence" and not counts.get(rule.form or "", 0):
                    comp.query(reg, rule)
                    continue
                out += findings_of(con, comp, reg, rule, order)
            except RuleError as exc:
                raise InputError.at(project.files.get(reg.id, reg.id), 1, 1, f"rule {rule.id}: {exc}") from None
    return out


def findings_of(con: duckdb.DuckDBPyConnection, comp: Compiler, reg: Regulation, rule: AnyRule,
                order: int) -> list[Finding]:
    """Run one rule and turn its rows into findings."""
    project = comp.project
    q = comp.query(reg, rule)
    params = {**q.params, "as_of": comp.as_of}
    try:
        rows = con.execute(q.sql, used_params(q.sql, params)).fetchall()
    except duckdb.Error as exc:
        raise RuleError(str(exc).splitlines()[0]) from None
    penalty: int | float = 0
    if rule.fine is not None:
        try:
            penalty = number(project.param(reg, rule.fine.amount))
        except (KeyError, ArithmeticError, ValueError):
            raise RuleError(f"fine {rule.fine.amount!r} is not an amount") from None
    cite = citation(project, reg, rule.clauses[0])
    return [Finding(rule=rule.id, regulation=reg.id, citation=cite, form=rule.form, record=rid, source=src,
                    person=person if person not in (None, "") else q.person, penalty=penalty,
                    severity=rule.severity, message=msg, loss=_loss(loss), month=month, order=order, period=period)
            for src, rid, person, loss, month, msg, period in rows]


def _loss(value: Any) -> Decimal | None:
    """A positive loss as a Decimal of cents, else None."""
    if value is None:
        return None
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    return d if d > 0 else None
