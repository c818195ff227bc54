"""Security of the live application: headers and CSP, CSRF, sign-in throttling, request limits,
per-object permissions, append-only history."""

from __future__ import annotations

import urllib.parse

from web_support import PASSWORD, Client, Server

CSP_PARTS = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
             "form-action 'self'", "base-uri 'none'", "object-src 'none'"]


def test_security_headers(site: Server) -> None:
    c = Client(site.url)
    for path in ("/login/", "/", "/static/web.css"):
        r = c.get(path)
        csp = r.headers.get("content-security-policy", "")
        assert all(p in csp for p in CSP_PARTS), (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers.get("x-content-type-options") == "nosniff"
        assert r.headers.get("x-frame-options") == "DENY"
        assert r.headers.get("referrer-policy") == "same-origin"
        assert r.headers.get("cross-origin-opener-policy") == "same-origin"
    page = c.get("/login/").text
    assert "<script>" not in page and "style=" not in page and "onclick" not in page
    cookie = c.get("/login/").headers.get("set-cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_need_sign_in(site: Server) -> None:
    c = Client(site.url)
    for path in ("/", "/forms/", "/records/", "/records/1/", "/audit/", "/forms/arrears-approval/new/"):
        r = c.get(path)
        assert r.status == 302 and r.location.startswith("/login/"), path


def test_csrf_required(site: Server) -> None:
    c = Client(site.url)
    r = c.post("/login/", {"username": "李娜", "password": PASSWORD}, csrf=False)
    assert r.status == 403
    c.login("李娜")
    r = c.post("/forms/arrears-approval/new/", {"customer": "x"}, csrf=False)
    assert r.status == 403


def test_login_throttled(site: Server) -> None:
    c = Client(site.url)
    codes = [c.post("/login/", {"username": "孙悦", "password": "wrong-password"}).status for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    # the right password is refused too while throttled
    assert c.post("/login/", {"username": "孙悦", "password": PASSWORD}).status == 429


def test_request_limits(site: Server) -> None:
    c = Client(site.url)
    c.login("李娜")
    token = c.csrf()
    # one oversized field
    r = c.post("/forms/arrears-approval/new/", {"customer": "长" * 20_000})
    assert r.status in (400, 413)
    # ten thousand fields
    body = urllib.parse.urlencode([(f"f{i}", "x") for i in range(10_000)] + [("csrfmiddlewaretoken", token)])
    r = c.request("POST", "/forms/arrears-approval/new/", body.encode(),
                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400
    # the same field twice
    r = c.post("/forms/arrears-approval/new/", [("customer", "甲"), ("customer", "乙")])
    assert r.status == 400
    # a body over the limit
    r = c.post("/forms/arrears-approval/new/", {"reason": "x" * 9000, **{f"r{i}": "y" * 9000 for i in range(300)}})
    assert r.status in (400, 413)


def test_refused_body_still_gets_its_answer(site: Server) -> None:
    # the server refuses the body before reading it; unless it reads it anyway, closing the socket
    # resets the connection and the client, still sending, sees a broken pipe, not the 413 page
    c = Client(site.url)
    c.login("李娜")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": c.csrf(), "reason": "x" * (12 << 20)}).encode()
    for _ in range(3):
        r = c.request("POST", "/forms/arrears-approval/new/", body,
                      {"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == 413
        assert "请求过大" in r.body.decode()


def test_first_login_link(site: Server) -> None:
    out = site.cli("db", "link", "郭琳", "--base-url", site.url).stdout
    url = out.split("\t")[1].strip()
    path = url.removeprefix(site.url)
    c = Client(site.url)
    assert c.get(path).status == 200
    assert c.post(path, {"password": "short", "again": "short"}).status == 200  # refused, page again
    r = c.post(path, {"password": "Neiqin-mima-2026", "again": "Neiqin-mima-2026"})
    assert r.status == 302
    assert c.get("/").status == 200
    assert Client(site.url).get(path).status == 410  # used once only
    assert site.cli("db", "link", "不存在的人", check=False).returncode == 2


def _copy_session(source: Client, base: str) -> Client:
    """A second browser holding the same session cookie (as one that copied or stole it)."""
    other = Client(base)
    for c in source.jar:
        other.jar.set_cookie(c)
    return other


def test_session_ends_on_sign_out_and_password_change(site: Server) -> None:
    # the session, its user and their duties are read in one query: none of them may outlive its cause
    me = Client(site.url)
    me.login("陈刚")
    copy = _copy_session(me, site.url)
    assert me.get("/").status == 200 and copy.get("/").status == 200
    assert me.post("/logout/", {}).status == 302
    r = copy.get("/")  # the session is gone on the server, not only in the browser that signed out
    assert r.status == 302 and r.location.startswith("/login/")
    me.login("陈刚")
    copy = _copy_session(me, site.url)
    try:
        site.cli("db", "password", "陈刚", "--password-stdin", stdin="Another-password-2026\n")
        r = copy.get("/")  # the session was made with the old password: it no longer signs anyone in
        assert r.status == 302 and r.location.startswith("/login/")
    finally:
        site.cli("db", "password", "陈刚", "--password-stdin", stdin=PASSWORD + "\n")


def test_auditor_duty_read_afresh_on_each_page(site: Server) -> None:
    me = Client(site.url)
    me.login("陈刚")
    assert me.get("/audit/").status == 403 and 'href="/audit/"' not in me.get("/").text
    try:
        site.cli("db", "grant", "陈刚", "auditor")
        assert me.get("/audit/").status == 200  # the same session, the duty as it is now
        assert 'href="/audit/"' in me.get("/").text
    finally:
        site.cli("db", "grant", "陈刚", "auditor", "--revoke")
    assert me.get("/audit/").status == 403
