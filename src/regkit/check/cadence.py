"""Periodic duties (cadence rules): which periods are due, which records count for them, who
answers for a missing one, and one finding per run of consecutive missed periods.

A record counts for the period it states (the form's ``period`` field, else the rule's date
field), not the day it was written. A period is due once it is over plus the regulation's grace
(月初: the first N days of the next month); the running period is never missing. A duty each
holder of a role has is checked per holder; a collective duty names the role's one holder (or
nobody); a duty of rostered days is due on the days the roster names someone, who answers (or,
after an approved swap, the substitute)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ..model import PARAM_RE, CadenceRule, Form, Regulation, RosterSwaps
from .accept import quote
from .engine import duckdb
from .findings import Finding, show
from .periods import PERIODS, Period, containing, normalise, periods

if TYPE_CHECKING:
    from .rules import Compiler

UNITS = {"day": "天", "week": "周", "month": "个月", "quarter": "个季度", "year": "年"}
ROSTER_UNIT = "个值班日"


def _date_field(form: Form, rule: CadenceRule) -> str:
    """The field placing a record in a period: the period the form states, else the rule's."""
    if form.period and (pf := form.field(form.period)) is not None and pf.type in ("date", "month"):
        return pf.key
    return rule.date_field


def _day_sql(form: Form, key: str, alias: str = "r") -> str:
    f = form.field(key)
    col = f"{alias}.{quote(key)}"
    return f"CAST({col} || '-01' AS DATE)" if f is not None and f.type == "month" else col


def due_periods(comp: Compiler, reg: Regulation, rule: CadenceRule) -> tuple[str, list[Period]]:
    """The period kind of a rule and its periods that are due by the audit date."""
    from .rules import RuleError

    raw = rule.period if rule.period in PERIODS else comp._param(reg, rule.period)
    kind = normalise(raw)
    if kind is None:
        raise RuleError(f"period {raw!r} is not {', '.join(PERIODS[:-1])} or {PERIODS[-1]}")
    graw = rule.grace if isinstance(rule.grace, int) else comp._param(reg, rule.grace)
    try:
        grace = int(graw)
    except (TypeError, ValueError):
        raise RuleError(f"grace {graw!r} is not a whole number of days") from None
    found = periods(kind, comp.date_from, comp.as_of, pin=rule.month)
    return kind, [p for p in found if p.end + dt.timedelta(days=grace) < comp.as_of]


def cadence_findings(con: duckdb.DuckDBPyConnection, comp: Compiler, reg: Regulation, rule: CadenceRule,
                     order: int, base: dict[str, Any]) -> list[Finding]:
    """The missed periods of a cadence rule, one finding per person and run of consecutive
    periods. ``base`` holds the finding's fixed attributes (citation, fine, title...)."""
    from .rules import Query, RuleError, holders, one_holder, used_params

    form = comp._form(rule.form)
    key = _date_field(form, rule)
    kind, due = due_periods(comp, reg, rule)
    if kind == "day" and (df := form.field(key)) is not None and df.type == "month":
        raise RuleError(f"a daily duty needs a date field, and {key} holds a month")
    q = Query("")
    when = comp._expr(reg, form, rule.when, q)
    who = f"CAST(r.{quote(rule.each)} AS VARCHAR)" if rule.each else "CAST(NULL AS VARCHAR)"
    day = _day_sql(form, key)
    sql = f"SELECT DISTINCT {day}, {who} FROM {quote(form.id)} r WHERE {when} AND {day} IS NOT NULL"
    params = {**q.params, "as_of": comp.as_of}
    try:
        rows = con.execute(sql, used_params(sql, params)).fetchall()
    except duckdb.Error as exc:
        raise RuleError(str(exc).splitlines()[0]) from None
    done = {(containing(kind, d, rule.month).label, p) for d, p in rows}
    labels = {lb for lb, _ in done}
    role = (rule.responsible or "")[5:] if (rule.responsible or "").startswith("role:") else None
    # person -> the periods due of that person, in order
    owed: dict[str | None, list[Period]] = defaultdict(list)
    unit = UNITS[kind]
    if rule.roster is not None:
        unit = ROSTER_UNIT if kind == "day" else unit
        for p, person in _rostered(con, comp, rule, kind, due):
            owed[person].append(p)
        missing = {person: [p for p in ps if p.label not in labels] for person, ps in owed.items()}
    elif rule.each and role:
        names = holders(comp.project, role, regulation=reg.id)
        owed = {name: list(due) for name in names}
        missing = {name: [p for p in due if (p.label, name) not in done] for name in names}
    else:
        person = one_holder(comp.project, role, regulation=reg.id) if role else None
        owed = {person: list(due)}
        missing = {person: [p for p in due if p.label not in labels]}
    out = []
    constants = comp.constants(reg)
    for person in sorted(missing, key=lambda p: p or ""):
        for run in _runs(owed[person], missing[person]):
            text = run[0].label if len(run) == 1 else f"{run[0].label} 至 {run[-1].label} 共 {len(run)} {unit}"
            # a week (2026-W48) or quarter (2026-Q3) label is said with its days in the message
            shown = text if kind in ("day", "month", "year") else f"{text}（{run[0].start} 至 {run[-1].end}）"
            fields = {**base, "penalty": base["penalty"] * len(run)}
            out.append(Finding(
                **fields, form=rule.form, record=None, source=None, person=person,
                message=_message(rule.message, shown, constants),
                month=run[0].start.strftime("%Y-%m"), order=order, period=text,
                periods=tuple(p.label for p in run)))
    return out


def _rostered(con: duckdb.DuckDBPyConnection, comp: Compiler, rule: CadenceRule, kind: str,
              due: list[Period]) -> list[tuple[Period, str | None]]:
    """(period, person on duty) for each due period the roster puts someone on duty in."""
    assert rule.roster is not None
    roster = comp._form(rule.roster.form)
    table = roster.table
    cols = {c.key for c in table.columns or []} if table is not None else set()
    view = f"{roster.id}.{table.key}" if table is not None and rule.roster.date in cols else roster.id
    sql = (f"SELECT DISTINCT CAST(t.{quote(rule.roster.date)} AS DATE), CAST(t.{quote(rule.roster.person)} AS VARCHAR) "
           f"FROM {quote(view)} t WHERE t.{quote(rule.roster.date)} IS NOT NULL")
    by_label = {p.label: p for p in due}
    on_duty = [(day, person or None) for day, person in con.execute(sql).fetchall()]
    if rule.roster.swaps is not None:
        on_duty = _swapped(con, rule.roster.swaps, on_duty)
    out = []
    for day, person in on_duty:
        p = by_label.get(containing(kind, day, rule.month).label)
        if p is not None:
            out.append((p, person))
    return sorted(set(out), key=lambda x: (x[0].start, x[1] or ""))


def _swapped(con: duckdb.DuckDBPyConnection, swaps: RosterSwaps,
             on_duty: list[tuple[dt.date, str | None]]) -> list[tuple[dt.date, str | None]]:
    """The roster's (day, person on duty) after the approved swaps (三（二）2: a swap approved by
    the market manager changes who is on duty; one not approved changes nothing)."""
    exchange = f"CAST(s.{quote(swaps.exchange)} AS DATE)" if swaps.exchange else "CAST(NULL AS DATE)"
    sql = (f"SELECT CAST(s.{quote(swaps.date)} AS DATE), CAST(s.{quote(swaps.person)} AS VARCHAR), "
           f"CAST(s.{quote(swaps.substitute)} AS VARCHAR), {exchange} FROM {quote(swaps.form)} s "
           f"WHERE coalesce(CAST(s.{quote(swaps.approved)} AS VARCHAR), '') <> '' "
           f"ORDER BY 1, 2, 3")
    moves: dict[tuple[dt.date, str], str] = {}
    for day, applicant, substitute, back in con.execute(sql).fetchall():
        if day is None or not applicant or not substitute:
            continue
        moves[(day, applicant)] = substitute
        if back is not None:
            moves[(back, substitute)] = applicant
    return [(day, moves.get((day, person), person) if person else person) for day, person in on_duty]


def _runs(owed: list[Period], missed: list[Period]) -> list[list[Period]]:
    """The missed periods in runs that are consecutive among the periods owed."""
    index = {p.label: i for i, p in enumerate(owed)}
    runs: list[list[Period]] = []
    last = -2
    for p in sorted(missed, key=lambda p: index[p.label]):
        i = index[p.label]
        if i == last + 1 and runs:
            runs[-1].append(p)
        else:
            runs.append([p])
        last = i
    return runs


def _message(template: str, period: str, constants: dict[str, Any]) -> str:
    """The rule's message for a missed period (or run): ``{period}`` and parameters filled in."""
    if "{period}" not in template:
        template += "（{period}）"

    def fill(m: Any) -> str:
        name = m.group(1)
        if name == "period":
            return period
        return show(constants[name]) if name in constants else str(m.group(0))

    return PARAM_RE.sub(fill, template)
