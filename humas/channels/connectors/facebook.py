"""Facebook Page connector (Graph API): feed posts with photos, delete, metrics, comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ._graph import GraphConnector, graph_time
from ._http import data_list, shape_guard
from .base import (
    T_IMAGE_SIZE,
    T_TOO_MANY_IMAGES,
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    ImageBytes,
    ImageURL,
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
INSIGHT_METRICS = {
    "post_media_view": "views",
    "post_impressions": "impressions",
    "post_impressions_unique": "reach",
}

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
    capabilities = frozenset(Capability)
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
        for metric, value in self._insights(post_id, list(INSIGHT_METRICS), unavailable).items():
            values[INSIGHT_METRICS[metric]] = value
        return PostMetrics(
            post_id=post_id,
            reactions=_summary_count(post.get("reactions")),
            comments=_summary_count(post.get("comments")),
            shares=int((post.get("shares") or {}).get("count", 0)),
            impressions=values.get("impressions"),
            reach=values.get("reach"),
            views=values.get("views"),
            unavailable=tuple(unavailable),
        )

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
