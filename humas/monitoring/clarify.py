"""Closing the loop: from a narrative to a published clarification, and back.

- "Buat Klarifikasi" (:func:`narrative_clarification_draft`) drafts a portal Klarifikasi from a
  narrative — the claim, where it appeared, the region — which then goes through the portal's
  own review and approval like any article.
- When the knowledge base changes (``humas.factcheck.signals.claims_changed``: a clarification
  published, an external fact-check imported), :func:`claims_rematch` matches the open narratives
  and the items judged irrelevant of the last days again: the narrative a clarification was drafted
  from is clarified, its items marked, and a reply with the clarification's link is prepared for
  every matching comment on the office's own channels (:func:`replies_prepare`; sent only after a
  person confirms, humas/monitoring/replies.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.audit.services import audit_record
from humas.factcheck.matching import claim_index, claim_index_invalidate
from humas.factcheck.models import Claim
from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article, ArticleType
from humas.portal.services import ArticleInput, article_create

from .answers import replies_prepare
from .models import Item, MatchDecision, Narrative
from .pipeline import items_enqueue

if TYPE_CHECKING:
    from humas.accounts.models import User

APPEARANCES = 10  # links to where the claim appeared, in the draft
REMATCH_ITEMS = 20_000  # irrelevant items looked at again after a change of the knowledge base


def _days() -> int:
    return int(settings.HUMAS_MONITORING_REMATCH_DAYS)


def narrative_clarification_draft(*, actor: User, narrative: Narrative, verdict: str) -> Article:
    """A Klarifikasi draft in the narrative's office, pre-filled from it: the representative text
    as the claim, the links of its most-reached items as appearances, the regions named in the
    body. Needs ``monitoring.triage`` and ``content.draft`` there. The narrative remembers the
    draft and moves to "perlu klarifikasi"."""
    office = narrative.office
    policy.require(actor, "monitoring.triage", office)
    links = [
        url
        for url in Item.objects.filter(narrative=narrative)
        .exclude(url="")
        .order_by("-reach", "pk")
        .values_list("url", flat=True)[: APPEARANCES * 3]
        if url.startswith(("https://", "http://"))
    ]
    appearances = list(dict.fromkeys(links))[:APPEARANCES]
    names = list(
        Office.objects.filter(code__in=list(narrative.regions))
        .order_by("path")
        .values_list("region_name", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("[Klarifikasi] %(claim)s") % {"claim": narrative.title[:180]}
        paragraphs = [
            _("Beredar klaim: “%(claim)s”.") % {"claim": narrative.title},
            _("Klaim ini ditemukan dalam %(items)s unggahan di %(platforms)s.")
            % {"items": narrative.item_count, "platforms": ", ".join(sorted(narrative.platforms)) or "-"},
        ]
        if names:
            paragraphs.append(_("Wilayah yang disebut: %(regions)s.") % {"regions": ", ".join(names)})
        paragraphs.append(_("Tuliskan penjelasan dan faktanya di sini."))
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    with transaction.atomic():
        article = article_create(
            actor=actor,
            office=office,
            data=ArticleInput(
                title=title[:200],
                type=ArticleType.KLARIFIKASI,
                body=body,
                claim=narrative.title,
                claim_appearances=appearances,
                verdict=verdict,
            ),
        )
        before = narrative.status
        narrative.clarification_article = article
        if narrative.status == Narrative.Status.NEW:
            narrative.status = Narrative.Status.NEEDS_CLARIFICATION
        narrative.updated_at = timezone.now()
        narrative.save(update_fields=["clarification_article", "status", "updated_at"])
        audit_record(
            actor=actor,
            office=office,
            action="monitoring.narrative_clarification_draft",
            obj=narrative,
            changes={"status": [before, narrative.status], "article": article.title[:200]},
        )
    return article


def _clarify(narrative: Narrative, claim: Claim, now: datetime) -> None:
    before = narrative.status
    narrative.claim = claim
    narrative.status = Narrative.Status.CLARIFIED
    narrative.updated_at = now
    narrative.save(update_fields=["claim", "status", "updated_at"])
    Item.objects.filter(narrative=narrative).update(match_claim=claim, match_decision=MatchDecision.MATCH)
    audit_record(
        actor=None,
        office=narrative.office,
        action="monitoring.narrative_clarified",
        obj=narrative,
        changes={"status": [before, narrative.status], "claim": claim.title[:200]},
    )
    replies_prepare(narrative=narrative, claim=claim)


def claims_rematch(*, claim_ids: Sequence[int], now: datetime | None = None) -> dict[str, int]:
    """Match the open narratives and the recent irrelevant items again after the knowledge base
    changed (``claim_ids``: the claims that changed). Idempotent."""
    now = now or timezone.now()
    claims = {
        c.pk: c for c in Claim.objects.filter(pk__in=claim_ids, is_active=True).select_related("article")
    }
    counts = {"clarified": 0, "matched": 0, "items": 0}
    if not claims:
        return counts
    # Narratives drafted into a clarification that is now published.
    article_ids = {c.article_id: c for c in claims.values() if c.article_id}
    with transaction.atomic():
        for narrative in Narrative.objects.filter(
            clarification_article_id__in=list(article_ids), merged_into__isnull=True
        ).select_related("office"):
            _clarify(narrative, article_ids[narrative.clarification_article_id or 0], now)
            counts["clarified"] += 1
    claim_index_invalidate()  # the change may come from another process: look now
    index = claim_index()
    since = now - timedelta(days=_days())
    open_narratives = list(
        Narrative.objects.filter(
            merged_into__isnull=True,
            claim__isnull=True,
            last_seen_at__gte=since,
            status__in=[Narrative.Status.NEW, Narrative.Status.NEEDS_CLARIFICATION],
        ).select_related("office")[:5000]
    )
    if open_narratives:
        results = index.search_analyses([index.analyzer.analyze(n.title) for n in open_narratives], k=5)
        with transaction.atomic():
            for narrative, result in zip(open_narratives, results, strict=True):
                best = result.best
                if best is None or int(best.doc_id) not in claims:
                    continue
                if result.decision == MatchDecision.MATCH:
                    narrative.claim_id = int(best.doc_id)
                    Item.objects.filter(narrative=narrative).update(
                        match_claim_id=narrative.claim_id, match_decision=MatchDecision.MATCH
                    )
                    counts["matched"] += 1
                elif result.decision == MatchDecision.SUGGESTION:
                    narrative.suggestions = [
                        {"claim": int(c.doc_id), "score": round(float(c.probability), 3)}
                        for c in result.candidates[:3]
                    ]
                narrative.updated_at = now
                narrative.save(update_fields=["claim", "suggestions", "updated_at"])
    # Items once judged irrelevant that a new clarification now answers go through the pipeline
    # again (as if new), so they join the known hoax's narrative.
    stale = list(
        Item.objects.filter(relevant=False, processed_at__gte=since).order_by("-processed_at")[:REMATCH_ITEMS]
    )
    if stale:
        results = index.search_analyses([index.analyzer.analyze(i.text) for i in stale], k=5)
        again = [
            item.pk
            for item, result in zip(stale, results, strict=True)
            if result.decision == MatchDecision.MATCH
            and result.best is not None
            and int(result.best.doc_id) in claims
        ]
        if again:
            Item.objects.filter(pk__in=again).update(processed_at=None, relevant=None)
            transaction.on_commit(lambda: items_enqueue(again))
            counts["items"] = len(again)
    return counts


@db_task(retries=2, retry_delay=30)
def claims_rematch_task(claim_ids: list[int]) -> None:
    claims_rematch(claim_ids=claim_ids)


def on_claims_changed(sender: object, claim_ids: Sequence[int], **kwargs: object) -> None:
    """Receiver of ``claims_changed`` (subscribed in MonitoringConfig.ready)."""
    claims_rematch_task(list(claim_ids))
