"""Facebook Page connector (Graph API): feed posts with photos, delete, metrics, comments."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from ._graph import GraphConnector, graph_time, unknown_field
from ._http import data_list, opt_count, opt_int, shape_guard, shape_guard_pages
from .base import (
    T_IMAGE_SIZE,
    T_TOO_MANY_IMAGES,
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    ImageBytes,
    ImageURL,
    Incoming,
    IncomingPage,
    PermissionMissing,
    Platform,
    PostMetrics,
    PublishedPost,
    PublishRequest,
    TextTooLong,
)
from .i18n import _, register

TEXT_LIMIT = 63_206
MAX_IMAGES = 10
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff", "image/webp"}
# Post insights; many were deprecated in 2025-26, so each is tried on its own when one fails.
# A comment as the listening poller stores it (its ``raw``): what Graph gives of it.
COMMENT_FIELDS = "id,message,from,created_time,like_count,comment_count,permalink_url,parent{id}"
INSIGHT_METRICS = {
    "post_media_view": "views",
    "post_impressions": "impressions",
    "post_impressions_unique": "reach",
    # Clicks by type ("link clicks", "photo view", "other clicks"); only the link's are kept.
    "post_clicks_by_type": "clicks",
}
LINK_CLICKS = "post_clicks_by_type/link clicks"

T_USER_TOKEN = register(
    _(
        "Token yang ditempel adalah token pengguna, bukan token Halaman. Ambil token Halaman "
        "(GET /me/accounts) untuk Halaman %(page)s lalu tempel token itu"
    ),
    "The pasted token is a user token, not a Page token. Get the Page token (GET /me/accounts) for "
    "Page %(page)s and paste that token",
)
T_OTHER_PAGE = register(
    _("Token ini milik Halaman %(other)s, bukan Halaman %(page)s"),
    "This token belongs to Page %(other)s, not Page %(page)s",
)
T_EMPTY = register(
    _("Unggahan kosong: isi teks, tautan, atau gambar."), "Empty post: add text, a link or an image."
)
T_IMAGE_TYPE = register(
    _("Jenis gambar %(mime)s tidak diterima %(platform)s."),
    "%(platform)s does not accept images of type %(mime)s.",
)


class FacebookConnector(GraphConnector):
    platform = Platform.FACEBOOK
    capabilities = frozenset(Capability) - {Capability.SEARCH}
    WEB_URL = "https://www.facebook.com"
    required_scopes = ("pages_manage_posts", "pages_read_engagement")
    optional_scopes = ("pages_manage_engagement", "pages_read_user_content", "read_insights")

    def __init__(self, *, page_id: str, access_token: str, **kwargs: Any) -> None:
        super().__init__(account_id=page_id, access_token=access_token, **kwargs)
        self.page_id = page_id

    # --- validation ---------------------------------------------------------------------------

    def validate(self, request: PublishRequest) -> None:
        if not request.text.strip() and not request.link and not request.images:
            raise BadRequest(self.platform, template=T_EMPTY)
        if len(request.text) > TEXT_LIMIT:
            raise TextTooLong(self.platform, limit=TEXT_LIMIT, length=len(request.text))
        if len(request.images) > MAX_IMAGES:
            raise BadRequest(
                self.platform, template=T_TOO_MANY_IMAGES, count=len(request.images), limit=MAX_IMAGES
            )
        for image in request.images:
            if isinstance(image, ImageBytes):
                if image.mime not in IMAGE_TYPES:
                    raise BadRequest(self.platform, template=T_IMAGE_TYPE, mime=image.mime)
                if len(image.data) > MAX_IMAGE_BYTES:
                    raise BadRequest(
                        self.platform, template=T_IMAGE_SIZE, size=len(image.data), limit=MAX_IMAGE_BYTES
                    )

    # --- credentials --------------------------------------------------------------------------

    @shape_guard(mutating=False)
    def verify(self) -> AccountInfo:
        me = self._call("GET", "me", params={"fields": "id,name"})
        data = self._valid_token_data()
        kind = str(data.get("type", "")).upper()
        me_id = str(me.get("id", ""))
        if kind == "USER" or (kind != "PAGE" and me_id != self.page_id):
            raise PermissionMissing(self.platform, template=T_USER_TOKEN, page=self.page_id)
        if me_id != self.page_id:
            raise PermissionMissing(self.platform, template=T_OTHER_PAGE, page=self.page_id, other=me_id)
        grants = self._grants(data)
        return AccountInfo(
            platform=self.platform,
            account_id=self.page_id,
            name=str(me.get("name", "")),
            credential_type="page",
            expires_at=grants.expires_at,
            scopes=grants.scopes,
            url=self.web_link(self.page_id),
            warnings=grants.warnings,
        )

    # --- publishing ---------------------------------------------------------------------------

    def _upload_photo(self, image: ImageBytes | ImageURL) -> str:
        if isinstance(image, ImageURL):
            payload = self._call(
                "POST", self.page_id, "photos", params={"url": image.url, "published": False}
            )
        else:
            payload = self._call(
                "POST",
                self.page_id,
                "photos",
                params={"published": False},
                files={"source": (image.filename, image.data, image.mime)},
            )
        return self._created_id(payload, "photo upload without id")

    @shape_guard(mutating=True)
    def publish(self, request: PublishRequest) -> PublishedPost:
        self.validate(request)
        media_ids = [self._upload_photo(image) for image in request.images]
        params: dict[str, Any] = {"message": request.text}
        if request.link and media_ids:
            # A link preview and attached photos cannot be combined: keep the link in the text.
            params["message"] = request.text_with_link
        elif request.link:
            params["link"] = request.link
        if media_ids:
            params["attached_media"] = [{"media_fbid": media_id} for media_id in media_ids]
        payload = self._call("POST", self.page_id, "feed", params=params, mutating=True)
        post_id = self._created_id(payload, "feed answer without id", ambiguous=True)
        return PublishedPost(
            platform=self.platform,
            post_id=post_id,
            url=self.web_link(post_id),
            created_at=self.clock(),
            text=str(params["message"]),
        )

    @shape_guard(mutating=True)
    def delete(self, post_id: str) -> None:
        try:
            self._call("DELETE", post_id, mutating=True)
        except BadRequest as exc:
            # Idempotent: "does not exist" (100/33) counts as deleted.
            if exc.code == 100 and exc.subcode == 33:
                return
            raise

    @shape_guard(mutating=False)
    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        posts = self._paged(
            self.page_id,
            "published_posts",
            params={
                "fields": "id,message,created_time,permalink_url",
                "since": int(since.timestamp()),
                "limit": 100,
            },
        )
        return self._find_marked(
            request,
            posts,
            since=since,
            time_field="created_time",
            text_field="message",
            url_of=lambda item: self.web_rebase(str(item.get("permalink_url") or self.web_link(item["id"]))),
            newest_first=False,
        )

    # --- reading ------------------------------------------------------------------------------

    @shape_guard(mutating=False)
    def metrics(self, post_id: str) -> PostMetrics:
        post = self._call(
            "GET",
            post_id,
            params={
                "fields": "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares"
            },
        )
        values: dict[str, int] = {}
        unavailable: list[str] = []
        insights = self._insights(post_id, list(INSIGHT_METRICS), unavailable)
        for metric, value in insights.items():
            if metric in INSIGHT_METRICS:
                values[INSIGHT_METRICS[metric]] = value
        # A post nobody clicked has no "link clicks" part: 0 when the breakdown itself came.
        link_clicks = insights.get(LINK_CLICKS, 0) if "clicks" in values else None
        return PostMetrics(
            post_id=post_id,
            reactions=_summary_count(post.get("reactions")),
            comments=_summary_count(post.get("comments")),
            shares=int((post.get("shares") or {}).get("count", 0)),
            impressions=values.get("impressions"),
            reach=values.get("reach"),
            views=values.get("views"),
            link_clicks=link_clicks,
            unavailable=tuple(unavailable),
        )

    @shape_guard(mutating=False)
    def followers(self) -> int | None:
        """The Page's followers (``GET /{page-id}?fields=followers_count``); a Page whose answer
        has none falls back to its likes (``fan_count``), and so does a Graph version that no
        longer knows the field. None when Graph gives neither."""
        try:
            page = self._call("GET", self.page_id, params={"fields": "followers_count,fan_count"})
        except BadRequest as exc:
            if not unknown_field(exc, "followers_count"):
                raise
            page = self._call("GET", self.page_id, params={"fields": "fan_count"})
        found = opt_count(page.get("followers_count"))
        return found if found is not None else opt_count(page.get("fan_count"))

    @shape_guard(mutating=False)
    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]:
        payload = self._call(
            "GET",
            post_id,
            "comments",
            params={
                "fields": "id,message,from{id,name},created_time,parent{id}",
                "filter": "stream",
                "order": "reverse_chronological",
                "limit": limit,
            },
        )
        return [_comment(item) for item in data_list(payload)]

    @shape_guard(mutating=True)
    def reply(self, comment_id: str, text: str) -> Comment:
        if not text.strip():
            raise BadRequest(self.platform, template=T_EMPTY)
        return self._reply_on(comment_id, "comments", text)

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
        """Comments (replies included: ``filter=stream``) on the Page's recent posts, oldest
        first (``order=chronological``). The cursor holds, per recent post, Graph's ``after``
        cursor of the last page read; comments added later come after it."""
        since = self.clock() - timedelta(days=recent_days)
        listing = self._call(
            "GET",
            self.page_id,
            "published_posts",
            params={
                "fields": "id,created_time,permalink_url",
                "since": int(since.timestamp()),
                "limit": max(1, min(recent_posts, 100)),
            },
        )
        posts = data_list(listing)
        held = (cursor or {}).get("posts")
        held = held if isinstance(held, dict) else {}
        # Posts that left the window are forgotten with their cursors.
        state = {str(post["id"]): str(held.get(str(post["id"])) or "") for post in posts}
        last: dict[str, Any] = dict(cursor or {})
        pages = 0
        for post in reversed(posts):
            post_id = str(post["id"])
            while pages < max_pages:
                try:
                    data, after, more = self._comment_page(
                        post_id,
                        "comments",
                        fields=COMMENT_FIELDS,
                        after=state[post_id],
                        limit=page_size,
                        filter="stream",
                        order="chronological",
                    )
                except BadRequest as exc:
                    if exc.code == 100 and state[post_id]:
                        # A cursor Graph no longer takes: read the post from its first comment
                        # again (what is stored already is not stored twice).
                        state[post_id] = ""
                        continue
                    raise
                pages += 1
                state[post_id] = after
                items = tuple(
                    self._incoming(item, post_id)
                    for item in data
                    if str((item.get("from") or {}).get("id", "")) != self.page_id
                )
                now = {"posts": dict(state)}
                if items or now != last:
                    yield IncomingPage(items=items, cursor=now)
                    last = now
                if not more:
                    break
        if {"posts": state} != last:
            yield IncomingPage(items=(), cursor={"posts": dict(state)})

    def _incoming(self, item: dict[str, Any], post_id: str) -> Incoming:
        author = item.get("from") or {}
        parent = item.get("parent") or {}
        comment_id = str(item["id"])
        permalink = str(item.get("permalink_url") or "")
        return Incoming(
            platform=self.platform,
            item_id=comment_id,
            text=str(item.get("message") or ""),
            author_id=str(author.get("id", "")),
            author_handle=str(author.get("name", "")),
            created_at=graph_time(item.get("created_time")),
            url=self.web_rebase(permalink) if permalink else self.web_link(comment_id),
            parent_id=str(parent.get("id") or post_id),
            reactions=opt_int(item.get("like_count")),
            comments=opt_int(item.get("comment_count")),
            raw=dict(item),
        )

    @shape_guard(mutating=False)
    def find_reply(self, comment_id: str, text: str, *, since: datetime) -> Comment | None:
        return self._own_reply(
            comment_id,
            "comments",
            text,
            since=since,
            fields="id,message,from,created_time",
            filter="stream",
            order="reverse_chronological",
        )


def _summary_count(edge: Any) -> int | None:
    if isinstance(edge, dict) and isinstance(edge.get("summary"), dict):
        return int(edge["summary"].get("total_count", 0))
    return None


def _comment(item: dict[str, Any]) -> Comment:
    author = item.get("from") or {}
    parent = item.get("parent") or {}
    return Comment(
        comment_id=str(item.get("id", "")),
        text=str(item.get("message", "")),
        author_id=str(author.get("id", "")),
        author_name=str(author.get("name", "")),
        created_at=graph_time(item.get("created_time")),
        parent_id=str(parent["id"]) if parent.get("id") else None,
    )
