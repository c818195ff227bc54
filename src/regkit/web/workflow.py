"""The route of a record, read from the regulation's rules: which approvals it needs and from
whom (approval rules whose ``when`` holds, evaluated by the checker's own expression compiler
and engine), whose signatures its stub needs (stub rules), and what falls due (deadline and
cadence rules). No duty is written here that the YAML does not state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from .. import expr
from ..check.periods import normalise, periods
from ..check.rules import holders, role_names
from ..loader import Project
from ..model import ApprovalRule, CadenceRule, DeadlineRule, Form, Regulation, StubRule
from .conditions import holds
from .derived import cached


@dataclass
class Step:
    """One approval a record needs: the field the approver's name goes in, its date field, the
    rules asking for it and the people who may give it (holders of every such rule's role)."""

    field: str
    date_field: str | None
    label: str
    rules: list[ApprovalRule]
    holders: list[str]
    responsible: set[str] = default(default_factory=set)

    def done(self, values: dict[str, Any]) -> bool:
        """Whether an allowed holder's name is in the field."""
        return values.get(self.field) in self.holders

    def late(self, values: dict[str, Any], today: dt.date) -> list[str]:
        """The fields an approval given today would come after (a rule's ``not_after``): the
        audit will report it as not approved beforehand."""
        out = []
        for rule in self.rules:
            if rule.not_after and values.get(rule.not_after) and str(values[rule.not_after]) < today.isoformat():
                out.append(rule.not_after)
        return out


def rules_of(reg: Regulation, form: Form) -> list[Any]:
    """The rules of ``reg`` reading records of ``form``."""
    return [r for r in reg.rules if r.form == form.id]


def people_of(project: Project, role: str, department: str | None = None) -> tuple[str, ...]:
    """The holders of a role (in a department), as ``holders`` finds them; once per project."""
    return cached(project, ("holders", role, department), lambda: tuple(holders(project, role, department)))


def system_fields(project: Project, form: Form) -> frozenset[str]:
    """The fields the application fills in itself: approvers and their dates, stub signatures."""

    def find() -> frozenset[str]:
        out: set[str] = set()
        for reg in project.regulations:
            for rule in rules_of(reg, form):
                if isinstance(rule, ApprovalRule):
                    out |= {rule.field} | ({rule.date_field} if rule.date_field else set())
                elif isinstance(rule, StubRule):
                    out.add(rule.signed_field)
        return frozenset(out)

    return cached(project, ("system fields", form.id), find)


def route_reads(project: Project, form: Form, key: str) -> bool:
    """Whether a condition of the form's approval rules names the field ``key``."""
    return cached(project, ("route reads", form.id, key), lambda: any(
        isinstance(rule, ApprovalRule) and rule.when and key in expr.references(rule.when)
        for reg in project.regulations for rule in rules_of(reg, form)))


def stub_rule(project: Project, form: Form) -> StubRule | None:
    """The stub-signature rule of the form, if any."""
    return cached(project, ("stub rule", form.id), lambda: next(
        (rule for reg in project.regulations for rule in rules_of(reg, form) if isinstance(rule, StubRule)), None))


def approval_steps(project: Project, reg: Regulation, form: Form, values: dict[str, Any],
                   today: dt.date) -> list[Step]:
    """The approvals this record needs under the rules, one per approver field."""
    steps: dict[str, Step] = {}
    for r in project.regulations:
        for rule in rules_of(r, form):
            if not isinstance(rule, ApprovalRule) or not holds(project, r, form, rule, values, today):
                continue
            allowed = list(people_of(project, rule.role, rule.department))
            f = form.field(rule.field)
            step = steps.get(rule.field)
            if step is None:
                step = steps[rule.field] = Step(rule.field, rule.date_field, f.label if f else rule.field, [],
                                                allowed)
            else:
                step.holders = [h for h in step.holders if h in allowed]
            step.rules.append(rule)
            if rule.person and not rule.person.startswith("role:") and values.get(rule.person):
                step.responsible.add(str(values[rule.person]))
    return list(steps.values())


def fills(project: Project, form: Form, person: str) -> bool:
    """Whether a person may fill in the form: they hold its ``filled_by`` role (any name of it),
    or the form names no role."""
    return form.filled_by is None or person in people_of(project, form.filled_by)


def filled_by(project: Project, form: Form, values: dict[str, Any]) -> str | None:
    """Who filled in a record read from a file: the person field acting in the form's ``filled_by``
    role, else the first signing person field."""
    names = role_names(project, form.filled_by) if form.filled_by else set()
    people = [f for f in form.fields if f.type == "person" and values.get(f.key)]
    hit = next((f for f in people if f.role in names), None) or next((f for f in people if f.sign), None)
    return str(values[hit.key]) if hit else None


def may_approve(step: Step, person: str, creator: str) -> bool:
    """A holder of the step's role who neither made the record nor answers for it."""
    return person in step.holders and person != creator and person not in step.responsible


def approvers(steps: list[Step], values: dict[str, Any], creator: str) -> list[str]:
    """Who may act on the record's open approvals."""
    return sorted({p for s in steps if not s.done(values) for p in s.holders if may_approve(s, p, creator)})


def stub_departments(rule: StubRule, values: dict[str, Any]) -> list[str]:
    """The departments the record was sent to, whose heads sign its stub."""
    return [str(d) for d in values.get(rule.departments_field) or []]


def signed_list(departments: list[str], signatures: dict[str, Any]) -> list[str]:
    """The stub-signature field's value: the signers in the order of the departments signed so far."""
    return [str(signatures[d]["by"]) for d in departments if d in signatures]


def may_sign(project: Project, person: str, department: str) -> bool:
    """Only the head of a department signs its stub."""
    return project.org.head_of(department) == person


@dataclass
class Due:
    """A duty falling due: what, when, and the record it hangs on (if any)."""

    title: str
    due: dt.date | None
    form_id: str
    record_id: int | None = None
    period: str | None = None


def has_deadlines(project: Project, form: Form) -> bool:
    """Whether a deadline rule reads the form's records."""
    return cached(project, ("has deadlines", form.id), lambda: any(
        isinstance(rule, DeadlineRule) for reg in project.regulations for rule in rules_of(reg, form)))


def deadlines(project: Project, form: Form, values: dict[str, Any]) -> list[tuple[DeadlineRule, str, dt.date]]:
    """The open deadlines of a record: (rule, responsible person, due date) where ``done`` is empty
    (``values`` canonical or as stored: dates ISO, names as text)."""
    out = []
    for reg in project.regulations:
        for rule in rules_of(reg, form):
            if not isinstance(rule, DeadlineRule):
                continue
            due = values.get(rule.due)
            if not due or (rule.done and values.get(rule.done)):
                continue
            days = rule.days if isinstance(rule.days, int) else int(project.param(reg, rule.days.lstrip("-")))
            if isinstance(rule.days, str) and rule.days.startswith("-"):
                days = -days
            who = str(values.get(rule.person) or "") if rule.person and not rule.person.startswith("role:") else ""
            out.append((rule, who, dt.date.fromisoformat(str(due)) + dt.timedelta(days=days)))
    return out


def cadences(project: Project, person: str) -> list[tuple[Regulation, CadenceRule, Form]]:
    """The periodic forms a person answers for (cadence rules naming a role they hold)."""

    def find() -> list[tuple[Regulation, CadenceRule, Form]]:
        out = []
        for reg in project.regulations:
            for rule in reg.rules:
                if not isinstance(rule, CadenceRule) or not rule.form:
                    continue
                who = rule.responsible or rule.person or ""
                if who.startswith("role:") and person in people_of(project, who[5:]):
                    hit = project.form(rule.form)
                    if hit is not None:
                        out.append((reg, rule, hit[1]))
        return out

    return list(cached(project, ("cadences", person), find))


def current_period(project: Project, reg: Regulation, rule: CadenceRule, today: dt.date) -> tuple[str, dt.date,
                                                                                                     dt.date] | None:
    """The period of a cadence rule that contains ``today``: (label, first day, last day)."""

    def find() -> tuple[str, dt.date, dt.date] | None:
        kind = normalise(rule.period) or normalise(project.param(reg, str(rule.period)))
        if kind is None:
            return None
        found = periods(kind, today - dt.timedelta(days=400), today + dt.timedelta(days=400), pin=rule.month)
        return next(((p.label, p.start, p.end) for p in found if p.start <= today <= p.end), None)

    return cached(project, ("period", reg.id, rule.id, today), find)
