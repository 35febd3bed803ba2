"""Telegram channel connector (Bot API): a bot that is administrator of the channel posts
messages and photos and deletes them.

The Bot API has no way to list a channel's history or read view counts, so metrics,
comments under one post and ``find_published`` are not offered (see ``capabilities``): a delivery
whose outcome is unknown after a crash needs a person. What people write in the channel's linked
discussion group reaches the bot as updates (``getUpdates``): ``incoming`` reads them, ``reply``
answers one of them in the group.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ._http import HttpConnector, opt_count, parse_int, shape_guard, shape_guard_pages
from .base import (
    T_GARBAGE,
    T_IMAGE_SIZE,
    T_TOO_LONG_PLATFORM,
    T_TOO_MANY_IMAGES,
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    ConnectorError,
    CredentialsInvalid,
    ImageBytes,
    ImageURL,
    Incoming,
    IncomingPage,
    PermissionMissing,
    Platform,
    PostMetrics,
    PublishedPost,
    PublishRequest,
    RateLimited,
    RetryLater,
    TextTooLong,
    Unsupported,
)
from .i18n import _, register

TELEGRAM_URL = "https://api.telegram.org"
TEXT_LIMIT = 4_096
CAPTION_LIMIT = 1_024
MAX_IMAGES = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024

T_EMPTY = register(_("Pesan Telegram kosong."), "Empty Telegram message.")
T_NOT_CHANNEL = register(
    _("%(chat)s bukan kanal Telegram (jenis: %(kind)s)."),
    "%(chat)s is not a Telegram channel (type: %(kind)s).",
)
T_NOT_ADMIN = register(
    _("Bot belum menjadi administrator kanal %(chat)s dengan hak mengirim pesan"),
    "The bot is not an administrator of channel %(chat)s with the right to post messages",
)
T_NOT_MEMBER = register(
    _("Bot bukan anggota obrolan %(chat)s; tambahkan bot ke grup itu lebih dulu."),
    "The bot is not a member of chat %(chat)s; add the bot to that group first.",
)
T_CHAT_NOT_FOUND = register(
    _("Kanal %(chat)s tidak ditemukan; periksa nama kanal dan pastikan bot sudah ditambahkan."),
    "Channel %(chat)s not found; check the channel name and make sure the bot was added.",
)
T_REJECTED = register(_("token bot ditolak"), "bot token rejected")
T_NO_DISCUSSION = register(
    _(
        "Kanal %(chat)s belum memiliki grup diskusi; komentar hanya dapat dibaca dari grup diskusi "
        "yang ditautkan ke kanal, dengan bot sebagai anggotanya."
    ),
    "Channel %(chat)s has no discussion group; comments can only be read from the discussion group "
    "linked to the channel, with the bot as a member.",
)
T_MEMBERS_HIDDEN = register(
    _("Telegram tidak memberikan jumlah pelanggan kanal %(chat)s."),
    "Telegram does not give the number of subscribers of channel %(chat)s.",
)
T_BAD_COMMENT_ID = register(
    _("Pesan yang hendak dibalas tidak dikenali (%(detail)s)."),
    "The message to reply to is not recognised (%(detail)s).",
)


class TelegramConnector(HttpConnector):
    platform = Platform.TELEGRAM
    capabilities = frozenset(
        {Capability.PUBLISH, Capability.DELETE, Capability.MENTIONS, Capability.REPLY, Capability.FOLLOWERS}
    )
    WEB_URL = "https://t.me"

    def __init__(self, *, bot_token: str, chat_id: str, base_url: str = TELEGRAM_URL, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self._token = bot_token
        self.chat_id = chat_id
        self.chat_username: str | None = chat_id[1:] if chat_id.startswith("@") else None

    def __repr__(self) -> str:
        return f"<TelegramConnector chat={self.chat_id} base={self.base_url}>"

    @property
    def chat_key(self) -> str:
        return f"telegram:chat:{self.chat_id}"

    def _call(
        self,
        method: str,
        params: dict[str, Any],
        *,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        mutating: bool = False,
    ) -> Any:
        url = f"/bot{self._token}/{method}"
        if files:
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            response = self._send(
                "POST", url, rate_keys=(self.chat_key,), mutating=mutating, data=form, files=files
            )
        else:
            response = self._send("POST", url, rate_keys=(self.chat_key,), mutating=mutating, json=params)
        payload = self._parse_json(response, mutating=mutating)
        if not isinstance(payload, dict) or "ok" not in payload:
            raise self._garbage(response, mutating=mutating, what="no 'ok' field")
        if payload["ok"] is True:
            return payload.get("result")
        raise self._classify(response, payload, mutating=mutating)

    def _classify(
        self, response: httpx.Response, payload: dict[str, Any], *, mutating: bool
    ) -> ConnectorError:
        code = parse_int(payload.get("error_code")) or response.status_code
        description = str(payload.get("description", ""))
        lowered = description.lower()
        common: dict[str, Any] = {
            "platform_message": description,
            "code": code,
            "http_status": response.status_code,
        }
        if code == 429:
            parameters = payload.get("parameters") or {}
            retry_after = parse_int(parameters.get("retry_after")) or parse_int(
                response.headers.get("retry-after")
            )
            until = self.clock() + timedelta(seconds=retry_after or 60)
            self._block(self.chat_key, until)
            return RateLimited(self.platform, until=until, scope=self.chat_key, **common)
        if code >= 500:
            return RetryLater(self.platform, ambiguous=mutating, **common)
        if code == 401 or (code == 404 and lowered == "not found"):
            return CredentialsInvalid(self.platform, reason=T_REJECTED, **common)
        if code == 403 or "not enough rights" in lowered or "administrator rights" in lowered:
            return PermissionMissing(self.platform, template=T_NOT_ADMIN, chat=self.chat_id, **common)
        if "chat not found" in lowered:
            return BadRequest(self.platform, template=T_CHAT_NOT_FOUND, chat=self.chat_id, **common)
        if "message is too long" in lowered:
            return TextTooLong(
                self.platform, template=T_TOO_LONG_PLATFORM, limit=TEXT_LIMIT, length=-1, **common
            )
        if "caption is too long" in lowered:
            return TextTooLong(
                self.platform, template=T_TOO_LONG_PLATFORM, limit=CAPTION_LIMIT, length=-1, **common
            )
        return BadRequest(self.platform, **common)

    # --- interface -----------------------------------------------------------------------------

    def validate(self, request: PublishRequest) -> None:
        text = request.text_with_link
        if not text.strip() and not request.images:
            raise BadRequest(self.platform, template=T_EMPTY)
        limit = CAPTION_LIMIT if request.images else TEXT_LIMIT
        if len(text) > limit:
            raise TextTooLong(self.platform, limit=limit, length=len(text))
        if len(request.images) > MAX_IMAGES:
            raise BadRequest(
                self.platform, template=T_TOO_MANY_IMAGES, count=len(request.images), limit=MAX_IMAGES
            )
        for image in request.images:
            if isinstance(image, ImageBytes) and len(image.data) > MAX_PHOTO_BYTES:
                raise BadRequest(
                    self.platform, template=T_IMAGE_SIZE, size=len(image.data), limit=MAX_PHOTO_BYTES
                )

    @shape_guard(mutating=False)
    def verify(self) -> AccountInfo:
        me = self._call("getMe", {})
        chat = self._call("getChat", {"chat_id": self.chat_id})
        kind = str(chat.get("type", ""))
        if kind != "channel":
            raise BadRequest(self.platform, template=T_NOT_CHANNEL, chat=self.chat_id, kind=kind)
        member = self._call("getChatMember", {"chat_id": self.chat_id, "user_id": me["id"]})
        status = member.get("status")
        if status != "creator" and not (status == "administrator" and member.get("can_post_messages")):
            raise PermissionMissing(self.platform, template=T_NOT_ADMIN, chat=self.chat_id)
        warnings = []
        if status == "administrator" and not member.get("can_delete_messages"):
            warnings.append("bot cannot delete messages (emergency withdrawal will fail)")
        return self._account_info(chat, warnings=tuple(warnings))

    def _account_info(self, chat: dict[str, Any], *, warnings: tuple[str, ...] = ()) -> AccountInfo:
        username = chat.get("username")
        self.chat_username = str(username) if username else None
        return AccountInfo(
            platform=self.platform,
            account_id=str(chat.get("id")),
            name=str(chat.get("title", "")),
            handle=f"@{username}" if username else "",
            credential_type="bot",
            url=self.web_link(str(username)) if username else "",
            warnings=warnings,
        )

    @shape_guard(mutating=False)
    def verify_chat_for_messages(self) -> AccountInfo:
        """The chat this connector writes to, checked for the bot's plain messages (alerts to a
        staff group): a group or supergroup the bot belongs to, or a channel where it may post."""
        me = self._call("getMe", {})
        chat = self._call("getChat", {"chat_id": self.chat_id})
        kind = str(chat.get("type", ""))
        member = self._call("getChatMember", {"chat_id": self.chat_id, "user_id": me["id"]})
        status = member.get("status")
        if kind == "channel":
            if status != "creator" and not (status == "administrator" and member.get("can_post_messages")):
                raise PermissionMissing(self.platform, template=T_NOT_ADMIN, chat=self.chat_id)
        elif status not in ("creator", "administrator", "member") and not (
            status == "restricted" and member.get("can_send_messages")
        ):
            raise PermissionMissing(self.platform, template=T_NOT_MEMBER, chat=self.chat_id)
        return self._account_info(chat)

    def _message_url(self, chat: dict[str, Any], message_id: int) -> str:
        username = chat.get("username") or self.chat_username
        if username:
            return self.web_link(f"{username}/{message_id}")
        chat_id = str(chat.get("id", self.chat_id))
        return self.web_link(f"c/{chat_id.removeprefix('-100')}/{message_id}")

    @shape_guard(mutating=True)
    def publish(self, request: PublishRequest) -> PublishedPost:
        self.validate(request)
        text = request.text_with_link
        if not request.images:
            messages = [self._call("sendMessage", {"chat_id": self.chat_id, "text": text}, mutating=True)]
        elif len(request.images) == 1:
            params: dict[str, Any] = {"chat_id": self.chat_id}
            if text:
                params["caption"] = text
            image = request.images[0]
            files = None
            if isinstance(image, ImageURL):
                params["photo"] = image.url
            else:
                files = {"photo": (image.filename, image.data, image.mime)}
            messages = [self._call("sendPhoto", params, files=files, mutating=True)]
        else:
            media: list[dict[str, Any]] = []
            files = {}
            for index, image in enumerate(request.images):
                item: dict[str, Any] = {"type": "photo"}
                if isinstance(image, ImageURL):
                    item["media"] = image.url
                else:
                    item["media"] = f"attach://photo{index}"
                    files[f"photo{index}"] = (image.filename, image.data, image.mime)
                if index == 0 and text:
                    item["caption"] = text
                media.append(item)
            result = self._call(
                "sendMediaGroup",
                {"chat_id": self.chat_id, "media": media},
                files=files or None,
                mutating=True,
            )
            messages = list(result) if isinstance(result, list) else []
        if not messages or not all(isinstance(m, dict) and "message_id" in m for m in messages):
            raise RetryLater(
                self.platform,
                template=T_GARBAGE,
                ambiguous=True,
                platform_message="answer without message_id",
            )
        first = messages[0]
        chat = first.get("chat") or {}
        ids = ",".join(str(m["message_id"]) for m in messages)
        date = parse_int(first.get("date"))
        return PublishedPost(
            platform=self.platform,
            post_id=f"{chat.get('id', self.chat_id)}:{ids}",
            url=self._message_url(chat, int(first["message_id"])),
            created_at=datetime.fromtimestamp(date, UTC) if date else self.clock(),
            text=text,
        )

    @shape_guard(mutating=True)
    def delete(self, post_id: str) -> None:
        chat_id, _sep, ids = post_id.rpartition(":")
        for message_id in ids.split(","):
            try:
                self._call(
                    "deleteMessage", {"chat_id": chat_id or self.chat_id, "message_id": int(message_id)}
                )
            except BadRequest as exc:
                if "message to delete not found" in exc.platform_message.lower():
                    continue  # idempotent
                raise

    def metrics(self, post_id: str) -> PostMetrics:
        raise Unsupported(self.platform, operation="statistik unggahan")

    @shape_guard(mutating=False)
    def followers(self) -> int | None:
        """The channel's subscribers (``getChatMemberCount``); None when the answer holds no
        count. A channel whose member list Telegram keeps from the bot is a BadRequest saying so."""
        try:
            result = self._call("getChatMemberCount", {"chat_id": self.chat_id})
        except BadRequest as exc:
            if "member list is inaccessible" in exc.platform_message.lower():
                raise BadRequest(
                    self.platform,
                    template=T_MEMBERS_HIDDEN,
                    chat=self.chat_id,
                    platform_message=exc.platform_message,
                    code=exc.code,
                    http_status=exc.http_status,
                ) from None
            raise
        return opt_count(result)

    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]:
        raise Unsupported(self.platform, operation="membaca komentar kanal")

    # --- listening ----------------------------------------------------------------------------

    def _discussion_group(self) -> dict[str, Any]:
        """The channel's linked discussion group (``getChat`` of the group)."""
        channel = self._call("getChat", {"chat_id": self.chat_id})
        linked = channel.get("linked_chat_id")
        if not linked:
            raise BadRequest(self.platform, template=T_NO_DISCUSSION, chat=self.chat_id)
        group = self._call("getChat", {"chat_id": linked})
        if not isinstance(group, dict):
            raise ValueError("getChat answered no chat")
        return group

    @shape_guard_pages
    def incoming(
        self,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
        recent_posts: int = 10,
        recent_days: int = 7,
    ) -> Iterator[IncomingPage]:
        """Messages people wrote in the channel's discussion group, from ``getUpdates``.

        The cursor is ``{"offset": last update_id + 1}``. Telegram forgets the updates below the
        offset a call gives, so an update is confirmed only by the call after the page that held
        it has been stored: a crash before that gets the same updates again. Updates of other
        chats are confirmed too (a bot used by Humas reads no other chat); the bot must not have a
        webhook set, and needs privacy mode off (or admin rights) to see every message."""
        group = self._discussion_group()
        group_id = int(group["id"])
        offset = parse_int((cursor or {}).get("offset")) or 0
        limit = max(1, min(page_size, 100))
        for _page in range(max_pages):
            params: dict[str, Any] = {"limit": limit, "timeout": 0, "allowed_updates": ["message"]}
            if offset:
                params["offset"] = offset
            updates = self._call("getUpdates", params)
            if not isinstance(updates, list):
                raise ValueError("getUpdates answered no list")
            if not updates:
                return
            items: list[Incoming] = []
            for update in updates:
                offset = max(offset, int(update["update_id"]) + 1)
                message = update.get("message")
                if not isinstance(message, dict) or int((message.get("chat") or {}).get("id", 0)) != group_id:
                    continue
                sender = message.get("from") or {}
                if message.get("is_automatic_forward") or message.get("sender_chat") or sender.get("is_bot"):
                    continue  # the channel's own posts mirrored into the group, and bots
                items.append(self._incoming(message, group))
            yield IncomingPage(items=tuple(items), cursor={"offset": offset})
            if len(updates) < limit:
                return

    def _incoming(self, message: dict[str, Any], group: dict[str, Any]) -> Incoming:
        sender = message.get("from") or {}
        message_id = int(message["message_id"])
        replied = message.get("reply_to_message") or {}
        date = parse_int(message.get("date"))
        username = group.get("username")
        if username:
            url = self.web_link(f"{username}/{message_id}")
        else:
            url = self.web_link(f"c/{str(group['id']).removeprefix('-100')}/{message_id}")
        handle = sender.get("username") or " ".join(
            str(n) for n in (sender.get("first_name"), sender.get("last_name")) if n
        )
        return Incoming(
            platform=self.platform,
            item_id=f"{group['id']}:{message_id}",
            text=str(message.get("text") or message.get("caption") or ""),
            author_id=str(sender.get("id", "")),
            author_handle=str(handle),
            created_at=datetime.fromtimestamp(date, UTC) if date else None,
            url=url,
            parent_id=f"{group['id']}:{replied['message_id']}" if replied.get("message_id") else None,
            raw=dict(message),
        )

    @shape_guard(mutating=True)
    def reply(self, comment_id: str, text: str) -> Comment:
        """Answer a message of the discussion group (``comment_id`` is ``"<chat id>:<message id>"``,
        as ``incoming`` gives it) with a message quoting it."""
        chat_id, _sep, message_id = comment_id.rpartition(":")
        if not chat_id or not message_id.isdigit():
            raise BadRequest(self.platform, template=T_BAD_COMMENT_ID, detail=comment_id[:40])
        if not text.strip():
            raise BadRequest(self.platform, template=T_EMPTY)
        if len(text) > TEXT_LIMIT:
            raise TextTooLong(self.platform, limit=TEXT_LIMIT, length=len(text))
        sent = self._call(
            "sendMessage",
            {"chat_id": chat_id, "text": text, "reply_parameters": {"message_id": int(message_id)}},
            mutating=True,
        )
        if not isinstance(sent, dict) or "message_id" not in sent:
            raise RetryLater(
                self.platform,
                template=T_GARBAGE,
                ambiguous=True,
                platform_message="answer without message_id",
            )
        date = parse_int(sent.get("date"))
        return Comment(
            comment_id=f"{(sent.get('chat') or {}).get('id', chat_id)}:{sent['message_id']}",
            text=text,
            author_id=str((sent.get("from") or {}).get("id", "")),
            author_name=str((sent.get("from") or {}).get("username", "")),
            created_at=datetime.fromtimestamp(date, UTC) if date else self.clock(),
            parent_id=comment_id,
        )

    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        raise Unsupported(self.platform, operation="mencari unggahan lama di kanal")


T_BOT_BLOCKED = register(
    _("Orang ini memblokir bot atau belum pernah memulai percakapan dengannya."),
    "This person blocked the bot or never started a conversation with it.",
)


class TelegramBotConnector(TelegramConnector):
    """A bot that people write to privately (the tipline): its identity, its webhook or its
    updates, and messages to one person. Every call shares one rate key per bot, so a 429 (about
    30 messages per second in all) holds back every send until Telegram's ``retry_after``."""

    capabilities = frozenset()

    def __init__(self, *, bot_token: str, base_url: str = TELEGRAM_URL, **kwargs: Any) -> None:
        super().__init__(bot_token=bot_token, chat_id="", base_url=base_url, **kwargs)
        self._bot_id = bot_token.split(":", 1)[0] if ":" in bot_token else "bot"

    def __repr__(self) -> str:
        return f"<TelegramBotConnector bot={self._bot_id} base={self.base_url}>"

    @property
    def chat_key(self) -> str:
        return f"telegram:bot:{self._bot_id}"

    def _classify(
        self, response: httpx.Response, payload: dict[str, Any], *, mutating: bool
    ) -> ConnectorError:
        code = parse_int(payload.get("error_code")) or response.status_code
        description = str(payload.get("description", ""))
        if code == 403 and ("blocked" in description.lower() or "initiate" in description.lower()):
            return PermissionMissing(
                self.platform,
                template=T_BOT_BLOCKED,
                platform_message=description,
                code=code,
                http_status=response.status_code,
            )
        return super()._classify(response, payload, mutating=mutating)

    def me(self) -> dict[str, Any]:
        """The bot's own account (``getMe``): its id and username."""
        found = self._call("getMe", {})
        if not isinstance(found, dict) or not found.get("is_bot"):
            raise BadRequest(self.platform, platform_message="getMe: not a bot")
        return found

    def set_webhook(self, *, url: str, secret: str) -> None:
        self._call(
            "setWebhook",
            {
                "url": url,
                "secret_token": secret,
                "allowed_updates": ["message"],
                "drop_pending_updates": False,
            },
            mutating=True,
        )

    def delete_webhook(self) -> None:
        self._call("deleteWebhook", {"drop_pending_updates": False}, mutating=True)

    def webhook_info(self) -> dict[str, Any]:
        found = self._call("getWebhookInfo", {})
        return found if isinstance(found, dict) else {}

    def updates(self, *, offset: int, timeout: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Messages people sent, from ``offset`` on (which confirms every earlier one)."""
        found = self._call(
            "getUpdates",
            {"offset": offset, "timeout": timeout, "limit": limit, "allowed_updates": ["message"]},
        )
        return [u for u in found if isinstance(u, dict)] if isinstance(found, list) else []

    def send_private(
        self, *, chat_id: int, text: str, reply_markup: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A message to one person (HTML, no link preview)."""
        if not text.strip():
            raise BadRequest(self.platform, template=T_EMPTY)
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": text,  # HTML: the caller keeps it under TEXT_LIMIT (a cut could split a tag)
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if reply_markup:
            params["reply_markup"] = reply_markup
        found = self._call("sendMessage", params, mutating=True)
        return found if isinstance(found, dict) else {}
