"""Kept database connections: every server thread keeps its PostgreSQL connection between
requests, and after the database restarts no request fails: the kept connections are found closed
and opened afresh (Django's own check, which the application's cheaper one falls back to; with no
check at all, each thread would answer one request with an error)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from web_support import PASSWORD, Client, Postgres, postgres_cluster, start_server

THREADS = 4


@pytest.fixture
def own_postgres() -> Iterator[Postgres]:
    """A cluster of this test's own: it is restarted, which the other tests' servers need not see."""
    with postgres_cluster("regkit-pg-restart-") as pg:
        yield pg


def _burst(clients: list[Client]) -> list[int]:
    """Every client loads its to-do list at once, three times (all server threads take part)."""
    with ThreadPoolExecutor(len(clients)) as pool:
        return [s for _ in range(3) for s in pool.map(lambda c: c.get("/").status, clients)]


def test_requests_survive_a_database_restart(own_postgres: Postgres, tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", own_postgres.create(), workers=1, threads=THREADS)
    try:
        server.cli("db", "password", "李娜", "--password-stdin", stdin=PASSWORD + "\n")
        clients = [Client(server.url) for _ in range(2 * THREADS)]
        for c in clients:
            c.login("李娜")
        assert set(_burst(clients)) == {200}
        own_postgres.restart()
        assert set(_burst(clients)) == {200}, server.log.read_text(errors="replace")[-3000:]
    finally:
        server.stop()
