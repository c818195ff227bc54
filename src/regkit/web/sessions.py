"""Sessions in the database, loaded with their person in one query.

Every page needs the session, the signed-in user and whether they audit: with Django's own session
store that is three queries, each a round trip and some of the ORM's time. Here the session row
carries its user's id (Django's documented way to extend the database session store), so one
query reads the session, its user and their auditor duty. Django's own ``get_user`` still decides
who is signed in: the user loaded here is handed to it only as the answer to its user lookup for
that same id, so its checks (the password hash the session was made with, an active account) are
Django's, on the row as it is now."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.sessions.backends import db
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

AUDIT_DUTIES = ("auditor", "admin")  # access.AUDITOR, access.ADMIN: those who read every record

_LOADED: ContextVar[Any] = ContextVar("the user loaded with the session", default=None)


class SessionStore(db.SessionStore):
    """Django's database session store on ``Session``, which records the signed-in user's id."""

    loaded_user: Any = None

    @classmethod
    def get_model_class(cls) -> Any:
        """The session model of the application."""
        from .models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        """The row to save, with the id of the user signed in (if any)."""
        row = super().create_model_instance(data)
        raw = data.get(SESSION_KEY)
        row.user_id = int(raw) if isinstance(raw, (int, str)) and str(raw).isdigit() else None
        return row

    def load(self) -> dict[str, Any]:
        """The session's data; its user (with ``audits``) kept aside, in the same query."""
        self.loaded_user = None
        if not self.session_key:  # no cookie: nothing to look up (as Django's store would find nothing)
            self._session_key = None
            return {}
        row = _read(self.session_key)
        if row is None:
            self._session_key = None
            return {}
        data, user = row
        self.loaded_user = user
        decoded: dict[str, Any] = self.decode(data)
        return decoded


def _read(key: str) -> tuple[str, Any] | None:
    """The session's data and its user (None if no user is signed in), or None if there is no such
    unexpired session."""
    from .models import Grant, Session

    user_model = get_user_model()
    q = connection.ops.quote_name
    fields = list(user_model._meta.concrete_fields)
    user_table, session_table, grant_table = (q(m._meta.db_table) for m in (user_model, Session, Grant))
    user_pk, session_user = q(user_model._meta.pk.column), q(Session._meta.get_field("user").column)
    columns = ", ".join(f"u.{q(f.column)}" for f in fields)
    sql = (f"SELECT s.{q('session_data')}, {columns}, EXISTS (SELECT 1 FROM {grant_table} g "
           f"WHERE g.{q('username')} = u.{q(user_model.USERNAME_FIELD)} AND g.{q('duty')} IN (%s, %s)) "
           f"FROM {session_table} s LEFT JOIN {user_table} u ON u.{user_pk} = s.{session_user} "
           f"WHERE s.{q('session_key')} = %s AND s.{q('expire_date')} > %s")
    with connection.cursor() as cur:
        cur.execute(sql, [*AUDIT_DUTIES, key, connection.ops.adapt_datetimefield_value(timezone.now())])
        row = cur.fetchone()
    if row is None:
        return None
    values = list(row[1:-1])
    if values[[f.attname for f in fields].index(user_model._meta.pk.attname)] is None:
        return str(row[0]), None
    for i, f in enumerate(fields):  # as the ORM reads them (SQLite's dates are text, its booleans 0/1)
        col = f.get_col("u")
        for convert in [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]:
            values[i] = convert(values[i], col, connection)
    user = user_model.from_db(connection.alias, [f.attname for f in fields], values)
    user.regkit_audits = bool(row[-1])
    return str(row[0]), user


class SessionUserBackend(ModelBackend):
    """Django's model backend; a user lookup for the user just loaded with the session is answered
    with that row (the same query's), any other as Django answers it."""

    def get_user(self, user_id: Any) -> Any:
        """The user of this id, if they may sign in."""
        loaded = _LOADED.get()
        if loaded is not None and loaded.pk == user_id:
            return loaded if self.user_can_authenticate(loaded) else None
        return super().get_user(user_id)


def _user(request: HttpRequest) -> Any:
    """Django's ``get_user``, told of the user its session query loaded."""
    store = request.session
    store.get(SESSION_KEY)  # loads the session (and its user) if not loaded yet
    token = _LOADED.set(getattr(store, "loaded_user", None))
    try:
        return auth.get_user(request)
    finally:
        _LOADED.reset(token)


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware, with the user loaded with the session."""

    def process_request(self, request: HttpRequest) -> None:
        """``request.user`` as Django sets it, found by ``_user``."""
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))
