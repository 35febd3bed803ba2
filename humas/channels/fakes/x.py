"""Strict fake of X API v2: tweets, delete, lookup with public_metrics, user timeline,
recent search by conversation, /2/users/me, media upload, rate-limit headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..connectors.x import weighted_length
from .core import Fault, IdCounter, LockedFake, Request, Response, SlidingWindow, follower_count
from .xsearch import SearchQuery

PROBLEM = "https://api.twitter.com/2/problems/"
# OAuth 2.0 (Authorization Code with PKCE): the fake's confidential client, the scopes X knows,
# an access token's life (2 hours) and an authorization code's life (30 seconds).
CLIENT_ID = "ZmFrZVhjbGllbnQwMDAxOjE6Y2k"
CLIENT_SECRET = "fake-x-client-secret-0001"  # noqa: S105 - a fake's published test secret
OAUTH_SCOPES = (
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.read",
    "follows.read",
    "offline.access",
    "media.write",
    "like.read",
)
ACCESS_TOKEN_SECONDS = 7200
CODE_SECONDS = 30


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class XUser:
    id: str
    username: str
    name: str


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created: float
    conversation_id: str
    in_reply_to: str | None = None
    media_ids: list[str] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    deleted: bool = False


class XError(Exception):
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(str(payload))
        self.status, self.payload = status, payload


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> XError:
    return XError(status, {"title": title, "detail": detail, "type": kind, "status": status, **extra})


class XFake(LockedFake):
    name = "x"
    STATE_FIELDS = (
        "users",
        "tokens",
        "app_tokens",
        "tweets",
        "media",
        "_ids",
        "expired",
        "oauth_codes",
        "token_expiry",
        "refresh_tokens",
    )
    STATE_CLASSES = (XUser, Tweet)
    TRANSIENT_FIELDS = (*LockedFake.TRANSIENT_FIELDS, "windows", "app_window", "follower_overrides")

    def reset(self) -> None:
        with self.lock:
            self.users: dict[str, XUser] = {}
            self.tokens: dict[str, str] = {}  # user-context token -> user id
            self.app_tokens: set[str] = set()
            self.tweets: dict[str, Tweet] = {}
            self.media: dict[str, str] = {}  # media id -> uploader
            self._ids = IdCounter(1)
            self.windows: dict[str, SlidingWindow] = {}
            self.app_window: SlidingWindow | None = None
            self.expired: set[str] = set()
            # OAuth 2.0: codes from the authorize page, access token expiry, live refresh tokens.
            self.oauth_codes: dict[str, dict[str, Any]] = {}
            self.token_expiry: dict[str, float] = {}
            self.refresh_tokens: dict[str, dict[str, Any]] = {}  # refresh token -> user, scopes
            # User id -> followers as set by a test or the control API; None: public_metrics
            # leaves followers_count out (follower_count otherwise).
            self.follower_overrides: dict[str, int | None] = {}

    def add_user(self, *, username: str, name: str, index: int | None = None) -> dict[str, str]:
        with self.lock:
            n = index if index is not None else next(self._ids)
            user_id = f"15{n:010d}"
            token = f"fakeXuser{n:06d}{hashlib.sha256(f'x{n}'.encode()).hexdigest()[:28]}"
            self.users[user_id] = XUser(user_id, username, name)
            self.tokens[token] = user_id
            app_token = f"AAAAfakeXapp{hashlib.sha256(b'app').hexdigest()[:30]}"
            self.app_tokens.add(app_token)
            return {
                "user_id": user_id,
                "username": username,
                "access_token": token,
                "app_bearer_token": app_token,
            }

    def set_followers(self, user_id: str, count: int | None) -> None:
        """The followers a user answers from now on; None: ``public_metrics`` without
        ``followers_count``."""
        with self.lock:
            if user_id not in self.users:
                raise ValueError(f"unknown X user {user_id!r}")
            self.follower_overrides[user_id] = count

    def owns(self, path: str) -> bool:
        return path.startswith(("/2/", "/i/oauth2/"))

    def platform_of(self, request: Request) -> str:
        return "x"

    def posts(self, platform: str) -> list[dict[str, Any]]:
        with self.lock:
            return sorted(
                (
                    {
                        "id": t.id,
                        "account": "@" + self.users[t.author_id].username,
                        "account_id": t.author_id,
                        # Where the post and its account are on x.com (the fakes' pages answer there).
                        "paths": [
                            f"{self.users[t.author_id].username}/status/{t.id}",
                            f"i/web/status/{t.id}",
                        ],
                        "account_paths": [self.users[t.author_id].username],
                        "text": t.text,
                        "link": "",
                        "images": [f"media:{m}" for m in t.media_ids],
                        "created": t.created,
                        "deleted": t.deleted,
                        "published": True,
                        "reply_to": t.in_reply_to,
                    }
                    for t in self.tweets.values()
                ),
                key=lambda p: (p["created"], p["id"]),
                reverse=True,
            )

    # --- auth and limits -----------------------------------------------------------------------

    def _auth(self, request: Request) -> tuple[str, str]:
        """(kind, subject): kind "user" with the user id, or "app"."""
        auth = request.headers.get("authorization", "")
        unauthorized = problem(401, "Unauthorized", "Unauthorized")
        if auth.startswith("Bearer "):
            token = auth[7:].strip()
            if token in self.expired:
                raise unauthorized
            expiry = self.token_expiry.get(token)
            if expiry is not None and expiry <= self.clock():
                raise unauthorized
            if token in self.tokens:
                return "user", self.tokens[token]
            if token in self.app_tokens:
                return "app", "app"
            raise unauthorized
        if auth.startswith("OAuth "):
            # OAuth 1.0a user context: the fake maps oauth_token to the user; it does not verify
            # the signature (it has no consumer secrets).
            params = {
                k.strip(): urllib.parse.unquote(v.strip().strip('"'))
                for k, _, v in (p.partition("=") for p in auth[6:].split(","))
            }
            token = params.get("oauth_token", "")
            if token in self.tokens and token not in self.expired and params.get("oauth_signature"):
                return "user", self.tokens[token]
            raise unauthorized
        raise unauthorized

    def _user_only(self, kind: str) -> None:
        if kind != "user":
            raise problem(
                403,
                "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported "
                "authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                PROBLEM + "unsupported-authentication",
            )

    def _window(self, endpoint: str) -> SlidingWindow:
        limit = (
            self.limits.x_tweets_per_user if endpoint == "POST /2/tweets" else self.limits.x_reads_per_user
        )
        if endpoint == "GET /2/tweets/search/recent" and self.limits.x_search_per_user is not None:
            limit = self.limits.x_search_per_user
        if endpoint == "GET /2/users/:id/mentions" and self.limits.x_mentions_per_user is not None:
            limit = self.limits.x_mentions_per_user
        window = self.windows.get(endpoint)
        if window is None or window.limit != limit or window.seconds != self.limits.x_window:
            window = self.windows[endpoint] = SlidingWindow(limit, self.limits.x_window, self.clock)
        return window

    def _rate(self, endpoint: str, subject: str) -> dict[str, str]:
        window = self._window(endpoint)
        allowed, used, reset = window.hit(subject)
        headers = {
            "x-rate-limit-limit": str(window.limit),
            "x-rate-limit-remaining": str(max(0, window.limit - used)),
            "x-rate-limit-reset": str(int(self.clock() + reset) + 1),
        }
        if allowed and endpoint == "POST /2/tweets" and self.limits.x_tweets_per_app:
            app = self.app_window
            if app is None or app.limit != self.limits.x_tweets_per_app:
                app = self.app_window = SlidingWindow(self.limits.x_tweets_per_app, 86400, self.clock)
            allowed, used, reset = app.hit("app")
            headers.update(
                {
                    "x-app-limit-24hour-limit": str(app.limit),
                    "x-app-limit-24hour-remaining": str(max(0, app.limit - used)),
                    "x-app-limit-24hour-reset": str(int(self.clock() + reset) + 1),
                }
            )
            if not allowed:
                headers["x-app-limit-24hour-remaining"] = "0"
        if not allowed:
            headers["x-rate-limit-remaining"] = "0"
            raise XError(
                429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
            ) from RateHeaders(headers)
        return headers

    # --- dispatch ------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        headers: dict[str, str] = {}
        path = request.path.rstrip("/")
        try:
            with self.lock:
                if path == "/i/oauth2/authorize":
                    return self._authorize(request)
                if path == "/2/oauth2/token" and request.method == "POST":
                    return self._oauth_token(request)
                kind, subject = self._auth(request)
                endpoint, handler, args = self._route(request)
                headers = self._rate(endpoint, subject)
                status, payload = handler(kind, subject, request, *args)
                return Response.json(status, payload, headers)
        except XError as error:
            cause = error.__cause__
            if isinstance(cause, RateHeaders):
                headers = cause.headers
            return Response.json(error.status, error.payload, headers)

    def _route(self, request: Request) -> tuple[str, Any, tuple[str, ...]]:
        path, method = request.path.rstrip("/"), request.method
        if path == "/2/tweets" and method == "POST":
            return "POST /2/tweets", self._create, ()
        if path == "/2/users/me" and method == "GET":
            return "GET /2/users/me", self._me, ()
        if path == "/2/tweets/search/recent" and method == "GET":
            return "GET /2/tweets/search/recent", self._search, ()
        if path == "/2/media/upload" and method == "POST":
            return "POST /2/media/upload", self._upload, ()
        if path == "/2/tweets" and method == "GET":
            return "GET /2/tweets", self._lookup_many, ()
        match = re.fullmatch(r"/2/tweets/(\d+)", path)
        if match and method == "DELETE":
            return "DELETE /2/tweets/:id", self._delete, (match[1],)
        if match and method == "GET":
            return "GET /2/tweets/:id", self._lookup, (match[1],)
        match = re.fullmatch(r"/2/users/(\d+)/tweets", path)
        if match and method == "GET":
            return "GET /2/users/:id/tweets", self._timeline, (match[1],)
        match = re.fullmatch(r"/2/users/(\d+)/mentions", path)
        if match and method == "GET":
            return "GET /2/users/:id/mentions", self._mentions, (match[1],)
        match = re.fullmatch(r"/2/users/(\d+)", path)
        if match and method == "GET":
            return "GET /2/users/:id", self._user_lookup, (match[1],)
        raise problem(
            404,
            "Not Found Error",
            f"The requested resource {path} was not found.",
            PROBLEM + "resource-not-found",
        )

    # --- OAuth 2.0 Authorization Code with PKCE -------------------------------------------------

    def _authorize_error(self, message: str) -> Response:
        return Response.html(
            400,
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>X / Error</title></head>'
            f"<body><h1>Something went wrong</h1><p>{html.escape(message)}</p></body></html>",
        )

    def _authorize(self, request: Request) -> Response:
        """``/i/oauth2/authorize``: the page where a person picks the account and authorises the
        app (or cancels); the answer goes to ``redirect_uri`` with ``code`` and ``state``."""
        params = {**request.query, **request.form}
        if params.get("response_type") != "code":
            return self._authorize_error("response_type must be code.")
        if params.get("client_id") != CLIENT_ID:
            return self._authorize_error("This app is not registered (unknown client_id).")
        redirect_uri = params.get("redirect_uri", "")
        if not re.match(r"^https?://[^/\s]+", redirect_uri):
            return self._authorize_error("redirect_uri is missing or not a URL.")
        state = params.get("state", "")
        if not state:
            return self._authorize_error("state is required.")
        challenge = params.get("code_challenge", "")
        method = params.get("code_challenge_method", "plain")
        if not challenge or method not in ("S256", "plain"):
            return self._authorize_error(
                "code_challenge is required; code_challenge_method is S256 or plain."
            )
        scopes = [s for s in params.get("scope", "").split() if s]
        unknown = [s for s in scopes if s not in OAUTH_SCOPES]
        if not scopes or unknown:
            return self._authorize_error(f"Invalid scope: {' '.join(unknown) or '(none)'}.")
        if request.method == "POST":
            if params.get("decision") != "allow":
                return Response.redirect(redirect_uri, {"error": "access_denied", "state": state})
            user_id = params.get("user_id", "")
            if user_id not in self.users:
                return self._authorize_error("Choose an account.")
            code = "fakeXcode" + secrets.token_urlsafe(24)
            self.oauth_codes[code] = {
                "user_id": user_id,
                "scopes": tuple(scopes),
                "redirect_uri": redirect_uri,
                "challenge": challenge,
                "method": method,
                "created": self.clock(),
            }
            return Response.redirect(redirect_uri, {"state": state, "code": code})
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k
            in (
                "response_type",
                "client_id",
                "redirect_uri",
                "state",
                "scope",
                "code_challenge",
                "code_challenge_method",
            )
        )
        people = "".join(
            f'<label><input type="radio" name="user_id" value="{html.escape(u.id)}"{" checked" if i == 0 else ""}> '
            f"@{html.escape(u.username)}</label><br>"
            for i, u in enumerate(self.users.values())
        )
        wanted = "".join(f"<li>{html.escape(s)}</li>" for s in scopes)
        return Response.html(
            200,
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Authorize app (fake X)</title><style>body{font-family:system-ui,sans-serif;margin:1rem;"
            "max-width:32rem}button{padding:.6rem 1.2rem;margin-right:.5rem}</style></head><body>"
            f'<h1>Humas (fake) wants to access your X account</h1><form method="post">{hidden}'
            f"<fieldset><legend>Account</legend>{people}</fieldset><p>It will be able to:</p><ul>{wanted}</ul>"
            '<button type="submit" name="decision" value="allow">Authorize app</button>'
            '<button type="submit" name="decision" value="cancel">Cancel</button></form></body></html>',
        )

    def _oauth_error(self, status: int, error: str, description: str) -> Response:
        return Response.json(status, {"error": error, "error_description": description})

    def _oauth_token(self, request: Request) -> Response:
        """``POST /2/oauth2/token``: authorization_code (PKCE verified) and refresh_token grants.
        The client is confidential: HTTP Basic client_id:client_secret. Refresh tokens rotate:
        each works once."""
        auth = request.headers.get("authorization", "")
        try:
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        if not auth.startswith("Basic ") or not (
            client_id == CLIENT_ID and hmac.compare_digest(secret, CLIENT_SECRET)
        ):
            return self._oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return self._oauth_error(400, "invalid_request", "Body must be application/x-www-form-urlencoded")
        grant_type = request.form.get("grant_type", "")
        now = self.clock()
        if grant_type == "authorization_code":
            code = request.form.get("code", "")
            grant = self.oauth_codes.pop(code, None)  # single use, whatever happens next
            if grant is None or now - grant["created"] > CODE_SECONDS:
                return self._oauth_error(
                    400, "invalid_request", "Value passed for the authorization code was invalid."
                )
            if request.form.get("redirect_uri") != grant["redirect_uri"]:
                return self._oauth_error(
                    400,
                    "invalid_request",
                    "Value passed for the redirect uri did not match the uri of the authorization code.",
                )
            verifier = request.form.get("code_verifier", "")
            if grant["method"] == "S256":
                computed = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                )
            else:
                computed = verifier
            if not verifier or not hmac.compare_digest(computed, grant["challenge"]):
                return self._oauth_error(
                    400,
                    "invalid_request",
                    "Value passed for the code verifier did not match the code challenge.",
                )
            user_id, scopes = grant["user_id"], grant["scopes"]
        elif grant_type == "refresh_token":
            held = self.refresh_tokens.pop(request.form.get("refresh_token", ""), None)
            if held is None:
                return self._oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
            user_id, scopes = held["user_id"], held["scopes"]
        else:
            return self._oauth_error(
                400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
            )
        access = "fakeXoauth" + secrets.token_urlsafe(30)
        self.tokens[access] = user_id
        self.token_expiry[access] = now + ACCESS_TOKEN_SECONDS
        payload: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
            "access_token": access,
            "scope": " ".join(scopes),
        }
        if "offline.access" in scopes:
            refresh = "fakeXrefresh" + secrets.token_urlsafe(30)
            self.refresh_tokens[refresh] = {"user_id": user_id, "scopes": scopes}
            payload["refresh_token"] = refresh
        return Response.json(200, payload)

    def revoke_refresh_tokens(self, user_id: str | None = None) -> int:
        """The person revoked the app (or X did): refreshing fails from now on."""
        with self.lock:
            doomed = [t for t, held in self.refresh_tokens.items() if user_id in (None, held["user_id"])]
            for token in doomed:
                del self.refresh_tokens[token]
            return len(doomed)

    def _invalid(self, message: str, parameter: str = "") -> XError:
        return XError(
            400,
            {
                "errors": [{"parameters": {parameter: []} if parameter else {}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": PROBLEM + "invalid-request",
            },
        )

    def _tweet_fields(self, request: Request) -> list[str]:
        allowed = {
            "id",
            "text",
            "created_at",
            "author_id",
            "conversation_id",
            "public_metrics",
            "in_reply_to_user_id",
            "referenced_tweets",
            "edit_history_tweet_ids",
            "attachments",
            "lang",
            "possibly_sensitive",
            "reply_settings",
            "source",
            "entities",
            "non_public_metrics",
            "organic_metrics",
        }
        fields_ = [f for f in (request.param("tweet.fields") or "").split(",") if f]
        for f in fields_:
            if f not in allowed:
                raise self._invalid(
                    f"The `tweet.fields` query parameter value [{f}] is not one of {sorted(allowed)}",
                    "tweet.fields",
                )
        return fields_

    def _render(self, tweet: Tweet, fields_: list[str]) -> dict[str, Any]:
        full: dict[str, Any] = {
            "id": tweet.id,
            "text": tweet.text,
            "edit_history_tweet_ids": [tweet.id],
            "created_at": iso(tweet.created),
            "author_id": tweet.author_id,
            "conversation_id": tweet.conversation_id,
            "lang": "in",
            "public_metrics": {
                "retweet_count": tweet.metrics.get("retweet_count", 0),
                "reply_count": sum(
                    1 for t in self.tweets.values() if t.in_reply_to == tweet.id and not t.deleted
                ),
                "like_count": tweet.metrics.get("like_count", 0),
                "quote_count": tweet.metrics.get("quote_count", 0),
                "bookmark_count": tweet.metrics.get("bookmark_count", 0),
                "impression_count": tweet.metrics.get("impression_count", 0),
            },
        }
        if tweet.in_reply_to:
            parent = self.tweets.get(tweet.in_reply_to)
            full["referenced_tweets"] = [{"type": "replied_to", "id": tweet.in_reply_to}]
            full["in_reply_to_user_id"] = parent.author_id if parent else ""
        if tweet.media_ids:
            full["attachments"] = {"media_keys": [f"3_{m}" for m in tweet.media_ids]}
        keep = {"id", "text", "edit_history_tweet_ids", *fields_}
        return {k: v for k, v in full.items() if k in keep}

    # --- endpoints -----------------------------------------------------------------------------

    def _create(self, kind: str, subject: str, request: Request) -> tuple[int, dict[str, Any]]:
        self._user_only(kind)
        body = request.json
        if not isinstance(body, dict):
            raise self._invalid("Request body must be a JSON object")
        unknown = set(body) - {
            "text",
            "media",
            "reply",
            "quote_tweet_id",
            "poll",
            "reply_settings",
            "for_super_followers_only",
            "direct_message_deep_link",
            "geo",
            "nullcast",
        }
        if unknown:
            raise self._invalid(f"The following fields are not allowed: {sorted(unknown)}")
        text = body.get("text")
        media = (body.get("media") or {}).get("media_ids") or []
        if text is not None and not isinstance(text, str):
            raise self._invalid("text must be a string", "text")
        if not text and not media:
            raise self._invalid("You must specify either text or media", "text")
        for media_id in media:
            if self.media.get(str(media_id)) != subject:
                raise self._invalid(f"Your media IDs are invalid: {media_id}", "media.media_ids")
        if text and weighted_length(text) > 280:
            raise problem(
                403, "Forbidden", "You are not permitted to perform this action. Tweet text is too long."
            )
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = None
        if reply_to is not None:
            parent = self.tweets.get(str(reply_to))
            if parent is None or parent.deleted:
                raise self._invalid(
                    "The tweet you are replying to does not exist", "reply.in_reply_to_tweet_id"
                )
        horizon = self.clock() - self.settings.duplicate_window_seconds
        if text and any(
            t.author_id == subject and t.text == text and not t.deleted and t.created >= horizon
            for t in self.tweets.values()
        ):
            raise problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.")
        tweet_id = str(1860000000000000000 + next(self._ids))
        tweet = Tweet(
            id=tweet_id,
            author_id=subject,
            text=text or "",
            created=self.clock(),
            conversation_id=parent.conversation_id if parent else tweet_id,
            in_reply_to=parent.id if parent else None,
            media_ids=[str(m) for m in media],
        )
        self.tweets[tweet_id] = tweet
        return 201, {"data": {"id": tweet_id, "text": tweet.text, "edit_history_tweet_ids": [tweet_id]}}

    def add_public_reply(self, tweet_id: str, text: str, username: str) -> str:
        with self.lock:
            parent = self.tweets[tweet_id]
            user = next((u for u in self.users.values() if u.username == username), None)
            if user is None:
                user = XUser(str(1700000000 + next(self._ids)), username, username.title())
                self.users[user.id] = user
            reply_id = str(1860000000000000000 + next(self._ids))
            self.tweets[reply_id] = Tweet(
                reply_id, user.id, text, self.clock(), parent.conversation_id, parent.id
            )
            return reply_id

    def set_engagement(self, tweet_id: str, values: dict[str, int]) -> None:
        with self.lock:
            self.tweets[tweet_id].metrics.update({k: int(v) for k, v in values.items()})

    def _delete(self, kind: str, subject: str, request: Request, tweet_id: str) -> tuple[int, dict[str, Any]]:
        self._user_only(kind)
        tweet = self.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            raise problem(
                404,
                "Not Found Error",
                f"Could not find tweet with id: [{tweet_id}].",
                PROBLEM + "resource-not-found",
            )
        if tweet.author_id != subject:
            raise problem(403, "Forbidden", "You are not authorized to delete this Tweet.")
        tweet.deleted = True
        return 200, {"data": {"deleted": True}}

    def _not_found(self, tweet_id: str) -> dict[str, Any]:
        return {
            "value": tweet_id,
            "detail": f"Could not find tweet with id: [{tweet_id}].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "id",
            "resource_id": tweet_id,
            "type": PROBLEM + "resource-not-found",
        }

    def _lookup(self, kind: str, subject: str, request: Request, tweet_id: str) -> tuple[int, dict[str, Any]]:
        fields_ = self._tweet_fields(request)
        tweet = self.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return 200, {"errors": [self._not_found(tweet_id)]}
        data = self._render(tweet, fields_)
        refused = [
            field
            for field in ("non_public_metrics", "organic_metrics")
            if field in fields_ and not self._private_metrics(data, tweet, field, kind, subject)
        ]
        if refused:
            return 200, {"data": data, "errors": [self._field_refused(tweet_id, field) for field in refused]}
        return 200, {"data": data}

    def _private_metrics(
        self, data: dict[str, Any], tweet: Tweet, field: str, kind: str, subject: str
    ) -> bool:
        """Add a tweet's private counts to ``data`` when X gives them: to the author's own user
        token, for a post of the last 30 days. ``url_link_clicks`` only for a post with a link."""
        if kind != "user" or tweet.author_id != subject or self.clock() - tweet.created > 30 * 86400:
            return False
        counts: dict[str, int] = {
            "impression_count": tweet.metrics.get("impression_count", 0),
            "user_profile_clicks": tweet.metrics.get("user_profile_clicks", 0),
        }
        if "http://" in tweet.text or "https://" in tweet.text or "url_link_clicks" in tweet.metrics:
            counts["url_link_clicks"] = tweet.metrics.get("url_link_clicks", 0)
        if field == "organic_metrics":
            counts.update({k: v for k, v in data.get("public_metrics", {}).items() if k != "bookmark_count"})
        data[field] = counts
        return True

    def _field_refused(self, tweet_id: str, field: str) -> dict[str, Any]:
        return {
            "value": tweet_id,
            "detail": f"Sorry, you are not authorized to access '{field}' on a Tweet.",
            "title": "Field Authorization Error",
            "resource_type": "tweet",
            "field": field,
            "parameter": "tweet.fields",
            "resource_id": tweet_id,
            "type": PROBLEM + "not-authorized-for-field",
        }

    def _lookup_many(self, kind: str, subject: str, request: Request) -> tuple[int, dict[str, Any]]:
        fields_ = self._tweet_fields(request)
        ids = [i for i in (request.param("ids") or "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            raise self._invalid("ids must have 1 to 100 items", "ids")
        found = [
            self._render(self.tweets[i], fields_)
            for i in ids
            if i in self.tweets and not self.tweets[i].deleted
        ]
        missing = [self._not_found(i) for i in ids if i not in self.tweets or self.tweets[i].deleted]
        result: dict[str, Any] = {}
        if found:
            result["data"] = found
        if missing:
            result["errors"] = missing
        return 200, result

    USER_FIELDS = frozenset(
        {
            "affiliation",
            "confirmed_email",
            "connection_status",
            "created_at",
            "description",
            "entities",
            "id",
            "is_identity_verified",
            "location",
            "most_recent_tweet_id",
            "name",
            "parody",
            "pinned_tweet_id",
            "profile_banner_url",
            "profile_image_url",
            "protected",
            "public_metrics",
            "receives_your_dm",
            "subscription",
            "subscription_type",
            "url",
            "username",
            "verified",
            "verified_followers_count",
            "verified_type",
            "withheld",
        }
    )

    def _user_lookup(
        self, kind: str, subject: str, request: Request, user_id: str
    ) -> tuple[int, dict[str, Any]]:
        """``GET /2/users/:id`` with ``user.fields``: an unknown field is a 400 naming the known
        ones; a user X does not have is a 200 with only ``errors``, as X answers."""
        fields_ = [f for f in (request.param("user.fields") or "").split(",") if f]
        for f in fields_:
            if f not in self.USER_FIELDS:
                raise self._invalid(
                    f"The `user.fields` query parameter value [{f}] is not one of {sorted(self.USER_FIELDS)}",
                    "user.fields",
                )
        user = self.users.get(user_id)
        if user is None:
            return 200, {
                "errors": [
                    {
                        "value": user_id,
                        "detail": f"Could not find user with id: [{user_id}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "parameter": "id",
                        "resource_id": user_id,
                        "type": PROBLEM + "resource-not-found",
                    }
                ]
            }
        data: dict[str, Any] = {"id": user.id, "name": user.name, "username": user.username}
        if "public_metrics" in fields_:
            metrics: dict[str, int] = {
                "following_count": 120,
                "tweet_count": sum(
                    1 for t in self.tweets.values() if t.author_id == user.id and not t.deleted
                ),
                "listed_count": 12,
                "like_count": 0,
                "media_count": 0,
            }
            followers = self.follower_overrides.get(user.id, follower_count(user.id, self.clock()))
            if followers is not None:
                metrics["followers_count"] = followers
            data["public_metrics"] = metrics
        if "created_at" in fields_:
            data["created_at"] = "2019-04-01T00:00:00.000Z"
        if "protected" in fields_:
            data["protected"] = False
        return 200, {"data": data}

    def _me(self, kind: str, subject: str, request: Request) -> tuple[int, dict[str, Any]]:
        self._user_only(kind)
        user = self.users[subject]
        return 200, {"data": {"id": user.id, "name": user.name, "username": user.username}}

    def _max_results(self, request: Request, low: int, high: int, default: int) -> int:
        raw = request.param("max_results")
        try:
            value = int(raw) if raw is not None else default
        except ValueError:
            raise self._invalid("max_results must be a number", "max_results") from None
        if not low <= value <= high:
            raise self._invalid(
                f"The `max_results` query parameter value [{value}] is not between {low} and {high}",
                "max_results",
            )
        return value

    @staticmethod
    def _order(tweet: Tweet) -> tuple[float, int]:
        return (tweet.created, int(tweet.id))

    def _page(self, tweets: list[Tweet], request: Request, limit: int, fields_: list[str]) -> dict[str, Any]:
        """A page of ``tweets`` (newest first) after the page token, with X's ``meta``. Tokens
        are opaque and name the last post given, so posts arriving meanwhile shift nothing."""
        token = request.param("pagination_token") or request.param("next_token")
        start = 0
        if token:
            try:
                padded = token + "=" * (-len(token) % 4)
                created, last_id = base64.urlsafe_b64decode(padded).decode().split(":")
                mark = (float(created), int(last_id))
            except ValueError:
                raise self._invalid(f"Invalid pagination token: {token}", "pagination_token") from None
            start = next((i for i, t in enumerate(tweets) if self._order(t) < mark), len(tweets))
        chunk = tweets[start : start + limit]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        result: dict[str, Any] = {}
        if chunk:
            result["data"] = [self._render(t, fields_) for t in chunk]
            meta["newest_id"], meta["oldest_id"] = chunk[0].id, chunk[-1].id
        if start + limit < len(tweets):
            last = chunk[-1]
            meta["next_token"] = (
                base64.urlsafe_b64encode(f"{last.created!r}:{last.id}".encode()).decode().rstrip("=")
            )
        result["meta"] = meta
        return result

    def _id_bounds(self, request: Request, tweets: list[Tweet]) -> list[Tweet]:
        """``since_id`` (newer than) and ``until_id`` (older than)."""
        for name, keep in (
            ("since_id", lambda t, v: int(t.id) > v),
            ("until_id", lambda t, v: int(t.id) < v),
        ):
            raw = request.param(name)
            if raw is None:
                continue
            if not raw.isascii() or not raw.isdigit():
                raise self._invalid(f"The `{name}` query parameter value [{raw}] is not valid", name)
            tweets = [t for t in tweets if keep(t, int(raw))]
        return tweets

    def _with_authors(self, result: dict[str, Any], request: Request) -> dict[str, Any]:
        if "author_id" in (request.param("expansions") or "") and result.get("data"):
            authors = {self.tweets[t["id"]].author_id for t in result["data"]}
            result["includes"] = {
                "users": [
                    {"id": a, "username": self.users[a].username, "name": self.users[a].name}
                    for a in sorted(authors)
                ]
            }
        return result

    def mentioned(self, tweet: Tweet, username: str) -> bool:
        return re.search(rf"(?<![\w@])@{re.escape(username)}(?!\w)", tweet.text, re.IGNORECASE) is not None

    def _mentions(
        self, kind: str, subject: str, request: Request, user_id: str
    ) -> tuple[int, dict[str, Any]]:
        """``GET /2/users/:id/mentions``: posts naming ``@username`` by others, newest first; X
        serves the 800 most recent."""
        user = self.users.get(user_id)
        if user is None:
            return 200, {
                "errors": [
                    {
                        "value": user_id,
                        "detail": f"Could not find user with id: [{user_id}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "type": PROBLEM + "resource-not-found",
                    }
                ]
            }
        fields_ = self._tweet_fields(request)
        limit = self._max_results(request, 5, 100, 10)
        tweets = [
            t
            for t in self.tweets.values()
            if not t.deleted and t.author_id != user_id and self.mentioned(t, user.username)
        ]
        tweets.sort(key=self._order, reverse=True)
        tweets = self._id_bounds(request, tweets[:800])
        start_time = self._time_param(request, "start_time")
        if start_time is not None:
            tweets = [t for t in tweets if t.created >= start_time]
        return 200, self._with_authors(self._page(tweets, request, limit, fields_), request)

    def _timeline(
        self, kind: str, subject: str, request: Request, user_id: str
    ) -> tuple[int, dict[str, Any]]:
        if user_id not in self.users:
            return 200, {
                "errors": [
                    {
                        "value": user_id,
                        "detail": f"Could not find user with id: [{user_id}].",
                        "title": "Not Found Error",
                        "resource_type": "user",
                        "type": PROBLEM + "resource-not-found",
                    }
                ]
            }
        fields_ = self._tweet_fields(request)
        limit = self._max_results(request, 5, 100, 10)
        exclude = set((request.param("exclude") or "").split(","))
        start_time = self._time_param(request, "start_time")
        tweets = [
            t
            for t in self.tweets.values()
            if t.author_id == user_id
            and not t.deleted
            and not ("replies" in exclude and t.in_reply_to)
            and (start_time is None or t.created >= start_time)
        ]
        tweets.sort(key=lambda t: t.created, reverse=True)
        return 200, self._page(tweets, request, limit, fields_)

    def _time_param(self, request: Request, name: str) -> float | None:
        raw = request.param(name)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise self._invalid(f"Invalid {name}: {raw}", name) from None

    def _search(self, kind: str, subject: str, request: Request) -> tuple[int, dict[str, Any]]:
        """``GET /2/tweets/search/recent``: posts of the last seven days matching the query
        (keywords, "exact phrases", OR, grouping, -negation and the operators in SearchQuery),
        newest first."""
        query = request.param("query") or ""
        if not query.strip():
            raise self._invalid("The `query` query parameter can not be empty", "query")
        if len(query) > self.limits.x_query_max:
            raise self._invalid(
                f"The `query` query parameter value [{query[:40]}…] is not valid: its length must be "
                f"at most {self.limits.x_query_max}",
                "query",
            )
        try:
            matcher = SearchQuery(query)
        except ValueError as exc:
            raise self._invalid(f"There were errors processing your request: {exc}", "query") from None
        fields_ = self._tweet_fields(request)
        limit = self._max_results(request, 10, 100, 10)
        horizon = self.clock() - 7 * 86400
        # A whole conversation is asked by its root's id; the root itself is not an answer in it.
        root = matcher.conversation_root()
        tweets = [
            t
            for t in self.tweets.values()
            if not t.deleted and t.created >= horizon and t.id != root and matcher.matches(t, self)
        ]
        tweets.sort(key=self._order, reverse=True)
        tweets = self._id_bounds(request, tweets)
        return 200, self._with_authors(self._page(tweets, request, limit, fields_), request)

    def username_of(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.username if user else ""

    def tweet_of(self, tweet_id: str) -> Tweet | None:
        return self.tweets.get(tweet_id)

    # --- feeding the fake (tests, benchmarks, the demo) -------------------------------------------

    def public_user(self, username: str) -> XUser:
        """The account of a member of the public (created on first use, a stable id per name)."""
        user = next((u for u in self.users.values() if u.username == username), None)
        if user is None:
            user_id = str(1700000000 + int(hashlib.sha256(username.encode()).hexdigest()[:8], 16) % 10**9)
            while user_id in self.users:
                user_id = str(int(user_id) + 1)
            user = XUser(user_id, username, username.title())
            self.users[user_id] = user
        return user

    def add_public_tweet(
        self,
        text: str,
        username: str,
        *,
        tweet_id: str | None = None,
        created: float | None = None,
        metrics: dict[str, int] | None = None,
        in_reply_to: str | None = None,
    ) -> str:
        """A post by a member of the public (a mention when it names an account's @username)."""
        with self.lock:
            user = self.public_user(username)
            if tweet_id is None or not tweet_id.isdigit() or tweet_id in self.tweets:
                tweet_id = str(1860000000000000000 + next(self._ids))
            parent = self.tweets.get(in_reply_to or "")
            self.tweets[tweet_id] = Tweet(
                tweet_id,
                user.id,
                text,
                self.clock() if created is None else float(created),
                parent.conversation_id if parent else tweet_id,
                parent.id if parent else None,
                metrics=dict(metrics or {}),
            )
            return tweet_id

    def replies(self) -> list[dict[str, Any]]:
        """Posts that the seeded (office) accounts made in answer to another post, oldest first."""
        with self.lock:
            office = {uid for token, uid in self.tokens.items()}
            return [
                {
                    "id": t.id,
                    "parent_id": t.in_reply_to,
                    "text": t.text,
                    "account": self.users[t.author_id].username,
                }
                for t in sorted(self.tweets.values(), key=self._order)
                if t.in_reply_to and t.author_id in office and not t.deleted
            ]

    def _upload(self, kind: str, subject: str, request: Request) -> tuple[int, dict[str, Any]]:
        self._user_only(kind)
        upload = request.files.get("media")
        if upload is None or not upload.data:
            raise self._invalid("media is required", "media")
        category = request.param("media_category") or "tweet_image"
        if category not in ("tweet_image", "tweet_gif", "tweet_video", "dm_image", "subtitles"):
            raise self._invalid(f"Invalid media_category {category}", "media_category")
        if len(upload.data) > 5 * 1024 * 1024 and category == "tweet_image":
            raise self._invalid("File size exceeds 5242880 bytes", "media")
        media_id = str(1870000000000000000 + next(self._ids))
        self.media[media_id] = subject
        return 200, {
            "data": {
                "id": media_id,
                "media_key": f"3_{media_id}",
                "size": len(upload.data),
                "expires_after_secs": 86400,
                "image": {"image_type": upload.content_type, "w": 1, "h": 1},
            }
        }

    # --- faults --------------------------------------------------------------------------------

    def fault_response(self, fault: Fault, request: Request, platform: str) -> Response | None:
        if fault.kind == "error":
            return Response.json(
                fault.status,
                {
                    "title": "Service Unavailable" if fault.status == 503 else "Internal Server Error",
                    "detail": "Injected failure",
                    "type": "about:blank",
                    "status": fault.status,
                },
            )
        if fault.kind == "throttle":
            reset = int(self.clock()) + fault.retry_after
            headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            }
            if fault.code == 88:
                return Response.json(
                    429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, headers
                )
            if fault.code == 24:  # the 24-hour user posting cap
                headers.update(
                    {
                        "x-user-limit-24hour-limit": "17",
                        "x-user-limit-24hour-remaining": "0",
                        "x-user-limit-24hour-reset": str(int(self.clock()) + 86400),
                    }
                )
            return Response.json(
                429,
                {
                    "title": "Too Many Requests",
                    "detail": "Too Many Requests",
                    "type": "about:blank",
                    "status": 429,
                },
                headers,
            )
        if fault.kind == "expired_token":
            return Response.json(
                401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
            )
        if fault.kind == "duplicate":
            return Response.json(
                403,
                {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
            )
        return None

    def decorate(
        self, response: Response, request: Request, platform: str, usage: Fault | None = None
    ) -> None:
        response.headers.setdefault(
            "x-transaction-id", hashlib.sha256(str(self.clock()).encode()).hexdigest()[:16]
        )


class RateHeaders(Exception):
    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("rate headers")
        self.headers = headers
