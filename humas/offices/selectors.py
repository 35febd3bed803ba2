from __future__ import annotations

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


def office_search_for_switcher(*, actor: User, query: str, limit: int = 20) -> list[Office]:
    offices = policy.visible_offices(actor)
    if query:
        offices = offices.filter(
            Q(name__icontains=query) | Q(slug__icontains=query) | Q(code__startswith=query)
        )
    return list(offices.order_by("depth", "path")[:limit])


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
