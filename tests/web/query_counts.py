"""Run by test_web_queries in a process of its own (Django is set up once per process): the number
of database queries the to-do lists and record lists take with few and with many records.

    python query_counts.py REGULATIONS DATA_DIR DATABASE_URL
prints {"few": {page: queries}, "many": {...}, "most": {...}, "shown": {page: records linked with
"many"}, "more": {page: the to-do list's line for those not shown}} as JSON."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from regkit.web.cli import web_config
from regkit.web.server import upgrade

SIZES = {"few": 3, "many": 105, "most": 210}  # records stored; the to-do list shows 100
SLIP = {"date": "2026-11-02", "customer": "查询计数客户", "settlement": "现金", "amount": "800",
        "reason": "测试", "promised_date": "2026-12-05", "handler": "李娜", "departments": ["财务部"]}
PAGES = {  # who looks at which page
    "to-do list of the approver": ("张伟", "/"),
    "to-do list of the maker": ("李娜", "/"),
    "record list of the maker": ("李娜", "/records/"),
    "record list of the approver": ("张伟", "/records/"),
    "record list of someone the records do not concern": ("马超", "/records/"),
    "records awaiting the approver": ("张伟", "/records/?task=approve"),
}


def main() -> None:
    """Store records, count each page's queries, store more, count again."""
    regulations, data, database = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    upgrade(web_config(regulations, None, data, database))
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from regkit.web import access, accounts, service

    project = access.project()
    clients = {}
    for name in {who for who, _ in PAGES.values()}:
        accounts.ensure_user(project, name)
        clients[name] = Client()
        clients[name].force_login(get_user_model().objects.get(username=name))
    _, form = project.form("arrears-approval") or (None, None)
    assert form is not None

    def store(n: int) -> None:
        for i in range(n):
            checked = service.check_values(project, form, dict(SLIP, customer=f"查询计数客户{i}"), None)
            service.create(project, form.id, checked, "李娜")

    out: dict[str, dict[str, Any]] = {"few": {}, "many": {}, "most": {}, "shown": {}, "more": {}}
    stored = 0
    for size, count in SIZES.items():
        store(count - stored)
        stored = count
        for page, (who, path) in PAGES.items():
            with CaptureQueriesContext(connection) as queries:
                response = clients[who].get(path)
            assert response.status_code == 200, (page, response.status_code)
            out[size][page] = len(queries.captured_queries)
            html = response.content.decode()
            if size != "many":
                continue
            out["shown"][page] = len(re.findall(r'href="/records/\d+/"', html))
            more = re.search(r'<li class="more"><a href="([^"]+)">([^<]+)</a>', html)
            out["more"][page] = list(more.groups()) if more else None
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
