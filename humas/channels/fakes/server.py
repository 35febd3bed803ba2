"""One threaded HTTP server speaking every fake platform, a control API and HTML pages.

Run it with :func:`serve` (blocking) or :func:`main` (command line); tests start it in a
thread with :func:`humas.channels.fakes.testing.running_fakes`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import html
import json
import logging
import os
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .core import (
    PLATFORMS,
    Fault,
    FaultBook,
    Limits,
    PlatformFake,
    Request,
    Response,
    Settings,
    parse_request,
    sleep_ms,
)
from .feed import feed, read_rows
from .graph import GraphFake
from .telegram import TelegramFake
from .x import CLIENT_ID, CLIENT_SECRET, XFake

log = logging.getLogger("humas.fakes")


STATE_VERSION = 1


class FakeHub:
    """All fake platforms, their faults, limits and seeded accounts.

    ``state_path``: a JSON file where the fakes keep what they issued (accounts, tokens, posts),
    written after every request that may change it and read back at start, so a restarted fake
    (``humas demo`` stopped and started again) still accepts the tokens it gave out. Faults,
    limits and rate windows are not kept."""

    def __init__(
        self,
        *,
        seed: int = 3,
        limits: Limits | None = None,
        settings: Settings | None = None,
        clock: Callable[[], float] = time.time,
        state_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.settings = settings or Settings()
        self.faults = FaultBook()
        self.graph = GraphFake(self.limits, self.settings, clock)
        self.x = XFake(self.limits, self.settings, clock)
        self.telegram = TelegramFake(self.limits, self.settings, clock)
        self.fakes: tuple[PlatformFake, ...] = (self.graph, self.x, self.telegram)
        self.seed_count = seed
        self.accounts: list[dict[str, Any]] = []
        self.state_path = Path(state_path) if state_path is not None else None
        # Where Meta-style webhooks go once an app subscribed (transient, like faults): URL.
        self.webhook_url = ""
        self._state_lock = threading.Lock()
        self._saved = ""
        if not self._load_state():
            self.seed(seed)
            self.save_state()

    # --- keeping what was issued across restarts -------------------------------------------------

    def export_state(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "accounts": self.accounts,
            "graph": self.graph.export_state(),
            "x": self.x.export_state(),
            "telegram": self.telegram.export_state(),
        }

    def _load_state(self) -> bool:
        if self.state_path is None or not self.state_path.exists():
            return False
        try:
            text = self.state_path.read_text(encoding="utf-8")
            state = json.loads(text)
            if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
                raise ValueError(f"not a version {STATE_VERSION} state")
            self.graph.import_state(state["graph"])
            self.x.import_state(state["x"])
            self.telegram.import_state(state["telegram"])
            self.accounts = list(state["accounts"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("fakes: ignoring the state in %s (%s); starting afresh", self.state_path, exc)
            for fake in self.fakes:
                fake.reset()
            self.accounts = []
            return False
        self._saved = json.dumps(self.export_state(), sort_keys=True)
        return True

    def save_state(self) -> None:
        """Write the state file when the state changed (atomically: a crash leaves the old one)."""
        if self.state_path is None:
            return
        with self._state_lock:
            text = json.dumps(self.export_state(), sort_keys=True)
            if text == self._saved:
                return
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.state_path.with_name(f".{self.state_path.name}.partial")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, self.state_path)
            self._saved = text

    def seed(self, count: int) -> None:
        """Deterministic demo offices: the same count always yields the same ids and tokens."""
        start = len(self.accounts) + 1
        for index in range(start, start + count):
            fb = self.graph.add_page(name=f"KPU Demo {index}", index=index)
            xu = self.x.add_user(username=f"kpu_demo{index}", name=f"KPU Demo {index}", index=index)
            bot = self.telegram.add_bot(username=f"kpu_demo{index}_bot", index=index)
            channel = self.telegram.add_channel(
                title=f"KPU Demo {index}",
                username=f"kpu_demo{index}",
                index=index,
                admin_bot_token=bot["bot_token"],
            )
            self.accounts.append(
                {
                    "index": index,
                    "facebook": {
                        k: fb[k] for k in ("page_id", "page_name", "page_token", "user_id", "user_token")
                    },
                    "instagram": {
                        "ig_user_id": fb["ig_user_id"],
                        "ig_username": fb["ig_username"],
                        "access_token": fb["page_token"],
                    },
                    "x": xu,
                    "telegram": {**bot, **channel},
                }
            )

    def reset(self) -> None:
        for fake in self.fakes:
            fake.reset()
        self.faults.clear()
        count = len(self.accounts)
        self.accounts = []
        self.seed(count)

    def posts(self, platform: str, *, include_deleted: bool = False) -> list[dict[str, Any]]:
        fake = self._fake_for(platform)
        return [p for p in fake.posts(platform) if include_deleted or not p["deleted"]]

    def _fake_for(self, platform: str) -> PlatformFake:
        if platform in ("facebook", "instagram"):
            return self.graph
        if platform == "x":
            return self.x
        if platform == "telegram":
            return self.telegram
        raise ValueError(f"unknown platform {platform!r}")

    # --- listening: replies made, files fed, signed webhooks -------------------------------------

    def replies(self, platform: str) -> list[dict[str, Any]]:
        """Replies the office accounts made on ``platform`` (what Humas sent), oldest first."""
        if platform in ("facebook", "instagram"):
            return self.graph.replies(platform)
        if platform == "x":
            return self.x.replies()
        if platform == "telegram":
            return self.telegram.replies()
        raise ValueError(f"unknown platform {platform!r}")

    def feed_rows(self, rows: Any, **options: Any) -> dict[str, Any]:
        """Store rows of a file on a platform (see fakes/feed.py); Facebook and Instagram comments
        are announced to a subscribed webhook as Meta would."""
        result = feed(self, rows, **options)
        if self.webhook_url and options.get("platform") in ("facebook", "instagram"):
            for comment_id in result["ids"]:
                self.send_webhook(self.webhook_url, comment_id)
        return result

    def feed_file(self, path: str | os.PathLike[str], **options: Any) -> dict[str, Any]:
        return self.feed_rows(read_rows(Path(path)), **options)

    def signed_webhook(self, comment_id: str, *, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the webhook Meta sends for ``comment_id``: the change
        notification, signed ``X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body with the app
        secret>`` (``secret`` overrides the fake app's, to send a badly signed one)."""
        body = json.dumps(self.graph.webhook_payload(comment_id), ensure_ascii=False).encode()
        key = (secret if secret is not None else self.graph.app_secret).encode()
        signature = hmac.new(key, body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}
        return body, headers

    def send_webhook(
        self, url: str, comment_id: str, *, secret: str | None = None, timeout: float = 5.0
    ) -> int:
        """POST the signed webhook of ``comment_id`` to ``url``; the HTTP status it answered."""
        body, headers = self.signed_webhook(comment_id, secret=secret)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - an http(s) URL the caller gave
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def subscribe_webhook(self, url: str, verify_token: str, *, timeout: float = 5.0) -> None:
        """Subscribe ``url`` as Meta does: a GET with ``hub.mode=subscribe``, the verify token and
        a challenge the endpoint must echo; ValueError when it does not."""
        challenge = secrets.token_hex(8)
        query = urllib.parse.urlencode(
            {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
        )
        separator = "&" if "?" in url else "?"
        try:
            with urllib.request.urlopen(f"{url}{separator}{query}", timeout=timeout) as answer:  # noqa: S310
                echoed = answer.read().decode("utf-8", "replace")
                status = int(answer.status)
        except urllib.error.HTTPError as error:
            raise ValueError(f"the endpoint answered {error.code} to the verification request") from None
        if status != 200 or echoed != challenge:
            raise ValueError("the endpoint did not echo hub.challenge")
        self.webhook_url = url

    def add_fault(self, **fields: Any) -> Fault:
        return self.faults.add(Fault.from_dict(fields))

    def set_followers(self, platform: str, account: str, count: int | None) -> None:
        """The followers an account answers from now on (``account``: Page id, IG user id, X user
        id, Telegram chat id or ``@name``); None: the platform stops giving the number (Graph and
        X leave the field out, Telegram refuses with "member list is inaccessible")."""
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
            raise ValueError("count must be a whole number of 0 or more, or null")
        if platform in ("facebook", "instagram"):
            self.graph.set_followers(account, count)
        elif platform == "x":
            self.x.set_followers(account, count)
        elif platform == "telegram":
            self.telegram.set_followers(account, count)
        else:
            raise ValueError(f"unknown platform {platform!r}")

    # --- request handling ----------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        response = self._dispatch(request)
        if self.state_path is not None and not self._reads_only(request):
            try:
                self.save_state()
            except (OSError, TypeError, ValueError):
                # The request was carried out: answer it; the next one tries to save again.
                log.exception("fakes: could not save the state to %s", self.state_path)
        return response

    @staticmethod
    def _reads_only(request: Request) -> bool:
        """The HTML pages and the control API's reads change nothing worth saving."""
        path = request.path
        if path == "/" or path.startswith("/_fake"):
            return True
        return path.startswith("/_control/") and request.method == "GET"

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/_control/"):
            return self._control(request)
        if path in ("/", "/_fake", "/_fake/") or path.startswith("/_fake/"):
            return self._page(request)
        fake = next((f for f in self.fakes if f.owns(path)), None)
        if fake is None:
            return Response.json(404, {"error": "no fake platform at this path"})
        platform = fake.platform_of(request)
        fired = self.faults.take(platform, request)
        sleep_ms(
            self.limits.latency_ms.get(platform, 0) + sum(f.latency_ms for f in fired if f.kind == "latency")
        )
        usage = next((f for f in reversed(fired) if f.kind == "usage"), None)
        for fault in fired:
            if fault.kind == "timeout" and not fault.commit:
                time.sleep(fault.seconds)
                return Response.html(504, "<html><body><h1>504 Gateway Time-out</h1></body></html>")
            if fault.kind == "html":
                return Response.html(
                    502,
                    "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>502 Bad Gateway</h1>"
                    "<p>The server encountered a temporary error.</p></body></html>",
                )
            if fault.kind == "shape":
                return Response(200, fault.body.encode())
            if fault.kind in ("error", "throttle", "expired_token", "duplicate"):
                answer = fake.fault_response(fault, request, platform)
                if answer is not None:
                    fake.decorate(answer, request, platform, None)
                    return answer
        response = fake.handle(request)
        fake.decorate(response, request, platform, usage)
        for fault in fired:
            if fault.kind == "timeout" and fault.commit:
                response.stall_seconds = fault.seconds
            if fault.kind == "truncated":
                response.status = 200
                response.body = response.body[: max(1, len(response.body) // 2)]
        return response

    def _control(self, request: Request) -> Response:
        action = request.path[len("/_control/") :].strip("/")
        body = request.json if isinstance(request.json, dict) else {}
        try:
            if action == "state" and request.method == "GET":
                return Response.json(200, self.state())
            if action == "accounts" and request.method == "GET":
                return Response.json(200, {"accounts": self.accounts})
            if action == "oauth_apps" and request.method == "GET":
                return Response.json(200, self.oauth_apps())
            if action == "accounts" and request.method == "POST":
                self.seed(int(body.get("count", 1)))
                return Response.json(201, {"accounts": self.accounts[-int(body.get("count", 1)) :]})
            if action == "posts" and request.method == "GET":
                platform = request.query.get("platform", "")
                include = request.query.get("include_deleted", "") in ("1", "true")
                return Response.json(200, {"posts": self.posts(platform, include_deleted=include)})
            if action == "faults" and request.method == "POST":
                return Response.json(201, asdict(self.add_fault(**body)))
            if action == "faults" and request.method == "GET":
                return Response.json(200, {"faults": self.faults.snapshot()})
            if action == "faults" and request.method == "DELETE":
                self.faults.clear()
                return Response.json(200, {"faults": []})
            if action == "limits" and request.method == "POST":
                self.limits.update(body)
                return Response.json(200, asdict(self.limits))
            if action == "settings" and request.method == "POST":
                for key, value in body.items():
                    if not hasattr(self.settings, key):
                        raise ValueError(f"unknown setting {key}")
                    setattr(self.settings, key, value)
                return Response.json(200, asdict(self.settings))
            if action == "reset" and request.method == "POST":
                self.reset()
                return Response.json(200, self.state())
            if action == "telegram_shared_bot" and request.method == "POST":
                return Response.json(
                    201, self.telegram.add_shared_bot(username=str(body.get("username", "kpu_humas_bot")))
                )
            if action == "telegram/private" and request.method == "POST":
                return Response.json(201, self.telegram_private_message(body))
            if action == "telegram/private" and request.method == "GET":
                messages = self.telegram.private_messages(
                    bot=request.query["bot"], user_id=int(request.query["user_id"])
                )
                return Response.json(200, {"messages": messages})
            if action == "telegram/block" and request.method == "POST":
                self.telegram.block_user(bot=str(body["bot"]), user_id=int(body["user_id"]))
                return Response.json(200, {"blocked": True})
            if action == "telegram/redeliver" and request.method == "POST":
                return Response.json(200, self.telegram.redeliver(bot=str(body["bot"])))
            if action == "expire_token" and request.method == "POST":
                self.expire_token(str(body["platform"]), str(body["token"]), int(body.get("subcode", 463)))
                return Response.json(200, {"expired": True})
            if action == "comments" and request.method == "POST":
                comment_id = self.add_comment(
                    str(body["platform"]),
                    str(body["post_id"]),
                    str(body["text"]),
                    str(body.get("author", "warga")),
                )
                return Response.json(201, {"id": comment_id})
            if action == "replies" and request.method == "GET":
                return Response.json(200, {"replies": self.replies(request.query.get("platform", ""))})
            if action == "feed" and request.method == "POST":
                options = {
                    k: body[k]
                    for k in ("platform", "target", "account", "post_id", "limit", "recent", "keep_ids")
                    if k in body
                }
                try:
                    rows = read_rows(str(body["path"])) if "path" in body else list(body["rows"])
                except OSError as exc:
                    return Response.json(400, {"error": f"cannot read the file: {exc}"})
                return Response.json(201, self.feed_rows(rows, **options))
            if action == "webhooks" and request.method == "POST":
                try:
                    self.subscribe_webhook(str(body["url"]), str(body.get("verify_token", "")))
                except (OSError, ValueError) as exc:
                    return Response.json(400, {"error": f"subscription refused: {exc}"})
                return Response.json(201, {"url": self.webhook_url})
            if action == "webhooks" and request.method == "DELETE":
                self.webhook_url = ""
                return Response.json(200, {"url": ""})
            if action == "webhooks/send" and request.method == "POST":
                url = str(body.get("url") or self.webhook_url)
                if not url:
                    return Response.json(400, {"error": "no webhook URL: subscribe one or give url"})
                try:
                    status = self.send_webhook(url, str(body["comment_id"]), secret=body.get("secret"))
                except OSError as exc:
                    return Response.json(502, {"error": f"the webhook could not be delivered: {exc}"})
                return Response.json(200, {"status": status})
            if action == "followers" and request.method == "POST":
                self.set_followers(str(body["platform"]), str(body["account"]), body.get("count"))
                return Response.json(200, {"ok": True})
            if action == "engagement" and request.method == "POST":
                values = {k: int(v) for k, v in body.items() if k not in ("platform", "post_id")}
                self.set_engagement(str(body["platform"]), str(body["post_id"]), values)
                return Response.json(200, {"ok": True})
        except (KeyError, ValueError, TypeError) as exc:
            return Response.json(400, {"error": f"bad control request: {exc}"})
        return Response.json(404, {"error": f"unknown control action {request.method} {action}"})

    def telegram_private_message(self, body: dict[str, Any]) -> dict[str, Any]:
        """A person writing to a bot privately, from the control API's fields (``bot``,
        ``user_id``, ``first_name``, ``username``, ``language_code``, ``text``, and
        ``forward_from_chat_title`` for a post forwarded from that channel)."""
        user: dict[str, Any] = {
            "id": int(body["user_id"]),
            "is_bot": False,
            "first_name": str(body["first_name"]),
        }
        for key in ("username", "language_code"):
            if body.get(key):
                user[key] = str(body[key])
        title = body.get("forward_from_chat_title")
        origin = self.telegram.channel_origin(str(title)) if title else None
        return self.telegram.add_private_message(
            bot=str(body["bot"]), user=user, text=str(body["text"]), forward_origin=origin
        )

    def oauth_apps(self) -> dict[str, dict[str, str]]:
        """The fake platforms' registered apps (Meta app, X OAuth 2.0 client) for OAuth flows."""
        return {
            "meta": {"app_id": self.graph.app_id, "app_secret": self.graph.app_secret},
            "x": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        }

    def expire_token(self, platform: str, token: str, subcode: int = 463) -> None:
        if platform in ("facebook", "instagram"):
            self.graph.expire_token(token, subcode)
        elif platform == "x":
            self.x.expired.add(token)
        elif platform == "telegram":
            self.telegram.revoked.add(token)
        else:
            raise ValueError(platform)

    def add_comment(self, platform: str, post_id: str, text: str, author: str) -> str:
        if platform in ("facebook", "instagram"):
            comment_id = self.graph.add_public_comment(post_id, text, author)
            if self.webhook_url:
                self.send_webhook(self.webhook_url, comment_id)
            return comment_id
        if platform == "x":
            return self.x.add_public_reply(post_id, text, author)
        raise ValueError(f"comments are not simulated for {platform}")

    def set_engagement(self, platform: str, post_id: str, values: dict[str, int]) -> None:
        if platform in ("facebook", "instagram"):
            self.graph.set_engagement(post_id, values)
        elif platform == "x":
            self.x.set_engagement(post_id, values)
        else:
            raise ValueError(f"engagement is not simulated for {platform}")

    def state(self) -> dict[str, Any]:
        return {
            "posts": {p: len(self.posts(p)) for p in PLATFORMS},
            "deleted": {
                p: sum(1 for x in self.posts(p, include_deleted=True) if x["deleted"]) for p in PLATFORMS
            },
            "accounts": len(self.accounts),
            "faults": self.faults.snapshot(),
            "limits": asdict(self.limits),
        }

    def _page(self, request: Request) -> Response:
        """The HTML pages: every platform's posts (``/``, ``/_fake/{platform}``), and one post or
        one account at the path it has on the real site (``/_fake/x/kpu_demo1/status/…``,
        ``/_fake/facebook/{post id}``, ``/_fake/instagram/p/{shortcode}/``,
        ``/_fake/telegram/{channel}/{message id}``): where connectors told to (``web_url``) link."""
        platform, _, rest = request.path.removeprefix("/_fake").strip("/").partition("/")
        rest = rest.strip("/")
        nav = " · ".join(f'<a href="/_fake/{p}">{p}</a>' for p in PLATFORMS)
        refresh = '<meta http-equiv="refresh" content="3">' if not rest else ""
        head = (
            f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">{refresh}'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Humas fakes</title><style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}"
            "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;"
            "vertical-align:top}.del{color:#999;text-decoration:line-through}pre{white-space:pre-wrap;margin:0}</style>"
            f'</head><body><p>{nav} · <a href="/_control/state">state</a></p>'
        )
        if platform not in PLATFORMS:
            counts = self.state()["posts"]
            rows = "".join(
                f'<tr><td><a href="/_fake/{p}">{p}</a></td><td>{counts[p]}</td></tr>' for p in PLATFORMS
            )
            return Response.html(
                200,
                f"{head}<h1>Humas fake platforms</h1><table><tr><th>platform</th><th>posts</th></tr>{rows}</table></body></html>",
            )
        posts = self.posts(platform, include_deleted=True)
        title = platform
        if rest:
            chosen = [p for p in posts if rest in p.get("paths", ())]
            if chosen:
                comments = self._comments_html(platform, str(chosen[0]["id"]), "")
                return Response.html(
                    200, head + self._post_html(platform, chosen[0]) + comments + "</body></html>"
                )
            else:
                # A comment (or a reply Humas sent) at facebook.com/{comment id}: its post, the
                # comment marked among the others.
                thread = self.graph.thread(rest) if platform in ("facebook", "instagram") else None
                root = [p for p in posts if thread and p["id"] == thread[0]]
                if root:
                    comments = self._comments_html(platform, str(root[0]["id"]), rest)
                    return Response.html(
                        200, head + self._post_html(platform, root[0]) + comments + "</body></html>"
                    )
                chosen = [p for p in posts if rest in p.get("account_paths", ())]
                title = f"{platform}: {rest}"
                if not chosen and not self._known_account(platform, rest):
                    return Response.html(
                        404,
                        f"{head}<h1>{html.escape(platform)}</h1><p>Unggahan atau akun "
                        f"<code>{html.escape(rest)}</code> tidak ditemukan di platform tiruan ini.</p></body></html>",
                    )
            posts = chosen
        post_rows: list[str] = []
        for post in posts[:500]:
            when = datetime.fromtimestamp(post["created"], UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            images = "".join(f"<div>{html.escape(str(i))}</div>" for i in post["images"])
            css = ' class="del"' if post["deleted"] else ""
            paths = post.get("paths") or []
            ident = html.escape(str(post["id"]))
            if paths:
                ident = f'<a href="/_fake/{platform}/{html.escape(str(paths[0]))}">{ident}</a>'
            post_rows.append(
                f"<tr{css}><td>{html.escape(when)}</td><td>{html.escape(str(post['account']))}</td>"
                f"<td><pre>{html.escape(str(post['text']))}</pre>{images}</td><td>{ident}</td></tr>"
            )
        table = "".join(post_rows) or '<tr><td colspan="4">Belum ada unggahan.</td></tr>'
        private = self._conversations_html() if platform == "telegram" and not rest else ""
        return Response.html(
            200,
            f"{head}<h1>{html.escape(title)}</h1><table><tr><th>waktu</th><th>akun</th><th>isi</th><th>id</th></tr>"
            f"{table}</table>{private}</body></html>",
        )

    def _conversations_html(self) -> str:
        """Telegram's private conversations, per bot: what people wrote and what the bot answered."""
        conversations = self.telegram.conversations()
        if not conversations:
            return ""
        parts = ["<h2>Percakapan pribadi</h2>"]
        bot = ""
        for conversation in conversations[:200]:
            if conversation["bot"] != bot:
                bot = conversation["bot"]
                parts.append(f"<h3>@{html.escape(bot)}</h3>")
            username = f" (@{conversation['username']})" if conversation["username"] else ""
            blocked = " · <strong>memblokir bot</strong>" if conversation["blocked"] else ""
            rows = []
            for message in conversation["messages"][-50:]:
                when = datetime.fromtimestamp(message["date"], UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
                who = "warga" if message["from_person"] else "bot"
                forwarded = " (diteruskan)" if message["forwarded"] else ""
                rows.append(
                    f"<tr><td>{html.escape(when)}</td><td>{who}{forwarded}</td>"
                    f"<td><pre>{html.escape(str(message['text']))}</pre></td></tr>"
                )
            parts.append(
                f"<p>{html.escape(str(conversation['person']) + username)} · id {conversation['user_id']}"
                f"{blocked}</p><table><tr><th>waktu</th><th>dari</th><th>isi</th></tr>{''.join(rows)}</table>"
            )
        return "".join(parts)

    @staticmethod
    def _post_html(platform: str, post: dict[str, Any]) -> str:
        """One post as the platform's page of it would show it (readable on a phone)."""
        when = datetime.fromtimestamp(post["created"], UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        images = "".join(f"<li>{html.escape(str(i))}</li>" for i in post["images"])
        account_paths = post.get("account_paths") or []
        account = html.escape(str(post["account"]))
        if account_paths:
            account = f'<a href="/_fake/{platform}/{html.escape(str(account_paths[0]))}">{account}</a>'
        gone = "<p><strong>Unggahan ini sudah dihapus.</strong></p>" if post["deleted"] else ""
        css = ' class="del"' if post["deleted"] else ""
        return (
            f"<article><h1>{html.escape(platform)}: {account}</h1>{gone}"
            f"<pre{css}>{html.escape(str(post['text']))}</pre>"
            f"{f'<ul>{images}</ul>' if images else ''}"
            f"<p><small>{html.escape(when)} · id {html.escape(str(post['id']))}</small></p></article>"
        )

    def _comments_html(self, platform: str, post_id: str, marked: str) -> str:
        """The comments under a Facebook post or an Instagram media, replies indented under what
        they answer, the Page's own (the replies Humas sent) labelled; ``marked`` highlighted."""
        if platform not in ("facebook", "instagram"):
            return ""
        thread = self.graph.thread(post_id)
        if thread is None or not thread[1]:
            return ""

        def item(
            comment: dict[str, Any], indent: int, *, marked_here: bool = False, anchor: bool = True
        ) -> str:
            when = datetime.fromtimestamp(comment["created"], UTC).strftime("%Y-%m-%d %H:%M UTC")
            ident = html.escape(str(comment["id"]))
            own = " <strong>(balasan akun ini)</strong>" if comment["own"] else ""
            style = f"margin-left:{1.5 * indent:.1f}rem" + (";background:#fff3bf" if marked_here else "")
            named = f' id="c{ident}"' if anchor else ""
            return (
                f'<li{named} style="{style}"><small>'
                f"{html.escape(str(comment['author']))}{own} · {html.escape(when)} · "
                f'<a href="/_fake/{platform}/{ident}">{ident}</a></small>'
                f"<pre>{html.escape(str(comment['text']))}</pre></li>"
            )

        by_id = {comment["id"]: comment for comment in thread[1]}
        top = ""
        if marked in by_id:
            # The comment asked for first, after the one it answers: the thread below may be long.
            chain = [by_id[marked]]
            if by_id[marked]["parent"] in by_id:
                chain.insert(0, by_id[by_id[marked]["parent"]])
            shown = "".join(item(c, n, anchor=False) for n, c in enumerate(chain))
            top = f'<h2>Komentar ini</h2><ul style="background:#fff3bf">{shown}</ul>'
        rows = [item(c, c["depth"], marked_here=c["id"] == marked) for c in thread[1]]
        return f"{top}<h2>Komentar ({len(rows)})</h2><ul>{''.join(rows)}</ul>"

    def _known_account(self, platform: str, path: str) -> bool:
        """Whether ``path`` is an account's page on the platform (it may have no posts yet)."""
        if platform == "x":
            return any(u.username == path for u in self.x.users.values())
        if platform == "facebook":
            return any(path in (p.id, p.username) for p in self.graph.pages.values())
        if platform == "instagram":
            return any(a.username == path for a in self.graph.ig_accounts.values())
        return any(c.username == path for c in self.telegram.channels.values())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without NODELAY, Nagle and delayed ACKs add
        # ~40 ms to every keep-alive call, which would swamp the latency a benchmark injects.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            response = self.server.hub.dispatch(parse_request(self.command, self.path, headers, body))
        except Exception:  # a fake must answer, not hang the client; the trace goes to the log
            log.exception("fake failed on %s %s", self.command, urlsplit(self.path).path)
            response = Response.json(500, {"error": "fake crashed; see its log"})
        if response.stall_seconds:
            time.sleep(response.stall_seconds)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_DELETE = do_PUT = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's signature
        if self.server.quiet:
            return
        # Bot API paths carry the token: never log it.
        path = urlsplit(self.path).path
        if path.startswith("/bot"):
            path = "/bot<redacted>/" + path.rsplit("/", 1)[-1]
        log.info("%s %s -> %s", self.command, path, args[1] if len(args) > 1 else "")


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], hub: FakeHub, *, quiet: bool = False) -> None:
        super().__init__(address, _Handler)
        self.hub = hub
        self.quiet = quiet
        host, port = self.server_address[:2]
        self.base_url = f"http://{host if isinstance(host, str) else host.decode()}:{port}"
        if not hub.settings.public_base_url:
            hub.settings.public_base_url = self.base_url


def make_server(
    host: str = "127.0.0.1", port: int = 0, *, hub: FakeHub | None = None, quiet: bool = True
) -> FakeHTTPServer:
    return FakeHTTPServer((host, port), hub or FakeHub(), quiet=quiet)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    *,
    seed: int = 3,
    limits: Limits | None = None,
    settings: Settings | None = None,
    quiet: bool = False,
    state_path: str | None = None,
) -> None:
    """Serve every fake platform on ``host:port`` until interrupted.

    Point connectors at ``http://host:port`` (Graph, X and Telegram share it); open
    ``http://host:port/`` to watch posts arrive; ``GET /_control/accounts`` lists the seeded
    demo accounts and their tokens. ``state_path``: keep what the fakes issued in that file
    across restarts (see FakeHub).
    """
    hub = FakeHub(seed=seed, limits=limits, settings=settings, state_path=state_path)
    server = make_server(host, port, hub=hub, quiet=quiet)
    print(
        f"Humas fakes on {server.base_url}  ({seed} demo offices; accounts: {server.base_url}/_control/accounts)",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="humas fakes serve", description="Serve the strict fake platforms.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=3, help="demo offices to create (deterministic tokens)")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every platform call")
    parser.add_argument(
        "--limits", default="", help="JSON object of Limits fields, e.g. '{\"telegram_per_chat\": 20}'"
    )
    parser.add_argument(
        "--state",
        default="",
        help="JSON file keeping the accounts, tokens and posts the fakes issued across restarts",
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    limits = Limits()
    try:
        if args.limits:
            limits.update(dict(json.loads(args.limits)))
    except (ValueError, TypeError) as exc:
        print(f"humas fakes: bad --limits: {exc}", file=sys.stderr)
        return 2
    if args.latency_ms:
        limits.latency_ms = dict.fromkeys(PLATFORMS, args.latency_ms)
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    serve(
        args.host, args.port, seed=args.seed, limits=limits, quiet=args.quiet, state_path=args.state or None
    )
    return 0


def run_in_thread(server: FakeHTTPServer) -> threading.Thread:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="humas-fakes"
    )
    thread.start()
    return thread


if __name__ == "__main__":
    raise SystemExit(main())
