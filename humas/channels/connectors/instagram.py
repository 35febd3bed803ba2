"""Instagram business account connector (Graph API content publishing: container, then
media_publish), with container status polling, metrics and comments."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from ._graph import GraphConnector, graph_time, unknown_field
from ._http import data_list, opt_count, opt_int, shape_guard, shape_guard_pages
from .base import (
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    ImageURL,
    Incoming,
    IncomingPage,
    PermissionMissing,
    Platform,
    PostMetrics,
    PublishedPost,
    PublishRequest,
    RetryLater,
    TextTooLong,
    Unsupported,
)
from .i18n import _, register

CAPTION_LIMIT = 2_200
HASHTAG_LIMIT = 30
MENTION_LIMIT = 20
MAX_IMAGES = 10
# A comment as the listening poller stores it (its ``raw``), with its replies expanded.
COMMENT_FIELDS = "id,text,username,timestamp,like_count,from{id,username},parent_id"
LISTEN_FIELDS = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
INSIGHT_METRICS = {"views": "views", "reach": "reach", "shares": "shares", "saved": "saved"}

T_NEEDS_IMAGE = register(
    _("Instagram memerlukan minimal satu gambar dengan URL publik."),
    "Instagram needs at least one image with a public URL.",
)
T_IMAGE_URL = register(
    _("Instagram hanya menerima gambar lewat URL publik (https), bukan unggahan berkas."),
    "Instagram only accepts images by public (https) URL, not file uploads.",
)
T_TOO_MANY = register(
    _("Terlalu banyak %(what)s untuk Instagram: %(count)s dari batas %(limit)s."),
    "Too many %(what)s for Instagram: %(count)s of the %(limit)s limit.",
)
T_CONTAINER_ERROR = register(
    _("Instagram gagal memproses media: %(detail)s"), "Instagram failed to process the media: %(detail)s"
)
T_NOT_READY = register(
    _("Instagram belum selesai memproses media; Humas akan mencoba lagi."),
    "Instagram has not finished processing the media; Humas will retry.",
)
T_WRONG_ACCOUNT = register(
    _("Token ini tidak dapat mengakses akun Instagram %(account)s"),
    "This token cannot access Instagram account %(account)s",
)

_HASHTAG = re.compile(r"(?<!\w)#\w+")
_MENTION = re.compile(r"(?<!\w)@[\w.]+")


class InstagramConnector(GraphConnector):
    platform = Platform.INSTAGRAM
    WEB_URL = "https://www.instagram.com"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.FIND_PUBLISHED,
            Capability.MENTIONS,
            Capability.FOLLOWERS,
        }
    )
    required_scopes = ("instagram_basic", "instagram_content_publish")
    optional_scopes = ("instagram_manage_comments", "instagram_manage_insights")

    def __init__(
        self,
        *,
        ig_user_id: str,
        access_token: str,
        poll_interval: float = 2.0,
        poll_timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(account_id=ig_user_id, access_token=access_token, **kwargs)
        self.ig_user_id = ig_user_id
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self._sleep = sleep

    def validate(self, request: PublishRequest) -> None:
        caption = request.text_with_link
        if len(caption) > CAPTION_LIMIT:
            raise TextTooLong(self.platform, limit=CAPTION_LIMIT, length=len(caption))
        hashtags = len(_HASHTAG.findall(caption))
        if hashtags > HASHTAG_LIMIT:
            raise BadRequest(
                self.platform, template=T_TOO_MANY, what="tagar", count=hashtags, limit=HASHTAG_LIMIT
            )
        mentions = len(_MENTION.findall(caption))
        if mentions > MENTION_LIMIT:
            raise BadRequest(
                self.platform, template=T_TOO_MANY, what="sebutan (@)", count=mentions, limit=MENTION_LIMIT
            )
        if not request.images:
            raise BadRequest(self.platform, template=T_NEEDS_IMAGE)
        if len(request.images) > MAX_IMAGES:
            raise BadRequest(
                self.platform, template=T_TOO_MANY, what="gambar", count=len(request.images), limit=MAX_IMAGES
            )
        for image in request.images:
            if not isinstance(image, ImageURL) or not image.url.lower().startswith(("https://", "http://")):
                raise BadRequest(self.platform, template=T_IMAGE_URL)

    @shape_guard(mutating=False)
    def verify(self) -> AccountInfo:
        try:
            account = self._call("GET", self.ig_user_id, params={"fields": "id,username,name"})
        except BadRequest as exc:
            if exc.code == 100:
                raise PermissionMissing(
                    self.platform, template=T_WRONG_ACCOUNT, account=self.ig_user_id
                ) from None
            raise
        data = self._valid_token_data()
        grants = self._grants(data)
        username = str(account.get("username", ""))
        return AccountInfo(
            platform=self.platform,
            account_id=self.ig_user_id,
            name=str(account.get("name") or username),
            handle=f"@{username}" if username else "",
            credential_type=str(data.get("type", "")).lower(),
            expires_at=grants.expires_at,
            scopes=grants.scopes,
            url=self.web_link(f"{username}/") if username else "",
            warnings=grants.warnings,
        )

    @shape_guard(mutating=False)
    def followers(self) -> int | None:
        """The account's followers (``GET /{ig-user-id}?fields=followers_count``); None when the
        answer holds no count or Graph no longer knows the field."""
        try:
            account = self._call("GET", self.ig_user_id, params={"fields": "followers_count"})
        except BadRequest as exc:
            if unknown_field(exc, "followers_count"):
                return None
            raise
        return opt_count(account.get("followers_count"))

    @shape_guard(mutating=False)
    def publishing_quota(self) -> tuple[int, int]:
        """(posts used, posts allowed) in the rolling 24 hours."""
        payload = self._call(
            "GET", self.ig_user_id, "content_publishing_limit", params={"fields": "config,quota_usage"}
        )
        entries = payload.get("data") or [{}]
        entry = entries[0] if isinstance(entries[0], dict) else {}
        config = entry.get("config") or {}
        return int(entry.get("quota_usage") or 0), int(config.get("quota_total") or 0)

    def _container(self, params: dict[str, Any]) -> str:
        payload = self._call("POST", self.ig_user_id, "media", params=params)
        return self._created_id(payload, "container answer without id")

    def _wait_finished(self, container_id: str) -> None:
        deadline = time.monotonic() + self.poll_timeout
        while True:
            status = self._call("GET", container_id, params={"fields": "status_code,status"})
            code = str(status.get("status_code", ""))
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code == "ERROR":
                raise BadRequest(
                    self.platform, template=T_CONTAINER_ERROR, platform_message=str(status.get("status", ""))
                )
            if code == "EXPIRED":
                raise RetryLater(self.platform, platform_message="container expired")
            if time.monotonic() >= deadline:
                raise RetryLater(self.platform, template=T_NOT_READY)
            self._sleep(self.poll_interval)

    @shape_guard(mutating=True)
    def publish(self, request: PublishRequest) -> PublishedPost:
        self.validate(request)
        caption = request.text_with_link
        urls = [image.url for image in request.images if isinstance(image, ImageURL)]
        if len(urls) == 1:
            container = self._container({"image_url": urls[0], "caption": caption})
        else:
            children = [self._container({"image_url": url, "is_carousel_item": True}) for url in urls]
            for child in children:
                self._wait_finished(child)
            container = self._container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        self._wait_finished(container)
        payload = self._call(
            "POST", self.ig_user_id, "media_publish", params={"creation_id": container}, mutating=True
        )
        media_id = self._created_id(payload, "media_publish without id", ambiguous=True)
        media = self._call("GET", media_id, params={"fields": "id,permalink,timestamp"})
        return PublishedPost(
            platform=self.platform,
            post_id=media_id,
            url=self.web_rebase(str(media.get("permalink", ""))),
            created_at=graph_time(media.get("timestamp")) or self.clock(),
            text=caption,
        )

    def delete(self, post_id: str) -> None:
        raise Unsupported(self.platform, operation="menghapus unggahan")

    @shape_guard(mutating=False)
    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        media = self._paged(
            self.ig_user_id,
            "media",
            params={"fields": "id,caption,timestamp,permalink", "limit": 50},
            max_pages=2,
        )
        return self._find_marked(
            request,
            media,
            since=since,
            time_field="timestamp",
            text_field="caption",
            url_of=lambda item: self.web_rebase(str(item.get("permalink", ""))),
            newest_first=True,
        )

    @shape_guard(mutating=False)
    def metrics(self, post_id: str) -> PostMetrics:
        media = self._call("GET", post_id, params={"fields": "like_count,comments_count"})
        unavailable: list[str] = []
        values = self._insights(post_id, list(INSIGHT_METRICS), unavailable)
        return PostMetrics(
            post_id=post_id,
            reactions=opt_int(media.get("like_count")),
            comments=opt_int(media.get("comments_count")),
            shares=values.get("shares"),
            reach=values.get("reach"),
            views=values.get("views"),
            extra={k: v for k, v in values.items() if k == "saved"},
            unavailable=tuple(unavailable),
        )

    @shape_guard(mutating=False)
    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]:
        payload = self._call(
            "GET",
            post_id,
            "comments",
            params={"fields": "id,text,username,timestamp,from{id,username}", "limit": limit},
        )
        result = []
        for item in data_list(payload):
            author = item.get("from") or {}
            result.append(
                Comment(
                    comment_id=str(item.get("id", "")),
                    text=str(item.get("text", "")),
                    author_id=str(author.get("id", "")),
                    author_name=str(item.get("username") or author.get("username") or ""),
                    created_at=graph_time(item.get("timestamp")),
                )
            )
        return result

    @shape_guard(mutating=True)
    def reply(self, comment_id: str, text: str) -> Comment:
        return self._reply_on(comment_id, "replies", text)

    # --- listening ----------------------------------------------------------------------------

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
        """Comments and their replies on the account's recent media.

        Graph documents no order for an IG Media's comments, so nothing here assumes one: a
        media whose ``comments_count`` changed since its last complete read is read through
        again, and only comments newer than the newest one that read saw (its ``mark``:
        timestamp, then id) are given out. A read cut short (``max_pages``, a crash between two
        pages) resumes from its ``after`` cursor with the old mark, so nothing is skipped."""
        since = self.clock() - timedelta(days=recent_days)
        listing = self._call(
            "GET",
            self.ig_user_id,
            "media",
            params={
                "fields": "id,timestamp,comments_count,permalink",
                "limit": max(1, min(recent_posts, 100)),
            },
        )
        media = [m for m in data_list(listing) if (graph_time(m.get("timestamp")) or since) >= since]
        held = (cursor or {}).get("media")
        held = held if isinstance(held, dict) else {}
        state: dict[str, dict[str, Any]] = {}
        for entry in media:
            kept = held.get(str(entry["id"]))
            state[str(entry["id"])] = dict(kept) if isinstance(kept, dict) else {}
        last: dict[str, Any] = dict(cursor or {})
        pages = 0
        for entry in reversed(media):
            media_id = str(entry["id"])
            permalink = self.web_rebase(str(entry.get("permalink") or ""))
            count = opt_int(entry.get("comments_count"))
            held_state = state[media_id]
            mark = _mark(held_state.get("mark"))
            scan = held_state.get("scan")
            if not isinstance(scan, dict):
                if "mark" in held_state and held_state.get("count") == count:
                    continue  # nothing new here since the last complete read
                scan = {"after": "", "newest": list(mark) if mark else None}
            while pages < max_pages:
                data, after, more = self._comment_page(
                    media_id,
                    "comments",
                    fields=LISTEN_FIELDS,
                    after=str(scan.get("after") or ""),
                    limit=page_size,
                )
                pages += 1
                found = [c for item in data for c in _with_replies(item)]
                newest = _mark(scan.get("newest"))
                for comment in found:
                    key = _comment_mark(comment)
                    if newest is None or key > newest:
                        newest = key
                fresh = [c for c in found if mark is None or _comment_mark(c) > mark]
                if more:
                    state[media_id] = {
                        "mark": list(mark) if mark else None,
                        "count": held_state.get("count"),
                        "scan": {"after": after, "newest": list(newest) if newest else None},
                    }
                    scan = state[media_id]["scan"]
                else:
                    state[media_id] = {"mark": list(newest) if newest else None, "count": count}
                items = tuple(
                    self._incoming(c, media_id, permalink)
                    for c in fresh
                    if str((c.get("from") or {}).get("id", "")) != self.ig_user_id
                )
                now = {"media": {k: dict(v) for k, v in state.items()}}
                if items or now != last:
                    yield IncomingPage(items=items, cursor=now)
                    last = now
                if not more:
                    break
        final = {"media": {k: dict(v) for k, v in state.items()}}
        if final != last:
            yield IncomingPage(items=(), cursor=final)

    def _incoming(self, item: dict[str, Any], media_id: str, permalink: str) -> Incoming:
        author = item.get("from") or {}
        raw = {k: v for k, v in item.items() if k != "replies"}
        username = str(item.get("username") or author.get("username") or "")
        comment_id = str(item["id"])
        return Incoming(
            platform=self.platform,
            item_id=comment_id,
            text=str(item.get("text") or ""),
            author_id=str(author.get("id", "")),
            author_handle=username,
            created_at=graph_time(item.get("timestamp")),
            # Instagram shows one comment under its post's address (…/p/<shortcode>/c/<id>/).
            url=f"{permalink.rstrip('/')}/c/{comment_id}/" if permalink else "",
            parent_id=str(item.get("parent_id") or media_id),
            reactions=opt_int(item.get("like_count")),
            raw=raw,
        )

    @shape_guard(mutating=False)
    def find_reply(self, comment_id: str, text: str, *, since: datetime) -> Comment | None:
        return self._own_reply(
            comment_id, "replies", text, since=since, fields="id,text,username,timestamp,from{id,username}"
        )


def _with_replies(item: dict[str, Any]) -> list[dict[str, Any]]:
    """A comment and the replies Graph expanded under it, each a comment of its own."""
    replies = item.get("replies") or {}
    nested = replies.get("data") if isinstance(replies, dict) else None
    found = [item]
    for reply in nested if isinstance(nested, list) else []:
        if isinstance(reply, dict):
            found.append({**reply, "parent_id": reply.get("parent_id") or item.get("id")})
    return found


def _comment_mark(item: dict[str, Any]) -> tuple[int, int, str]:
    """A comment's place in time: its timestamp, then its id (shorter ids are older ones)."""
    created = graph_time(item.get("timestamp"))
    comment_id = str(item["id"])
    return (int(created.timestamp()) if created else 0, len(comment_id), comment_id)


def _mark(value: Any) -> tuple[int, int, str] | None:
    if isinstance(value, list | tuple) and len(value) == 3:
        return (int(value[0]), int(value[1]), str(value[2]))
    return None
