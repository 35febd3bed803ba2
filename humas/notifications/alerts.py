"""The events that must reach a person: a token about to expire, a channel that turned unhealthy,
a publication whose deliveries failed or need a decision. Each is built here once, so the app and
the e-mail say the same thing, and each has a key so it never notifies anyone twice."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.accounts.models import User
from humas.channels.models import API_PLATFORMS, Channel
from humas.offices.models import Membership, Office
from humas.publishing.models import Delivery, Publication

from .models import Notification
from .services import notification_send

Kind = Notification.Kind
PROBLEM_STATES = (Delivery.State.FAILED, Delivery.State.NEEDS_ATTENTION)


# --------------------------------------------------------------------------------------------
# Who is told


def office_administrators(*, office: Office) -> QuerySet[User]:
    """Active Administrators who reach ``office``: members there or at any office above it."""
    codes = [*office.ancestor_codes, office.code]
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(office__code__in=codes, role=Membership.Role.ADMIN).values(
            "user_id"
        ),
    ).order_by("pk")


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


# --------------------------------------------------------------------------------------------
# Token expiry, warned days before (no platform call needed: the expiry was read on connect)


def token_warn_thresholds() -> list[int]:
    """Days before expiry at which Administrators are warned, largest first (default 7, 3, 1)."""
    days = {int(d) for d in settings.HUMAS_TOKEN_WARN_THRESHOLDS if int(d) > 0}
    return sorted(days or {settings.HUMAS_TOKEN_WARN_DAYS}, reverse=True)


def days_left(*, expires_at: datetime, now: datetime) -> int:
    """Whole days until ``expires_at``, rounded up: 6 days 2 hours is "7 days" (0 when past)."""
    return max(0, math.ceil((expires_at - now).total_seconds() / 86400))


def token_threshold(*, expires_at: datetime, now: datetime) -> int | None:
    """The smallest threshold the token has reached, or None when it is still far (or past)."""
    left = days_left(expires_at=expires_at, now=now)
    if expires_at <= now:
        return None
    reached = [t for t in token_warn_thresholds() if left <= t]
    return min(reached) if reached else None


def _tell_administrators(
    channel: Channel, *, kind: str, title: str, body: str, key: str, now: datetime, to_list: bool = False
) -> int:
    """Notify the Administrators who reach the channel's office, linking to the channel's connect
    page (or to the channel list). Returns how many were notified."""
    office = channel.office
    link = (
        reverse("channels:list", kwargs={"office_slug": office.slug})
        if to_list
        else reverse("channels:connect", kwargs={"office_slug": office.slug, "channel_id": channel.pk})
    )
    sent = notification_send(
        users=office_administrators(office=office),
        office=office,
        kind=kind,
        title=title,
        body=body,
        link=link,
        key=key,
        now=now,
    )
    return len(sent)


def channel_token_warn(*, channel: Channel, now: datetime | None = None, threshold: int | None = None) -> int:
    """Warn the Administrators who reach the channel's office that its token expires in N days.
    Once per threshold per token (a new token starts over). Returns how many were notified."""
    now = now or timezone.now()
    expires_at = channel.token_expires_at
    if expires_at is None or expires_at <= now:
        return 0
    threshold = threshold or token_threshold(expires_at=expires_at, now=now)
    if threshold is None:
        return 0
    office = channel.office
    left = days_left(expires_at=expires_at, now=now)
    with translation.override(settings.LANGUAGE_CODE):
        title = ngettext(
            "Token %(channel)s kedaluwarsa dalam %(days)s hari",
            "Token %(channel)s kedaluwarsa dalam %(days)s hari",
            left,
        ) % {"channel": str(channel), "days": left}
        body = _(
            "Token kanal %(channel)s milik %(office)s kedaluwarsa pada %(date)s. "
            "Hubungkan ulang kanal itu sebelum tanggal tersebut agar penerbitan tidak gagal."
        ) % {
            "channel": str(channel),
            "office": office.name,
            "date": f"{timezone.localtime(expires_at, office.zoneinfo):%d-%m-%Y %H:%M} {office.tz_abbreviation}",
        }
    return _tell_administrators(
        channel,
        kind=Kind.TOKEN_EXPIRY,
        title=title,
        body=body,
        key=f"token-expiry:{channel.pk}:{expires_at.timestamp():.0f}:{threshold}",
        now=now,
    )


def channel_tokens_warn(*, now: datetime | None = None) -> dict[str, int]:
    """Daily: every connected channel whose token reaches a threshold. Idempotent."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(token_warn_thresholds()))
    channels = Channel.objects.filter(
        is_active=True,
        platform__in=API_PLATFORMS,
        credential__isnull=False,
        token_expires_at__gt=now,
        token_expires_at__lte=horizon,
    ).select_related("office")
    checked = notified = 0
    for channel in channels:
        checked += 1
        notified += channel_token_warn(channel=channel, now=now)
    return {"channels": checked, "notified": notified}


def channel_health_notify(*, channel: Channel, title: str, body: str, now: datetime | None = None) -> int:
    """A health check found the channel changed to EXPIRING, RECONNECT or FAILING: tell the
    Administrators who reach its office, in the app and by e-mail. An expiring token is the same
    event as the daily warning at that threshold, so nobody is told twice."""
    now = now or timezone.now()
    if channel.health == Channel.Health.EXPIRING and channel.token_expires_at is not None:
        threshold = token_threshold(expires_at=channel.token_expires_at, now=now) or days_left(
            expires_at=channel.token_expires_at, now=now
        )
        return channel_token_warn(channel=channel, now=now, threshold=threshold)
    checked = channel.last_verified_at or now
    return _tell_administrators(
        channel,
        kind=Kind.CHANNEL_HEALTH,
        title=title,
        body=body,
        key=f"channel-health:{channel.pk}:{channel.health}:{checked.timestamp():.0f}",
        now=now,
    )


def channel_recovered_notify(*, channel: Channel, now: datetime | None = None) -> int:
    """A channel that was failing or needed reconnecting answers again: a low-importance note
    (in the app, no e-mail) to the same Administrators."""
    now = now or timezone.now()
    checked = channel.last_verified_at or now
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Kanal %(channel)s kembali sehat") % {"channel": str(channel)}
        body = _("Pemeriksaan terakhir berhasil; penerbitan ke kanal ini berjalan lagi.")
    return _tell_administrators(
        channel,
        kind=Kind.CHANNEL_RECOVERED,
        title=title,
        body=body,
        key=f"channel-health:{channel.pk}:{channel.health}:{checked.timestamp():.0f}",
        now=now,
        to_list=True,
    )


# --------------------------------------------------------------------------------------------
# Deliveries that need a person, one notification per publication batch


def _batch_key(publication_id: int) -> str:
    return f"humas:notify:publication:{publication_id}"


def publication_problems_enqueue(*, publication_id: int) -> None:
    """A delivery of the publication ended failed or needing attention (called on commit by the
    delivery engine). The first one opens a window of HUMAS_NOTIFY_BATCH_SECONDS; one task at its
    end tells people about every channel that failed meanwhile, so 30 channels failing at once
    make one notification, not 30. The periodic backstop covers a lost task or cache."""
    from .tasks import notify_publication_task

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
    from humas.publishing.delivery import publication_summary

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
