"""The periodic jobs of coordination, and the queue's entry to its tasks.

The tasks a service enqueues are declared beside it (``cascades.cascade_notify_task``,
``cascades.cascade_auto_publish_task``, ``cascades.cascade_auto_adopt_task``,
``amplification.amplification_notify_task``, ``amplification.amplification_settle_task``) so no
service imports this module; they are named here so that the worker's discovery of ``tasks`` modules
registers them and a reader finds them in one place. Each takes ids, loads fresh state and is
idempotent.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .amplification import (
    amplification_notify_task,
    amplification_remind_due,
    amplification_settle_due,
    amplification_settle_task,
)
from .cascades import (
    cascade_auto_adopt_due,
    cascade_auto_adopt_task,
    cascade_auto_publish_task,
    cascade_notify_task,
    cascade_remind_due,
)

__all__ = [
    "amplification_notify_task",
    "amplification_reminders_task",
    "amplification_settle_task",
    "amplification_shares_task",
    "cascade_auto_adopt_resume_task",
    "cascade_auto_adopt_task",
    "cascade_auto_publish_task",
    "cascade_notify_task",
    "cascade_reminders_task",
]


@db_periodic_task(crontab(minute="*/15"))
def cascade_reminders_task() -> None:
    """Every 15 minutes: offices that have not decided on content from above are reminded once,
    HUMAS_CASCADE_REMINDER_HOURS before its deadline."""
    cascade_remind_due()


@db_periodic_task(crontab(minute="*/5"))
def cascade_auto_adopt_resume_task() -> None:
    """Every 5 minutes: automatic adoptions a lane left undone (its worker killed) are queued
    again."""
    cascade_auto_adopt_due()


@db_periodic_task(crontab(minute="*/15"))
def amplification_reminders_task() -> None:
    """Every 15 minutes: offices that have not answered an amplification task are reminded once,
    as long before its deadline as for content from above."""
    amplification_remind_due()


@db_periodic_task(crontab(minute="*"))
def amplification_shares_task() -> None:
    """Every minute: tasks shared in one click become done once their delivery went out (or wait
    again, with why, when it could not)."""
    amplification_settle_due()
