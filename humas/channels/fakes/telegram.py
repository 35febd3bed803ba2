"""Strict fake of the Telegram Bot API for channels: getMe, getChat, getChatMember,
sendMessage, sendPhoto, sendMediaGroup, deleteMessage, editMessageText; and a channel's linked
discussion group: what people write there reaches the bots in it as updates (getUpdates), and a
bot answers one of them with sendMessage's reply_parameters.

Private chats: a person writes to a bot (``add_private_message``), the bot answers them with
sendMessage (only once they wrote, never after they blocked it). Updates reach a bot by
getUpdates or by its webhook (setWebhook, deleteWebhook, getWebhookInfo): the fake POSTs each
update to the webhook's URL outside its lock, so the bot may call the fake while answering; an
update the webhook refused stays pending until ``redeliver``. ``parse_mode=HTML`` is parsed as
Telegram parses it (its tags only, balanced)."""

from __future__ import annotations

import hashlib
import html
import http
import http.client
import json
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from .core import Fault, IdCounter, LockedFake, Request, Response, SlidingWindow, follower_count

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
WEBHOOK_TIMEOUT = 10.0  # seconds the fake waits for a webhook to answer
WEBHOOK_PORTS = (80, 88, 443, 8443)
LOCAL_HOSTS = ("127.0.0.1", "localhost")  # http:// accepted there, for local use
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# The tags of Telegram's HTML parse mode and the entity each one gives.
HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",  # only <span class="tg-spoiler">
}
HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
PERSON_FIELDS = ("id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium")
ORIGIN_SOURCE = {
    "user": "sender_user",
    "hidden_user": "sender_user_name",
    "chat": "sender_chat",
    "channel": "chat",
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


@dataclass
class PrivateMessage:
    """One message of a private conversation: the person's (``from_person``, plain text with the
    entities Telegram detected) or the bot's (the text as sent, in its ``parse_mode``)."""

    message_id: int
    date: int
    text: str
    from_person: bool
    entities: list[dict[str, Any]] = field(default_factory=list)
    forward_origin: dict[str, Any] | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    link_preview_options: dict[str, Any] | None = None
    reply_to: int | None = None


@dataclass
class PrivateChat:
    """A bot's conversation with one person (its chat id is the person's id)."""

    bot_id: int
    user: dict[str, Any]
    blocked: bool = False
    messages: list[PrivateMessage] = field(default_factory=list)


@dataclass
class Webhook:
    url: str
    secret_token: str = ""
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None


class Described(NamedTuple):
    """A result Telegram answers with a ``description`` besides (setWebhook, deleteWebhook)."""

    result: Any
    description: str


class Delivery(NamedTuple):
    url: str
    secret: str
    update_id: int
    body: bytes


class HtmlError(ValueError):
    """Telegram's reason for refusing a text in HTML parse mode."""


def utf16_length(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_HTML_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_HTML_NAME = re.compile(r"[a-zA-Z0-9-]*")
_HTML_ATTRIBUTE = re.compile(r"[a-zA-Z0-9_-]+")


def _html_entity(match: re.Match[str]) -> str | None:
    name = match[1]
    if not name.startswith("#"):
        return HTML_NAMED.get(name)
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _html_attributes(text: str, start: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
    """The attributes of a start tag from ``start`` on, and where the tag ends."""
    attributes: dict[str, str] = {}
    i, n = start, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        if text[i] == ">":
            return attributes, i + 1
        name = _HTML_ATTRIBUTE.match(text, i)
        if name is None:
            raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        i = name.end()
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            attributes[name[0].lower()] = ""
            continue
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] in "\"'":
            end = text.find(text[i], i + 1)
            if end == -1:
                raise HtmlError(f"Unclosed start tag at byte offset {offset}")
            value, i = text[i + 1 : end], end + 1
        else:
            end = i
            while end < n and not text[end].isspace() and text[end] != ">":
                end += 1
            value, i = text[i:end], end
        attributes[name[0].lower()] = html.unescape(value)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the text without its tags and the entities they make (offsets in
    UTF-16 code units); HtmlError with Telegram's words for a tag it does not support, an end
    tag that closes nothing or another tag, a tag left open."""
    out: list[str] = []
    length = 0
    # (tag, where its entity starts, attributes)
    opened: list[tuple[str, int, dict[str, str]]] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "&":
            match = _HTML_ENTITY.match(text, i)
            decoded = _html_entity(match) if match else None
            if match and decoded is not None:
                out.append(decoded)
                length += utf16_length(decoded)
                i = match.end()
            else:
                out.append("&")  # a lone ampersand stays as it is
                length += 1
                i += 1
            continue
        if text[i] != "<":
            end = i
            while end < n and text[end] not in "<&":
                end += 1
            out.append(text[i:end])
            length += utf16_length(text[i:end])
            i = end
            continue
        offset = len(text[:i].encode("utf-8"))
        if text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise HtmlError(f"Unclosed end tag at byte offset {offset}")
            name = text[i + 2 : end].strip().lower()
            if not opened:
                raise HtmlError(f"Unexpected end tag at byte offset {offset}")
            tag, start, attributes = opened.pop()
            if name != tag:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", found "</{name}>"'
                )
            css = attributes.get("class", "")
            if tag == "code" and opened and opened[-1][0] == "pre" and css.startswith("language-"):
                opened[-1][2]["language"] = css.removeprefix("language-")  # one pre entity, its language
            elif length > start:
                entity: dict[str, Any] = {"offset": start, "length": length - start, "type": HTML_TAGS[tag]}
                if tag == "a":
                    if "href" not in attributes:
                        entity = {}
                    else:
                        entity["url"] = attributes["href"]
                elif tag == "pre" and attributes.get("language"):
                    entity["language"] = attributes["language"]
                elif tag == "blockquote" and "expandable" in attributes:
                    entity["type"] = "expandable_blockquote"
                if entity:
                    entities.append(entity)
            i = end + 1
            continue
        name_match = _HTML_NAME.match(text, i + 1)
        tag = name_match[0].lower() if name_match else ""
        if tag not in HTML_TAGS:
            raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attributes, i = _html_attributes(text, i + 1 + len(tag), tag, offset)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlError('Tag "span" must have class "tg-spoiler"')
        opened.append((tag, length, attributes))
    if opened:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{opened[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_BOT_COMMAND = re.compile(r"(?<![\w/@#])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_URL = re.compile(r"(?<![\w@])https?://[^\s<>\"']+", re.IGNORECASE)


def text_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram finds in a person's plain text: bot commands (``/start``,
    ``/cek@bot``) and http(s) links."""
    found: list[dict[str, Any]] = []
    for match in _BOT_COMMAND.finditer(text):
        found.append(
            {
                "offset": utf16_length(text[: match.start()]),
                "length": utf16_length(match[0]),
                "type": "bot_command",
            }
        )
    for match in _URL.finditer(text):
        link = match[0].rstrip(".,;:!?)]}'")
        found.append(
            {"offset": utf16_length(text[: match.start()]), "length": utf16_length(link), "type": "url"}
        )
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Telegram does not follow a webhook's redirects: a 3xx is a wrong response."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_WEBHOOK_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def _connection_error(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused"
    if isinstance(reason, ConnectionResetError):
        return "Connection reset by peer"
    if isinstance(reason, TimeoutError | socket.timeout):
        return "Read timeout expired"
    if isinstance(reason, socket.gaierror):
        return "Failed to resolve host: Name or service not known"
    if isinstance(reason, ssl.SSLError):
        return f"SSL error {reason}"
    return f"Connection failed: {reason}"


def post_update(
    url: str, body: bytes, secret: str, *, timeout: float = WEBHOOK_TIMEOUT
) -> tuple[int | None, str]:
    """POST one update to a webhook as Telegram does: (the HTTP status it answered or None, the
    error Telegram would record for it or "")."""
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SECRET_HEADER] = secret
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the webhook URL setWebhook checked
    try:
        with _WEBHOOK_OPENER.open(request, timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as error:
        status = int(error.code)
        error.close()
    except urllib.error.URLError as error:
        return None, _connection_error(error.reason)
    except (OSError, http.client.HTTPException) as error:
        return None, _connection_error(error)
    if 200 <= status < 300:
        return status, ""
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return status, f"Wrong response from the webhook: {status} {phrase}".rstrip()


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
    STATE_FIELDS = (
        "bots",
        "channels",
        "messages",
        "_ids",
        "revoked",
        "updates",
        "_update_ids",
        "people",
        "private_chats",
        "webhooks",
    )
    STATE_CLASSES = (Bot, Channel, Message, PrivateChat, PrivateMessage, Webhook)
    TRANSIENT_FIELDS = (*LockedFake.TRANSIENT_FIELDS, "chat_window", "bot_window", "follower_overrides")

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
            # People who wrote to a bot privately (as Telegram describes them), by id.
            self.people: dict[int, dict[str, Any]] = {}
            # (bot id, person id) -> the conversation; its chat id is the person's id.
            self.private_chats: dict[tuple[int, int], PrivateChat] = {}
            self.webhooks: dict[int, Webhook] = {}  # bot id -> its webhook
            self.chat_window: SlidingWindow | None = None
            self.bot_window: SlidingWindow | None = None
            # Chat id -> its subscribers as set by a test or the control API; None: Telegram keeps
            # the member list from bots ("member list is inaccessible"); follower_count otherwise.
            self.follower_overrides: dict[int, int | None] = {}

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

    def set_followers(self, chat_id: int | str, count: int | None) -> None:
        """The subscribers a channel answers from now on (``chat_id``: its id or ``@name``);
        None: getChatMemberCount is refused, "member list is inaccessible"."""
        with self.lock:
            key = str(chat_id)
            found = next(
                (
                    c.id
                    for c in self.channels.values()
                    if str(c.id) == key or (c.username and f"@{c.username}".lower() == key.lower())
                ),
                None,
            )
            if found is None:
                raise ValueError(f"unknown Telegram chat {chat_id!r}")
            self.follower_overrides[found] = count

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
        if isinstance(result, Described):
            return Response.json(
                200, {"ok": True, "result": result.result, "description": result.description}
            )
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
            # Delivered by getUpdates, or by the webhook's redeliver (not at once: the lock is held).
            self._queue_update(bot_id, chat.id, message.message_id)

    def _queue_update(self, bot_id: int, chat_id: int, message_id: int) -> dict[str, int] | None:
        """A pending ``message`` update for the bot; none when its webhook subscribed to other
        kinds of update only (Telegram does not create those)."""
        hook = self.webhooks.get(bot_id)
        if hook is not None and hook.allowed_updates and "message" not in hook.allowed_updates:
            return None
        update = {"update_id": next(self._update_ids), "chat_id": chat_id, "message_id": message_id}
        self.updates.setdefault(bot_id, []).append(update)
        return update

    def _update_json(self, bot: Bot, update: dict[str, int]) -> dict[str, Any] | None:
        """An update as Telegram sends it (by getUpdates or to the webhook)."""
        if update["chat_id"] > 0:  # a person's id: a private chat
            chat = self.private_chats.get((bot.id, update["chat_id"]))
            if chat is None or not 0 < update["message_id"] <= len(chat.messages):
                return None
            private = chat.messages[update["message_id"] - 1]
            return {"update_id": update["update_id"], "message": self._private_json(bot, chat, private)}
        message = self.messages.get((update["chat_id"], update["message_id"]))
        if message is None:
            return None
        return {"update_id": update["update_id"], "message": self._message_json(bot, message)}

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

    # --- private chats and webhooks (tests, the demo) ------------------------------------------

    def _bot_named(self, username: str) -> Bot:
        name = username.removeprefix("@").lower()
        found = next((b for b in self.bots.values() if b.username.lower() == name), None)
        if found is None:
            raise ValueError(f"no bot @{name}")
        return found

    def _bot_by_id(self, bot_id: int) -> Bot | None:
        return next((b for b in self.bots.values() if b.id == bot_id), None)

    def _person(self, user: dict[str, Any]) -> dict[str, Any]:
        """``user`` checked as Telegram's User of a person, its fields in Telegram's order."""
        unknown = set(user) - set(PERSON_FIELDS)
        if unknown:
            raise ValueError(f"unknown fields of a person: {sorted(unknown)}")
        user_id = user.get("id")
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
            raise ValueError("a person's id is a positive integer")
        if any(b.id == user_id for b in self.bots.values()):
            raise ValueError(f"{user_id} is a bot's id")
        if user.get("is_bot", False) is not False:
            raise ValueError("a person writing privately is not a bot")
        if not isinstance(user.get("first_name"), str) or not user["first_name"].strip():
            raise ValueError("a person has a first_name")
        for key in ("last_name", "username", "language_code"):
            if key in user and not isinstance(user[key], str):
                raise ValueError(f"a person's {key} is a string")
        person: dict[str, Any] = {"id": user_id, "is_bot": False}
        person.update({key: user[key] for key in PERSON_FIELDS[2:] if user.get(key)})
        return person

    @staticmethod
    def _origin(origin: Any) -> dict[str, Any]:
        """``forward_origin`` checked as one of Telegram's MessageOrigin kinds."""
        kind = origin.get("type") if isinstance(origin, dict) else None
        if kind not in ORIGIN_SOURCE or not isinstance(origin, dict):
            raise ValueError(f"forward_origin.type is one of {sorted(ORIGIN_SOURCE)}")
        if not isinstance(origin.get("date"), int) or ORIGIN_SOURCE[kind] not in origin:
            raise ValueError(f"a {kind} forward_origin has date and {ORIGIN_SOURCE[kind]}")
        if kind == "channel" and not isinstance(origin.get("message_id"), int):
            raise ValueError("a channel forward_origin has message_id")
        return dict(origin)

    def channel_origin(self, title: str) -> dict[str, Any]:
        """The ``forward_origin`` of a post forwarded from the channel titled ``title``: one of the
        fake's channels, or a channel elsewhere on Telegram."""
        with self.lock:
            channel = next(
                (c for c in self.channels.values() if c.type == "channel" and c.title == title), None
            )
            if channel is not None:
                chat, message_id = self._chat_json(channel), max(1, channel.next_message_id - 1)
            else:
                n = int(hashlib.sha256(title.encode()).hexdigest()[:8], 16)
                chat = {"id": -1001900000000 - n % 10**8, "title": title, "type": "channel"}
                message_id = 1 + n % 5000
            return {
                "type": "channel",
                "chat": chat,
                "message_id": message_id,
                "date": int(self.clock()) - 3600,
            }

    def add_private_message(
        self, *, bot: str, user: dict[str, Any], text: str, forward_origin: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A person writing to the bot ``bot`` (its username) privately: the conversation begins at
        their first message (and writing again unblocks the bot); the bot gets a ``message``
        update, delivered to its webhook at once when it has one (the caller must not hold the
        fake's lock). Returns the update's id (None when the webhook subscribed to other kinds
        of update only), the message's id, and the HTTP status the webhook answered (None
        without a webhook or when it could not be reached)."""
        with self.lock:
            target = self._bot_named(bot)
            person = self._person(user)
            if not text.strip():
                raise ValueError("a person's message has text")
            if len(text) > TEXT_LIMIT:
                raise ValueError(f"a message has at most {TEXT_LIMIT} characters")
            origin = self._origin(forward_origin) if forward_origin is not None else None
            self.people[person["id"]] = person
            chat = self.private_chats.setdefault((target.id, person["id"]), PrivateChat(target.id, person))
            chat.user, chat.blocked = person, False
            message = PrivateMessage(
                len(chat.messages) + 1,
                int(self.clock()),
                text,
                from_person=True,
                entities=text_entities(text),
                forward_origin=origin,
            )
            chat.messages.append(message)
            update = self._queue_update(target.id, person["id"], message.message_id)
            delivery = self._delivery(target.id, update) if update is not None else None
        status = self._deliver(target.id, delivery) if delivery is not None else None
        return {
            "update_id": update["update_id"] if update is not None else None,
            "message_id": message.message_id,
            "webhook_status": status,
        }

    def block_user(self, *, bot: str, user_id: int) -> None:
        """The person blocked the bot: its messages to them are refused until they write again."""
        with self.lock:
            target = self._bot_named(bot)
            chat = self.private_chats.get((target.id, int(user_id)))
            if chat is None:
                raise ValueError(f"{user_id} never wrote to @{target.username}")
            chat.blocked = True

    def private_messages(self, *, bot: str, user_id: int) -> list[dict[str, Any]]:
        """What the bot sent to the person, oldest first: the text as sent, in its parse_mode."""
        with self.lock:
            target = self._bot_named(bot)
            chat = self.private_chats.get((target.id, int(user_id)))
            return [
                {
                    "message_id": m.message_id,
                    "date": m.date,
                    "text": m.text,
                    "parse_mode": m.parse_mode,
                    "reply_markup": m.reply_markup,
                    "link_preview_options": m.link_preview_options,
                    "reply_to_message_id": m.reply_to,
                }
                for m in (chat.messages if chat is not None else [])
                if not m.from_person
            ]

    def conversations(self) -> list[dict[str, Any]]:
        """Every private conversation, per bot, the latest first (the fake's page)."""
        with self.lock:
            names = {b.id: b.username for b in self.bots.values()}
            result = []
            for (bot_id, user_id), chat in self.private_chats.items():
                person = " ".join(filter(None, (chat.user.get("first_name"), chat.user.get("last_name"))))
                result.append(
                    {
                        "bot": names.get(bot_id, str(bot_id)),
                        "user_id": user_id,
                        "person": person,
                        "username": chat.user.get("username", ""),
                        "blocked": chat.blocked,
                        "messages": [
                            {
                                "from_person": m.from_person,
                                "date": m.date,
                                "text": m.text,
                                "forwarded": m.forward_origin is not None,
                            }
                            for m in chat.messages
                        ],
                    }
                )
            return sorted(
                result, key=lambda c: (c["bot"], -max((m["date"] for m in c["messages"]), default=0))
            )

    def redeliver(self, *, bot: str) -> dict[str, Any]:
        """Try the webhook again with every pending update, oldest first."""
        with self.lock:
            target = self._bot_named(bot)
            if target.id not in self.webhooks:
                raise ValueError(f"@{target.username} has no webhook")
            deliveries = [
                delivery
                for update in self.updates.get(target.id, [])
                if (delivery := self._delivery(target.id, update)) is not None
            ]
        statuses = [self._deliver(target.id, delivery) for delivery in deliveries]
        with self.lock:
            return {"statuses": statuses, "pending_update_count": len(self.updates.get(target.id, []))}

    def _delivery(self, bot_id: int, update: dict[str, int]) -> Delivery | None:
        """What to POST to the bot's webhook for ``update`` (read under the lock)."""
        hook = self.webhooks.get(bot_id)
        bot = self._bot_by_id(bot_id)
        payload = self._update_json(bot, update) if hook is not None and bot is not None else None
        if hook is None or payload is None:
            return None
        body = json.dumps(payload, ensure_ascii=False).encode()
        return Delivery(hook.url, hook.secret_token, update["update_id"], body)

    def _deliver(self, bot_id: int, delivery: Delivery) -> int | None:
        """POST one update to the webhook outside the lock (the bot may call the fake while it
        answers); a 2xx confirms the update, anything else is the webhook's last error."""
        status, error = post_update(delivery.url, delivery.body, delivery.secret)
        with self.lock:
            if not error:
                pending = self.updates.get(bot_id, [])
                self.updates[bot_id] = [u for u in pending if u["update_id"] != delivery.update_id]
            else:
                hook = self.webhooks.get(bot_id)
                if hook is not None and hook.url == delivery.url:
                    hook.last_error_date, hook.last_error_message = int(self.clock()), error
        return status

    def _known_person(self, user_id: int) -> bool:
        """Whether Telegram would know the person for this fake: they wrote to a bot privately or
        in a discussion group."""
        return user_id in self.people or any(
            m.author is not None and m.author.get("id") == user_id for m in self.messages.values()
        )

    def _bot_json(self, bot: Bot) -> dict[str, Any]:
        return {"id": bot.id, "is_bot": True, "first_name": bot.first_name, "username": bot.username}

    @staticmethod
    def _private_chat_json(chat: PrivateChat) -> dict[str, Any]:
        result = {"id": chat.user["id"], "first_name": chat.user["first_name"]}
        result.update({key: chat.user[key] for key in ("last_name", "username") if key in chat.user})
        return {**result, "type": "private"}

    def _private_json(
        self, bot: Bot, chat: PrivateChat, m: PrivateMessage, *, nested: bool = False
    ) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": m.message_id,
            "from": dict(chat.user) if m.from_person else self._bot_json(bot),
            "chat": self._private_chat_json(chat),
            "date": m.date,
        }
        if m.forward_origin is not None:
            result["forward_origin"] = m.forward_origin
        if m.reply_to and not nested and 0 < m.reply_to <= len(chat.messages):
            result["reply_to_message"] = self._private_json(
                bot, chat, chat.messages[m.reply_to - 1], nested=True
            )
        text, entities = m.text, m.entities
        if m.parse_mode == "HTML":
            text, entities = parse_html(m.text)
        result["text"] = text
        if entities:
            result["entities"] = entities
        if m.link_preview_options is not None:
            result["link_preview_options"] = m.link_preview_options
        if m.reply_markup is not None and "inline_keyboard" in m.reply_markup:
            result["reply_markup"] = {"inline_keyboard": m.reply_markup["inline_keyboard"]}
        return result

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

    def _m_getchatmembercount(self, bot: Bot, request: Request) -> int:
        """The number of members of a chat: a channel's subscribers. Like getChat, a private chat
        the bot is not in is "chat not found"."""
        channel = self._chat(request)
        if bot.id not in channel.members and not channel.username:
            raise TgError(400, "Bad Request: chat not found")
        if channel.id in self.follower_overrides:
            count = self.follower_overrides[channel.id]
            if count is None:
                raise TgError(400, "Bad Request: member list is inaccessible")
            return count
        return follower_count(str(channel.id), self.clock())

    def _text_param(self, request: Request, name: str, limit: int, too_long: str) -> str:
        return self._formatted(request, name, limit, too_long)[0]

    def _formatted(
        self, request: Request, name: str, limit: int, too_long: str
    ) -> tuple[str, str, list[dict[str, Any]]]:
        """The text as sent, the text a person reads and its entities. In HTML parse mode the
        tags must be Telegram's and balanced, and the limit counts the text without them."""
        text = request.param(name) or ""
        parse_mode = request.param("parse_mode")
        if parse_mode and parse_mode not in ("HTML", "Markdown", "MarkdownV2"):
            raise TgError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        plain, entities = text, list[dict[str, Any]]()
        if parse_mode == "HTML":
            try:
                plain, entities = parse_html(text)
            except HtmlError as error:
                raise TgError(400, f"Bad Request: can't parse entities: {error}") from None
        if len(plain) > limit:
            raise TgError(400, f"Bad Request: {too_long}")
        return text, plain, entities

    def _reply_markup(self, request: Request) -> dict[str, Any] | None:
        """``reply_markup``: a JSON object, an inline keyboard's buttons each with an action."""
        raw = request.param("reply_markup")
        if raw is None or raw == "":
            return None
        try:
            markup = json.loads(raw)
        except ValueError:
            markup = None
        if not isinstance(markup, dict):
            raise TgError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise TgError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
                )
            for button in (button for row in rows for button in row):
                self._inline_button(button)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise TgError(
                    400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
        elif markup.get("remove_keyboard") is not True and markup.get("force_reply") is not True:
            raise TgError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        return markup

    @staticmethod
    def _inline_button(button: Any) -> None:
        prefix = "Bad Request: can't parse inline keyboard button:"
        if not isinstance(button, dict):
            raise TgError(400, f"{prefix} InlineKeyboardButton should be an Object")
        if not isinstance(button.get("text"), str):
            raise TgError(400, f'{prefix} Field "text" must be of type String')
        if not INLINE_BUTTON_ACTIONS & set(button):
            raise TgError(400, f"{prefix} Text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                raise TgError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button and not re.fullmatch(r"(https?|tg)://\S+", str(button["url"])):
            raise TgError(400, "Bad Request: BUTTON_URL_INVALID")

    @staticmethod
    def _link_preview_options(request: Request) -> dict[str, Any] | None:
        raw = request.param("link_preview_options")
        if raw is None or raw == "":
            return None
        try:
            options = json.loads(raw)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            raise TgError(400, "Bad Request: can't parse link preview options JSON object")
        return options

    def _reply_target(self, request: Request, channel: Channel) -> int | None:
        """The message ``reply_parameters`` (or the older ``reply_to_message_id``) names."""

        def present(message_id: int) -> bool:
            target = self.messages.get((channel.id, message_id))
            return target is not None and not target.deleted

        return self._replied(request, present)

    def _replied(self, request: Request, present: Callable[[int], bool]) -> int | None:
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
        if not present(message_id):
            if allow_missing:
                return None
            raise TgError(400, "Bad Request: message to be replied not found")
        return message_id

    def _m_sendmessage(self, bot: Bot, request: Request) -> dict[str, Any]:
        person = self._person_chat(bot, request)
        if person is not None:
            return self._send_private(bot, *person, request)
        channel = self._chat(request)
        text, plain, _entities = self._formatted(request, "text", TEXT_LIMIT, "message is too long")
        if not plain.strip():
            raise TgError(400, "Bad Request: message text is empty")
        reply_to = self._reply_target(request, channel)
        self._poster(bot, channel)
        return self._message_json(bot, self._store(channel, bot, text=text, reply_to=reply_to))

    def _person_chat(self, bot: Bot, request: Request) -> tuple[int, PrivateChat | None] | None:
        """The person ``chat_id`` names and the bot's conversation with them (None: the chat_id
        names no person, but a channel or a group). A person the fake never saw is a chat
        Telegram does not know."""
        raw = (self._param(request, "chat_id") or "").strip('"')
        try:
            user_id = int(raw)
        except ValueError:
            return None
        if user_id <= 0:
            return None
        if self._bot_by_id(user_id) is not None:
            raise TgError(403, "Forbidden: bot can't send messages to bots")
        chat = self.private_chats.get((bot.id, user_id))
        if chat is None and not self._known_person(user_id):
            raise TgError(400, "Bad Request: chat not found")
        return user_id, chat

    def _send_private(
        self, bot: Bot, user_id: int, chat: PrivateChat | None, request: Request
    ) -> dict[str, Any]:
        text, plain, _entities = self._formatted(request, "text", TEXT_LIMIT, "message is too long")
        if not plain.strip():
            raise TgError(400, "Bad Request: message text is empty")
        reply_markup = self._reply_markup(request)
        preview = self._link_preview_options(request)
        if chat is None:
            raise TgError(403, "Forbidden: bot can't initiate conversation with a user")
        messages = chat.messages

        def present(message_id: int) -> bool:
            return 0 < message_id <= len(messages)

        reply_to = self._replied(request, present)
        if chat.blocked:
            raise TgError(403, "Forbidden: bot was blocked by the user")
        message = PrivateMessage(
            len(chat.messages) + 1,
            int(self.clock()),
            text,
            from_person=False,
            parse_mode=request.param("parse_mode") or None,
            reply_markup=reply_markup,
            link_preview_options=preview,
            reply_to=reply_to,
        )
        chat.messages.append(message)
        return self._private_json(bot, chat, message)

    def _m_getupdates(self, bot: Bot, request: Request) -> list[dict[str, Any]]:
        """Pending updates of this bot from ``offset`` on; giving an offset confirms (forgets)
        every update below it. Long polling (``timeout``) answers at once here. Refused while the
        bot has a webhook."""
        if bot.id in self.webhooks:
            raise TgError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
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
        return [found for update in pending[:limit] if (found := self._update_json(bot, update)) is not None]

    @staticmethod
    def _flag(request: Request, name: str) -> bool:
        return (request.param(name) or "").strip().lower() in ("true", "1")

    def _m_setwebhook(self, bot: Bot, request: Request) -> Described:
        """A webhook: an https URL on a port Telegram allows (http on 127.0.0.1 or localhost for
        local use); an empty URL removes it, as deleteWebhook does."""
        url = (request.param("url") or "").strip()
        drop = self._flag(request, "drop_pending_updates")
        if not url:
            return self._webhook_delete(bot, drop=drop)
        self._webhook_url_check(url)
        secret = request.param("secret_token") or ""
        if secret and not SECRET_TOKEN.fullmatch(secret):
            raise TgError(400, "Bad Request: secret token contains unallowed characters")
        previous = self.webhooks.get(bot.id)
        raw = request.param("allowed_updates")
        allowed = previous.allowed_updates if previous is not None else None  # kept when not given
        if raw:
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            if not isinstance(parsed, list) or not all(isinstance(kind, str) for kind in parsed):
                raise TgError(400, "Bad Request: can't parse allowed_updates JSON array")
            allowed = parsed or None  # an empty list: the default kinds
        try:
            connections = min(100, max(1, int(request.param("max_connections") or "40")))
        except ValueError:
            raise TgError(400, "Bad Request: invalid max_connections specified") from None
        hook = Webhook(url, secret, connections, allowed, "certificate" in request.files)
        if drop:
            self.updates[bot.id] = []
        if previous is not None and (
            previous.url,
            previous.secret_token,
            previous.max_connections,
            previous.allowed_updates,
            previous.has_custom_certificate,
        ) == (
            hook.url,
            hook.secret_token,
            hook.max_connections,
            hook.allowed_updates,
            hook.has_custom_certificate,
        ):
            return Described(True, "Webhook is already set")
        if previous is not None and previous.url == url:
            hook.last_error_date, hook.last_error_message = (
                previous.last_error_date,
                previous.last_error_message,
            )
        self.webhooks[bot.id] = hook
        return Described(True, "Webhook was set")

    @staticmethod
    def _webhook_url_check(url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise TgError(400, "Bad Request: bad webhook: Wrong port number specified in the URL") from None
        host = (parts.hostname or "").lower()
        local = host in LOCAL_HOSTS
        if parts.scheme == "http" and local:
            return
        if parts.scheme != "https":
            raise TgError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if not host:
            raise TgError(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")
        if not local and (port or 443) not in WEBHOOK_PORTS:
            raise TgError(
                400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )

    def _m_deletewebhook(self, bot: Bot, request: Request) -> Described:
        return self._webhook_delete(bot, drop=self._flag(request, "drop_pending_updates"))

    def _webhook_delete(self, bot: Bot, *, drop: bool) -> Described:
        if drop:
            self.updates[bot.id] = []
        if self.webhooks.pop(bot.id, None) is None:
            return Described(True, "Webhook is already deleted")
        return Described(True, "Webhook was deleted")

    def _m_getwebhookinfo(self, bot: Bot, request: Request) -> dict[str, Any]:
        hook = self.webhooks.get(bot.id)
        info: dict[str, Any] = {
            "url": hook.url if hook is not None else "",
            "has_custom_certificate": hook.has_custom_certificate if hook is not None else False,
            "pending_update_count": len(self.updates.get(bot.id, [])),
        }
        if hook is None:
            return info
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = list(hook.allowed_updates)
        return info

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
