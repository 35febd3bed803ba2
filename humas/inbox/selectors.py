"""Reads of the inbox's knowledge base. Every read checks the one policy (humas/offices/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths

from .models import SavedReply
from .placeholders import Filled, placeholders_fill


def saved_replies_usable(*, actor: User, office: Office) -> QuerySet[SavedReply]:
    """The saved replies ``office`` may use: its own and those of every office above it (a
    national answer serves every regency), in use only, nearest office first, then by title. The
    offices above are read whether or not ``actor`` reaches them: their answers are written for
    the offices below. One query."""
    policy.require(actor, "inbox.view", office)
    return (
        SavedReply.objects.filter(
            office__path__in=[*ancestor_paths(office.path), office.path], is_active=True
        )
        .select_related("office")
        .order_by("-office__depth", "title", "pk")
    )


def saved_reply_get_own(*, actor: User, office: Office, reply_id: int) -> SavedReply | None:
    """``office``'s own saved reply ``reply_id`` (in use or archived), for the people who manage
    them; None for another office's (an answer from above is changed where it was written)."""
    policy.require(actor, "inbox.manage_replies", office)
    return SavedReply.objects.filter(pk=reply_id, office=office).first()


def saved_replies_archived(*, actor: User, office: Office) -> QuerySet[SavedReply]:
    policy.require(actor, "inbox.manage_replies", office)
    return SavedReply.objects.filter(office=office, is_active=False).order_by("-updated_at", "-pk")


@dataclass(frozen=True)
class UsableReply:
    reply: SavedReply
    filled: Filled  # the body with the using office's details
    own: bool  # written by the using office (it may change it)


def saved_replies_filled(*, actor: User, office: Office) -> list[UsableReply]:
    """``saved_replies_usable`` with each body filled with ``office``'s details."""
    return [
        UsableReply(
            reply=reply, filled=placeholders_fill(reply.body, office), own=reply.office_id == office.pk
        )
        for reply in saved_replies_usable(actor=actor, office=office)
    ]
