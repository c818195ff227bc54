"""Filling in a form, a record's page (values, 存根, history, actions), editing, approving,
returning, signing, printing, and each person's list of what is due."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ...check.rules import role_names
from ...forms.api import render_form
from ...forms.records import format_value
from .. import access, formpage, service, workflow
from ..codec import from_json
from ..models import Event, Status, StoredRecord, Task
from .common import form_or_404, page, record_or_404, record_with_history_or_404, version_of

DUE_SOON_DAYS = 7
LIST_SHOWN, LIST_BATCH = 200, 500  # records listed, records checked per query
TODO_SHOWN = 100  # per list; the record list shows them all (?task=approve, ?task=sign)
PRINT_TYPES = {"pdf": "application/pdf",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The person's to-do list and the forms they fill in."""
    me = access.name_of(request)
    return page(request, "home.html", todo=todo(me), forms=fillable(me),
                mine=StoredRecord.objects.filter(created_by=me).order_by("-updated_at")
                .only("id", "form_id", "number", "status")[:10],
                titles=titles())


def titles() -> dict[str, str]:
    """Form titles by id."""
    return {f.id: f.title for _, f in access.project().forms()}


def fillable(me: str) -> list[tuple[str, Any]]:
    """The forms this person may fill in, with their regulation's title."""
    project = access.project()
    return [(reg.title, form) for reg, form in project.forms() if workflow.fills(project, form, me)]


class RecordLink(NamedTuple):
    """A record as a to-do list links to it."""

    pk: int
    form_id: str
    number: str
    created_by: str


def todo(me: str) -> dict[str, Any]:
    """What awaits the person: approvals, stub signatures (the longest waiting first, at most
    ``TODO_SHOWN`` of each, with their number), returned records, deadlines, periodic forms."""
    project = access.project()
    today = service.today()
    out: dict[str, Any] = {"approve": [], "sign": [], "returned": [], "deadlines": [], "periodic": [],
                           "counts": {}}
    for kind in ("approve", "sign"):
        mine = Task.objects.filter(person=me, kind=kind)
        rows = list(mine.order_by("record_id", "department").values_list(  # the listed columns only
            "department", "record_id", "record__form_id", "record__number", "record__created_by")[:TODO_SHOWN])
        out[kind] = [RecordLink(*r[1:]) if kind == "approve" else (RecordLink(*r[1:]), r[0]) for r in rows]
        out["counts"][kind] = len(rows) if len(rows) < TODO_SHOWN else mine.count()
    out["returned"] = [RecordLink(*r) for r in StoredRecord.objects.filter(status=Status.RETURNED, created_by=me)
                       .order_by("id").values_list("pk", "form_id", "number", "created_by")]
    # deadlines and periodic forms, from the person's records of the forms they concern (one query);
    # due dates follow from the stored values as they are (ISO dates, names): no parsing needed
    due_forms = {f.id for _, f in project.forms() if workflow.has_deadlines(project, f)}
    periodic = workflow.cadences(project, me)
    mine = StoredRecord.objects.filter(created_by=me, form_id__in=due_forms | {f.id for _, _, f in periodic})
    by_form: dict[str, list[dict[str, Any]]] = {}
    for pk, form_id, status, values in mine.order_by("id").values_list("pk", "form_id", "status", "values"):
        by_form.setdefault(form_id, []).append(values)
        hit = project.form(form_id)
        if form_id not in due_forms or status == Status.RETURNED or hit is None:
            continue
        for rule, who, due in workflow.deadlines(project, hit[1], values):
            if (who or me) == me and due <= today + dt.timedelta(days=DUE_SOON_DAYS):
                out["deadlines"].append(workflow.Due(rule.title, due, form_id, pk))
    for reg, cadence, form in periodic:
        period = workflow.current_period(project, reg, cadence, today)
        if period is None:
            continue
        label, start, end = period
        if not any(_in_period(form, cadence.date_field, values, start, end) for values in by_form.get(form.id, [])):
            out["periodic"].append(workflow.Due(cadence.title, end, form.id, None, label))
    out["deadlines"].sort(key=lambda d: d.due or today)
    return out


def _in_period(form: Any, key: str, values: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    raw = str(values.get(key) or "")
    if len(raw) == 7:  # a month field: YYYY-MM
        raw += "-01"
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return False
    return start <= day <= end or (len(str(values.get(key))) == 7 and start.strftime("%Y-%m") == raw[:7])


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    """Every form of the regulations in force, those the person fills in first."""
    me = access.name_of(request)
    project = access.project()
    return page(request, "forms.html", regs=[(reg, [(f, workflow.fills(project, f, me)) for f in reg.forms])
                                             for reg in project.regulations if reg.forms])


@login_required
@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, form_id: str) -> HttpResponse:
    """A new record of a form, filled in on the page."""
    me = access.name_of(request)
    project = access.project()
    reg, form = form_or_404(form_id)
    if not workflow.fills(project, form, me):
        return page(request, "error.html", status=403,
                    message=f"您不负责填写《{form.title}》（由{form.filled_by}填写）")
    editable = {f.key for f in form.fields} - workflow.system_fields(project, form) - {"id"}
    values: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    error = ""
    if request.method == "POST":
        raw = formpage.raw_record(form, request.POST, editable)
        checked = service.check_values(project, form, raw, None)
        if not checked.problems:
            try:
                rec = service.create(project, form.id, checked, me)
            except service.Refused as exc:
                error = str(exc)
            else:
                return HttpResponseRedirect(f"/records/{rec.pk}/")
        values, problems = checked.values, checked.problems
        error = error or "请改正标红的栏目后再提交"
    else:
        values = _defaults(project, form, me)
    return page(request, "fill.html", status=400 if error else 200, reg=reg, form=form, error=error,
                widgets=formpage.widgets(project, form, values, editable, problems), record=None,
                action=f"/forms/{form.id}/new/", system=_system_labels(project, form))


def _defaults(project: Any, form: Any, me: str) -> dict[str, Any]:
    """Today's date in the date field a form is dated by, and the person in the fields of their role."""
    out: dict[str, Any] = {}
    today = service.today().isoformat()
    for f in form.fields:
        if f.key == "date" and f.type == "date":
            out[f.key] = today
        elif f.type == "person" and f.role and workflow.fills(project, form, me) and me in formpage._people(project, f):
            if form.filled_by and f.role in role_names(project, form.filled_by):
                out[f.key] = me
    return out


def _system_labels(project: Any, form: Any) -> list[str]:
    own = workflow.system_fields(project, form)
    return [f.label for f in form.fields if f.key in own]


@login_required
@require_GET
def record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A record: its values, its 存根, where it is on its route, its history, and the actions the
    person may take."""
    me = access.name_of(request)
    project = access.project()
    rec, events = record_with_history_or_404(request, pk)
    reg, form = form_or_404(rec.form_id)
    values = from_json(form, rec.values)
    steps = workflow.approval_steps(project, reg, form, values, service.today())
    stub = workflow.stub_rule(project, form)
    depts = workflow.stub_departments(stub, values) if stub else []
    can_sign = [d for d in depts if d not in rec.signatures and workflow.may_sign(project, me, d)] \
        if rec.status == Status.SIGNING else []
    shown = [(f, format_value(f, values.get(f.key))) for f in form.fields if f.type != "table"]
    table = form.table
    can_edit = rec.created_by == me and bool(service.editable_fields(project, form, rec))
    return page(request, "record.html", rec=rec, reg=reg, form=form, shown=shown, table=table,
                rows=values.get(table.key) or [] if table else [], steps=steps, values=values,
                depts=depts, can_sign=can_sign, can_edit=can_edit, format_value=format_value,
                can_approve=rec.status == Status.PENDING and me in (rec.approvers or []),
                today=service.today(), labels={f.key: f.label for f in form.fields},
                history=history(form, events), message=request.GET.get("m", ""))


def history(form: Any, events: list[Event]) -> list[tuple[Event, list[tuple[str, str, str]]]]:
    """A record's history entries, each with its changes as (field label, before, after) text."""
    labels = {f.key: f.label for f in form.fields}
    stub = "存根签字情况"
    out = []
    for e in events:
        changes = [] if e.action in ("created", "imported") else [
            (labels.get(k, stub if k == "signatures" else k), _shown(v[0]), _shown(v[1]))
            for k, v in sorted((e.changes or {}).items())]
        out.append((e, changes))
    return out


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return "；".join(str(v) for v in value)
    return str(value)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The maker changes their record (all of it before approval, follow-up fields after)."""
    me = access.name_of(request)
    project = access.project()
    rec = record_or_404(request, pk)
    reg, form = form_or_404(rec.form_id)
    if rec.created_by != me:
        return page(request, "error.html", status=403, message="只有填表人可以修改此记录")
    editable = service.editable_fields(project, form, rec)
    values = from_json(form, rec.values)
    problems: dict[str, list[str]] = {}
    error = ""
    if request.method == "POST":
        raw = formpage.raw_record(form, request.POST, editable)
        merged = {k: v for k, v in values.items() if k not in editable}
        merged.update(raw)
        checked = service.check_values(project, form, {k: v for k, v in merged.items() if k != "id"}, values)
        if not checked.problems:
            try:
                service.edit(project, rec, checked, me, version_of(request))
            except service.Refused as exc:
                error = str(exc)
            else:
                return HttpResponseRedirect(f"/records/{rec.pk}/")
        values, problems = checked.values, checked.problems
        error = error or "请改正标红的栏目后再提交"
    return page(request, "fill.html", status=400 if error else 200, reg=reg, form=form, error=error,
                widgets=formpage.widgets(project, form, values, editable, problems), record=rec,
                action=f"/records/{rec.pk}/edit/", system=_system_labels(project, form))


def _act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    me = access.name_of(request)
    project = access.project()
    rec = record_or_404(request, pk)
    try:
        if what == "approve":
            service.approve(project, rec, me, version_of(request), request.POST.get("comment", "").strip())
            note = "已批准"
        elif what == "return":
            service.send_back(project, rec, me, version_of(request), request.POST.get("comment", ""))
            note = "已退回"
        else:
            service.sign(project, rec, me, request.POST.get("department", ""), version_of(request))
            note = "已签字"
    except service.Refused as exc:
        return page(request, "error.html", status=403, message=str(exc), back=f"/records/{rec.pk}/")
    return HttpResponseRedirect(f"/records/{rec.pk}/?m={note}")


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a record awaiting the person's approval."""
    return _act(request, pk, "approve")


@login_required
@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    """Return a record to its maker with a comment."""
    return _act(request, pk, "return")


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign a record's stub for a department the person heads."""
    return _act(request, pk, "sign")


@login_required
@require_GET
def print_record(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The record as the official filled form, from the library's form layouts."""
    if fmt not in PRINT_TYPES:
        raise Http404("没有这种格式")
    rec = record_or_404(request, pk)
    _, form = form_or_404(rec.form_id)
    values = from_json(form, rec.values)
    data = render_form(access.project(), form.id, fmt, values, page_cache=fmt == "pdf")
    response = HttpResponse(data, content_type=PRINT_TYPES[fmt])
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{form.id}-{rec.number}")  # a record number is data, not a header
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    return response


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    """The records the person may see, newest first (auditors see all), by form and status."""
    me = access.name_of(request)
    qs = StoredRecord.objects.all().order_by("-updated_at", "-pk")
    if request.GET.get("form"):
        qs = qs.filter(form_id=request.GET["form"])
    if request.GET.get("status") in dict(Status.choices):
        qs = qs.filter(status=request.GET["status"])
    task = request.GET.get("task") if request.GET.get("task") in ("approve", "sign") else ""
    if task:  # what awaits the person (the to-do list's "all")
        qs = qs.filter(pk__in=Task.objects.filter(person=me, kind=task).values("record_id"))
    shown: list[StoredRecord] = []
    if access.audits(request):
        shown = list(qs[:LIST_SHOWN])
    else:  # checked a batch at a time: a few queries per batch, not one per record
        rest = qs
        while len(shown) < LIST_SHOWN:
            batch = list(rest[:LIST_BATCH])
            shown += access.visible(me, batch, lambda: access.audits(request))[:LIST_SHOWN - len(shown)]
            if len(batch) < LIST_BATCH:
                break
            last = batch[-1]  # the next batch: after the last one in this order (keyset, not offset)
            rest = qs.filter(Q(updated_at__lt=last.updated_at) | Q(updated_at=last.updated_at, pk__lt=last.pk))
    return page(request, "records.html", records=shown, titles=titles(), statuses=list(Status.choices),
                selected_form=request.GET.get("form", ""), selected_status=request.GET.get("status", ""),
                selected_task=task)
