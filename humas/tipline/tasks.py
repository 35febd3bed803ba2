"""Every task of the tipline by name (the worker imports this module). Each takes ids, loads
fresh state and is idempotent."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .answers import tip_notify_task, tips_answer_task, tips_forget_contacts
from .telegram import update_handle, updates_poll, updates_prune

__all__ = [
    "tip_notify_task",
    "tipline_poll_task",
    "tipline_prune_task",
    "tips_forget_contacts_task",
    "tipline_update_task",
    "tips_answer_task",
]


@db_task(retries=3, retry_delay=5)
def tipline_update_task(update: dict[str, Any]) -> None:
    """One update from the webhook: answered once (a retry after a failed send answers it then)."""
    update_handle(update)


@db_periodic_task(crontab(minute="*"))
def tipline_poll_task() -> None:
    """Every minute, when the bot is set to long polling: read and answer updates for about 50 s."""
    updates_poll()


@db_periodic_task(crontab(minute="17", hour="3"))
def tipline_prune_task() -> None:
    """Daily: forget the ids of updates handled more than a week ago."""
    updates_prune()


@db_periodic_task(crontab(minute="27", hour="3"))
def tips_forget_contacts_task() -> None:
    """Daily: tippers' contacts are not kept past the time a tip may still be answered."""
    tips_forget_contacts()
