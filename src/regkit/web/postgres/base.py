"""Django's PostgreSQL backend, with a check of a kept connection that costs no round trip.

Server threads keep their connection between requests, and Django checks it at the start of each
request (``CONN_HEALTH_CHECKS``) so that a database restart costs no request an error. Django's check
is a ``SELECT 1``: a round trip to the server on every page. An idle connection that the server
has closed (a restart, an administrator ending it, an idle timeout) has something to read: the
server's farewell message, or the end of the stream. So the socket is polled first, which costs
no round trip; only a connection with something to read, or one not idle, gets Django's own check."""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's PostgreSQL connection, checked by a poll of its socket before Django's ``SELECT 1``."""

    def is_usable(self) -> bool:
        """Whether the kept connection still works: quiet and idle, or Django's query succeeds."""
        conn = self.connection
        if conn is None or conn.closed:
            return False
        if conn.info.transaction_status == pq.TransactionStatus.IDLE and not _readable(conn.fileno()):
            return True
        return bool(super().is_usable())


def _readable(fd: int) -> bool:
    """Whether the socket has something to read (or is closed or broken) right now."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
