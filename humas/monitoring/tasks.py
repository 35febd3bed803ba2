"""Periodic jobs of monitoring, and every task of the app by name: the worker imports this module
(huey's Django integration finds each app's ``tasks``), so it registers them all, and a reader
finds them in one place. Each task takes ids, loads fresh state and is idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import pollers
from .clarify import claims_rematch_task
from .partitions import items_partitions_ensure
from .pipeline import items_backlog_sweep, items_process_task
from .polling import source_poll_task, sources_poll_due
from .replies import replies_sweep_stale, reply_send_task
from .retention import items_raw_expire
from .risk import narrative_alert_notify_task

__all__ = [
    "claims_rematch_task",
    "ensure_item_partitions_task",
    "expire_raw_payloads_task",
    "items_process_task",
    "narrative_alert_notify_task",
    "poll_due_sources_task",
    "pollers",
    "process_backlog_task",
    "reply_send_task",
    "sweep_stale_replies_task",
    "source_poll_task",
]


@db_periodic_task(crontab(minute="*"))
def poll_due_sources_task() -> None:
    """Every minute: queue the sources whose next run has come (each claimed as it is queued, so
    none is polled twice at once; see humas/monitoring/polling.py)."""
    sources_poll_due()


@db_periodic_task(crontab(minute="*/5"))
def process_backlog_task() -> None:
    """Every five minutes: items whose pipeline task the queue lost (a restart of everything) are
    processed; a no-op when the backlog is empty."""
    items_backlog_sweep()


@db_periodic_task(crontab(minute="17", hour="2"))
def expire_raw_payloads_task() -> None:
    """Nightly: raw payloads past the retention period are dropped (their hashes stay)."""
    items_raw_expire()


@db_periodic_task(crontab(minute="*/5"))
def sweep_stale_replies_task() -> None:
    """Every five minutes: replies left "sedang dikirim" by a stopped worker, or whose task the
    queue lost, are checked on the platform and sent only if they are not there."""
    replies_sweep_stale()


@db_periodic_task(crontab(minute="41", hour="1"))
def ensure_item_partitions_task() -> None:
    """Daily (PostgreSQL): the items table's partitions for this month and the next two exist
    before any item needs them."""
    items_partitions_ensure(months_ahead=2)
