"""Raw payloads are kept for ``HUMAS_MONITORING_RAW_RETENTION_DAYS`` (default 180) after capture,
then dropped: the item keeps its text, links, times and the SHA-256 of the payload as received,
and evidence exports already made keep everything they held."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Item

_CHUNK = 2000


def raw_retention_days() -> int:
    return int(settings.HUMAS_MONITORING_RAW_RETENTION_DAYS)


def items_raw_expire(*, now: datetime | None = None, limit: int = 200_000) -> int:
    """Empty the raw payload of items captured before the retention period (idempotent, in
    chunks so no transaction grows large). Returns how many payloads were dropped."""
    now = now or timezone.now()
    before = now - timedelta(days=raw_retention_days())
    dropped = 0
    while dropped < limit:
        ids = list(
            Item.objects.filter(captured_at__lt=before)
            .exclude(raw={})
            .order_by("captured_at")
            .values_list("pk", flat=True)[:_CHUNK]
        )
        if not ids:
            break
        with transaction.atomic():
            dropped += Item.objects.filter(pk__in=ids).update(raw={})
    return dropped
