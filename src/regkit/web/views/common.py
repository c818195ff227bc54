"""What every view shares: rendering with the signed-in person, the visible record or 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from ...model import Form, Regulation
from .. import access
from ..models import Event, Status, StoredRecord

STATUS_LABELS = dict(Status.choices)
ACTION_LABELS = {"created": "填写", "edited": "修改", "resubmitted": "重新提交", "approved": "批准",
                 "returned": "退回", "signed": "存根签字", "imported": "导入"}


def page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    """A page with the common context (the person, their department and duties)."""
    me = access.name_of(request) if request.user.is_authenticated else ""
    who = access.person(me) if me else None
    context.update(
        me=me, my_department=who.department if who else "", my_roles=who.roles if who else [],
        auditor=access.audits(request) if me else False, company=access.project().org.company,
        status_labels=STATUS_LABELS, action_labels=ACTION_LABELS,
    )
    return render(request, template, context, status=status)


def form_or_404(form_id: str) -> tuple[Regulation, Form]:
    """The regulation and form of this id."""
    hit = access.project().form(form_id)
    if hit is None:
        raise Http404("没有这个表单")
    return hit


def record_or_404(request: HttpRequest, pk: int) -> StoredRecord:
    """The record if the signed-in person may see it; 404 otherwise (its existence is not told)."""
    rec: StoredRecord | None = StoredRecord.objects.filter(pk=pk).first()
    return _visible_or_404(request, rec)


def record_with_history_or_404(request: HttpRequest, pk: int) -> tuple[StoredRecord, list[Event]]:
    """``record_or_404`` and the record's history entries, oldest first, read in one query (every
    record has at least the entry of its making; one without would be read on its own)."""
    events = list(Event.objects.filter(record_id=pk).select_related("record").order_by("id"))
    rec = events[0].record if events else StoredRecord.objects.filter(pk=pk).first()
    for e in events:
        e.record = rec  # one record object, not a copy per entry
    return _visible_or_404(request, rec), events


def _visible_or_404(request: HttpRequest, rec: StoredRecord | None) -> StoredRecord:
    if rec is None or not access.may_view(access.name_of(request), rec, lambda: access.audits(request)):
        raise Http404("记录不存在或无权查看")
    return rec


def version_of(request: HttpRequest) -> int | None:
    """The record version a form was shown with (to refuse acting on a stale page)."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None
