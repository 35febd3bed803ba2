"""The replies Humas prepares for comments that repeat a hoax already clarified: the
clarification's link, in the office's voice. Nothing here sends; a person confirms each reply
(humas/monitoring/replies.py sends it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from humas.factcheck.models import Claim

from .models import Item, Narrative, Reply, Source

REPLY_MAX = 1000


def reply_text(claim: Claim) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Terima kasih atas perhatiannya. Informasi ini sudah diklarifikasi oleh %(office)s: %(url)s"
        ) % {"office": claim.office.name, "url": claim.url}
    return text[:REPLY_MAX]


def replies_prepare(*, narrative: Narrative, claim: Claim) -> int:
    """Prepare a reply with the clarification's link for every item of the narrative that is a
    comment on a channel of the narrative's office (or an office below it), when ``claim`` is a
    clarification published by Humas. Nothing is sent here; a person confirms. Idempotent (one
    reply per item and claim)."""
    if not claim.url or claim.kind != Claim.Kind.OWN:
        # Only a Humas clarification is answered in the office's name; an external fact-check
        # is a suggestion for the person who writes the reply.
        return 0
    items = list(
        Item.objects.filter(narrative=narrative, source__kind=Source.Kind.CHANNEL_COMMENTS).select_related(
            "source", "office"
        )
    )
    return _prepare([(item, narrative) for item in items], claim)


def replies_prepare_for_items(*, matched: Sequence[tuple[Item, Narrative, int]]) -> int:
    """The pipeline's share: comments on an office's channel that match a clarification Humas
    published get their reply prepared as they arrive. ``matched``: (item, its narrative, claim id)."""
    comments = [m for m in matched if m[0].source.kind == Source.Kind.CHANNEL_COMMENTS]
    if not comments:
        return 0
    claims = {
        c.pk: c
        for c in Claim.objects.filter(
            pk__in={claim_id for _, _, claim_id in comments}, kind=Claim.Kind.OWN, is_active=True
        ).select_related("office")
    }
    prepared = 0
    for claim_id, claim in claims.items():
        prepared += _prepare(
            [(item, narrative) for item, narrative, cid in comments if cid == claim_id], claim
        )
    return prepared


def _prepare(items: Sequence[tuple[Item, Narrative]], claim: Claim) -> int:
    if not claim.url or claim.kind != Claim.Kind.OWN:
        return 0
    text = reply_text(claim)
    answered = set(
        Reply.objects.filter(claim=claim, item_id__in=[item.pk for item, _ in items]).values_list(
            "item_id", flat=True
        )
    )
    replies = []
    for item, narrative in items:
        channel_id = item.source.config.get("channel_id")
        if item.pk in answered or not isinstance(channel_id, int):
            continue
        if not item.office.path.startswith(narrative.office_path):
            continue
        replies.append(
            Reply(
                item=item,
                narrative=narrative,
                claim=claim,
                channel_id=channel_id,
                office=item.office,
                text=text,
            )
        )
    Reply.objects.bulk_create(replies, ignore_conflicts=True)
    return len(replies)
