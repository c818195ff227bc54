"""The regulation format: a regulation, its clauses, parameters, roles, forms and rules; and the
organisation profile. Pydantic models, so the JSON Schema (``regkit schema``) comes from here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
ClauseId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([.-][a-z0-9]+)*$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
# A parameter or clause named from another regulation: ``market-department:fine_operating``.
Ref = Annotated[str, StringConstraints(pattern=r"^([a-z][a-z0-9-]*:)?[a-z0-9][a-z0-9._-]*$")]
# A parameter reference, or its negation (-swap_notice_days: that many days before)
SignedRef = Annotated[str, StringConstraints(pattern=r"^-?([a-z][a-z0-9-]*:)?[a-z0-9][a-z0-9._-]*$")]
SeedRef = Annotated[str, StringConstraints(pattern=r"^\d{3}:\d+$")]
Text = Annotated[str, StringConstraints(min_length=1)]

PARAM_RE = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class _Strict(BaseModel):
    # validators are built when first used: a command whose project comes from the cache
    # (regkit.projectcache) never validates, and does not pay for building them at start-up
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Revision(_Strict):
    """One line of the revision record (修订记录)."""

    version: Text
    date: dt.date
    by: Text = Field(description="who made the change (修订人/部门)")
    change: Text = Field(description="what changed (修订内容)")


class Parameter(_Strict):
    """A typed value the text refers to as ``{key}``; its value comes from the organisation profile."""

    key: Key
    label: Text = Field(description="Chinese name, e.g. 每周值班天数")
    type: Literal["integer", "decimal", "text", "choice"] = "text"
    default: int | float | str | None = None
    unit: str | None = Field(None, description="printed after the value, e.g. 天, 元")
    choices: list[Text] | None = None
    description: str | None = None
    by: Literal["role", "rank"] | None = Field(
        None, description="the value differs by the person's role or rank: key(person) in rules")
    values: dict[Text, int | float | str] | None = Field(
        None, description="with by: the value for each role or rank, e.g. {部门负责人: 300}; default for others")

    @model_validator(mode="after")
    def _per_person(self) -> Parameter:
        if (self.by is None) != (self.values is None):
            raise ValueError(f"parameter {self.key}: by (role or rank) and values go together")
        return self


class Role(_Strict):
    """A role the regulation names (经办人, 部门经理, 调度员, ...)."""

    name: Text
    aliases: list[Text] = Field(default_factory=list, description="other names the text uses, e.g. 部门领导")
    description: str | None = None


class Clause(_Strict):
    """A heading or clause in the regulation's own numbering hierarchy."""

    id: ClauseId = Field(description="stable id, unique in the regulation, e.g. s8.3.3")
    num: str | None = Field(None, description="the number as printed: 第八节, 三、, 3、, 第一条, （一）")
    title: str | None = None
    text: str | None = Field(None, description="the clause text; {key} inserts a parameter value")
    source: SeedRef | None = Field(None, description="provenance: seed number and line, e.g. 002:88")
    added: bool = Field(False, description="true where the editors completed a seed that is cut off")
    note: str | None = Field(None, description="editorial note, not printed")
    coverage: str | None = Field(None, description="why no submitted record can show whether this clause was kept "
                                 "(docs/rules-coverage.md), where no rule enforces it")
    children: list[Clause] = Field(default_factory=list)

    @model_validator(mode="after")
    def _provenance(self) -> Clause:
        if self.added and self.source:
            raise ValueError("a clause is either from a seed (source) or added, not both")
        if not self.added and not self.source:
            raise ValueError("give the clause's source (seed:line) or mark it added: true")
        if not (self.title or self.text or self.children):
            raise ValueError("a clause needs a title, a text or children")
        return self

    def walk(self) -> Iterator[Clause]:
        """This clause and all below it, in document order."""
        yield self
        for c in self.children:
            yield from c.walk()


FieldType = Literal[
    "text", "multiline", "integer", "amount", "date", "month", "choice", "multichoice",
    "list", "person", "department", "boolean", "phone", "table",
]


class FormField(_Strict):
    """One field of a form."""

    key: Key
    label: Text
    type: FieldType = "text"
    required: bool = True
    choices: list[Text] | None = None
    role: str | None = Field(None, description="for person fields: the role the person acts in")
    sign: bool = Field(False, description="printed as a signature cell at the foot of the form")
    part: Literal["main", "stub"] = Field("main", description="stub: printed on the 存根 part too")
    help: str | None = Field(None, description="hint printed under the field or in the tooltip")
    width: int | None = Field(None, ge=1, le=20, description="relative column width in table forms")
    columns: list[FormField] | None = Field(None, description="for table fields: the row's columns")
    rows: int = Field(8, ge=1, le=60, description="for table fields: blank rows printed")

    @model_validator(mode="after")
    def _shape(self) -> FormField:
        if self.type in ("choice", "multichoice") and not self.choices:
            raise ValueError(f"field {self.key}: a {self.type} field needs choices")
        if self.type != "table" and self.columns:
            raise ValueError(f"field {self.key}: only table fields have columns")
        if self.type == "table" and not self.columns:
            raise ValueError(f"field {self.key}: a table field needs columns")
        return self


class Stub(_Strict):
    """The 存根 part of a form, cut off along a 骑缝 line and kept by the issuing department."""

    title: Text = "存根"
    keeper: str | None = Field(None, description="who keeps the stub, e.g. 市场部")
    fields: list[Key] = Field(description="field keys printed on the stub (the number is always there)")


class Fine(_Strict):
    """The fine a breach carries: a parameter holding the amount (or a number expression of the
    record, e.g. ``2 * (amount - approved_amount)``) and the clause imposing it."""

    amount: Text = Field(description="parameter key with the amount, e.g. market-department:fine_operating, "
                         "or an expression of the record, e.g. 2 * overclaimed")
    clause: Ref = Field(description="the clause imposing it, e.g. market-department:s11.1")

    def expression(self, form: Form | None) -> str | None:
        """The amount as an expression of the record, or None when it names a parameter (a
        bare key or regulation-id:key that is not a field of ``form``)."""
        if re.fullmatch(r"([a-z][a-z0-9-]*:)?[a-z0-9][a-z0-9._-]*", self.amount) and (
                ":" in self.amount or form is None or form.field(self.amount) is None):
            return None
        return self.amount


class Form(_Strict):
    """A form the regulation requires."""

    id: Slug
    title: Text = Field(description="the form's name without 《》")
    version: int = Field(1, ge=1)
    clauses: list[ClauseId] = Field(min_length=1, description="the clause(s) that require the form")
    number_prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,6}$")] = Field(
        description="prefix of the form number (编号), e.g. QF")
    filled_by: str | None = Field(None, description="the role that fills it in")
    description: str | None = None
    fields: list[FormField] = Field(min_length=1)
    stub: Stub | None = None
    period: str | None = Field(None, description="for periodic forms: the field naming the period")
    fine: Fine | None = Field(None, description="the fine for leaving a required field empty (a completeness "
                              "finding), unless a rule about that field already fines the breach")

    def field(self, key: str) -> FormField | None:
        """The field with this key, or None."""
        return next((f for f in self.fields if f.key == key), None)

    @property
    def table(self) -> FormField | None:
        """The repeating table of a table form, or None."""
        return next((f for f in self.fields if f.type == "table"), None)


class _Rule(_Strict):
    id: Slug
    title: Text = Field(description="short Chinese name of the duty")
    clauses: list[Ref] = Field(min_length=1, description="the clause(s) the rule enforces")
    form: Slug | None = Field(None, description="the form whose records the rule reads")
    person: str | None = Field(None, description="field naming the responsible person, or role:NAME")
    severity: Literal["error", "warning"] = "error"
    fine: Fine | None = None
    when: str | None = Field(None, description="expression: the rule applies only to records where it holds")
    loss: str | None = Field(None, description="number expression: the money a breach lost, where the records "
                             "show it (reported beside the fine)")
    message: Text = Field(description="Chinese message; {field} inserts a record value")
    act: str | None = Field(None, description="text expression naming the act a breach is: findings of rules "
                            "with the same fine clause, person and act are one breach, fined once")
    same_as: list[Ref] = Field(default_factory=list, description="rules of other regulations (regulation:rule) "
                               "encoding the same obligation: a breach of both is one finding citing both")


class ApprovalRule(_Rule):
    """The record must be approved by a person holding ``role`` (in ``department``), in time."""

    kind: Literal["approval"]
    field: Key = Field(description="the field naming the approver")
    role: Text
    department: str | None = None
    date_field: Key | None = Field(None, description="the approval date")
    not_after: Key | None = Field(None, description="the approval date must not be after this field")


class StubRule(_Rule):
    """Each department the form was sent to signed its stub by that department's head."""

    kind: Literal["stub_signatures"]
    departments_field: Key
    signed_field: Key


class DeadlineRule(_Rule):
    """``done`` happened by ``due`` (+ ``days``); with no ``done``, as-of must not be past due."""

    kind: Literal["deadline"]
    due: Key = Field(description="date field the deadline counts from")
    days: int | SignedRef = Field(
        0, description="days added to due (negative: before), or a parameter (-param: that many days before)")
    done: Key | None = Field(None, description="date field recording when the duty was done")
    late_message: Text | None = Field(None, description="message when the duty was done, but after the "
                                      "deadline: a warning without fine (the default: the same message and fine)")


# The periods of a cadence rule (check.periods computes them), and as a regulation's text says them.
PERIODS = ("day", "week", "month", "quarter", "year")
PERIOD_WORDS = {"每日": "day", "每天": "day", "每周": "week", "每月": "month", "每季度": "quarter", "每季": "quarter",
                "每年": "year"}


class RosterSwaps(_Strict):
    """Swap requests that change the roster once approved: the duty of ``date`` passes from
    ``person`` to ``substitute`` (and, in an exchange, the substitute's duty of ``exchange`` to
    ``person``)."""

    form: Slug = Field(description="the swap request form, e.g. duty-swap-request")
    date: Key = Field(description="the day the applicant was rostered for")
    person: Key = Field(description="the applicant")
    substitute: Key = Field(description="who takes the duty of that day")
    approved: Key = Field(description="the field an approval fills in; a request without it changes nothing")
    exchange: Key | None = Field(None, description="the day the applicant takes the substitute's duty in return")


class Roster(_Strict):
    """Where a duty's days and people come from: the rows of a roster form (a date and a person)."""

    form: Slug = Field(description="the roster form, e.g. duty-roster")
    date: Key = Field(description="the date column of its rows (or field)")
    person: Key = Field(description="the column naming who is on duty that day")
    swaps: RosterSwaps | None = Field(None, description="approved swap requests that change who is on duty")


class CadenceRule(_Rule):
    """A record of ``form`` exists for every period of the audit window that is over (plus
    ``grace`` days); the running period is never missing."""

    kind: Literal["cadence"]
    date_field: Key = Field(description="date or month field placing the record in a period")
    period: Literal["day", "week", "month", "quarter", "year"] | Literal[
        "每日", "每天", "每周", "每月", "每季度", "每季", "每年"] | Ref = Field(
        "month", description="day, week, month, quarter or year (or 每日, 每周, 每月, 每季度, 每年), or a parameter")
    month: int | None = Field(None, ge=1, le=12, description="for yearly duties: the month they fall in")
    responsible: str | None = Field(None, description="role:NAME answerable for a missing period (a collective "
                                    "duty: the role's one holder, else 未指明)")
    grace: int | Ref = Field(0, description="days after a period ends before its record is due (月初: the first "
                             "N days of the next month), or a parameter")
    each: Key | None = Field(None, description="a duty each holder of `responsible` has: the field naming the "
                             "holder on the record; a holder without a record for a period is a finding")
    roster: Roster | None = Field(None, description="a duty of the days a roster puts someone on duty (daily "
                                  "patrols): due on those days only, and the person on duty answers")

    @field_validator("period")
    @classmethod
    def _english(cls, value: str) -> str:
        return PERIOD_WORDS.get(value, value)


class RequiresRule(_Rule):
    """Each record (where ``when`` holds) has a matching record of ``other`` where ``where`` holds."""

    kind: Literal["requires"]
    other: Slug
    match: dict[Key, Key] = Field(description="this form's field: the other form's field")
    where: str | None = Field(None, description="expression over other.* and this record")


class ConflictRule(_Rule):
    """Records of the form that share ``key`` fields must agree on ``agree`` fields."""

    kind: Literal["conflict"]
    key: list[Key] = Field(min_length=1)
    agree: list[Key] = Field(min_length=1)


class ExprRule(_Rule):
    """An expression that must hold for each record (where ``when`` holds)."""

    kind: Literal["expr"]
    check: Text = Field(alias="assert", description="expression that must be true")


class OutstandingRule(_Rule):
    """State across one party's records over time: no new record (where ``when`` holds) while an
    earlier record of the same ``by`` is still open (前账不清后账不借: no new loan while one is
    unpaid). A record is open from ``opened`` until ``closed`` (empty: still open)."""

    kind: Literal["outstanding"]
    by: Key = Field(description="field naming whose records these are, e.g. borrower")
    opened: Key = Field(description="date field on which a record opens, e.g. date")
    closed: Key = Field(description="date field on which it is closed, e.g. repaid_on; empty: still open")


Rule = Annotated[
    ApprovalRule | StubRule | DeadlineRule | CadenceRule | RequiresRule | ConflictRule | ExprRule | OutstandingRule,
    Field(discriminator="kind"),
]


class Seed(_Strict):
    """Where the regulation's text comes from."""

    file: Text = Field(description="seed file name under shared/seeds")
    part: str | None = Field(None, description="which part of the seed, e.g. 版本3")


class Regulation(_Strict):
    """One regulation: metadata, parameters, roles, body, forms and rules."""

    id: Slug
    title: Text
    doc_number: Text = Field(description="document number without the company prefix, e.g. 〔2026〕3号")
    version: Text
    effective: dt.date
    department: Text = Field(description="issuing department")
    seeds: list[Seed] = Field(min_length=1)
    revisions: list[Revision] = Field(min_length=1)
    parameters: list[Parameter] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    body: list[Clause] = Field(min_length=1)
    forms: list[Form] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)

    def clauses(self) -> Iterator[Clause]:
        """Every clause in document order."""
        for c in self.body:
            yield from c.walk()

    def clause(self, cid: str) -> Clause | None:
        """The clause with this id, or None."""
        return next((c for c in self.clauses() if c.id == cid), None)

    def form(self, fid: str) -> Form | None:
        """The form with this id, or None."""
        return next((f for f in self.forms if f.id == fid), None)

    def parameter(self, key: str) -> Parameter | None:
        """The parameter with this key, or None."""
        return next((p for p in self.parameters if p.key == key), None)

    def role_names(self) -> set[str]:
        """Every role name and alias the regulation declares."""
        return {n for r in self.roles for n in (r.name, *r.aliases)}

    def citation(self, cid: str) -> str:
        """The clause as the regulation numbers it: its ancestors' numbers and titles, then its own."""
        trail = _trail(self.body, cid)
        if trail is None:
            return cid
        return " ".join(_label(c, leaf=c is trail[-1]) for c in trail)


def _label(c: Clause, *, leaf: bool) -> str:
    num = c.num or ""
    m = re.fullmatch(r"(\d+)[、.．]", num)
    if leaf and m:
        # a bare item number reads as an article in a citation: 3、 -> 第3条
        num = f"第{m.group(1)}条"
    if not c.title:
        return num or c.id
    sep = "" if not num or num.endswith(("、", "）", ")", ".", "．")) else " "
    return num + sep + c.title


def _trail(nodes: list[Clause], cid: str) -> list[Clause] | None:
    for c in nodes:
        if c.id == cid:
            return [c]
        below = _trail(c.children, cid)
        if below is not None:
            return [c, *below]
    return None


class Department(_Strict):
    """A department and its head."""

    name: Text
    head: Text


class Person(_Strict):
    """A person, their department and roles."""

    name: Text
    department: Text
    roles: list[Text] = Field(default_factory=list)
    rank: str | None = Field(None, description="the person's rank, for parameters that differ by rank (职级)")


class RoleAssignment(_Strict):
    """Who holds a role for one regulation and/or for one department: for that regulation, these
    people replace those whose ``roles:`` name the role; for that department, they act for it."""

    role: Text = Field(description="the role as the regulation names it, e.g. 部门经理")
    regulation: Slug | None = Field(None, description="the regulation id the people hold it for")
    department: Text | None = Field(None, description="the department the people hold it for")
    people: list[Text] = Field(min_length=1, description="names of people in the profile")


class Calendar(_Strict):
    """The working calendar ``workdays()`` counts over: official holidays on weekdays, and the
    weekend days that are working days instead (调休), as the company's year is arranged."""

    holidays: list[dt.date] = Field(default_factory=list, description="days off, e.g. 2026-10-01")
    workdays: list[dt.date] = Field(default_factory=list, description="weekend days worked (调休), e.g. 2026-10-10")


class Org(_Strict):
    """The organisation profile: company, departments, people, parameter values per regulation."""

    company: Text
    short_name: str | None = Field(None, description="prefix of document numbers, e.g. 某某物流")
    departments: list[Department] = Field(min_length=1)
    people: list[Person] = Field(default_factory=list)
    roles: list[RoleAssignment] = Field(
        default_factory=list, description="roles held for one regulation or department only")
    parameters: dict[Slug, dict[Key, int | float | str]] = Field(default_factory=dict)
    regulations: list[Slug] | None = Field(None, description="the regulations in force (ids); only these are "
                                           "audited (default: all)")
    calendar: Calendar | None = Field(None, description="holidays and 调休 working days, for workdays()")

    def head_of(self, department: str) -> str | None:
        """The head of a department, or None."""
        return next((d.head for d in self.departments if d.name == department), None)

    def holders(self, role: str, department: str | None = None, *, regulation: str | None = None,
                names: set[str] | None = None) -> set[str]:
        """Names of the people holding ``role`` (under any of ``names``), for ``regulation`` and in
        or for ``department`` if given. An assignment for a regulation replaces the people whose
        ``roles:`` name the role, for that regulation; with no regulation given, every assignment
        counts."""
        names = names or {role}
        mine = [a for a in self.roles if a.role in names
                and (a.regulation is None or regulation is None or a.regulation == regulation)]
        scoped = regulation is not None and any(a.regulation == regulation for a in mine)
        home = {p.name: p.department for p in self.people}
        out = {n for a in mine for n in a.people
               if department is None or (a.department or home.get(n)) == department}
        if not scoped:
            out |= {p.name for p in self.people
                    if names & set(p.roles) and (department is None or p.department == department)}
        return out
