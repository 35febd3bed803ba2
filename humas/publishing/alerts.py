"""What the people who can act on a publication are told when its deliveries fail or need a
decision: one notification per publication batch. The texts are publishing's; notifications
delivers them and its keys make sure nobody is told twice."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.blackouts.alerts import HeldItem
from humas.blackouts.alerts import held_notify as blackout_held_notify
from humas.blackouts.models import Blackout
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices.models import Membership, Office

from .models import Delivery, Post, Publication
from .selectors import publication_summary

Kind = Notification.Kind
PROBLEM_STATES = (Delivery.State.FAILED, Delivery.State.NEEDS_ATTENTION)


def publication_responsible(*, publication: Publication) -> QuerySet[User]:
    """Who can act on a publication's failures: the Editors and Administrators of the post's
    office, and the person who published it."""
    office_id = publication.post.office_id
    return User.objects.filter(
        Q(
            pk__in=Membership.objects.filter(
                office_id=office_id, role__in=(Membership.Role.ADMIN, Membership.Role.EDITOR)
            ).values("user_id")
        )
        | Q(pk=publication.created_by_id),
        is_active=True,
    ).order_by("pk")


def _batch_key(publication_id: int) -> str:
    return f"humas:notify:publication:{publication_id}"


def publication_problems_enqueue(*, publication_id: int) -> None:
    """A delivery of the publication ended failed or needing attention (called on commit by the
    delivery engine). The first one opens a window of HUMAS_NOTIFY_BATCH_SECONDS; one task at its
    end tells people about every channel that failed meanwhile, so 30 channels failing at once
    make one notification, not 30. The periodic backstop covers a lost task or cache."""
    window = settings.HUMAS_NOTIFY_BATCH_SECONDS
    if window <= 0:
        notify_publication_task(publication_id)
        return
    try:
        first = cache.add(_batch_key(publication_id), 1, timeout=window)
    except Exception:  # noqa: BLE001 - without the cache, a task per failure is still correct
        first = True
    if first:
        notify_publication_task.schedule((publication_id,), delay=window)


def publication_problems_notify(*, publication_id: int, now: datetime | None = None) -> int:
    """Tell the people who can act which channels of the publication failed or need attention,
    with its one-line status and a link to the post. Idempotent: the same set of outcomes never
    notifies twice; a channel failing later (or again after a retry) is a new event."""
    now = now or timezone.now()
    publication = (
        Publication.objects.select_related("post__office", "created_by").filter(pk=publication_id).first()
    )
    if publication is None or publication.withdrawn_at is not None:
        return 0
    deliveries = list(publication.deliveries.select_related("channel").order_by("pk"))
    problems = [d for d in deliveries if d.state in PROBLEM_STATES]
    if not problems:
        return 0
    post, office = publication.post, publication.post.office
    digest = hashlib.sha256(
        "|".join(f"{d.pk}:{d.state}:{d.updated_at.timestamp():.6f}" for d in problems).encode()
    ).hexdigest()[:24]
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Penerbitan perlu perhatian: %(n)s dari %(total)s kanal",
            "Penerbitan perlu perhatian: %(n)s dari %(total)s kanal",
            len(problems),
        ) % {"n": len(problems), "total": len(deliveries)}
        summary = publication_summary(publication=publication, deliveries=deliveries)
        body = "\n".join(
            [
                summary,
                _("Unggahan: “%(text)s”") % {"text": post.text[:120] + ("…" if len(post.text) > 120 else "")},
                _("Buka unggahan untuk mengirim ulang atau memeriksa kanalnya."),
            ]
        )
    sent = notification_send(
        users=publication_responsible(publication=publication),
        office=office,
        kind=Kind.DELIVERY_PROBLEM,
        title=title,
        body=body,
        link=reverse("publishing:detail", kwargs={"office_slug": office.slug, "post_id": post.pk}),
        key=f"publication:{publication.pk}:problems:{digest}",
        now=now,
    )
    return len(sent)


def publication_problems_sweep(*, now: datetime | None = None, hours: int = 6) -> int:
    """Backstop: publications with a delivery that failed in the last ``hours`` and whose batch
    window has passed are notified (again a no-op when their notification exists)."""
    now = now or timezone.now()
    window = timedelta(seconds=max(0, settings.HUMAS_NOTIFY_BATCH_SECONDS))
    ids = (
        Delivery.objects.filter(
            state__in=PROBLEM_STATES,
            updated_at__gte=now - timedelta(hours=hours),
            updated_at__lte=now - window,
            publication__withdrawn_at__isnull=True,
        )
        .values_list("publication_id", flat=True)
        .distinct()
    )
    return sum(publication_problems_notify(publication_id=pk, now=now) for pk in list(ids))


# Enqueued by the code above; declared here, beside it, so that this module never imports tasks.py
# (tasks.py imports it): the import graph stays one-way. A task takes ids, loads fresh state and
# calls the service, so it is idempotent.
@db_task(retries=2, retry_delay=60)
def notify_publication_task(publication_id: int) -> None:
    publication_problems_notify(publication_id=publication_id)


def held_notify(*, office_id: int, window_id: int, post_ids: list[int], released: bool = False) -> int:
    """Tell an office's Editors and Administrators, and the posts' authors, that a blackout window
    holds some of its posts (or, ``released``, that the window was cancelled and they may be sent
    now). Idempotent: the same window and posts never notify twice."""
    window = Blackout.objects.select_related("office").filter(pk=window_id).first()
    office = Office.objects.filter(pk=office_id).first()
    if window is None or office is None:
        return 0
    posts = Post.objects.filter(pk__in=post_ids, office_id=office_id).values_list("pk", "text", "author_id")
    return blackout_held_notify(
        window=window,
        office=office,
        items=[HeldItem(pk=pk, title=text, author_id=author) for pk, text, author in posts],
        kind="posts",
        one_link=lambda item: reverse(
            "publishing:detail", kwargs={"office_slug": office.slug, "post_id": item.pk}
        ),
        list_link=reverse("publishing:list", kwargs={"office_slug": office.slug}),
        released=released,
    )
