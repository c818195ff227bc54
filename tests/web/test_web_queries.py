"""The to-do lists and record lists take as many database queries with 210 records as with 105
(and as with 3, but for the count of approvals when there are more than the list shows): no query
per record (a permission check per row, a record loaded per task) creeps back. Every page takes
the number of queries pinned here: the session, its user and their auditor duty are one query,
and the pages the web bench loads take no more than they need. Counted, not timed; on SQLite and
on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from web_support import REGULATIONS, ROOT, Postgres

SCRIPT = Path(__file__).parent / "query_counts.py"
# with 3 records; the session, its user and their duty are the first query of each
FEW = {"to-do list of the approver": 6, "to-do list of the maker": 6, "record list of the maker": 2,
       "record list of the approver": 2, "record list of someone the records do not concern": 3,
       "records awaiting the approver": 2}
# the pages of bench/web_bench.py; submit and approve include their transaction's BEGIN and COMMIT
BENCH = {"form page": 1, "submit": 7, "record page of the maker": 2, "record page of the approver": 2, "approve": 8}


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
    assert counts["few"] == FEW, counts["few"]
    assert counts["bench"] == BENCH, counts["bench"]
    assert counts["most"] == counts["many"], counts
    few = dict(counts["few"], **{"to-do list of the approver": counts["few"]["to-do list of the approver"] + 1})
    assert counts["many"] == few, counts
    shown = counts["shown"]
    # the pages list what they should (a page listing nothing would count few queries too): the
    # to-do list the 100 waiting longest and a link to all of them
    assert shown["to-do list of the approver"] == 100
    assert counts["more"]["to-do list of the approver"] == ["/records/?task=approve", "还有 5 条，查看全部"]
    assert shown["records awaiting the approver"] == 105
    assert shown["record list of the maker"] == shown["record list of the approver"] == 105
    assert shown["record list of someone the records do not concern"] == 0
