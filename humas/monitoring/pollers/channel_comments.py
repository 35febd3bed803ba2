"""Comments and mentions on the office's own connected channels (``config = {"channel_id": id}``):
Facebook Page post comments, Instagram media comments, X mentions and replies, messages in a
Telegram channel's discussion group, read through the channel's connector with its own
credential (humas/channels/connectors/, ``incoming``).

Each page the platform answers is one batch, with the connector's cursor after that page: the
runner stores both in one transaction, so a poll cut short anywhere resumes after the last
stored page. The cursor is kept with the channel it belongs to; a source pointed at another
channel starts afresh. Facebook and Instagram comments also arrive by webhook
(humas/monitoring/webhooks.py), into the same source: the same comment is stored once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.channels.connectors import ConnectorError, RateLimited, RetryLater
from humas.channels.connectors.base import Incoming, Listener
from humas.channels.models import API_PLATFORMS, Channel
from humas.channels.services import ChannelError

from ..connectors import channel_connector
from ..models import AUTHOR_HANDLE_MAX, TEXT_MAX, Source
from ..polling import PollBatch, PollError, register_poller

if TYPE_CHECKING:
    from collections.abc import Collection


def source_channel(source: Source, *, platforms: Collection[str] = ()) -> Channel:
    """The connected channel of the source's office that ``source.config["channel_id"]`` names.
    Raises PollError saying what a person must fix (a channel of another office is not found)."""
    raw = source.config.get("channel_id") if isinstance(source.config, dict) else None
    try:
        channel_id = int(str(raw))
    except ValueError:
        raise PollError(_("Sumber ini belum memilih kanal kantor yang dibaca.")) from None
    channel = Channel.objects.filter(pk=channel_id, office_id=source.office_id).first()
    if channel is None:
        raise PollError(_("Kanal sumber ini tidak ada lagi di kantor ini; pilih kanal lain."))
    if not channel.is_active:
        raise PollError(_("Kanal %(channel)s sudah dinonaktifkan.") % {"channel": channel})
    allowed = set(platforms or API_PLATFORMS)
    if channel.platform not in allowed:
        raise PollError(
            _("Komentar dan sebutan tidak dapat dibaca dari kanal %(channel)s.") % {"channel": channel}
        )
    return channel


def channel_listener(channel: Channel) -> Listener:
    """The channel's connector with its decrypted credential, sharing the cache-backed waits of
    every worker (a platform's rate limit holds for deliveries and polls alike)."""
    try:
        connector = channel_connector(channel)
    except ChannelError as exc:
        raise PollError(str(exc)) from None
    if not isinstance(connector, Listener):  # pragma: no cover - every HTTP connector listens
        raise PollError(
            _("Komentar dan sebutan tidak dapat dibaca dari kanal %(channel)s.") % {"channel": channel}
        )
    return connector


def poll_failure(error: ConnectorError) -> PollError:
    """A platform's refusal as the source's reason, with the wait a rate limit asked for."""
    message = error.message_in(translation.get_language() or settings.LANGUAGE_CODE)
    until = error.until if isinstance(error, RateLimited) else None
    if until is None and isinstance(error, RetryLater):
        until = error.retry_after
    retry_after = max(1.0, (until - timezone.now()).total_seconds()) if until is not None else None
    return PollError(message, retry_after=retry_after)


def incoming_record(item: Incoming) -> dict[str, Any]:
    """An item as an item record (humas/monitoring/records.py); ``raw`` is the platform's object
    exactly as it answered, kept with the record in the stored payload."""
    published = item.created_at or timezone.now()
    return {
        "platform": item.platform.value,
        "external_id": item.item_id,
        "author_handle": item.author_handle[:AUTHOR_HANDLE_MAX],
        "url": item.url,
        "text": item.text[:TEXT_MAX].rstrip(),
        "published_at": published.astimezone(UTC).isoformat(),
        "reactions": item.reactions,
        "comments": item.comments,
        "shares": item.shares,
        "views": item.views,
        "in_reply_to": item.parent_id or "",
        "raw": item.raw,
    }


def channel_position(cursor: Mapping[str, Any], channel: Channel) -> dict[str, Any]:
    """The connector's cursor, when ``cursor`` was made for this channel; else a fresh start."""
    if cursor.get("channel_id") == channel.pk and isinstance(cursor.get("position"), dict):
        return dict(cursor["position"])
    return {}


@register_poller(Source.Kind.CHANNEL_COMMENTS)
def poll_channel_comments(source: Source, cursor: Mapping[str, Any]) -> Iterator[PollBatch]:
    channel = source_channel(source)
    listener = channel_listener(channel)
    try:
        pages = listener.incoming(
            channel_position(cursor, channel),
            page_size=100,
            max_pages=max(1, int(settings.HUMAS_LISTEN_MAX_PAGES)),
            recent_posts=max(1, int(settings.HUMAS_LISTEN_RECENT_POSTS)),
            recent_days=max(1, int(settings.HUMAS_LISTEN_RECENT_DAYS)),
        )
        for page in pages:
            yield PollBatch(
                records=[incoming_record(item) for item in page.items],
                cursor={"channel_id": channel.pk, "position": page.cursor},
            )
    except ConnectorError as exc:
        raise poll_failure(exc) from None
    finally:
        listener.close()
