"""Connecting channels by OAuth (keeping the tokens fresh afterwards is tokens.py's job).

Facebook Login for Pages (also used for Instagram): the login dialog → a code → a short-lived
user token → a long-lived user token → the Pages the person manages (``me/accounts``) → the
person chooses a Page → that PAGE token is verified and stored; the user token is never stored.
For Instagram, the business account linked to the chosen Page is connected with the Page token.

X OAuth 2.0 Authorization Code with PKCE: the authorize page → a code → an access token (two
hours) and a refresh token (rotates on every use), both stored encrypted. The access token is
refreshed shortly before it expires and when X rejects it, under a row lock, so two workers never
spend the same refresh token; a refused refresh flags the channel "perlu dihubungkan ulang" and
warns the Administrators.

``state`` is random, kept in the server-side session bound to the person, the office and the
channel, and single-use; the PKCE verifier never leaves the server. No token, code or secret is
logged, audited or shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.offices import policy
from humas.web.origins import backoffice_url

from . import crypto
from .connect import channel_connect_token, refused_message
from .connectors import ConnectorError, CredentialsInvalid
from .connectors._graph import GRAPH_URL, GRAPH_VERSION
from .models import Channel, Platform
from .services import ChannelError, channel_store_credential, connector_for
from .tokens import TokenRefused, TokenUnavailable, base_url, clean_text, platform_reason, x_token_request

log = logging.getLogger(__name__)

FACEBOOK_DIALOG_URL = "https://www.facebook.com"
X_AUTHORIZE_URL = "https://x.com"

# What Humas asks for, and what it cannot publish without.
META_SCOPES: dict[str, tuple[str, ...]] = {
    Platform.FACEBOOK: (
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
        "pages_manage_engagement",
        "pages_read_user_content",
        "read_insights",
    ),
    Platform.INSTAGRAM: (
        "pages_show_list",
        "pages_read_engagement",
        "instagram_basic",
        "instagram_content_publish",
        "instagram_manage_comments",
        "instagram_manage_insights",
    ),
}
META_REQUIRED: dict[str, tuple[str, ...]] = {
    Platform.FACEBOOK: ("pages_show_list", "pages_manage_posts", "pages_read_engagement"),
    Platform.INSTAGRAM: (
        "pages_show_list",
        "pages_read_engagement",
        "instagram_basic",
        "instagram_content_publish",
    ),
}
X_SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access")

PENDING_KEY = "humas_oauth_pending"
PAGES_KEY = "humas_oauth_pages"
STATE_SECONDS = 600  # an authorisation not finished within ten minutes starts again
MAX_PENDING = 5
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class _RedactOAuth(logging.Filter):
    """httpx logs request URLs at INFO; Graph's code exchange carries the code and the app
    secret in the query string."""

    pattern = re.compile(r"((?:client_secret|code|fb_exchange_token|appsecret_proof)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.pattern.sub(r"\1<redacted>", str(a)) if isinstance(a, str | httpx.URL) else a
                for a in record.args
            )
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactOAuth) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactOAuth())


# --------------------------------------------------------------------------------------------
# Configuration


def provider_of(platform: str) -> str | None:
    """``"meta"`` (Facebook Login) for Facebook and Instagram, ``"x"`` for X, else None."""
    if platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
        return "meta"
    if platform == Platform.X:
        return "x"
    return None


def oauth_available(platform: str) -> bool:
    """Whether the app for ``platform`` is configured (HUMAS_META_APP_ID/SECRET, HUMAS_X_CLIENT_ID)."""
    provider = provider_of(platform)
    if provider == "meta":
        return bool(settings.HUMAS_META_APP_ID and settings.HUMAS_META_APP_SECRET)
    if provider == "x":
        return bool(settings.HUMAS_X_CLIENT_ID)
    return False


def redirect_uri(*, provider: str, request: HttpRequest | None = None) -> str:
    """The callback URL to register with the platform's app."""
    path = reverse("channels:oauth_callback", kwargs={"provider": provider})
    # The configured origin, never the request's Host: the platform sends the authorisation code
    # to this address.
    if settings.HUMAS_OAUTH_REDIRECT_BASE_URL:
        return settings.HUMAS_OAUTH_REDIRECT_BASE_URL + path
    return backoffice_url(path)


# --------------------------------------------------------------------------------------------
# Starting: the URL of the platform's page, and what the session keeps until the callback


@dataclass(frozen=True)
class OAuthStart:
    url: str
    state: str
    pending: dict[str, Any]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-] (RFC 7636: 43–128)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge.rstrip(b"=").decode("ascii")


def oauth_start(*, actor: User, channel: Channel, redirect_to: str) -> OAuthStart:
    """Where to send the person to authorise Humas for ``channel``. Raises ChannelError when the
    platform has no OAuth here or its app is not configured."""
    policy.require(actor, "channel.manage", channel.office)
    provider = provider_of(channel.platform)
    if provider is None or not channel.is_active:
        raise ChannelError(_("Kanal ini tidak dapat dihubungkan lewat login platform."))
    if not oauth_available(channel.platform):
        raise ChannelError(
            _(
                "Aplikasi %(platform)s belum dikonfigurasi di Humas. Tempel token secara manual, atau minta "
                "pengelola sistem mengisi konfigurasinya."
            )
            % {"platform": channel.get_platform_display()}
        )
    state = secrets.token_urlsafe(32)
    pending: dict[str, Any] = {
        "provider": provider,
        "platform": channel.platform,
        "office": channel.office_id,
        "channel": channel.pk,
        "user": actor.pk,
        "redirect_uri": redirect_to,
        "created": time.time(),
    }
    if provider == "meta":
        query = {
            "client_id": settings.HUMAS_META_APP_ID,
            "redirect_uri": redirect_to,
            "state": state,
            "response_type": "code",
            "scope": ",".join(META_SCOPES[channel.platform]),
            # Ask again for permissions declined in an earlier attempt.
            "auth_type": "rerequest",
        }
        url = f"{base_url('facebook', FACEBOOK_DIALOG_URL)}/{GRAPH_VERSION}/dialog/oauth?{urlencode(query)}"
    else:
        verifier, challenge = _pkce_pair()
        pending["verifier"] = verifier
        query = {
            "response_type": "code",
            "client_id": settings.HUMAS_X_CLIENT_ID,
            "redirect_uri": redirect_to,
            "scope": " ".join(X_SCOPES),
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        url = f"{base_url('x', X_AUTHORIZE_URL)}/i/oauth2/authorize?{urlencode(query)}"
    return OAuthStart(url=url, state=state, pending=pending)


def pending_save(session: MutableMapping[str, Any], start: OAuthStart) -> None:
    """Keep the flow in the (server-side) session until the platform sends the person back."""
    now = time.time()
    kept = {
        state: entry
        for state, entry in dict(session.get(PENDING_KEY) or {}).items()
        if now - float(entry.get("created", 0)) < STATE_SECONDS
    }
    while len(kept) >= MAX_PENDING:
        kept.pop(min(kept, key=lambda s: float(kept[s].get("created", 0))))
    kept[start.state] = start.pending
    session[PENDING_KEY] = kept


def pending_take(session: MutableMapping[str, Any], state: str) -> dict[str, Any] | None:
    """The flow ``state`` belongs to, removed from the session (a state works once), or None when
    unknown, already used or older than STATE_SECONDS."""
    kept = dict(session.get(PENDING_KEY) or {})
    entry = kept.pop(state, None) if state else None
    session[PENDING_KEY] = kept
    if not isinstance(entry, dict) or time.time() - float(entry.get("created", 0)) >= STATE_SECONDS:
        return None
    return entry


# --------------------------------------------------------------------------------------------
# The callback


@dataclass
class OAuthOutcome:
    channel: Channel
    # Facebook/Instagram: the Pages to choose from (tokens sealed); X: connected, with warnings.
    pages: list[dict[str, Any]] | None = None
    warnings: list[str] = field(default_factory=list)


def oauth_channel(*, pending: Mapping[str, Any]) -> Channel | None:
    return (
        Channel.objects.select_related("office")
        .filter(
            pk=int(pending.get("channel") or 0), office_id=int(pending.get("office") or 0), is_active=True
        )
        .first()
    )


def oauth_complete(*, actor: User, pending: Mapping[str, Any], params: Mapping[str, str]) -> OAuthOutcome:
    """Finish the flow ``pending`` (from :func:`pending_take`) with the callback's query
    ``params``. Raises ChannelError with a precise, translated reason; nothing is stored then."""
    channel = oauth_channel(pending=pending)
    if channel is None:
        raise ChannelError(_("Kanal ini sudah tidak ada atau dinonaktifkan."))
    policy.require(actor, "channel.manage", channel.office)
    if pending.get("user") != actor.pk:
        raise ChannelError(_("Otorisasi ini dimulai oleh orang lain; mulai lagi dari halaman kanal."))
    provider = pending["provider"]
    error = params.get("error", "")
    if error:
        if error == "access_denied":
            if provider == "meta":
                raise ChannelError(
                    _(
                        "Login Facebook dibatalkan; tidak ada yang disimpan. Ulangi bila ingin menghubungkan kanal."
                    )
                )
            raise ChannelError(
                _(
                    "Otorisasi di X dibatalkan; tidak ada yang disimpan. Ulangi bila ingin menghubungkan kanal."
                )
            )
        raise ChannelError(
            _("%(platform)s menolak permintaan: %(reason)s.")
            % {
                "platform": "Facebook" if provider == "meta" else "X",
                "reason": platform_reason(params.get("error_description") or error),
            }
        )
    code = params.get("code", "")
    if not code or len(code) > 2048:
        raise ChannelError(_("Platform tidak mengirim kode otorisasi; ulangi dari awal."))
    if provider == "meta":
        return OAuthOutcome(channel=channel, pages=_meta_pages(channel, code, str(pending["redirect_uri"])))
    warnings = _x_connect(actor, channel, code, str(pending["redirect_uri"]), str(pending["verifier"]))
    return OAuthOutcome(channel=channel, warnings=warnings)


# --- Facebook Login ---------------------------------------------------------------------------


class _GraphRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _graph_get(client: httpx.Client, path: str, params: dict[str, str], token: str | None = None) -> Any:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
        params = {
            **params,
            "appsecret_proof": hmac.new(
                settings.HUMAS_META_APP_SECRET.encode(), token.encode(), hashlib.sha256
            ).hexdigest(),
        }
    try:
        response = client.get(f"/{GRAPH_VERSION}/{path}", params=params, headers=headers)
        payload = response.json()
    except (httpx.HTTPError, ValueError):
        raise ChannelError(
            _("Facebook sedang tidak dapat dihubungi atau menjawab tidak lengkap. Coba lagi sebentar lagi.")
        ) from None
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        raise _GraphRefused(
            platform_reason(payload["error"].get("error_user_msg") or payload["error"].get("message"))
        )
    if response.status_code != 200 or not isinstance(payload, dict):
        raise ChannelError(
            _("Facebook sedang tidak dapat dihubungi atau menjawab tidak lengkap. Coba lagi sebentar lagi.")
        )
    return payload


def _meta_pages(channel: Channel, code: str, redirect_to: str) -> list[dict[str, Any]]:
    app = {"client_id": settings.HUMAS_META_APP_ID, "client_secret": settings.HUMAS_META_APP_SECRET}
    with httpx.Client(base_url=base_url("facebook", GRAPH_URL), timeout=HTTP_TIMEOUT) as client:
        try:
            short = _graph_get(
                client, "oauth/access_token", {**app, "redirect_uri": redirect_to, "code": code}
            )
            user_token = str(short.get("access_token") or "")
            # The long-lived user token makes Page tokens that do not expire on a timer.
            long = _graph_get(
                client,
                "oauth/access_token",
                {**app, "grant_type": "fb_exchange_token", "fb_exchange_token": user_token},
            )
            user_token = str(long.get("access_token") or "")
            permissions = _graph_get(client, "me/permissions", {}, token=user_token).get("data") or []
        except _GraphRefused as exc:
            raise ChannelError(
                _("Facebook menolak login: %(reason)s. Ulangi dari awal.") % {"reason": exc.message}
            ) from None
        granted = {
            str(p.get("permission"))
            for p in permissions
            if isinstance(p, dict) and p.get("status") == "granted"
        }
        missing = [s for s in META_REQUIRED[channel.platform] if s not in granted]
        if missing:
            raise ChannelError(
                _(
                    "Izin berikut tidak diberikan saat login Facebook: %(missing)s. Ulangi dan biarkan semua "
                    "izin yang diminta tercentang."
                )
                % {"missing": ", ".join(missing)}
            )
        pages: list[dict[str, Any]] = []
        params = {
            "fields": "id,name,access_token,tasks,instagram_business_account{id,username}",
            "limit": "100",
        }
        for _page in range(5):
            try:
                answer = _graph_get(client, "me/accounts", params, token=user_token)
            except _GraphRefused as exc:
                raise ChannelError(
                    _("Facebook menolak login: %(reason)s. Ulangi dari awal.") % {"reason": exc.message}
                ) from None
            for page in answer.get("data") or []:
                if not isinstance(page, dict) or not page.get("id") or not page.get("access_token"):
                    continue
                tasks = [str(t) for t in page.get("tasks") or []]
                ig = page.get("instagram_business_account") or {}
                pages.append(
                    {
                        "id": str(page["id"]),
                        "name": clean_text(page.get("name", "")),
                        "ig_id": str(ig.get("id", "")) if isinstance(ig, dict) else "",
                        "ig_username": str(ig.get("username", "")) if isinstance(ig, dict) else "",
                        "can_post": "CREATE_CONTENT" in tasks or "MANAGE" in tasks,
                        "sealed": crypto.encrypt(str(page["access_token"])),
                    }
                )
            after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (answer.get("paging") or {}).get("next"):
                break
            params = {**params, "after": str(after)}
    if not pages:
        raise ChannelError(
            _(
                "Akun Facebook ini tidak mengelola Halaman apa pun, atau Halaman kantor tidak dipilih saat login. "
                "Login dengan akun yang menjadi admin Halaman dan pilih Halaman tersebut."
            )
        )
    if channel.platform == Platform.INSTAGRAM and not any(p["ig_id"] for p in pages):
        raise ChannelError(
            _(
                "Tidak ada Halaman Anda yang terhubung ke akun Instagram profesional. Hubungkan akun Instagram "
                "kantor ke Halaman Facebook-nya (Meta Business Suite → Pengaturan → Akun terhubung), lalu ulangi."
            )
        )
    return pages


def pages_save(session: MutableMapping[str, Any], channel_id: int, pages: list[dict[str, Any]]) -> None:
    """The Pages to choose from, with their tokens encrypted, until the person chooses."""
    session[PAGES_KEY] = {"channel": channel_id, "pages": pages, "created": time.time()}


def pages_load(session: Mapping[str, Any], channel_id: int) -> list[dict[str, Any]] | None:
    entry = session.get(PAGES_KEY)
    if (
        not isinstance(entry, dict)
        or entry.get("channel") != channel_id
        or time.time() - float(entry.get("created", 0)) >= STATE_SECONDS
    ):
        return None
    return list(entry.get("pages") or [])


def pages_clear(session: MutableMapping[str, Any]) -> None:
    session.pop(PAGES_KEY, None)


def oauth_choose_page(
    *, actor: User, channel: Channel, pages: list[dict[str, Any]], page_id: str
) -> list[str]:
    """Connect ``channel`` with the Page the person chose (its Instagram account for an Instagram
    channel): the Page token is verified like a pasted one (identity, Page vs user token,
    permissions) and stored encrypted, ``authorised_by`` the person. Returns the warnings."""
    policy.require(actor, "channel.manage", channel.office)
    page = next((p for p in pages if p.get("id") == page_id), None)
    if page is None:
        raise ChannelError(_("Pilih salah satu Halaman dalam daftar."))
    account_id = page["id"]
    if not page.get("can_post"):
        raise ChannelError(
            _(
                "Peran Anda di Halaman %(page)s tidak dapat membuat konten. Minta admin Halaman memberi Anda "
                "akses penuh, atau hubungkan dengan akun admin Halaman."
            )
            % {"page": page.get("name", "")}
        )
    if channel.platform == Platform.INSTAGRAM:
        account_id = page.get("ig_id") or ""
        if not account_id:
            raise ChannelError(
                _("Halaman %(page)s tidak terhubung ke akun Instagram profesional; pilih Halaman lain.")
                % {"page": page.get("name", "")}
            )
    try:
        token = crypto.decrypt(str(page["sealed"]))
    except crypto.CredentialDecryptError:
        raise ChannelError(_("Pilihan Halaman sudah kedaluwarsa; mulai lagi dari awal.")) from None
    try:
        return channel_connect_token(actor=actor, channel=channel, token=token, account_id=account_id)
    except IntegrityError:
        raise ChannelError(_("Akun ini sudah terhubung ke kanal lain di kantor ini.")) from None


# --- X OAuth 2.0 ------------------------------------------------------------------------------


def _x_connect(actor: User, channel: Channel, code: str, redirect_to: str, verifier: str) -> list[str]:
    try:
        payload = x_token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_to,
                "code_verifier": verifier,
            }
        )
    except TokenUnavailable:
        raise ChannelError(_("X sedang tidak dapat dihubungi. Coba lagi sebentar lagi.")) from None
    except TokenRefused as exc:
        raise ChannelError(
            _("X menolak kode otorisasi: %(reason)s. Ulangi dari awal.") % {"reason": exc.reason}
        ) from None
    granted = set(str(payload.get("scope", "")).split())
    missing = [s for s in X_SCOPES if s not in granted]
    refresh = str(payload.get("refresh_token") or "")
    if missing or not refresh:
        raise ChannelError(
            _("Izin berikut tidak diberikan di X: %(missing)s. Ulangi dan izinkan semua yang diminta.")
            % {"missing": ", ".join(missing or ["offline.access"])}
        )
    access = str(payload["access_token"])
    expires_in = int(payload.get("expires_in") or 7200)
    connector = connector_for(channel=channel, token=access, account_id="")
    try:
        info = connector.verify()
    except CredentialsInvalid as exc:
        raise ChannelError(refused_message(exc)) from None
    except ConnectorError as exc:
        raise ChannelError(exc.message_in(translation.get_language() or settings.LANGUAGE_CODE)) from None
    finally:
        connector.close()
    try:
        channel_store_credential(
            actor=actor,
            channel=channel,
            secret=access,
            kind=info.credential_type,
            personal=True,
            # The refresh token keeps the channel alive: no expiry to warn about.
            expires_at=None,
            refresh_secret=refresh,
            access_expires_at=timezone.now() + timedelta(seconds=expires_in),
            identity=info,
        )
    except IntegrityError:
        raise ChannelError(_("Akun ini sudah terhubung ke kanal lain di kantor ini.")) from None
    return list(info.warnings)
