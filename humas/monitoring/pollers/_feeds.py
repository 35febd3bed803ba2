"""RSS/Atom feeds and the article pages they link to, read for the news and fact-check pollers.

One conditional GET per feed (its ETag and Last-Modified kept in the source's cursor, so a feed
that has not changed answers 304 and costs nothing), parsing by ``feedparser``, article text by
``trafilatura`` (the entry's summary when extraction finds nothing). Every request goes through
:class:`Fetcher`: http and https only, no address on a private or loopback network unless
HUMAS_MONITORING_FEED_ALLOW_PRIVATE (a feed's links are written by strangers and must not reach
the servers beside Humas), redirects followed by hand so each hop is checked, a time limit and a
size cap on every body.

:func:`feeds_poll` drives a poller over its feeds: it remembers which entries of each feed were
seen (their hashed ids, bounded) so restarts never read an entry twice, hands the new ones to the
poller in small groups, and yields each group with the cursor that holds once it is stored. A
feed that fails does not hold back the others; the run ends with a PollError naming it.
"""

from __future__ import annotations

import hashlib
import html
import io
import ipaddress
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from humas import __version__

from ..polling import PollBatch, PollError

log = logging.getLogger(__name__)

USER_AGENT = f"Humas/{__version__} (pemantauan berita KPU; +https://github.com/kpu-humas)"
REDIRECTS_MAX = 5
# Hashed ids of the entries seen per feed: more than a feed ever lists at once.
SEEN_MAX = 500
FEEDS_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def shown_url(url: str) -> str:
    """A feed's address as a sentence names it: host and path, never its query (which may carry
    a key), cut short."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "?"
    shown = f"{parts.hostname or ''}{parts.path}"
    return shown if len(shown) <= 80 else shown[:79] + "…"


def _squash(text: str) -> str:
    """Text with its runs of spaces made one and its blank lines dropped."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\x00", "").splitlines())
    return "\n".join(line for line in lines if line)


def html_to_text(fragment: str) -> str:
    """A feed's summary (sanitised HTML) as plain text."""
    return _squash(html.unescape(strip_tags(fragment)))


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass(frozen=True)
class Entry:
    """One entry of a feed, as the pollers need it."""

    entry_id: str  # the feed's id of the entry, else its link
    link: str  # http(s) or empty
    title: str
    summary: str  # plain text
    author: str
    tags: tuple[str, ...]
    published_at: datetime | None

    @property
    def key(self) -> str:
        return seen_key(self.entry_id)


@dataclass(frozen=True)
class FeedAnswer:
    not_modified: bool
    entries: list[Entry]
    etag: str = ""
    modified: str = ""


def seen_key(entry_id: str) -> str:
    # 64 bits of a hash: a cursor holding hundreds of ids per feed stays a few kilobytes.
    return hashlib.sha256(entry_id.encode("utf-8", "replace")).hexdigest()[:16]


def _address_allowed(host: str, port: int) -> bool:
    if settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE:
        return True
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise PollError(_("Alamat %(host)s tidak ditemukan.") % {"host": host[:80]}) from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return False
    return bool(infos)


class Fetcher:
    """One HTTP client for a poller's run; use as a context manager."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None) -> None:
        seconds = float(settings.HUMAS_MONITORING_FEED_TIMEOUT_SECONDS)
        self.seconds = seconds
        self.max_bytes = int(settings.HUMAS_MONITORING_FEED_MAX_BYTES)
        self._client = httpx.Client(
            timeout=httpx.Timeout(seconds, connect=min(seconds, 10.0)),
            transport=transport,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def _check(self, url: str) -> None:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise PollError(_("Alamat “%(url)s” tidak sah.") % {"url": shown_url(url)}) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PollError(_("Hanya alamat http:// atau https:// yang dapat diambil."))
        if parts.username or parts.password:
            raise PollError(_("Alamat yang memuat nama pengguna atau kata sandi tidak diambil."))
        if not _address_allowed(parts.hostname, port or (443 if parts.scheme == "https" else 80)):
            raise PollError(
                _("Alamat %(host)s ada di jaringan internal; Humas tidak mengambil dari sana.")
                % {"host": parts.hostname[:80]}
            )

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Fetched:
        """GET ``url`` (following up to REDIRECTS_MAX redirects, each checked like the first).
        Raises PollError, with a sentence for people, when it cannot be read."""
        deadline = time.monotonic() + self.seconds * 2
        sent = dict(headers or {})
        for _hop in range(REDIRECTS_MAX + 1):
            self._check(url)
            try:
                with self._client.stream("GET", url, headers=sent) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        # Validators belong to the address they were given for.
                        sent = {k: v for k, v in sent.items() if not k.lower().startswith("if-")}
                        continue
                    return Fetched(
                        url=url,
                        status=response.status_code,
                        headers=response.headers,
                        body=self._read(response, url, deadline),
                    )
            except httpx.TimeoutException:
                raise PollError(_("Waktu habis menunggu %(url)s.") % {"url": shown_url(url)}) from None
            except httpx.HTTPError:
                raise PollError(_("Tidak dapat terhubung ke %(url)s.") % {"url": shown_url(url)}) from None
        raise PollError(_("%(url)s terlalu sering dialihkan.") % {"url": shown_url(url)})

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        too_large = PollError(
            _("Jawaban %(url)s lebih besar dari %(size)s.")
            % {"url": shown_url(url), "size": filesizeformat(self.max_bytes)}
        )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        # Counted after decompression: a small gzip bomb is stopped like a large body.
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise too_large
            if time.monotonic() > deadline:  # a server dripping bytes never ends the read timeout
                raise httpx.ReadTimeout("body too slow")
            chunks.append(chunk)
        return b"".join(chunks)

    def feed(self, url: str, state: Mapping[str, Any]) -> FeedAnswer:
        """The feed at ``url``, asked conditionally with the validators in ``state``."""
        headers = {"Accept": FEEDS_ACCEPT}
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("modified"):
            headers["If-Modified-Since"] = str(state["modified"])
        fetched = self.get(url, headers=headers)
        shown = shown_url(url)
        if fetched.status == 304:
            return FeedAnswer(not_modified=True, entries=[])
        if fetched.status in (429, 503):
            raise PollError(
                _("Umpan %(url)s meminta Humas menunggu (kode %(status)d).")
                % {"url": shown, "status": fetched.status},
                retry_after=_retry_after(fetched.headers.get("retry-after", "")),
            )
        if fetched.status >= 500:
            raise PollError(
                _("Server umpan %(url)s sedang bermasalah (kode %(status)d).")
                % {"url": shown, "status": fetched.status}
            )
        if fetched.status != 200:
            raise PollError(
                _("Umpan %(url)s menjawab kode %(status)d; periksa alamatnya.")
                % {"url": shown, "status": fetched.status}
            )
        parsed = feedparser.parse(
            io.BytesIO(fetched.body),
            response_headers={
                "content-type": fetched.headers.get("content-type", "application/xml"),
                "content-location": fetched.url,
            },
            sanitize_html=True,
            resolve_relative_uris=True,
        )
        if not parsed.get("version"):
            raise PollError(_("Umpan %(url)s tidak berisi RSS atau Atom yang dapat dibaca.") % {"url": shown})
        return FeedAnswer(
            not_modified=False,
            entries=[e for e in (_entry(raw) for raw in parsed.entries) if e is not None],
            etag=str(fetched.headers.get("etag", ""))[:200],
            modified=str(fetched.headers.get("last-modified", ""))[:100],
        )

    def article_text(self, url: str) -> str:
        """The main text of the article page at ``url``; empty when it cannot be read or
        trafilatura finds none (the caller falls back to the entry's summary)."""
        if not url:
            return ""
        try:
            fetched = self.get(url, headers={"Accept": PAGE_ACCEPT})
        except PollError as exc:
            log.info("article not read: %s", exc)
            return ""
        content_type = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
        if fetched.status != 200 or content_type not in _HTML_TYPES or not fetched.body:
            return ""
        import trafilatura  # loaded by the workers that poll, not by every web process

        try:
            text = trafilatura.extract(
                fetched.body,
                url=fetched.url,
                include_comments=False,
                include_tables=False,
                include_images=False,
                include_links=False,
                deduplicate=False,
            )
        except Exception:  # noqa: BLE001 - a page that breaks the extractor falls back to the summary
            log.warning("article text extraction failed for %s", shown_url(url), exc_info=True)
            return ""
        return _squash(text or "")


def _retry_after(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        from email.utils import parsedate_to_datetime

        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _http_link(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    ok = parts.scheme in ("http", "https") and parts.hostname and not any(c.isspace() for c in value)
    return value if ok and len(value) <= 2000 else ""


def _entry(raw: Mapping[str, Any]) -> Entry | None:
    link = _http_link(raw.get("link"))
    entry_id = str(raw.get("id") or "").strip() or link
    if not entry_id:
        return None
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    published_at: datetime | None = None
    if when:
        try:
            # A time.struct_time in UTC (feedparser converts every zone it reads).
            year, month, day, hour, minute, second = (int(part) for part in when[:6])
            published_at = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except (TypeError, ValueError):
            published_at = None
    tags = tuple(
        " ".join(str(t.get("term") or "").split())
        for t in raw.get("tags") or []
        if isinstance(t, Mapping) and t.get("term")
    )
    return Entry(
        entry_id=entry_id,
        link=link,
        title=" ".join(html_to_text(str(raw.get("title") or "")).split()),
        summary=html_to_text(str(raw.get("summary") or "")),
        author=" ".join(str(raw.get("author") or "").split()),
        tags=tags,
        published_at=published_at,
    )


def feed_urls(config: Mapping[str, Any]) -> list[str]:
    """The feed addresses of a source's config, without blanks or repeats, in order."""
    feeds = config.get("feeds")
    if not isinstance(feeds, list):
        return []
    seen: dict[str, None] = {}
    for url in feeds:
        if isinstance(url, str) and url.strip():
            seen.setdefault(url.strip(), None)
    return list(seen)


# A group of new entries of one feed, each with its article's text when asked for.
Fresh = Sequence[tuple[Entry, str]]
MakeBatch = Callable[[str, Fresh, dict[str, Any]], PollBatch]


def _cursor_state(cursor: Mapping[str, Any], feeds: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The cursor's state of each configured feed (feeds no longer configured are dropped)."""
    old = cursor.get("feeds") if isinstance(cursor.get("feeds"), Mapping) else {}
    state: dict[str, dict[str, Any]] = {}
    for url in feeds:
        entry = old.get(url) if isinstance(old, Mapping) else None
        if isinstance(entry, Mapping):
            seen = [s for s in entry.get("seen", []) if isinstance(s, str)][-SEEN_MAX:]
            state[url] = {
                "etag": str(entry.get("etag") or ""),
                "modified": str(entry.get("modified") or ""),
                "seen": seen,
            }
    return state


def _snapshot(state: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {"feeds": {url: {**s, "seen": list(s["seen"])} for url, s in state.items()}}


def feeds_poll(
    *,
    feeds: Sequence[str],
    cursor: Mapping[str, Any],
    make_batch: MakeBatch,
    batch_size: int = 10,
    with_articles: bool = True,
    fetcher: Fetcher | None = None,
) -> Iterator[PollBatch]:
    """Read ``feeds`` and yield the batches ``make_batch(feed_url, fresh, cursor)`` makes of their
    new entries, oldest first, ``batch_size`` at a time.

    Each batch's cursor marks its entries seen; a feed's ETag and Last-Modified join the cursor
    with its last batch only, so a run killed half-way through a feed reads it again in full and
    finds the entries not yet stored still new. The first time a feed is read, and whenever it
    lists more new entries than HUMAS_MONITORING_FEED_ENTRIES_MAX, only the newest that many are
    taken and the rest are marked seen. Feeds that fail are skipped and named, after the others,
    in one PollError."""
    state = _cursor_state(cursor, feeds)
    stored: dict[str, Any] = dict(cursor)  # the cursor as the database holds it now
    limit = max(1, int(settings.HUMAS_MONITORING_FEED_ENTRIES_MAX))
    failures: list[PollError] = []
    own = fetcher is None
    client = fetcher or Fetcher()
    try:
        for url in feeds:
            feed_state = state.get(url, {"etag": "", "modified": "", "seen": []})
            try:
                answer = client.feed(url, feed_state)
            except PollError as exc:
                failures.append(exc)
                continue
            if answer.not_modified:
                continue
            seen = set(feed_state["seen"])
            fresh: list[Entry] = []
            for entry in answer.entries:
                if entry.key not in seen and entry.key not in {e.key for e in fresh}:
                    fresh.append(entry)
            # Feeds list newest first: keep the newest, mark the older backlog seen unread.
            taken, passed = fresh[:limit], fresh[limit:]
            feed_state["seen"] = _remember(feed_state["seen"], [e.key for e in passed])
            state[url] = feed_state
            taken.reverse()
            groups = [taken[i : i + batch_size] for i in range(0, len(taken), batch_size)] or [[]]
            for index, group in enumerate(groups):
                pairs = [(entry, client.article_text(entry.link) if with_articles else "") for entry in group]
                feed_state["seen"] = _remember(feed_state["seen"], [e.key for e in group])
                if index == len(groups) - 1:
                    feed_state["etag"], feed_state["modified"] = answer.etag, answer.modified
                snapshot = _snapshot(state)
                if not pairs and snapshot == stored:
                    continue
                stored = snapshot
                yield make_batch(url, pairs, snapshot)
        final = _snapshot(state)
        if final != stored:
            # Feeds removed from the config leave the cursor even when nothing else changed.
            yield make_batch("", [], final)
    finally:
        if own:
            client.__exit__()
    if failures:
        first = str(failures[0])
        if len(failures) == 1:
            raise PollError(first, retry_after=failures[0].retry_after)
        raise PollError(
            _("%(error)s (dan %(more)d umpan lain gagal)") % {"error": first, "more": len(failures) - 1},
            retry_after=max((f.retry_after or 0.0) for f in failures) or None,
        )


def _remember(seen: list[str], keys: Sequence[str]) -> list[str]:
    if not keys:
        return seen
    present = set(seen)
    return [*seen, *(k for k in keys if k not in present)][-SEEN_MAX:]
