"""The periodic jobs of publishing, and the queue's entry to its tasks.

A task that a service enqueues is declared beside that service (``delivery.deliver_task``,
``metrics.collect_metrics_task``, ``images.post_image_renditions_task``,
``alerts.notify_publication_task``) so no service imports this module; they are named here so that
the worker's discovery of ``tasks`` modules registers them and callers have one place to look.
Each task takes ids, loads fresh state and is idempotent; retries are decided by the delivery
engine, not by the queue.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .alerts import notify_publication_task, publication_problems_sweep
from .delivery import deliver_task, deliveries_hold_task, deliveries_sweep, reconcile_task
from .images import post_image_renditions_task
from .metrics import collect_metrics_task, metrics_sweep
from .plans import plan_uploads_purge

__all__ = [
    "collect_metrics_task",
    "deliver_task",
    "deliveries_hold_task",
    "notify_publication_task",
    "post_image_renditions_task",
    "publication_problems_sweep_task",
    "purge_plan_uploads_task",
    "reconcile_task",
    "sweep_deliveries_task",
    "sweep_metrics_task",
]


@db_periodic_task(crontab(minute="*"))
def sweep_deliveries_task() -> None:
    """Every minute: scheduled and retry-due deliveries go out, stale "sending" ones are
    reconciled — also after a restart of everything."""
    deliveries_sweep()


@db_periodic_task(crontab(minute="*/10"))
def sweep_metrics_task() -> None:
    """Every 10 minutes: newly sent deliveries get their metrics schedule, due collections run."""
    metrics_sweep()


@db_periodic_task(crontab(minute="*/15"))
def publication_problems_sweep_task() -> None:
    """Backstop for a batch task the queue lost: failures of the last hours reach a person."""
    publication_problems_sweep()


@db_periodic_task(crontab(minute="17"))
def purge_plan_uploads_task() -> None:
    """Hourly: the ZIPs of content plans previewed and never confirmed (older than a preview
    lives) are removed from the private storage. Idempotent."""
    plan_uploads_purge()
