"""Write transactions. On SQLite one writer at a time holds the database, and the others wait in
SQLite's busy handler, which polls in growing sleeps (up to 100 ms each) that late comers
overtake: under load a write waited seconds. So the application's writers queue before they
begin: behind a thread lock within a process, then a lock file between the server's processes
(``flock`` wakes the next writer as soon as the lock is let go). PostgreSQL queues writers on
row locks itself: there this is a plain transaction."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.db import connection, transaction

LOCK_SUFFIX = "-writer.lock"

_THREADS = threading.Lock()
_FILE: dict[int, IO[bytes]] = {}  # by process id: a lock file opened before a fork is not shared


def _lock_file() -> IO[bytes] | None:
    """This process's handle on the database's lock file (None for an in-memory database)."""
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    fh = _FILE.get(os.getpid())
    if fh is None:
        fh = _FILE[os.getpid()] = open(name + LOCK_SUFFIX, "ab")  # kept open while the process lives
    return fh


@contextmanager
def writing() -> Iterator[None]:
    """A write transaction, begun once it is this writer's turn (on SQLite)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with _THREADS:
        fh = _lock_file()
        if fh is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            with transaction.atomic():
                yield
        finally:
            if fh is not None:
                fcntl.flock(fh, fcntl.LOCK_UN)
