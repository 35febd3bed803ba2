"""Periodic jobs of the knowledge base. Each loads fresh state, calls a service and is idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import claims_sync_all


@db_periodic_task(crontab(minute="23"))
def sync_claims_task() -> None:
    """Hourly: every published clarification has its active claim and every withdrawn one none
    (the portal's signal does it at once; this catches up after a lost one, and backfills)."""
    claims_sync_all()
