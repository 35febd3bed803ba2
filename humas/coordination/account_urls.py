"""Whose post a public URL is: the platform by its host, the account by its path (a handle, a
Page's or channel's id), and whether it is one of an office's channels.

An amplification task is only as good as its records: an office says it shared KPU RI's post and
gives the URL of the share, which must be on that office's own official account on that
platform, not KPU RI's post itself or a neighbour's share. Every shape a person copies from the
platform's app or site that names the account is read; a shape that does not (an Instagram
``/p/<code>/`` link, a YouTube ``watch?v=`` link, a Facebook ``share/`` link) is refused with what
to copy instead, never guessed. Nothing is fetched: the URL alone decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from humas.channels.models import Channel, Platform
from humas.offices.models import NATIONAL_SLUG, Office

URL_MAX = 500

HOSTS: dict[str, frozenset[str]] = {
    Platform.X: frozenset({"x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}),
    Platform.FACEBOOK: frozenset(
        {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com", "mbasic.facebook.com", "fb.com", "www.fb.com"}
    ),
    Platform.INSTAGRAM: frozenset({"instagram.com", "www.instagram.com"}),
    Platform.TIKTOK: frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"}),
    Platform.TELEGRAM: frozenset({"t.me", "telegram.me"}),
    Platform.YOUTUBE: frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}),
    Platform.WHATSAPP: frozenset({"whatsapp.com", "www.whatsapp.com"}),
}  # fmt: skip

# The shape of a post's URL on each platform, shown when a URL does not name its account.
EXAMPLES: dict[str, str] = {
    Platform.X: "https://x.com/akun/status/1860000000000000000",
    Platform.FACEBOOK: "https://www.facebook.com/akun/posts/…",
    Platform.INSTAGRAM: "https://www.instagram.com/akun/p/C0de123/",
    Platform.TIKTOK: "https://www.tiktok.com/@akun/video/7300000000000000000",
    Platform.TELEGRAM: "https://t.me/akun/123",
    Platform.YOUTUBE: "https://www.youtube.com/@akun/community?lb=…",
    Platform.WHATSAPP: "https://whatsapp.com/channel/0029Va…/123",
    Platform.PORTAL: "https://…/kab-jepara/berita/…",
}

_HANDLE = r"[A-Za-z0-9_.]{1,60}"
_X_PATH = re.compile(r"^/@?(?P<handle>[A-Za-z0-9_]{1,15})(?:/status(?:es)?/\d{1,25}(?:/.*)?)?/?$")
_INSTAGRAM_PATH = re.compile(rf"^/(?P<handle>{_HANDLE})(?:/(?:p|reel|reels|tv)/[A-Za-z0-9_-]{{3,60}})?/?$")
_TIKTOK_PATH = re.compile(r"^/@(?P<handle>[A-Za-z0-9_.]{2,30})(?:/(?:video|photo)/\d{5,25})?/?$")
_TELEGRAM_PATH = re.compile(r"^/(?:s/)?(?P<handle>[A-Za-z][A-Za-z0-9_]{3,31})(?:/\d{1,12})?/?$")
_TELEGRAM_PRIVATE = re.compile(r"^/c/(?P<id>\d{5,20})/\d{1,12}/?$")
_YOUTUBE_HANDLE = re.compile(r"^/@(?P<handle>[A-Za-z0-9_.-]{3,60})(?:/.*)?$")
_YOUTUBE_CHANNEL = re.compile(r"^/channel/(?P<id>UC[A-Za-z0-9_-]{10,40})(?:/.*)?$")
_WHATSAPP_PATH = re.compile(r"^/channel/(?P<id>[A-Za-z0-9]{10,40})(?:/\d{1,12})?/?$")
_FACEBOOK_NAMED = re.compile(
    r"^/(?P<name>[A-Za-z0-9.\-]{2,80})(?:/(?:posts|videos|photos|reels|reel|permalink|events|about)(?:/.*)?)?/?$"
)
_FACEBOOK_PEOPLE = re.compile(r"^/people/[^/]+/(?P<id>\d{5,25})/?$")
# First path words of those sites that are pages of the site, not accounts.
_NOT_ACCOUNTS = frozenset(
    {"home", "search", "explore", "hashtag", "i", "intent", "share", "sharer", "sharer.php", "watch",
     "p", "reel", "reels", "stories", "groups", "events", "photo", "photo.php", "photos", "video",
     "videos", "login", "status", "profile.php", "permalink.php", "story.php", "joinchat", "s", "c",
     "channel", "shorts", "tv", "accounts", "settings", "notifications", "messages", "plugins",
     "dialog", "gaming", "marketplace", "pages", "post", "posts", "direct", "addstickers"}
)  # fmt: skip


class AccountUrlError(ValueError):
    """A URL that does not say which account it is on; the message (translated) says what to
    copy instead."""


@dataclass(frozen=True)
class AccountRef:
    """The account a URL is on: its platform and its handle (without "@") or its id (a Facebook
    Page's, a YouTube channel's, a WhatsApp channel's, a Telegram chat's); for the portal, the
    office's slug as handle."""

    platform: str
    handle: str = ""
    account_id: str = ""

    @property
    def label(self) -> str:
        """How a person recognises it: "@kpujepara", or its id."""
        if self.platform == Platform.PORTAL:
            return _("portal %(slug)s") % {"slug": self.handle}
        if self.handle:
            return f"@{self.handle}"
        return _("ID %(id)s") % {"id": self.account_id}


def platform_label(platform: str) -> str:
    return str(dict(Platform.choices).get(platform, platform))


def _portal_hosts() -> dict[str, str]:
    """The portal's host names and, for an office served on its own, that office's slug ("")."""
    hosts = {urlsplit(str(settings.HUMAS_PUBLIC_BASE_URL)).hostname or "": ""}
    for host, slug in settings.HUMAS_SITE_HOSTS.items():
        hosts[host.lower()] = slug
    hosts.pop("", None)
    return hosts


def platform_of_host(host: str) -> str:
    """The platform a host name belongs to ("" for none Humas knows)."""
    host = host.lower()
    for platform, hosts in HOSTS.items():
        if host in hosts:
            return platform
    if host in _portal_hosts():
        return Platform.PORTAL
    return ""


def _no_owner(platform: str) -> AccountUrlError:
    messages: dict[str, str] = {
        Platform.INSTAGRAM: _(
            "Tautan Instagram itu tidak memuat nama akunnya. Buka unggahannya di profil akun, lalu "
            "salin tautan yang memuat nama akun, misalnya %(example)s."
        ),
        Platform.YOUTUBE: _(
            "Tautan YouTube itu tidak memuat kanalnya. Gunakan tautan dari halaman kanal, misalnya "
            "%(example)s atau https://www.youtube.com/channel/UC…/…"
        ),
        Platform.FACEBOOK: _(
            "Tautan Facebook itu tidak memuat nama atau ID halamannya (tautan bagikan atau tautan pendek). "
            "Buka unggahannya di halaman Facebook kantor, lalu salin tautannya, misalnya %(example)s."
        ),
    }
    message = messages.get(
        platform,
        _(
            "Tautan %(platform)s itu tidak memuat nama akunnya. Salin tautan unggahannya, misalnya %(example)s."
        ),
    )
    return AccountUrlError(message % {"platform": platform_label(platform), "example": EXAMPLES[platform]})


def _facebook(path: str, query: str) -> AccountRef:
    params = parse_qs(query)
    page = path.rstrip("/").lower()
    if page in ("/profile.php", "/permalink.php", "/story.php"):
        value = (params.get("id") or [""])[0]
        if value.isdigit():
            return AccountRef(Platform.FACEBOOK, account_id=value)
        raise _no_owner(Platform.FACEBOOK)
    people = _FACEBOOK_PEOPLE.match(path)
    if people is not None:
        return AccountRef(Platform.FACEBOOK, account_id=people["id"])
    named = _FACEBOOK_NAMED.match(path)
    if named is None or named["name"].lower() in _NOT_ACCOUNTS:
        raise _no_owner(Platform.FACEBOOK)
    name = named["name"]
    return AccountRef(
        Platform.FACEBOOK, handle="" if name.isdigit() else name, account_id=name if name.isdigit() else ""
    )


def _portal(host: str, path: str) -> AccountRef:
    own_host = _portal_hosts().get(host, "")
    first = path.strip("/").split("/", 1)[0]
    if own_host:
        return AccountRef(Platform.PORTAL, handle=own_host)
    if first and first != NATIONAL_SLUG and Office.objects.filter(slug=first).exists():
        return AccountRef(Platform.PORTAL, handle=first)
    return AccountRef(Platform.PORTAL, handle=NATIONAL_SLUG)


def _match(pattern: re.Pattern[str], path: str, platform: str) -> re.Match[str]:
    found = pattern.match(path)
    if found is None:
        raise _no_owner(platform)
    return found


def _on_fake(url: str) -> tuple[str, str, str] | None:
    """(platform, path, query) of a link to a platform's site moved elsewhere by
    ``HUMAS_PLATFORM_WEB_URLS`` (the demo's fakes show each post at ``…/_fake/x/<handle>/status/…``),
    read as the same path on the platform's own site."""
    for platform, base in settings.HUMAS_PLATFORM_WEB_URLS.items():
        base = str(base).rstrip("/")
        if platform in HOSTS and base and url.startswith(base + "/"):
            rest = urlsplit("https://platform" + url[len(base) :])
            return platform, rest.path, rest.query
    return None


def url_account(url: str) -> tuple[str, AccountRef]:
    """``url`` cleaned (https, no fragment; a portal URL or a link to a moved platform site keeps
    its own) and the account it is on. AccountUrlError, with what to give instead, for a URL that
    is not one or that does not name its account."""
    url = url.replace("\x00", "").strip()
    if not url:
        raise AccountUrlError(_("Masukkan tautannya."))
    if len(url) > URL_MAX:
        raise AccountUrlError(_("Tautan terlalu panjang (batas %(limit)s karakter).") % {"limit": URL_MAX})
    if any(c.isspace() for c in url):
        raise AccountUrlError(_("Tautan tidak boleh mengandung spasi."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AccountUrlError(_("Tautan itu tidak dapat dibaca.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise AccountUrlError(_("Tautan harus diawali https://."))
    host = (parts.hostname or "").lower()
    moved = _on_fake(url)
    if moved is not None:
        platform, path, query = moved
        return parts._replace(fragment="").geturl(), _platform_account(platform, "", path or "/", query)
    platform = platform_of_host(host)
    if not platform or parts.username is not None or parts.password is not None:
        raise AccountUrlError(
            _(
                "Tautan itu bukan alamat X, Facebook, Instagram, TikTok, Telegram, YouTube, Saluran "
                "WhatsApp atau portal Humas."
            )
        )
    if platform == Platform.PORTAL:
        return parts._replace(fragment="").geturl(), _portal(host, parts.path)
    if port not in (None, 443):
        raise AccountUrlError(_("Tautan itu tidak dapat dibaca."))
    clean = parts._replace(scheme="https", netloc=host, fragment="").geturl()
    return clean, _platform_account(platform, host, parts.path or "/", parts.query)


def _platform_account(platform: str, host: str, path: str, query: str) -> AccountRef:
    """The account the path (and query) of a link on ``platform``'s site names."""
    if path.strip("/") == "" and platform != Platform.YOUTUBE:
        raise _no_owner(platform)
    first = path.strip("/").split("/", 1)[0].lstrip("@").lower()
    if platform == Platform.X:
        found = _match(_X_PATH, path, platform)
        if found["handle"].lower() in _NOT_ACCOUNTS:
            raise _no_owner(platform)
        return AccountRef(platform, handle=found["handle"])
    if platform == Platform.FACEBOOK:
        return _facebook(path, query)
    if platform == Platform.INSTAGRAM:
        found = _match(_INSTAGRAM_PATH, path, platform)
        if first in _NOT_ACCOUNTS:
            raise _no_owner(platform)
        return AccountRef(platform, handle=found["handle"])
    if platform == Platform.TIKTOK:
        return AccountRef(platform, handle=_match(_TIKTOK_PATH, path, platform)["handle"])
    if platform == Platform.TELEGRAM:
        private = _TELEGRAM_PRIVATE.match(path)
        if private is not None:
            return AccountRef(platform, account_id=f"-100{private['id']}")
        found = _match(_TELEGRAM_PATH, path, platform)
        if found["handle"].lower() in _NOT_ACCOUNTS:
            raise _no_owner(platform)
        return AccountRef(platform, handle=found["handle"])
    if platform == Platform.YOUTUBE:
        if host != "youtu.be":
            handle = _YOUTUBE_HANDLE.match(path)
            if handle is not None:
                return AccountRef(platform, handle=handle["handle"])
            channel = _YOUTUBE_CHANNEL.match(path)
            if channel is not None:
                return AccountRef(platform, account_id=channel["id"])
        raise _no_owner(platform)
    # WhatsApp Channel: its id is the account.
    return AccountRef(platform, account_id=_match(_WHATSAPP_PATH, path, platform)["id"])


def _known(channel: Channel) -> tuple[set[str], set[str]]:
    """The handles (casefolded, without "@") and ids that name ``channel``: declared and
    authorised, and those its own account URLs carry."""
    handles = {h.strip().lstrip("@").casefold() for h in (channel.handle, channel.authorised_handle)}
    ids = {channel.account_id.strip()} if channel.account_id.strip() else set()
    for url in (channel.url, channel.authorised_url):
        if not url:
            continue
        try:
            _clean, ref = url_account(url)
        except AccountUrlError:
            continue
        if ref.platform == channel.platform:
            if ref.handle:
                handles.add(ref.handle.casefold())
            if ref.account_id:
                ids.add(ref.account_id)
    chat = channel.account_id.strip()
    if channel.platform == Platform.TELEGRAM and chat and not chat.lstrip("-").isdigit():
        # Connected by its @username: that is its handle until the platform's own id replaces it.
        handles.add(chat.lstrip("@").casefold())
    handles.discard("")
    ids.discard("")
    return handles, ids


def ref_is_channel(channel: Channel, ref: AccountRef) -> bool:
    """Whether the account ``ref`` is ``channel``'s (a portal URL: the channel's office's)."""
    if ref.platform != channel.platform:
        return False
    if channel.platform == Platform.PORTAL:
        return ref.handle == channel.office.slug
    handles, ids = _known(channel)
    return bool(
        (ref.handle and ref.handle.casefold() in handles) or (ref.account_id and ref.account_id in ids)
    )


def url_belongs_to_channel(channel: Channel, url: str) -> bool:
    """Whether ``url`` is a post (or the profile) of ``channel``'s account on its platform: the
    host is that platform's, and the handle or id the URL names is the channel's declared one
    (``handle``, ``account_id``, ``url``) or the one it is authorised as (``authorised_handle``,
    ``authorised_url``). A URL that does not name its account does not belong to any."""
    try:
        _clean, ref = url_account(url)
    except AccountUrlError:
        return False
    return ref_is_channel(channel, ref)


def channel_account_label(channel: Channel) -> str:
    """The account as a person names it: "@kpujepara" (or its name when it has no handle)."""
    if channel.platform == Platform.PORTAL:
        return _("portal %(office)s") % {"office": channel.office.name}
    handle = channel.handle.strip().lstrip("@")
    return f"@{handle}" if handle else channel.name
