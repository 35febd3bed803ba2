"""Writes to channels and their credentials. Policy checked and audited in every function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record, diff
from humas.offices import policy
from humas.offices.models import Office, office_prefix
from humas.offices.tree import subtree
from humas.web import pagecache

from . import crypto
from .connectors import AccountInfo, Connector, build_connector
from .models import API_PLATFORMS, Channel, ChannelCredential, Platform


def _invalidate_official_pages(channel: Channel) -> None:
    """The public "Akun resmi" pages of the office and of every office above list this channel."""
    offices = [channel.office, *Office.objects.filter(code__in=channel.office.ancestor_codes)]
    pagecache.invalidate_paths([f"{office_prefix(o.slug)}akun-resmi/" for o in offices])


class ChannelError(ValueError):
    """A request about a channel that cannot be carried out; the message is translated."""


@dataclass
class ChannelInput:
    platform: str
    name: str
    handle: str = ""
    url: str = ""
    is_official: bool = True
    decree_reference: str = ""
    decree_date: date | None = None


PUBLIC_FIELDS = ("platform", "name", "handle", "url", "is_official", "decree_reference", "decree_date")


def _check(data: ChannelInput) -> None:
    if data.platform not in Platform.values:
        raise ChannelError(_("Platform tidak dikenal."))
    if not data.name.strip():
        raise ChannelError(_("Nama akun wajib diisi."))


def channel_create(*, actor: User, office: Office, data: ChannelInput) -> Channel:
    """Register a channel of ``office`` (an official account, for now without API credentials)."""
    policy.require(actor, "channel.manage", office)
    _check(data)
    with transaction.atomic():
        channel = Channel.objects.create(
            office=office,
            platform=data.platform,
            name=data.name.strip(),
            handle=data.handle.strip().lstrip("@"),
            url=data.url.strip(),
            is_official=data.is_official,
            decree_reference=data.decree_reference.strip(),
            decree_date=data.decree_date,
            health=Channel.Health.ASSISTED if data.platform not in API_PLATFORMS else Channel.Health.UNKNOWN,
        )
        audit_record(
            actor=actor,
            office=office,
            action="channel.create",
            obj=channel,
            changes={"platform": channel.platform, "handle": channel.handle, "official": channel.is_official},
        )
        transaction.on_commit(lambda: _invalidate_official_pages(channel))
    return channel


def channel_update(*, actor: User, channel: Channel, data: ChannelInput) -> Channel:
    policy.require(actor, "channel.manage", channel.office)
    _check(data)
    before = {name: getattr(channel, name) for name in PUBLIC_FIELDS}
    with transaction.atomic():
        channel.platform = data.platform
        channel.name = data.name.strip()
        channel.handle = data.handle.strip().lstrip("@")
        channel.url = data.url.strip()
        channel.is_official = data.is_official
        channel.decree_reference = data.decree_reference.strip()
        channel.decree_date = data.decree_date
        channel.save()
        after = {name: getattr(channel, name) for name in PUBLIC_FIELDS}
        audit_record(
            actor=actor,
            office=channel.office,
            action="channel.update",
            obj=channel,
            changes={
                k: {"before": str(v["before"]), "after": str(v["after"])}
                for k, v in diff(before, after).items()
            },
        )
        transaction.on_commit(lambda: _invalidate_official_pages(channel))
    return channel


def channel_deactivate(*, actor: User, channel: Channel) -> Channel:
    policy.require(actor, "channel.manage", channel.office)
    with transaction.atomic():
        channel.is_active = False
        channel.save(update_fields=["is_active", "updated_at"])
        ChannelCredential.objects.filter(channel=channel).delete()
        audit_record(actor=actor, office=channel.office, action="channel.deactivate", obj=channel)
        transaction.on_commit(lambda: _invalidate_official_pages(channel))
    return channel


def channel_store_credential(
    *,
    actor: User,
    channel: Channel,
    secret: str,
    kind: str,
    personal: bool,
    expires_at: datetime | None,
    refresh_secret: str = "",
    access_expires_at: datetime | None = None,
    identity: AccountInfo | None = None,
) -> None:
    """Encrypt and store a verified credential. The secret never reaches the audit log.

    ``refresh_secret`` and ``access_expires_at``: an OAuth 2.0 refresh token and when ``secret``
    (its access token) expires; Humas then refreshes it before it does (see oauth.py).
    ``identity``: what ``verify`` reported (account id, name, handle, URL), recorded on the
    channel in the same transaction as the *authorised* account; it may collide with another
    channel of the office (IntegrityError). The declared account (name, handle, url: what the
    public is told) is never changed here: when the two differ the channel shows it and an
    Administrator may confirm the change (channel_confirm_authorised_identity)."""
    policy.require(actor, "channel.manage", channel.office)
    with transaction.atomic():
        if identity is not None:
            channel.account_id = identity.account_id or channel.account_id
            record_authorised_identity(channel, identity)
            channel.save(
                update_fields=[
                    "account_id",
                    "authorised_name",
                    "authorised_handle",
                    "authorised_url",
                    "updated_at",
                ]
            )
        ChannelCredential.objects.update_or_create(
            channel=channel,
            defaults={
                "ciphertext": crypto.encrypt(secret),
                "kind": kind,
                "rotated_at": None,
                "refresh_ciphertext": crypto.encrypt(refresh_secret) if refresh_secret else "",
                "access_expires_at": access_expires_at,
            },
        )
        channel.authorised_by = actor if personal else None
        channel.token_expires_at = expires_at
        channel.last_verified_at = timezone.now()
        channel.health = Channel.Health.HEALTHY
        channel.health_message = ""
        channel.save(
            update_fields=[
                "authorised_by",
                "token_expires_at",
                "last_verified_at",
                "health",
                "health_message",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            office=channel.office,
            action="channel.connect",
            obj=channel,
            changes={
                "kind": kind,
                "personal": personal,
                "expires_at": expires_at.isoformat() if expires_at else None,
                **(
                    {
                        "declared": {"handle": channel.handle, "name": channel.name},
                        "authorised": {"handle": channel.authorised_handle, "name": channel.authorised_name},
                        "differs": channel.identity_mismatch is not None,
                    }
                    if identity is not None
                    else {}
                ),
            },
        )


def record_authorised_identity(channel: Channel, identity: AccountInfo) -> None:
    """Copy what the platform reported about the credential's account onto ``channel`` (not saved)."""
    channel.authorised_name = " ".join(identity.name.split())[:150]
    channel.authorised_handle = identity.handle.strip().lstrip("@")[:100]  # stored without "@"
    channel.authorised_url = identity.url[:300]


def channel_confirm_authorised_identity(*, actor: User, channel: Channel, seen: str) -> Channel:
    """An Administrator makes the authorised account the official one: the declared handle (or,
    for a platform without handles, the name) and the link take the authorised values; audited
    with before and after. ``seen``: the authorised handle or name the person was shown, so a
    reconnection in the meantime is never confirmed unseen. Raises ChannelError."""
    policy.require(actor, "channel.manage", channel.office)
    with transaction.atomic():
        channel = Channel.objects.select_for_update().select_related("office").get(pk=channel.pk)
        mismatch = channel.identity_mismatch
        if mismatch is None:
            raise ChannelError(_("Tidak ada perbedaan akun yang perlu dikonfirmasi."))
        if seen.strip().lstrip("@") != mismatch.authorised:
            raise ChannelError(
                _(
                    "Akun yang dihubungkan sudah berubah sejak halaman ini dibuka; periksa lagi sebelum "
                    "mengonfirmasi."
                )
            )
        before = {name: getattr(channel, name) for name in ("name", "handle", "url")}
        if mismatch.field == "handle":
            channel.handle = channel.authorised_handle
        else:
            channel.name = channel.authorised_name
        channel.url = channel.authorised_url or channel.url
        channel.save(update_fields=["name", "handle", "url", "updated_at"])
        after = {name: getattr(channel, name) for name in ("name", "handle", "url")}
        audit_record(
            actor=actor,
            office=channel.office,
            action="channel.identity_confirm",
            obj=channel,
            changes={k: {"before": v["before"], "after": v["after"]} for k, v in diff(before, after).items()},
        )
        transaction.on_commit(lambda: _invalidate_official_pages(channel))
    return channel


def credentials_rotate() -> int:
    """Re-encrypt every stored credential with the current key. Idempotent."""
    rotated = 0
    for pk in list(ChannelCredential.objects.values_list("pk", flat=True)):
        with transaction.atomic():
            # Each row locked on its own: an OAuth refresh rewriting it meanwhile is not lost.
            credential = ChannelCredential.objects.select_for_update().get(pk=pk)
            credential.ciphertext = crypto.rotate(credential.ciphertext)
            if credential.refresh_ciphertext:
                credential.refresh_ciphertext = crypto.rotate(credential.refresh_ciphertext)
            credential.rotated_at = timezone.now()
            credential.save(update_fields=["ciphertext", "refresh_ciphertext", "rotated_at"])
            rotated += 1
    if rotated:
        audit_record(actor=None, office=None, action="channel.credentials_rotate", changes={"count": rotated})
    return rotated


def channels_flag_departed_person(*, user: User, office: Office) -> int:
    """When someone leaves an office, the channels there (and below) that run on their personal
    authorisation need another Administrator to reconnect them. Returns how many were flagged."""
    policy.forget(user)
    channels = [
        channel
        for channel in Channel.objects.filter(
            subtree(office.path, field="office__path"), authorised_by=user, is_active=True
        ).select_related("office")
        # Someone who still reaches the office through another membership has not left it.
        if not policy.can(user, "channel.manage", channel.office)
    ]
    for channel in channels:
        channel.health = Channel.Health.RECONNECT
        channel.health_message = _("%(person)s yang menghubungkan kanal ini sudah tidak di kantor ini.") % {
            "person": user.get_full_name()
        }
        channel.save(update_fields=["health", "health_message", "updated_at"])
        audit_record(
            actor=None,
            office=channel.office,
            action="channel.needs_reconnect",
            obj=channel,
            changes={"reason": "authoriser_left", "email": user.email},
        )
    return len(channels)


def connector_for(*, channel: Channel, token: str, account_id: str | None = None) -> Connector:
    base_url = settings.HUMAS_PLATFORM_BASE_URLS.get(channel.platform) or None
    return build_connector(
        channel.platform,
        account_id=account_id if account_id is not None else channel.account_id,
        token=token,
        base_url=base_url,
        web_url=settings.HUMAS_PLATFORM_WEB_URLS.get(channel.platform) or None,
    )
