"""Periodic channel health checks. Each task takes ids, loads fresh state and is idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .alerts import channel_tokens_warn
from .connect import channel_check_health
from .models import API_PLATFORMS, Channel


@db_task(retries=0)
def check_channel_health_task(channel_id: int) -> None:
    channel_check_health(channel_id=channel_id)


@db_periodic_task(crontab(minute="17", hour="*/6"))
def check_all_channels_task() -> None:
    """Every six hours: verify every connected channel, so expiry and revoked tokens are seen
    (and Administrators warned) before a publication fails."""
    ids = Channel.objects.filter(
        is_active=True, platform__in=API_PLATFORMS, credential__isnull=False
    ).values_list("pk", flat=True)
    for channel_id in ids:
        check_channel_health_task(channel_id)


# 01:05 UTC is 08:05 WIB, 09:05 WITA, 10:05 WIT: the warning arrives at the start of a work day.
@db_periodic_task(crontab(minute="5", hour="1"))
def warn_expiring_tokens_task() -> None:
    """Daily: warn Administrators 7, 3 and 1 days (HUMAS_TOKEN_WARN_THRESHOLDS) before a token expires."""
    channel_tokens_warn()
