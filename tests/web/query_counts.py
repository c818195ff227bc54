"""Run by test_web_queries in a process of its own (Django is set up once per process): the number
of database queries the to-do lists and record lists take with few and with many records.

    python query_counts.py REGULATIONS DATA_DIR DATABASE_URL
prints {"few": {page: queries}, "many": {...}, "most": {...}, "shown": {page: records linked with
"many"}, "more": {page: the to-do list's line for those not shown}, "bench": {page: queries}} as JSON,
"bench" being the pages the web bench loads (bench/web_bench.py), counted with "most" records."""

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
    out["bench"] = bench_pages(clients["李娜"], clients["张伟"], connection)
    print(json.dumps(out, ensure_ascii=False))


def bench_pages(maker: Any, approver: Any, connection: Any) -> dict[str, int]:
    """The queries of each page the web bench loads: a maker fills in a slip and looks at it, the
    approver opens it and approves it (every page once before, as a warm server has)."""
    from django.test.utils import CaptureQueriesContext

    out: dict[str, int] = {}

    def count(page: str, call: Any, *args: Any) -> Any:
        with CaptureQueriesContext(connection) as queries:
            response = call(*args)
        assert response.status_code in (200, 302), (page, response.status_code)
        out[page] = len(queries.captured_queries)
        return response

    for round_ in range(2):
        count("form page", maker.get, "/forms/arrears-approval/new/")
        slip = {k: v for k, v in SLIP.items() if k != "departments"}
        made = count("submit", maker.post, "/forms/arrears-approval/new/",
                     dict(slip, customer=f"基准页面{round_}", **{"departments.1": "财务部"}))
        assert made.status_code == 302, made.content.decode()[:2000]
        path = made["Location"]
        count("record page of the maker", maker.get, path)
        html = count("record page of the approver", approver.get, path).content.decode()
        version = re.search(r'name="version" value="(\d+)"', html)
        assert version is not None and 'id="approve"' in html
        done = count("approve", approver.post, path + "approve/", {"version": version.group(1), "comment": ""})
        assert done.status_code == 302
    return out


if __name__ == "__main__":
    main()
