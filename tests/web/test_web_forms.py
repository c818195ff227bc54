"""Form pages generated from the YAML beyond the slip: a table form with its rows, the to-do list's
periodic forms (cadence rules) and promised dates coming up (deadline rules), every form of the
regulations rendering as a page."""

from __future__ import annotations

import datetime as dt
import re

from conftest import PEOPLE
from web_support import Client, Server, record_id


def server_today(c: Client) -> dt.date:
    """Today where the application runs (its time zone), as the fill page's date shows it."""
    m = re.search(r'id="f-date" name="date" type="date" value="([\d-]+)"', c.get("/forms/arrears-approval/new/").text)
    assert m
    return dt.date.fromisoformat(m.group(1))


def test_every_form_is_a_page(site: Server) -> None:
    seen: set[str] = set()
    for person in PEOPLE:
        c = Client(site.url)
        c.login(person)
        listing = c.get("/forms/").text
        assert len(re.findall(r"《([^》]+)》", listing)) >= 30  # every form of the regulations is listed
        for form_id in sorted(set(re.findall(r"/forms/([a-z0-9-]+)/new/", listing)) - seen):
            r = c.get(f"/forms/{form_id}/new/")
            assert r.status == 200 and 'name="csrfmiddlewaretoken"' in r.text, (person, form_id)
            seen.add(form_id)
    assert len(seen) >= 10


def test_table_form_and_periodic_due(site: Server) -> None:
    c = Client(site.url)
    c.login("陈晨")
    today = server_today(c)
    home = c.get("/").text
    assert "本期应填报表" in home and "/forms/lost-customer-analysis/new/" in home.split("本期应填报表", 1)[1]
    page = c.get("/forms/lost-customer-analysis/new/").text
    assert 'name="rows.0.customer"' in page and 'name="rows.2.result"' in page and "添加一行" in page
    fields = {
        "period": today.strftime("%Y-%m"), "prepared_by": "陈晨", "prepared_on": today.isoformat(),
        "rows.0.customer": "甲公司", "rows.0.last_business_date": "2026-09-30", "rows.0.reason_category": "价格",
        "rows.0.reason": "运价高于同行", "rows.0.retention_action": "报价下调申请", "rows.0.result": "跟进中",
        "rows.5.customer": "乙公司", "rows.5.last_business_date": "2026/10/8", "rows.5.reason_category": "服务",
        "rows.5.reason": "时效不稳定", "rows.5.retention_action": "专线", "rows.5.result": "已挽回",
    }
    r = c.post("/forms/lost-customer-analysis/new/", fields)
    pk = record_id(r)
    page = c.get(f"/records/{pk}/").text
    table = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 3 and "甲公司" in table and "2026-10-08" in table and "已挽回" in table
    home = c.get("/").text
    assert "/forms/lost-customer-analysis/new/" not in home.split("本期应填报表", 1)[-1].split("我可以填写", 1)[0]
    # a row with a bad value is refused with the row and column named
    bad = dict(fields, **{"rows.0.last_business_date": "2026-13-01"})
    r = c.post("/forms/lost-customer-analysis/new/", bad)
    assert r.status == 400 and "rows[0].last_business_date" in r.text


def test_promised_date_coming_up(site: Server) -> None:
    c = Client(site.url)
    c.login("陈晨")
    today = server_today(c)
    soon = today + dt.timedelta(days=3)
    r = c.post("/forms/arrears-approval/new/", {
        "date": today.isoformat(), "customer": "即将到期客户", "settlement": "现金", "amount": "500",
        "reason": "周转", "promised_date": soon.isoformat(), "handler": "陈晨", "departments.1": "财务部"})
    pk = record_id(r)
    due = c.get("/").text.split("即将到期", 1)[1].split("</section>", 1)[0]
    assert f"/records/{pk}/" in due and soon.isoformat() in due
    # paid: the maker records it later (an optional follow-up field stays editable) and it is no longer due
    boss = Client(site.url)
    boss.login("张伟")
    assert boss.post(f"/records/{pk}/approve/", {}).status == 302
    edit = c.get(f"/records/{pk}/edit/").text
    assert 'name="paid_on"' in edit and 'name="customer"' not in edit  # approved: only follow-ups change
    r = c.post(f"/records/{pk}/edit/", {"paid_on": today.isoformat(), "paid_amount": "500"})
    assert r.status == 302, r.text[:2000]
    assert f"/records/{pk}/" not in c.get("/").text.split("即将到期", 1)[-1].split("</section>", 1)[0]
    assert "付清日期：— → " + today.isoformat() in c.get(f"/records/{pk}/").text
