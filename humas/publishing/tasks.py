"""Delivery tasks. Each takes ids, loads fresh state and is idempotent; retries are decided by
the delivery engine, not by the queue."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import deliveries_sweep, delivery_reconcile, delivery_send


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
