from __future__ import annotations

import hmac
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from .tasks import HEARTBEAT_KEY

# A worker runs the heartbeat every minute; after three missed beats it is reported stale.
HEARTBEAT_STALE_SECONDS = 180


def health_report() -> tuple[bool, dict[str, Any]]:
    """Database and task-queue health. The worker's heartbeat is reported but does not fail the check:
    a web node stays in rotation while workers restart."""
    checks: dict[str, Any] = {}
    ok = True
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {
            "ok": True,
            "vendor": connection.vendor,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
    except Exception as exc:  # any failure means unhealthy; the class name is safe to show
        ok = False
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    started = time.perf_counter()
    try:
        pending = HUEY.pending_count()
        checks["queue"] = {
            "ok": True,
            "backend": type(HUEY).__name__,
            "pending": pending,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
    except Exception as exc:
        ok = False
        checks["queue"] = {"ok": False, "backend": type(HUEY).__name__, "error": type(exc).__name__}
    beat = cache.get(HEARTBEAT_KEY)
    age = None
    if beat:
        age = (timezone.now() - datetime.fromisoformat(beat)).total_seconds()
    checks["worker"] = {"last_seen": beat, "ok": age is not None and age < HEARTBEAT_STALE_SECONDS}
    return ok, checks


def may_see_detail(*, user: Any, authorization: str) -> bool:
    """Whether a /healthz caller may see the checks (database, queue backend, backlog, worker).

    Signed-in superusers, and monitors presenting ``Authorization: Bearer <HUMAS_HEALTH_TOKEN>``
    (no token is accepted while the setting is empty). Everyone else gets only the status."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return True
    token = settings.HUMAS_HEALTH_TOKEN
    scheme, _, presented = authorization.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())
