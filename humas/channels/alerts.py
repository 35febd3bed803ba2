"""What a channel's Administrators are told: a token about to expire, a channel that turned
unhealthy or recovered. The texts are the channels app's; notifications delivers them (bell and
e-mail) and its keys make sure nobody is told twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.notifications.models import Notification
from humas.notifications.selectors import days_left, office_administrators
from humas.notifications.services import notification_send

from .models import API_PLATFORMS, Channel

Kind = Notification.Kind


def token_warn_thresholds() -> list[int]:
    """Days before expiry at which Administrators are warned, largest first (default 7, 3, 1)."""
    days = {int(d) for d in settings.HUMAS_TOKEN_WARN_THRESHOLDS if int(d) > 0}
    return sorted(days or {settings.HUMAS_TOKEN_WARN_DAYS}, reverse=True)


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


def _health_key(channel: Channel, now: datetime) -> str:
    # One key per health state and check: a channel that falls ill and recovers is told each
    # time, but the same check never notifies twice.
    checked = channel.last_verified_at or now
    return f"channel-health:{channel.pk}:{channel.health}:{checked.timestamp():.0f}"


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
    return _tell_administrators(
        channel,
        kind=Kind.CHANNEL_HEALTH,
        title=title,
        body=body,
        key=_health_key(channel, now),
        now=now,
    )


def channel_recovered_notify(*, channel: Channel, now: datetime | None = None) -> int:
    """A channel that was failing or needed reconnecting answers again: a low-importance note
    (in the app, no e-mail) to the same Administrators."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Kanal %(channel)s kembali sehat") % {"channel": str(channel)}
        body = _("Pemeriksaan terakhir berhasil; penerbitan ke kanal ini berjalan lagi.")
    # Same shape as channel_health_notify's, different event: its own kind, no e-mail, to the list.
    return _tell_administrators(
        channel,
        kind=Kind.CHANNEL_RECOVERED,
        title=title,
        body=body,
        key=_health_key(channel, now),
        now=now,
        to_list=True,
    )


def _notify(channel: Channel, subject: str, body: str) -> None:
    # The Administrators who reach the office, in the app (the bell) and by e-mail, through the
    # notification service: both say the same thing, and the same event never notifies twice.
    channel_health_notify(channel=channel, title=subject, body=body)


def notify_health(channel: Channel, detail: str) -> None:
    """Tell the Administrators who reach the channel's office about its health, in the default
    language (e-mail and the app, see _notify)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Kanal %(channel)s perlu perhatian") % {"channel": str(channel)}
        body = _(
            "Kanal %(channel)s milik %(office)s berstatus “%(health)s”.\n%(detail)s\n"
            "Buka Pengaturan → Kanal untuk menghubungkannya ulang."
        ) % {
            "channel": str(channel),
            "office": channel.office.name,
            "health": channel.get_health_display(),
            "detail": detail,
        }
    _notify(channel, subject, body)
