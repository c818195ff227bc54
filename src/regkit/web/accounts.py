"""Accounts of the profile's people: passwords set by the administrator, one-time first-login
links, and throttled sign-in (failures counted per name and per address in the database, so
every application process sees them)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..errors import UsageError
from ..loader import Project
from .models import Grant, LoginAttempt, LoginLink

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LINK_LIFETIME = dt.timedelta(hours=72)
DUTIES = ("auditor", "admin")


def _known(project: Project, name: str) -> None:
    if not any(p.name == name for p in project.org.people):
        raise UsageError(f"{name!r} is not a person of the organisation profile (org.yaml)")


def ensure_user(project: Project, name: str) -> object:
    """The account of a person of the profile, created without a usable password if new."""
    _known(project, name)
    user, created = get_user_model().objects.get_or_create(username=name)
    if created:
        user.set_unusable_password()
        user.save()
    return user


def set_password(project: Project, name: str, password: str) -> None:
    """Set a person's password (validated: at least 10 characters, not common, not all digits)."""
    user = ensure_user(project, name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UsageError("password refused: " + " ".join(str(m) for m in exc.messages)) from None
    user.set_password(password)  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]


def issue_link(project: Project, name: str) -> str:
    """A one-time first-login token for a person (valid 72 hours); only its hash is stored."""
    ensure_user(project, name)
    token = secrets.token_urlsafe(32)
    LoginLink.objects.create(username=name, digest=_digest(token), expires=timezone.now() + LINK_LIFETIME)
    return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def redeem_link(token: str, password: str) -> str:
    """Set the password through a first-login link; returns the person's name. ValueError for an
    unknown, used or expired link, ValidationError for a weak password."""
    with transaction.atomic():
        link = LoginLink.objects.select_for_update().filter(digest=_digest(token)).first()
        if link is None or link.used or link.expires < timezone.now():
            raise ValueError("登录链接无效或已过期，请联系管理员")
        user = get_user_model().objects.get(username=link.username)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        link.used = True
        link.save()
        return str(link.username)


def link_valid(token: str) -> bool:
    """Whether a first-login link can still be used."""
    link = LoginLink.objects.filter(digest=_digest(token)).first()
    return link is not None and not link.used and link.expires >= timezone.now()


def throttled(name: str, address: str) -> bool:
    """Too many recent failures for this name or from this address."""
    since = timezone.now() - WINDOW
    for key in (f"u:{name}", f"a:{address}"):
        if LoginAttempt.objects.filter(key=key, at__gte=since).count() >= MAX_FAILURES * (1 if key[0] == "u" else 4):
            return True
    return False


def failed(name: str, address: str) -> None:
    """Record a failed sign-in (and forget failures older than the window)."""
    now = timezone.now()
    LoginAttempt.objects.bulk_create([LoginAttempt(key=f"u:{name}", at=now), LoginAttempt(key=f"a:{address}", at=now)])
    LoginAttempt.objects.filter(at__lt=now - WINDOW).delete()


def succeeded(name: str) -> None:
    """A successful sign-in clears the name's failures."""
    LoginAttempt.objects.filter(key=f"u:{name}").delete()


def grant(project: Project, name: str, duty: str, *, revoke: bool = False) -> None:
    """Give (or take back) a web duty: ``auditor`` reads every record and runs the audit."""
    if duty not in DUTIES:
        raise UsageError(f"unknown duty {duty!r} (choose from {', '.join(DUTIES)})")
    ensure_user(project, name)
    if revoke:
        Grant.objects.filter(username=name, duty=duty).delete()
    else:
        Grant.objects.get_or_create(username=name, duty=duty)
