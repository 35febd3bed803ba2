"""Periodic and background jobs of the portal. Each takes ids or nothing, loads fresh state and
calls a service; each is idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from humas.web import pagecache

from .counter import views_flush
from .images import image_renditions_task, image_retry_stale
from .services import article_publish_due, articles_hold_for_window

__all__ = ["articles_hold_task", "image_renditions_task"]


@db_periodic_task(crontab(minute="*"))
def publish_due_articles_task() -> None:
    """Publish scheduled articles whose time has come (at most a minute late, never twice)."""
    article_publish_due()


@db_periodic_task(crontab(minute="*"))
def flush_views_task() -> None:
    """Fold buffered article views into the daily rows and totals (the shown count lags at most a minute)."""
    views_flush()


@db_periodic_task(crontab(minute="*/10"))
def retry_stale_images_task() -> None:
    """Images still processing long after upload lost their task (a worker died): make them now."""
    image_retry_stale()


@db_periodic_task(crontab(minute="7"))
def refresh_news_sitemap_task() -> None:
    """The news sitemap lists the last two days: drop its stored copy hourly even when nothing is
    published, so articles age out of it."""
    pagecache.invalidate_paths(["/sitemap-news.xml"])


@db_task(retries=2, retry_delay=30)
def articles_hold_task(blackout_id: int) -> None:
    articles_hold_for_window(blackout_id=blackout_id)
