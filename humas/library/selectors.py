"""Reads of the media library: what an office may use (its own images and those shared by the
offices above it), searched and filtered, a page at a time."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths
from humas.web.paging import page_number

from .models import Asset, Licence

PAGE_SIZE = 24


def _reachable(office: Office) -> Q:
    """The office's own images and those the offices above it share with the offices below."""
    return Q(office_id=office.pk) | Q(shared_below=True, office__path__in=ancestor_paths(office.path))


def asset_list(
    *,
    actor: User,
    office: Office,
    query: str = "",
    tag: str = "",
    origin: str = "",
    scope: str = "",
    archived: bool = False,
    page: str | None = None,
) -> Page[Asset]:
    """A page of the images ``office`` may use, newest first. ``scope``: "sendiri" (the office's
    own) or "atasan" (shared from above); ``archived``: the office's archived images instead."""
    policy.require(actor, "media.view", office)
    if archived:
        rows: QuerySet[Asset] = Asset.objects.filter(office=office, archived_at__isnull=False)
    else:
        rows = Asset.objects.filter(_reachable(office), archived_at__isnull=True)
    if scope == "sendiri":
        rows = rows.filter(office=office)
    elif scope == "atasan":
        rows = rows.exclude(office=office)
    for word in query.lower().split()[:8]:
        rows = rows.filter(search_text__contains=word)
    if origin in Asset.Origin.values:
        rows = rows.filter(origin=origin)
    if tag:
        rows = rows.filter(search_text__contains=tag_token(tag))
    ordered = rows.select_related("office", "created_by").order_by("-created_at", "-pk")
    return Paginator(ordered, PAGE_SIZE).get_page(page_number(page))


def tag_token(tag: str) -> str:
    """How a tag is written in ``Asset.search_text``: between bars, so a filter by one tag
    matches that tag and not a longer one containing it."""
    return f"|{tag.strip().lower()}|"


def asset_tags(*, office: Office, limit: int = 40) -> list[str]:
    """The tags most used on the images ``office`` may use, for the library's filter."""
    counts: dict[str, int] = {}
    for tags in Asset.objects.filter(_reachable(office), archived_at__isnull=True).values_list(
        "tags", flat=True
    )[:2000]:
        for tag in tags or []:
            counts[tag] = counts.get(tag, 0) + 1
    return [tag for tag, _count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def asset_get(*, actor: User, office: Office, asset_id: int) -> Asset | None:
    """One image ``office`` may see in its library (its own, archived too, or one shared from
    above), or None."""
    policy.require(actor, "media.view", office)
    return (
        Asset.objects.select_related("office", "created_by")
        .filter(Q(office_id=office.pk) | _reachable(office), pk=asset_id)
        .first()
    )


def asset_usable(*, actor: User, office: Office, asset_id: int) -> Asset | None:
    """An image ``actor`` may put in a post or an article of ``office``: its own or shared from
    above, not archived, with a licence that allows publishing; else None."""
    if not policy.can(actor, "content.draft", office):
        return None
    return (
        Asset.objects.select_related("office")
        .filter(_reachable(office), pk=asset_id, archived_at__isnull=True)
        .exclude(licence=Licence.UNCLEAR)
        .first()
    )


def assets_offered(*, office: Office, limit: int = 60) -> list[Asset]:
    """The newest images ``office`` may use (its own and shared from above, licensed), for a form
    of a page already checked for content.draft there."""
    rows = Asset.objects.filter(_reachable(office), archived_at__isnull=True).exclude(licence=Licence.UNCLEAR)
    return list(rows.select_related("office").order_by("-created_at", "-pk")[:limit])


def assets_recent_usable(*, actor: User, office: Office, query: str = "", limit: int = 12) -> list[Asset]:
    """The newest images ``actor`` may use in ``office``'s posts (the composer's picker)."""
    if not policy.can(actor, "content.draft", office):
        return []
    rows = Asset.objects.filter(_reachable(office), archived_at__isnull=True).exclude(licence=Licence.UNCLEAR)
    for word in query.lower().split()[:8]:
        rows = rows.filter(search_text__contains=word)
    return list(rows.select_related("office").order_by("-created_at", "-pk")[:limit])
