"""The view-counter beacon that the article page's script sends (see counter.py).

Two doors, one answer: :func:`view_beacon` is the Django view, and :func:`wsgi_beacon` answers the
same request in the WSGI layer before Django runs (humas/web/wsgi_cache.py), when Redis knows the
article and nothing needs Django (no session to check, a host Django would accept). Anything else
falls through to the view.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, cast
from urllib.parse import parse_qs

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from humas.web.requestcontext import request_client_ip

from .. import counter

logger = logging.getLogger(__name__)

# The beacon carries at most the page's referrer; anything bigger is not a page of ours talking.
MAX_BODY_BYTES = 2048
MAX_REFERRER_CHARS = 1024
BEACON_PREFIX = "/_v/"
FORM = "application/x-www-form-urlencoded"


# CSRF-exempt on purpose: the page that sends the beacon is a cached file shared by every visitor,
# so it cannot carry a per-visitor token, and the request changes nothing but an anonymous
# counter, at most once per visitor per window. A forged cross-site request is not counted
# (counter.view_not_counted_reason checks the Origin), and no session or account state is touched.
@csrf_exempt
@require_POST
def view_beacon(request: HttpRequest, raw_id: str) -> JsonResponse:
    user = getattr(request, "user", None)
    return _answer(request, raw_id, authenticated=bool(user is not None and user.is_authenticated))


def wsgi_beacon(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes] | None:
    """The beacon answered without Django's request, middleware and URL resolving, or None to let
    Django answer (a session cookie: Django decides whether it is staff; an article Redis does
    not know yet; a host Django would refuse; Redis down; not a POST; a malformed request).

    This is the hot path of a busy article (one beacon per page view): it reads the environ
    directly and costs one Redis round trip. The rules are those of :func:`_answer`.
    """
    if environ.get("REQUEST_METHOD") != "POST" or not settings.REDIS_URL:
        return None  # without Redis the beacon needs the database, and so Django's request cycle
    raw_id = environ.get("PATH_INFO", "")[len(BEACON_PREFIX) :]
    host = environ.get("HTTP_HOST", "")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18) or length > MAX_BODY_BYTES:
        return None  # Django gives these their 404 or 413
    if not _host_allowed(host):
        return None
    cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
    if settings.SESSION_COOKIE_NAME in cookies:
        return None
    referrer = ""
    if length > 0 and environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower() == FORM:
        body = environ["wsgi.input"].read(length)
        values = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10).get("r", [""])
        referrer = values[0][:MAX_REFERRER_CHARS]
    visitor = cookies.get(counter.VISITOR_COOKIE, "")
    new_visitor = not counter.visitor_id_valid(visitor)
    if new_visitor:
        visitor = counter.visitor_id_new()
    reason = counter.view_not_counted_reason(
        user_agent=environ.get("HTTP_USER_AGENT", ""),
        headers=_EnvironHeaders(environ),
        host=host,
        referrer=referrer,
    )
    try:
        beacon = counter.beacon_record(
            article_id=int(raw_id),
            visitor_id=visitor,
            address=request_client_ip(cast("HttpRequest", _Meta(environ))),
            counts=reason is None,
            database=False,
        )
    except (counter.NotInRedis, RedisError, OSError):
        return None
    if beacon.views is None:
        body = b'{"error": "not found"}'
        status = "404 Not Found"
    else:
        body = b'{"views": %d}' % beacon.views
        status = "200 OK"
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ]
    if new_visitor and beacon.views is not None:
        headers.append(("Set-Cookie", _visitor_cookie(visitor, secure=_is_secure(environ))))
    start_response(status, headers)
    return [body]


class _EnvironHeaders(Mapping[str, str]):
    """The request headers the counter asks about, over a WSGI environ ("Sec-Purpose" is
    HTTP_SEC_PURPOSE), as ``request.headers`` gives them to the Django view."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ

    def __getitem__(self, name: str) -> str:
        return str(self.environ["HTTP_" + name.upper().replace("-", "_")])

    def __iter__(self) -> Iterator[str]:
        return (key[5:].replace("_", "-").title() for key in self.environ if key.startswith("HTTP_"))

    def __len__(self) -> int:
        return sum(1 for _name in self)


class _Meta:
    # request_client_ip reads only request.META: the one rule for the client's address.
    def __init__(self, environ: dict[str, Any]) -> None:
        self.META = environ


@lru_cache(maxsize=64)
def _host_allowed(host: str) -> bool:
    # What request.get_host() accepts (with DEBUG off): a well-formed host in ALLOWED_HOSTS.
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _is_secure(environ: dict[str, Any]) -> bool:
    # As request.is_secure(): the trusted proxy's header when configured and present.
    header = settings.SECURE_PROXY_SSL_HEADER
    if header and header[0] in environ:
        return bool(str(environ[header[0]]).split(",", 1)[0].strip() == header[1])
    return bool(environ.get("wsgi.url_scheme") == "https")


def _visitor_cookie(visitor: str, *, secure: bool) -> str:
    # The cookie response.set_cookie() writes in _answer, attribute for attribute.
    expires = http_date(time.time() + counter.VISITOR_COOKIE_AGE)
    cookie = (
        f"{counter.VISITOR_COOKIE}={visitor}; expires={expires}; HttpOnly; "
        f"Max-Age={counter.VISITOR_COOKIE_AGE}; Path={BEACON_PREFIX}; SameSite=Lax"
    )
    return cookie + "; Secure" if secure else cookie


def _answer(request: HttpRequest, raw_id: str, *, authenticated: bool) -> JsonResponse:
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        return _not_found()
    article_id = int(raw_id)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return _no_store(JsonResponse({"error": "too large"}, status=413))

    visitor = request.COOKIES.get(counter.VISITOR_COOKIE, "")
    # An id this server did not sign is a new visitor: it gets a signed one and counts only
    # within its address's ceiling, like a visitor sending no cookie at all.
    new_visitor = not counter.visitor_id_valid(visitor)
    if new_visitor:
        visitor = counter.visitor_id_new()
    form = length > 0 and request.content_type == FORM
    referrer = request.POST.get("r", "")[:MAX_REFERRER_CHARS] if form else ""
    reason = counter.view_not_counted_reason(
        user_agent=request.headers.get("User-Agent", ""),
        headers=request.headers,
        host=request.get_host(),
        referrer=referrer,
        authenticated=authenticated,
    )
    try:
        beacon = counter.beacon_record(
            article_id=article_id,
            visitor_id=visitor,
            address=request_client_ip(request),
            counts=reason is None,
        )
    except (OSError, DatabaseError, RedisError, sqlite3.Error) as error:
        # A counter outage must not show as an error on the page; the views are still shown.
        logger.warning("view not recorded for article %s: %s", article_id, error)
        beacon = counter.Beacon(counter.article_views_public(article_id=article_id), False)
    if beacon.views is None:
        return _not_found()

    response = _no_store(JsonResponse({"views": beacon.views}))
    if new_visitor:
        response.set_cookie(
            counter.VISITOR_COOKIE,
            visitor,
            max_age=counter.VISITOR_COOKIE_AGE,
            path=BEACON_PREFIX,  # sent with beacons only, not with pages
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _not_found() -> JsonResponse:
    # A small JSON answer, not the site's 404 page: nobody reads it, and it is cheap to send.
    return _no_store(JsonResponse({"error": "not found"}, status=404))


def _no_store(response: JsonResponse) -> JsonResponse:
    response["Cache-Control"] = "no-store"
    return response
