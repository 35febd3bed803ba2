from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from . import policy
from .models import Membership, Office
from .tree import subtree

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User


def office_get_for_user(*, actor: User | AnonymousUser, slug: str, action: str = "office.view") -> Office:
    """The office with ``slug`` if it exists and the actor may ``action`` there; 404 otherwise or 403."""
    office = Office.objects.filter(slug=slug).select_related("parent").first()
    if office is None:
        raise Http404(slug)
    policy.require(actor, action, office)
    return office


def office_list_public(*, level: str = "", parent_code: str = "", query: str = "") -> QuerySet[Office]:
    offices = Office.objects.filter(is_active=True).select_related("parent")
    if level:
        offices = offices.filter(level=level)
    if parent_code:
        offices = offices.filter(parent__code=parent_code)
    if query:
        offices = offices.filter(
            Q(name__icontains=query) | Q(slug__icontains=query) | Q(code__startswith=query)
        )
    return offices.order_by("path")


def office_get_public(*, code_or_slug: str) -> Office | None:
    """The active office whose code (``73``) or slug (``sulsel``) is ``code_or_slug``, or None.
    Codes are digits and dots, slugs hold letters: one value never names two offices."""
    if not code_or_slug:
        return None
    return (
        Office.objects.filter(Q(code=code_or_slug) | Q(slug=code_or_slug), is_active=True)
        .order_by("path")
        .first()
    )


# Words every office name has (or most do): they narrow nothing down.
_FILLER_WORDS = frozenset({"kpu", "kip"})
_CODE = re.compile(r"^\d+(\.\d+)*\.?$")


def _office_text_filter(query: str) -> Q:
    """Offices whose name or slug holds every word typed ("kab jepara", "Kab. Jepara"), or whose
    code starts with a typed code ("33.2")."""
    text = " ".join(query.split())
    if _CODE.match(text):
        return Q(code__startswith=text)
    words = [w for w in re.findall(r"\w+", text.lower()) if w]
    meaningful = [w for w in words if w not in _FILLER_WORDS] or words
    condition = Q()
    for word in meaningful:
        condition &= Q(name__icontains=word) | Q(slug__icontains=word)
    return condition


def office_search_for_switcher(*, actor: User, query: str, limit: int = 20) -> list[Office]:
    offices = policy.visible_offices(actor)
    if query.strip():
        offices = offices.filter(_office_text_filter(query))
    return list(offices.order_by("depth", "path")[:limit])


@dataclass(frozen=True)
class OfficeMatches:
    """The offices a typed name matches among those a person may open: ``offices`` (the first
    ``limit``, parents loaded), ``total`` of them, and ``chosen`` when the text names exactly one
    (the only match, or the one whose whole name it is)."""

    offices: list[Office]
    total: int
    chosen: Office | None


def office_match_for_switcher(*, actor: User, text: str, limit: int = 50) -> OfficeMatches:
    text = " ".join(text.split())[:80]
    if not text:
        return OfficeMatches(offices=[], total=0, chosen=None)
    matching = policy.visible_offices(actor).filter(_office_text_filter(text))
    total = matching.count()
    offices = list(matching.select_related("parent").order_by("depth", "path")[:limit])
    exact = list(matching.filter(name__iexact=text)[:2]) if total > 1 else []
    if total == 1:
        chosen: Office | None = offices[0]
    elif len(exact) == 1:
        chosen = exact[0]
    else:
        chosen = None
    return OfficeMatches(offices=offices, total=total, chosen=chosen)


def membership_list_for_office(*, actor: User, office: Office) -> QuerySet[Membership]:
    """Members of ``office`` and the offices below it. Needs member.view."""
    policy.require(actor, "member.view", office)
    return (
        Membership.objects.filter(subtree(office.path, field="office__path"))
        .select_related("user", "office", "invited_by")
        .order_by("office__path", "user__email")
    )


def membership_get_for_actor(*, actor: User, membership_id: int) -> Membership:
    membership = Membership.objects.filter(pk=membership_id).select_related("user", "office").first()
    if membership is None or not policy.can(actor, "member.view", membership.office):
        raise Http404("membership")
    return membership


def office_descendant_count(*, office: Office) -> int:
    return Office.objects.filter(subtree(office.path)).exclude(pk=office.pk).count()
