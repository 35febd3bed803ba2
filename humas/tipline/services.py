"""Writes of the tipline: a tip taken in from the public (and handed to monitoring as an item of
the office that received it), and a tip answered when a clarification that matches it is
published (its tipper told once)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from huey.contrib.djhuey import db_task

from humas.factcheck.matching import claims_match
from humas.factcheck.models import Claim
from humas.media.pipeline import prepare_upload
from humas.media.storage import delete_quietly, private_storage, save_new
from humas.monitoring.models import Item
from humas.monitoring.services import items_ingest, source_for_public_tips
from humas.offices.models import Office
from humas.web.origins import public_url

from .models import Tip, TipScreenshot

logger = logging.getLogger(__name__)

# A tip is answered by a clarification the engine puts first for it with at least a suggestion,
# or that the desk made from the narrative the tip joined.
ANSWER_DAYS = 180  # tips older than this are not answered any more
ANSWER_BATCH = 500


@dataclass(frozen=True)
class TipInput:
    text: str
    link: str = ""
    region_code: str = ""
    contact_email: str = ""
    language: str = "id"
    channel: str = Tip.Channel.PORTAL


def tip_submit(*, office: Office, data: TipInput, screenshots: Sequence[IO[bytes] | Any] = ()) -> Tip:
    """Take in a tip sent to ``office``'s portal: its screenshots checked and cleaned first (an
    ImageRejected stops everything before anything is stored), then the tip, its screenshots and
    its monitoring item in one transaction. Callers have checked the form and the rate limit."""
    prepared = [
        prepare_upload(file=f, byte_limit=settings.HUMAS_TIP_SCREENSHOT_MAX_BYTES) for f in screenshots
    ]
    stored: list[str] = []
    try:
        with transaction.atomic():
            tip = Tip.objects.create(
                office=office,
                channel=data.channel,
                text=data.text,
                link=data.link,
                region_code=data.region_code,
                contact_email=data.contact_email,
                language=data.language,
            )
            for n, image in enumerate(prepared, start=1):
                name = save_new(
                    storage=private_storage(),
                    name=f"tips/{office.slug}/{tip.reference}-{n}.{image.extension}",
                    content=image.content,
                )
                stored.append(name)
                TipScreenshot.objects.create(
                    tip=tip,
                    file=name,
                    width=image.width,
                    height=image.height,
                    mime=image.mime,
                    size=len(image.content),
                )
            record: dict[str, Any] = {
                "platform": "portal" if data.channel == Tip.Channel.PORTAL else "telegram",
                "external_id": tip.reference,
                "text": data.text,
                "url": data.link,
                "published_at": tip.received_at.isoformat(),
                "tip": tip.reference,
                "screenshots": len(prepared),
            }
            if data.region_code:
                record["region"] = data.region_code
            result = items_ingest(
                actor=None, source=source_for_public_tips(office=office), records=[record], polled=False
            )
            if result.ids:
                tip.item_id = result.ids[0]
                tip.save(update_fields=["item_id"])
    except BaseException:
        delete_quietly(storage=private_storage(), names=stored)
        raise
    return tip


def _answers(tips: list[Tip], claims: dict[int, Claim]) -> dict[int, Claim]:
    """Which of ``claims`` answers each tip: the clarification the desk made from the narrative
    the tip's item joined, else the first candidate the engine gives the tip's text when it
    decides at least a suggestion."""
    found: dict[int, Claim] = {}
    by_article = {c.article_id: c for c in claims.values() if c.article_id is not None}
    item_ids = [t.item_id for t in tips if t.item_id is not None]
    if item_ids:
        made = dict(
            Item.objects.filter(pk__any=item_ids, narrative__isnull=False).values_list(
                "pk", "narrative__clarification_article_id"
            )
        )
        for tip in tips:
            article_id = made.get(tip.item_id) if tip.item_id is not None else None
            if article_id in by_article:
                found[tip.pk] = by_article[article_id]
    rest = [t for t in tips if t.pk not in found]
    if rest:
        for tip, result in zip(rest, claims_match([t.text for t in rest], k=3), strict=True):
            best = result.best
            if result.decision != "none" and best is not None and int(best.doc_id) in claims:
                found[tip.pk] = claims[int(best.doc_id)]
    return found


def tips_answer(*, claim_ids: Sequence[int], now: Any = None) -> int:
    """The tips waiting for an answer that these newly published clarifications (own, active
    claims) answer: each marked answered, and its tipper who left an e-mail told once. Safe to
    run twice. Returns how many tips were answered."""
    now = now or timezone.now()
    claims = {
        c.pk: c
        for c in Claim.objects.filter(
            pk__in=list(claim_ids), kind=Claim.Kind.OWN, is_active=True
        ).select_related("office", "article", "article__office")
    }
    if not claims:
        return 0
    waiting = Tip.objects.filter(
        status=Tip.Status.RECEIVED, received_at__gte=now - timedelta(days=ANSWER_DAYS)
    ).order_by("pk")
    answered = 0
    last = 0
    while True:
        tips = list(waiting.filter(pk__gt=last)[:ANSWER_BATCH])
        if not tips:
            break
        last = tips[-1].pk
        for tip_id, claim in _answers(tips, claims).items():
            changed = Tip.objects.filter(pk=tip_id, status=Tip.Status.RECEIVED).update(
                status=Tip.Status.ANSWERED, answered_claim=claim, answered_at=now
            )
            if changed:
                answered += 1
                transaction.on_commit(partial(tip_notify_task, tip_id))
    return answered


@db_task(retries=3, retry_delay=60)
def tip_notify_task(tip_id: int) -> None:
    tip_notify(tip_id=tip_id)


@db_task(retries=2, retry_delay=30)
def tips_answer_task(claim_ids: list[int]) -> None:
    tips_answer(claim_ids=claim_ids)


def tip_notify(*, tip_id: int) -> bool:
    """Tell the tipper of an answered tip, once (an e-mail in their language with the
    clarification's link), and forget their address. Returns whether a message went out."""
    tip = (
        Tip.objects.select_related("answered_claim", "answered_claim__article", "office")
        .filter(pk=tip_id)
        .first()
    )
    if (
        tip is None
        or tip.status != Tip.Status.ANSWERED
        or not tip.contact_email
        or tip.answered_claim is None
    ):
        return False
    # Claimed first: a second run (a retried task) finds it taken and sends nothing.
    if not Tip.objects.filter(pk=tip.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
        return False
    claim = tip.answered_claim
    link = claim.url or (public_url(claim.article.get_absolute_url()) if claim.article else "")
    context = {"tip": tip, "claim": claim, "link": link, "office": tip.office}
    try:
        with translation.override(tip.language if tip.language in ("id", "en") else "id"):
            subject = render_to_string("tipline/email/answer_subject.txt", context).strip()
            body = render_to_string("tipline/email/answer.txt", context)
        send_mail(subject, body, None, [tip.contact_email])
    except Exception:
        Tip.objects.filter(pk=tip.pk).update(notified_at=None)
        raise
    Tip.objects.filter(pk=tip.pk).update(contact_email="")
    logger.info("tip %s answered by claim %s; tipper told", tip.reference, claim.pk)
    return True
