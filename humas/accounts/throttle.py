"""Login throttling per account and per client address, kept in the shared cache.

Failures are counted in fixed windows; once either counter is over its limit, further attempts
are refused without checking the password, so guessing is slowed whichever way it is spread.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]
    window = int(time.time() // settings.HUMAS_LOGIN_WINDOW_SECONDS)
    return f"login-fail:{kind}:{digest}:{window}"


def _count(kind: str, value: str) -> int:
    return int(cache.get(_key(kind, value), 0))


def login_blocked(*, email: str, ip: str | None) -> bool:
    if _count("account", email.strip().lower()) >= settings.HUMAS_LOGIN_FAILURES_PER_ACCOUNT:
        return True
    return bool(ip) and _count("ip", ip or "") >= settings.HUMAS_LOGIN_FAILURES_PER_IP


def login_failed(*, email: str, ip: str | None) -> None:
    pairs = [("account", email.strip().lower())] + ([("ip", ip)] if ip else [])
    for kind, value in pairs:
        key = _key(kind, value)
        if cache.add(key, 1, timeout=settings.HUMAS_LOGIN_WINDOW_SECONDS * 2):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.HUMAS_LOGIN_WINDOW_SECONDS * 2)


def login_succeeded(*, email: str) -> None:
    cache.delete(_key("account", email.strip().lower()))


def retry_minutes() -> int:
    window = settings.HUMAS_LOGIN_WINDOW_SECONDS
    return max(1, int((window - time.time() % window) // 60) + 1)
