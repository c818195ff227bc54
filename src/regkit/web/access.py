"""Who may do what, decided on the server from the organisation profile (roles, departments,
heads) and the record itself, for every view and every object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from ..loader import Project, load_project
from ..model import Person
from . import workflow
from .derived import cached
from .models import Event, Grant, StoredRecord

AUDITOR = "auditor"
ADMIN = "admin"


@lru_cache(maxsize=1)
def project() -> Project:
    """The project the application serves, loaded once per process."""
    cfg = settings.REGKIT
    return load_project([cfg.regulations], cfg.org)


def person(name: str) -> Person | None:
    """The profile's person of this name."""
    project_ = project()
    return cached(project_, "people by name", lambda: {p.name: p for p in project_.org.people}).get(name)


def name_of(request: HttpRequest) -> str:
    """The signed-in person's name."""
    return str(request.user.get_username())


def duties(name: str) -> set[str]:
    """The web duties granted to a person (auditor, admin)."""
    return set(Grant.objects.filter(username=name).values_list("duty", flat=True))


def is_auditor(name: str) -> bool:
    """Auditors (and admins) read every record and run the audit."""
    return bool(duties(name) & {AUDITOR, ADMIN})


def audits(request: HttpRequest) -> bool:
    """Whether the signed-in person is an auditor (``is_auditor``): read with their session and
    user in one query (``regkit.web.sessions``), else looked up once per request."""
    known = getattr(request, "_regkit_audits", None)
    if known is None:
        known = getattr(request.user, "regkit_audits", None)
        if known is None:
            known = request.user.is_authenticated and is_auditor(name_of(request))
        request._regkit_audits = known
    return bool(known)


def heads(name: str) -> set[str]:
    """The departments this person heads."""
    return {d.name for d in project().org.departments if d.head == name}


def may_view(name: str, rec: StoredRecord, auditor: Callable[[], bool] | None = None) -> bool:
    """The maker, anyone the record names or routes to, the heads of its departments and of the
    maker's department, whoever acted on it, and auditors (``auditor()`` tells, if given: the
    request knows; else ``is_auditor`` looks it up)."""
    return bool(visible(name, [rec], auditor))


def visible(name: str, records: Sequence[StoredRecord],
            auditor: Callable[[], bool] | None = None) -> list[StoredRecord]:
    """Those of ``records`` the person may see (``may_view`` of each), in at most two queries."""
    led = heads(name)
    undecided = [rec for rec in records if not _named(name, led, rec)]
    if not undecided:
        return list(records)
    acted = set(Event.objects.filter(actor=name, record_id__in=[r.pk for r in undecided])
                .values_list("record_id", flat=True))
    everyone = any(r.pk not in acted for r in undecided) and (auditor() if auditor else is_auditor(name))
    hidden = set() if everyone else {r.pk for r in undecided if r.pk not in acted}
    return [rec for rec in records if rec.pk not in hidden]


def _named(name: str, led: set[str], rec: StoredRecord) -> bool:
    """Whether the record itself names the person (its values as stored: names as text)."""
    if rec.created_by == name or name in (rec.approvers or []):
        return True
    hit = project().form(rec.form_id)
    if hit is None:
        return False
    _, form = hit
    values = rec.values or {}
    for f in form.fields:
        v = values.get(f.key)
        if f.type == "person" and v == name:
            return True
        if f.type == "list" and isinstance(v, list) and name in v:
            return True
    stub = workflow.stub_rule(project(), form)
    if stub is not None and led & set(workflow.stub_departments(stub, values)):
        return True
    maker = person(rec.created_by)
    return maker is not None and maker.department in led
