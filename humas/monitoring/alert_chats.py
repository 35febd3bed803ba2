"""Narrative alerts in a Telegram chat: besides the bell and e-mail, an office may have its alerts
posted to its staff group by the bot of one of its connected Telegram channels.

The bot's token is the channel's credential (encrypted at rest, never copied); the chat is checked
with the bot when it is saved (a group it belongs to, or a channel where it may post) and stored
by its numeric id, which survives a renamed group. An office with ``include_below`` also receives
the alerts of every office below it. Each alert goes to each chat at most once
(``AlertDelivery``); a failure is kept on the chat's page and retried with the alert's task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.connectors import ConnectorError, RateLimited, RetryLater
from humas.channels.connectors.base import PublishRequest
from humas.channels.connectors.telegram import TelegramConnector
from humas.channels.models import Channel, ChannelCredential, Platform
from humas.channels.services import ChannelError
from humas.offices import policy
from humas.offices.models import Office

from .connectors import channel_connector
from .models import AlertChat, AlertDelivery, NarrativeAlert

logger = logging.getLogger(__name__)

CHAT_ID_MAX = 100
MESSAGE_MAX = 3500  # well under Telegram's 4,096 characters, with the link after it
ERROR_MAX = 500


class AlertChatError(Exception):
    """A chat that cannot be used, with a sentence for people."""


def telegram_channels(*, office: Office) -> QuerySet[Channel]:
    """The office's active, connected Telegram channels: each has a bot that can send alerts."""
    connected = ChannelCredential.objects.values("channel_id")
    return Channel.objects.filter(
        office=office, platform=Platform.TELEGRAM, is_active=True, pk__in=connected
    ).order_by("name")


def alert_chat_for_office(*, actor: User, office: Office) -> AlertChat | None:
    policy.require(actor, "monitoring.view", office)
    return AlertChat.objects.filter(office=office).select_related("channel").first()


def alert_deliveries_recent(*, actor: User, office: Office, limit: int = 10) -> list[AlertDelivery]:
    policy.require(actor, "monitoring.view", office)
    return list(
        AlertDelivery.objects.filter(chat__office=office)
        .select_related("alert__narrative__office")
        .order_by("-pk")[:limit]
    )


def _telegram(channel: Channel, chat_id: str) -> TelegramConnector:
    try:
        connector = channel_connector(channel, account_id=chat_id)
    except ChannelError as error:
        raise AlertChatError(str(error)) from None
    if not isinstance(connector, TelegramConnector):  # pragma: no cover - the channel is Telegram's
        raise AlertChatError(_("Pilih kanal Telegram kantor ini."))
    return connector


def _reason(error: ConnectorError) -> str:
    return error.message_in(settings.LANGUAGE_CODE)[:ERROR_MAX]


def _state(chat: AlertChat) -> dict[str, object]:
    return {
        "channel": chat.channel_id,
        "chat_id": chat.chat_id,
        "include_below": chat.include_below,
        "is_active": chat.is_active,
    }


def alert_chat_save(
    *,
    actor: User,
    office: Office,
    channel: Channel,
    chat_id: str,
    include_below: bool = False,
    is_active: bool = True,
) -> AlertChat:
    """Set the office's alert chat, after the channel's bot confirmed it can write there."""
    policy.require(actor, "monitoring.manage_sources", office)
    if channel.office_id != office.pk or channel.platform != Platform.TELEGRAM or not channel.is_active:
        raise AlertChatError(_("Pilih kanal Telegram aktif milik kantor ini."))
    wanted = chat_id.strip()
    if not wanted or len(wanted) > CHAT_ID_MAX or any(c.isspace() for c in wanted):
        raise AlertChatError(_("Tulis ID obrolan (misalnya -1001234567890) atau @nama_grup."))
    try:
        info = _telegram(channel, wanted).verify_chat_for_messages()
    except ConnectorError as error:
        raise AlertChatError(_reason(error)) from None
    with transaction.atomic():
        chat, created = AlertChat.objects.select_for_update().get_or_create(
            office=office,
            defaults={"channel": channel, "chat_id": info.account_id, "updated_by": actor},
        )
        before = _state(chat)
        chat.channel = channel
        chat.chat_id = info.account_id or wanted
        chat.chat_title = info.name[:200]
        chat.include_below = include_below
        chat.is_active = is_active
        chat.updated_by = actor
        if before["chat_id"] != chat.chat_id:
            chat.last_error, chat.last_error_at = "", None
        chat.save()
        after = _state(chat)
        changes = {k: v for k, v in after.items() if created or before[k] != v}
        changes["chat_title"] = chat.chat_title
        audit_record(
            actor=actor, office=office, action="monitoring.alert_chat_save", obj=chat, changes=changes
        )
    return chat


def alert_chat_remove(*, actor: User, office: Office) -> bool:
    policy.require(actor, "monitoring.manage_sources", office)
    with transaction.atomic():
        chat = AlertChat.objects.select_for_update().filter(office=office).first()
        if chat is None:
            return False
        audit_record(
            actor=actor,
            office=office,
            action="monitoring.alert_chat_remove",
            obj=chat,
            changes={"chat_id": chat.chat_id, "chat_title": chat.chat_title},
        )
        chat.delete()
    return True


def alert_chat_test(*, actor: User, office: Office) -> str:
    """Send a test message to the office's alert chat; returns the message's link."""
    policy.require(actor, "monitoring.manage_sources", office)
    chat = AlertChat.objects.select_related("channel").filter(office=office).first()
    if chat is None:
        raise AlertChatError(_("Kantor ini belum memilih obrolan Telegram untuk peringatan."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Uji dari Humas: obrolan ini menerima peringatan narasi %(office)s (lonjakan dan narasi "
            "baru yang menyasar penyelenggara)."
        ) % {"office": office.name}
    try:
        published = _telegram(chat.channel, chat.chat_id).publish(PublishRequest(text=text))
    except ConnectorError as error:
        _chat_failed(chat, _reason(error))
        raise AlertChatError(_reason(error)) from None
    AlertChat.objects.filter(pk=chat.pk).update(
        last_sent_at=timezone.now(), last_error="", last_error_at=None
    )
    audit_record(
        actor=actor,
        office=office,
        action="monitoring.alert_chat_test",
        obj=chat,
        changes={"chat_id": chat.chat_id, "message_url": published.url},
    )
    return published.url


def _chat_failed(chat: AlertChat, reason: str) -> None:
    AlertChat.objects.filter(pk=chat.pk).update(last_error=reason, last_error_at=timezone.now())


def alert_chats_for(office: Office) -> list[AlertChat]:
    """The active chats an alert of ``office`` goes to: its own, and those of the offices above
    it that follow the offices below them."""
    return list(
        AlertChat.objects.filter(is_active=True, channel__is_active=True)
        .filter(Q(office=office) | Q(office__code__in=office.ancestor_codes, include_below=True))
        .select_related("channel", "office")
        .order_by("pk")
    )


@dataclass(frozen=True)
class TelegramOutcome:
    sent: int = 0
    failed: int = 0
    retry: bool = False  # a failure the platform says may pass: the alert's task tries again


def alert_telegram_deliver(*, alert: NarrativeAlert, title: str, body: str, link: str) -> TelegramOutcome:
    """Post the alert to every chat it goes to, once per chat (idempotent)."""
    office = alert.narrative.office
    base = settings.HUMAS_BACKOFFICE_URL.rstrip("/")
    url = f"{base}{link}" if link.startswith("/") else link
    sent = failed = 0
    retry = False
    for chat in alert_chats_for(office):
        text = f"{title}\n{body}"
        if chat.office_id != office.pk:
            text = f"{text}\n({office.name})"
        with transaction.atomic():
            delivery, _created = AlertDelivery.objects.get_or_create(alert=alert, chat=chat)
            delivery = AlertDelivery.objects.select_for_update().get(pk=delivery.pk)
            if delivery.sent_at is not None:
                continue
            delivery.attempts += 1
            try:
                published = _telegram(chat.channel, chat.chat_id).publish(
                    PublishRequest(text=text[:MESSAGE_MAX], link=url or None)
                )
            except (ConnectorError, AlertChatError) as error:
                reason = _reason(error) if isinstance(error, ConnectorError) else str(error)[:ERROR_MAX]
                delivery.error = reason
                delivery.save(update_fields=["attempts", "error"])
                _chat_failed(chat, reason)
                retry = retry or isinstance(error, RetryLater | RateLimited)
                failed += 1
                logger.warning("alert %s: Telegram chat %s failed: %s", alert.pk, chat.pk, reason)
                continue
            now = timezone.now()
            delivery.sent_at = now
            delivery.message_url = published.url[:300]
            delivery.error = ""
            delivery.save(update_fields=["attempts", "sent_at", "message_url", "error"])
            AlertChat.objects.filter(pk=chat.pk).update(last_sent_at=now, last_error="", last_error_at=None)
            sent += 1
    return TelegramOutcome(sent=sent, failed=failed, retry=retry)
