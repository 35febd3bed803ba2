"""One mechanism for every limit on work a client can make Humas do: sign-in attempts, e-mails
sent on request, second-factor codes, public POSTs, API calls.

A limit is a count per fixed window, kept in the shared cache (Redis in production, so every app
process sees the same counts; the local cache embedded). Keys hold a hash of what they count
(an address, an e-mail, a token), never the value itself. Refusals are answered with 429, a
``Retry-After`` header and a sentence in the visitor's language.

    SIGN_IN = Limit("sign-in-pair", count=5, seconds=900)
    wait = limits.hit(SIGN_IN, email, address)     # None: go on; N: refuse, retry in N seconds
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits per ``seconds``-long window for one combination of key parts."""

    name: str
    count: int
    seconds: int


def _key(limit: Limit, parts: tuple[str, ...], window: int) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"humas:limit:{limit.name}:{digest}:{window}"


def _window(limit: Limit, now: float) -> int:
    return int(now // limit.seconds)


def _wait(limit: Limit, now: float) -> int:
    """Seconds until the current window ends (at least one)."""
    return max(1, int(limit.seconds - now % limit.seconds) + 1)


def count(limit: Limit, *parts: str) -> int:
    """Hits recorded in the current window for ``parts``."""
    return int(cache.get(_key(limit, parts, _window(limit, time.time())), 0))


def blocked(limit: Limit, *parts: str) -> int | None:
    """Seconds to wait when ``parts`` already used up the window, else None. Records nothing."""
    now = time.time()
    if limit.count <= 0:
        return None
    used = int(cache.get(_key(limit, parts, _window(limit, now)), 0))
    return _wait(limit, now) if used >= limit.count else None


def hit(limit: Limit, *parts: str) -> int | None:
    """Record one hit for ``parts``. Returns None while within the limit (this hit included), else
    the seconds to wait. A limit with ``count`` 0 or less is off."""
    if limit.count <= 0:
        return None
    now = time.time()
    key = _key(limit, parts, _window(limit, now))
    # Twice the window: the key outlives its window a little and is never read after it.
    if cache.add(key, 1, timeout=limit.seconds * 2):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=limit.seconds * 2)
            used = 1
    return _wait(limit, now) if used > limit.count else None


def reset(limit: Limit, *parts: str) -> None:
    """Forget the hits of the current window (a successful sign-in clears its failures)."""
    cache.delete(_key(limit, parts, _window(limit, time.time())))


def wait_message(seconds: int) -> str:
    """'Coba lagi dalam N menit' (or seconds, under a minute), in the active language."""
    if seconds < 60:
        return ngettext(
            "Terlalu banyak permintaan. Coba lagi dalam %(n)d detik.",
            "Terlalu banyak permintaan. Coba lagi dalam %(n)d detik.",
            seconds,
        ) % {"n": seconds}
    minutes = (seconds + 59) // 60
    return ngettext(
        "Terlalu banyak permintaan. Coba lagi dalam %(n)d menit.",
        "Terlalu banyak permintaan. Coba lagi dalam %(n)d menit.",
        minutes,
    ) % {"n": minutes}


def too_many(request: HttpRequest, seconds: int, message: str = "") -> HttpResponse:
    """The 429 answer: ``Retry-After``, never cached, JSON for API and script callers, else a
    small page saying when to try again."""
    text = message or wait_message(seconds)
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")
    response: HttpResponse
    if wants_json:
        response = JsonResponse({"detail": text, "retry_after": seconds}, status=429)
    else:
        # A page of its own, not the site's templates: it is sent when the app is being flooded.
        body = format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
            "<body>"
            "<h1>{}</h1><p>{}</p></body></html>",
            get_language() or "id",
            _("Terlalu banyak permintaan"),
            _("Terlalu banyak permintaan"),
            text,
        )
        response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
