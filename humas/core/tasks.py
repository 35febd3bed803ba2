from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

HEARTBEAT_KEY = "humas:worker-heartbeat"


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat_task() -> None:
    """Tells /healthz that a worker is consuming the queue. Idempotent: it only overwrites a timestamp."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=60 * 60)
