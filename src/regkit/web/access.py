"""Who may do what, decided on the server from the organisation profile (roles, departments,
heads) and the record itself, for every view and every object."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

from ..loader import Project, load_project
from ..model import Person
from . import workflow
from .codec import from_json
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
    return next((p for p in project().org.people if p.name == name), None)


def name_of(request: HttpRequest) -> str:
    """The signed-in person's name."""
    return str(request.user.get_username())


def duties(name: str) -> set[str]:
    """The web duties granted to a person (auditor, admin)."""
    return set(Grant.objects.filter(username=name).values_list("duty", flat=True))


def is_auditor(name: str) -> bool:
    """Auditors (and admins) read every record and run the audit."""
    return bool(duties(name) & {AUDITOR, ADMIN})


def heads(name: str) -> set[str]:
    """The departments this person heads."""
    return {d.name for d in project().org.departments if d.head == name}


def may_view(name: str, rec: StoredRecord) -> bool:
    """The maker, anyone the record names or routes to, the heads of its departments and of the
    maker's department, and auditors."""
    if rec.created_by == name or name in (rec.approvers or []):
        return True
    hit = project().form(rec.form_id)
    if hit is None:
        return False
    _, form = hit
    values = from_json(form, rec.values)
    for f in form.fields:
        v = values.get(f.key)
        if f.type == "person" and v == name:
            return True
        if f.type == "list" and isinstance(v, list) and name in v:
            return True
    led = heads(name)
    stub = workflow.stub_rule(project(), form)
    if stub is not None and led & set(workflow.stub_departments(stub, values)):
        return True
    maker = person(rec.created_by)
    if maker is not None and maker.department in led:
        return True
    if Event.objects.filter(record=rec, actor=name).exists():
        return True
    return is_auditor(name)
