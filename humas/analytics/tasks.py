"""The periodic jobs of analytics."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from humas.offices.models import Office

from .aggregate import days_rebuild

__all__ = ["rebuild_recent_days_task"]

# Metrics are collected for 7 days after sending: the day of a delivery sent a week ago still
# changes, so the last 8 days (today included) are rebuilt.
RECENT_DAYS = 8


@db_periodic_task(crontab(minute="30", hour="1"))
def rebuild_recent_days_task() -> None:
    """Nightly at 01:30 server time: the daily aggregates of the last 8 days are rebuilt from the
    raw rows. Idempotent. The last day is today in WIT, the zone furthest ahead, so no office's today is missed."""
    days_rebuild(last=timezone.localdate(timezone=ZoneInfo(Office.TimeZone.WIT)), count=RECENT_DAYS)
