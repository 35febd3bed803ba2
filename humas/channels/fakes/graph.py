"""Strict fake of the Graph API: Facebook pages and Instagram business accounts.

Validates the token (kind, owner, expiry, scopes, appsecret_proof), parameters, limits and
field names; answers with Graph's envelopes, error codes and usage headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .core import (
    Fault,
    IdCounter,
    Limits,
    LockedFake,
    Request,
    Response,
    Settings,
    SlidingWindow,
    follower_count,
)

VERSION_RE = re.compile(r"^v\d+\.\d+$")
FB_TEXT_LIMIT = 63_206
IG_CAPTION_LIMIT = 2_200
IG_HASHTAG_LIMIT = 30
IG_MENTION_LIMIT = 20
# The same names as oauth.META_SCOPES, kept apart: these are what the fake Meta grants, and the
# platform layer must not import the Django app.
PAGE_SCOPES = (
    "pages_show_list",
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_manage_engagement",
    "pages_read_user_content",
    "read_insights",
)
IG_SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "instagram_manage_comments",
    "instagram_manage_insights",
)
FB_POST_METRICS = {
    "post_media_view",
    "post_impressions_unique",
    "post_clicks",
    "post_clicks_by_type",
}  # post_impressions: deprecated
# post_clicks_by_type's parts, as set with set_engagement (link_clicks=, photo_views=, ...).
FB_CLICK_TYPES = {"link_clicks": "link clicks", "photo_views": "photo view", "other_clicks": "other clicks"}
IG_MEDIA_METRICS = {"views", "reach", "saved", "shares", "likes", "comments", "total_interactions"}


def fb_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class GraphToken:
    token: str
    kind: str  # USER, PAGE, APP
    user_id: str = ""
    page_id: str = ""
    scopes: tuple[str, ...] = ()
    expires_at: int = 0  # 0: never
    invalid_subcode: int | None = None  # 460 password changed, 467 logged out...
    declined: tuple[str, ...] = ()  # permissions the person unticked in the login dialog


@dataclass
class Page:
    id: str
    name: str
    username: str
    user_id: str
    ig_user_id: str = ""


@dataclass
class IgAccount:
    id: str
    username: str
    name: str
    page_id: str


@dataclass
class GraphObject:
    id: str
    kind: str  # post, photo, comment, ig_container, ig_media, ig_comment
    owner: str  # page id or IG user id
    created: float
    data: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        error_type: str = "OAuthException",
        user_title: str = "",
        user_msg: str = "",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.subcode = code, message, status, subcode
        self.error_type, self.user_title, self.user_msg = error_type, user_title, user_msg
        self.headers = headers or {}

    def response(self) -> Response:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
            "fbtrace_id": secrets.token_urlsafe(12),
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title:
            error["error_user_title"] = self.user_title
        if self.user_msg:
            error["error_user_msg"] = self.user_msg
        if self.code in (1, 2):
            error["is_transient"] = True
        return Response.json(self.status, {"error": error}, self.headers)


def split_fields(spec: str) -> list[str]:
    """Top-level names of a ``fields`` parameter (``a,b.summary(true).limit(0),c{d,e}``)."""
    names, depth, current = [], 0, ""
    for char in spec:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        if char == "," and depth == 0:
            names.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        names.append(current.strip())
    return names


def field_name(spec: str) -> str:
    return re.split(r"[.{(]", spec, maxsplit=1)[0]


class GraphFake(LockedFake):
    name = "graph"
    STATE_FIELDS = (
        "tokens",
        "pages",
        "ig_accounts",
        "users",
        "objects",
        "_ids",
        "oauth_codes",
        "derived_page_tokens",
    )
    STATE_CLASSES = (GraphToken, Page, IgAccount, GraphObject)
    TRANSIENT_FIELDS = (
        *LockedFake.TRANSIENT_FIELDS,
        "app_id",
        "app_secret",
        "app_window",
        "page_window",
        "publish_window",
        "follower_overrides",
    )
    # The fake's registered Meta app (Facebook Login, app access token, appsecret_proof).
    APP_ID = "900000000000001"
    APP_SECRET = "fake-app-secret-0001"  # noqa: S105 - a fake's published test secret

    def __init__(self, limits: Limits, settings: Settings, clock: Any = time.time) -> None:
        self.app_id = self.APP_ID
        self.app_secret = self.APP_SECRET
        super().__init__(limits, settings, clock)

    def reset(self) -> None:
        with self.lock:
            self.tokens: dict[str, GraphToken] = {}
            self.pages: dict[str, Page] = {}
            self.ig_accounts: dict[str, IgAccount] = {}
            self.users: dict[str, str] = {}  # user id -> name
            self.objects: dict[str, GraphObject] = {}
            self._ids = IdCounter(1)
            self.app_window: SlidingWindow | None = None
            self.page_window: SlidingWindow | None = None
            self.publish_window = SlidingWindow(10**9, 86400, self.clock)
            # Page or IG account id -> its followers as set by a test or the control API; None:
            # Graph no longer gives the field (follower_count otherwise).
            self.follower_overrides: dict[str, int | None] = {}
            # Facebook Login: authorization codes from /dialog/oauth (code -> grant) and the page
            # tokens derived from a person's login (page id, scopes) -> token.
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            self.derived_page_tokens: dict[tuple[str, tuple[str, ...]], str] = {}
            self.tokens[f"{self.app_id}|{self.app_secret}"] = GraphToken(
                token=f"{self.app_id}|{self.app_secret}", kind="APP"
            )

    # --- accounts ------------------------------------------------------------------------------

    def _new_id(self, prefix: str = "") -> str:
        return f"{prefix}{next(self._ids):06d}"

    def add_page(
        self,
        *,
        name: str,
        index: int | None = None,
        instagram: bool = True,
        scopes: tuple[str, ...] = PAGE_SCOPES + IG_SCOPES,
        user_token_days: int = 60,
    ) -> dict[str, str]:
        """Create a page, its admin user, their user token, the page token and (optionally) a
        linked Instagram business account. Deterministic when ``index`` is given."""
        with self.lock:
            n = index if index is not None else next(self._ids)
            page_id = f"10{n:013d}"
            user_id = f"20{n:013d}"
            username = re.sub(r"[^a-z0-9]+", "", name.lower())[:40] or f"page{n}"
            page = Page(id=page_id, name=name, username=username, user_id=user_id)
            user_token = f"EAAfakeUSER{n:06d}{hashlib.sha256(f'u{n}'.encode()).hexdigest()[:24]}"
            page_token = f"EAAfakePAGE{n:06d}{hashlib.sha256(f'p{n}'.encode()).hexdigest()[:24]}"
            now = int(self.clock())
            self.users[user_id] = f"Admin {name}"
            self.tokens[user_token] = GraphToken(
                user_token, "USER", user_id=user_id, scopes=scopes, expires_at=now + user_token_days * 86400
            )
            self.tokens[page_token] = GraphToken(
                page_token, "PAGE", user_id=user_id, page_id=page_id, scopes=scopes
            )
            result = {
                "page_id": page_id,
                "page_name": name,
                "user_id": user_id,
                "user_token": user_token,
                "page_token": page_token,
            }
            if instagram:
                ig_id = f"178{n:014d}"
                page.ig_user_id = ig_id
                self.ig_accounts[ig_id] = IgAccount(ig_id, username, name, page_id)
                result["ig_user_id"] = ig_id
                result["ig_username"] = username
            self.pages[page_id] = page
            return result

    def set_followers(self, account_id: str, count: int | None) -> None:
        """The followers a Page or IG account answers from now on; None: the answer leaves the
        field out (``followers_count``; a Page still gives its likes, ``fan_count``)."""
        with self.lock:
            if account_id not in self.pages and account_id not in self.ig_accounts:
                raise ValueError(f"unknown Page or Instagram account {account_id!r}")
            self.follower_overrides[account_id] = count

    def _followers(self, account_id: str) -> int | None:
        if account_id in self.follower_overrides:
            return self.follower_overrides[account_id]
        return follower_count(account_id, self.clock())

    def expire_token(self, token: str, subcode: int = 463) -> None:
        with self.lock:
            info = self.tokens[token]
            if subcode == 463:
                info.expires_at = int(self.clock()) - 1
            else:
                info.invalid_subcode = subcode

    # --- dispatch ------------------------------------------------------------------------------

    def owns(self, path: str) -> bool:
        first = path.split("/")[1] if path.count("/") >= 1 else ""
        return bool(VERSION_RE.match(first))

    def _segments(self, request: Request) -> list[str]:
        return [s for s in request.path.split("/")[2:] if s]

    def _business_owner(self, request: Request) -> str:
        """The page or IG account a call is about (for limits and usage headers)."""
        segments = self._segments(request)
        if not segments:
            return ""
        node = segments[0]
        if node in ("me", "debug_token"):
            auth = request.headers.get("authorization", "")
            token = (
                request.param("input_token")
                or request.param("access_token")
                or auth.partition(" ")[2].strip()
            )
            info = self.tokens.get(token)
            return info.page_id if info is not None and info.kind == "PAGE" else ""
        if node in self.pages or node in self.ig_accounts:
            return node
        obj = self.objects.get(node)
        return obj.owner if obj else ""

    def platform_of(self, request: Request) -> str:
        with self.lock:
            owner = self._business_owner(request)
            return "instagram" if owner in self.ig_accounts else "facebook"

    def posts(self, platform: str) -> list[dict[str, Any]]:
        kind = "ig_media" if platform == "instagram" else "post"
        with self.lock:
            result = []
            for obj in self.objects.values():
                if obj.kind != kind:
                    continue
                owner = self.pages.get(obj.owner) or self.ig_accounts.get(obj.owner)
                username = owner.username if owner else ""
                if kind == "post":
                    # Where a post and its Page are on facebook.com (the id, or the permalink).
                    paths = [obj.id, f"{username}/posts/{obj.id.split('_')[-1]}"]
                    account_paths = [obj.owner, username]
                else:
                    paths = [f"p/{obj.data.get('shortcode', '')}"]
                    account_paths = [username]
                result.append(
                    {
                        "id": obj.id,
                        "account": owner.name if owner else obj.owner,
                        "account_id": obj.owner,
                        "paths": paths,
                        "account_paths": account_paths,
                        "text": obj.data.get("message") or obj.data.get("caption") or "",
                        "link": obj.data.get("link", ""),
                        "images": obj.data.get("image_urls", []),
                        "created": obj.created,
                        "deleted": obj.deleted,
                        "published": obj.data.get("is_published", True),
                    }
                )
            return sorted(result, key=lambda p: p["created"], reverse=True)

    def handle(self, request: Request) -> Response:
        try:
            with self.lock:
                return self._handle(request)
        except GraphError as error:
            return error.response()

    def _token(self, request: Request) -> GraphToken:
        auth = request.headers.get("authorization", "")
        token = ""
        if auth.lower().startswith(("bearer ", "oauth ")):
            token = auth.split(" ", 1)[1].strip()
        token = request.param("access_token") or token
        if not token:
            raise GraphError(104, "An access token is required to request this resource.")
        info = self.tokens.get(token)
        if info is None:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if info.invalid_subcode is not None:
            raise GraphError(
                190,
                "Error validating access token: The session has been invalidated because the user changed their "
                "password or Facebook has changed the session for security reasons.",
                subcode=info.invalid_subcode,
            )
        if info.expires_at and info.expires_at <= self.clock():
            when = datetime.fromtimestamp(info.expires_at, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")
            raise GraphError(
                190, f"Error validating access token: Session has expired on {when}.", subcode=463
            )
        proof = request.param("appsecret_proof")
        if proof is not None:
            expected = hmac.new(self.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(proof, expected):
                raise GraphError(
                    100,
                    "Invalid appsecret_proof provided in the API argument",
                    error_type="GraphMethodException",
                )
        return info

    def _limit(self, owner: str, platform: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        limits = self.limits
        if limits.graph_app_calls:
            if self.app_window is None or self.app_window.limit != limits.graph_app_calls:
                self.app_window = SlidingWindow(limits.graph_app_calls, limits.graph_window, self.clock)
            allowed, used, _reset = self.app_window.hit("app")
            pct = min(100, round(100 * used / limits.graph_app_calls))
            headers["x-app-usage"] = json.dumps(
                {"call_count": pct, "total_cputime": pct // 2, "total_time": pct // 2}
            )
            if not allowed:
                raise GraphError(4, "(#4) Application request limit reached", headers=headers)
        if limits.graph_page_calls and owner:
            if self.page_window is None or self.page_window.limit != limits.graph_page_calls:
                self.page_window = SlidingWindow(limits.graph_page_calls, limits.graph_window, self.clock)
            allowed, used, reset = self.page_window.hit(owner)
            pct = min(100, round(100 * used / limits.graph_page_calls))
            regain = int(-(-reset // 60)) if not allowed or pct >= 100 else 0
            kind = "instagram" if platform == "instagram" else "pages"
            headers["x-business-use-case-usage"] = json.dumps(
                {
                    owner: [
                        {
                            "type": kind,
                            "call_count": pct,
                            "total_cputime": pct // 2,
                            "total_time": pct // 2,
                            "estimated_time_to_regain_access": regain,
                        }
                    ]
                }
            )
            if not allowed:
                code = 80002 if platform == "instagram" else 80001
                raise GraphError(
                    code,
                    f"(#{code}) There have been too many calls to this "
                    f"{'Instagram account' if code == 80002 else 'Page'}. Wait a bit and try again.",
                    headers=headers,
                )
        return headers

    def _handle(self, request: Request) -> Response:
        version = request.path.split("/")[1]
        if not VERSION_RE.match(version):
            raise GraphError(2500, "Unknown path components")
        segments = self._segments(request)
        if not segments:
            raise GraphError(100, "Unsupported get request.", error_type="GraphMethodException")
        if segments == ["dialog", "oauth"]:
            return self._login_dialog(request)
        if segments == ["oauth", "access_token"] and request.method == "GET":
            return Response.json(200, self._oauth_access_token(request))
        token = self._token(request)
        owner = self._business_owner(request)
        platform = "instagram" if owner in self.ig_accounts else "facebook"
        headers = self._limit(owner, platform)
        method = request.method
        node, edge = segments[0], segments[1] if len(segments) > 1 else ""
        if len(segments) > 2:
            raise GraphError(2500, "Unknown path components: /" + "/".join(segments[2:]))
        if node == "debug_token" and method == "GET":
            result = self._debug_token(token, request)
        elif node == "me":
            result = self._me(token, edge, request)
        elif method == "GET":
            result = self._get(token, node, edge, request)
        elif method == "POST":
            result = self._post(token, node, edge, request)
        elif method == "DELETE" and not edge:
            result = self._delete(token, node)
        else:
            raise GraphError(100, f"Unsupported {method.lower()} request.", error_type="GraphMethodException")
        return Response.json(200, result, headers)

    # --- reads ---------------------------------------------------------------------------------

    def _debug_token(self, token: GraphToken, request: Request) -> dict[str, Any]:
        input_token = request.param("input_token")
        if not input_token:
            raise GraphError(100, "(#100) The parameter input_token is required")
        if token.kind != "APP" and token.token != input_token:
            raise GraphError(
                100,
                "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
            )
        info = self.tokens.get(input_token)
        if info is None:
            return {
                "data": {"is_valid": False, "error": {"code": 190, "message": "Invalid OAuth access token."}}
            }
        valid = info.invalid_subcode is None and not (info.expires_at and info.expires_at <= self.clock())
        data: dict[str, Any] = {
            "app_id": self.app_id,
            "type": info.kind,
            "application": "Humas (fake)",
            "expires_at": info.expires_at,
            "data_access_expires_at": info.expires_at,
            "is_valid": valid,
            "scopes": list(info.scopes),
            "user_id": info.user_id,
        }
        if info.kind == "PAGE":
            data["profile_id"] = info.page_id
        return {"data": data}

    def _me(self, token: GraphToken, edge: str, request: Request) -> dict[str, Any]:
        if token.kind == "APP":
            raise GraphError(
                2500, "An active access token must be used to query information about the current user."
            )
        if token.kind == "PAGE":
            if edge:
                return self._get(token, token.page_id, edge, request)
            return self._render_page(self.pages[token.page_id], request)
        if edge == "accounts":
            asked = {field_name(f) for f in split_fields(request.param("fields") or "")}
            data = []
            for page in self.pages.values():
                if page.user_id != token.user_id or "pages_show_list" not in token.scopes:
                    continue
                entry: dict[str, Any] = {
                    "id": page.id,
                    "name": page.name,
                    "category": "Government Organization",
                    "access_token": self._page_token_for(page.id, token),
                    "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
                }
                if "instagram_business_account" in asked and page.ig_user_id:
                    account = self.ig_accounts[page.ig_user_id]
                    entry["instagram_business_account"] = {"id": account.id, "username": account.username}
                data.append(entry)
            return {"data": data, "paging": {"cursors": {"before": "QVFI", "after": "QVFI"}}}
        if edge == "permissions":
            granted = [{"permission": s, "status": "granted"} for s in token.scopes]
            return {"data": granted + [{"permission": s, "status": "declined"} for s in token.declined]}
        if edge:
            raise GraphError(2500, f"Unknown path components: /{edge}")
        wanted = split_fields(request.param("fields") or "id,name")
        user = {"id": token.user_id, "name": self.users.get(token.user_id, "")}
        return self._select(user, wanted, "User")

    def _page_token_of(self, page_id: str) -> str:
        return next(t.token for t in self.tokens.values() if t.kind == "PAGE" and t.page_id == page_id)

    def _page_token_for(self, page_id: str, user: GraphToken) -> str:
        """The page token a user token yields: it carries the permissions that person granted
        (a token from the login dialog may lack some); it does not expire on a timer."""
        seeded = self._page_token_of(page_id)
        if self.tokens[seeded].scopes == user.scopes:
            return seeded
        key = (page_id, user.scopes)
        if key not in self.derived_page_tokens:
            token = "EAAfakePAGEoauth" + secrets.token_hex(16)
            self.tokens[token] = GraphToken(
                token, "PAGE", user_id=user.user_id, page_id=page_id, scopes=user.scopes
            )
            self.derived_page_tokens[key] = token
        return self.derived_page_tokens[key]

    # --- Facebook Login (the dialog on www.facebook.com and the code exchange) ------------------

    def _dialog_error(self, message: str) -> Response:
        return Response.html(
            400,
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>'
            f"<body><h1>Sorry, something went wrong.</h1><p>{html.escape(message)}</p></body></html>",
        )

    def _login_dialog(self, request: Request) -> Response:
        """``GET /{version}/dialog/oauth``: the page where a person logs in, sees the permissions
        asked for (and can untick them) and allows or cancels; the answer goes back to
        ``redirect_uri`` with ``code`` and ``state``, or with ``error=access_denied``."""
        params = {**request.query, **request.form}
        if params.get("client_id") != self.app_id:
            return self._dialog_error("Invalid App ID: the app ID is not valid.")
        redirect_uri = params.get("redirect_uri", "")
        if not re.match(r"^https?://[^/\s]+", redirect_uri):
            return self._dialog_error("URL blocked: the redirect_uri is not a valid URL.")
        if params.get("response_type", "code") != "code":
            return self._dialog_error("This fake supports response_type=code only.")
        scopes = [s for s in re.split(r"[,\s]+", params.get("scope", "")) if s]
        unknown = [s for s in scopes if s not in PAGE_SCOPES + IG_SCOPES]
        if unknown:
            return self._dialog_error(f"Invalid Scopes: {', '.join(unknown)}.")
        state = params.get("state", "")
        if request.method == "POST":
            if params.get("decision") != "allow":
                query = {
                    "error": "access_denied",
                    "error_code": "200",
                    "error_description": "Permissions error",
                    "error_reason": "user_denied",
                    "state": state,
                }
                return Response.redirect(redirect_uri, query)
            user_id = params.get("user_id", "")
            if user_id not in self.users:
                return self._dialog_error("Choose who logs in.")
            granted = tuple(s for s in scopes if params.get(f"perm_{s}") == "on")
            code = "AQfakeCODE" + secrets.token_urlsafe(24)
            self.oauth_codes[code] = {
                "user_id": user_id,
                "scopes": granted,
                "declined": tuple(s for s in scopes if s not in granted),
                "redirect_uri": redirect_uri,
                "created": self.clock(),
                "used": False,
            }
            return Response.redirect(redirect_uri, {"code": code, "state": state})
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k in ("client_id", "redirect_uri", "state", "scope", "response_type")
        )
        people = "".join(
            f'<label><input type="radio" name="user_id" value="{html.escape(uid)}"{" checked" if i == 0 else ""}> '
            f"{html.escape(name)}</label><br>"
            for i, (uid, name) in enumerate(self.users.items())
        )
        perms = "".join(
            f'<label><input type="checkbox" name="perm_{html.escape(s)}" checked> {html.escape(s)}</label><br>'
            for s in scopes
        )
        return Response.html(
            200,
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Log in with Facebook (fake)</title><style>body{font-family:system-ui,sans-serif;margin:1rem;"
            "max-width:32rem}fieldset{margin:0 0 1rem}button{padding:.6rem 1.2rem;margin-right:.5rem}</style>"
            f'</head><body><h1>Humas (fake) wants to access your Pages</h1><form method="post">{hidden}'
            f"<fieldset><legend>Continue as</legend>{people}</fieldset>"
            f"<fieldset><legend>Permissions</legend>{perms}</fieldset>"
            '<button type="submit" name="decision" value="allow">Allow</button>'
            '<button type="submit" name="decision" value="cancel">Cancel</button></form></body></html>',
        )

    def _check_app(self, request: Request) -> None:
        client_id = request.param("client_id")
        if not client_id:
            raise GraphError(101, "Missing client_id parameter.")
        if client_id != self.app_id:
            raise GraphError(101, "Error validating application. Invalid application ID.")
        secret = request.param("client_secret") or ""
        if not hmac.compare_digest(secret, self.app_secret):
            raise GraphError(1, "Error validating client secret.")

    def _oauth_access_token(self, request: Request) -> dict[str, Any]:
        """``GET /{version}/oauth/access_token``: a login code for a short-lived user token, or
        (``grant_type=fb_exchange_token``) a short-lived user token for a long-lived one."""
        self._check_app(request)
        now = self.clock()
        if request.param("grant_type") == "fb_exchange_token":
            old = self.tokens.get(request.param("fb_exchange_token") or "")
            if old is None or old.kind != "USER" or (old.expires_at and old.expires_at <= now):
                raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
            token = "EAAfakeUSERlong" + secrets.token_hex(16)
            lifetime = 60 * 86400
            self.tokens[token] = GraphToken(
                token,
                "USER",
                user_id=old.user_id,
                scopes=old.scopes,
                declined=old.declined,
                expires_at=int(now) + lifetime,
            )
            return {"access_token": token, "token_type": "bearer", "expires_in": lifetime}
        code = request.param("code") or ""
        grant = self.oauth_codes.get(code)
        if grant is None:
            raise GraphError(100, "Invalid verification code format.", error_type="OAuthException")
        if grant["used"]:
            raise GraphError(100, "This authorization code has been used.", subcode=36009)
        if now - grant["created"] > 600:
            raise GraphError(100, "This authorization code has expired.", subcode=36007)
        if request.param("redirect_uri") != grant["redirect_uri"]:
            raise GraphError(
                100,
                "Error validating verification code. Please make sure your redirect_uri is identical to the "
                "one you used in the OAuth dialog request",
                subcode=36008,
            )
        grant["used"] = True
        token = "EAAfakeUSERshort" + secrets.token_hex(16)
        lifetime = 2 * 3600
        self.tokens[token] = GraphToken(
            token,
            "USER",
            user_id=grant["user_id"],
            scopes=grant["scopes"],
            declined=grant["declined"],
            expires_at=int(now) + lifetime,
        )
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime}

    def _select(self, obj: dict[str, Any], wanted: list[str], node_type: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for spec in wanted:
            name = field_name(spec)
            if name not in obj or name in self.settings.graph_removed_fields:
                raise GraphError(
                    100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
                )
            if obj[name] is not None:
                result[name] = obj[name]
        result.setdefault("id", obj.get("id"))
        return result

    def _render_page(self, page: Page, request: Request) -> dict[str, Any]:
        obj = {
            "id": page.id,
            "name": page.name,
            "username": page.username,
            "link": f"https://www.facebook.com/{page.username}",
            "category": "Government Organization",
            "instagram_business_account": {"id": page.ig_user_id} if page.ig_user_id else None,
            "followers_count": self._followers(page.id),
            # Likes: most who follow a Page also like it.
            "fan_count": follower_count(page.id, self.clock()) * 9 // 10,
        }
        return self._select(obj, split_fields(request.param("fields") or "id,name"), "Page")

    def _can_read_page(self, token: GraphToken, page_id: str) -> None:
        page = self.pages[page_id]
        if token.kind == "APP":
            return
        if (
            token.kind == "PAGE"
            and token.page_id != page_id
            or token.kind == "USER"
            and token.user_id != page.user_id
        ):
            raise GraphError(
                10,
                "(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature.",
                status=403,
            )
        if "pages_read_engagement" not in token.scopes:
            raise GraphError(
                10, "(#10) This endpoint requires the 'pages_read_engagement' permission.", status=403
            )

    def _require_page_token(self, token: GraphToken, page_id: str, scopes: tuple[str, ...]) -> None:
        if token.kind != "PAGE" or token.page_id != page_id or any(s not in token.scopes for s in scopes):
            raise GraphError(
                200,
                "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an "
                "admin with sufficient administrative permission",
                status=403,
            )

    def _ig_access(self, token: GraphToken, ig_id: str, scope: str) -> None:
        account = self.ig_accounts[ig_id]
        page = self.pages[account.page_id]
        holder_ok = (token.kind == "PAGE" and token.page_id == page.id) or (
            token.kind == "USER" and token.user_id == page.user_id
        )
        if not holder_ok:
            raise GraphError(
                100,
                f"Unsupported get request. Object with ID '{ig_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                subcode=33,
                error_type="GraphMethodException",
            )
        if scope not in token.scopes:
            raise GraphError(
                10, f"(#10) Application does not have permission for this action ({scope})", status=403
            )

    def _object(self, object_id: str) -> GraphObject:
        obj = self.objects.get(object_id)
        if obj is None or obj.deleted:
            raise GraphError(
                100,
                f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                subcode=33,
                error_type="GraphMethodException",
            )
        return obj

    def _get(self, token: GraphToken, node: str, edge: str, request: Request) -> dict[str, Any]:
        if node in self.pages:
            self._can_read_page(token, node)
            if not edge:
                return self._render_page(self.pages[node], request)
            if edge in ("feed", "posts", "published_posts", "scheduled_posts"):
                return self._list_posts(node, edge, request)
            raise GraphError(100, f"(#100) Unknown edge ({edge}) on node type (Page)")
        if node in self.ig_accounts:
            self._ig_access(token, node, "instagram_basic")
            account = self.ig_accounts[node]
            if not edge:
                ig_user = {
                    "id": account.id,
                    "username": account.username,
                    "name": account.name,
                    "ig_id": int(account.id[-8:]),
                    "media_count": sum(
                        1
                        for o in self.objects.values()
                        if o.owner == node and o.kind == "ig_media" and not o.deleted
                    ),
                    "followers_count": self._followers(account.id),
                }
                return self._select(ig_user, split_fields(request.param("fields") or "id"), "IGUser")
            if edge == "media":
                return self._list_ig_media(node, request)
            if edge == "content_publishing_limit":
                used, _reset = self.publish_window.used(node)
                return {
                    "data": [
                        {
                            "quota_usage": used,
                            "config": {
                                "quota_total": self.limits.ig_publish_per_day,
                                "quota_duration": 86400,
                            },
                        }
                    ]
                }
            raise GraphError(100, f"(#100) Unknown edge ({edge}) on node type (IGUser)")
        obj = self._object(node)
        if obj.kind in ("post", "photo", "comment"):
            self._can_read_page(token, obj.owner)
        else:
            self._ig_access(token, obj.owner, "instagram_basic")
        if not edge:
            return self._render_object(obj, request)
        if edge == "comments" and obj.kind in ("post", "photo", "comment", "ig_media"):
            return self._list_comments(obj, request)
        if edge == "replies" and obj.kind == "ig_comment":
            return self._list_comments(obj, request)
        if edge == "insights" and obj.kind in ("post", "ig_media"):
            return self._insights(token, obj, request)
        raise GraphError(100, f"(#100) Unknown edge ({edge}) on node type ({obj.kind})")

    def _render_object(
        self, obj: GraphObject, request: Request, index: dict[str, list[GraphObject]] | None = None
    ) -> dict[str, Any]:
        d = obj.data
        comments = [c for c in self.objects.values() if c.data.get("parent") == obj.id and not c.deleted]
        if obj.kind == "post":
            page = self.pages[obj.owner]
            fields_ = {
                "id": obj.id,
                "message": d.get("message"),
                "created_time": fb_time(obj.created),
                "updated_time": fb_time(obj.created),
                "permalink_url": f"https://www.facebook.com/{page.username}/posts/{obj.id.split('_')[1]}",
                "from": {"id": page.id, "name": page.name},
                "is_published": d.get("is_published", True),
                "scheduled_publish_time": d.get("scheduled_publish_time"),
                "status_type": "added_photos" if d.get("attached_media") else "mobile_status_update",
                "shares": {"count": d["shares"]} if d.get("shares") else None,
                "reactions": {
                    "data": [],
                    "summary": {"total_count": d.get("reactions", 0), "viewer_reaction": "NONE"},
                },
                "comments": {
                    "data": [],
                    "summary": {"total_count": len(comments), "order": "ranked", "can_comment": True},
                },
                "link": d.get("link"),
                "attachments": {"data": [{"media_fbid": m} for m in d.get("attached_media", [])]},
                "full_picture": (d.get("image_urls") or [None])[0],
            }
            return self._select(
                fields_, split_fields(request.param("fields") or "id,message,created_time"), "Post"
            )
        if obj.kind == "photo":
            fields_ = {
                "id": obj.id,
                "created_time": fb_time(obj.created),
                "name": d.get("caption"),
                "images": [],
                "link": d.get("url"),
            }
            return self._select(fields_, split_fields(request.param("fields") or "id"), "Photo")
        if obj.kind in ("comment", "ig_comment"):
            return self._render_comment(obj, request, index if index is not None else self._child_index())
        if obj.kind == "ig_container":
            polls = d.get("polls_left", 0)
            if polls > 0:
                d["polls_left"] = polls - 1
                status = "IN_PROGRESS"
            else:
                status = d.get("final_status", "FINISHED")
            if d.get("published"):
                status = "PUBLISHED"
            fields_ = {
                "id": obj.id,
                "status_code": status,
                "status": "Finished: Media has been uploaded and it is ready to be published."
                if status in ("FINISHED", "PUBLISHED")
                else status,
            }
            return self._select(
                fields_, split_fields(request.param("fields") or "id"), "ShadowIGMediaBuilder"
            )
        account = self.ig_accounts[obj.owner]
        fields_ = {
            "id": obj.id,
            "caption": d.get("caption"),
            "media_type": d.get("media_type", "IMAGE"),
            "media_url": (d.get("image_urls") or [None])[0],
            "permalink": f"https://www.instagram.com/p/{d['shortcode']}/",
            "shortcode": d["shortcode"],
            "timestamp": fb_time(obj.created),
            "username": account.username,
            "like_count": d.get("reactions", 0),
            "comments_count": len(comments),
            "is_comment_enabled": True,
        }
        return self._select(fields_, split_fields(request.param("fields") or "id"), "IGMedia")

    def _root(self, obj: GraphObject) -> GraphObject:
        """The post or media a comment (or a reply to one) hangs under."""
        while obj.kind in ("comment", "ig_comment") and obj.data.get("parent") in self.objects:
            obj = self.objects[obj.data["parent"]]
        return obj

    def _render_comment(
        self, obj: GraphObject, request: Request, index: dict[str, list[GraphObject]]
    ) -> dict[str, Any]:
        d = obj.data
        author = d.get("from", {})
        wanted = split_fields(request.param("fields") or "id")
        children = index.get(obj.id, [])
        root = self._root(obj)
        permalink = None
        if obj.kind == "comment" and root.kind == "post" and root.owner in self.pages:
            username = self.pages[root.owner].username
            permalink = (
                f"https://www.facebook.com/{username}/posts/{root.id.split('_')[-1]}"
                f"?comment_id={obj.id.split('_')[-1]}"
            )
        replies = None
        for spec in wanted:
            if field_name(spec) == "replies" and obj.kind == "ig_comment":
                inner = spec[spec.index("{") + 1 : spec.rindex("}")] if "{" in spec else "id,text,timestamp"
                inner_request = Request("GET", "", {"fields": inner}, {}, b"")
                ordered = sorted(children, key=self._sort_key)
                replies = {"data": [self._render_comment(c, inner_request, index) for c in ordered]}
        fields_ = {
            "id": obj.id,
            "message": d.get("message"),
            "text": d.get("message"),
            "username": author.get("username"),
            "from": author,
            "created_time": fb_time(obj.created),
            "timestamp": fb_time(obj.created),
            "parent": {"id": d["parent"]} if d.get("parent_is_comment") else None,
            "parent_id": d["parent"] if d.get("parent_is_comment") and obj.kind == "ig_comment" else None,
            "is_hidden": d.get("is_hidden", False),
            "hidden": d.get("is_hidden", False),
            "like_count": int(d.get("reactions", 0)),
            "comment_count": len(children),
            "permalink_url": permalink,
            "media": {"id": root.id} if obj.kind == "ig_comment" else None,
            "replies": replies,
        }
        return self._select(fields_, wanted, "Comment")

    @staticmethod
    def _sort_key(obj: GraphObject) -> tuple[float, int, str]:
        """Where an object sits in a listing by time: created, then the counter in its id."""
        tail = obj.id.rsplit("_", 1)[-1]
        return (obj.created, int(tail) if tail.isdigit() else 0, obj.id)

    @staticmethod
    def _cursor(key: tuple[float, int, str]) -> str:
        """An opaque cursor naming one item of a listing, as Graph's are (base64 of a position
        that stays true when items are added before or after it)."""
        return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode().rstrip("=")

    @staticmethod
    def _uncursor(cursor: str) -> tuple[float, int, str]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            return (float(raw[0]), int(raw[1]), str(raw[2]))
        except (ValueError, TypeError, IndexError, KeyError):
            raise GraphError(100, "(#100) Invalid pagination cursor") from None

    def _paginate(
        self, objects: list[GraphObject], request: Request, path: str, *, wanted: str, newest_first: bool
    ) -> dict[str, Any]:
        """A page of ``objects`` (already in listing order) after the ``after`` cursor, with
        Graph's paging block: cursors whenever the page holds items, ``next`` when more follow."""
        try:
            limit = max(1, min(int(request.param("limit") or 25), 100))
        except ValueError:
            raise GraphError(100, "(#100) Invalid pagination parameters") from None
        after = request.param("after")
        start = 0
        if after:
            mark = self._uncursor(after)
            start = next(
                (
                    i
                    for i, o in enumerate(objects)
                    if (self._sort_key(o) < mark if newest_first else self._sort_key(o) > mark)
                ),
                len(objects),
            )
        chosen = objects[start : start + limit]
        fields_request = Request("GET", "", {"fields": wanted}, {}, b"")
        index = self._child_index()
        result: dict[str, Any] = {"data": [self._render_object(o, fields_request, index) for o in chosen]}
        if chosen:
            last = self._cursor(self._sort_key(chosen[-1]))
            result["paging"] = {"cursors": {"before": self._cursor(self._sort_key(chosen[0])), "after": last}}
            if start + limit < len(objects):
                base = self.settings.public_base_url.rstrip("/")
                result["paging"]["next"] = f"{base}{path}?limit={limit}&after={last}"
        return result

    def _list_posts(self, page_id: str, edge: str, request: Request) -> dict[str, Any]:
        since = request.param("since")
        until = request.param("until")
        scheduled = edge == "scheduled_posts"
        posts = [
            o
            for o in self.objects.values()
            if o.kind == "post"
            and o.owner == page_id
            and not o.deleted
            and bool(o.data.get("scheduled_publish_time")) == scheduled
            and (scheduled or o.data.get("is_published", True))
            and (not since or o.created >= float(since))
            and (not until or o.created <= float(until))
        ]
        posts.sort(key=self._sort_key, reverse=True)
        wanted = request.param("fields") or "id,message,created_time"
        return self._paginate(posts, request, request.path, wanted=wanted, newest_first=True)

    def _list_ig_media(self, ig_id: str, request: Request) -> dict[str, Any]:
        media = [
            o for o in self.objects.values() if o.kind == "ig_media" and o.owner == ig_id and not o.deleted
        ]
        media.sort(key=self._sort_key, reverse=True)
        wanted = request.param("fields") or "id"
        return self._paginate(media, request, request.path, wanted=wanted, newest_first=True)

    def _child_index(self) -> dict[str, list[GraphObject]]:
        """Every object's comments (not deleted), by the id of what they answer: one pass."""
        index: dict[str, list[GraphObject]] = {}
        for candidate in self.objects.values():
            parent = candidate.data.get("parent")
            if parent and not candidate.deleted and candidate.kind in ("comment", "ig_comment"):
                index.setdefault(str(parent), []).append(candidate)
        return index

    def _children(self, obj: GraphObject) -> list[GraphObject]:
        return self._child_index().get(obj.id, [])

    def _descendants(self, obj: GraphObject) -> list[GraphObject]:
        index = self._child_index()
        found: list[GraphObject] = []
        waiting = [obj]
        while waiting:
            children = index.get(waiting.pop().id, [])
            found.extend(children)
            waiting.extend(children)
        return found

    def _list_comments(self, obj: GraphObject, request: Request) -> dict[str, Any]:
        """An object's comments. Facebook: the top-level ones unless ``filter=stream`` (every
        comment under the object, replies too), in ``order`` (``chronological`` by default);
        Instagram lists oldest first and has no such parameters."""
        stream = (request.param("filter") or "toplevel") == "stream" and not obj.kind.startswith("ig")
        comments = self._descendants(obj) if stream else self._children(obj)
        order = request.param("order") or "chronological"
        if order not in ("chronological", "reverse_chronological"):
            raise GraphError(100, "(#100) order must be one of chronological, reverse_chronological")
        newest_first = order == "reverse_chronological"
        comments.sort(key=self._sort_key, reverse=newest_first)
        wanted = request.param("fields") or (
            "id,text,timestamp" if obj.kind.startswith("ig") else "id,message,created_time"
        )
        return self._paginate(comments, request, request.path, wanted=wanted, newest_first=newest_first)

    def _insights(self, token: GraphToken, obj: GraphObject, request: Request) -> dict[str, Any]:
        metrics = [m for m in (request.param("metric") or "").split(",") if m]
        if not metrics:
            raise GraphError(100, "(#100) The parameter metric is required")
        if obj.kind == "post":
            if "read_insights" not in token.scopes:
                raise GraphError(10, "(#10) Requires read_insights permission", status=403)
            valid = FB_POST_METRICS
        else:
            self._ig_access(token, obj.owner, "instagram_manage_insights")
            valid = IG_MEDIA_METRICS
        for metric in metrics:
            if metric not in valid:
                raise GraphError(
                    100, "(#100) The value must be a valid insights metric", error_type="OAuthException"
                )
        counts = obj.data.get("insights", {})
        # Clicks by type leave out the types nobody clicked; post_clicks is their total.
        by_type = {label: int(counts[key]) for key, label in FB_CLICK_TYPES.items() if counts.get(key)}
        value_of: dict[str, Any] = {
            "post_clicks_by_type": by_type,
            "post_clicks": counts.get("post_clicks", sum(by_type.values())),
        }
        return {
            "data": [
                {
                    "name": metric,
                    "period": "lifetime",
                    "values": [{"value": value_of.get(metric, int(counts.get(metric, 0)))}],
                    "title": metric.replace("_", " ").title(),
                    "id": f"{obj.id}/insights/{metric}/lifetime",
                }
                for metric in metrics
            ]
        }

    # --- writes --------------------------------------------------------------------------------

    def _is_duplicate(self, owner: str, text: str, link: str) -> bool:
        horizon = self.clock() - self.settings.duplicate_window_seconds
        return any(
            o.kind == "post"
            and o.owner == owner
            and not o.deleted
            and o.created >= horizon
            and o.data.get("message", "") == text
            and o.data.get("link", "") == link
            for o in self.objects.values()
        )

    def _post(self, token: GraphToken, node: str, edge: str, request: Request) -> dict[str, Any]:
        if node in self.pages and edge == "feed":
            return self._create_feed_post(token, node, request)
        if node in self.pages and edge == "photos":
            return self._create_photo(token, node, request)
        if node in self.ig_accounts and edge == "media":
            return self._ig_container(token, node, request)
        if node in self.ig_accounts and edge == "media_publish":
            return self._ig_publish(token, node, request)
        obj = self._object(node)
        if edge in ("comments", "replies"):
            return self._comment(token, obj, edge, request)
        if not edge and obj.kind == "comment" and request.param("is_hidden") is not None:
            self._require_page_token(token, obj.owner, ("pages_manage_engagement",))
            obj.data["is_hidden"] = request.param("is_hidden") == "true"
            return {"success": True}
        raise GraphError(
            100, f"(#100) Unsupported post request on ({obj.kind})", error_type="GraphMethodException"
        )

    def duplicate_error(self) -> GraphError:
        return GraphError(
            506,
            "(#506) Duplicate status message",
            user_title="Duplicate Status Update",
            user_msg="This status update is identical to the last one you posted. Try posting something different, "
            "or delete your previous update.",
        )

    def _create_feed_post(self, token: GraphToken, page_id: str, request: Request) -> dict[str, Any]:
        self._require_page_token(token, page_id, ("pages_manage_posts", "pages_read_engagement"))
        message = request.param("message") or ""
        link = request.param("link") or ""
        media_raw = request.param("attached_media")
        media: list[str] = []
        if media_raw is not None:
            try:
                parsed = json.loads(media_raw)
            except ValueError:
                raise GraphError(100, "(#100) param attached_media must be an array.") from None
            if not isinstance(parsed, list) or not all(
                isinstance(m, dict) and "media_fbid" in m for m in parsed
            ):
                raise GraphError(
                    100, "(#100) param attached_media must be an array of objects with media_fbid."
                )
            for item in parsed:
                photo = self.objects.get(str(item["media_fbid"]))
                if photo is None or photo.kind != "photo" or photo.owner != page_id:
                    raise GraphError(100, f"(#100) Invalid media_fbid {item['media_fbid']}")
                media.append(photo.id)
        for key, value in request.query.items() | request.form.items():
            if key.startswith("attached_media["):
                photo_id = str(json.loads(value).get("media_fbid"))
                if photo_id not in self.objects:
                    raise GraphError(100, f"(#100) Invalid media_fbid {photo_id}")
                media.append(photo_id)
        if not message and not link and not media:
            raise GraphError(100, "(#100) Missing message or attachment")
        if len(message) > FB_TEXT_LIMIT:
            raise GraphError(100, "(#100) Param message must be at most 63206 characters long")
        if link and not re.match(r"^https?://", link):
            raise GraphError(100, "(#100) The link parameter must be a valid URL", subcode=1609005)
        published = (request.param("published") or "true").lower() != "false"
        scheduled = request.param("scheduled_publish_time")
        data: dict[str, Any] = {
            "message": message,
            "link": link,
            "attached_media": media,
            "is_published": published,
        }
        if scheduled:
            if published:
                raise GraphError(100, "(#100) Cannot specify a scheduled publish time on a published post")
            try:
                when = int(scheduled)
            except ValueError:
                raise GraphError(
                    100, "(#100) Param scheduled_publish_time must be a UNIX timestamp"
                ) from None
            delta = when - self.clock()
            if delta < self.settings.scheduled_min_seconds or delta > self.settings.scheduled_max_seconds:
                raise GraphError(
                    100, "(#100) The specified scheduled publish time is invalid.", subcode=1363020
                )
            data["scheduled_publish_time"] = when
        if published and self._is_duplicate(page_id, message, link):
            raise self.duplicate_error()
        data["image_urls"] = [self.objects[m].data.get("url", "") for m in media]
        for m in media:
            self.objects[m].data["attached"] = True
        post_id = f"{page_id}_{self._new_id('1')}"
        self.objects[post_id] = GraphObject(post_id, "post", page_id, self.clock(), data)
        return {"id": post_id}

    def _create_photo(self, token: GraphToken, page_id: str, request: Request) -> dict[str, Any]:
        self._require_page_token(token, page_id, ("pages_manage_posts", "pages_read_engagement"))
        url = request.param("url")
        upload = request.files.get("source")
        if not url and upload is None:
            raise GraphError(324, "(#324) Requires upload file", subcode=1366046 if False else None)
        if upload is not None:
            if len(upload.data) > 10 * 1024 * 1024:
                raise GraphError(100, "(#100) Photo too large", subcode=1366046)
            if not upload.data:
                raise GraphError(324, "(#324) Missing or invalid image file")
        elif url and not re.match(r"^https?://", url):
            raise GraphError(100, "(#100) url should represent a valid URL")
        published = (request.param("published") or "true").lower() != "false"
        photo_id = self._new_id("3")
        caption = request.param("caption") or request.param("message") or ""
        self.objects[photo_id] = GraphObject(
            photo_id,
            "photo",
            page_id,
            self.clock(),
            {"url": url or f"upload:{upload.filename if upload else ''}", "caption": caption},
        )
        result = {"id": photo_id}
        if published:
            post_id = f"{page_id}_{self._new_id('1')}"
            self.objects[post_id] = GraphObject(
                post_id,
                "post",
                page_id,
                self.clock(),
                {
                    "message": caption,
                    "attached_media": [photo_id],
                    "image_urls": [url or ""],
                    "is_published": True,
                },
            )
            result["post_id"] = post_id
        return result

    def _comment(self, token: GraphToken, obj: GraphObject, edge: str, request: Request) -> dict[str, Any]:
        message = request.param("message") or ""
        if not message:
            raise GraphError(100, "(#100) Missing message")
        if obj.kind in ("ig_media", "ig_comment"):
            self._ig_access(token, obj.owner, "instagram_manage_comments")
            if edge != "replies" and obj.kind == "ig_comment":
                raise GraphError(100, "(#100) Use the replies edge to reply to an Instagram comment")
            account = self.ig_accounts[obj.owner]
            author = {"id": account.id, "username": account.username}
            kind = "ig_comment"
        else:
            self._require_page_token(token, obj.owner, ("pages_manage_engagement",))
            page = self.pages[obj.owner]
            author = {"id": page.id, "name": page.name}
            kind = "comment"
        return {"id": self._store_comment(obj, obj.id, kind, message, author)}

    def _store_comment(
        self,
        obj: GraphObject,
        parent_id: str,
        kind: str,
        message: str,
        author: dict[str, Any],
        *,
        created: float | None = None,
        reactions: int = 0,
        comment_id: str | None = None,
    ) -> str:
        comment_id = comment_id or f"{parent_id.split('_')[-1]}_{self._new_id('5')}"
        data: dict[str, Any] = {
            "message": message,
            "parent": parent_id,
            "parent_is_comment": obj.kind in ("comment", "ig_comment"),
            "from": author,
        }
        if reactions:
            data["reactions"] = int(reactions)
        self.objects[comment_id] = GraphObject(
            comment_id, kind, obj.owner, self.clock() if created is None else float(created), data
        )
        return comment_id

    @staticmethod
    def public_author(name: str) -> dict[str, Any]:
        """A member of the public as Graph shows them on a comment (a stable id per name)."""
        return {"id": "9" + hashlib.sha256(name.encode()).hexdigest()[:12], "name": name, "username": name}

    def add_public_comment(
        self,
        object_id: str,
        message: str,
        author_name: str,
        *,
        created: float | None = None,
        reactions: int = 0,
        comment_id: str | None = None,
    ) -> str:
        """A comment by a member of the public on a post, a media or (a reply) a comment.

        ``comment_id``: the id it gets, shaped as Graph shapes it (see :meth:`chosen_id_problem`);
        ValueError when it is not, or is taken. By default the fake makes one up."""
        with self.lock:
            obj = self._object(object_id)
            kind = "ig_comment" if obj.kind.startswith("ig") else "comment"
            if comment_id is not None:
                problem = self.chosen_id_problem(comment_id, kind, parent_id=object_id)
                if problem:
                    raise ValueError(problem)
            return self._store_comment(
                obj,
                object_id,
                kind,
                message,
                self.public_author(author_name),
                created=created,
                reactions=reactions,
                comment_id=comment_id,
            )

    def chosen_id_problem(self, object_id: str, kind: str, *, parent_id: str = "", owner: str = "") -> str:
        """Why ``object_id`` cannot be the id of a new ``kind`` object fed to the fake ("" when it
        can). Ids a caller chooses (a sample whose comments must keep their ids) are shaped as
        Graph's: a Page post ``{page id}_{digits}``, a comment on Facebook ``{tail of the id of
        what it answers}_{digits}``, an Instagram media or comment digits only; and unused. The
        digits are 10 to 20 of them, as long as Graph's: the fake's own ids are shorter, so the
        two never meet."""
        if kind == "post":
            pattern, shape = rf"{re.escape(owner)}_\d{{10,20}}", f"{owner}_<10-20 digits>"
        elif kind == "comment":
            tail = parent_id.split("_")[-1]
            pattern, shape = rf"{re.escape(tail)}_\d{{10,20}}", f"{tail}_<10-20 digits>"
        else:
            pattern, shape = r"\d{10,20}", "<10-20 digits>"
        if not re.fullmatch(pattern, object_id):
            return f"{object_id!r} is not a Graph {kind} id: expected {shape}"
        if object_id in self.objects or object_id in self.pages or object_id in self.ig_accounts:
            return f"{object_id!r} is already taken"
        return ""

    def add_post(
        self, page_id: str, message: str, *, created: float | None = None, post_id: str | None = None
    ) -> str:
        """A published post on a Page, as if its people had posted it (comments need one).
        ``post_id``: the id it gets (``{page id}_{digits}``, unused; else ValueError)."""
        with self.lock:
            if post_id is not None:
                problem = self.chosen_id_problem(post_id, "post", owner=page_id)
                if problem:
                    raise ValueError(problem)
            post_id = post_id or f"{page_id}_{self._new_id('1')}"
            self.objects[post_id] = GraphObject(
                post_id,
                "post",
                page_id,
                self.clock() if created is None else float(created),
                {"message": message, "link": "", "attached_media": [], "is_published": True},
            )
            return post_id

    def add_media(
        self, ig_user_id: str, caption: str, *, created: float | None = None, media_id: str | None = None
    ) -> str:
        """A published Instagram media of an account (comments need one). ``media_id``: the id it
        gets (digits, unused; else ValueError)."""
        with self.lock:
            if ig_user_id not in self.ig_accounts:
                raise KeyError(ig_user_id)
            if media_id is not None:
                problem = self.chosen_id_problem(media_id, "ig_media")
                if problem:
                    raise ValueError(problem)
            media_id = media_id or self._new_id("180")
            self.objects[media_id] = GraphObject(
                media_id,
                "ig_media",
                ig_user_id,
                self.clock() if created is None else float(created),
                {
                    "caption": caption,
                    "media_type": "IMAGE",
                    "image_urls": [],
                    "shortcode": "C" + hashlib.sha256(media_id.encode()).hexdigest()[:10],
                },
            )
            return media_id

    def replies(self, platform: str) -> list[dict[str, Any]]:
        """Comments a Page or an Instagram account made under its own content: the replies
        Humas sent, oldest first."""
        kind = "ig_comment" if platform == "instagram" else "comment"
        with self.lock:
            found = []
            for obj in sorted(self.objects.values(), key=self._sort_key):
                author = str(obj.data.get("from", {}).get("id", ""))
                if obj.kind != kind or obj.deleted or author != obj.owner:
                    continue
                found.append(
                    {"id": obj.id, "parent_id": obj.data.get("parent"), "text": obj.data.get("message", "")}
                )
            return found

    def thread(self, object_id: str) -> tuple[str, list[dict[str, Any]]] | None:
        """The post or media that ``object_id`` (it, or a comment under it) belongs to, and every
        comment under it in reading order (each after what it answers, its ``parent`` and its
        ``depth``; the Page's or account's own replies marked ``own``), for the fakes' pages; None
        when the id names neither."""
        with self.lock:
            obj = self.objects.get(object_id)
            if obj is None:
                return None
            root = self._root(obj)
            if root.kind not in ("post", "ig_media"):
                return None
            index = self._child_index()
            found: list[dict[str, Any]] = []

            def walk(parent: str, depth: int) -> None:
                for child in sorted(index.get(parent, []), key=self._sort_key):
                    author = child.data.get("from", {})
                    found.append(
                        {
                            "id": child.id,
                            "parent": parent,
                            "author": author.get("name") or author.get("username") or "",
                            "own": str(author.get("id", "")) == child.owner,
                            "text": child.data.get("message", ""),
                            "created": child.created,
                            "depth": depth,
                        }
                    )
                    walk(child.id, depth + 1)

            walk(root.id, 0)
            return root.id, found

    def webhook_payload(self, comment_id: str) -> dict[str, Any]:
        """The change notification Meta sends an app subscribed to the Page's ``feed`` field or
        the Instagram account's ``comments`` field when this comment is made."""
        with self.lock:
            obj = self._object(comment_id)
            if obj.kind not in ("comment", "ig_comment"):
                raise ValueError(f"{comment_id} is not a comment")
            root = self._root(obj)
            author = obj.data.get("from", {})
            now = int(self.clock())
            if obj.kind == "ig_comment":
                value: dict[str, Any] = {
                    "from": {"id": author.get("id", ""), "username": author.get("username", "")},
                    "media": {"id": root.id, "media_product_type": "FEED"},
                    "id": obj.id,
                    "text": obj.data.get("message", ""),
                }
                if obj.data.get("parent_is_comment"):
                    value["parent_id"] = obj.data["parent"]
                return {
                    "object": "instagram",
                    "entry": [
                        {"id": obj.owner, "time": now, "changes": [{"field": "comments", "value": value}]}
                    ],
                }
            value = {
                "from": {"id": author.get("id", ""), "name": author.get("name", "")},
                "post": {"status_type": "mobile_status_update", "is_published": True, "id": root.id},
                "message": obj.data.get("message", ""),
                "post_id": root.id,
                "comment_id": obj.id,
                "created_time": int(obj.created),
                "item": "comment",
                "parent_id": obj.data.get("parent", root.id),
                "verb": "add",
            }
            return {
                "object": "page",
                "entry": [{"id": obj.owner, "time": now, "changes": [{"field": "feed", "value": value}]}],
            }

    def set_engagement(self, object_id: str, values: dict[str, int]) -> None:
        with self.lock:
            obj = self._object(object_id)
            for key, value in values.items():
                if key == "reactions" or (key == "shares" and obj.kind == "post"):
                    obj.data[key] = int(value)
                else:
                    obj.data.setdefault("insights", {})[key] = int(value)

    def _ig_container(self, token: GraphToken, ig_id: str, request: Request) -> dict[str, Any]:
        self._ig_access(token, ig_id, "instagram_content_publish")
        media_type = (request.param("media_type") or "IMAGE").upper()
        caption = request.param("caption") or ""
        carousel_item = (request.param("is_carousel_item") or "false").lower() == "true"
        if len(caption) > IG_CAPTION_LIMIT:
            raise GraphError(
                100, "(#100) The caption exceeds the maximum length of 2200 characters.", subcode=2207009
            )
        if len(re.findall(r"(?<!\w)#\w+", caption)) > IG_HASHTAG_LIMIT:
            raise GraphError(100, "(#100) The caption has more than 30 hashtags.", subcode=2207009)
        if len(re.findall(r"(?<!\w)@[\w.]+", caption)) > IG_MENTION_LIMIT:
            raise GraphError(100, "(#100) The caption has more than 20 mentions.", subcode=2207009)
        data: dict[str, Any] = {"caption": caption, "polls_left": self.settings.ig_container_polls}
        if media_type == "CAROUSEL":
            children = [c for c in (request.param("children") or "").split(",") if c]
            if not 2 <= len(children) <= 10:
                raise GraphError(100, "(#100) A carousel needs 2 to 10 children.", subcode=2207026)
            urls = []
            for child in children:
                obj = self.objects.get(child)
                if (
                    obj is None
                    or obj.kind != "ig_container"
                    or obj.owner != ig_id
                    or not obj.data.get("carousel_item")
                ):
                    raise GraphError(100, f"(#100) Invalid child container {child}")
                urls.extend(obj.data["image_urls"])
            data.update(media_type="CAROUSEL_ALBUM", image_urls=urls)
        elif media_type == "IMAGE":
            url = request.param("image_url")
            if not url:
                raise GraphError(100, "(#100) The parameter image_url is required.")
            if not re.match(r"^https?://[^/\s]+", url):
                raise GraphError(9004, "Only photo or video can be accepted as media type.", subcode=2207052)
            data.update(media_type="IMAGE", image_urls=[url], carousel_item=carousel_item)
        else:
            raise GraphError(100, f"(#100) media_type {media_type} is not supported by this fake")
        container_id = self._new_id("179")
        self.objects[container_id] = GraphObject(container_id, "ig_container", ig_id, self.clock(), data)
        return {"id": container_id}

    def _ig_publish(self, token: GraphToken, ig_id: str, request: Request) -> dict[str, Any]:
        self._ig_access(token, ig_id, "instagram_content_publish")
        creation_id = request.param("creation_id") or ""
        container = self.objects.get(creation_id)
        if container is None or container.kind != "ig_container" or container.owner != ig_id:
            raise GraphError(
                100,
                "(#100) The parameter creation_id is required and must be a valid container.",
                subcode=2207006,
            )
        if container.data.get("carousel_item"):
            raise GraphError(100, "(#100) A carousel item cannot be published on its own.")
        if container.data.get("published"):
            raise GraphError(9007, "The media has already been published.", subcode=2207027)
        if container.data.get("polls_left", 0) > 0:
            raise GraphError(
                9007,
                "Media ID is not available",
                subcode=2207027,
                user_title="Media not ready",
                user_msg="The media is not ready for publishing, please wait for a moment",
            )
        if self.publish_window.limit != self.limits.ig_publish_per_day:
            self.publish_window.limit = self.limits.ig_publish_per_day
        allowed, _used, _reset = self.publish_window.hit(ig_id)
        if not allowed:
            raise GraphError(
                9,
                "Application request limit reached",
                subcode=2207042,
                user_title="Publishing limit reached",
                user_msg="You have reached the maximum number of posts allowed in 24 hours.",
                status=403,
            )
        container.data["published"] = True
        media_id = self._new_id("180")
        data = {
            "caption": container.data["caption"],
            "media_type": container.data["media_type"],
            "image_urls": container.data["image_urls"],
            "shortcode": "C" + hashlib.sha256(media_id.encode()).hexdigest()[:10],
        }
        self.objects[media_id] = GraphObject(media_id, "ig_media", ig_id, self.clock(), data)
        return {"id": media_id}

    def _delete(self, token: GraphToken, node: str) -> dict[str, Any]:
        obj = self._object(node)
        if obj.kind in ("ig_media", "ig_container"):
            raise GraphError(
                100,
                f"Unsupported delete request. Object with ID '{node}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation.",
                subcode=33,
                error_type="GraphMethodException",
            )
        if obj.kind == "ig_comment":
            self._ig_access(token, obj.owner, "instagram_manage_comments")
        else:
            self._require_page_token(token, obj.owner, ("pages_manage_posts",))
        obj.deleted = True
        return {"success": True}

    # --- faults and headers -------------------------------------------------------------------

    def fault_response(self, fault: Fault, request: Request, platform: str) -> Response | None:
        with self.lock:
            owner = self._business_owner(request)
        if fault.kind == "error":
            if fault.code is not None:
                return GraphError(
                    fault.code,
                    f"(#{fault.code}) Injected error",
                    subcode=fault.subcode,
                    status=fault.status if fault.status < 500 else 400,
                ).response()
            code = 2 if fault.status == 503 else 1
            message = "Service temporarily unavailable" if code == 2 else "An unknown error has occurred."
            return GraphError(code, message, status=fault.status).response()
        if fault.kind == "throttle":
            code = fault.code or (80002 if platform == "instagram" else 80001)
            headers = {}
            if owner:
                headers["x-business-use-case-usage"] = json.dumps(
                    {
                        owner: [
                            {
                                "type": "instagram" if platform == "instagram" else "pages",
                                "call_count": 100,
                                "total_cputime": 30,
                                "total_time": 40,
                                "estimated_time_to_regain_access": fault.retry_after,
                            }
                        ]
                    }
                )
            if code == 4:
                headers["x-app-usage"] = json.dumps(
                    {"call_count": 100, "total_cputime": 20, "total_time": 30}
                )
            messages = {
                4: "(#4) Application request limit reached",
                17: "(#17) User request limit reached",
                32: "(#32) Page request limit reached",
                613: "(#613) Calls to this api have exceeded the rate limit.",
                341: "(#341) Application limit reached",
                368: "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
            }
            return GraphError(
                code,
                messages.get(code, f"(#{code}) There have been too many calls. Wait a bit and try again."),
                headers=headers,
            ).response()
        if fault.kind == "expired_token":
            return GraphError(
                190,
                "Error validating access token: Session has expired on Friday, 27-Nov-26 20:00:00 PST.",
                subcode=463,
            ).response()
        if fault.kind == "duplicate":
            return self.duplicate_error().response()
        return None

    def decorate(
        self, response: Response, request: Request, platform: str, usage: Fault | None = None
    ) -> None:
        response.headers.setdefault("x-fb-trace-id", secrets.token_urlsafe(8))
        response.headers.setdefault("facebook-api-version", request.path.split("/")[1])
        if "x-app-usage" not in response.headers:
            pct = usage.usage if usage else 0
            response.headers["x-app-usage"] = json.dumps(
                {"call_count": pct, "total_cputime": 0, "total_time": 0}
            )
        if usage is not None:
            with self.lock:
                owner = self._business_owner(request)
            if owner:
                response.headers["x-business-use-case-usage"] = json.dumps(
                    {
                        owner: [
                            {
                                "type": "instagram" if platform == "instagram" else "pages",
                                "call_count": usage.usage,
                                "total_cputime": 0,
                                "total_time": 0,
                                "estimated_time_to_regain_access": usage.retry_after,
                            }
                        ]
                    }
                )
