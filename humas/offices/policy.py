"""The one permission policy. Every view, API endpoint, service and task asks here.

A membership (office, role) reaches its own office and every office below it, at any depth.
Nothing here knows how many levels the tree has: reach is a path-prefix test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Membership, Office
from .tree import subtree, subtree_any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User

Role = Membership.Role

# Ordering used only to decide which roles a person may grant: nobody grants above their own.
ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.ANALYST: 2, Role.OPERATOR: 3, Role.EDITOR: 4, Role.ADMIN: 5}

_ALL = frozenset(ROLE_RANK)
_STAFF = frozenset({Role.ADMIN, Role.EDITOR, Role.OPERATOR})

# action -> roles that may perform it in an office they reach.
ACTIONS: dict[str, frozenset[str]] = {
    "office.view": _ALL,
    "office.update": frozenset({Role.ADMIN}),
    "member.view": frozenset({Role.ADMIN, Role.EDITOR}),
    "member.manage": frozenset({Role.ADMIN}),
    "audit.view": frozenset({Role.ADMIN, Role.EDITOR}),
    "channel.view": _STAFF,
    "channel.manage": frozenset({Role.ADMIN}),
    # Declare an account that imitates the office's a fake (published on the portal) or not one.
    "lookalike.decide": frozenset({Role.ADMIN, Role.EDITOR}),
    "content.view": _ALL,
    "content.draft": _STAFF,
    "content.approve": frozenset({Role.ADMIN, Role.EDITOR}),
    "content.publish": _STAFF,  # publishing itself is limited to approved content by the service
    # Declare, change and cancel blackout periods (masa tenang, hari berkabung) at the office and
    # below it; publish one item inside a window anyway, with a reason that is audited.
    "blackout.manage": frozenset({Role.ADMIN}),
    "blackout.override": frozenset({Role.ADMIN}),
    # Submit or approve a post the public-relations guideline blocks (personal data, partisan
    # calls...), with a reason that is audited (publishing/contentcheck.py).
    "content.policy_override": frozenset({Role.ADMIN}),
    # An office's own additions to the guideline: its region's candidates and parties, its sites,
    # warnings held as blocks (publishing/guideline.py).
    "guideline.manage": frozenset({Role.ADMIN}),
    # The verification checklist an office's approvers tick (publishing/checklist.py).
    "checklist.manage": frozenset({Role.ADMIN}),
    # The media library (humas/library): everyone sees the office's images and those shared from
    # above; staff add images and make cards; approvers change or archive anyone's; the office's
    # Administrator sets its cards' colours.
    "media.view": _ALL,
    "media.upload": _STAFF,
    "media.manage": frozenset({Role.ADMIN, Role.EDITOR}),
    "card.brand": frozenset({Role.ADMIN}),
    # Cascades down the hierarchy (humas/coordination): a national or provincial office sends its
    # approved content to the offices below (the approvers there); each receiving office's staff
    # adopts, adapts or declines it; its Administrator may have cascades adopted automatically.
    "cascade.send": frozenset({Role.ADMIN, Role.EDITOR}),
    "cascade.respond": _STAFF,
    "cascade.auto_publish": frozenset({Role.ADMIN}),
    # Amplification tasks (humas/coordination): a national or provincial office's approvers ask
    # the offices below to share or interact with a post of an official account; each receiving
    # office's staff records what it did (or shares it in one click), or declines.
    "amplification.send": frozenset({Role.ADMIN, Role.EDITOR}),
    # The period and the activity threshold by which an office judges the offices below it.
    "compliance.manage": frozenset({Role.ADMIN}),
    "amplification.respond": _STAFF,
    "monitoring.view": frozenset({Role.ADMIN, Role.EDITOR, Role.OPERATOR, Role.ANALYST}),
    "monitoring.ingest": _STAFF,  # import files, send items through the API
    "monitoring.manage_sources": frozenset({Role.ADMIN, Role.EDITOR}),
    # Assign, set a status, route, merge and split narratives; prepare and send replies.
    "monitoring.triage": _STAFF,
    # The clarification knowledge base: everyone who monitors reads it; Editors import external
    # fact-checks (own clarifications enter it by being published on the portal).
    "factcheck.view": frozenset({Role.ADMIN, Role.EDITOR, Role.OPERATOR, Role.ANALYST}),
    "factcheck.manage": frozenset({Role.ADMIN, Role.EDITOR}),
    # The inbox (humas/inbox): staff read it and answer; approvers write the office's saved replies,
    # which every office below it may use too.
    "inbox.view": _STAFF,
    "inbox.reply": _STAFF,
    "inbox.manage_replies": frozenset({Role.ADMIN, Role.EDITOR}),
    "report.view": _ALL,
}


class PolicyDenied(PermissionDenied):
    """Raised by :func:`require`; Django turns it into a 403."""


@dataclass(frozen=True)
class Grant:
    office_id: int
    path: str
    role: str


def _grants(user: User | AnonymousUser | None) -> list[Grant]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached: list[Grant] | None = getattr(user, "_humas_grants", None)
    if cached is None:
        cached = [
            Grant(office_id=office_id, path=path, role=role)
            for office_id, path, role in Membership.objects.filter(user=user, office__is_active=True)
            .values_list("office_id", "office__path", "role")
            .order_by("office__path")
        ]
        user._humas_grants = cached  # type: ignore[attr-defined]
    return cached


def load_grants(users: Sequence[User]) -> None:
    """Read the grants of many people afresh in one query (a task acting for an office's
    Administrator in each of many offices), as ``forget`` then a first ``can`` would."""
    people = [user for user in users if user.is_active]
    found: dict[int, list[Grant]] = {user.pk: [] for user in people}
    for user_id, office_id, path, role in (
        Membership.objects.filter(user_id__in=list(found), office__is_active=True)
        .values_list("user_id", "office_id", "office__path", "role")
        .order_by("office__path")
    ):
        found[user_id].append(Grant(office_id=office_id, path=path, role=role))
    for user in people:
        user._humas_grants = found[user.pk]  # type: ignore[attr-defined]
    for user in users:
        if not user.is_active:
            forget(user)


def forget(user: Any) -> None:
    """Drop the per-request grant cache after memberships changed."""
    if hasattr(user, "_humas_grants"):
        del user._humas_grants


def office_reader(office: Office) -> User:
    """A person who exists only in memory and holds only the Peninjau role at ``office``: what a
    job that reads for an office nobody asked for acts as (its monthly report), so the selectors'
    checks still hold. Never saved, never signed in; it reaches nothing outside the subtree."""
    from humas.accounts.models import User

    reader = User(email="", full_name="Humas", is_active=True)
    reader._humas_grants = [  # type: ignore[attr-defined]
        Grant(office_id=office.pk, path=office.path, role=Role.VIEWER)
    ]
    return reader


def _is_superuser(user: User | AnonymousUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def _roles_for(action: str) -> frozenset[str]:
    try:
        return ACTIONS[action]
    except KeyError:
        raise KeyError(f"unknown policy action {action!r}") from None


def can(user: User | AnonymousUser | None, action: str, office: Office) -> bool:
    roles = _roles_for(action)
    if _is_superuser(user):
        return True
    path = office.path
    return any(g.role in roles and path.startswith(g.path) for g in _grants(user))


def require(user: User | AnonymousUser | None, action: str, office: Office) -> None:
    if not can(user, action, office):
        raise PolicyDenied(_("Anda tidak memiliki izin untuk tindakan ini di kantor ini."))


def roles_at(user: User | AnonymousUser | None, office: Office) -> set[str]:
    """Roles the user holds at this office directly or through an office above it."""
    if _is_superuser(user):
        return set(ROLE_RANK)
    return {g.role for g in _grants(user) if office.path.startswith(g.path)}


def rank_at(user: User | AnonymousUser | None, office: Office) -> int:
    return max((ROLE_RANK[r] for r in roles_at(user, office)), default=0)


def grantable_roles(user: User | AnonymousUser | None, office: Office) -> list[str]:
    """Roles this user may give to someone at ``office``: only with member.manage, never above their own."""
    if not can(user, "member.manage", office):
        return []
    top = rank_at(user, office)
    return [role for role, rank in sorted(ROLE_RANK.items(), key=lambda kv: -kv[1]) if rank <= top]


def visible_offices(
    user: User | AnonymousUser | None, *, action: str = "office.view", root: Office | None = None
) -> QuerySet[Office]:
    """Offices where ``user`` may perform ``action``, optionally limited to ``root``'s subtree."""
    roles = _roles_for(action)
    offices = Office.objects.all()
    if root is not None:
        offices = offices.filter(subtree(root.path))
    if _is_superuser(user):
        return offices
    paths = [g.path for g in _grants(user) if g.role in roles]
    if not paths:
        return offices.none()
    return offices.filter(subtree_any(paths))


def entry_offices(user: User | AnonymousUser | None) -> QuerySet[Office]:
    """The offices a user is a member of (the top of each reach), for the office switcher."""
    if _is_superuser(user) and not _grants(user):
        return Office.objects.filter(parent__isnull=True)
    ids = [g.office_id for g in _grants(user)]
    return Office.objects.filter(pk__in=ids).order_by("path")


# Roles that approve and publish in the commission's name wherever they sit.
_TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.EDITOR})
_TWO_FACTOR_LEVELS = frozenset({Office.Level.PUSAT, Office.Level.PROVINSI})


def two_factor_required(user: User | AnonymousUser | None) -> bool:
    """Whether this person must use a second factor: anyone in a national or provincial office, any
    Administrator or Editor anywhere, and superusers (they reach everything). Others may enrol."""
    if user is None or not user.is_authenticated:
        return False
    if _is_superuser(user):
        return True
    if any(g.role in _TWO_FACTOR_ROLES for g in _grants(user)):
        return True
    # One query, only for people without such a role: the levels of the offices they belong to.
    return Membership.objects.filter(user=user, office__level__in=_TWO_FACTOR_LEVELS).exists()
