"""Database URLs (``sqlite:///path``, ``postgresql://user:pw@host:port/name``) as Django settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..errors import UsageError

DEFAULT_DATABASE = "regkit.sqlite3"


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
