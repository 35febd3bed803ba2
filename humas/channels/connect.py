"""Connecting a channel by a pasted credential, checking its health, warning before expiry.

Every credential is verified against the platform before it is stored: identity, permissions,
page vs user token. A credential that fails is never saved, and the person gets the platform's
reason in their language.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy

from .alerts import channel_recovered_notify, notify_health
from .connectors import ConnectorError, CredentialsInvalid, RetryLater
from .models import API_PLATFORMS, Channel, ChannelCredential
from .services import ChannelError, channel_store_credential, connector_for, record_authorised_identity
from .tokens import channel_credential_secret, channel_verify

# Credentials that carry a person's own authorisation (as opposed to a bot token).
PERSONAL_KINDS = frozenset({"page", "user", "oauth2_user", "oauth1_user"})


def _message(error: ConnectorError) -> str:
    return error.message_in(translation.get_language() or settings.LANGUAGE_CODE)


def refused_message(error: CredentialsInvalid) -> str:
    """A token refused while connecting: it never worked here, so it is "refused, check this",
    not "no longer valid, reconnect" (what the health check says of a token that worked)."""
    return error.refused_message_in(translation.get_language() or settings.LANGUAGE_CODE)


def channel_connect_token(*, actor: User, channel: Channel, token: str, account_id: str) -> list[str]:
    """Verify ``token`` for ``channel`` against the platform and store it encrypted.

    Returns the platform's warnings (shown to the person). Raises ChannelError with a precise,
    translated reason when the credential is wrong, expired, of the wrong kind or lacks a
    permission; nothing is stored then.
    """
    policy.require(actor, "channel.manage", channel.office)
    if channel.platform not in API_PLATFORMS:
        raise ChannelError(_("Kanal ini tidak memiliki API untuk diterbitkan; gunakan mode dibantu."))
    token = token.strip()
    if not token or len(token) > 4096 or any(c.isspace() for c in token):
        raise ChannelError(_("Token kosong atau tidak valid: salin ulang tanpa spasi."))
    connector = connector_for(channel=channel, token=token, account_id=account_id.strip())
    try:
        info = connector.verify()
    except RetryLater as exc:
        raise ChannelError(
            _("Platform sedang tidak dapat dihubungi: %(reason)s Coba lagi nanti.")
            % {"reason": _message(exc)}
        ) from None
    except CredentialsInvalid as exc:
        raise ChannelError(refused_message(exc)) from None
    except ConnectorError as exc:
        raise ChannelError(_message(exc)) from None
    finally:
        connector.close()  # its HTTP client and connections
    with transaction.atomic():
        channel_store_credential(
            actor=actor,
            channel=channel,
            secret=token,
            kind=info.credential_type,
            personal=info.credential_type in PERSONAL_KINDS,
            expires_at=info.expires_at,
            identity=info,
        )
        if info.expires_at is not None and info.expires_at - timezone.now() < timedelta(
            days=settings.HUMAS_TOKEN_WARN_DAYS
        ):
            channel.health = Channel.Health.EXPIRING
            channel.save(update_fields=["health", "updated_at"])
    return list(info.warnings)


# A health check that started this long ago was left by a dead worker: another may start.
CHECK_STALE = timedelta(minutes=5)
# How long a caller that needs a verdict waits for a check of the same channel already running.
CHECK_WAIT = timedelta(seconds=30)
CHECK_POLL_SECONDS = 0.25


def _connected_channels() -> QuerySet[Channel]:
    return Channel.objects.filter(is_active=True, platform__in=API_PLATFORMS, credential__isnull=False)


def channels_due_for_check(*, now: datetime | None = None) -> tuple[list[int], datetime]:
    """The connected channels to verify now, oldest check first, and the cutoff they were picked
    with: each channel is verified about every HUMAS_CHANNEL_CHECK_MINUTES, and no more than its
    share of all channels is picked in one minute, so the checks are spread over the period
    instead of hitting the platforms together (after an outage the backlog drains the same way)."""
    now = now or timezone.now()
    minutes = max(1, settings.HUMAS_CHANNEL_CHECK_MINUTES)
    cutoff = now - timedelta(minutes=minutes)
    connected = _connected_channels()
    batch = max(5, math.ceil(connected.count() / minutes))
    ids = list(
        connected.filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=cutoff))
        .order_by(F("last_verified_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:batch]
    )
    return ids, cutoff


def channels_checked_before(*, moment: datetime) -> list[int]:
    """Every connected channel last verified before ``moment`` (or never), oldest first."""
    return list(
        _connected_channels()
        .filter(Q(last_verified_at__isnull=True) | Q(last_verified_at__lt=moment))
        .order_by(F("last_verified_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def _claim(channel_id: int) -> datetime | None:
    """Mark a health check of the channel as running; None when another one runs already."""
    now = timezone.now()
    claimed = (
        Channel.objects.filter(pk=channel_id)
        .filter(Q(health_check_started_at__isnull=True) | Q(health_check_started_at__lt=now - CHECK_STALE))
        .update(health_check_started_at=now)
    )
    return now if claimed else None


def _release(channel_id: int, claimed_at: datetime) -> None:
    Channel.objects.filter(pk=channel_id, health_check_started_at=claimed_at).update(
        health_check_started_at=None
    )


def _wait_for_running_check(channel_id: int) -> str:
    """The verdict of the check of this channel another worker is running (its current health
    when that takes longer than CHECK_WAIT)."""
    deadline = time.monotonic() + CHECK_WAIT.total_seconds()
    while True:
        row = Channel.objects.filter(pk=channel_id).values("health", "health_check_started_at").first()
        if row is None:
            return "skipped"
        if row["health_check_started_at"] is None or time.monotonic() >= deadline:
            return str(row["health"])
        time.sleep(CHECK_POLL_SECONDS)


def channel_check_health(
    *, channel_id: int, checked_before: datetime | None = None, wait: bool = True
) -> str:
    """Verify a connected channel again. Idempotent; notifies Administrators only on a change.

    Never two checks of one channel at once: while one runs, another caller gets its verdict
    (``wait``, what the delivery engine and the "Periksa" button need) or "busy" at once (the
    periodic sweep). ``checked_before``: skip ("fresh") a channel verified at or after that moment,
    so a check queued twice, or overtaken by another, does nothing twice."""
    channel = Channel.objects.select_related("office").filter(pk=channel_id, is_active=True).first()
    if channel is None or channel.platform not in API_PLATFORMS:
        return "skipped"
    if not ChannelCredential.objects.filter(channel=channel).exists():
        return "not-connected"
    if checked_before is not None and channel.last_verified_at and channel.last_verified_at >= checked_before:
        return "fresh"
    claimed_at = _claim(channel.pk)
    if claimed_at is None:
        return _wait_for_running_check(channel.pk) if wait else "busy"
    try:
        channel.refresh_from_db()
        if (
            checked_before is not None
            and channel.last_verified_at
            and channel.last_verified_at >= checked_before
        ):
            return "fresh"  # checked by someone else between the two reads
        return _check(channel)
    finally:
        _release(channel.pk, claimed_at)


def _check(channel: Channel) -> str:
    try:
        secret = channel_credential_secret(channel=channel)
    except ChannelError:
        return "not-connected"
    before = channel.health
    identity_fields: list[str] = []
    try:
        # An OAuth token the platform rejects is refreshed once (X) before the verdict.
        info = channel_verify(channel=channel, token=secret)
    except CredentialsInvalid as exc:
        channel.health, channel.health_message = (
            Channel.Health.RECONNECT,
            exc.message_in(settings.LANGUAGE_CODE),
        )
    except RetryLater:
        return before  # the platform is unavailable; say nothing about the credential
    except ConnectorError as exc:
        channel.health, channel.health_message = (
            Channel.Health.FAILING,
            exc.message_in(settings.LANGUAGE_CODE),
        )
    else:
        channel.token_expires_at = info.expires_at
        soon = info.expires_at is not None and info.expires_at - timezone.now() < timedelta(
            days=settings.HUMAS_TOKEN_WARN_DAYS
        )
        channel.health = Channel.Health.EXPIRING if soon else Channel.Health.HEALTHY
        channel.health_message = ""
        # What the platform says about the account now (renamed handle, Page name): shown beside
        # the declared account, never replacing it.
        record_authorised_identity(channel, info)
        identity_fields = ["authorised_name", "authorised_handle", "authorised_url"]
    channel.last_verified_at = timezone.now()
    channel.save(
        update_fields=[
            "health",
            "health_message",
            "token_expires_at",
            "last_verified_at",
            "updated_at",
            *identity_fields,
        ]
    )
    if channel.health != before and channel.health in (
        Channel.Health.RECONNECT,
        Channel.Health.FAILING,
        Channel.Health.EXPIRING,
    ):
        audit_record(
            actor=None,
            office=channel.office,
            action="channel.health",
            obj=channel,
            changes={"health": {"before": before, "after": channel.health}},
        )
        notify_health(
            channel,
            channel.health_message
            or (
                _("Token kedaluwarsa pada %(date)s.")
                % {"date": channel.token_expires_at.strftime("%d-%m-%Y")}
                if channel.token_expires_at
                else ""
            ),
        )
    elif (
        before in (Channel.Health.RECONNECT, Channel.Health.FAILING)
        and channel.health == Channel.Health.HEALTHY
    ):
        # Good news is low-importance: in the app only, so the bell does not keep a stale alarm.
        channel_recovered_notify(channel=channel)
    return channel.health
