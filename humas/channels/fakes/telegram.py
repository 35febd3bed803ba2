"""Strict fake of the Telegram Bot API for channels: getMe, getChat, getChatMember,
sendMessage, sendPhoto, sendMediaGroup, deleteMessage, editMessageText; and a channel's linked
discussion group: what people write there reaches the bots in it as updates (getUpdates), and a
bot answers one of them with sendMessage's reply_parameters."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .core import Fault, IdCounter, LockedFake, Request, Response, SlidingWindow

TEXT_LIMIT = 4096
SHARED_BOT_INDEX = 999_999  # seeded demo bots use 1..N
CAPTION_LIMIT = 1024
ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": False,
    "can_restrict_members": False,
    "can_promote_members": False,
    "can_change_info": False,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_post_messages": True,
    "can_edit_messages": True,
}


@dataclass
class Bot:
    id: int
    username: str
    first_name: str


@dataclass
class Channel:
    id: int
    title: str
    username: str | None
    members: dict[int, dict[str, Any]] = field(default_factory=dict)  # bot id -> ChatMember
    next_message_id: int = 1
    type: str = "channel"  # or "supergroup": a channel's discussion group
    linked_chat_id: int | None = None  # the discussion group of a channel, the channel of a group


@dataclass
class Message:
    chat_id: int
    message_id: int
    date: int
    text: str = ""
    caption: str = ""
    photos: list[str] = field(default_factory=list)
    media_group_id: str | None = None
    deleted: bool = False
    author_bot: int = 0
    author: dict[str, Any] | None = None  # a person writing in a discussion group
    reply_to: int | None = None  # the message (of the same chat) this one answers
    automatic_forward: bool = False  # a channel post mirrored into its discussion group


class TgError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def response(self) -> Response:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return Response.json(self.code, body)


class TelegramFake(LockedFake):
    name = "telegram"
    STATE_FIELDS = ("bots", "channels", "messages", "_ids", "revoked", "updates", "_update_ids")
    STATE_CLASSES = (Bot, Channel, Message)
    TRANSIENT_FIELDS = (*LockedFake.TRANSIENT_FIELDS, "chat_window", "bot_window")

    def reset(self) -> None:
        with self.lock:
            self.bots: dict[str, Bot] = {}
            self.channels: dict[int, Channel] = {}
            self.messages: dict[tuple[int, int], Message] = {}
            self._ids = IdCounter(1)
            self.revoked: set[str] = set()
            # Updates not yet confirmed, per bot id: {"update_id", "chat_id", "message_id"}.
            self.updates: dict[int, list[dict[str, int]]] = {}
            self._update_ids = IdCounter(100_000_001)
            self.chat_window: SlidingWindow | None = None
            self.bot_window: SlidingWindow | None = None

    def add_bot(self, *, username: str, index: int | None = None) -> dict[str, Any]:
        with self.lock:
            n = index if index is not None else next(self._ids)
            bot_id = 7000000000 + n
            secret = hashlib.sha256(f"tg{n}".encode()).hexdigest()[:35]
            token = f"{bot_id}:AA{secret}"
            self.bots[token] = Bot(bot_id, username, username.removesuffix("_bot").title())
            return {"bot_id": bot_id, "bot_token": token, "bot_username": username}

    def add_channel(
        self,
        *,
        title: str,
        username: str | None,
        index: int | None = None,
        admin_bot_token: str | None = None,
        can_post: bool = True,
    ) -> dict[str, Any]:
        with self.lock:
            n = index if index is not None else next(self._ids)
            chat_id = -1001000000000 - n
            channel = Channel(chat_id, title, username)
            if admin_bot_token:
                bot = self.bots[admin_bot_token]
                channel.members[bot.id] = {
                    "status": "administrator",
                    **ADMIN_RIGHTS,
                    "can_post_messages": can_post,
                }
            self.channels[chat_id] = channel
            return {
                "chat_id": chat_id,
                "chat_username": f"@{username}" if username else str(chat_id),
                "title": title,
            }

    def add_shared_bot(self, *, username: str) -> dict[str, Any]:
        """One bot made administrator of every channel, as an organisation running all its
        channels through one bot does: the per-bot limit is then shared by all of them.
        Calling it again adds the bot to channels created since."""
        with self.lock:
            bot_id = 7000000000 + SHARED_BOT_INDEX
            token = next((t for t, b in self.bots.items() if b.id == bot_id), None)
            info = (
                self.add_bot(username=username, index=SHARED_BOT_INDEX)
                if token is None
                else {"bot_id": bot_id, "bot_token": token, "bot_username": self.bots[token].username}
            )
            for channel in self.channels.values():
                channel.members[bot_id] = {"status": "administrator", **ADMIN_RIGHTS}
            return {**info, "chats": len(self.channels)}

    def owns(self, path: str) -> bool:
        return path.startswith("/bot")

    def platform_of(self, request: Request) -> str:
        return "telegram"

    def posts(self, platform: str) -> list[dict[str, Any]]:
        with self.lock:
            result = []
            for m in self.messages.values():
                channel = self.channels[m.chat_id]
                if channel.type != "channel":
                    continue  # a discussion group's messages are comments, not posts
                result.append(
                    {
                        "id": f"{m.chat_id}:{m.message_id}",
                        "account": f"@{channel.username}" if channel.username else channel.title,
                        "account_id": str(m.chat_id),
                        # Where the message and its channel are on t.me.
                        "paths": [
                            *([f"{channel.username}/{m.message_id}"] if channel.username else []),
                            f"c/{str(m.chat_id).removeprefix('-100')}/{m.message_id}",
                        ],
                        "account_paths": [channel.username] if channel.username else [],
                        "text": m.text or m.caption,
                        "link": "",
                        "images": m.photos,
                        "created": float(m.date),
                        "deleted": m.deleted,
                        "published": True,
                    }
                )
            return sorted(result, key=lambda p: (p["created"], p["id"]), reverse=True)

    # --- dispatch ------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        try:
            with self.lock:
                return self._handle(request)
        except TgError as error:
            return error.response()

    def _handle(self, request: Request) -> Response:
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", request.path)
        if not match:
            raise TgError(404, "Not Found")
        token, method = match[1], match[2]
        bot = self.bots.get(token)
        if bot is None or token in self.revoked:
            raise TgError(401, "Unauthorized")
        if "__invalid_json__" in request.form:
            raise TgError(400, "Bad Request: can't parse JSON object")
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            raise TgError(404, "Not Found")
        if self.limits.telegram_per_bot:
            if self.bot_window is None or self.bot_window.limit != self.limits.telegram_per_bot:
                self.bot_window = SlidingWindow(self.limits.telegram_per_bot, 1.0, self.clock)
            allowed, _used, reset = self.bot_window.hit(str(bot.id))
            if not allowed:
                raise TgError(
                    429, f"Too Many Requests: retry after {max(1, round(reset))}", max(1, round(reset))
                )
        result = handler(bot, request)
        return Response.json(200, {"ok": True, "result": result})

    def _param(self, request: Request, name: str, required: bool = True) -> str | None:
        value = request.param(name)
        if value is None and name in request.files:
            return f"attach:{name}"
        if required and (value is None or value == ""):
            raise TgError(
                400,
                f"Bad Request: {name} is empty" if name != "text" else "Bad Request: message text is empty",
            )
        return value

    def _chat(self, request: Request) -> Channel:
        raw = self._param(request, "chat_id") or ""
        raw = raw.strip('"')
        channel: Channel | None = None
        if raw.startswith("@"):
            channel = next(
                (c for c in self.channels.values() if c.username and c.username.lower() == raw[1:].lower()),
                None,
            )
        else:
            try:
                channel = self.channels.get(int(raw))
            except ValueError:
                channel = None
        if channel is None:
            raise TgError(400, "Bad Request: chat not found")
        return channel

    def _poster(self, bot: Bot, channel: Channel) -> None:
        member = channel.members.get(bot.id)
        if channel.type != "channel":
            if member is None or member.get("status") in ("left", "kicked"):
                raise TgError(403, "Forbidden: bot is not a member of the supergroup chat")
            return
        if member is None or member.get("status") in ("left", "kicked"):
            raise TgError(403, "Forbidden: bot is not a member of the channel chat")
        if member.get("status") != "creator" and not member.get("can_post_messages"):
            raise TgError(400, "Bad Request: need administrator rights in the channel chat")
        if self.limits.telegram_per_chat:
            if self.chat_window is None or self.chat_window.limit != self.limits.telegram_per_chat:
                self.chat_window = SlidingWindow(
                    self.limits.telegram_per_chat, self.limits.telegram_chat_window, self.clock
                )
            allowed, _used, reset = self.chat_window.hit(str(channel.id))
            if not allowed:
                wait = max(1, round(reset))
                raise TgError(429, f"Too Many Requests: retry after {wait}", wait)

    def _chat_json(self, channel: Channel) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": channel.id, "title": channel.title, "type": channel.type}
        if channel.username:
            chat["username"] = channel.username
        return chat

    def _message_json(self, bot: Bot | None, m: Message, *, nested: bool = False) -> dict[str, Any]:
        channel = self.channels[m.chat_id]
        result: dict[str, Any] = {"message_id": m.message_id}
        if channel.type == "channel":
            result["sender_chat"] = self._chat_json(channel)
        elif m.automatic_forward and channel.linked_chat_id in self.channels:
            result["sender_chat"] = self._chat_json(self.channels[channel.linked_chat_id])
            result["is_automatic_forward"] = True
        elif m.author is not None:
            result["from"] = dict(m.author)
        else:
            author = next((b for b in self.bots.values() if b.id == m.author_bot), None)
            if author is not None:
                result["from"] = {
                    "id": author.id,
                    "is_bot": True,
                    "first_name": author.first_name,
                    "username": author.username,
                }
        result["chat"] = self._chat_json(channel)
        result["date"] = m.date
        replied = self.messages.get((m.chat_id, m.reply_to)) if m.reply_to else None
        if replied is not None and not nested:
            result["reply_to_message"] = self._message_json(bot, replied, nested=True)
        if m.text:
            result["text"] = m.text
        if m.photos:
            result["photo"] = [
                {
                    "file_id": f"AgAC{m.chat_id}{m.message_id}{i}",
                    "file_unique_id": f"AQAD{m.message_id}{i}",
                    "width": 1280,
                    "height": 720,
                    "file_size": len(p),
                }
                for i, p in enumerate(m.photos[:1])
            ]
        if m.caption:
            result["caption"] = m.caption
        if m.media_group_id:
            result["media_group_id"] = m.media_group_id
        return result

    def _store(self, channel: Channel, bot: Bot, **fields_: Any) -> Message:
        message = Message(
            channel.id, channel.next_message_id, int(self.clock()), author_bot=bot.id, **fields_
        )
        channel.next_message_id += 1
        self.messages[(channel.id, message.message_id)] = message
        group = self.channels.get(channel.linked_chat_id or 0)
        if channel.type == "channel" and group is not None:
            # Telegram mirrors every channel post into the discussion group, where people comment.
            mirror = Message(
                group.id,
                group.next_message_id,
                message.date,
                text=message.text,
                caption=message.caption,
                automatic_forward=True,
            )
            group.next_message_id += 1
            self.messages[(group.id, mirror.message_id)] = mirror
            self._notify(group, mirror, except_bot=0)
        return message

    def _notify(self, chat: Channel, message: Message, *, except_bot: int) -> None:
        """An update for every bot in the chat (a bot gets none for its own messages)."""
        for bot_id, member in chat.members.items():
            if bot_id == except_bot or member.get("status") in ("left", "kicked"):
                continue
            self.updates.setdefault(bot_id, []).append(
                {"update_id": next(self._update_ids), "chat_id": chat.id, "message_id": message.message_id}
            )

    # --- discussion groups (tests, benchmarks, the demo) ---------------------------------------

    def add_discussion_group(
        self, channel_chat_id: int, *, title: str = "", username: str | None = None
    ) -> dict[str, Any]:
        """Link a discussion group to a channel, with the channel's bots as its members."""
        with self.lock:
            channel = self.channels[int(channel_chat_id)]
            if channel.linked_chat_id:
                group = self.channels[channel.linked_chat_id]
            else:
                group_id = -1002000000000 - abs(channel.id + 1001000000000)
                group = Channel(
                    group_id,
                    title or f"{channel.title} – Diskusi",
                    username,
                    type="supergroup",
                    linked_chat_id=channel.id,
                )
                self.channels[group.id] = group
                channel.linked_chat_id = group.id
            for bot_id in channel.members:
                group.members.setdefault(bot_id, {"status": "member"})
            return {"chat_id": group.id, "title": group.title, "channel_chat_id": channel.id}

    def add_group_message(
        self,
        group_id: int,
        text: str,
        author_name: str,
        *,
        reply_to: int | None = None,
        created: float | None = None,
    ) -> int:
        """A person writing in a discussion group (answering the channel post ``reply_to``)."""
        with self.lock:
            group = self.channels[int(group_id)]
            if group.type == "channel":
                raise ValueError(f"{group_id} is a channel, not a discussion group")
            user_id = 500000000 + int(hashlib.sha256(author_name.encode()).hexdigest()[:8], 16) % 10**8
            message = Message(
                group.id,
                group.next_message_id,
                int(self.clock() if created is None else created),
                text=text,
                author={"id": user_id, "is_bot": False, "first_name": author_name, "username": author_name},
                reply_to=reply_to,
            )
            group.next_message_id += 1
            self.messages[(group.id, message.message_id)] = message
            self._notify(group, message, except_bot=0)
            return message.message_id

    def replies(self) -> list[dict[str, Any]]:
        """Messages bots sent in answer to another message (the replies Humas sent)."""
        with self.lock:
            return [
                {
                    "id": f"{m.chat_id}:{m.message_id}",
                    "parent_id": f"{m.chat_id}:{m.reply_to}",
                    "text": m.text,
                }
                for m in sorted(self.messages.values(), key=lambda m: (m.date, m.chat_id, m.message_id))
                if m.author_bot and m.reply_to and not m.deleted
            ]

    # --- methods -------------------------------------------------------------------------------

    def _m_getme(self, bot: Bot, request: Request) -> dict[str, Any]:
        return {
            "id": bot.id,
            "is_bot": True,
            "first_name": bot.first_name,
            "username": bot.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_getchat(self, bot: Bot, request: Request) -> dict[str, Any]:
        channel = self._chat(request)
        if bot.id not in channel.members and not channel.username:
            raise TgError(400, "Bad Request: chat not found")
        linked = {"linked_chat_id": channel.linked_chat_id} if channel.linked_chat_id else {}
        return {
            **self._chat_json(channel),
            **linked,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _m_getchatmember(self, bot: Bot, request: Request) -> dict[str, Any]:
        channel = self._chat(request)
        try:
            user_id = int(self._param(request, "user_id") or "")
        except ValueError:
            raise TgError(400, "Bad Request: invalid user_id specified") from None
        target = next((b for b in self.bots.values() if b.id == user_id), None)
        if target is None:
            raise TgError(400, "Bad Request: PARTICIPANT_ID_INVALID")
        user = {"id": target.id, "is_bot": True, "first_name": target.first_name, "username": target.username}
        member = channel.members.get(user_id)
        if member is None:
            return {"status": "left", "user": user}
        return {**member, "user": user}

    def _text_param(self, request: Request, name: str, limit: int, too_long: str) -> str:
        text = request.param(name) or ""
        if len(text) > limit:
            raise TgError(400, f"Bad Request: {too_long}")
        parse_mode = request.param("parse_mode")
        if parse_mode and parse_mode not in ("HTML", "Markdown", "MarkdownV2"):
            raise TgError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        return text

    def _reply_target(self, request: Request, channel: Channel) -> int | None:
        """The message ``reply_parameters`` (or the older ``reply_to_message_id``) names."""
        raw = request.param("reply_parameters")
        message_id: int | None = None
        allow_missing = False
        if raw:
            try:
                parameters = json.loads(raw)
                message_id = int(parameters["message_id"])
                allow_missing = bool(parameters.get("allow_sending_without_reply", False))
            except (ValueError, TypeError, KeyError):
                raise TgError(400, "Bad Request: can't parse reply parameters JSON object") from None
        elif request.param("reply_to_message_id"):
            try:
                message_id = int(request.param("reply_to_message_id") or "")
            except ValueError:
                raise TgError(400, "Bad Request: invalid reply_to_message_id specified") from None
        if message_id is None:
            return None
        target = self.messages.get((channel.id, message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise TgError(400, "Bad Request: message to be replied not found")
        return message_id

    def _m_sendmessage(self, bot: Bot, request: Request) -> dict[str, Any]:
        channel = self._chat(request)
        text = self._text_param(request, "text", TEXT_LIMIT, "message is too long")
        if not text.strip():
            raise TgError(400, "Bad Request: message text is empty")
        reply_to = self._reply_target(request, channel)
        self._poster(bot, channel)
        return self._message_json(bot, self._store(channel, bot, text=text, reply_to=reply_to))

    def _m_getupdates(self, bot: Bot, request: Request) -> list[dict[str, Any]]:
        """Pending updates of this bot from ``offset`` on; giving an offset confirms (forgets)
        every update below it. Long polling (``timeout``) answers at once here."""
        try:
            offset = int(request.param("offset") or "0")
            limit = int(request.param("limit") or "100")
            int(request.param("timeout") or "0")
        except ValueError:
            raise TgError(400, "Bad Request: invalid parameters of getUpdates") from None
        if not 1 <= limit <= 100:
            limit = 100  # Telegram clamps the limit
        allowed_raw = request.param("allowed_updates")
        try:
            allowed = json.loads(allowed_raw) if allowed_raw else []
        except ValueError:
            raise TgError(400, "Bad Request: can't parse allowed_updates JSON array") from None
        pending = self.updates.get(bot.id, [])
        if offset > 0:
            pending = [u for u in pending if u["update_id"] >= offset]
        elif offset < 0:
            pending = pending[offset:]
        self.updates[bot.id] = pending
        if allowed and "message" not in allowed:
            return []
        result = []
        for update in pending[:limit]:
            message = self.messages.get((update["chat_id"], update["message_id"]))
            if message is None:
                continue
            result.append({"update_id": update["update_id"], "message": self._message_json(bot, message)})
        return result

    def _photo(self, request: Request, value: str | None, field_name: str) -> str:
        if value is None or value == "":
            raise TgError(400, f"Bad Request: there is no {field_name} in the request")
        if value.startswith("attach://"):
            upload = request.files.get(value[len("attach://") :])
            if upload is None:
                raise TgError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return f"upload:{upload.filename}:{len(upload.data)}B"
        if value.startswith("attach:"):
            upload = request.files[value[len("attach:") :]]
            if not upload.data:
                raise TgError(400, "Bad Request: file must be non-empty")
            return f"upload:{upload.filename}:{len(upload.data)}B"
        if not re.match(r"^(https?://\S+|[A-Za-z0-9_-]{20,})$", value):
            raise TgError(400, "Bad Request: wrong remote file identifier specified: Wrong string length")
        return value

    def _m_sendphoto(self, bot: Bot, request: Request) -> dict[str, Any]:
        channel = self._chat(request)
        photo = self._photo(request, self._param(request, "photo", required=False), "photo")
        caption = self._text_param(request, "caption", CAPTION_LIMIT, "message caption is too long")
        self._poster(bot, channel)
        return self._message_json(bot, self._store(channel, bot, caption=caption, photos=[photo]))

    def _m_sendmediagroup(self, bot: Bot, request: Request) -> list[dict[str, Any]]:
        channel = self._chat(request)
        raw = request.param("media") or ""
        try:
            media = json.loads(raw)
        except ValueError:
            raise TgError(400, "Bad Request: can't parse media JSON object") from None
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise TgError(400, "Bad Request: media group must contain 2-10 items")
        items = []
        for entry in media:
            if not isinstance(entry, dict) or entry.get("type") not in (
                "photo",
                "video",
                "document",
                "audio",
            ):
                raise TgError(400, "Bad Request: can't parse InputMedia: media type is invalid")
            caption = str(entry.get("caption") or "")
            if len(caption) > CAPTION_LIMIT:
                raise TgError(400, "Bad Request: message caption is too long")
            items.append((self._photo(request, str(entry.get("media") or ""), "media"), caption))
        self._poster(bot, channel)
        group = str(13000000000000000 + next(self._ids))
        return [
            self._message_json(
                bot, self._store(channel, bot, caption=caption, photos=[photo], media_group_id=group)
            )
            for photo, caption in items
        ]

    def _m_deletemessage(self, bot: Bot, request: Request) -> bool:
        channel = self._chat(request)
        try:
            message_id = int(self._param(request, "message_id") or "")
        except ValueError:
            raise TgError(400, "Bad Request: message identifier is not specified") from None
        member = channel.members.get(bot.id)
        if member is None:
            raise TgError(403, "Forbidden: bot is not a member of the channel chat")
        message = self.messages.get((channel.id, message_id))
        if message is None or message.deleted:
            raise TgError(400, "Bad Request: message to delete not found")
        if not member.get("can_delete_messages") and member.get("status") != "creator":
            raise TgError(400, "Bad Request: message can't be deleted")
        message.deleted = True
        return True

    def _m_editmessagetext(self, bot: Bot, request: Request) -> dict[str, Any]:
        channel = self._chat(request)
        try:
            message_id = int(self._param(request, "message_id") or "")
        except ValueError:
            raise TgError(400, "Bad Request: message identifier is not specified") from None
        text = self._text_param(request, "text", TEXT_LIMIT, "message is too long")
        message = self.messages.get((channel.id, message_id))
        if message is None or message.deleted:
            raise TgError(400, "Bad Request: message to edit not found")
        if message.text == text:
            raise TgError(
                400,
                "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            )
        message.text = text
        return self._message_json(bot, message)

    # --- faults --------------------------------------------------------------------------------

    def fault_response(self, fault: Fault, request: Request, platform: str) -> Response | None:
        if fault.kind == "error":
            descriptions = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            return TgError(fault.status, descriptions.get(fault.status, "Internal Server Error")).response()
        if fault.kind == "throttle":
            return TgError(
                429, f"Too Many Requests: retry after {fault.retry_after}", fault.retry_after
            ).response()
        if fault.kind == "expired_token":
            return TgError(401, "Unauthorized").response()
        return None

    def decorate(
        self, response: Response, request: Request, platform: str, usage: Fault | None = None
    ) -> None:
        return None
