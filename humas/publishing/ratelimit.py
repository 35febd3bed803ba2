"""A RateLimitStore on the Django cache, so every worker (and every process, with Redis) sees
the same "do not call before T" waits the connectors record."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone


def _key(key: str) -> str:
    # Connector keys hold spaces and slashes ("x:1:POST /2/tweets"); cache keys must not.
    return "humas:ratelimit:" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


class CacheRateLimitStore:
    def blocked_until(self, key: str) -> datetime | None:
        value = cache.get(_key(key))
        if value is None:
            return None
        until = datetime.fromtimestamp(float(value), tz=UTC)
        return until if until > timezone.now() else None

    def blocked_until_many(self, keys: Sequence[str]) -> dict[str, datetime]:
        """The waits still running for any of ``keys``, in one cache round trip."""
        names = {_key(key): key for key in keys}
        now = timezone.now()
        waits = {}
        for name, value in cache.get_many(list(names)).items():
            until = datetime.fromtimestamp(float(value), tz=UTC)
            if until > now:
                waits[names[name]] = until
        return waits

    def block(self, key: str, until: datetime) -> None:
        current = self.blocked_until(key)
        if current is not None and current >= until:
            return
        seconds = (until - timezone.now()).total_seconds()
        if seconds > 0:
            cache.set(_key(key), until.timestamp(), timeout=int(seconds) + 1)
