"""Accounts that imitate an office's official accounts: recorded when monitoring sees them
(``lookalike_record``, no person involved), decided by an Editor or Administrator of the office
imitated (``lookalike_confirm`` / ``lookalike_dismiss``), and the confirmed ones listed publicly
beside the official accounts (``lookalikes_public``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office, office_prefix
from humas.offices.tree import subtree
from humas.web import pagecache

from .models import Channel, Lookalike

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User

NOTE_MAX = 1000


def handle_key(handle: str) -> str:
    return (handle or "").strip().lstrip("@").casefold()[:100]


def lookalike_record(
    *,
    office: Office,
    official: Channel | None,
    platform: str,
    handle: str,
    name: str = "",
    url: str = "",
    score: float,
    reasons: Sequence[str],
    item_ids: Sequence[int],
    seen_at: datetime,
    seen: int = 1,
) -> Lookalike:
    """Record that an imitating account was seen (in ``item_ids``): a new flag, or one more
    sighting of a known one (a dismissed account stays dismissed; its sightings are still
    counted). Safe to repeat: the sample of items keeps each id once."""
    key = handle_key(handle)
    with transaction.atomic():
        found = Lookalike.objects.select_for_update().filter(platform=platform, handle_key=key).first()
        if found is None:
            return Lookalike.objects.create(
                office=office,
                official=official,
                platform=platform,
                handle=handle.strip().lstrip("@")[:100],
                handle_key=key,
                display_name=name[:150],
                url=url[:500],
                score=score,
                reasons=list(reasons),
                first_seen_at=seen_at,
                last_seen_at=seen_at,
                seen_count=seen,
                item_ids=sorted(set(item_ids))[: Lookalike.SAMPLE_ITEMS],
            )
        new_ids = [i for i in item_ids if i not in found.item_ids]
        found.item_ids = [*found.item_ids, *new_ids][: Lookalike.SAMPLE_ITEMS]
        found.seen_count += seen if new_ids or not item_ids else 0
        found.last_seen_at = max(found.last_seen_at, seen_at)
        found.display_name = found.display_name or name[:150]
        found.url = found.url or url[:500]
        if found.status == Lookalike.Status.FLAGGED and score > found.score:
            found.score, found.reasons = score, list(reasons)
        found.save(
            update_fields=[
                "item_ids",
                "seen_count",
                "last_seen_at",
                "display_name",
                "url",
                "score",
                "reasons",
            ]
        )
        return found


def _invalidate_public_pages(office: Office) -> None:
    offices = [office, *Office.objects.filter(code__in=office.ancestor_codes)]
    pagecache.invalidate_paths([f"{office_prefix(o.slug)}akun-resmi/" for o in offices])


def _decide(*, actor: User, lookalike: Lookalike, status: str, note: str, action: str) -> Lookalike:
    policy.require(actor, "lookalike.decide", lookalike.office)
    note = " ".join((note or "").split())[:NOTE_MAX]
    with transaction.atomic():
        locked = Lookalike.objects.select_for_update().select_related("office").get(pk=lookalike.pk)
        before = locked.status
        locked.status = status
        locked.note = note
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "note", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            office=locked.office,
            action=action,
            obj=locked,
            changes={"status": [before, status], "platform": locked.platform, "handle": locked.handle},
        )
        if Lookalike.Status.CONFIRMED in (before, status):
            transaction.on_commit(lambda: _invalidate_public_pages(locked.office))
    return locked


def lookalike_confirm(*, actor: User, lookalike: Lookalike, note: str = "") -> Lookalike:
    """Declare it a fake account of the office: listed publicly from now, with today's date."""
    return _decide(
        actor=actor,
        lookalike=lookalike,
        status=Lookalike.Status.CONFIRMED,
        note=note,
        action="channel.lookalike_confirm",
    )


def lookalike_dismiss(*, actor: User, lookalike: Lookalike, note: str = "") -> Lookalike:
    """Declare it not a fake (a real account of someone else): never flagged again; taken off the
    public list if it was there."""
    return _decide(
        actor=actor,
        lookalike=lookalike,
        status=Lookalike.Status.DISMISSED,
        note=note,
        action="channel.lookalike_dismiss",
    )


def lookalike_list_for_office(
    *, actor: User | AnonymousUser, office: Office, status: str = Lookalike.Status.FLAGGED
) -> QuerySet[Lookalike]:
    """The accounts imitating the office's accounts or those of the offices below it."""
    policy.require(actor, "monitoring.view", office)
    rows = Lookalike.objects.filter(subtree(office.path, field="office__path")).select_related(
        "office", "official"
    )
    if status in Lookalike.Status.values:
        rows = rows.filter(status=status)
    return rows.order_by("-last_seen_at", "-pk")


def lookalike_get_for_office(
    *, actor: User | AnonymousUser, office: Office, lookalike_id: int
) -> Lookalike | None:
    policy.require(actor, "monitoring.view", office)
    return (
        Lookalike.objects.filter(subtree(office.path, field="office__path"), pk=lookalike_id)
        .select_related("office", "official", "decided_by")
        .first()
    )


def lookalikes_public(*, office: Office) -> QuerySet[Lookalike]:
    """The confirmed fake accounts of the office and the offices below it, newest decision first."""
    return (
        Lookalike.objects.filter(
            subtree(office.path, field="office__path"), status=Lookalike.Status.CONFIRMED
        )
        .select_related("office", "official")
        .order_by("-decided_at", "-pk")
    )
