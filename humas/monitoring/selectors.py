"""Reads of the monitoring app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from humas.offices import policy
from humas.offices.models import Office

from .models import Source

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User


def source_list_for_office(*, actor: User | AnonymousUser, office: Office) -> QuerySet[Source]:
    """The office's own sources, by name (their item counts are kept on the row: no counting)."""
    policy.require(actor, "monitoring.view", office)
    return Source.objects.filter(office=office).order_by("name")


def source_get_by_reference(*, office: Office, reference: str) -> Source | None:
    """The office's source named by ``reference``: digits are its id, anything else its name.
    The caller checks the policy for the office."""
    reference = " ".join(reference.replace("\x00", "").split())
    if not reference:
        return None
    sources = Source.objects.filter(office=office).select_related("office")
    if reference.isascii() and reference.isdigit():
        return sources.filter(pk=int(reference)).first() if len(reference) < 19 else None
    return sources.filter(name=reference).first()


def source_get_for_office(*, actor: User | AnonymousUser, office: Office, source_id: int) -> Source | None:
    """The office's own source ``source_id`` (None when it is another office's or none)."""
    policy.require(actor, "monitoring.view", office)
    return Source.objects.filter(office=office, pk=source_id).select_related("office").first()


def source_channel_choices(*, office: Office, kind: str) -> QuerySet:
    """The office's connected channels a source of ``kind`` can read through: any platform whose
    comments Humas takes in for channel comments, X for keyword searches."""
    from humas.channels.models import Channel, Platform

    platforms = (
        [Platform.X]
        if kind == Source.Kind.KEYWORD_SEARCH
        else [Platform.FACEBOOK, Platform.INSTAGRAM, Platform.X, Platform.TELEGRAM]
    )
    return Channel.objects.filter(
        office=office, is_active=True, platform__in=platforms, credential__isnull=False
    ).order_by("platform", "name")
