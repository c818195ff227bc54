"""What the database holds: the records people filled in (their values as the library types
them), the append-only history of each, per-form number counters, first-login links, and login
attempts for throttling. Roles and departments are not stored: they come from the profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class Status(models.TextChoices):
    """Where a record is on its route."""

    PENDING = "pending", "待批准"
    RETURNED = "returned", "已退回"
    SIGNING = "signing", "待签字"
    DONE = "done", "已完成"


class StoredRecord(models.Model):
    """One record of one form: ``values`` are the record's field values in their plain JSON form
    (amounts as text, dates ISO), ``signatures`` the stub signatures given so far by department."""

    form_id = models.CharField(max_length=64)
    number = models.CharField(max_length=64)
    values = models.JSONField(default=dict)
    signatures = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices)
    approvers = models.JSONField(default=list)
    created_by = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form_id", "number"], name="record_number_unique")]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["created_by"]),
                   models.Index(fields=["updated_at"], name="record_updated")]  # the record list's order


class Task(models.Model):
    """What a record awaits from a person: ``approve`` it, or ``sign`` its stub for ``department``.
    Rebuilt with the record's route in the same transaction; the to-do lists read it by person."""

    record = models.ForeignKey(StoredRecord, on_delete=models.CASCADE, related_name="tasks")
    person = models.CharField(max_length=64)
    kind = models.CharField(max_length=8)
    department = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["person", "kind"])]


class AppendOnly(Exception):
    """Raised on an attempt to change or delete a history entry."""


class Event(models.Model):
    """One entry of a record's history: who did what when, and the fields it changed
    (``{key: [before, after]}``). Entries are only ever added."""

    record = models.ForeignKey(StoredRecord, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.CharField(max_length=64)
    action = models.CharField(max_length=16)
    changes = models.JSONField(default=dict)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an existing entry is never rewritten."""
        if self.pk is not None:
            raise AppendOnly("history entries are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Refused: the history is append-only."""
        raise AppendOnly("history entries are never deleted")


class Counter(models.Model):
    """The last number given for a form (编号 QF-0001, QF-0002, ...)."""

    form_id = models.CharField(max_length=64, unique=True)
    last = models.PositiveIntegerField(default=0)


class LoginLink(models.Model):
    """A one-time first-login link: only its SHA-256 is stored."""

    username = models.CharField(max_length=150)
    digest = models.CharField(max_length=64, unique=True)
    expires = models.DateTimeField()
    used = models.BooleanField(default=False)


class LoginAttempt(models.Model):
    """A failed sign-in, by name and by address, for throttling."""

    key = models.CharField(max_length=200, db_index=True)
    at = models.DateTimeField(db_index=True)


class Grant(models.Model):
    """A web-only duty a person holds beside the profile's roles: ``auditor`` or ``admin``."""

    username = models.CharField(max_length=150)
    duty = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "duty"], name="grant_unique")]


class Session(AbstractBaseSession):
    """A browser's session, with the id of the user signed in to it: a page reads the session, its
    user and their duties in one query (``regkit.web.sessions``). A user's sessions go with them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls) -> Any:
        """The store that reads and writes these rows."""
        from .sessions import SessionStore

        return SessionStore
