"""Signing in (throttled), out, and first-login links."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from .. import accounts
from .common import page


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The sign-in page: name (as in the organisation profile) and password."""
    nxt = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    error = ""
    name = ""
    status = 200
    if request.method == "POST":
        name = request.POST.get("username", "").strip()[:64]
        address = request.META.get("REMOTE_ADDR", "")
        if accounts.throttled(name, address):
            error, status = "登录失败次数过多，请15分钟后再试", 429
        else:
            user = authenticate(request, username=name, password=request.POST.get("password", ""))
            if user is None:
                accounts.failed(name, address)
                error, status = "姓名或密码不正确", 401
            else:
                accounts.succeeded(name)
                login(request, user)
                return HttpResponseRedirect(nxt)
    return page(request, "login.html", status=status, error=error, name=name, next=nxt)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out (POST, so no other site can sign a person out with a link)."""
    logout(request)
    return HttpResponseRedirect("/login/")


@require_http_methods(["GET", "POST"])
def first_login(request: HttpRequest, token: str) -> HttpResponse:
    """Set one's password through the link the administrator issued."""
    error = ""
    if not accounts.link_valid(token):
        return page(request, "link.html", status=410, error="登录链接无效或已过期，请联系管理员", valid=False)
    if request.method == "POST":
        pw, again = request.POST.get("password", ""), request.POST.get("again", "")
        if pw != again:
            error = "两次输入的密码不一致"
        else:
            try:
                name = accounts.redeem_link(token, pw)
            except ValidationError as exc:
                error = "密码不符合要求：" + " ".join(str(m) for m in exc.messages)
            except ValueError as exc:
                error = str(exc)
            else:
                user = authenticate(request, username=name, password=pw)
                if user is not None:
                    login(request, user)
                return HttpResponseRedirect("/")
    return page(request, "link.html", error=error, valid=True)
