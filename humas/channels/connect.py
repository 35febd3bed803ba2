"""Connecting a channel by a pasted credential, checking its health, warning before expiry.

Every credential is verified against the platform before it is stored: identity, permissions,
page vs user token. A credential that fails is never saved, and the person gets the platform's
reason in their language.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy

from .alerts import channel_recovered_notify, notify_health
from .connectors import ConnectorError, CredentialsInvalid, RetryLater
from .models import API_PLATFORMS, Channel
from .services import ChannelError, channel_store_credential, connector_for
from .tokens import channel_credential_secret, channel_verify

# Credentials that carry a person's own authorisation (as opposed to a bot token).
PERSONAL_KINDS = frozenset({"page", "user", "oauth2_user", "oauth1_user"})


def _message(error: ConnectorError) -> str:
    return error.message_in(translation.get_language() or settings.LANGUAGE_CODE)


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


def channel_check_health(*, channel_id: int) -> str:
    """Verify a connected channel again. Idempotent; notifies Administrators only on a change."""
    channel = Channel.objects.select_related("office").filter(pk=channel_id, is_active=True).first()
    if channel is None or channel.platform not in API_PLATFORMS:
        return "skipped"
    try:
        secret = channel_credential_secret(channel=channel)
    except ChannelError:
        return "not-connected"
    before = channel.health
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
    channel.last_verified_at = timezone.now()
    channel.save(
        update_fields=["health", "health_message", "token_expires_at", "last_verified_at", "updated_at"]
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
