"""Hooks that apps above factcheck subscribe to (in their AppConfig.ready)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from .models import Claim

# Sent after the commit of every change to the knowledge base, with ``claim_ids`` (a list of
# Claim ids): an own clarification published, changed or withdrawn (its claim then has
# is_active False), external fact-checks imported or updated. Monitoring subscribes to match its
# open narratives again (a clarification published now may answer one of them).
claims_changed = Signal()


def claims_changed_on_commit(*, claim_ids: Iterable[int]) -> None:
    """Send :data:`claims_changed` once the current transaction commits (nothing for no ids).

    Sent robustly: a receiver that fails is logged (by Django's dispatcher), not raised, for the
    knowledge base has changed by then."""
    ids = sorted(set(claim_ids))
    if not ids:
        return
    transaction.on_commit(lambda: claims_changed.send_robust(sender=Claim, claim_ids=ids))
