"""Database URLs (``sqlite:///path``, ``postgresql://user:pw@host:port/name``) as Django settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import UsageError

DEFAULT_DATABASE = "regkit.sqlite3"
PREPARE_THRESHOLD = 5  # runs of a statement on a connection before PostgreSQL keeps it prepared


def database_settings(url: str, data_dir: Path) -> dict[str, Any]:
    """Django's ``DATABASES['default']`` for a URL; a bare path is an SQLite file. Relative SQLite
    paths are inside ``data_dir``."""
    if "://" not in url:
        url = "sqlite:///" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = unquote(parts.path)
        path = Path(raw[1:])  # sqlite:///rel/file, sqlite:////abs/file
        if str(path) == ".":
            path = Path(DEFAULT_DATABASE)
        if not path.is_absolute():
            path = data_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            # each server thread keeps its connection: opening one (and registering Django's SQL
            # functions on it) cost more than a page's queries
            "CONN_MAX_AGE": 60,
            # WAL lets readers go on while one request writes; IMMEDIATE takes the write lock at the
            # start of a transaction, so two writers queue instead of failing with "database is locked".
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise UsageError(f"database URL {redact(url)!r} names no database (postgresql://host/NAME)")
        options: dict[str, Any] = {}
        if "sslmode" in query:
            options["sslmode"] = query["sslmode"]
        # Values go to the server apart from the statement (server-side binding), and a statement a
        # connection runs for the fifth time is prepared: the server then neither parses nor plans
        # the same few statements on every page. Behind a pooler that cannot keep prepared statements
        # (PgBouncer in transaction mode before 1.21), add ?prepare_threshold=none to the URL.
        options["server_side_binding"] = True
        threshold = query.get("prepare_threshold", str(PREPARE_THRESHOLD)).strip().lower()
        if threshold not in ("none", "") and not threshold.isdigit():
            raise UsageError(f"database URL {redact(url)!r}: prepare_threshold is a number or none")
        options["prepare_threshold"] = int(threshold) if threshold.isdigit() else None
        return {
            "ENGINE": "regkit.web.postgres",  # Django's, with a check that costs no round trip
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": query.get("host") or unquote(parts.hostname or ""),
            "PORT": str(parts.port or query.get("port") or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise UsageError(f"unsupported database URL {redact(url)!r}: use sqlite:///FILE or postgresql://…")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
