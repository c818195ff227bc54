"""The stored records audit as files do: existing record files imported into the database, then
``regkit check --database`` gives the same findings as ``regkit check`` on the files; the CSV export
reads back the same. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ROOT, Postgres, regkit

EXAMPLES = ROOT / "examples" / "records"
AS_OF = "2026-11-30"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An empty database (URL) and a data folder."""
    if request.param == "postgresql":
        pg: Postgres = request.getfixturevalue("postgres")
        yield pg.create(), tmp_path
    else:
        yield f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path


def _key(f: dict[str, object]) -> tuple[object, ...]:
    # where a record is (its file and line, or database:FORM/NUMBER) differs; nothing else may
    return tuple(sorted((k, json.dumps(v, ensure_ascii=False)) for k, v in f.items() if k not in ("source", "line")))


def test_check_database_equals_check_files(database: tuple[str, Path]) -> None:
    url, data = database
    files = regkit("check", str(EXAMPLES), "--as-of", AS_OF, "--format", "json", check=False)
    assert files.returncode in (1, 2), files.stderr
    expected = json.loads(files.stdout)
    imported = regkit("db", "import", str(EXAMPLES), "--database", url, "--data", str(data), check=False)
    assert imported.returncode in (0, 2), imported.stderr
    # what the files' audit could not read is exactly what the import could not store
    assert len(imported.stderr.strip().splitlines()) == len(expected["unreadable"]), imported.stderr
    stored = regkit("check", "--database", url, "--as-of", AS_OF, "--format", "json", check=False)
    assert stored.returncode == 1, stored.stderr
    got = json.loads(stored.stdout)
    assert got["unreadable"] == []
    assert got["summary"]["checked"] == expected["summary"]["checked"]
    assert got["summary"]["penalties"] == expected["summary"]["penalties"]
    assert sorted(map(_key, got["findings"])) == sorted(map(_key, expected["findings"]))
    assert all(f["source"].startswith("database:") for f in got["findings"] if f["record"])
    # the text report and the exit code come through the same path as for files
    text = regkit("check", "--database", url, "--as-of", AS_OF, "--only", "arrears-approval", check=False)
    assert text.returncode == 1 and "database:arrears-approval" in text.stdout


def test_check_database_unreachable(tmp_path: Path) -> None:
    r = regkit("check", "--database", "postgresql://nobody@/nodb?host=/nonexistent&port=1", check=False)
    assert r.returncode == 2 and "cannot open database" in r.stderr and "Traceback" not in r.stderr
    r = regkit("check", "--database", "mysql://x/y", check=False)
    assert r.returncode == 2 and "unsupported database URL" in r.stderr
