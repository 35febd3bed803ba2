"""The one connector interface: requests, results, and the one error hierarchy.

Every platform module (facebook, instagram, x, telegram) implements :class:`Connector` and
raises only subclasses of :class:`ConnectorError`, so the delivery engine decides retries and
channel health from the class alone:

==================  =======================================================================
RetryLater          transient (5xx, timeout, garbage answer); retry with backoff.
                    ``ambiguous=True`` means the platform may have acted: reconcile first.
RateLimited         a RetryLater with a firm ``until`` (aware UTC datetime) to wait for.
CredentialsInvalid  token wrong/expired/revoked: the channel needs reconnecting.
PermissionMissing   token valid but lacks a right (scope, page role, bot admin).
BadRequest          the platform refuses this content; do not retry unchanged.
  DuplicatePost     the platform says this was already posted ("already posted").
  TextTooLong       caught before sending; names the limit.
  Unsupported       this platform has no API for the operation.
==================  =======================================================================
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

from .i18n import _, register, translate

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    X = "x"
    TELEGRAM = "telegram"
    # The office's own Humas portal: an in-process adapter (humas.publishing.portal_channel).
    PORTAL = "portal"


class Capability(StrEnum):
    PUBLISH = "publish"
    DELETE = "delete"
    METRICS = "metrics"
    COMMENTS = "comments"
    REPLY = "reply"
    FIND_PUBLISHED = "find_published"
    # What the public says to the account: comments on its posts, replies, mentions, messages in
    # its channel's discussion group, listed since a cursor (``incoming``).
    MENTIONS = "mentions"
    # A keyword search over the platform's recent public posts (``search_recent``).
    SEARCH = "search"
    # How many follow the account now (``followers``): Page and Instagram followers, X followers,
    # a Telegram channel's subscribers.
    FOLLOWERS = "followers"


# --------------------------------------------------------------------------------------------
# Requests and results


@dataclass(frozen=True)
class ImageBytes:
    """An image uploaded from memory."""

    data: bytes
    mime: str = "image/jpeg"
    filename: str = "image.jpg"


@dataclass(frozen=True)
class ImageURL:
    """An image the platform fetches itself (Instagram requires a public URL)."""

    url: str


Image = ImageBytes | ImageURL


@dataclass(frozen=True)
class PublishRequest:
    """What to publish on one channel.

    ``marker`` is the idempotency marker the delivery engine stores *before* calling
    ``publish``. It defaults to :func:`content_marker` of the text and link, which the
    connector can recompute from posts listed on the platform — that is how
    ``find_published`` recognises a post a crashed worker may have made. Nothing invisible
    is added to the text.
    """

    text: str
    link: str | None = None
    images: tuple[Image, ...] = ()
    marker: str = ""

    def __post_init__(self) -> None:
        if not self.marker:
            object.__setattr__(self, "marker", content_marker(self.text, self.link))

    @property
    def text_with_link(self) -> str:
        """The text with the link appended, for platforms that take no separate link field."""
        if self.link and self.link not in self.text:
            return f"{self.text}\n\n{self.link}".strip()
        return self.text


@dataclass(frozen=True)
class PublishedPost:
    platform: Platform
    post_id: str
    url: str
    created_at: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class PostMetrics:
    """Counts a platform reports for one post; ``None`` means "not available here"."""

    post_id: str
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    # Clicks on the link the post carries (Facebook's "link clicks", X's ``url_link_clicks``).
    link_clicks: int | None = None
    extra: dict[str, int] = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comment:
    comment_id: str
    text: str
    author_id: str
    author_name: str
    created_at: datetime | None
    parent_id: str | None = None


@dataclass(frozen=True)
class Incoming:
    """Something the public said to or about the account (a comment, a reply to one, a mention, a
    search hit, a message in the channel's discussion group), as the platform listed it.

    ``item_id`` is the platform's id, the one ``reply`` takes; ``raw`` the object exactly as the
    platform returned it; counts are None where the platform gives none."""

    platform: Platform
    item_id: str
    text: str
    author_id: str
    author_handle: str
    created_at: datetime | None
    url: str
    parent_id: str | None = None
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncomingPage:
    """One page of :class:`Incoming` items and the cursor that holds once they are stored: given
    back to ``incoming``/``search_recent``, it resumes right after this page (nothing twice,
    nothing skipped). The cursor is plain JSON, opaque to the caller."""

    items: tuple[Incoming, ...]
    cursor: dict[str, Any]


@dataclass(frozen=True)
class AccountInfo:
    """What ``verify`` learned about a credential; only returned when usable for publishing."""

    platform: Platform
    account_id: str
    name: str
    handle: str = ""
    credential_type: str = ""  # "page", "user", "bot", "oauth2_user", "oauth1_user"
    expires_at: datetime | None = None  # None: no timer (still revocable)
    scopes: tuple[str, ...] = ()
    url: str = ""
    warnings: tuple[str, ...] = ()


_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)


def normalize_for_marker(text: str) -> str:
    """Text as it survives a platform round trip: URLs dropped (X rewrites them to t.co),
    NFC, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFC", text)
    text = _URL_RE.sub(" ", text)
    return " ".join(text.split()).casefold()


def content_marker(text: str, link: str | None = None) -> str:
    """Idempotency marker of a post's content (the link is ignored: platforms rewrite it)."""
    digest = hashlib.sha256(normalize_for_marker(text).encode("utf-8")).hexdigest()
    return f"c1:{digest[:32]}"


# --------------------------------------------------------------------------------------------
# Errors

T_RETRY = register(
    _("Platform %(platform)s sedang bermasalah; Humas akan mencoba lagi otomatis."),
    "Platform %(platform)s is having trouble; Humas will retry automatically.",
)
T_RETRY_AMBIGUOUS = register(
    _(
        "Jawaban %(platform)s tidak diterima; Humas akan memeriksa apakah unggahan sudah terbit "
        "sebelum mencoba lagi."
    ),
    "No answer from %(platform)s; Humas will check whether the post was published before retrying.",
)
T_GARBAGE = register(
    _("%(platform)s mengirim jawaban yang tidak dapat dibaca; Humas akan mencoba lagi."),
    "%(platform)s sent an unreadable answer; Humas will retry.",
)
T_RATE = register(
    _("Batas permintaan %(platform)s tercapai; Humas menunggu sampai %(until)s UTC."),
    "%(platform)s request limit reached; Humas waits until %(until)s UTC.",
)
T_CREDENTIALS = register(
    _("Token %(platform)s tidak berlaku lagi (%(reason)s). Kanal perlu dihubungkan ulang."),
    "The %(platform)s token is no longer valid (%(reason)s). The channel needs reconnecting.",
)
# The same rejection while connecting: the token never worked here, so nothing is "no longer"
# valid and nothing needs reconnecting; the person is told what to check instead.
T_CREDENTIALS_REFUSED = register(
    _(
        "%(platform)s menolak token ini (%(reason)s), jadi kanal belum terhubung. Periksa bahwa token "
        "disalin lengkap, dibuat untuk akun kantor yang benar, dan belum dicabut atau kedaluwarsa, lalu "
        "coba lagi."
    ),
    "%(platform)s refused this token (%(reason)s), so the channel is not connected. Check that the token "
    "was copied in full, was made for the office's account, and has not been revoked or expired, then "
    "try again.",
)
T_PERMISSION = register(
    _("Token %(platform)s tidak memiliki izin yang diperlukan: %(missing)s."),
    "The %(platform)s token lacks a required permission: %(missing)s.",
)
T_BAD_REQUEST = register(
    _("%(platform)s menolak permintaan ini: %(detail)s"),
    "%(platform)s refused this request: %(detail)s",
)
T_DUPLICATE = register(
    _("%(platform)s menolak karena konten yang sama sudah diterbitkan."),
    "%(platform)s refused because the same content was already published.",
)
T_TOO_LONG = register(
    _("Teks terlalu panjang untuk %(platform)s: %(length)s dari batas %(limit)s %(unit)s."),
    "Text too long for %(platform)s: %(length)s of the %(limit)s %(unit)s limit.",
)
T_TOO_LONG_PLATFORM = register(
    _("Teks terlalu panjang untuk %(platform)s (batas %(limit)s %(unit)s)."),
    "Text too long for %(platform)s (limit %(limit)s %(unit)s).",
)
T_TOO_MANY_IMAGES = register(
    _("Terlalu banyak gambar untuk %(platform)s: %(count)s dari batas %(limit)s."),
    "Too many images for %(platform)s: %(count)s of the %(limit)s limit.",
)
T_IMAGE_SIZE = register(
    _("Gambar terlalu besar untuk %(platform)s: %(size)s byte dari batas %(limit)s byte."),
    "Image too large for %(platform)s: %(size)s bytes of the %(limit)s byte limit.",
)
T_UNSUPPORTED = register(
    _("%(platform)s tidak menyediakan API untuk %(operation)s."),
    "%(platform)s has no API for %(operation)s.",
)

PLATFORM_NAMES = {
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.X: "X",
    Platform.TELEGRAM: "Telegram",
    Platform.PORTAL: "Portal Humas",
}


class ConnectorError(Exception):
    """Base of every failure a connector reports.

    ``template``/``params`` render the user-facing message (Indonesian by default, English
    via ``message_en``); ``str(error)`` is the English message for logs. Messages never
    contain tokens.
    """

    default_template: ClassVar[str] = T_RETRY
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        platform: Platform | str,
        *,
        template: str | None = None,
        platform_message: str = "",
        code: int | str | None = None,
        subcode: int | str | None = None,
        http_status: int | None = None,
        **params: Any,
    ) -> None:
        self.platform = Platform(platform)
        self.template = template or self.default_template
        self.platform_message = platform_message
        self.code = code
        self.subcode = subcode
        self.http_status = http_status
        self.params: dict[str, Any] = {
            "platform": PLATFORM_NAMES[self.platform],
            "detail": platform_message,
            **params,
        }
        super().__init__(self.message_en)

    def message_in(self, language: str) -> str:
        return translate(self.template, language, self.params)

    @property
    def message(self) -> str:
        """The Indonesian user-facing message."""
        return self.message_in("id")

    @property
    def message_en(self) -> str:
        return self.message_in("en")


class RetryLater(ConnectorError):
    """Transient failure. ``ambiguous``: the platform may have acted (timeout or 5xx after the
    request was sent) — a publish must be reconciled with ``find_published`` before retrying."""

    default_template = T_RETRY
    retryable = True

    def __init__(
        self,
        platform: Platform | str,
        *,
        retry_after: datetime | None = None,
        ambiguous: bool = False,
        **kwargs: Any,
    ) -> None:
        if ambiguous and "template" not in kwargs:
            kwargs["template"] = T_RETRY_AMBIGUOUS
        self.retry_after = retry_after
        self.ambiguous = ambiguous
        super().__init__(platform, **kwargs)


class RateLimited(RetryLater):
    """Throttled: do not call this platform (``scope``) again before ``until``."""

    default_template = T_RATE

    def __init__(self, platform: Platform | str, *, until: datetime, scope: str = "", **kwargs: Any) -> None:
        self.until = until
        self.scope = scope
        kwargs.setdefault("until", until.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))
        super().__init__(platform, retry_after=until, **kwargs)


class CredentialsInvalid(ConnectorError):
    default_template = T_CREDENTIALS

    def __init__(self, platform: Platform | str, *, reason: str = "", **kwargs: Any) -> None:
        super().__init__(platform, reason=reason or "token ditolak", **kwargs)

    def refused_message_in(self, language: str) -> str:
        """The message for a token refused while connecting (T_CREDENTIALS_REFUSED)."""
        reason = translate(str(self.params.get("reason", "")), language)
        return translate(T_CREDENTIALS_REFUSED, language, {**self.params, "reason": reason})


class PermissionMissing(ConnectorError):
    default_template = T_PERMISSION

    def __init__(self, platform: Platform | str, *, missing: Sequence[str] = (), **kwargs: Any) -> None:
        self.missing = tuple(missing)
        kwargs.setdefault("platform_message", "")
        super().__init__(platform, missing=", ".join(self.missing) or kwargs["platform_message"], **kwargs)


class BadRequest(ConnectorError):
    default_template = T_BAD_REQUEST


class DuplicatePost(BadRequest):
    """The platform says this content is already posted; reconcile with ``find_published``."""

    default_template = T_DUPLICATE


class TextTooLong(BadRequest):
    default_template = T_TOO_LONG

    def __init__(
        self, platform: Platform | str, *, limit: int, length: int, unit: str = "karakter", **kwargs: Any
    ) -> None:
        self.limit = limit
        self.length = length
        super().__init__(platform, limit=limit, length=length, unit=unit, **kwargs)


class Unsupported(BadRequest):
    default_template = T_UNSUPPORTED

    def __init__(self, platform: Platform | str, *, operation: str, **kwargs: Any) -> None:
        super().__init__(platform, operation=operation, **kwargs)


# --------------------------------------------------------------------------------------------
# Rate-limit state


class RateLimitStore(Protocol):
    """Where connectors remember "do not call before T". The default is in memory; the
    delivery engine should pass one backed by the shared cache (Redis) so every worker sees
    the same waits. Keys look like ``facebook:page:<id>``, ``x:user:<id>:POST /2/tweets``."""

    def blocked_until(self, key: str) -> datetime | None: ...

    def block(self, key: str, until: datetime) -> None: ...


class MemoryRateLimitStore:
    """Thread-safe in-process :class:`RateLimitStore`."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def blocked_until(self, key: str) -> datetime | None:
        with self._lock:
            until = self._until.get(key)
            if until is not None and until <= self._clock():
                del self._until[key]
                return None
            return until

    def block(self, key: str, until: datetime) -> None:
        with self._lock:
            current = self._until.get(key)
            if current is None or until > current:
                self._until[key] = until

    def snapshot(self) -> dict[str, datetime]:
        with self._lock:
            return dict(self._until)


# --------------------------------------------------------------------------------------------
# The interface


@runtime_checkable
class Connector(Protocol):
    @property
    def platform(self) -> Platform: ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Operations this platform offers; the others raise Unsupported."""

    def validate(self, request: PublishRequest) -> None:
        """Raise BadRequest/TextTooLong if the platform would refuse this content."""

    def verify(self) -> AccountInfo:
        """Check the credential against the platform; raise CredentialsInvalid or
        PermissionMissing with a precise message when it cannot publish."""

    def publish(self, request: PublishRequest) -> PublishedPost: ...

    def delete(self, post_id: str) -> None: ...

    def metrics(self, post_id: str) -> PostMetrics: ...

    def comments(self, post_id: str, *, limit: int = 50) -> list[Comment]: ...

    def reply(self, comment_id: str, text: str) -> Comment: ...

    def find_published(self, request: PublishRequest, *, since: datetime) -> PublishedPost | None:
        """The post made for ``request`` at or after ``since``, or None if there is none.
        Raises Unsupported where the platform cannot list an account's posts."""

    def close(self) -> None: ...


@runtime_checkable
class FollowerSource(Protocol):
    """The size of the account's audience (``Capability.FOLLOWERS``), which every HTTP connector
    offers (the platforms without a count raise :class:`Unsupported`; the portal adapter has no
    followers: its audience is its visitors)."""

    @property
    def platform(self) -> Platform: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def followers(self) -> int | None:
        """How many follow the account now; None when the platform's answer no longer holds the
        number (a field it stopped returning). Errors go through the one hierarchy; a recorded
        rate-limit wait raises RateLimited without a call."""

    def close(self) -> None: ...


@runtime_checkable
class Listener(Protocol):
    """What a platform connector offers for listening and answering (humas.monitoring): the
    platforms without an operation raise :class:`Unsupported` (see ``capabilities``)."""

    @property
    def platform(self) -> Platform: ...

    @property
    def capabilities(self) -> frozenset[Capability]: ...

    def incoming(
        self,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
        recent_posts: int = 10,
        recent_days: int = 7,
    ) -> Iterator[IncomingPage]:
        """Comments, replies and mentions since ``cursor`` (``None``/``{}``: the recent ones), a
        page at a time, at most ``max_pages`` requests for them per call. Where comments hang
        under the account's posts, the ``recent_posts`` newest posts of the last ``recent_days``
        days are read."""

    def search_recent(
        self,
        query: str,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
    ) -> Iterator[IncomingPage]:
        """Recent public posts matching ``query`` since ``cursor``, a page at a time."""

    def reply(self, comment_id: str, text: str) -> Comment: ...

    def find_reply(self, comment_id: str, text: str, *, since: datetime) -> Comment | None:
        """The account's reply to ``comment_id`` with this text made at or after ``since``, or None.
        Raises Unsupported where the platform cannot list replies (reconciliation after a crash)."""

    def close(self) -> None: ...
