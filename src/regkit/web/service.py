"""What people do to records, as transactions: fill in, edit, approve, return, sign, import. Each
change writes its history entry in the same transaction, and the values are checked by the same
library functions that read record files (``coerce_record``, ``check_record``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from ..forms.records import coerce_record, is_empty
from ..loader import Project
from ..model import Form, Regulation
from ..records.values import check_record
from . import numbering, workflow
from .codec import from_json, to_json
from .models import Event, Status, StoredRecord, Task
from .writing import writing


class Refused(Exception):
    """An action the person may not take, or that does not fit the record's state (shown as is)."""


@dataclass
class Checked:
    """Submitted values after the checks: canonical values, and problems by field key."""

    values: dict[str, Any]
    problems: dict[str, list[str]]


def _key_of(problem: str) -> str:
    head = problem.split(":", 1)[0]
    return head.split("[", 1)[0].split(".", 1)[0].strip()


def check_values(project: Project, form: Form, raw: dict[str, Any], previous: dict[str, Any] | None) -> Checked:
    """Type and check what a person typed for the fields they fill in; the application's own
    fields (approvers, signatures) keep their previous values. The complete record then passes the
    checker's record check, except for the approvals and signatures still to come."""
    own = workflow.system_fields(project, form)
    data = {k: v for k, v in raw.items() if k not in own}
    values, problems = coerce_record(form, data, required=False, lenient=True)
    for key in own:
        f = form.field(key)
        values[key] = (previous or {}).get(key, [] if f and f.type in ("list", "table") else None)
    values["id"] = (previous or {}).get("id")
    for f in form.fields:
        if f.key in own or f.key == "id":
            continue
        if f.required and is_empty(values.get(f.key)):
            problems.append(f"{f.key}: {f.label}为必填项")
    candidate = dict(values, id=values.get("id") or "new")
    _, full = check_record(form, candidate, lenient=True)
    seen = set(problems)
    problems += [p for p in full if p not in seen and _key_of(p) not in own and "is required" not in p]
    by_key: dict[str, list[str]] = {}
    for p in problems:
        by_key.setdefault(_key_of(p), []).append(p)
    return Checked(values, by_key)


def _now() -> dt.datetime:
    now: dt.datetime = timezone.now()
    return now


def today() -> dt.date:
    """Today in the application's time zone (what approvals and signatures are dated)."""
    day: dt.date = timezone.localdate()
    return day


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _log(rec: StoredRecord, actor: str, action: str, before: dict[str, Any], comment: str = "") -> None:
    Event(record=rec, at=_now(), actor=actor, action=action, changes=_diff(before, rec.values),
          comment=comment).save()


Tasks = list[tuple[str, str, str]]  # what a record awaits from whom: (person, kind, department)


def _route(project: Project, reg: Regulation, form: Form, rec: StoredRecord, values: dict[str, Any],
           day: dt.date) -> Tasks:
    """Set the record's status and approvers from its values (approvals, then stub signatures);
    what it then awaits from whom."""
    steps = workflow.approval_steps(project, reg, form, values, day)
    stub = workflow.stub_rule(project, form)
    depts = workflow.stub_departments(stub, values) if stub is not None else []
    if stub is not None:
        rec.signatures = {d: s for d, s in (rec.signatures or {}).items() if d in depts}
        values[stub.signed_field] = workflow.signed_list(depts, rec.signatures)
    rec.values = to_json(values)
    open_steps = [s for s in steps if not s.done(values)]
    rec.approvers = workflow.approvers(steps, values, rec.created_by)
    if rec.status != Status.RETURNED:  # a returned record waits for its maker
        if open_steps:
            rec.status = Status.PENDING
        elif stub is not None and set(depts) - set(rec.signatures):
            rec.status = Status.SIGNING
        else:
            rec.status = Status.DONE
    if rec.status == Status.PENDING:
        return [(p, "approve", "") for p in rec.approvers or []]
    if rec.status == Status.SIGNING:
        return [(head, "sign", d) for d in depts if d not in rec.signatures and (head := project.org.head_of(d))]
    return []


def _save_tasks(rec: StoredRecord, tasks: Tasks, *, new: bool = False) -> None:
    """Store what the record awaits, in place of what it awaited."""
    if not new:
        Task.objects.filter(record=rec).delete()
    Task.objects.bulk_create([Task(record=rec, person=p, kind=k, department=d) for p, k, d in tasks])


def create(project: Project, form_id: str, checked: Checked, actor: str) -> StoredRecord:
    """A new record filled in by ``actor``, numbered and routed."""
    reg, form = _form(project, form_id)
    if checked.problems:
        raise Refused("表单有错误，未保存")
    day = today()
    by_number = workflow.route_reads(project, form, "id")
    values = dict(checked.values, id=None)
    rec = StoredRecord(form_id=form.id, number="", status=Status.PENDING, created_by=actor, values={})
    tasks = _route(project, reg, form, rec, values, day)  # before the transaction: it holds the database
    for attempt in range(5):
        skip_taken = attempt > 0  # a number refused as taken: skip the taken ones from now on
        early = numbering.take(form, checked=skip_taken) if numbering.early() else None
        try:
            with writing():
                rec.number = values["id"] = early or numbering.take(form, checked=skip_taken)
                if by_number:
                    tasks = _route(project, reg, form, rec, values, day)
                rec.values = dict(rec.values, id=rec.number)
                rec.created_at = rec.updated_at = _now()
                rec.save(force_insert=True)
                _save_tasks(rec, tasks, new=True)
                _log(rec, actor, "created", {})
                return rec
        except IntegrityError:  # a number taken by an import at the same moment: take the next
            rec.pk = None
            continue
        except BaseException:
            if early:
                numbering.give_back(form, early)
            raise
    raise Refused("编号冲突，请重试")


def _form(project: Project, form_id: str) -> tuple[Regulation, Form]:
    hit = project.form(form_id)
    if hit is None:
        raise Refused(f"没有表单 {form_id}")
    return hit


def _locked(rec: StoredRecord, version: int | None) -> StoredRecord:
    fresh: StoredRecord = StoredRecord.objects.select_for_update().get(pk=rec.pk)
    if version is not None and fresh.version != version:
        raise Refused("此记录已被他人修改，请刷新后重试")
    return fresh


# A change sets the record's new state; it names the action, its comment and the record's tasks.
Change = Callable[[StoredRecord], "tuple[str, str, Tasks] | None"]


def _commit(rec: StoredRecord, version: int | None, actor: str, change: Change) -> StoredRecord:
    """Apply ``change`` to the record and store it with its tasks and history entry. ``change``
    sets the record's new state (or refuses, or returns None when nothing changes) and names the
    action and its comment; it runs before the write transaction, and again on the locked record
    only if someone changed the record in between, so the database is held for the writes alone.
    The record is stored only if it is still the version read (one statement); if not, it is
    read again, locked, and the change worked out anew."""
    if version is not None and rec.version != version:  # the page shown was of an older version
        raise Refused("此记录已被他人修改，请刷新后重试")
    loaded = rec.version
    before = dict(rec.values)
    done = change(rec)
    with writing():
        if done is None or not _store_if_unchanged(rec, loaded):
            fresh = _locked(rec, version)
            if fresh.version != loaded:
                rec, before = fresh, dict(fresh.values)
                done = change(rec)
            if done is None:
                return rec
            rec.version += 1
            rec.updated_at = _now()
            rec.save()
        action, comment, tasks = done
        _save_tasks(rec, tasks)
        _log(rec, actor, action, before, comment)
        return rec


def _store_if_unchanged(rec: StoredRecord, loaded: int) -> bool:
    """Store the record's new state if the stored one is still version ``loaded``."""
    now = _now()
    stored = StoredRecord.objects.filter(pk=rec.pk, version=loaded).update(
        values=rec.values, signatures=rec.signatures, status=rec.status, approvers=rec.approvers,
        version=loaded + 1, updated_at=now)
    if stored:
        rec.version, rec.updated_at = loaded + 1, now
    return bool(stored)


def editable_fields(project: Project, form: Form, rec: StoredRecord) -> set[str]:
    """What the record's maker may still change: everything they fill in until it is approved,
    then only the optional follow-up fields (付清日期, 处理结果 ...)."""
    own = workflow.system_fields(project, form)
    keys = {f.key for f in form.fields if f.key not in own and f.key != "id"}
    if rec.status in (Status.PENDING, Status.RETURNED):
        return keys
    return {k for k in keys if (f := form.field(k)) is not None and not f.required}


def edit(project: Project, rec: StoredRecord, checked: Checked, actor: str, version: int | None) -> StoredRecord:
    """The maker changes their record; a returned record goes back to its approvers."""
    reg, form = _form(project, rec.form_id)
    if checked.problems:
        raise Refused("表单有错误，未保存")
    day = today()

    def change(rec: StoredRecord) -> tuple[str, str, Tasks] | None:
        if rec.created_by != actor:
            raise Refused("只有填表人可以修改此记录")
        allowed = editable_fields(project, form, rec)
        before = dict(rec.values)
        values = from_json(form, rec.values)
        for k in allowed:
            values[k] = checked.values.get(k)
        if to_json(values) == before and rec.status != Status.RETURNED:
            return None
        if rec.status == Status.RETURNED:
            rec.status = Status.PENDING
        tasks = _route(project, reg, form, rec, values, day)
        return ("edited" if before != rec.values else "resubmitted"), "", tasks

    return _commit(rec, version, actor, change)


def approve(project: Project, rec: StoredRecord, actor: str, version: int | None, comment: str = "") -> StoredRecord:
    """``actor`` approves every open step they may give: their name and today's date are stamped."""
    reg, form = _form(project, rec.form_id)
    day = today()

    def change(rec: StoredRecord) -> tuple[str, str, Tasks]:
        if rec.status != Status.PENDING:
            raise Refused("此记录不在待批准状态")
        values = from_json(form, rec.values)
        steps = [s for s in workflow.approval_steps(project, reg, form, values, day) if not s.done(values)]
        mine = [s for s in steps if workflow.may_approve(s, actor, rec.created_by)]
        if not mine:
            raise Refused("您不能批准此记录（批准人须为规则指定的人员，且不能批准自己的记录）")
        for s in mine:
            values[s.field] = actor
            if s.date_field:
                values[s.date_field] = day.isoformat()
        return "approved", comment, _route(project, reg, form, rec, values, day)

    return _commit(rec, version, actor, change)


def send_back(project: Project, rec: StoredRecord, actor: str, version: int | None, comment: str) -> StoredRecord:
    """An approver returns the record to its maker with a comment."""
    _form(project, rec.form_id)
    if not comment.strip():
        raise Refused("退回须填写意见")

    def change(rec: StoredRecord) -> tuple[str, str, Tasks]:
        if rec.status != Status.PENDING or actor not in (rec.approvers or []):
            raise Refused("您不能退回此记录")
        rec.status = Status.RETURNED
        return "returned", comment.strip(), []

    return _commit(rec, version, actor, change)


def sign(project: Project, rec: StoredRecord, actor: str, department: str, version: int | None) -> StoredRecord:
    """The head of a receiving department signs the record's stub."""
    reg, form = _form(project, rec.form_id)
    stub = workflow.stub_rule(project, form)
    day = today()

    def change(rec: StoredRecord) -> tuple[str, str, Tasks]:
        if stub is None or rec.status != Status.SIGNING:
            raise Refused("此记录不在待签字状态")
        values = from_json(form, rec.values)
        if department not in workflow.stub_departments(stub, values) or department in rec.signatures:
            raise Refused(f"{department}无须签字或已签字")
        if not workflow.may_sign(project, actor, department):
            raise Refused(f"只有{department}负责人可以在存根上签字")
        rec.signatures = dict(rec.signatures, **{department: {"by": actor, "on": day.isoformat()}})
        return "signed", department, _route(project, reg, form, rec, values, day)

    return _commit(rec, version, actor, change)


def import_record(project: Project, record: dict[str, Any], actor: str) -> StoredRecord:
    """A record read from a file, stored as it is (its approvals and signatures included) with the
    number it carries; its status follows from its values like any other."""
    reg, form = _form(project, str(record.get("form")))
    values, problems = check_record(form, record, lenient=True)
    if values is None:
        raise Refused("; ".join(problems))
    canonical = from_json(form, to_json(values))
    number = str(canonical.get("id"))
    creator = workflow.filled_by(project, form, canonical) or actor
    rec = StoredRecord(form_id=form.id, number=number, status=Status.PENDING, created_by=creator, values={})
    stub = workflow.stub_rule(project, form)
    if stub is not None:
        depts = workflow.stub_departments(stub, canonical)
        signers = [str(s) for s in canonical.get(stub.signed_field) or []]
        rec.signatures = {d: {"by": s, "on": ""} for d, s in zip(depts, signers, strict=False)}
        tasks = _route(project, reg, form, rec, canonical, today())
        rec.values = to_json(dict(canonical, **{stub.signed_field: signers}))
    else:
        tasks = _route(project, reg, form, rec, canonical, today())
    with writing():
        if StoredRecord.objects.filter(form_id=form.id, number=number).exists():
            raise Refused(f"{form.title} {number} 已存在")
        rec.created_at = rec.updated_at = _now()
        rec.save(force_insert=True)
        _save_tasks(rec, tasks, new=True)
        _log(rec, actor, "imported", {})
        numbering.note_taken(form, number)
        return rec
