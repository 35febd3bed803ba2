"""Answering tips: when a clarification is published (or a fact-check imported), the waiting tips
it answers are marked answered and their tippers told once — by e-mail, or in their Telegram chat
when they reported through the tipline bot — then their contact is forgotten."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from huey.contrib.djhuey import db_task

from humas.factcheck.matching import claims_match
from humas.factcheck.models import Claim
from humas.monitoring.models import Item
from humas.web.origins import public_url

from .models import Tip
from .telegram import tip_tell_on_telegram

logger = logging.getLogger(__name__)

ANSWER_DAYS = 180  # tips older than this are not answered any more
ANSWER_BATCH = 500


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
    """Tell the tipper of an answered tip, once — by e-mail in their language, or in their
    Telegram chat — with the clarification's link, and forget how to reach them. Returns whether
    a message went out."""
    tip = (
        Tip.objects.select_related("answered_claim", "answered_claim__article", "office")
        .filter(pk=tip_id)
        .first()
    )
    if tip is None or tip.status != Tip.Status.ANSWERED or not tip.wants_answer or tip.answered_claim is None:
        return False
    # Claimed first: a second run (a retried task) finds it taken and sends nothing.
    if not Tip.objects.filter(pk=tip.pk, notified_at__isnull=True).update(notified_at=timezone.now()):
        return False
    claim = tip.answered_claim
    link = claim.url or (public_url(claim.article.get_absolute_url()) if claim.article else "")
    context = {"tip": tip, "claim": claim, "link": link, "office": tip.office}
    sent = False
    try:
        with translation.override(tip.language if tip.language in ("id", "en") else "id"):
            if tip.contact_email:
                subject = render_to_string("tipline/email/answer_subject.txt", context).strip()
                body = render_to_string("tipline/email/answer.txt", context)
                send_mail(subject, body, None, [tip.contact_email])
                sent = True
            if tip.contact_telegram is not None:
                text = render_to_string("tipline/telegram/answer.html", context).strip()
                sent = tip_tell_on_telegram(tip, text) or sent
    except Exception:
        Tip.objects.filter(pk=tip.pk).update(notified_at=None)
        raise
    Tip.objects.filter(pk=tip.pk).update(contact_email="", contact_telegram=None)
    logger.info("tip %s answered by claim %s; tipper told: %s", tip.reference, claim.pk, sent)
    return sent


def tips_forget_contacts(*, now: Any = None) -> int:
    """The contacts of tips that waited longer than ANSWER_DAYS without an answer are erased:
    nobody will be told any more, so the address or chat is not kept. Returns how many."""
    now = now or timezone.now()
    return (
        Tip.objects.filter(status=Tip.Status.RECEIVED, received_at__lt=now - timedelta(days=ANSWER_DAYS))
        .exclude(contact_email="", contact_telegram__isnull=True)
        .update(contact_email="", contact_telegram=None)
    )
