"""X connector (API v2, OAuth 2.0 user-context bearer token): tweets, delete, public metrics,
replies, and the rate-limit headers."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ._http import HttpConnector, data_list, opt_count, opt_int, parse_int, shape_guard, shape_guard_pages
from .base import (
    T_GARBAGE,
    T_IMAGE_SIZE,
    T_TOO_MANY_IMAGES,
    AccountInfo,
    BadRequest,
    Capability,
    Comment,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
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
    content_marker,
)
from .i18n import _, register

X_URL = "https://api.x.com"
MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
DEFAULT_RATE_WAIT = timedelta(minutes=15)
# Recent search takes queries of at most this many characters (4,096 on Enterprise access).
SEARCH_QUERY_MAX = 512
# A post as the listening poller stores it (its ``raw``): what X gives of it.
LISTEN_TWEET_FIELDS = "created_at,public_metrics,author_id,conversation_id,referenced_tweets,lang"

# twitter-text v3: these code point ranges weigh 1, everything else 2; URLs weigh 23.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:[a-z0-9-]+\.)+(?:id|com|org|net|info|io|co|gov|edu|me|ly|tv)\b(?:/\S*)?",
    re.IGNORECASE,
)

T_EMPTY = register(_("Unggahan X kosong: isi teks atau gambar."), "Empty X post: add text or an image.")
T_IMAGE_TYPE = register(
    _("Jenis gambar %(mime)s tidak diterima X (hanya JPEG, PNG, WebP, atau GIF)."),
    "X does not accept images of type %(mime)s (only JPEG, PNG, WebP or GIF).",
)
T_REJECTED = register(_("token ditolak"), "token rejected")


def _is_emoji_tail(char: str) -> bool:
    cp = ord(char)
    return cp == 0x200D or 0xFE00 <= cp <= 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F


def weighted_length(text: str) -> int:
    """Length as X counts it (twitter-text v3 weighting, NFC, URLs as 23). Emoji sequences
    joined by ZWJ, variation selectors or skin tones count once (2)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for match in _URL.finditer(text):
        total += _weigh(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return total + _weigh(text[position:])


def _weigh(text: str) -> int:
    total = 0
    previous_heavy = False
    joined = False
    for char in text:
        if _is_emoji_tail(char) and previous_heavy:
            joined = ord(char) == 0x200D
            continue
        if joined:
            joined = False
            continue
        cp = ord(char)
        light = any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES)
        total += 1 if light else 2
        previous_heavy = not light
    return total


def x_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class XConnector(HttpConnector):
    platform = Platform.X
    capabilities = frozenset(Capability)
    WEB_URL = "https://x.com"

    def __init__(
        self,
        *,
        access_token: str,
        user_id: str | None = None,
        username: str | None = None,
        base_url: str = X_URL,
        app_key: str = "default",
        **kwargs: Any,
    ) -> None:
        super().__init__(base_url=base_url, **kwargs)
        # Every channel posting through the same X app shares its 24-hour posting cap.
        self.app_posting_key = f"x:app:{app_key}:POST /2/tweets"
        self._token = access_token
        self.user_id = user_id
        self.username = username
        # Rate-limit keys must not contain the token: use the user id, or a digest before verify.
        self._subject = user_id or "t" + hashlib.sha256(access_token.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<XConnector user={self.user_id} base={self.base_url}>"

    def rate_key(self, endpoint: str) -> str:
        return f"x:{self._subject}:{endpoint}"

    # --- HTTP ----------------------------------------------------------------------------------

    def _call(
        self, method: str, path: str, endpoint: str, *, mutating: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        key = self.rate_key(endpoint)
        keys = (key, self.app_posting_key) if endpoint == "POST /2/tweets" else (key,)
        headers = {"Authorization": f"Bearer {self._token}"}
        response = self._send(method, path, rate_keys=keys, mutating=mutating, headers=headers, **kwargs)
        now = self.clock()
        remaining = parse_int(response.headers.get("x-rate-limit-remaining"))
        reset = parse_int(response.headers.get("x-rate-limit-reset"))
        if remaining == 0 and reset and response.status_code < 400:
            # The next call would be refused: wait for the window to reset before trying.
            self._block(key, datetime.fromtimestamp(reset, UTC))
        if response.status_code == 429:
            until = self._limit_until(response, now)
            if parse_int(response.headers.get("x-app-limit-24hour-remaining")) == 0:
                key = self.app_posting_key
            self._block(key, until)
            raise RateLimited(self.platform, until=until, scope=key, http_status=429, code=88)
        payload = self._parse_json(response, mutating=mutating)
        if not isinstance(payload, dict):
            raise self._garbage(response, mutating=mutating, what="not an object")
        if response.status_code >= 400:
            raise self._classify(response, payload, mutating=mutating)
        return payload

    @staticmethod
    def _limit_until(response: httpx.Response, now: datetime) -> datetime:
        headers = response.headers
        # The 24-hour per-user and per-app posting caps have their own headers; they win when
        # exhausted.
        for cap in ("x-user-limit-24hour", "x-app-limit-24hour"):
            if parse_int(headers.get(f"{cap}-remaining")) == 0:
                reset = parse_int(headers.get(f"{cap}-reset"))
                if reset:
                    return datetime.fromtimestamp(reset, UTC)
        reset = parse_int(headers.get("x-rate-limit-reset"))
        if reset:
            return max(datetime.fromtimestamp(reset, UTC), now)
        retry_after = parse_int(headers.get("retry-after"))
        return now + (timedelta(seconds=retry_after) if retry_after else DEFAULT_RATE_WAIT)

    def _classify(
        self, response: httpx.Response, payload: dict[str, Any], *, mutating: bool
    ) -> ConnectorError:
        status = response.status_code
        detail = str(payload.get("detail") or payload.get("title") or "")
        errors = payload.get("errors")
        if isinstance(errors, list):
            messages = [str(e.get("message") or e.get("detail") or "") for e in errors if isinstance(e, dict)]
            detail = "; ".join([m for m in [detail, *messages] if m])
        common: dict[str, Any] = {"platform_message": detail, "http_status": status}
        if status >= 500:
            return RetryLater(self.platform, ambiguous=mutating, **common)
        if status == 401:
            return CredentialsInvalid(self.platform, reason=T_REJECTED, **common)
        if status == 403:
            if "duplicate" in detail.lower():
                return DuplicatePost(self.platform, **common)
            return PermissionMissing(self.platform, **common)
        return BadRequest(self.platform, **common)

    # --- interface -----------------------------------------------------------------------------

    def validate(self, request: PublishRequest) -> None:
        text = request.text_with_link
        if not text.strip() and not request.images:
            raise BadRequest(self.platform, template=T_EMPTY)
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            raise TextTooLong(
                self.platform, limit=MAX_WEIGHTED_LENGTH, length=length, unit="karakter berbobot"
            )
        if len(request.images) > MAX_IMAGES:
            raise BadRequest(
                self.platform, template=T_TOO_MANY_IMAGES, count=len(request.images), limit=MAX_IMAGES
            )
        for image in request.images:
            if isinstance(image, ImageBytes) and image.mime not in IMAGE_TYPES:
                raise BadRequest(self.platform, template=T_IMAGE_TYPE, mime=image.mime)
            if isinstance(image, ImageBytes) and len(image.data) > MAX_IMAGE_BYTES:
                raise BadRequest(
                    self.platform, template=T_IMAGE_SIZE, size=len(image.data), limit=MAX_IMAGE_BYTES
                )

    @shape_guard(mutating=False)
    def verify(self) -> AccountInfo:
        payload = self._call(
            "GET", "/2/users/me", "GET /2/users/me", params={"user.fields": "id,name,username"}
        )
        data = payload.get("data") or {}
        if not data.get("id"):
            raise self._garbage_from(payload)
        self.user_id = str(data["id"])
        self.username = str(data.get("username", ""))
        return AccountInfo(
            platform=self.platform,
            account_id=self.user_id,
            name=str(data.get("name", "")),
            handle=f"@{self.username}",
            credential_type="oauth2_user",
            url=self.web_link(self.username),
        )

    def _garbage_from(self, payload: dict[str, Any]) -> BadRequest:
        return BadRequest(self.platform, platform_message=str(payload.get("errors") or payload)[:300])

    def _upload(self, image: ImageBytes | ImageURL) -> str:
        if isinstance(image, ImageURL):
            image = self._download(image.url)
        payload = self._call(
            "POST",
            "/2/media/upload",
            "POST /2/media/upload",
            data={"media_category": "tweet_image", "media_type": image.mime},
            files={"media": (image.filename, image.data, image.mime)},
        )
        media_id = (payload.get("data") or {}).get("id")
        if not media_id:
            raise RetryLater(self.platform, template=T_GARBAGE, platform_message="media upload without id")
        return str(media_id)

    def _download(self, url: str) -> ImageBytes:
        try:
            with httpx.stream("GET", url, timeout=20.0, follow_redirects=True) as response:
                if response.status_code != 200:
                    raise RetryLater(
                        self.platform, platform_message=f"image URL answered {response.status_code}"
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_IMAGE_BYTES:
                        raise BadRequest(
                            self.platform, template=T_IMAGE_SIZE, size=size, limit=MAX_IMAGE_BYTES
                        )
                    chunks.append(chunk)
                mime = response.headers.get("content-type", "image/jpeg").split(";")[0]
        except httpx.HTTPError:
            raise RetryLater(self.platform, platform_message="image URL unreachable") from None
        return ImageBytes(data=b"".join(chunks), mime=mime, filename=url.rsplit("/", 1)[-1] or "image")

    def _tweet_url(self, tweet_id: str) -> str:
        if self.username:
            return self.web_link(f"{self.username}/status/{tweet_id}")
        return self.web_link(f"i/web/status/{tweet_id}")

    @shape_guard(mutating=True)
    def publish(self, request: PublishRequest) -> PublishedPost:
        self.validate(request)
        text = request.text_with_link
        body: dict[str, Any] = {}
        if text:
            body["text"] = text
        if request.images:
            body["media"] = {"media_ids": [self._upload(image) for image in request.images]}
        return self._post_tweet(body)

    def _post_tweet(self, body: dict[str, Any]) -> PublishedPost:
        payload = self._call("POST", "/2/tweets", "POST /2/tweets", json=body, mutating=True)
        data = payload.get("data") or {}
        if not data.get("id"):
            raise RetryLater(
                self.platform, template=T_GARBAGE, ambiguous=True, platform_message="tweet answer without id"
            )
        tweet_id = str(data["id"])
        return PublishedPost(
            platform=self.platform,
            post_id=tweet_id,
            url=self._tweet_url(tweet_id),
            created_at=self.clock(),
            text=str(data.get("text", body.get("text", ""))),
        )

    @shape_guard(mutating=True)
    def delete(self, post_id: str) -> None:
        try:
            self._call("DELETE", f"/2/tweets/{post_id}", "DELETE /2/tweets/:id", mutating=True)
        except BadRequest as exc:
            if exc.http_status == 404:
                return  # idempotent: already gone
            raise

    def get_tweet(self, tweet_id: str, *, private_metrics: bool = False) -> dict[str, Any]:
        """The tweet with its public metrics; with ``private_metrics`` also ``non_public_metrics``,
        which X gives only to the author's own token and only for a post's first 30 days (else the
        answer carries the tweet without them and a field authorization error)."""
        fields = "public_metrics,created_at,author_id,conversation_id"
        payload = self._call(
            "GET",
            f"/2/tweets/{tweet_id}",
            "GET /2/tweets/:id",
            params={"tweet.fields": f"{fields},non_public_metrics" if private_metrics else fields},
        )
        data = payload.get("data")
        if not isinstance(data, dict):
            raise self._garbage_from(payload)
        return data

    @shape_guard(mutating=False)
    def metrics(self, post_id: str) -> PostMetrics:
        tweet = self.get_tweet(post_id, private_metrics=True)
        public = tweet.get("public_metrics") or {}
        private = tweet.get("non_public_metrics")
        # Absent when X refuses the private counts, and for a post without a link.
        link_clicks = opt_int(private.get("url_link_clicks")) if isinstance(private, dict) else None

        def count(name: str) -> int:
            return int(public.get(name) or 0)

        return PostMetrics(
            post_id=post_id,
            reactions=count("like_count"),
            comments=count("reply_count"),
            shares=count("retweet_count") + count("quote_count"),
            impressions=opt_int(public.get("impression_count")),
            link_clicks=link_clicks,
            extra={"bookmarks": count("bookmark_count"), "quotes": count("quote_count")},
        )

    @shape_guard(mutating=False)
    def followers(self) -> int | None:
        """The account's followers (``GET /2/users/:id?user.fields=public_metrics``,
        ``public_metrics.followers_count``); None when the answer holds no such count. A user X
        does not find answers 200 with only ``errors``: a BadRequest naming it."""
        if not self.user_id:
            self.verify()
        payload = self._call(
            "GET", f"/2/users/{self.user_id}", "GET /2/users/:id", params={"user.fields": "public_metrics"}
        )
        data = payload.get("data")
        if not isinstance(data, dict):
            raise self._garbage_from(payload)
        public = data.get("public_metrics")
        return opt_count(public.get("followers_count")) if isinstance(public, dict) else None

    @shape_guard(mutating=False)
    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]:
        payload = self._call(
            "GET",
            "/2/tweets/search/recent",
            "GET /2/tweets/search/recent",
            params={
                "query": f"conversation_id:{post_id}",
                "tweet.fields": "author_id,created_at,conversation_id,referenced_tweets",
                "expansions": "author_id",
                "user.fields": "username,name",
                "max_results": max(10, min(limit, 100)),
            },
        )
        users = {u.get("id"): u for u in (payload.get("includes") or {}).get("users") or []}
        result = []
        for item in data_list(payload)[:limit]:
            replied = [
                r.get("id") for r in item.get("referenced_tweets") or [] if r.get("type") == "replied_to"
            ]
            author = users.get(item.get("author_id")) or {}
            result.append(
                Comment(
                    comment_id=str(item.get("id", "")),
                    text=str(item.get("text", "")),
                    author_id=str(item.get("author_id", "")),
                    author_name=str(author.get("username", "")),
                    created_at=x_time(item.get("created_at")),
                    parent_id=str(replied[0]) if replied else None,
                )
            )
        return result

    @shape_guard(mutating=True)
    def reply(self, comment_id: str, text: str) -> Comment:
        request = PublishRequest(text=text)
        self.validate(request)
        post = self._post_tweet({"text": text, "reply": {"in_reply_to_tweet_id": comment_id}})
        return Comment(
            comment_id=post.post_id,
            text=post.text,
            author_id=self.user_id or "",
            author_name=self.username or "",
            created_at=post.created_at,
            parent_id=comment_id,
        )

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
        """Posts that mention the account (replies to its posts included: a reply names whom it
        answers), ``GET /2/users/:id/mentions``."""
        if not self.user_id:
            self.verify()
        yield from self._newest_first(
            f"/2/users/{self.user_id}/mentions",
            "GET /2/users/:id/mentions",
            {},
            cursor,
            page_size=max(5, min(page_size, 100)),
            max_pages=max_pages,
            paging_param="pagination_token",
        )

    @shape_guard_pages
    def search_recent(
        self,
        query: str,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
    ) -> Iterator[IncomingPage]:
        """Posts of the last seven days matching ``query``, ``GET /2/tweets/search/recent``."""
        if len(query) > SEARCH_QUERY_MAX:
            raise BadRequest(
                self.platform, platform_message=f"query longer than {SEARCH_QUERY_MAX} characters"
            )
        yield from self._newest_first(
            "/2/tweets/search/recent",
            "GET /2/tweets/search/recent",
            {"query": query},
            cursor,
            page_size=max(10, min(page_size, 100)),
            max_pages=max_pages,
            paging_param="next_token",
        )

    def _newest_first(
        self,
        path: str,
        endpoint: str,
        params: dict[str, Any],
        cursor: Mapping[str, Any] | None,
        *,
        page_size: int,
        max_pages: int,
        paging_param: str,
    ) -> Iterator[IncomingPage]:
        """Page through a newest-first listing down to ``since_id``.

        The cursor is ``{"since_id": S}`` between reads. While a read is under way it also holds
        ``scan``: the page token to go on from and the newest id that read has seen, which
        becomes the next ``since_id`` only once the read reached its end. So a read cut short
        (``max_pages``, a crash) goes on where it stopped, and posts that arrive meanwhile are
        above the new ``since_id``: nothing is skipped, nothing read twice."""
        since = _post_id(cursor.get("since_id")) if cursor else None
        scan = cursor.get("scan") if cursor else None
        token = str(scan.get("token") or "") if isinstance(scan, dict) else ""
        newest = _post_id(scan.get("newest")) if isinstance(scan, dict) else since
        for _page in range(max_pages):
            query: dict[str, Any] = {
                **params,
                "max_results": page_size,
                "tweet.fields": LISTEN_TWEET_FIELDS,
                "expansions": "author_id",
                "user.fields": "username,name",
            }
            if since:
                query["since_id"] = since
            if token:
                query[paging_param] = token
            try:
                payload = self._call("GET", path, endpoint, params=query)
            except BadRequest as exc:
                if since and exc.http_status == 400 and "since_id" in exc.platform_message:
                    # X refuses a since_id older than what it still lists (a source idle for
                    # over a week): read what it lists now.
                    since = None
                    continue
                if token and exc.http_status == 400:
                    # A page token X no longer takes: read again from the newest post down to
                    # since_id (what is stored already is not stored twice).
                    token = ""
                    continue
                raise
            data = data_list(payload)
            users = {str(u.get("id")): u for u in data_list(payload.get("includes") or {}, "users")}
            for item in data:
                if newest is None or int(item["id"]) > int(newest):
                    newest = str(item["id"])
            token = str((payload.get("meta") or {}).get("next_token") or "")
            page_cursor: dict[str, Any] = {"since_id": since} if since else {}
            if token:
                page_cursor["scan"] = {"token": token, "newest": newest}
            elif newest:
                page_cursor = {"since_id": newest}
            items = tuple(
                self._incoming(item, users) for item in data if str(item.get("author_id")) != self.user_id
            )
            yield IncomingPage(items=items, cursor=page_cursor)
            if not token:
                return

    def _incoming(self, item: dict[str, Any], users: dict[str, dict[str, Any]]) -> Incoming:
        tweet_id = str(item["id"])
        author = users.get(str(item.get("author_id"))) or {}
        username = str(author.get("username", ""))
        public = item.get("public_metrics") or {}
        replied = [
            str(r.get("id")) for r in item.get("referenced_tweets") or [] if r.get("type") == "replied_to"
        ]
        shares = [opt_int(public.get(k)) for k in ("retweet_count", "quote_count")]
        return Incoming(
            platform=self.platform,
            item_id=tweet_id,
            text=str(item.get("text", "")),
            author_id=str(item.get("author_id", "")),
            author_handle=username,
            created_at=x_time(item.get("created_at")),
            url=self.web_link(f"{username}/status/{tweet_id}" if username else f"i/web/status/{tweet_id}"),
            parent_id=replied[0] if replied else None,
            reactions=opt_int(public.get("like_count")),
            comments=opt_int(public.get("reply_count")),
            shares=sum(v for v in shares if v is not None) if any(v is not None for v in shares) else None,
            views=opt_int(public.get("impression_count")),
            raw=dict(item),
        )

    @shape_guard(mutating=False)
    def find_reply(self, comment_id: str, text: str, *, since: datetime) -> Comment | None:
        """The account's reply to ``comment_id`` among its posts since ``since``."""
        if not self.user_id:
            self.verify()
        marker = content_marker(text)
        payload = self._call(
            "GET",
            f"/2/users/{self.user_id}/tweets",
            "GET /2/users/:id/tweets",
            params={
                "max_results": 100,
                "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tweet.fields": "created_at,text,referenced_tweets",
            },
        )
        for item in data_list(payload):
            replied = {
                str(r.get("id")) for r in item.get("referenced_tweets") or [] if r.get("type") == "replied_to"
            }
            if comment_id in replied and content_marker(str(item.get("text", ""))) == marker:
                return Comment(
                    comment_id=str(item["id"]),
                    text=str(item.get("text", "")),
                    author_id=self.user_id or "",
                    author_name=self.username or "",
                    created_at=x_time(item.get("created_at")),
                    parent_id=comment_id,
                )
        return None

    @shape_guard(mutating=False)
    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        if not self.user_id:
            self.verify()
        params: dict[str, Any] = {
            "max_results": 100,
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tweet.fields": "created_at,text",
            "exclude": "retweets,replies",
        }
        for _page in range(3):
            payload = self._call(
                "GET", f"/2/users/{self.user_id}/tweets", "GET /2/users/:id/tweets", params=params
            )
            for item in data_list(payload):
                if content_marker(str(item.get("text", ""))) == request.marker:
                    return PublishedPost(
                        platform=self.platform,
                        post_id=str(item["id"]),
                        url=self._tweet_url(str(item["id"])),
                        created_at=x_time(item.get("created_at")),
                        text=str(item.get("text", "")),
                    )
            token = (payload.get("meta") or {}).get("next_token")
            if not token:
                return None
            params["pagination_token"] = token
        return None


def _post_id(value: Any) -> str | None:
    """A post id from a cursor: digits, else None."""
    text = str(value or "")
    return text if text.isascii() and text.isdigit() else None
