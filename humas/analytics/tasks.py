"""The periodic jobs of analytics."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from humas.offices.models import Office

from .aggregate import ARTICLE_TOP_DAYS, day_rebuild, days_rebuild, rollups_missing, top_articles_rebuild
from .followers import collect_followers_task, followers_sweep
from .reports import monthly_reports_create, report_render_task, reports_resume

__all__ = [
    "collect_followers_task",
    "monthly_reports_task",
    "rebuild_recent_days_task",
    "report_render_task",
    "sweep_followers_task",
]

# Metrics are collected for 7 days after sending: the day of a delivery sent a week ago still
# changes, so the last 8 days (today included) are rebuilt.
RECENT_DAYS = 8
# Days aggregated before the roll-ups existed are rolled up a bounded number per night (a day is
# about two seconds at a national year's scale), so an upgrade needs no manual step.
CATCH_UP_DAYS = 120


@db_periodic_task(crontab(minute="30", hour="1"))
def rebuild_recent_days_task() -> None:
    """Nightly at 01:30 server time: the daily aggregates of the last 8 days are rebuilt from the
    raw rows. Idempotent. The last day is today in WIT, the zone furthest ahead, so no office's today is missed.
    Then the article top lists of the older days still read (their views keep growing), and up to
    CATCH_UP_DAYS older days that have no roll-ups yet."""
    today = timezone.localdate(timezone=ZoneInfo(Office.TimeZone.WIT))
    days_rebuild(last=today, count=RECENT_DAYS)
    for back in range(RECENT_DAYS, ARTICLE_TOP_DAYS):
        top_articles_rebuild(day=today - timedelta(days=back))
    for day in rollups_missing(limit=CATCH_UP_DAYS):
        day_rebuild(day=day)


@db_periodic_task(crontab(minute="5"))
def monthly_reports_task() -> None:
    """Hourly at minute 5: where it is now the 1st of the month (each of the three zones has its
    own midnight), the previous month's report of every office of that zone that has none yet;
    and reports whose worker died queued again. Idempotent."""
    now = timezone.now()
    monthly_reports_create(now=now)
    reports_resume(now=now)


@db_periodic_task(crontab(minute="*/10"))
def sweep_followers_task() -> None:
    """Every 10 minutes: the followers of a bounded batch of connected channels still without
    today's count are asked of their platforms (followers.py says how that stays within their
    limits). Idempotent."""
    followers_sweep()
