"""The to-do lists and record lists take as many database queries with 40 records as with 3: no
query per record (a permission check per row, a record loaded per task) creeps back. Counted, not
timed; on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from web_support import REGULATIONS, ROOT, Postgres

SCRIPT = Path(__file__).parent / "query_counts.py"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_lists_take_queries_independent_of_records(kind: str, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    if kind == "postgresql":
        pg: Postgres = request.getfixturevalue("postgres")
        database = pg.create()
    else:
        database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    proc = subprocess.run([sys.executable, str(SCRIPT), str(REGULATIONS), str(tmp_path), database],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = json.loads(proc.stdout)
    assert counts["many"] == counts["few"], counts
    shown = counts["shown"]
    # the pages list what they should (a page listing nothing would count few queries too)
    assert shown["to-do list of the approver"] == shown["records awaiting the approver"] == 40
    assert shown["record list of the maker"] == shown["record list of the approver"] == 40
    assert shown["record list of someone the records do not concern"] == 0
