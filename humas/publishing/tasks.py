"""Delivery tasks. Each takes ids, loads fresh state and is idempotent; retries are decided by
the delivery engine, not by the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import deliveries_sweep, delivery_reconcile, delivery_send
from .images import post_image_renditions
from .metrics import delivery_metrics_collect, metrics_sweep


@db_task(retries=0)
def deliver_task(delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)


@db_task(retries=0)
def reconcile_task(delivery_id: int) -> None:
    delivery_reconcile(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def sweep_deliveries_task() -> None:
    """Every minute: scheduled and retry-due deliveries go out, stale "sending" ones are
    reconciled — also after a restart of everything."""
    deliveries_sweep()


@db_task(retries=0)
def collect_metrics_task(delivery_id: int) -> None:
    delivery_metrics_collect(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*/10"))
def sweep_metrics_task() -> None:
    """Every 10 minutes: newly sent deliveries get their metrics schedule, due collections run."""
    metrics_sweep()


@db_task(retries=2, retry_delay=60)
def post_image_renditions_task(image_id: int) -> None:
    """A new post image's thumbnail and platform renditions, made before anyone publishes."""
    post_image_renditions(image_id=image_id)
