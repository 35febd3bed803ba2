"""Notification tasks. Each takes ids, loads fresh state and is idempotent (keys dedupe)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .alerts import channel_tokens_warn, publication_problems_notify, publication_problems_sweep


@db_task(retries=2, retry_delay=60)
def notify_publication_task(publication_id: int) -> None:
    publication_problems_notify(publication_id=publication_id)


# 01:05 UTC is 08:05 WIB, 09:05 WITA, 10:05 WIT: the warning arrives at the start of a work day.
@db_periodic_task(crontab(minute="5", hour="1"))
def warn_expiring_tokens_task() -> None:
    """Daily: warn Administrators 7, 3 and 1 days (HUMAS_TOKEN_WARN_THRESHOLDS) before a token expires."""
    channel_tokens_warn()


@db_periodic_task(crontab(minute="*/15"))
def publication_problems_sweep_task() -> None:
    """Backstop for a batch task the queue lost: failures of the last hours reach a person."""
    publication_problems_sweep()
