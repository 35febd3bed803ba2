"""The view-counter beacon that the article page's script sends (see counter.py)."""

from __future__ import annotations

import logging
import sqlite3

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from .. import counter

logger = logging.getLogger(__name__)

# The beacon carries at most the page's referrer; anything bigger is not a page of ours talking.
MAX_BODY_BYTES = 2048
MAX_REFERRER_CHARS = 1024


# CSRF-exempt on purpose: the page that sends the beacon is a cached file shared by every visitor,
# so it cannot carry a per-visitor token, and the request changes nothing but an anonymous
# counter, at most once per visitor per window. A forged cross-site request is not counted
# (counter.view_not_counted_reason checks the Origin), and no session or account state is touched.
@csrf_exempt
@require_POST
def view_beacon(request: HttpRequest, raw_id: str) -> JsonResponse:
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        return _not_found()
    article_id = int(raw_id)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return _no_store(JsonResponse({"error": "too large"}, status=413))

    views = counter.article_views_public(article_id=article_id)
    if views is None:
        return _not_found()

    visitor = request.COOKIES.get(counter.VISITOR_COOKIE, "")
    new_visitor = not counter.visitor_id_valid(visitor)
    if new_visitor:
        visitor = counter.visitor_id_new()
    form = length > 0 and request.content_type == "application/x-www-form-urlencoded"
    referrer = request.POST.get("r", "")[:MAX_REFERRER_CHARS] if form else ""
    user = getattr(request, "user", None)
    try:
        counter.view_record(
            article_id=article_id,
            visitor_id=visitor,
            user_agent=request.headers.get("User-Agent", ""),
            headers=request.headers,
            host=request.get_host(),
            referrer=referrer,
            authenticated=bool(user is not None and user.is_authenticated),
        )
    except (OSError, DatabaseError, RedisError, sqlite3.Error) as error:
        # A counter outage must not show as an error on the page; the views are still shown.
        logger.warning("view not recorded for article %s: %s", article_id, error)

    response = _no_store(JsonResponse({"views": views}))
    if new_visitor:
        response.set_cookie(
            counter.VISITOR_COOKIE,
            visitor,
            max_age=counter.VISITOR_COOKIE_AGE,
            path=request.path.rsplit("/", 1)[0] + "/",  # sent with beacons only, not with pages
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
