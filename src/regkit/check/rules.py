"""Rules as SQL: one query per rule, generated from its kind, over the forms' views.

Every query returns the breaching rows with the same leading columns (source, record id, person,
loss, month) followed by the values its message names. Parameters, role holders, department
heads and the audit date are bound as ``$name`` values; only constants of the regulations (field
keys, compiled expressions) are SQL text. Semantics are those of the rule kinds in model.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

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
    OutstandingRule,
    Regulation,
    RequiresRule,
    StubRule,
)
from ..model import Rule as AnyRule
from .accept import quote
from .engine import duckdb
from .findings import Finding, citation, number
from .messages import message_sql


@dataclass
class Query:
    """A rule's SQL and the values it binds; ``extras`` are message names the SQL computes."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)
    person: str | None = None
    # the parts of ``sql`` for a shared scan of the form (see ``prefilter``): the columns, the
    # view read and the condition a breaching row meets
    select: str = ""
    source: str = ""
    where: str = ""

    def over(self, table: str, flag: str) -> str:
        """The same query over the rows of a shared scan that this rule flagged."""
        return f"SELECT {self.select} FROM {table} r WHERE r.{flag}"


class RuleError(Exception):
    """A rule that cannot run against these regulations (lint should have caught it)."""


def role_names(project: Project, role: str) -> set[str]:
    """A role's name and every alias any regulation gives it."""
    return project.role_names(role)


def holders(project: Project, role: str, department: str | None = None, *, regulation: str | None = None) -> list[str]:
    """The people holding a role (under any of its names), for a regulation and in (or for) a
    department if given, sorted: see ``Org.holders``."""
    return project.holders(role, department, regulation=regulation)


def one_holder(project: Project, role: str, department: str | None = None, *,
               regulation: str | None = None) -> str | None:
    """The one person answering for a collective duty of a role: its holder when there is
    exactly one, else None (the report says 未指明 rather than fine several people)."""
    found = holders(project, role, department, regulation=regulation)
    return found[0] if len(found) == 1 else None


def by_person(project: Project, reg: Regulation, key: str) -> dict[str, Any]:
    """A parameter that differs by role or rank, for each person it differs for: the value of
    the first of ``values`` the person holds (roles for this regulation) or is (rank)."""
    p = reg.parameter(key)
    if p is None or not p.by or not p.values:
        return {}
    out: dict[str, Any] = {}
    if p.by == "rank":
        out = {person.name: p.values[person.rank] for person in project.org.people if person.rank in p.values}
    else:
        for role, value in p.values.items():
            for name in holders(project, role, regulation=reg.id):
                out.setdefault(name, value)
    return dict(sorted(out.items()))


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
    """The fields of ``form`` a rule may read: every key any rule of the project names (a roster
    is read by another form's rule), the people (who answers for a finding), the id and the dates
    that place a record in time; the engine need not store the others of a large file."""
    keys = {f.key for f in form.fields if f.type != "table"}
    out = {"id"} | {f.key for f in form.fields if f.type in ("date", "month", "person")}
    text = "\n".join(t for reg in project.regulations for rule in reg.rules for t in _texts(rule))
    return out | {k for k in keys if re.search(rf"\b{re.escape(k)}\b", text)}


def _texts(value: Any) -> Iterator[str]:
    """Every text a rule holds (values, and the keys of its mappings), without serialising it."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(k)
            yield from _texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _texts(v)


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
              other: Form | None = None, default: str = "TRUE", raw: bool = False, this: str = "r") -> str:
        if not source:
            return default
        scope = expr.Scope.for_form(form, reg, self.by_id)
        if other is not None:
            scope = scope.with_other(other)
        try:
            c = expr.compile_expr(source, scope, want=want, this=this)
        except expr.ExprError as exc:
            raise RuleError(f"expression {source!r}: {exc}") from None
        for key in c.params:
            q.params["p_" + key] = self._param(reg, key)
        q.params.update(expr.bindings(c.binds, self.project.org))
        for bind in c.binds:
            if bind.startswith("by_"):
                values = by_person(self.project, reg, bind[3:])
                q.params[bind + "_p"], q.params[bind + "_v"] = list(values), list(values.values())
        return f"({c.sql})" if want != "boolean" or raw else f"coalesce(({c.sql}), FALSE)"

    def _person(self, reg: Regulation, rule: AnyRule, q: Query) -> str:
        who = rule.person
        if isinstance(rule, CadenceRule) and rule.responsible and not who:
            who = rule.responsible
        if who and who.startswith("role:"):
            q.person = one_holder(self.project, who[5:], getattr(rule, "department", None), regulation=reg.id)
            return "CAST(NULL AS VARCHAR)"
        if who:
            return f"CAST(r.{quote(who)} AS VARCHAR)"
        return "CAST(NULL AS VARCHAR)"

    def _select(self, reg: Regulation, rule: AnyRule, form: Form, q: Query,
                extras: dict[str, tuple[str, str]], *, late: str = "FALSE", late_msg: str | None = None,
                note: str | None = None) -> str:
        loss = self._expr(reg, form, rule.loss, q, want="number", default="NULL")
        act = self._expr(reg, form, rule.act, q, want="text", default="CAST(NULL AS VARCHAR)")
        msg = message_sql(rule.message, form, self.constants(reg), extras)
        if note is not None:  # what the records leave unknown, after the rule's own words
            msg = f"concat({msg}, {note})"
        if late_msg is not None:
            msg = f"CASE WHEN {late} THEN {message_sql(late_msg, form, self.constants(reg), extras)} ELSE {msg} END"
        cols = ["r._src AS _src", "r._pos AS _pos", "r.id AS _id", f"{self._person(reg, rule, q)} AS _person",
                f"{loss} AS _loss", f"{month_expr(form)} AS _month", f"{msg} AS _msg", f"{late} AS _late",
                f"CAST({act} AS VARCHAR) AS _act"]
        computed = rule.fine.expression(form) if rule.fine else None
        if computed:  # a fine computed from the record (2 × the false claim): one more column
            cols.append(f"{self._expr(reg, form, computed, q, want='number', default='NULL')} AS _fine")
        return ", ".join(cols)

    def constants(self, reg: Regulation) -> dict[str, Any]:
        """What a message may name besides fields: the regulation's parameters and the audit date."""
        return {**{p.key: self.project.param(reg, p.key) for p in reg.parameters}, "as_of": self.as_of}

    def query(self, reg: Regulation, rule: AnyRule) -> Query:
        """The SQL finding every breach of ``rule``."""
        q = Query("")
        if isinstance(rule, CadenceRule):
            raise RuleError("cadence rules are checked by check.cadence")
        form = self._form(rule.form)
        when = self._expr(reg, form, rule.when, q)
        v = quote(form.id)
        extras: dict[str, tuple[str, str]] = {}
        late, late_msg = "FALSE", None
        note = None
        if isinstance(rule, ApprovalRule):
            allowed = holders(self.project, rule.role, rule.department, regulation=reg.id)
            q.params.update({f"h{i}": name for i, name in enumerate(allowed)})
            f = f"r.{quote(rule.field)}"
            listed = ", ".join(f"$h{i}" for i in range(len(allowed))) or "NULL"
            cond = f"{f} IS NULL OR {f} = '' OR {f} NOT IN ({listed})" if allowed else "TRUE"
            if rule.date_field:
                d = f"r.{quote(rule.date_field)}"
                # an approver's name without the date a form leaves optional shows the approval,
                # not when it was given: no breach (a required date left empty is one)
                dated = form.field(rule.date_field)
                if dated is None or dated.required:
                    cond += f" OR {d} IS NULL"
                if rule.not_after:
                    cond += f" OR ({d} > r.{quote(rule.not_after)})"
            extras["approvers"] = (as_sql_literal("、".join(allowed)), "text")
        elif isinstance(rule, StubRule):
            # the stub is signed when every department it went to has its head among the signers
            # (in any order; more signers are fine)
            d, s = f"r.{quote(rule.departments_field)}", f"r.{quote(rule.signed_field)}"
            depts = self.project.org.departments
            q.params["depts"] = [x.name for x in depts]
            q.params["heads"] = [x.head for x in depts]
            head = "CAST($heads AS VARCHAR[])[list_position(CAST($depts AS VARCHAR[]), x)]"
            unsigned = (f"list_filter(coalesce({d}, []), lambda x: NOT coalesce(list_contains(coalesce({s}, []), "
                        f"{head}), FALSE))")
            cond = f"len({unsigned}) > 0"
            extras["unsigned"] = (f"array_to_string({unsigned}, '、')", "text")
            # a department the profile does not know has no head to check: the finding says so
            unlisted = f"list_filter(coalesce({d}, []), lambda x: list_position(CAST($depts AS VARCHAR[]), x) IS NULL)"
            note = (f"CASE WHEN len({unlisted}) > 0 THEN concat('（', array_to_string({unlisted}, '、'), "
                    f"'不在组织档案的部门中，无法核对其负责人签字）') ELSE '' END")
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
            # an empty required date says nothing about when the duty was done: the completeness
            # finding reports it; an empty optional one means not done (yet)
            done_field = form.field(rule.done) if rule.done else None
            open_ok = "FALSE" if done_field is not None and done_field.required else "TRUE"
            cond = (f"r.{quote(rule.due)} IS NOT NULL AND (({done} IS NOT NULL AND {done} > {due}) OR "
                    f"({done} IS NULL AND {open_ok} AND CAST($as_of AS DATE) > {due}))")
            extras["due_date"] = (due, "date")
            extras["overdue_days"] = (f"date_diff('day', {due}, coalesce({done}, CAST($as_of AS DATE)))", "days")
            if rule.late_message:
                late, late_msg = f"({done} IS NOT NULL)", rule.late_message
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
        elif isinstance(rule, OutstandingRule):
            by, opened, closed = (quote(k) for k in (rule.by, rule.opened, rule.closed))
            earlier = (f"FROM {v} o WHERE o.{by} = r.{by} AND o.{opened} IS NOT NULL AND "
                       f"(o.{opened} < r.{opened} OR (o.{opened} = r.{opened} AND o.id < r.id)) AND "
                       f"(o.{closed} IS NULL OR o.{closed} > r.{opened})")
            if rule.when:
                earlier += " AND " + self._expr(reg, form, rule.when, q, this="o")
            cond = f"r.{by} IS NOT NULL AND r.{opened} IS NOT NULL AND EXISTS (SELECT 1 {earlier})"
            extras["open_ids"] = (f"(SELECT string_agg(o.id, '、' ORDER BY o.{opened}, o.id) {earlier})", "text")
        elif isinstance(rule, ExprRule):
            # an assertion that cannot be evaluated because a required field is empty is not a
            # breach of this rule: the completeness finding reports the empty field
            test = self._expr(reg, form, rule.check, q, raw=True)
            unknown = [f"r.{quote(k)} IS NULL" for k in sorted(expr.references(rule.check))
                       if (fld := form.field(k)) is not None and fld.required and fld.type != "table"]
            cond = f"NOT coalesce({test}, {' OR '.join(unknown) or 'FALSE'})"
        else:  # pragma: no cover - the model admits no other kind
            raise RuleError(f"unknown rule kind {rule.kind}")
        q.select = self._select(reg, rule, form, q, extras, late=late, late_msg=late_msg, note=note)
        q.source, q.where = v, f"{when} AND ({cond})"
        q.sql = f"SELECT {q.select} FROM {v} r WHERE {q.where}"
        return q

    def _match(self, form: Form, other: Form, mine: str, theirs: str) -> str:
        a, b = form.field(mine), other.field(theirs)
        left, right = f"r.{quote(mine)}", f"o.{quote(theirs)}"
        if a is None or b is None or a.type != b.type:
            left, right = f"CAST({left} AS VARCHAR)", f"CAST({right} AS VARCHAR)"
        return f"{right} = {left}"


_PARAM = re.compile(r"'(?:[^']|'')*'|\$([a-z_][a-z0-9_]*)")


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The bound values the SQL names (DuckDB refuses unused ones); string literals skipped."""
    names = {m.group(1) for m in _PARAM.finditer(sql) if m.group(1)}
    missing = names - params.keys()
    if missing:
        raise RuleError(f"no value for {', '.join(sorted(missing))}")
    return {k: params[k] for k in names}


def renamed(sql: str, prefix: str) -> str:
    """``sql`` with each bound ``$name`` (outside string literals) renamed ``$<prefix>name``, so
    the conditions of several rules can share one query without their values colliding."""
    return _PARAM.sub(lambda m: f"${prefix}{m.group(1)}" if m.group(1) else m.group(0), sql)


def run(con: duckdb.DuckDBPyConnection, project: Project, as_of: dt.date, date_from: dt.date,
        counts: dict[str, int] | None = None,
        selected: Callable[[Regulation, AnyRule], bool] | None = None,
        skipped: list[str] | None = None,
        forms_selected: Callable[[Regulation, Form], bool] | None = None) -> list[Finding]:
    """Every breach of every (``selected``) rule of the project, and every record of a form in
    force that leaves required fields empty; one breach one finding, fined once. With ``counts``
    (records per form), a rule reading a form without records is compiled but not run: a record
    rule cannot find anything, and a cadence rule is not audited on a register nobody supplied
    (its id goes to ``skipped``). ``forms_selected`` says whose forms' completeness is audited
    (default: the forms of the regulations with a selected rule). A finding's ``line`` is the
    record's position in its source (the caller turns it into a line)."""
    from .cadence import cadence_findings, due_periods
    from .combine import fine_acts_once, merge_same_obligation
    from .completeness import completeness_findings, settle
    from .scan import shared_scans

    comp = Compiler(project, as_of, date_from)
    out: list[Finding] = []
    in_force = {reg.id for reg in project.regulations for rule in reg.rules if selected is None or selected(reg, rule)}
    supplied = [(reg, rule) for reg in project.regulations for rule in reg.rules
                if (selected is None or selected(reg, rule)) and (counts is None or counts.get(rule.form or "", 0))]
    complete = {form.id for reg in project.regulations for form in reg.forms
                if (forms_selected(reg, form) if forms_selected is not None else reg.id in in_force)
                and (counts is None or counts.get(form.id, 0))}
    scan = shared_scans(con, comp, supplied, complete)
    for reg in project.regulations:
        for order, rule in enumerate(reg.rules):
            if selected is not None and not selected(reg, rule):
                continue
            try:
                if counts is not None and not counts.get(rule.form or "", 0):
                    # a register not supplied at all is not audited (the audit covers the records
                    # it was given): a cadence rule would otherwise call every period missing
                    if isinstance(rule, CadenceRule):
                        due_periods(comp, reg, rule)
                        if skipped is not None:
                            skipped.append(rule.id)
                    else:
                        comp.query(reg, rule)
                    continue
                if isinstance(rule, CadenceRule):
                    out += cadence_findings(con, comp, reg, rule, order, _base(project, reg, rule))
                    continue
                out += findings_of(con, comp, reg, rule, order, scan.flag(reg, rule))
            except RuleError as exc:
                raise InputError.at(project.files.get(reg.id, reg.id), 1, 1, f"rule {rule.id}: {exc}") from None
    for reg in project.regulations:
        for i, form in enumerate(reg.forms):
            chosen = forms_selected(reg, form) if forms_selected is not None else reg.id in in_force
            if chosen and (counts is None or counts.get(form.id, 0)):
                out += completeness_findings(con, project, reg, form, len(reg.rules) + i, scan.tables.get(form.id))
    out = settle(out, project)
    out = merge_same_obligation(out, project)
    return fine_acts_once(out)


def _base(project: Project, reg: Regulation, rule: AnyRule) -> dict[str, Any]:
    """What every finding of a rule shares: ids, title, clause, fine and the clause setting it."""
    penalty: int | float = 0
    fine_cite = None
    if rule.fine is not None:
        hit = project.form(rule.form) if rule.form else None
        if rule.fine.expression(hit[1] if hit else None) is None:  # else computed per record
            try:
                penalty = number(project.param(reg, rule.fine.amount))
            except (KeyError, ArithmeticError, ValueError):
                raise RuleError(f"fine {rule.fine.amount!r} is not an amount") from None
        fine_cite = citation(project, reg, rule.fine.clause)
    return {"rule": rule.id, "regulation": reg.id, "citation": citation(project, reg, rule.clauses[0]),
            "severity": rule.severity, "title": rule.title, "fine_citation": fine_cite, "penalty": penalty}


def findings_of(con: duckdb.DuckDBPyConnection, comp: Compiler, reg: Regulation, rule: AnyRule,
                order: int, shared: tuple[str, str] | None = None) -> list[Finding]:
    """Run one rule and turn its rows into findings (a duty done late with a ``late_message``
    is a warning without fine or loss). With ``shared`` (table, flag) the rule reads only the
    records a shared scan flagged for it (check.scan)."""
    project = comp.project
    q = comp.query(reg, rule)
    params = {**q.params, "as_of": comp.as_of}
    used = used_params(q.sql, params)
    failed: list[tuple[str | None, int | None, str | None, str]] = []
    rows = None
    if shared is not None:
        sql = q.over(*shared)
        try:
            rows = con.execute(sql, used_params(sql, params)).fetchall()
        except duckdb.Error:
            rows = None  # the rule's own query below finds the records it cannot word
    try:
        if rows is None:
            rows = con.execute(q.sql, used).fetchall()
    except duckdb.Error as exc:
        # a value the rule cannot compute with: those records' findings are rule errors, the rest runs
        from .isolate import isolate

        got = isolate(con, q.sql, used, rule.form) if rule.form and rule.kind != "cadence" else None
        if got is None:
            raise RuleError(str(exc).splitlines()[0]) from None
        rows, failed = got
    base = _base(project, reg, rule)
    out = [Finding(**{**base, "severity": "error", "penalty": 0, "fine_citation": None}, form=rule.form, record=rid,
                   source=src, person=None, message=f"规则错误：无法按本规则检查此记录（{detail}）", order=order,
                   line=pos)
           for src, pos, rid, detail in failed]
    for src, pos, rid, person, loss, month, msg, late, act, *fine in rows:
        f = Finding(**base, form=rule.form, record=rid, source=src,
                    person=person if person not in (None, "") else q.person, message=msg, loss=_loss(loss),
                    month=month, order=order, line=pos, act=act)
        if fine:  # a fine computed from this record; none where the record cannot give one
            f.penalty = number(max(fine[0], 0)) if fine[0] is not None else 0
        if late:
            f.severity, f.penalty, f.fine_citation, f.loss = "warning", 0, None, None
        out.append(f)
    return out


def _loss(value: Any) -> Decimal | None:
    """A positive loss as a Decimal of cents, else None."""
    if value is None:
        return None
    d = (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(_CENT)
    return d if d > 0 else None


_CENT = Decimal("0.01")
