from __future__ import annotations

from django.db.models import Q, QuerySet

from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree

from .models import Channel


def official_accounts_public(
    *, office: Office | None = None, query: str = "", platform: str = ""
) -> QuerySet[Channel]:
    """Active official accounts, for the public list that tells real KPU accounts from impostors."""
    channels = Channel.objects.filter(
        is_official=True, is_active=True, office__is_active=True
    ).select_related("office")
    if office is not None:
        channels = channels.filter(subtree(office.path, field="office__path"))
    if platform:
        channels = channels.filter(platform=platform)
    query = " ".join(query.split())[:80]
    if query:
        channels = channels.filter(
            Q(office__name__icontains=query)
            | Q(handle__icontains=query.lstrip("@"))
            | Q(name__icontains=query)
            | Q(url__icontains=query)
        )
    return channels.order_by("office__path", "platform", "name")


def channel_list_for_office(*, actor: object, office: Office) -> QuerySet[Channel]:
    policy.require(actor, "channel.view", office)  # type: ignore[arg-type]
    return Channel.objects.filter(office=office).select_related("authorised_by").order_by("platform", "name")
