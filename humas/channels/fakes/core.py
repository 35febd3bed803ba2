"""The fake platforms' HTTP plumbing: request parsing (query, form, multipart, JSON), fault
injection, sliding-window limits and the threaded server.

One server speaks all four APIs at once because their paths never collide:
``/v{N}.{M}/…`` is the Graph API (Facebook and Instagram), ``/2/…`` is X API v2,
``/bot{token}/{method}`` is the Telegram Bot API; ``/_control/…`` is the control API and
``/`` plus ``/_fake/{platform}`` are the HTML pages where a person sees posts arrive.
"""

from __future__ import annotations

import collections
import email.parser
import email.policy
import hashlib
import json
import random
import threading
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlsplit

PLATFORMS = ("facebook", "instagram", "x", "telegram")
FAULT_KINDS = (
    "latency",  # add latency_ms, then answer normally
    "error",  # a 5xx in the platform's own envelope
    "timeout",  # stall `seconds` (commit=True: act first, then stall: the ambiguous case)
    "throttle",  # the platform's throttle answer with its real headers and codes
    "expired_token",  # Graph 190/463, X 401, Telegram 401
    "duplicate",  # Graph 506, X 403 duplicate content
    "html",  # an HTML error page (502)
    "truncated",  # HTTP 200 with a truncated JSON document
    "shape",  # HTTP 200 with valid JSON of the wrong shape (`body`), without acting
    "usage",  # Graph: report usage headers at `usage` % (and regain minutes) without failing
)


@dataclass
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    json: Any = None

    def param(self, name: str, default: str | None = None) -> str | None:
        """A parameter from the query, the form or multipart body, or a JSON body."""
        if name in self.form:
            return self.form[name]
        if isinstance(self.json, dict) and name in self.json:
            value = self.json[name]
            return value if isinstance(value, str) else json.dumps(value)
        return self.query.get(name, default)


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    stall_seconds: float = 0.0  # sleep after acting, before answering (timeout after commit)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(payload, ensure_ascii=False).encode(), headers=dict(headers or {}))

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        return cls(status, text.encode(), content_type="text/html; charset=utf-8")

    @classmethod
    def redirect(cls, redirect_uri: str, query: dict[str, str]) -> Response:
        """An OAuth redirect back to the client with ``query`` added to its own query string."""
        separator = "&" if urllib.parse.urlsplit(redirect_uri).query else "?"
        location = redirect_uri + separator + urllib.parse.urlencode(query)
        return cls(302, b"", content_type="text/html; charset=utf-8", headers={"Location": location})


def parse_request(method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    request = Request(method=method, path=parts.path, query=query, headers=headers, body=body)
    content_type = headers.get("content-type", "")
    if not body:
        return request
    if content_type.startswith("application/json"):
        try:
            request.json = json.loads(body)
        except ValueError:
            request.json = None
            request.form["__invalid_json__"] = "1"
    elif content_type.startswith("application/x-www-form-urlencoded"):
        request.form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                request.files[name] = UploadedFile(filename, part.get_content_type(), data)
            else:
                request.form[name] = data.decode("utf-8", "replace")
    return request


# --------------------------------------------------------------------------------------------
# Faults


@dataclass
class Fault:
    platform: str = "*"  # one of PLATFORMS or "*"
    kind: str = "error"
    times: int | None = 1  # None: until cleared
    probability: float = 1.0
    path: str = ""  # only requests whose path contains this
    method: str = ""
    latency_ms: int = 0
    seconds: float = 0.0
    commit: bool = False
    status: int = 500
    code: int | None = None  # Graph error code (4, 17, 32, 613, 80001, 9004…)
    subcode: int | None = None  # Graph error_subcode (1390008, 2207052…)
    retry_after: int = 30  # seconds (Telegram, X reset) or minutes (Graph regain)
    usage: int = 0  # Graph usage percent
    body: str = '["unexpected"]'  # answer of a "shape" fault
    fired: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        known = {f.name for f in fields(cls)} - {"fired"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        fault = cls(**data)
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; one of {FAULT_KINDS}")
        if fault.platform not in (*PLATFORMS, "*"):
            raise ValueError(f"unknown platform {fault.platform!r}")
        return fault

    def matches(self, platform: str, request: Request) -> bool:
        return (
            self.platform in ("*", platform)
            and (not self.path or self.path in request.path)
            and (not self.method or self.method.upper() == request.method)
        )


class SlidingWindow:
    """At most ``limit`` hits per ``seconds`` per key."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._hits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def _prune(self, key: str, now: float) -> collections.deque[float]:
        hits = self._hits[key]
        while hits and hits[0] <= now - self.seconds:
            hits.popleft()
        return hits

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count a hit if allowed: (allowed, used after this hit, seconds until one frees up)."""
        now = self._clock()
        hits = self._prune(key, now)
        if len(hits) >= self.limit:
            # A limit of 0 refuses everything for a whole window.
            return False, len(hits), (hits[0] + self.seconds - now) if hits else self.seconds
        hits.append(now)
        reset = hits[0] + self.seconds - now
        return True, len(hits), reset

    def used(self, key: str) -> tuple[int, float]:
        now = self._clock()
        hits = self._prune(key, now)
        return len(hits), (hits[0] + self.seconds - now) if hits else self.seconds


@dataclass
class Limits:
    """Platform limits the fakes enforce (None: unlimited). Windows in seconds."""

    graph_app_calls: int | None = None  # per app per hour -> X-App-Usage, code 4
    graph_page_calls: int | None = None  # per page/IG account per hour -> BUC header, 80001/80002
    graph_window: float = 3600.0
    x_tweets_per_user: int = 100  # POST /2/tweets per user per 15 minutes
    x_reads_per_user: int = 900  # other endpoints per user per 15 minutes
    x_tweets_per_app: int | None = None  # POST /2/tweets per app per 24 hours
    # Recent search and the mentions timeline have limits of their own (real: 450 and 450 per
    # app, 180 and 180 per user, less on the cheaper tiers); None: they count as other reads.
    x_search_per_user: int | None = None
    x_mentions_per_user: int | None = None
    x_query_max: int = 512  # recent search query length (4,096 on Enterprise access)
    x_window: float = 900.0
    telegram_per_chat: int | None = None  # messages per chat per minute (real: ~20)
    telegram_chat_window: float = 60.0
    telegram_per_bot: int | None = None  # requests per bot per second (real: ~30)
    ig_publish_per_day: int = 50  # media_publish per account per rolling 24 h
    latency_ms: dict[str, int] = field(default_factory=dict)  # base latency per platform

    def update(self, data: dict[str, Any]) -> None:
        known = {f.name for f in fields(self)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown limits: {sorted(unknown)}")
        for key, value in data.items():
            setattr(self, key, value)


@dataclass
class Settings:
    """Facts the platform documentation leaves uncertain, as settings."""

    scheduled_min_seconds: int = 600  # Facebook: scheduled_publish_time at least 10 min ahead
    scheduled_max_seconds: int = 75 * 86400  # upper bound uncertain: a setting
    duplicate_window_seconds: int = 86400  # identical text refused as duplicate within this
    ig_container_polls: int = 1  # container is IN_PROGRESS for this many status reads
    public_base_url: str = ""  # used in permalinks shown by the fake's pages
    # Fields a newer Graph version no longer knows: asking for one is "(#100) Tried accessing
    # nonexisting field", as after a deprecation (e.g. ["followers_count"]).
    graph_removed_fields: list[str] = field(default_factory=list)


# An account's followers (Page and Instagram followers, X followers, a Telegram channel's
# subscribers): a size of its own, drawn from its id, that grows a little every day from
# FOLLOWERS_SINCE on, so the same account answers the same count at every start (nothing to keep)
# and tomorrow a few more. ``set_followers`` of a fake overrides it.
FOLLOWERS_SINCE = 1767225600.0  # 2026-01-01T00:00:00Z


def follower_count(account_id: str, now: float) -> int:
    """Between 1,500 and 50,000 followers on FOLLOWERS_SINCE, then 0.05-0.3 % more each day."""
    digest = int(hashlib.sha256(f"followers:{account_id}".encode()).hexdigest()[:12], 16)
    base = 1_500 + digest % 48_500
    daily = max(1, base * (5 + (digest >> 24) % 26) // 10_000)
    days = max(0, int((now - FOLLOWERS_SINCE) // 86_400))
    return base + daily * days


class PlatformFake(Protocol):
    name: str

    def owns(self, path: str) -> bool: ...

    def platform_of(self, request: Request) -> str: ...

    def handle(self, request: Request) -> Response: ...

    def fault_response(self, fault: Fault, request: Request, platform: str) -> Response | None: ...

    def decorate(
        self, response: Response, request: Request, platform: str, usage: Fault | None = None
    ) -> None: ...

    def posts(self, platform: str) -> list[dict[str, Any]]: ...

    def reset(self) -> None: ...


class IdCounter:
    """``next(counter)``: 1, 2, 3…; unlike ``itertools.count`` its position can be saved."""

    def __init__(self, start: int = 1) -> None:
        self.value = start

    def __iter__(self) -> IdCounter:
        return self

    def __next__(self) -> int:
        value = self.value
        self.value += 1
        return value


# --------------------------------------------------------------------------------------------
# Saving a fake's state (``humas fakes serve --state FILE``): JSON, with tags for what JSON has
# not (tuples, sets, dicts with non-string keys, the fakes' dataclasses, id counters).


def encode_state(value: Any) -> Any:
    if isinstance(value, IdCounter):
        return {"__counter__": value.value}
    if is_dataclass(value) and not isinstance(value, type):
        return {
            "__dataclass__": type(value).__name__,
            "fields": {f.name: encode_state(getattr(value, f.name)) for f in fields(value)},
        }
    if isinstance(value, tuple):
        return {"__tuple__": [encode_state(v) for v in value]}
    if isinstance(value, set | frozenset):
        return {"__set__": sorted((encode_state(v) for v in value), key=repr)}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: encode_state(v) for k, v in value.items()}
        return {"__dict__": [[encode_state(k), encode_state(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode_state(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot save {type(value).__name__} in the fakes' state")


def decode_state(value: Any, classes: Mapping[str, type]) -> Any:
    if isinstance(value, list):
        return [decode_state(v, classes) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "__counter__":
            return IdCounter(int(inner))
        if tag == "__tuple__":
            return tuple(decode_state(v, classes) for v in inner)
        if tag == "__set__":
            return {decode_state(v, classes) for v in inner}
        if tag == "__dict__":
            return {decode_state(k, classes): decode_state(v, classes) for k, v in inner}
    if set(value) == {"__dataclass__", "fields"}:
        cls = classes[value["__dataclass__"]]
        return cls(**{k: decode_state(v, classes) for k, v in value["fields"].items()})
    return {k: decode_state(v, classes) for k, v in value.items()}


class LockedFake(ABC):
    """A platform fake's state lives behind one lock, because the threaded server answers
    requests concurrently; ``reset`` builds that state and the control API calls it again.

    ``STATE_FIELDS`` are what the fake issued and keeps (accounts, tokens, posts, id counters):
    saved and read back by ``export_state``/``import_state`` so a restarted fake still knows
    them. ``TRANSIENT_FIELDS`` start afresh (rate windows, the lock, configuration); a test
    makes sure every attribute is one or the other."""

    STATE_FIELDS: ClassVar[tuple[str, ...]] = ()
    STATE_CLASSES: ClassVar[tuple[type, ...]] = ()
    TRANSIENT_FIELDS: ClassVar[tuple[str, ...]] = ("limits", "settings", "clock", "lock")

    def __init__(self, limits: Limits, settings: Settings, clock: Any = time.time) -> None:
        self.limits = limits
        self.settings = settings
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    @abstractmethod
    def reset(self) -> None: ...

    def export_state(self) -> dict[str, Any]:
        with self.lock:
            return {name: encode_state(getattr(self, name)) for name in self.STATE_FIELDS}

    def import_state(self, state: Mapping[str, Any]) -> None:
        classes = {cls.__name__: cls for cls in self.STATE_CLASSES}
        with self.lock:
            self.reset()
            for name in self.STATE_FIELDS:
                if name in state:
                    setattr(self, name, decode_state(state[name], classes))


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(20261128)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take(self, platform: str, request: Request) -> list[Fault]:
        """Faults that fire for this request (consuming their counts)."""
        fired: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if not fault.matches(platform, request):
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                fault.fired += 1
                fired.append(fault)
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
        return fired


def sleep_ms(milliseconds: int) -> None:
    if milliseconds > 0:
        time.sleep(milliseconds / 1000)
