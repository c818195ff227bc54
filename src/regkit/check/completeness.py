"""Completeness: a required field left empty is what the record shows, so it is a finding
("《同意欠费通知单》QF-0012 未填写：批准人、批准日期") citing the form's clause, against whoever
fills the form in. The fine (the form's ``fine``) is charged only where no rule about that field
already fines the same record: one breach, one fine."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..loader import Project
from ..model import ApprovalRule, DeadlineRule, ExprRule, Form, FormField, Regulation, RequiresRule, StubRule
from ..model import Rule as AnyRule
from .accept import quote
from .engine import duckdb
from .findings import Finding, citation, number

RULE_SUFFIX = ":required"


def rule_id(form: Form) -> str:
    """The id completeness findings of a form carry (the JSON's ``rule``): ``<form>:required``,
    which no rule id can be."""
    return form.id + RULE_SUFFIX


def title(form: Form) -> str:
    """The Chinese title of a form's completeness rule."""
    return f"《{form.title}》必填项须填写完整"


def filler(form: Form) -> FormField | None:
    """The field naming who fills the form in: the person field of the form's ``filled_by``
    role, else its first signed person field."""
    people = [f for f in form.fields if f.type == "person"]
    return (next((f for f in people if form.filled_by and f.role == form.filled_by), None)
            or next((f for f in people if f.sign and f.required), None))


def rule_fields(rule: AnyRule) -> set[str]:
    """The fields whose emptiness a rule's own finding reports (so it carries the fine)."""
    from ..expr import references

    if isinstance(rule, ApprovalRule):
        # a condition on an empty field (``empty(reason)``) makes that emptiness part of the breach
        when = references(rule.when) if rule.when else set()
        return {rule.field, *([rule.date_field] if rule.date_field else []), *when}
    if isinstance(rule, StubRule):
        return {rule.signed_field}
    if isinstance(rule, DeadlineRule):
        return {rule.done} if rule.done else set()
    if isinstance(rule, ExprRule):
        return references(rule.check)
    if isinstance(rule, RequiresRule):
        return set(rule.match)
    return set()


def completeness_findings(con: duckdb.DuckDBPyConnection, project: Project, reg: Regulation, form: Form,
                          order: int, scanned: str | None = None) -> list[Finding]:
    """One finding per record of ``form`` that leaves required fields (or table cells) empty;
    ``scanned`` names the table of a shared scan holding every such record (check.scan)."""
    who = filler(form)
    person = f"CAST(r.{quote(who.key)} AS VARCHAR)" if who is not None else "CAST(NULL AS VARCHAR)"
    v = quote(form.id)
    found: dict[tuple[str, int], dict[str, Any]] = {}
    sql = f"SELECT r._src, r._pos, r.id, {person}, r._missing FROM {scanned or v} r WHERE r._missing IS NOT NULL"
    for src, pos, rid, name, keys in con.execute(sql).fetchall():
        found[(src, pos)] = {"id": rid, "person": name, "keys": list(keys)}
    table = form.table
    if table is not None:
        t = quote(f"{form.id}.{table.key}")
        if table.required:
            sql = (f"SELECT r._src, r._pos, r.id, {person} FROM {v} r WHERE NOT EXISTS "
                   f"(SELECT 1 FROM {t} t WHERE t._src = r._src AND t._pos = r._pos)")
            for src, pos, rid, name in con.execute(sql).fetchall():
                found.setdefault((src, pos), {"id": rid, "person": name, "keys": []})["keys"].append(table.key)
        cols = [c for c in table.columns or [] if c.required]
        if cols:
            tests = []
            for c in cols:
                col = f"t.{quote(c.key)}"
                text = c.type not in ("integer", "amount", "date", "boolean", "list", "multichoice")
                tests.append((c, f"({col} IS NULL OR {col} = '')" if text else f"({col} IS NULL)"))
            items = ", ".join(f"CASE WHEN {test} THEN '{c.key}' END" for c, test in tests)
            sql = (f"SELECT t._src, t._pos, t._n, list_filter([{items}], lambda x: x IS NOT NULL) FROM {t} t "
                   f"WHERE {' OR '.join(test for _, test in tests)} ORDER BY t._src, t._pos, t._n")
            rows = con.execute(sql).fetchall()
            if rows:
                ids = {(s, p): (rid, name) for s, p, rid, name in con.execute(
                    f"SELECT r._src, r._pos, r.id, {person} FROM {v} r").fetchall()}
                for src, pos, n, keys in rows:
                    rid, name = ids.get((src, pos), (None, None))
                    entry = found.setdefault((src, pos), {"id": rid, "person": name, "keys": []})
                    entry["keys"] += [f"{table.key}.{n}.{k}" for k in keys]
    if not found:
        return []
    labels = {f.key: f.label for f in form.fields}
    cols_by_key = {c.key: c.label for c in (table.columns or [])} if table is not None else {}
    penalty: int | float = 0
    fine_cite = None
    if form.fine is not None:
        penalty = number(project.param(reg, form.fine.amount))
        fine_cite = citation(project, reg, form.fine.clause)
    cite = citation(project, reg, form.clauses[0])
    out = []
    for (src, pos), e in found.items():
        shown = []
        for k in e["keys"]:
            if k.count(".") == 2:
                _, n, col = k.split(".")
                shown.append(f"第{n}行{cols_by_key.get(col, col)}")
            else:
                shown.append(labels.get(k, k))
        out.append(Finding(
            rule=rule_id(form), regulation=reg.id, citation=cite, form=form.id, record=e["id"], source=src,
            person=e["person"] or None, penalty=penalty, severity="error",
            message=f"《{form.title}》{e['id']}未填写：{'、'.join(shown)}", order=order, title=title(form),
            fine_citation=fine_cite, line=pos, keys=tuple(e["keys"])))
    return out


def settle(findings: list[Finding], project: Project) -> list[Finding]:
    """Charge a completeness finding's fine only for empty fields no fined finding of another
    rule on the same record reports already (one breach, one fine)."""
    if not any(f.keys and f.penalty for f in findings):
        return findings
    fields_of = {r.id: rule_fields(r) for reg in project.regulations for r in reg.rules}
    covered: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    for f in findings:
        if f.record is not None and f.penalty and not f.rule.endswith(RULE_SUFFIX):
            covered[(f.form, f.record)] |= fields_of.get(f.rule, set())
    out = []
    for f in findings:
        if f.keys and f.penalty:
            top = {k.split(".")[0] for k in f.keys}
            if top <= covered.get((f.form, f.record), set()):
                f.penalty, f.fine_citation = 0, None
        out.append(f)
    return out

