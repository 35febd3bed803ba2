"""The factcheck app's answers to events of lower apps (connected in FactcheckConfig.ready)."""

from __future__ import annotations

from typing import Any

from .services import claim_sync_from_article


def sync_claim_of_article(*, article_id: int, **_: Any) -> None:
    # A clarification published, changed or withdrawn on the portal: the knowledge base follows.
    claim_sync_from_article(article_id=article_id)
