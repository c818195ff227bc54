"""What an audit finds: findings (rule, clause, record, person, fine, message), the unreadable
inputs, and the report holding them in a fixed order so the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..loader import Project
from ..model import Regulation
from ..records import Unreadable

EMPTY_TEXT = "未填"
NAME_SEP = "、"


@dataclass
class Finding:
    """One breach: which record breaks which rule and clause, who answers for it (one person or
    nobody named), the fine and the clause setting it, and the loss the records show."""

    rule: str
    regulation: str
    citation: str
    form: str | None
    record: str | None
    source: str | None
    person: str | None
    penalty: int | float
    severity: str
    message: str
    loss: Decimal | None = None
    month: str | None = None
    order: int = 0
    period: str | None = None
    title: str = ""
    fine_citation: str | None = None
    line: int | None = None
    periods: tuple[str, ...] = ()
    # internal, not reported: the act a breach is (findings of one act are fined once), and for a
    # completeness finding the keys of the empty fields
    act: str | None = field(default=None, compare=False)
    keys: tuple[str, ...] = field(default=(), compare=False)

    @property
    def what(self) -> str:
        """The record the finding is about, or the period a periodic record is missing for."""
        return self.record or self.period or ""

    @property
    def where(self) -> str:
        """The record's source as the user gave it, with its row: ``同意欠费通知单.csv:17``."""
        if not self.source:
            return ""
        return f"{self.source}:{self.line}" if self.line else self.source

    def sort_key(self) -> tuple[Any, ...]:
        """Regulation, rule (in the regulation's order), then record, source, period, person."""
        return (self.regulation, self.order, self.rule, self.form or "", self.record or "", self.source or "",
                self.line or 0, self.month or "", self.period or "", self.person or "", self.message)

    def people(self) -> list[str]:
        """The person named responsible, as a list (empty when nobody is named)."""
        return [self.person] if self.person else []

    def to_json(self) -> dict[str, Any]:
        """The finding as the spec's JSON object (``loss`` only where the records show one,
        ``period``/``periods`` only for periodic records missing)."""
        out: dict[str, Any] = {
            "rule": self.rule, "title": self.title, "regulation": self.regulation, "citation": self.citation,
            "fine_citation": self.fine_citation, "form": self.form, "record": self.record, "source": self.source,
            "line": self.line, "person": self.person or "", "penalty": self.penalty, "severity": self.severity,
            "message": self.message,
        }
        if self.loss is not None:
            out["loss"] = number(self.loss)
        if self.period is not None:
            out["period"] = self.period
            out["periods"] = list(self.periods or (self.period,))
        return out


@dataclass(frozen=True)
class RuleInfo:
    """A rule that was run (every rule appears in JUnit reports, passing or not)."""

    id: str
    regulation: str
    title: str
    kind: str
    citation: str
    order: int


@dataclass
class Report:
    """The outcome of an audit."""

    as_of: dt.date
    date_from: dt.date
    company: str
    checked: int
    findings: list[Finding] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    rules: list[RuleInfo] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    in_force: tuple[str, ...] = ()
    not_supplied: tuple[str, ...] = ()  # periodic duties whose register no input holds (not audited)

    def __post_init__(self) -> None:
        self.findings = sorted(self.findings, key=Finding.sort_key)
        self.unreadable = sorted(set(self.unreadable))
        self.rules = sorted(self.rules, key=lambda r: (r.regulation, r.order, r.id))

    def penalties(self) -> dict[str, int | float]:
        """Fines per person, by name: the sum of the lines naming them."""
        return self._totals()[0]

    def total_penalty(self) -> int | float:
        """Every fine of the report: the sum of its lines."""
        return self._totals()[1]

    def by_regulation(self) -> list[dict[str, Any]]:
        """Findings and fines per regulation, in regulation order."""
        return self._totals()[2]

    def by_rule(self) -> list[dict[str, Any]]:
        """Findings and fines per rule (its Chinese title), in regulation and rule order."""
        return self._totals()[3]

    def _totals(self) -> tuple[dict[str, int | float], int | float, list[dict[str, Any]], list[dict[str, Any]]]:
        """Fines by person, the total, and counts and fines by regulation and by rule, in one pass
        (exact: whole fines add as integers, others as decimals)."""
        people: dict[str, Any] = {}
        regs: dict[str, dict[str, Any]] = {}
        rules: dict[str, dict[str, Any]] = {}
        total: Any = 0
        for f in self.findings:
            fine = f.penalty if type(f.penalty) is int else Decimal(str(f.penalty))
            total += fine
            if fine and f.person:
                people[f.person] = people.get(f.person, 0) + fine
            row = regs.get(f.regulation)
            if row is None:
                row = regs[f.regulation] = {"regulation": f.regulation, "title": self.titles.get(f.regulation, ""),
                                            "findings": 0, "penalty": 0}
            row["findings"] += 1
            row["penalty"] += fine
            row = rules.get(f.rule)
            if row is None:
                row = rules[f.rule] = {"rule": f.rule, "title": f.title, "regulation": f.regulation,
                                       "findings": 0, "penalty": 0}
            row["findings"] += 1
            row["penalty"] += fine
        return ({p: number(v) for p, v in sorted(people.items())}, number(total),
                [{**r, "penalty": number(r["penalty"])} for r in regs.values()],
                [{**r, "penalty": number(r["penalty"])} for r in rules.values()])

    def summary(self) -> dict[str, Any]:
        """Counts and fines, as the spec's ``summary`` object (plus totals by regulation and rule)."""
        penalties, total, by_regulation, by_rule = self._totals()
        # a record (or a file whose header is wrong) with several problems is one record not read
        unread = len({(u.source, u.line) for u in self.unreadable})
        return {
            "records": self.checked + unread, "checked": self.checked,
            "unreadable": unread, "findings": len(self.findings), "penalties": penalties,
            "total_penalty": total, "by_regulation": by_regulation, "by_rule": by_rule,
            "regulations": list(self.in_force), "not_supplied": sorted(self.not_supplied),
        }

    def to_json(self) -> dict[str, Any]:
        """The whole report in the spec's JSON shape."""
        return {
            "as_of": self.as_of.isoformat(),
            "from": self.date_from.isoformat(),
            "summary": self.summary(),
            "findings": [f.to_json() for f in self.findings],
            "unreadable": [{"source": u.source, "line": u.line, "error": u.error} for u in self.unreadable],
        }

    @property
    def exit_code(self) -> int:
        """0 clean, 1 findings, 2 if any input was unreadable (an incomplete audit never looks clean)."""
        return 2 if self.unreadable else 1 if self.findings else 0


def number(value: Any) -> int | float:
    """A money amount for JSON: an int when whole, else a float of its decimal text."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return int(d) if d == d.to_integral_value() else float(d)


def show(value: Any) -> str:
    """A record value as a message shows it."""
    if value is None or value == "" or value == []:
        return EMPTY_TEXT
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (Decimal, float)):
        d = Decimal(str(value))
        return str(int(d)) if d == d.to_integral_value() else f"{d:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return NAME_SEP.join(show(v) for v in value) if value else EMPTY_TEXT
    return str(value)


def citation(project: Project, reg: Regulation, ref: str) -> str:
    """A clause as the regulation numbers it, e.g. ``第八节 业务操作规定 三、维护客户 第3条``."""
    if ":" in ref:
        rid, ref = ref.split(":", 1)
        reg = project.regulation(rid) or reg
    return reg.citation(ref)
