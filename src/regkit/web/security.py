"""Request limits and security headers. Django refuses too large bodies and too many fields
(400); this adds a size limit per field (413) and refuses repeated field names (400), and sets a
strict Content-Security-Policy: no inline script or style, nothing from elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# a refused body up to this size is read before answering, so the client sees the answer
DRAIN_LIMIT = 64 << 20

Handler = Callable[[HttpRequest], HttpResponse]


class RequestLimitMiddleware:
    """400 for repeated field names or too many fields, 413 for an over-long field or body."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problem = self._problem(request)
        except TooManyFieldsSent:
            return HttpResponseBadRequest("请求的字段过多".encode(), content_type="text/plain; charset=utf-8")
        except RequestDataTooBig:
            response = HttpResponse("请求过大".encode(), status=413, content_type="text/plain; charset=utf-8")
            if not _drain(request):
                response.headers["Connection"] = "close"
            return response
        if problem is not None:
            return problem
        return self.get_response(request)

    def _problem(self, request: HttpRequest) -> HttpResponse | None:
        limit = int(settings.REGKIT_MAX_FIELD_CHARS)
        sources = [request.GET]
        if request.method == "POST":
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                if len(values) > 1:
                    return HttpResponseBadRequest(f"字段 {key[:40]} 重复".encode(),
                                                  content_type="text/plain; charset=utf-8")
                if len(key) > 200 or any(len(v) > limit for v in values):
                    return HttpResponse(f"字段 {key[:40]} 过长".encode(), status=413,
                                        content_type="text/plain; charset=utf-8")
        return None


def _drain(request: HttpRequest) -> bool:
    """Read and discard the body Django refused unread, up to ``DRAIN_LIMIT`` bytes; True if it all
    came. A server that closes a socket with unread data makes the kernel reset the connection, and
    the client, still sending, sees a broken pipe instead of the 413 page (as nginx's lingering close,
    the refused body is read first)."""
    try:
        left = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    if left > DRAIN_LIMIT:
        return False
    while left > 0:
        chunk = request.read(min(left, 1 << 16))
        if not chunk:
            return False
        left -= len(chunk)
    return True


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy, no caching of pages with personal data."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith(settings.STATIC_URL):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
