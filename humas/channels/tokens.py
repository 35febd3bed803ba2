"""Keeping a channel's credential usable: the secret for a call, OAuth 2.0 refresh, verification.

X access tokens live two hours and their refresh tokens rotate (each works once), so the refresh
runs under the credential's row lock: a second worker waits, then finds the token already
refreshed. A refused refresh flags the channel "perlu dihubungkan ulang" and warns the
Administrators. No token or secret is logged, audited or shown.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.audit.services import audit_record

from . import crypto
from .alerts import notify_health
from .connectors import AccountInfo, CredentialsInvalid
from .connectors.x import X_URL
from .models import Channel, ChannelCredential
from .services import ChannelError, connector_for

log = logging.getLogger(__name__)

# Refresh an access token this long before it expires (X's live two hours).
REFRESH_MARGIN = timedelta(minutes=5)
# The refresh holds the credential's row lock (on SQLite the database's write lock, whose busy
# timeout is 20 s): keep X's answer time well under that.
TOKEN_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def base_url(platform: str, default: str) -> str:
    return (settings.HUMAS_PLATFORM_BASE_URLS.get(platform) or default).rstrip("/")


def clean_text(text: object) -> str:
    return " ".join(str(text).split())[:200]


def platform_reason(text: object) -> str:
    """A platform's error text, one line, without its final full stop (the sentence adds one)."""
    return clean_text(text).rstrip(" .")


class TokenUnavailable(Exception):
    """X did not answer usefully (network, 5xx, 429, garbage): try again later."""


class TokenRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def x_token_request(data: dict[str, str]) -> dict[str, Any]:
    """``POST /2/oauth2/token``, as a confidential client (HTTP Basic) when a secret is set."""
    auth: tuple[str, str] | None = None
    if settings.HUMAS_X_CLIENT_SECRET:
        auth = (settings.HUMAS_X_CLIENT_ID, settings.HUMAS_X_CLIENT_SECRET)
    else:
        data = {**data, "client_id": settings.HUMAS_X_CLIENT_ID}
    try:
        response = httpx.post(
            f"{base_url('x', X_URL)}/2/oauth2/token", data=data, auth=auth, timeout=TOKEN_TIMEOUT
        )
    except httpx.HTTPError:
        raise TokenUnavailable from None
    if response.status_code >= 500 or response.status_code == 429:
        raise TokenUnavailable
    try:
        payload = response.json()
    except ValueError:
        raise TokenUnavailable from None
    if not isinstance(payload, dict):
        raise TokenUnavailable
    if response.status_code != 200 or not payload.get("access_token"):
        raise TokenRefused(
            platform_reason(payload.get("error_description") or payload.get("error") or response.status_code)
        )
    return payload


def credential_needs_refresh(credential: ChannelCredential) -> bool:
    if not credential.refresh_ciphertext:
        return False
    expires = credential.access_expires_at
    return expires is None or expires - timezone.now() <= REFRESH_MARGIN


def credential_refresh(*, channel_id: int, rejected: str | None = None, flag: bool = True) -> str:
    """A usable access token for the channel, refreshed with its refresh token when it is about to
    expire or when the platform rejected ``rejected``.

    The credential row stays locked while X is asked: refresh tokens rotate (each works once), so a
    second worker waits, then finds the token already refreshed and uses it. When X is unreachable
    the current token is returned (the next call tries again). When X refuses the refresh token
    the channel is flagged "perlu dihubungkan ulang", its Administrators are warned (``flag``) and
    ChannelError says why."""
    reason = ""
    with transaction.atomic():
        credential = ChannelCredential.objects.select_for_update().filter(channel_id=channel_id).first()
        if credential is None:
            raise ChannelError(_("Kanal ini belum dihubungkan."))
        current = crypto.decrypt(credential.ciphertext)
        if not credential.refresh_ciphertext:
            return current
        if rejected is None and not credential_needs_refresh(credential):
            return current  # another worker refreshed it while this one waited for the lock
        if rejected is not None and current != rejected:
            return current
        try:
            payload = x_token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": crypto.decrypt(credential.refresh_ciphertext),
                }
            )
        except TokenUnavailable:
            log.warning("channel %s: X token endpoint unavailable; keeping the current token", channel_id)
            return current
        except TokenRefused as exc:
            reason = exc.reason
            # The refresh token is dead: keep nobody asking X with it again.
            credential.refresh_ciphertext = ""
            credential.save(update_fields=["refresh_ciphertext"])
        else:
            access = str(payload["access_token"])
            credential.ciphertext = crypto.encrypt(access)
            if payload.get("refresh_token"):
                credential.refresh_ciphertext = crypto.encrypt(str(payload["refresh_token"]))
            credential.access_expires_at = timezone.now() + timedelta(
                seconds=int(payload.get("expires_in") or 7200)
            )
            credential.save(update_fields=["ciphertext", "refresh_ciphertext", "access_expires_at"])
            return access
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "X menolak memperbarui token (%(reason)s). Hubungkan ulang kanal ini dengan akun X kantor."
        ) % {"reason": reason}
    if flag:
        _flag_reconnect(channel_id, message)
    raise ChannelError(message)


def _flag_reconnect(channel_id: int, message: str) -> None:
    with transaction.atomic():
        channel = Channel.objects.select_for_update().select_related("office").get(pk=channel_id)
        before = channel.health
        if before == Channel.Health.RECONNECT:
            return
        channel.health, channel.health_message = Channel.Health.RECONNECT, message[:500]
        channel.save(update_fields=["health", "health_message", "updated_at"])
        audit_record(
            actor=None,
            office=channel.office,
            action="channel.health",
            obj=channel,
            changes={"health": {"before": before, "after": channel.health}, "reason": "refresh_refused"},
        )
    notify_health(channel, message)


def channel_verify(*, channel: Channel, token: str) -> AccountInfo:
    """Verify ``token`` against the platform; when the platform rejects a refreshable OAuth token,
    refresh it once and verify again (the health check uses this)."""
    fresh = ""
    connector = connector_for(channel=channel, token=token)
    try:
        return connector.verify()
    except CredentialsInvalid:
        if ChannelCredential.objects.filter(channel=channel).exclude(refresh_ciphertext="").exists():
            try:
                fresh = credential_refresh(channel_id=channel.pk, rejected=token, flag=False)
            except ChannelError:
                fresh = ""
        if not fresh or fresh == token:
            raise  # the platform's rejection stands; the health check reports it
    finally:
        connector.close()
    connector = connector_for(channel=channel, token=fresh)
    try:
        return connector.verify()
    finally:
        connector.close()


def channel_credential_secret(*, channel: Channel, preloaded: bool = False) -> str:
    """The decrypted secret, for the delivery engine only. Raises ChannelError if none is stored.
    ``preloaded``: ``channel.credential`` was read with the channel just now (the engine's claim,
    ``select_related("channel__credential")``), so it is not read again.

    An OAuth 2.0 access token close to its expiry is refreshed first (under a row lock, see
    credential_refresh); if the platform refuses the refresh, the channel is flagged
    "perlu dihubungkan ulang" and ChannelError says why."""
    if preloaded:
        credential = getattr(channel, "credential", None)
    else:
        credential = ChannelCredential.objects.filter(channel=channel).first()
    if credential is None:
        raise ChannelError(_("Kanal ini belum dihubungkan."))
    try:
        if credential.refresh_ciphertext and credential_needs_refresh(credential):
            return credential_refresh(channel_id=channel.pk)
        return crypto.decrypt(credential.ciphertext)
    except crypto.CredentialDecryptError:
        # A key removed from HUMAS_CREDENTIAL_KEYS too early: a person must act (restore the key or
        # reconnect), and the delivery engine must get a ChannelError, not a crash it retries forever.
        log.error("credential of channel %s cannot be decrypted with the configured keys", channel.pk)
        raise ChannelError(
            _(
                "Kredensial kanal ini tidak dapat dibuka dengan kunci enkripsi yang terpasang "
                "(HUMAS_CREDENTIAL_KEYS berubah?). Pasang kembali kunci lama atau hubungkan ulang kanal ini."
            )
        ) from None
