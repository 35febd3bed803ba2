"""Reads of the clarification knowledge base.

The knowledge base is shared: its claims are public clarifications and fact-checks, so whoever
may view it in an office (``factcheck.view``) sees every claim, whichever office published or
imported it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet

from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Verdict

from .models import Claim

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User

# A search of more words than this is a pasted text: the first words narrow it enough.
SEARCH_WORDS_MAX = 8
SEARCH_CHARS_MAX = 200


def search_words(query: str) -> list[str]:
    """The words of a search, each of which a claim's title or text must contain."""
    cleaned = query.replace("\x00", "")[:SEARCH_CHARS_MAX]
    return cleaned.split()[:SEARCH_WORDS_MAX]


def claim_list_for_kb(
    *,
    actor: User | AnonymousUser,
    office: Office,
    query: str = "",
    kind: str = "",
    verdict: str = "",
) -> QuerySet[Claim]:
    """The active claims, newest first (undated last): those whose title or text contains every
    word of ``query``, of ``kind`` (own / external) and with ``verdict`` (any case: a portal
    verdict code and a source's label in capitals are one verdict), when given."""
    policy.require(actor, "factcheck.view", office)
    claims = Claim.objects.filter(is_active=True).select_related("office")
    for word in search_words(query):
        claims = claims.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if kind in Claim.Kind.values:
        claims = claims.filter(kind=kind)
    verdict = verdict.replace("\x00", "").strip()
    if verdict:
        claims = claims.filter(verdict__iexact=verdict)
    return claims.order_by(F("published_at").desc(nulls_last=True), "-pk")


def claim_get_for_kb(*, actor: User | AnonymousUser, office: Office, claim_id: int) -> Claim | None:
    """One claim of the knowledge base (active or not), with its office and article."""
    policy.require(actor, "factcheck.view", office)
    return Claim.objects.select_related("office", "article", "article__office").filter(pk=claim_id).first()


def claim_verdict_options() -> list[tuple[str, str]]:
    """(value, label) of each verdict the active claims carry, for a filter: portal verdicts by
    their label, the sources' labels in capitals; one entry for a verdict written in two cases."""
    labels = dict(Verdict.choices)
    options: dict[str, str] = {}
    for value in (
        Claim.objects.filter(is_active=True).exclude(verdict="").values_list("verdict", flat=True).distinct()
    ):
        key = value.lower()
        options[key] = str(labels.get(key, value.upper()))
    return sorted(options.items(), key=lambda item: item[1])


def claim_get_many(ids: Iterable[str | int]) -> dict[str, Claim]:
    """Claims by id (as the matching index names them: ``str(pk)``), with their office, in one
    query; ids that are not a claim's are left out. For the apps that show what a text matched;
    they check their own permission."""
    pks = {
        int(value) for value in ids if str(value).isascii() and str(value).isdigit() and len(str(value)) < 19
    }
    if not pks:
        return {}
    return {str(claim.pk): claim for claim in Claim.objects.filter(pk__in=pks).select_related("office")}
