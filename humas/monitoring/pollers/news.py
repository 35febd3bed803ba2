"""Online news: the RSS/Atom feeds an office lists (``config = {"feeds": [url, ...]}``), each new
entry stored as an item with its article's text (humas/monitoring/pollers/_feeds.py reads them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AUTHOR_HANDLE_MAX, EXTERNAL_ID_MAX, TEXT_MAX, ItemPlatform, Source
from ..polling import PollBatch, PollError, register_poller
from ._feeds import Entry, Fresh, feed_urls, feeds_poll, seen_key

BATCH_SIZE = 10


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def entry_text(entry: Entry, article: str) -> str:
    """The item's text: the title, then the article's text (or the entry's summary), bounded."""
    body = article or entry.summary
    if entry.title and body.startswith(entry.title):
        body = body[len(entry.title) :].lstrip()
    text = "\n\n".join(part for part in (entry.title, body) if part)
    return text[:TEXT_MAX].rstrip()


def news_record(feed_url: str, entry: Entry, article: str) -> dict[str, Any]:
    """An entry as an item record (humas/monitoring/records.py); the fields beyond the record's
    own stay in the raw payload."""
    external_id = entry.entry_id
    if len(external_id) > EXTERNAL_ID_MAX:
        external_id = f"sha256:{seen_key(external_id)}"
    published = entry.published_at or timezone.now()
    return {
        "platform": ItemPlatform.NEWS.value,
        "external_id": external_id,
        "url": entry.link,
        "author_handle": (_host(entry.link) or entry.author or _host(feed_url))[:AUTHOR_HANDLE_MAX],
        "text": entry_text(entry, article),
        "published_at": published.isoformat(),
        "title": entry.title,
        "author": entry.author,
        "feed": feed_url,
        "entry_id": entry.entry_id,
        "text_from": "article" if article else "summary",
    }


@register_poller(Source.Kind.NEWS_FEED)
def poll_news(source: Source, cursor: Mapping[str, Any]) -> Iterator[PollBatch]:
    feeds = feed_urls(source.config)
    if not feeds:
        raise PollError(_("Sumber ini belum berisi alamat umpan berita."))

    def make_batch(feed_url: str, fresh: Fresh, cursor: dict[str, Any]) -> PollBatch:
        return PollBatch(records=[news_record(feed_url, e, text) for e, text in fresh], cursor=cursor)

    yield from feeds_poll(feeds=feeds, cursor=cursor, make_batch=make_batch, batch_size=BATCH_SIZE)
