"""Fixtures of the web tests: the same tests run against a server on SQLite and one on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import PASSWORD, Postgres, Server, postgres_cluster, start_server

PEOPLE = ["李娜", "陈晨", "张伟", "王芳", "陈刚", "林涛", "孙悦", "马超"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster for the session."""
    with postgres_cluster() as pg:
        yield pg


def _server(kind: str, tmp: Path, postgres_factory: object) -> Server:
    if kind == "postgresql":
        assert isinstance(postgres_factory, Postgres)
        database = postgres_factory.create()
    else:
        database = "sqlite:///regkit.sqlite3"
    server = start_server(tmp / "data", database)
    server.cli("db", "password", *PEOPLE, "--password-stdin", stdin=PASSWORD + "\n")
    server.cli("db", "grant", "林涛", "auditor")
    return server


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running server with accounts for the demo people (林涛 audits), on each database."""
    pg = request.getfixturevalue("postgres") if request.param == "postgresql" else None
    server = _server(request.param, tmp_path_factory.mktemp(f"site-{request.param}"), pg)
    yield server
    server.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here starts the web application: marked ``web``."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.web)
