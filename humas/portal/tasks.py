"""Periodic and background jobs of the portal. Each takes ids or nothing, loads fresh state and
calls a service; each is idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import article_publish_due


@db_periodic_task(crontab(minute="*"))
def publish_due_articles_task() -> None:
    """Publish scheduled articles whose time has come (at most a minute late, never twice)."""
    article_publish_due()
