"""The Telegram tipline: one bot per deployment that citizens write to privately.

A person forwards a message or types a claim (or ``/cek …``): the bot answers from the published
clarifications and fact-checks, as Cek Klaim does on the portal (``checks.claim_check``), in
Indonesian, or in English when their Telegram speaks English. When nothing matches it offers
``/lapor``, which sends the claim as a tip (``services.tip_submit``, to KPU RI's "Laporan warga",
routed by the pipeline) and tells them later, in the same chat, when a clarification answers it.
``/start`` greets (``/start LH-…`` from a tip's page on the portal links that tip to the chat),
``/bantuan`` explains.

Updates arrive by webhook (``/hooks/telegram/tipline/``, the secret-token header checked) or, for
an installation Telegram cannot reach, by long polling from a worker (``updates_poll``). Each
update is handled once (``TiplineUpdate``). Replies are paced to ``SENDS_PER_SECOND`` for the bot
as a whole (Telegram's limit is about 30 per second); after a 429 a send waits Telegram's
``retry_after``. The last message a person checked is kept 30 minutes in the cache (not in the
database), so that a bare ``/lapor`` can send it; nothing else of what they write is stored
unless they report it."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.audit.services import audit_record
from humas.channels import crypto
from humas.channels.connectors.base import ConnectorError, PermissionMissing, RateLimited
from humas.channels.connectors.telegram import TELEGRAM_URL, TelegramBotConnector
from humas.offices import policy
from humas.offices.models import NATIONAL_SLUG, Office
from humas.web import limits
from humas.web.origins import public_url

from .checks import CheckRefused, claim_check
from .models import Tip, TiplineBot, TiplineUpdate
from .services import TipInput, tip_submit

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/hooks/telegram/tipline/"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
# Telegram allows a bot about 30 messages per second in all; the bot keeps under it, leaving
# room for its other calls (getUpdates, getWebhookInfo).
SENDS_PER_SECOND = 25
MAX_WAIT = 5.0  # seconds a send waits after a 429 before it leaves the retry to the task
LAST_TEXT_SECONDS = 30 * 60
CHECKS_PER_MINUTE = 20  # per person: a flood from one chat is told to wait
POLL_SECONDS = 50  # one poll round, inside the periodic task of every minute
UPDATES_KEPT_DAYS = 7
_COMMAND = re.compile(r"^/(\w+)(?:@\w+)?(?:\s+(.*))?$", re.S)
_REFERENCE = re.compile(r"^LH-[2-9A-HJ-NP-Z]{8}$")


class TiplineError(Exception):
    """The bot cannot be set up as asked; the message says why (translated)."""


def bot_get() -> TiplineBot | None:
    return TiplineBot.objects.filter(is_active=True).order_by("-pk").first()


def connector(bot: TiplineBot | None = None, *, token: str | None = None) -> TelegramBotConnector:
    base = settings.HUMAS_PLATFORM_BASE_URLS.get("telegram") or TELEGRAM_URL
    secret = token if token is not None else crypto.decrypt(bot.token_ciphertext) if bot else ""
    return TelegramBotConnector(bot_token=secret, base_url=base)


def _national() -> Office:
    return Office.objects.get(slug=NATIONAL_SLUG)


def bot_configure(*, actor: Any, token: str, mode: str) -> TiplineBot:
    """Check a bot token with Telegram (getMe), store it encrypted with a new webhook secret, and
    set Telegram up for ``mode`` (the webhook, or none for long polling). KPU RI's Administrators."""
    policy.require(actor, "channel.manage", _national())
    token = token.strip()
    if mode not in TiplineBot.Mode.values:
        raise TiplineError(_("Pilih cara menerima pesan."))
    if not re.fullmatch(r"\d{3,15}:[A-Za-z0-9_-]{20,100}", token):
        raise TiplineError(_("Token bot tidak berbentuk token Telegram (angka, titik dua, lalu kode)."))
    api = connector(token=token)
    secret = secrets.token_urlsafe(32)
    try:
        me = api.me()
        if mode == TiplineBot.Mode.WEBHOOK:
            api.set_webhook(url=public_url(WEBHOOK_PATH), secret=secret)
        else:
            api.delete_webhook()
    except ConnectorError as error:
        raise TiplineError(
            _("Telegram menolak: %(reason)s")
            % {"reason": error.message_in(translation.get_language() or "id")}
        ) from None
    finally:
        api.close()
    with transaction.atomic():
        TiplineBot.objects.filter(is_active=True).update(is_active=False)
        bot = TiplineBot.objects.create(
            token_ciphertext=crypto.encrypt(token),
            secret_ciphertext=crypto.encrypt(secret),
            bot_id=int(me["id"]),
            username=str(me.get("username", "")),
            mode=mode,
            configured_by=actor,
        )
        audit_record(
            actor=actor,
            office=_national(),
            action="tipline.bot_configure",
            obj=bot,
            changes={"username": bot.username, "mode": mode},
        )
    return bot


def bot_disable(*, actor: Any) -> bool:
    policy.require(actor, "channel.manage", _national())
    bot = bot_get()
    if bot is None:
        return False
    api = connector(bot)
    try:
        api.delete_webhook()
    except ConnectorError:
        logger.info("tipline bot: the webhook could not be removed; the bot is switched off anyway")
    finally:
        api.close()
    bot.is_active = False
    bot.save(update_fields=["is_active"])
    audit_record(actor=actor, office=_national(), action="tipline.bot_disable", obj=bot, changes={})
    return True


def webhook_secret_ok(bot: TiplineBot, given: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), crypto.decrypt(bot.secret_ciphertext).encode())


# --- talking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    chat_id: int
    language: str
    text: str
    command: str  # "" for plain text
    argument: str
    forwarded: bool


def parse(update: dict[str, Any]) -> Incoming | None:
    """The person's message of an update, or None for anything else (groups, edits, stickers)."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") or {}
    if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
        return None
    sender = message.get("from") or {}
    if sender.get("is_bot"):
        return None
    text = str(message.get("text") or message.get("caption") or "").strip()
    language = "en" if str(sender.get("language_code", "")).lower().startswith("en") else "id"
    command, argument = "", text
    found = _COMMAND.match(text)
    if found:
        command, argument = found.group(1).lower(), (found.group(2) or "").strip()
    return Incoming(
        chat_id=int(chat["id"]),
        language=language,
        text=text,
        command=command,
        argument=argument,
        forwarded="forward_origin" in message or "forward_date" in message,
    )


def _pace() -> None:
    """At most SENDS_PER_SECOND messages per second from the bot, across every worker."""
    while True:
        wait = limits.hit(limits.Limit("tipline-bot-send", SENDS_PER_SECOND, 1), "bot")
        if wait is None:
            return
        time.sleep(0.05)


def send(bot: TiplineBot, chat_id: int, text: str) -> bool:
    """A message to one person; False when they blocked the bot or never wrote to it. After a 429
    the send waits Telegram's ``retry_after`` (up to MAX_WAIT seconds) and tries once more; a
    longer wait, or a platform failure, propagates (the task retries)."""
    for attempt in range(2):
        _pace()
        api = connector(bot)
        try:
            api.send_private(chat_id=chat_id, text=text)
        except PermissionMissing:
            logger.info("tipline bot: chat %s blocked the bot", chat_id)
            return False
        except RateLimited as limited:
            wait = (limited.until - timezone.now()).total_seconds()
            if attempt or wait > MAX_WAIT:
                raise
            time.sleep(max(wait, 0.05))
            continue
        finally:
            api.close()
        return True
    return False


def _help() -> str:
    return _(
        "Kirimkan atau teruskan pesan soal pemilu yang Anda ragukan: kami mencarinya di klarifikasi "
        "resmi KPU dan cek fakta yang sudah terbit.\n\n"
        "/cek <i>pesan</i> — cek sebuah klaim\n"
        "/lapor — laporkan pesan terakhir yang Anda cek (atau /lapor <i>pesan</i>)\n"
        "/bantuan — petunjuk ini"
    )


def _answer_text(text: str) -> tuple[str, bool]:
    """The reply to a checked message and whether it found something."""
    try:
        answer = claim_check(text=text)
    except CheckRefused as refused:
        return escape(str(refused)), False
    if not answer.found:
        return (
            _(
                "Kami belum menemukan klarifikasi untuk pesan ini. Jika Anda ragu akan kebenarannya, "
                "kirim /lapor agar tim humas KPU memeriksanya; kami akan mengabari Anda di sini."
            ),
            False,
        )
    head = (
        _("✅ Kabar ini sudah diklarifikasi:")
        if answer.decision == "match"
        else _("Mungkin ini klarifikasinya:")
    )
    lines = [head, ""]
    for hit in answer.hits[:3]:
        claim = hit.claim
        url = public_url(hit.url) if hit.url else ""
        title = escape(claim.title)
        verdict = f" — <b>{escape(claim.verdict_label)}</b>" if claim.verdict else ""
        who = escape(hit.publisher)
        lines.append(
            f'• <a href="{escape(url)}">{title}</a>{verdict} ({who})'
            if url
            else f"• {title}{verdict} ({who})"
        )
    if answer.decision != "match":
        lines += ["", _("Bukan kabar yang sama? Kirim /lapor agar kami memeriksanya.")]
    return "\n".join(lines), True


def _report(incoming: Incoming) -> str:
    text = incoming.argument or cache.get(_last_key(incoming.chat_id)) or ""
    if not text:
        return _("Kirim /lapor diikuti pesan yang ingin dilaporkan, atau cek pesannya dulu.")
    try:
        tip = tip_submit(
            office=_national(),
            data=TipInput(
                text=text[:5000],
                language=incoming.language,
                channel=Tip.Channel.TELEGRAM,
                contact_telegram=incoming.chat_id,
            ),
        )
    except CheckRefused as refused:
        return escape(str(refused))
    cache.delete(_last_key(incoming.chat_id))
    return _(
        "Terima kasih. Laporan Anda kami terima dengan nomor <b>%(ref)s</b>. Tim humas KPU akan "
        "memeriksanya, dan kami mengabari Anda di sini begitu klarifikasinya terbit."
    ) % {"ref": tip.reference}


def _start(incoming: Incoming) -> str:
    reference = incoming.argument.strip().upper()
    if _REFERENCE.match(reference):
        linked = Tip.objects.filter(
            reference=reference, status=Tip.Status.RECEIVED, contact_telegram__isnull=True
        ).update(contact_telegram=incoming.chat_id, language=incoming.language)
        if linked:
            return _("Baik. Kami akan mengabari Anda di sini saat laporan %(ref)s terjawab.") % {
                "ref": reference
            }
    return _("Selamat datang di layanan Cek Klaim KPU.") + "\n\n" + _help()


def _last_key(chat_id: int) -> str:
    return f"tipline:last:{chat_id}"


def reply_to(incoming: Incoming) -> str:
    """What the bot answers to one message (in the person's language)."""
    with translation.override(incoming.language):
        if incoming.command in ("start",):
            return _start(incoming)
        if incoming.command in ("bantuan", "help"):
            return _help()
        if incoming.command in ("lapor", "report"):
            return _report(incoming)
        if incoming.command and incoming.command not in ("cek", "check"):
            return _("Perintah tidak dikenal.") + "\n\n" + _help()
        text = incoming.argument if incoming.command else incoming.text
        if not text:
            return _help()
        wait = limits.hit(limits.Limit("tipline-check", CHECKS_PER_MINUTE, 60), str(incoming.chat_id))
        if wait is not None:
            return limits.wait_message(wait)
        answer, found = _answer_text(text)
        if not found:
            cache.set(_last_key(incoming.chat_id), text[:5000], LAST_TEXT_SECONDS)
        return answer


def update_handle(update: dict[str, Any]) -> bool:
    """Handle one update once (a second delivery of the same id is ignored). Returns whether a
    reply was sent."""
    bot = bot_get()
    update_id = update.get("update_id")
    if bot is None or not isinstance(update_id, int):
        return False
    try:
        with transaction.atomic():
            TiplineUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    incoming = parse(update)
    if incoming is None:
        return False
    try:
        return send(bot, incoming.chat_id, reply_to(incoming))
    except (RateLimited, ConnectorError):
        # Let the task try again: the update is handled only once it is answered.
        TiplineUpdate.objects.filter(update_id=update_id).delete()
        raise


def updates_poll(*, seconds: float = POLL_SECONDS) -> int:
    """Long polling, when Telegram cannot reach the webhook: read and answer updates for about
    ``seconds`` (one worker at a time). Returns how many updates were read."""
    bot = bot_get()
    if bot is None or bot.mode != TiplineBot.Mode.POLLING:
        return 0
    if not cache.add("tipline:polling", 1, timeout=int(seconds) + 30):
        return 0
    read = 0
    api = connector(bot)
    try:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 1:
            updates = api.updates(offset=bot.update_offset, timeout=int(min(20, left)))
            for update in updates:
                read += 1
                update_handle(update)
                bot.update_offset = int(update["update_id"]) + 1
                TiplineBot.objects.filter(pk=bot.pk).update(update_offset=bot.update_offset)
            if not updates and seconds < 5:
                break
    finally:
        api.close()
        cache.delete("tipline:polling")
    return read


def tip_tell_on_telegram(tip: Tip, text: str) -> bool:
    """Tell a tipper who reported through the bot (or linked their tip to it)."""
    bot = bot_get()
    if bot is None or tip.contact_telegram is None:
        return False
    return send(bot, tip.contact_telegram, text)


def updates_prune(*, now: Any = None) -> int:
    now = now or timezone.now()
    deleted, _rest = TiplineUpdate.objects.filter(
        received_at__lt=now - timedelta(days=UPDATES_KEPT_DAYS)
    ).delete()
    return deleted
