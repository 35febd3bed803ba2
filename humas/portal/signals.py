"""Hooks that apps above the portal subscribe to (in their AppConfig.ready), so the portal imports
none of them."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

from .models import Article

# Sent after the commit of every change that puts an article on the portal, takes it off, or
# changes an article while it is published (approval, scheduled publishing, a post published
# through the portal channel, withdrawal, an edit that sends it back to review, a typo
# correction), with ``article_id``. Receivers load the article's state afresh: the factcheck app
# keeps its knowledge base of clarifications in step (humas/factcheck/receivers.py).
article_publication_changed = Signal()


def article_publication_changed_on_commit(*, article_id: int) -> None:
    """Send :data:`article_publication_changed` once the current transaction commits.

    Sent robustly: a receiver that fails is logged (by Django's dispatcher), not raised, for the
    article's change is committed by then and the person who made it must not see an error;
    receivers catch up on their own schedule (the factcheck app's hourly backfill)."""
    transaction.on_commit(
        lambda: article_publication_changed.send_robust(sender=Article, article_id=article_id)
    )
