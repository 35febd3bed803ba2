"""Writes from the calendar. A drag moves a post or an article through its own app's service,
which checks the policy, refuses past times and blackout windows, keeps the approval when only
the time changes, and records the audit event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article
from humas.portal.services import article_reschedule

# The reschedule lives with the delivery engine: a published post's pending deliveries move too.
from humas.publishing.delivery import post_reschedule
from humas.publishing.models import Post
from humas.publishing.services import schedule_from_office_time

from .selectors import VIEW, Kind

if TYPE_CHECKING:
    from humas.accounts.models import User


class EntryNotFound(ObjectDoesNotExist):
    """No such post or article on this office's calendar (or not the actor's to read)."""


def calendar_entry_move(
    *, actor: User, office: Office, kind: str, entry_id: int, local: datetime
) -> datetime:
    """Move the post or article ``entry_id`` (``kind``) on the calendar of ``office`` to
    ``local``, a naive wall time in ``office``'s zone (the calendar's zone, also for an entry of an
    office below it in another zone). Returns the new instant (aware, UTC).

    The entry must belong to ``office`` or an office below it that the actor reads, else
    EntryNotFound (nothing says whether it exists elsewhere). The reschedule services raise
    PolicyDenied, or WorkflowError (PublishingError for posts) with a translated message."""
    if local.tzinfo is not None:
        raise ValueError("local must be a naive office-local wall time")
    policy.require(actor, VIEW, office)
    at = schedule_from_office_time(office=office, local=local)
    offices = policy.visible_offices(actor, action=VIEW, root=office)
    if kind == Kind.POST:
        post = Post.objects.select_related("office").filter(pk=entry_id, office__in=offices).first()
        if post is None:
            raise EntryNotFound(kind, entry_id)
        post_reschedule(actor=actor, post=post, scheduled_at=at)
    elif kind == Kind.ARTICLE:
        article = Article.objects.select_related("office").filter(pk=entry_id, office__in=offices).first()
        if article is None:
            raise EntryNotFound(kind, entry_id)
        article_reschedule(actor=actor, article=article, publish_at=at)
    else:
        raise EntryNotFound(kind, entry_id)
    return at
