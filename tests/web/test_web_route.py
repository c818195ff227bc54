"""A 同意欠费通知单 on its route through the live application, on SQLite and on PostgreSQL:
filled in by a 业务员, approved by the 部门经理 (not by its maker), its stub signed by each
receiving department's head, every step in its history, printed, and the audit of it clean."""

from __future__ import annotations

import re
import subprocess

from web_support import Client, Server, record_id

from regkit.forms.records import format_value
from regkit.model import FormField

ARREARS = {
    "date": "2026-11-02", "customer": "华东建材（测试）", "settlement": "现金", "amount": "1,200.50",
    "reason": "月底资金周转，\n客户承诺下月初付清", "promised_date": "2026年12月5日", "handler": "李娜",
    "departments.1": "财务部", "departments.2": "调度部",
}


def _fill(site: Server, who: str = "李娜", **changes: str) -> tuple[Client, int]:
    c = Client(site.url)
    c.login(who)
    fields = dict(ARREARS, handler=who, **changes)
    r = c.post("/forms/arrears-approval/new/", fields)
    assert r.status == 302, r.text[:3000]
    return c, record_id(r)


def _value(page: str, key: str) -> str:
    m = re.search(rf'id="v-{key}">(.*?)</dd>', page, re.S)
    assert m, key
    return m.group(1)


def test_fill_approve_sign(site: Server) -> None:
    maker, pk = _fill(site)
    page = maker.get(f"/records/{pk}/").text
    assert "待批准" in page and _value(page, "amount") == "1200.50" and _value(page, "promised_date") == "2026-12-05"
    assert _value(page, "approved_by") == "—"
    # nobody approves their own record; the maker is not offered the button either
    assert 'id="approve"' not in page
    assert maker.post(f"/records/{pk}/approve/", {}).status == 403
    # someone the record does not concern does not see it at all
    outsider = Client(site.url)
    outsider.login("马超")
    assert outsider.get(f"/records/{pk}/").status == 404
    assert outsider.post(f"/records/{pk}/approve/", {}).status == 404
    # the 部门经理 of 市场部 has it on the to-do list and approves it
    boss = Client(site.url)
    boss.login("张伟")
    assert f"/records/{pk}/" in boss.get("/").text
    r = boss.post(f"/records/{pk}/approve/", {"comment": "同意"})
    assert r.status == 302
    page = boss.get(f"/records/{pk}/").text
    assert _value(page, "approved_by") == "张伟" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", _value(page, "approved_on"))
    assert "待签字" in page
    # each receiving department's head signs the stub; no one else can
    finance, dispatch = Client(site.url), Client(site.url)
    finance.login("王芳")
    dispatch.login("陈刚")
    assert boss.post(f"/records/{pk}/sign/", {"department": "财务部"}).status == 403
    assert finance.post(f"/records/{pk}/sign/", {"department": "调度部"}).status == 403
    assert f"/records/{pk}/" in finance.get("/").text
    assert finance.post(f"/records/{pk}/sign/", {"department": "财务部"}).status == 302
    assert dispatch.post(f"/records/{pk}/sign/", {"department": "调度部"}).status == 302
    page = maker.get(f"/records/{pk}/").text
    signers = format_value(FormField(key="s", label="s", type="list"), ["王芳", "陈刚"])  # as forms print lists
    assert "已完成" in page and _value(page, "stub_signed_by") == signers
    history = page.split("历史记录", 1)[1]
    assert [a for a in ("填写", "批准", "存根签字") if a in history] == ["填写", "批准", "存根签字"]
    assert "</span> 王芳 存根签字" in history and "</span> 陈刚 存根签字" in history and "同意" in history
    assert "批准人：— → 张伟" in history and "存根签字：王芳 → 王芳；陈刚" in history


def test_return_and_resubmit(site: Server) -> None:
    maker, pk = _fill(site, customer="退回测试客户")
    boss = Client(site.url)
    boss.login("张伟")
    assert boss.post(f"/records/{pk}/return/", {"comment": ""}).status == 403  # a return needs a comment
    assert boss.post(f"/records/{pk}/return/", {"comment": "金额有误，请核对"}).status == 302
    page = maker.get("/").text
    assert "被退回的记录" in page and f"/records/{pk}/" in page
    r = maker.post(f"/records/{pk}/edit/", dict(ARREARS, customer="退回测试客户", amount="1100"))
    assert r.status == 302, r.text[:2000]
    page = maker.get(f"/records/{pk}/").text
    assert "待批准" in page and "金额有误，请核对" in page and "1200.50 → 1100" in page


def test_values_checked_as_the_checker_checks(site: Server) -> None:
    c = Client(site.url)
    c.login("李娜")
    bad = dict(ARREARS, amount="一千", settlement="赊账", promised_date="2026-02-30")
    r = c.post("/forms/arrears-approval/new/", bad)
    assert r.status == 400
    assert "is not an amount in yuan" in r.text and "not one of" in r.text and "not a valid date" in r.text
    r = c.post("/forms/arrears-approval/new/", dict(ARREARS, customer=""))
    assert r.status == 400 and "客户名称为必填项" in r.text
    # a month settlement needs no approval by the arrears rule: straight to the stub signatures
    r = c.post("/forms/arrears-approval/new/", dict(ARREARS, settlement="月结", customer="月结客户"))
    assert r.status == 302
    assert "待签字" in c.get(r.location).text


def test_only_the_role_fills_the_form(site: Server) -> None:
    c = Client(site.url)
    c.login("王芳")  # 财务部, not an 经办人
    assert c.get("/forms/arrears-approval/new/").status == 403
    assert c.post("/forms/arrears-approval/new/", ARREARS).status == 403


def test_print_pdf_and_docx(site: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c, pk = _fill(site, customer="打印测试客户")
    r = c.get(f"/records/{pk}/print.pdf")
    assert r.status == 200 and r.body.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(r.body)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "同意欠费通知单" in text and "打印测试客户" in text and "1200.50" in text and "存根" in text
    r = c.get(f"/records/{pk}/print.docx")
    assert r.status == 200 and r.body.startswith(b"PK")


def _number(c: Client, pk: int) -> str:
    m = re.search(r"《同意欠费通知单》(QF-\d+)", c.get(f"/records/{pk}/").text)
    assert m
    return m.group(1)


SELF_APPROVED = """form: arrears-approval
id: QF-9001
date: 2026-11-04
customer: 自批客户
settlement: 现金
amount: 300
reason: 未经部门经理批准即答应客户欠费
promised_date: 2026-11-20
handler: 陈晨
approved_by: 陈晨
approved_on: 2026-11-04
departments: [财务部]
stub_signed_by: [王芳]
"""


def test_audit_page_and_unapproved_slip(site: Server) -> None:
    maker, pk = _fill(site, customer="未批准客户", date="2026-11-03")
    number = _number(maker, pk)
    auditor = Client(site.url)
    auditor.login("林涛")
    # a paper slip the handler approved himself, imported from its record file
    boundary = "----regkit-test"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{auditor.csrf()}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"slip.yaml\"\r\n"
            f"Content-Type: application/yaml\r\n\r\n{SELF_APPROVED}\r\n--{boundary}--\r\n").encode()
    r = auditor.request("POST", "/audit/import/", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status == 200 and 'id="n-stored">1<' in r.text, r.text[:2000]
    page = auditor.get("/audit/?only=arrears-approval&as_of=2026-11-30").text
    assert 'data-rule="arrears-approved-by-leader" data-record="QF-9001"' in page
    assert "自批客户" in page and "陈晨" in page
    # the slip still waiting for approval: a finding (an empty approval is evidence), or, while the
    # checker still calls an empty required field unreadable, listed under its number
    assert (f'data-rule="arrears-approved-by-leader" data-record="{number}"' in page
            or f"database:arrears-approval/{number}" in page), page[:4000]
    staff = Client(site.url)
    staff.login("李娜")
    assert staff.get("/audit/").status == 403
    assert staff.get("/audit/export.csv?form=arrears-approval").status == 403


def test_export_reads_back_as_stored(site: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io
    import json

    from openpyxl import load_workbook
    from web_support import regkit

    _fill(site, customer="导出客户")
    auditor = Client(site.url)
    auditor.login("林涛")
    r = auditor.get("/audit/export.csv?form=arrears-approval")
    assert r.status == 200 and r.body.startswith("\ufeff编号,".encode())
    path = tmp_path / "arrears-approval.csv"
    path.write_bytes(r.body)
    x = auditor.get("/audit/export.xlsx?form=arrears-approval")
    (tmp_path / "register.xlsx").write_bytes(x.body)
    sheet = load_workbook(tmp_path / "register.xlsx").active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]]
    listed = [row["编号"] for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))]
    assert numbers == listed and "导出客户" in r.text
    url = site.database if "postgresql" in site.database else f"sqlite:///{site.data / 'regkit.sqlite3'}"
    args = ["--only", "arrears-approval", "--as-of", "2026-11-30", "--format", "json"]
    files = json.loads(regkit("check", str(path), *args, check=False).stdout)
    stored = json.loads(regkit("check", "--database", url, *args, check=False).stdout)
    # the database holds other forms' records too (other tests fill them): compare this form's
    assert files["summary"]["penalties"] == stored["summary"]["penalties"]
    assert len(files["unreadable"]) == len([u for u in stored["unreadable"] if "arrears-approval" in u["source"]])

    def key(f: dict[str, object]) -> tuple[object, ...]:
        return tuple(sorted((k, str(v)) for k, v in f.items() if k not in ("source", "line")))

    assert sorted(map(key, files["findings"])) == sorted(map(key, stored["findings"]))


def test_an_older_page_cannot_approve(site: Server) -> None:
    # the approver opened the slip; its maker then changed it: approving what was shown is refused,
    # and the record keeps the maker's change, unapproved; the page shown afresh approves it
    maker, pk = _fill(site)
    boss = Client(site.url)
    boss.login("张伟")
    shown = re.search(r'name="version" value="(\d+)"', boss.get(f"/records/{pk}/").text)
    assert shown is not None
    r = maker.post(f"/records/{pk}/edit/", dict(ARREARS, amount="900"))
    assert r.status == 302, r.text[:2000]
    r = boss.post(f"/records/{pk}/approve/", {"version": shown.group(1), "comment": ""})
    assert r.status == 403 and "已被他人修改" in r.text
    page = boss.get(f"/records/{pk}/").text
    assert _value(page, "amount") == "900.00" and _value(page, "approved_by") == "—"
    fresh = re.search(r'name="version" value="(\d+)"', page)
    assert fresh is not None and fresh.group(1) != shown.group(1)
    assert boss.post(f"/records/{pk}/approve/", {"version": fresh.group(1), "comment": ""}).status == 302
    assert _value(boss.get(f"/records/{pk}/").text, "approved_by") == "张伟"
