"""Assisted channels: WhatsApp Channel, TikTok and YouTube community posts have no publishing API.

Publishing a post to one makes a delivery in state "manual" ("Menunggu diunggah manual") that the
delivery engine and the sweeper never touch. The post's page shows a copy-ready panel (the exact
text for the platform, the post's images, a link to open the platform); a person posts it there
and records the public URL ("Tandai sudah terbit"). The URL must be on that platform's domain and
point at one post; the delivery then counts as sent like any other channel. An editor can undo a
wrong URL. When the publication is withdrawn, a sent assisted delivery tells the person to delete
the post by hand (with its URL) until they confirm it is gone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.models import Channel, Platform
from humas.offices import policy

from .models import Delivery, Post
from .services import PublishingError, post_text_for

State = Delivery.State
ASSISTED_PLATFORMS = frozenset({Platform.WHATSAPP, Platform.TIKTOK, Platform.YOUTUBE})
URL_MAX = 500  # Delivery.url


@dataclass(frozen=True)
class AssistedPlatform:
    hosts: frozenset[str]
    open_url: str  # where a person posts when the channel has no URL of its own
    example: str  # the shape of a post's public URL, shown in the form


PLATFORMS: dict[str, AssistedPlatform] = {
    Platform.WHATSAPP: AssistedPlatform(
        hosts=frozenset({"whatsapp.com", "www.whatsapp.com"}),
        open_url="https://web.whatsapp.com/",
        example="https://whatsapp.com/channel/0029Va…/123",
    ),
    Platform.TIKTOK: AssistedPlatform(
        hosts=frozenset({"tiktok.com", "www.tiktok.com", "m.tiktok.com"}),
        open_url="https://www.tiktok.com/upload",
        example="https://www.tiktok.com/@akun/video/7300000000000000000",
    ),
    Platform.YOUTUBE: AssistedPlatform(
        hosts=frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}),
        open_url="https://www.youtube.com/",
        example="https://www.youtube.com/post/Ugkx…",
    ),
}

_WHATSAPP_PATH = re.compile(r"^/channel/(?P<channel>[A-Za-z0-9]{10,40})(?:/(?P<message>\d{1,12}))?/?$")
_TIKTOK_PATH = re.compile(r"^/@(?P<handle>[A-Za-z0-9._]{2,24})/(?:video|photo)/(?P<id>\d{8,25})/?$")
_YOUTUBE_ID = r"[A-Za-z0-9_-]{6,80}"
_YOUTUBE_PATHS = re.compile(rf"^/(?:post|shorts|live)/(?P<id>{_YOUTUBE_ID})/?$")
_YOUTU_BE_PATH = re.compile(rf"^/(?P<id>{_YOUTUBE_ID})/?$")
_YOUTUBE_ID_ONLY = re.compile(rf"^{_YOUTUBE_ID}$")


def is_assisted(channel: Channel) -> bool:
    return channel.platform in ASSISTED_PLATFORMS


def assisted_url_check(*, channel: Channel, url: str) -> tuple[str, str]:
    """The public URL of a post on an assisted channel, checked: on the platform's own domain and
    pointing at one post. Returns (url, the post's id on the platform); raises PublishingError
    with a precise, translated message otherwise."""
    spec = PLATFORMS[channel.platform]
    name = channel.get_platform_display()
    url = url.replace("\x00", "").strip()
    if not url:
        raise PublishingError(_("Masukkan tautan publik unggahan di %(platform)s.") % {"platform": name})
    if len(url) > URL_MAX:
        raise PublishingError(_("Tautan terlalu panjang (batas %(limit)s karakter).") % {"limit": URL_MAX})
    if any(c.isspace() for c in url):
        raise PublishingError(_("Tautan tidak boleh mengandung spasi."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise PublishingError(_("Tautan itu tidak dapat dibaca.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise PublishingError(_("Tautan harus diawali https://."))
    host = (parts.hostname or "").lower()
    if (
        parts.username is not None
        or parts.password is not None
        or port not in (None, 443)
        or host not in spec.hosts
    ):
        raise PublishingError(
            _("Tautan itu bukan alamat %(platform)s: gunakan tautan di %(domains)s, misalnya %(example)s.")
            % {
                "platform": name,
                "domains": ", ".join(sorted(h for h in spec.hosts if not h.startswith(("www.", "m.")))),
                "example": spec.example,
            }
        )
    post_id = _post_id(channel, host, parts.path, parts.query)
    # Stored as https on the host given (http links from the app are the same page).
    clean = parts._replace(scheme="https", netloc=host, fragment="").geturl()
    return clean, post_id


def _post_id(channel: Channel, host: str, path: str, query: str) -> str:
    spec = PLATFORMS[channel.platform]
    if channel.platform == Platform.WHATSAPP:
        match = _WHATSAPP_PATH.match(path)
        if match is None:
            raise PublishingError(
                _("Tautan Saluran WhatsApp harus berbentuk %(example)s (tautan saluran atau pesannya).")
                % {"example": spec.example}
            )
        return f"{match['channel']}/{match['message']}" if match["message"] else match["channel"]
    if channel.platform == Platform.TIKTOK:
        match = _TIKTOK_PATH.match(path)
        if match is None:
            raise PublishingError(
                _("Tautan TikTok harus menunjuk ke satu video atau foto: %(example)s.")
                % {"example": spec.example}
            )
        handle = channel.handle.strip().lstrip("@")
        if handle and match["handle"].casefold() != handle.casefold():
            raise PublishingError(
                _("Tautan itu unggahan akun @%(found)s, bukan akun kanal ini (@%(handle)s).")
                % {"found": match["handle"], "handle": handle}
            )
        return match["id"]
    # YouTube: a community post, a Short, a live stream or a video — one post, not a channel page.
    params = parse_qs(query)
    if host == "youtu.be":
        match = _YOUTU_BE_PATH.match(path)
        if match is not None:
            return match["id"]
    else:
        match = _YOUTUBE_PATHS.match(path)
        if match is not None:
            return match["id"]
        for key, paths in (("v", ("/watch",)), ("lb", None)):
            value = (params.get(key) or [""])[0]
            if value and _YOUTUBE_ID_ONLY.match(value) and (paths is None or path.rstrip("/") in paths):
                return value
    raise PublishingError(
        _(
            "Tautan YouTube harus menunjuk ke satu unggahan, misalnya https://www.youtube.com/post/…, "
            "…/shorts/…, …/watch?v=… atau https://youtu.be/…, bukan halaman kanal."
        )
    )


def _lock(delivery: Delivery) -> Delivery:
    return (
        Delivery.objects.select_for_update()
        .select_related("channel", "publication__post__office")
        .get(pk=delivery.pk)
    )


def _record_sent(locked: Delivery, *, actor: User, url: str, post_id: str) -> datetime:
    """A person recorded where the post is: the (locked) delivery is sent, by them, now."""
    now = timezone.now()
    locked.state, locked.url, locked.platform_post_id = State.SENT, url, post_id
    locked.sent_at, locked.marked_by = now, actor
    locked.error_class = locked.error_message = ""
    locked.save(
        update_fields=[
            "state",
            "url",
            "platform_post_id",
            "sent_at",
            "marked_by",
            "error_class",
            "error_message",
            "updated_at",
        ]
    )
    return now


def delivery_mark_published(*, actor: User, delivery: Delivery, url: str) -> Delivery:
    """A person posted an assisted delivery by hand: record its public URL, who and when; the
    delivery is sent. Needs content.publish at the post's office; only a delivery waiting to be
    posted by hand (state "manual") can be marked."""
    office = delivery.publication.post.office
    policy.require(actor, "content.publish", office)
    if not is_assisted(delivery.channel):
        raise PublishingError(_("Kanal ini diterbitkan otomatis oleh Humas."))
    clean, post_id = assisted_url_check(channel=delivery.channel, url=url)
    with transaction.atomic():
        locked = _lock(delivery)
        if locked.state != State.MANUAL:
            raise PublishingError(
                _("Pengiriman ini tidak menunggu diunggah manual (status: %(state)s).")
                % {"state": locked.get_state_display()}
            )
        now = _record_sent(locked, actor=actor, url=clean, post_id=post_id)
        audit_record(
            actor=actor,
            office=office,
            action="delivery.mark_published",
            obj=locked,
            changes={"channel": locked.channel_id, "url": clean, "at": now.isoformat()},
        )
    return locked


def delivery_unmark_published(*, actor: User, delivery: Delivery) -> Delivery:
    """Undo "Tandai sudah terbit" (a wrong URL): the delivery waits to be posted by hand again.
    Needs content.approve (an Editor or above); only for an assisted delivery marked by a person
    of a publication that is not withdrawn."""
    office = delivery.publication.post.office
    policy.require(actor, "content.approve", office)
    with transaction.atomic():
        locked = _lock(delivery)
        if (
            not is_assisted(locked.channel)
            or locked.state != State.SENT
            or locked.marked_by_id is None
            or locked.publication.withdrawn_at is not None
        ):
            raise PublishingError(_("Tanda terbit pengiriman ini tidak dapat dibatalkan."))
        before = {"url": locked.url, "marked_by": locked.marked_by_id}
        locked.state, locked.url, locked.platform_post_id = State.MANUAL, "", ""
        locked.sent_at, locked.marked_by = None, None
        locked.save(update_fields=["state", "url", "platform_post_id", "sent_at", "marked_by", "updated_at"])
        audit_record(
            actor=actor, office=office, action="delivery.unmark_published", obj=locked, changes=before
        )
    return locked


def delivery_mark_deleted(*, actor: User, delivery: Delivery) -> Delivery:
    """After a withdrawal, a person deleted the post on the assisted platform by hand and says so:
    the delivery is withdrawn. Needs content.publish; only for a sent assisted delivery of a
    withdrawn publication."""
    office = delivery.publication.post.office
    policy.require(actor, "content.publish", office)
    with transaction.atomic():
        locked = _lock(delivery)
        if not needs_hand_deletion(locked) or locked.publication.withdrawn_at is None:
            raise PublishingError(_("Pengiriman ini tidak menunggu dihapus manual."))
        locked.state = State.WITHDRAWN
        locked.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            office=office,
            action="delivery.mark_deleted",
            obj=locked,
            changes={"url": locked.url},
        )
    return locked


# --------------------------------------------------------------------------------------------
# API channels: a person found the post the engine could not be sure about


@dataclass(frozen=True)
class FoundPlatform:
    hosts: frozenset[str]
    example: str


FOUND_PLATFORMS: dict[str, FoundPlatform] = {
    Platform.TELEGRAM: FoundPlatform(frozenset({"t.me", "telegram.me"}), "https://t.me/kanal_kpu/123"),
    Platform.X: FoundPlatform(
        frozenset({"x.com", "www.x.com", "twitter.com", "www.twitter.com", "mobile.twitter.com"}),
        "https://x.com/akun/status/1860000000000000000",
    ),
    Platform.FACEBOOK: FoundPlatform(
        frozenset({"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com", "fb.com"}),
        "https://www.facebook.com/halaman/posts/…",
    ),
    Platform.INSTAGRAM: FoundPlatform(
        frozenset({"instagram.com", "www.instagram.com"}), "https://www.instagram.com/p/C0de123/"
    ),
}
_TELEGRAM_PATH = re.compile(r"^/(?P<chat>[A-Za-z][A-Za-z0-9_]{3,31})/(?P<message>\d{1,12})/?$")
_X_PATH = re.compile(r"^/(?P<handle>[A-Za-z0-9_]{1,15})/status/(?P<id>\d{5,25})/?$")
_INSTAGRAM_PATH = re.compile(r"^/(?:p|reel)/[A-Za-z0-9_-]{5,40}/?$")


def found_url_check(*, channel: Channel, url: str) -> tuple[str, str]:
    """The public URL of a post a person found on an API channel: on the platform's domain, one
    post of *this* channel. Returns (url, the post id the connector can delete and read, or "" when
    the link does not carry it — Facebook and Instagram links do not)."""
    spec = FOUND_PLATFORMS[channel.platform]
    name = channel.get_platform_display()
    url = url.replace("\x00", "").strip()
    if not url:
        raise PublishingError(_("Masukkan tautan publik unggahan di %(platform)s.") % {"platform": name})
    if len(url) > URL_MAX or any(c.isspace() for c in url):
        raise PublishingError(_("Tautan itu tidak dapat dibaca."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise PublishingError(_("Tautan itu tidak dapat dibaca.")) from None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() not in ("http", "https")
        or parts.username is not None
        or parts.password is not None
        or port not in (None, 443)
        or host not in spec.hosts
    ):
        raise PublishingError(
            _("Tautan itu bukan alamat %(platform)s, misalnya %(example)s.")
            % {"platform": name, "example": spec.example}
        )
    # The account Humas publishes as (the connected one), which may not be the declared one yet.
    own = (channel.authorised_handle or channel.handle).strip().lstrip("@")
    post_id = ""
    if channel.platform == Platform.TELEGRAM:
        match = _TELEGRAM_PATH.match(parts.path)
        if match is None:
            raise PublishingError(
                _("Tautan Telegram harus menunjuk ke satu pesan kanal: %(example)s.")
                % {"example": spec.example}
            )
        # The connector addresses the chat by its id once verified (by @username before).
        chat = channel.account_id if channel.account_id.lstrip("-").isdigit() else f"@{match['chat']}"
        found_handle, post_id = match["chat"], f"{chat}:{match['message']}"
    elif channel.platform == Platform.X:
        match = _X_PATH.match(parts.path)
        if match is None:
            raise PublishingError(
                _("Tautan X harus menunjuk ke satu unggahan: %(example)s.") % {"example": spec.example}
            )
        found_handle, post_id = match["handle"], match["id"]
    else:
        found_handle = ""
        if channel.platform == Platform.INSTAGRAM and _INSTAGRAM_PATH.match(parts.path) is None:
            raise PublishingError(
                _("Tautan Instagram harus menunjuk ke satu unggahan: %(example)s.")
                % {"example": spec.example}
            )
        if parts.path.strip("/") == "":
            raise PublishingError(_("Tautan itu halaman utama, bukan satu unggahan."))
    if found_handle and own and found_handle.casefold() != own.casefold():
        raise PublishingError(
            _("Tautan itu unggahan akun @%(found)s, bukan akun kanal ini (@%(handle)s).")
            % {"found": found_handle, "handle": own}
        )
    clean = parts._replace(scheme="https", netloc=host, fragment="").geturl()
    return clean, post_id


def delivery_confirm_published(*, actor: User, delivery: Delivery, url: str) -> Delivery:
    """The engine could not tell whether a post went out ("perlu perhatian"); a person looked at
    the channel, found it and gives its public URL: the delivery is sent, never posted again.
    Needs content.publish; only for a delivery of an API channel that needs attention."""
    office = delivery.publication.post.office
    policy.require(actor, "content.publish", office)
    if delivery.channel.platform not in FOUND_PLATFORMS:
        raise PublishingError(_("Kanal ini tidak diterbitkan lewat API."))
    clean, post_id = found_url_check(channel=delivery.channel, url=url)
    with transaction.atomic():
        locked = _lock(delivery)
        if locked.state != State.NEEDS_ATTENTION:
            raise PublishingError(
                _("Pengiriman ini tidak sedang perlu perhatian (status: %(state)s).")
                % {"state": locked.get_state_display()}
            )
        before = {"state": locked.state, "error": locked.error_message}
        now = _record_sent(locked, actor=actor, url=clean, post_id=post_id)
        audit_record(
            actor=actor,
            office=office,
            action="delivery.confirm_published",
            obj=locked,
            changes={**before, "url": clean, "at": now.isoformat()},
        )
    return locked


def needs_hand_deletion(delivery: Delivery) -> bool:
    """A sent delivery Humas cannot delete itself: an assisted channel, or an API channel whose
    post a person recorded by a link that carries no post id."""
    return delivery.state == State.SENT and (is_assisted(delivery.channel) or not delivery.platform_post_id)


def assisted_delete_message(delivery: Delivery) -> str:
    """What the withdrawal report says for a sent assisted delivery."""
    return _("%(platform)s tidak dapat dihapus oleh Humas; hapus manual: %(url)s") % {
        "platform": delivery.channel.get_platform_display(),
        "url": delivery.url,
    }


# --------------------------------------------------------------------------------------------
# The copy-ready panel


@dataclass(frozen=True)
class PanelImage:
    label: str  # the image's alternative text
    download_url: str


@dataclass
class AssistedPanel:
    """One assisted delivery on the post's page: to post ("manual") or to delete by hand."""

    delivery: Delivery
    text: str
    open_url: str
    example: str
    to_delete: bool = False
    can_mark: bool = False
    images: list[PanelImage] = field(default_factory=list)
    error: str = ""
    value: str = ""


def _post_images(post: Post) -> list[PanelImage]:
    return [
        PanelImage(
            label=image.alt_text or str(image.pk),
            download_url=reverse(
                "publishing:assisted_image",
                kwargs={"office_slug": post.office.slug, "post_id": post.pk, "image_id": image.pk},
            ),
        )
        for image in post.images.all()
    ]


def assisted_panels(
    *, post: Post, actor: User, deliveries: list[Delivery] | None = None
) -> list[AssistedPanel]:
    """Panels for the post's assisted deliveries that wait for a person: posting by hand, or
    deleting by hand after a withdrawal. ``deliveries`` defaults to the prefetched ones; the
    forms show only to someone who may publish (content.publish)."""
    can_mark = policy.can(actor, "content.publish", post.office)
    if deliveries is None:
        deliveries = [d for p in post.publications.all() for d in p.deliveries.all()]
    panels: list[AssistedPanel] = []
    images: list[PanelImage] | None = None
    for d in deliveries:
        to_delete = needs_hand_deletion(d) and d.publication.withdrawn_at is not None
        if not (to_delete or (is_assisted(d.channel) and d.state == State.MANUAL)):
            continue
        if images is None:
            images = _post_images(post)
        spec = PLATFORMS.get(d.channel.platform)
        panels.append(
            AssistedPanel(
                delivery=d,
                text=post_text_for(post=post, platform=d.channel.platform),
                open_url=d.channel.url or (spec.open_url if spec else d.url),
                example=spec.example if spec else "",
                to_delete=to_delete,
                can_mark=can_mark,
                images=images,
            )
        )
    return panels


@dataclass
class FoundPanel:
    """A delivery of an API channel that needs a person: check the channel, then either record
    the post found there (its URL) or send again."""

    delivery: Delivery
    example: str
    can_act: bool
    error: str = ""
    value: str = ""


def found_panels(*, post: Post, actor: User, deliveries: list[Delivery] | None = None) -> list[FoundPanel]:
    """Panels for the post's API deliveries in "perlu perhatian" (prefetched deliveries by default)."""
    can_act = policy.can(actor, "content.publish", post.office)
    if deliveries is None:
        deliveries = [d for p in post.publications.all() for d in p.deliveries.all()]
    return [
        FoundPanel(delivery=d, example=FOUND_PLATFORMS[d.channel.platform].example, can_act=can_act)
        for d in deliveries
        if d.state == State.NEEDS_ATTENTION and d.channel.platform in FOUND_PLATFORMS
    ]
