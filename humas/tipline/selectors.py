"""Reads of the tipline for the back office: the tips an office's portal and those of the offices
below it received (a province sees its regencies' tips, as it sees their narratives)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from humas.monitoring.models import Item
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree

from .models import Tip

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User


def tip_list_for_office(*, actor: User | AnonymousUser, office: Office, status: str = "") -> QuerySet[Tip]:
    policy.require(actor, "monitoring.view", office)
    tips = (
        Tip.objects.filter(subtree(office.path, field="office__path"))
        .select_related("office", "answered_claim")
        .prefetch_related("screenshots")
        .order_by("-received_at", "-pk")
    )
    if status in Tip.Status.values:
        tips = tips.filter(status=status)
    return tips


def tip_get_for_office(*, actor: User | AnonymousUser, office: Office, reference: str) -> Tip | None:
    policy.require(actor, "monitoring.view", office)
    if not reference.startswith("LH-") or len(reference) > 16:
        return None
    return (
        Tip.objects.filter(subtree(office.path, field="office__path"), reference=reference)
        .select_related("office", "answered_claim", "answered_claim__article")
        .prefetch_related("screenshots")
        .first()
    )


def tip_item(*, tip: Tip) -> Item | None:
    """The monitoring item a tip became, with the narrative it joined (None until processed)."""
    if tip.item_id is None:
        return None
    return (
        Item.objects.filter(pk=tip.item_id).select_related("narrative", "routed_office").defer("raw").first()
    )
