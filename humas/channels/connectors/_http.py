"""Shared HTTP plumbing of the connectors: one sync httpx client, explicit timeouts, transport
failures and unreadable answers classified as RetryLater, and rate-limit blocks checked
before every call."""

from __future__ import annotations

import functools
import json
import logging
import re
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, ParamSpec, TypeVar

import httpx

from .base import (
    T_GARBAGE,
    Clock,
    Comment,
    IncomingPage,
    MemoryRateLimitStore,
    Platform,
    RateLimited,
    RateLimitStore,
    RetryLater,
    Unsupported,
    utcnow,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=30.0, pool=5.0)

_SECRETS_IN_URL = (
    (re.compile(r"/bot[^/\s]+/"), "/bot<redacted>/"),  # the Bot API puts the token in the path
    (re.compile(r"((?:access_token|input_token|appsecret_proof)=)[^&\s\"']+"), r"\1<redacted>"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS_IN_URL:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """httpx logs every request URL at INFO; a Bot API URL carries the bot token and Graph's
    ``debug_token`` takes the inspected token as a query parameter."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(str(a)) if isinstance(a, str | httpx.URL) else a for a in record.args)
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, RedactSecrets) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(RedactSecrets())


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every connector: building one costs ~50 ms of CPU under the GIL,
    which would dominate a delivery run that creates a connector per channel."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class HttpConnector:
    platform: ClassVar[Platform]
    # The platform's web site, where people see a post or an account (its links' origin).
    WEB_URL: ClassVar[str] = ""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        rate_store: RateLimitStore | None = None,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
        web_url: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # Links to posts and accounts start here: the real site unless told otherwise (the demo
        # points them at the fakes' pages, ``/_fake/<platform>``).
        self.web_url = (web_url or self.WEB_URL).rstrip("/")
        self.clock = clock
        self.rate_store: RateLimitStore = (
            rate_store if rate_store is not None else MemoryRateLimitStore(clock)
        )
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            verify=shared_ssl_context(),
            headers={"User-Agent": "Humas/0.1 (+https://github.com/kpu-humas)"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def web_link(self, path: str) -> str:
        """``path`` on the platform's web site (``web_url``)."""
        return f"{self.web_url}/{path.lstrip('/')}"

    def web_rebase(self, url: str) -> str:
        """A link the platform gave (a permalink on its real site), moved to ``web_url``."""
        if self.WEB_URL and self.web_url != self.WEB_URL and url.startswith(self.WEB_URL + "/"):
            return self.web_url + url[len(self.WEB_URL) :]
        return url

    # --- listening (humas.monitoring); platforms that offer it override these -----------------

    def incoming(
        self,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
        recent_posts: int = 10,
        recent_days: int = 7,
    ) -> Iterator[IncomingPage]:
        raise Unsupported(self.platform, operation="membaca komentar dan sebutan")

    def search_recent(
        self,
        query: str,
        cursor: Mapping[str, Any] | None = None,
        *,
        page_size: int = 100,
        max_pages: int = 20,
    ) -> Iterator[IncomingPage]:
        raise Unsupported(self.platform, operation="pencarian kata kunci")

    def find_reply(self, comment_id: str, text: str, *, since: datetime) -> Comment | None:
        raise Unsupported(self.platform, operation="memeriksa balasan yang sudah terkirim")

    # --- the account's audience; platforms that give a count override it -----------------------

    def followers(self) -> int | None:
        raise Unsupported(self.platform, operation="jumlah pengikut")

    def __enter__(self) -> HttpConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------

    def _check_blocked(self, keys: Iterable[str]) -> None:
        """Back off before the platform has to say no: honour waits recorded earlier."""
        now = self.clock()
        keys = tuple(keys)
        # A shared store (Redis) can answer every key of a call in one round trip.
        many = getattr(self.rate_store, "blocked_until_many", None)
        if many is not None and len(keys) > 1:
            waits: dict[str, datetime] = many(keys)
        else:
            waits = {k: until for k in keys if (until := self.rate_store.blocked_until(k)) is not None}
        for key in keys:
            until = waits.get(key)
            if until is not None and until > now:
                raise RateLimited(self.platform, until=until, scope=key)

    def _block(self, key: str, until: datetime) -> None:
        self.rate_store.block(key, until)

    def _send(
        self,
        method: str,
        url: str,
        *,
        rate_keys: Iterable[str] = (),
        mutating: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        self._check_blocked(rate_keys)
        try:
            return self._client.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing reached the platform: a plain retry is safe.
            raise RetryLater(self.platform, platform_message=type(exc).__name__) from None
        except httpx.TransportError as exc:
            # Read timeout, connection dropped mid-answer...: the platform may have acted.
            raise RetryLater(self.platform, ambiguous=mutating, platform_message=type(exc).__name__) from None

    def _parse_json(self, response: httpx.Response, *, mutating: bool) -> Any:
        """The JSON body, or RetryLater for an HTML error page or a truncated document."""
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._garbage_answer(response, mutating=mutating, detail="unreadable body") from None

    def _garbage(self, response: httpx.Response, *, mutating: bool, what: str) -> RetryLater:
        return self._garbage_answer(response, mutating=mutating, detail=f"unexpected answer: {what}")

    def _garbage_answer(self, response: httpx.Response, *, mutating: bool, detail: str) -> RetryLater:
        return RetryLater(
            self.platform,
            template=T_GARBAGE,
            ambiguous=mutating,
            http_status=response.status_code,
            platform_message=f"HTTP {response.status_code}, {detail}",
        )


P = ParamSpec("P")
R = TypeVar("R")


def shape_guard(*, mutating: bool) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn an answer of an unexpected shape (valid JSON, wrong fields or types) into
    RetryLater instead of a KeyError/TypeError crash. Connector methods use it on every
    public call; ``mutating`` marks the outcome ambiguous (the platform may have acted)."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
                connector = args[0]
                platform = connector.platform if isinstance(connector, HttpConnector) else Platform.FACEBOOK
                raise RetryLater(
                    platform,
                    template=T_GARBAGE,
                    ambiguous=mutating,
                    platform_message=f"unexpected answer shape ({type(exc).__name__})",
                ) from exc

        return wrapper

    return decorate


T = TypeVar("T")


def shape_guard_pages(method: Callable[P, Iterator[T]]) -> Callable[P, Iterator[T]]:
    """``shape_guard`` for a generator of pages (reads only): an answer of an unexpected shape met
    while iterating becomes RetryLater, the pages already yielded stay yielded."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Iterator[T]:
        try:
            yield from method(*args, **kwargs)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            connector = args[0]
            platform = connector.platform if isinstance(connector, HttpConnector) else Platform.FACEBOOK
            raise RetryLater(
                platform,
                template=T_GARBAGE,
                platform_message=f"unexpected answer shape ({type(exc).__name__})",
            ) from exc

    return wrapper


def data_list(payload: Any, key: str = "data") -> list[dict[str, Any]]:
    """``payload[key]`` as a list of objects; a missing key is an empty list, anything else
    is an unexpected shape (ValueError, turned into RetryLater by ``shape_guard``)."""
    if not isinstance(payload, dict):
        raise ValueError("answer is not an object")
    items = payload.get(key)
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(f"{key} is not a list of objects")
    return items


def parse_int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def opt_int(value: Any) -> int | None:
    """A count the platform may leave out: an int as given, anything else None."""
    return int(value) if isinstance(value, int) else None


def opt_count(value: Any) -> int | None:
    """A count of people (followers): a non-negative int as given; anything else (left out, null,
    a string, a boolean) None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value
