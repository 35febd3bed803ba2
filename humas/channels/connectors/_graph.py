"""What Facebook pages and Instagram share: the Graph API client, its error codes and its
usage headers."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, NamedTuple

import httpx

from ._http import DEFAULT_TIMEOUT, HttpConnector, data_list, parse_int
from .base import (
    T_GARBAGE,
    BadRequest,
    Clock,
    Comment,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
    PermissionMissing,
    PublishedPost,
    PublishRequest,
    RateLimited,
    RateLimitStore,
    RetryLater,
    content_marker,
    utcnow,
)
from .i18n import _, register

GRAPH_URL = "https://graph.facebook.com"
GRAPH_VERSION = "v23.0"

# Throttle codes (PLATFORM-APIS.md): app, user, page, generic, app limit, policy block.
THROTTLE_WAITS: dict[int, timedelta] = {
    4: timedelta(minutes=15),  # application request limit
    17: timedelta(minutes=15),  # user request limit
    32: timedelta(minutes=15),  # page request limit
    613: timedelta(minutes=5),  # calls exceeded the rate limit
    341: timedelta(minutes=60),  # application limit reached
    368: timedelta(hours=1),  # temporarily blocked for policy violations
    9: timedelta(hours=1),  # Instagram: publishing limit (rolling 24 h) reached
}
BUC_THROTTLE_CODES = range(80000, 80100)  # 80001 pages, 80002 instagram, ...
BUC_DEFAULT_WAIT = timedelta(minutes=15)
POSTING_TOO_FAST_SUBCODE = 1390008
MEDIA_FETCH_CODES = {9004}
MEDIA_FETCH_SUBCODES = {2207052}

# Back off *before* the platform says no (usage headers are 0–100 %).
USAGE_THRESHOLD = 90.0
USAGE_WAITS = (
    (100.0, timedelta(minutes=15)),
    (95.0, timedelta(minutes=5)),
    (USAGE_THRESHOLD, timedelta(minutes=1)),
)

T_INVALID_TOKEN = register(_("token tidak sah"), "invalid token")
T_REASONS: dict[int | None, str] = {
    458: register(_("aplikasi tidak lagi diizinkan oleh pengguna"), "the user removed the app"),
    459: register(_("akun perlu verifikasi di Facebook"), "the account needs a checkpoint at Facebook"),
    460: register(_("kata sandi akun diubah"), "the account password was changed"),
    463: register(_("token kedaluwarsa"), "the token expired"),
    464: register(_("akun pengguna belum dikonfirmasi"), "the user account is unconfirmed"),
    467: register(_("pengguna keluar atau token dicabut"), "the user logged out or revoked the token"),
    None: T_INVALID_TOKEN,
}
T_MEDIA_FETCH = register(
    _("%(platform)s tidak dapat mengambil gambar dari URL-nya; pastikan URL dapat diakses publik."),
    "%(platform)s could not fetch the image from its URL; make sure the URL is publicly reachable.",
)

_SCOPE_RE = re.compile(
    r"\b(pages_[a-z_]+|instagram_[a-z_]+|read_insights|business_management|publish_video)\b"
)


def graph_time(value: object) -> datetime | None:
    """Graph timestamps look like ``2026-11-28T04:12:39+0000``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None


def unknown_field(exc: BadRequest, name: str) -> bool:
    """Graph refused a ``fields`` name it does not know (any more): "(#100) Tried accessing
    nonexisting field (followers_count) on node type (Page)"."""
    return exc.code == 100 and f"({name})" in exc.platform_message


def usage_percent(entry: Mapping[str, Any]) -> float:
    values = [entry.get(k) for k in ("call_count", "total_cputime", "total_time")]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def usage_wait(percent: float) -> timedelta | None:
    for floor, wait in USAGE_WAITS:
        if percent >= floor:
            return wait
    return None


class TokenGrants(NamedTuple):
    """What ``debug_token`` says a valid token may do, for ``AccountInfo``."""

    scopes: tuple[str, ...]
    expires_at: datetime | None
    warnings: tuple[str, ...]


class GraphConnector(HttpConnector):
    """Graph API calls with the token in the Authorization header (never in URLs or logs)."""

    # Scopes publishing cannot do without, and scopes whose absence only costs a feature.
    required_scopes: ClassVar[tuple[str, ...]] = ()
    optional_scopes: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        *,
        account_id: str,
        access_token: str,
        base_url: str = GRAPH_URL,
        api_version: str = GRAPH_VERSION,
        app_id: str | None = None,
        app_secret: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        rate_store: RateLimitStore | None = None,
        clock: Clock = utcnow,
        transport: httpx.BaseTransport | None = None,
        web_url: str | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            rate_store=rate_store,
            clock=clock,
            transport=transport,
            web_url=web_url,
        )
        self.account_id = account_id
        self.api_version = api_version
        self.app_id = app_id
        self._token = access_token
        self._app_secret = app_secret

    def __repr__(self) -> str:
        return f"<{type(self).__name__} account={self.account_id} base={self.base_url}>"

    # Rate-limit keys: the app is shared by every channel, the business use case is per object.
    @property
    def app_key(self) -> str:
        return f"graph:app:{self.app_id or 'default'}"

    def account_key(self, object_id: str | None = None) -> str:
        return f"graph:buc:{object_id or self.account_id}"

    def _path(self, *parts: str) -> str:
        return "/" + "/".join([self.api_version, *parts])

    def _call(
        self,
        method: str,
        *parts: str,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        mutating: bool = False,
        token: str | None = None,
    ) -> Any:
        query: dict[str, Any] = {}
        body: dict[str, Any] = {}
        target = body if method == "POST" else query
        for key, value in (params or {}).items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, list | dict):
                value = json.dumps(value)
            target[key] = value
        access_token = token or self._token
        if self._app_secret and token is None:
            target["appsecret_proof"] = hmac.new(
                self._app_secret.encode(), access_token.encode(), hashlib.sha256
            ).hexdigest()
        kwargs: dict[str, Any] = {"params": query, "headers": {"Authorization": f"Bearer {access_token}"}}
        if method == "POST":
            kwargs["data"] = body
            if files:
                kwargs["files"] = dict(files)
        response = self._send(
            method,
            self._path(*parts),
            rate_keys=(self.app_key, self.account_key()),
            mutating=mutating,
            **kwargs,
        )
        self._observe_usage(response)
        payload = self._parse_json(response, mutating=mutating)
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise self._classify(response, payload["error"], mutating=mutating)
        if response.status_code >= 500:
            raise RetryLater(self.platform, ambiguous=mutating, http_status=response.status_code)
        if not 200 <= response.status_code < 300:
            raise self._garbage(response, mutating=mutating, what="error without an error object")
        return payload

    def _observe_usage(self, response: httpx.Response) -> None:
        """Record waits from X-App-Usage and X-Business-Use-Case-Usage (see USAGE_WAITS)."""
        now = self.clock()
        app = _json_header(response.headers.get("x-app-usage"))
        if isinstance(app, dict):
            wait = usage_wait(usage_percent(app))
            if wait:
                self._block(self.app_key, now + wait)
        buc = _json_header(response.headers.get("x-business-use-case-usage"))
        if isinstance(buc, dict):
            for object_id, entries in buc.items():
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, dict):
                        continue
                    regain = parse_int(entry.get("estimated_time_to_regain_access")) or 0
                    wait = usage_wait(usage_percent(entry))
                    if regain > 0:
                        wait = timedelta(minutes=regain)  # the platform's own estimate wins
                    if wait:
                        self._block(self.account_key(str(object_id)), now + wait)

    def _regain_wait(self, response: httpx.Response) -> timedelta | None:
        buc = _json_header(response.headers.get("x-business-use-case-usage"))
        minutes = 0
        if isinstance(buc, dict):
            for entries in buc.values():
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        minutes = max(minutes, parse_int(entry.get("estimated_time_to_regain_access")) or 0)
        return timedelta(minutes=minutes) if minutes else None

    def _classify(
        self, response: httpx.Response, error: Mapping[str, Any], *, mutating: bool
    ) -> ConnectorError:
        code = parse_int(error.get("code"))
        subcode = parse_int(error.get("error_subcode"))
        message = str(error.get("error_user_msg") or error.get("message") or "")
        common: dict[str, Any] = {
            "platform_message": message,
            "code": code,
            "subcode": subcode,
            "http_status": response.status_code,
        }
        now = self.clock()
        if code in (190, 102):
            reason_template = T_REASONS.get(subcode, T_REASONS[None])
            return CredentialsInvalid(self.platform, reason=reason_template, **common)
        throttled = (
            code in THROTTLE_WAITS or (code in BUC_THROTTLE_CODES) or subcode == POSTING_TOO_FAST_SUBCODE
        )
        if throttled:
            if subcode == POSTING_TOO_FAST_SUBCODE:
                wait = timedelta(minutes=1)
            else:
                wait = THROTTLE_WAITS.get(code or 0, BUC_DEFAULT_WAIT)
            regain = self._regain_wait(response)
            if regain:
                wait = regain
            key = self.app_key if code in (4, 341) else self.account_key()
            until = now + wait
            self._block(key, until)
            return RateLimited(self.platform, until=until, scope=key, **common)
        if code in MEDIA_FETCH_CODES or subcode in MEDIA_FETCH_SUBCODES:
            return RetryLater(
                self.platform, template=T_MEDIA_FETCH, retry_after=now + timedelta(minutes=5), **common
            )
        if code in (1, 2) or response.status_code >= 500:
            return RetryLater(self.platform, ambiguous=mutating, **common)
        if code == 506:
            return DuplicatePost(self.platform, **common)
        if code == 10 or (code is not None and 200 <= code <= 299):
            scopes = tuple(dict.fromkeys(_SCOPE_RE.findall(message)))
            return PermissionMissing(self.platform, missing=scopes, **common)
        return BadRequest(self.platform, **common)

    def debug_token(self) -> dict[str, Any]:
        """``GET /debug_token`` for our token, inspected with the app token when we have the app
        secret, else with the token itself (allowed for a token inspecting itself)."""
        inspector = f"{self.app_id}|{self._app_secret}" if self.app_id and self._app_secret else None
        payload = self._call("GET", "debug_token", params={"input_token": self._token}, token=inspector)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise RetryLater(self.platform, template=T_GARBAGE, platform_message="debug_token without data")
        return data

    def _valid_token_data(self) -> dict[str, Any]:
        data = self.debug_token()
        if not data.get("is_valid", False):
            raise CredentialsInvalid(self.platform, reason=T_INVALID_TOKEN)
        return data

    def _grants(self, data: Mapping[str, Any]) -> TokenGrants:
        """The token's scopes and expiry; a missing required scope refuses the token."""
        scopes = tuple(str(s) for s in data.get("scopes") or ())
        missing = [s for s in self.required_scopes if s not in scopes]
        if missing:
            raise PermissionMissing(self.platform, missing=missing)
        expires = int(data.get("expires_at") or 0)
        return TokenGrants(
            scopes=scopes,
            expires_at=datetime.fromtimestamp(expires, UTC) if expires > 0 else None,
            warnings=tuple(
                f"missing optional permission {s}" for s in self.optional_scopes if s not in scopes
            ),
        )

    def _created_id(self, payload: Any, platform_message: str, *, ambiguous: bool = False) -> str:
        """The id of what a POST created. An answer without one is garbage, ``ambiguous`` when
        the POST may already have published."""
        created = payload.get("id") if isinstance(payload, dict) else None
        if not created:
            raise RetryLater(
                self.platform, template=T_GARBAGE, ambiguous=ambiguous, platform_message=platform_message
            )
        return str(created)

    def _insights(self, object_id: str, metrics: list[str], unavailable: list[str]) -> dict[str, int]:
        """Insights; one unknown or deprecated metric fails the whole call with code 100 (and a
        missing read_insights with a permission code), so fall back to one call per metric."""
        try:
            return _insight_values(
                self._call("GET", object_id, "insights", params={"metric": ",".join(metrics)})
            )
        except (BadRequest, PermissionMissing):
            if len(metrics) == 1:
                unavailable.extend(metrics)
                return {}
        values: dict[str, int] = {}
        for metric in metrics:
            values.update(self._insights(object_id, [metric], unavailable))
        return values

    def _reply_on(self, comment_id: str, edge: str, text: str) -> Comment:
        payload = self._call("POST", comment_id, edge, params={"message": text}, mutating=True)
        return Comment(
            comment_id=str(payload.get("id", "")),
            text=text,
            author_id=self.account_id,
            author_name="",
            created_at=self.clock(),
            parent_id=comment_id,
        )

    def _comment_page(
        self, object_id: str, edge: str, *, fields: str, after: str, limit: int, **extra: Any
    ) -> tuple[list[dict[str, Any]], str, bool]:
        """One page of an object's comments: (comments, the cursor after them, whether more
        follow). An empty page keeps ``after``: Graph answers it without cursors."""
        params: dict[str, Any] = {"fields": fields, "limit": max(1, min(limit, 100)), **extra}
        if after:
            params["after"] = after
        payload = self._call("GET", object_id, edge, params=params)
        data = data_list(payload)
        paging = payload.get("paging") or {}
        if not isinstance(paging, dict):
            raise ValueError("paging is not an object")
        cursors = paging.get("cursors") or {}
        if data and isinstance(cursors, dict) and cursors.get("after"):
            after = str(cursors["after"])
        return data, after, bool(data) and bool(paging.get("next"))

    def _own_reply(
        self, comment_id: str, edge: str, text: str, *, since: datetime, fields: str, **extra: Any
    ) -> Comment | None:
        """The account's reply to ``comment_id`` with the content marker of ``text``, made at or
        after ``since`` (newest replies first where Graph lets us order them)."""
        marker = content_marker(text)
        data, _after, _more = self._comment_page(
            comment_id, edge, fields=fields, after="", limit=100, **extra
        )
        for item in data:
            author = item.get("from") or {}
            created = graph_time(item.get("timestamp") or item.get("created_time"))
            body = str(item.get("message") or item.get("text") or "")
            if str(author.get("id", "")) != self.account_id or content_marker(body) != marker:
                continue
            if created is not None and created < since:
                continue
            return Comment(
                comment_id=str(item["id"]),
                text=body,
                author_id=self.account_id,
                author_name=str(author.get("name") or author.get("username") or ""),
                created_at=created,
                parent_id=comment_id,
            )
        return None

    def _find_marked(
        self,
        request: PublishRequest,
        items: Iterable[dict[str, Any]],
        *,
        since: datetime,
        time_field: str,
        text_field: str,
        url_of: Callable[[dict[str, Any]], str],
        newest_first: bool,
    ) -> PublishedPost | None:
        """The listed post whose content marker is the request's, published since ``since``.
        ``items`` is read lazily, so a newest-first listing stops paging at the first older post."""
        for item in items:
            created = graph_time(item.get(time_field))
            if created is not None and created < since:
                if newest_first:
                    return None
                continue
            text = str(item.get(text_field, ""))
            if content_marker(text) == request.marker:
                return PublishedPost(
                    platform=self.platform,
                    post_id=str(item["id"]),
                    url=url_of(item),
                    created_at=created,
                    text=text,
                )
        return None

    def _paged(self, *parts: str, params: Mapping[str, Any], max_pages: int = 5) -> Iterable[dict[str, Any]]:
        query = dict(params)
        for _page in range(max_pages):
            payload = self._call("GET", *parts, params=query)
            data = payload.get("data") if isinstance(payload, dict) else None
            if not isinstance(data, list):
                raise RetryLater(self.platform, template=T_GARBAGE, platform_message="list without data")
            yield from (item for item in data if isinstance(item, dict))
            paging = payload.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after") if isinstance(paging, dict) else None
            if not after or not paging.get("next"):
                return
            query["after"] = after


def _insight_values(payload: Any) -> dict[str, int]:
    """The latest value of each metric by name. A metric broken down by type (a JSON object such as
    ``post_clicks_by_type``'s ``{"link clicks": 3, "other clicks": 9}``) gives its total under its
    name and each part as ``name/key``; Graph leaves out the types nobody clicked."""
    values: dict[str, int] = {}
    for item in data_list(payload):
        points = item.get("values") or []
        value = points[-1].get("value") if points else None  # garbage: shape_guard's RetryLater
        name = str(item.get("name"))
        if isinstance(value, int) and not isinstance(value, bool):
            values[name] = value
        elif isinstance(value, dict):
            parts = {str(k): v for k, v in value.items() if isinstance(v, int) and not isinstance(v, bool)}
            values[name] = sum(parts.values())
            values.update({f"{name}/{key}": count for key, count in parts.items()})
    return values


def _json_header(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None
