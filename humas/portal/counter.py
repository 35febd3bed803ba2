"""The "Telah dilihat N kali" counter: exact, cheap, and working on pages served from the cache.

A public article page is usually a stored file that no Python runs for, so the page's script
sends a beacon (``POST /_v/<article id>``) once per page view and the beacon is what counts.

* One count per visitor per article per ``HUMAS_VIEW_WINDOW_SECONDS``. A visitor is a first-party
  cookie that the server issues and signs (:func:`visitor_id_new`: a random part and its HMAC
  under a key derived from ``SECRET_KEY``); an id the server did not sign is a new visitor, who is
  given a signed id. The key "this visitor saw this article" is added atomically with the window
  as its lifetime: Redis ``SET NX EX`` when Redis is configured, else an ``INSERT … ON CONFLICT``
  into a small SQLite file beside the embedded database (see :func:`_seen_add`).
* One client address adds at most ``HUMAS_VIEWS_PER_ADDRESS`` views per article per window,
  whatever cookies it sends: dropping or inventing the cookie makes a new visitor every time,
  and the ceiling is what bounds those. It is high enough for a school or an office behind one
  shared address.
* Not counted: crawler and empty user agents, prefetch/prerender requests, signed-in staff,
  requests coming from the back office (``/app/``) and requests from another site's pages.
* A counted view is buffered, never written to a counter row: ``HINCRBY`` into one Redis hash
  (field ``<article id>:<day>``) when Redis is configured, else one appended ArticleViewBuffer row.
* With Redis the beacon touches no database: one Lua script reads the article's entry (present
  while it is published, holding its total as of the last flush), checks the address's ceiling,
  adds the "seen" key, buffers the view and returns the views to show. An article Redis has no
  entry for is looked up in the database once and remembered (:func:`beacon_record`); the flush
  refreshes the entries of the articles it counted and publishing, editing or withdrawing drops
  the article's entry (:func:`article_views_forget`).
* Distinct visitors per office and UTC day, exactly, in the same step: a counted view that is its
  visitor's first of the article's office that day also counts one visitor for the office
  (OfficeVisitorDaily). With Redis the script adds the office (kept in the article's entry beside
  the total) to a hash of the offices the visitor was counted for that day (``HSETNX``, kept
  :data:`VISITOR_DAY_SECONDS`) and buffers a ``v:<office id>:<day>`` field; without Redis the same
  through the "seen" file, and the view's ArticleViewBuffer row carries the office. A beacon that
  is not counted as a view (bot, staff, prefetch, repeat, over the ceiling) is no visitor either.
* Every minute :func:`views_flush` folds the buffer into ArticleViewDaily, ArticleViewTotal and
  OfficeVisitorDaily with one ``INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count``
  each, so totals are at most a minute behind and no increment is lost under concurrent load.
* A beacon answers the total of the last flush plus the article's views waiting in the buffer,
  its own included (with Redis, today's), so the first reader of a new article reads 1. The page
  itself (a cached file shared by every reader) shows the total it was rendered with until the
  beacon answers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from humas.offices.models import Office
from humas.web import limits

from .models import Article, ArticleViewBuffer, ArticleViewDaily, ArticleViewTotal, OfficeVisitorDaily

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script
    from redis.connection import ConnectionInterface

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "hv"
VISITOR_COOKIE_AGE = 60 * 60 * 24 * 365
# A visitor id is 16 random URL-safe characters followed by 20 of their HMAC (15 bytes).
_VISITOR_NONCE_CHARS = 16
_VISITOR_MAC_BYTES = 15
_VISITOR_ID_CHARS = _VISITOR_NONCE_CHARS + 20
# Redis keys (the prefix is a module attribute so tests can give each test its own keys).
REDIS_PREFIX = "humas:views"
# A flush holding the lock longer than this is assumed dead and its batch is taken over.
FLUSH_LOCK_SECONDS = 600
_UPSERT_CHUNK = 500
# How long Redis remembers that an article is published (its entry holds the shown total), and
# that an id is not a published article. The flush renews the entries of articles being read.
ARTICLE_ENTRY_SECONDS = 60 * 60
NOT_PUBLIC_ENTRY_SECONDS = 60
_NOT_PUBLIC = "-"
# How long the offices a visitor was counted for on a day are remembered: past the end of that
# UTC day whenever in it they came (the day is part of the key, so a longer life never merges days).
VISITOR_DAY_SECONDS = 48 * 60 * 60
# The buffer field of an office's visitors of a day, beside the views' "<article id>:<day>".
_VISITORS_FIELD = "v"

# Crawlers, link-preview fetchers, monitors, headless browsers and HTTP libraries. Most of them
# never run the page's script; the ones that do (search engines render pages) say who they are.
BOT_USER_AGENT = re.compile(
    r"(?<!cu)bot\b|crawl|spider|slurp|scraper|archiver|ia_archiver|facebookexternalhit|facebot"
    r"|meta-externalagent|whatsapp|telegrambot|twitterbot|linkedinbot|slackbot|discordbot|skypeuripreview"
    r"|embedly|quora link preview|pinterest|vkshare|bingpreview|mediapartners-google|adsbot"
    r"|google-inspectiontool|googleother|apis-google|feedfetcher|feed|rss|yandex|baiduspider"
    r"|petalbot|semrush|ahrefs|mj12bot|dotbot|bytespider|gptbot|claudebot|ccbot|perplexity"
    r"|headlesschrome|phantomjs|lighthouse|pagespeed|gtmetrix|pingdom|uptime|statuscake|monitor"
    r"|curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|okhttp"
    r"|libwww|node-fetch|axios|undici|scrapy|postman|insomnia|http_request|httpclient",
    re.IGNORECASE,
)

# KEYS: the article's entry ("<total>:<office id>"), the "seen" key, the address's count, the
# buffer, the offices the visitor was counted for today (a hash).
# ARGV: 1 whether this beacon may count, the window, the ceiling (0: none), the address count's
# lifetime, the buffer field, the day, the lifetime of the visitor's offices of the day. Returns
# {views to show, 1 when counted}: the total of the last flush plus today's views waiting in the
# buffer, this one included (the first reader reads 1, not 0). A total of -1 means Redis has no
# entry for the article (ask the database; also for an entry written without its office), -2 that
# the id is no published article.
_BEACON_SCRIPT = """
local entry = redis.call('GET', KEYS[1])
if not entry then return {-1, 0} end
if entry == '-' then return {-2, 0} end
local shown, office = string.match(entry, '^(%d+):(%d+)$')
if not shown then return {-1, 0} end
shown = tonumber(shown)
local function waiting() return shown + tonumber(redis.call('HGET', KEYS[4], ARGV[5]) or '0') end
if ARGV[1] == '0' then return {waiting(), 0} end
local ceiling = tonumber(ARGV[3])
if ceiling > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= ceiling then return {waiting(), 0} end
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return {waiting(), 0} end
if ceiling > 0 then
  redis.call('INCR', KEYS[3])
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
if redis.call('HSETNX', KEYS[5], office, '1') == 1 then
  redis.call('EXPIRE', KEYS[5], ARGV[7])
  redis.call('HINCRBY', KEYS[4], 'v:' .. office .. ':' .. ARGV[6], 1)
end
return {shown + redis.call('HINCRBY', KEYS[4], ARGV[5], 1), 1}
"""


@lru_cache(maxsize=4)
def _visitor_key(secret: str) -> bytes:
    # A key of its own, derived from SECRET_KEY: a visitor id is never a signature usable elsewhere.
    return hashlib.sha256(b"humas.portal.counter.visitor-id\x00" + secret.encode()).digest()


def _visitor_mac(nonce: str, secret: str) -> str:
    digest = hmac.new(_visitor_key(secret), nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_VISITOR_MAC_BYTES]).decode("ascii")


def visitor_id_new() -> str:
    """A new visitor id signed by this server."""
    nonce = secrets.token_urlsafe(12)
    return nonce + _visitor_mac(nonce, settings.SECRET_KEY)


def visitor_id_valid(value: str | None) -> bool:
    """Whether ``value`` is a visitor id this server signed (with SECRET_KEY or a fallback key)."""
    if not value or len(value) != _VISITOR_ID_CHARS or not value.isascii():
        return False
    nonce, mac = value[:_VISITOR_NONCE_CHARS], value[_VISITOR_NONCE_CHARS:]
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(mac, _visitor_mac(nonce, secret)) for secret in secrets_in_use)


def views_per_address() -> int:
    """At most this many views per article per window from one client address (0: no ceiling)."""
    return max(0, int(settings.HUMAS_VIEWS_PER_ADDRESS))


def _window() -> int:
    return max(1, int(settings.HUMAS_VIEW_WINDOW_SECONDS))


@lru_cache(maxsize=4096)
def _is_bot(user_agent: str) -> bool:
    # Beacons of one page carry the same few browser strings over and over; the pattern is long.
    return not user_agent or BOT_USER_AGENT.search(user_agent) is not None


def view_not_counted_reason(
    *,
    user_agent: str,
    headers: Mapping[str, str],
    host: str,
    referrer: str = "",
    authenticated: bool = False,
) -> str | None:
    """Why this beacon must not count ("bot", "prefetch", "staff", "cross-site"), or None.

    ``headers`` are the request's headers (case-insensitive mapping such as ``request.headers``);
    ``host`` is the host the request was sent to; ``referrer`` is the page's own referrer
    (``document.referrer``), which the beacon reports, as the beacon's Referer is the article.
    """
    if _is_bot(user_agent.strip()):
        return "bot"
    purpose = " ".join(
        (headers.get("Sec-Purpose", ""), headers.get("Purpose", ""), headers.get("X-Moz", ""))
    ).lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return "prefetch"
    # The public has no accounts: a signed-in person is staff checking their own page.
    if authenticated:
        return "staff"
    for url in (headers.get("Referer", ""), referrer):
        if _back_office_url(url, host=host):
            return "staff"
    origin = headers.get("Origin", "")
    if origin and not _same_site(origin, host=host):
        # Another site's page posting here on its visitors' behalf would inflate the count.
        return "cross-site"
    return None


def _back_office_url(url: str, *, host: str) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    same_host = not parts.netloc or parts.hostname == urlsplit(f"//{host}").hostname
    return same_host and parts.path.startswith("/app/")


def _same_site(origin: str, *, host: str) -> bool:
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    # Host names only: a proxy may or may not pass the port on, and another port of the same
    # host is not the kind of site this check keeps out.
    try:
        origin_name = urlsplit(origin).hostname
        return origin_name is not None and origin_name == urlsplit(f"//{host}").hostname
    except ValueError:
        return False


def _redis_url() -> str:
    return str(getattr(settings, "REDIS_URL", "") or "")


@lru_cache(maxsize=4)
def _redis_client(url: str) -> Redis:
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)


def redis_client() -> Redis:
    """The client of the configured Redis (``HUMAS_REDIS_URL``); only call when it is set."""
    return _redis_client(_redis_url())


@lru_cache(maxsize=4)
def _beacon_script(url: str) -> Script:
    # Sent by its digest (EVALSHA), loaded again by redis-py if the server forgot it.
    return _redis_client(url).register_script(_BEACON_SCRIPT)


def _resp(parts: Sequence[bytes]) -> bytes:
    """One command in Redis's wire format (RESP): an array of bulk strings."""
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(part), part) for part in parts)


def _evalsha(url: str, keys: Sequence[str], args: Sequence[int | str]) -> list[int]:
    """The beacon script's EVALSHA, written out by hand and sent on this thread's connection.

    The hot path of a busy article: redis-py's generic command path (argument encoding, packing,
    pool checkout, retries, observability hooks) cost about as much CPU as the rest of the beacon
    (measured: 60 → 38 µs of CPU per beacon with hiredis). The connection is made by the client's
    pool, so it keeps what the client was configured with (password, TLS, database); the reply is
    parsed by redis-py's parser (hiredis, a dependency). A server that forgot the script (restart,
    SCRIPT FLUSH) gets it again once.
    """
    from redis.exceptions import ConnectionError, NoScriptError, TimeoutError

    script = _beacon_script(url)
    encoded = (str(x).encode() for x in (*keys, *args))
    command = _resp([b"EVALSHA", script.sha.encode(), b"%d" % len(keys), *encoded])
    connection = _thread_connection(url)
    # Sending twice is safe: the script counts a visitor once per window (SET NX), so a retry
    # after a lost answer never counts again. One retry covers a connection Redis closed while
    # it was idle (its timeout, a restart).
    for attempt in (1, 2):
        try:
            try:
                connection.send_packed_command([command])
                reply = connection.read_response()
            except NoScriptError:
                connection.send_packed_command([_resp([b"SCRIPT", b"LOAD", _BEACON_SCRIPT.encode()])])
                connection.read_response()
                connection.send_packed_command([command])
                reply = connection.read_response()
        except (ConnectionError, TimeoutError):
            connection.disconnect()  # a half-read reply is never taken for the next command's
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise
        else:
            return cast("list[int]", reply)
    raise AssertionError("unreachable")


_local = threading.local()


def _thread_connection(url: str) -> ConnectionInterface:
    """This thread's own connection to Redis for beacons, made like the client's pooled ones
    (same password, TLS and database) and kept for the thread's life: an app server's threads
    live long, and a pool's checkout and return cost more than the command itself."""
    connections: dict[str, ConnectionInterface] = _local.__dict__.setdefault("connections", {})
    if url not in connections:
        connections[url] = _redis_client(url).connection_pool.make_connection()
    return connections[url]


def _buffer_key() -> str:
    return f"{REDIS_PREFIX}:buffer"


def _seen_key(article_id: int, visitor_id: str) -> str:
    return f"{REDIS_PREFIX}:seen:{article_id}:{visitor_id}"


def _article_key(article_id: int) -> str:
    return f"{REDIS_PREFIX}:article:{article_id}"


def _article_entry(views: int, office_id: int) -> str:
    # The script reads both in one GET: the total to show and the office a visitor counts for.
    return f"{views}:{office_id}"


def _visitor_day_key(day: str, visitor_id: str) -> str:
    return f"{REDIS_PREFIX}:visitor:{day}:{visitor_id}"


def _address_part(address: str | None) -> str:
    # Keys hold a hash of the address, never the address itself (as humas.web.limits does).
    return hashlib.sha256((address or "").encode("utf-8")).hexdigest()[:24]


class Beacon(NamedTuple):
    """What a beacon gets: the views to show (None: no published article has this id) and
    whether this beacon was counted. The views are the total of the last flush plus those
    waiting for the next one, this beacon's included: a reader sees their own view at once."""

    views: int | None
    counted: bool


class NotInRedis(Exception):
    """Redis has no entry for the article yet: only the database can say whether it is public."""


def beacon_record(
    *, article_id: int, visitor_id: str, address: str | None, counts: bool, database: bool = True
) -> Beacon:
    """Answer one beacon: count a view of a published article by ``visitor_id`` from ``address``
    when ``counts`` (the caller asked :func:`view_not_counted_reason`), unless this visitor was
    counted for this article within the window or the address reached its ceiling.

    The caller has checked that ``visitor_id`` is one this server signed (or made a new one).
    With ``database=False`` (the WSGI fast path) an article Redis has no entry for raises
    :class:`NotInRedis` instead of being looked up. Raises the database's, the "seen" file's or
    Redis's errors when those are down.
    """
    window = _window()
    if _redis_url():
        views, counted = _beacon_redis(article_id, visitor_id, address, counts=counts, window=window)
        if views == -1:
            if not database:
                raise NotInRedis(article_id)
            _article_remember(article_id, _article_public(article_id=article_id))
            views, counted = _beacon_redis(article_id, visitor_id, address, counts=counts, window=window)
            if views == -1:  # the entry vanished at once (Redis evicting): answer from the database
                return Beacon(article_views_public(article_id=article_id), False)
        return Beacon(None if views < 0 else views, counted)
    if not database:  # the embedded shape counts with the database: only Django answers there
        raise NotInRedis(article_id)
    found = _article_views_with_buffered(article_id=article_id)
    if found is None:
        return Beacon(None, False)
    shown, office_id = found
    if not counts:
        return Beacon(shown, False)
    counted = _record_locally(article_id, office_id, visitor_id, address, window=window)
    return Beacon(shown + 1 if counted else shown, counted)


def _beacon_redis(
    article_id: int, visitor_id: str, address: str | None, *, counts: bool, window: int
) -> tuple[int, bool]:
    # One round trip, atomic: a view is never half-recorded and the ceiling is never overshot.
    slot = int(time.time() // window)
    day = timezone.now().date().isoformat()  # the UTC day: USE_TZ
    keys = [
        _article_key(article_id),
        _seen_key(article_id, visitor_id),
        f"{REDIS_PREFIX}:address:{article_id}:{_address_part(address)}:{slot}",
        _buffer_key(),
        _visitor_day_key(day, visitor_id),
    ]
    args: list[int | str] = [
        int(counts),
        window,
        views_per_address(),
        2 * window,
        f"{article_id}:{day}",
        day,
        VISITOR_DAY_SECONDS,
    ]
    shown, counted = _evalsha(_redis_url(), keys, args)
    return int(shown), bool(counted)


def _record_locally(
    article_id: int, office_id: int, visitor_id: str, address: str | None, *, window: int
) -> bool:
    # The embedded shape: the ceiling is one of humas.web.limits' windows (the local cache).
    ceiling = limits.Limit("views-per-address", count=views_per_address(), seconds=window)
    parts = (str(article_id), _address_part(address))
    if limits.blocked(ceiling, *parts) is not None:
        return False
    if not _seen_add(_seen_key(article_id, visitor_id), window=window):
        return False
    day = timezone.now().date()
    # The visitor's first counted view of this office today: the same row says so (no second write).
    first = _seen_add(
        f"{_visitor_day_key(day.isoformat(), visitor_id)}:{office_id}", window=VISITOR_DAY_SECONDS
    )
    ArticleViewBuffer.objects.create(
        article_id=article_id, day=day, visitor_office_id=office_id if first else None
    )
    limits.hit(ceiling, *parts)
    return True


def article_views_remember(*, article_id: int, views: int | None, office_id: int | None = None) -> None:
    """Tell Redis what the beacon shows for this article (None: the id is no published article)
    and the office its visitors count for (looked up when not given)."""
    if views is not None and office_id is None:
        office_id = Article.objects.filter(pk=article_id).values_list("office_id", flat=True).first()
    _article_remember(article_id, None if views is None or office_id is None else (views, office_id))


def _article_remember(article_id: int, public: tuple[int, int] | None) -> None:
    if public is None:
        redis_client().set(_article_key(article_id), _NOT_PUBLIC, ex=NOT_PUBLIC_ENTRY_SECONDS)
    else:
        redis_client().set(_article_key(article_id), _article_entry(*public), ex=ARTICLE_ENTRY_SECONDS)


def article_views_forget(*, article_id: int) -> None:
    """Drop what Redis remembers about the article (it was published, edited or withdrawn): the
    next beacon asks the database. Called after the change committed; a Redis outage is logged."""
    if not _redis_url():
        return
    import redis

    try:
        redis_client().delete(_article_key(article_id))
    except redis.RedisError as error:
        logger.warning("view counter entry of article %s not dropped: %s", article_id, error)


def _article_entries_refresh(client: Redis, article_ids: Iterable[int]) -> None:
    """After a flush: renew the entries of the articles it counted with their new totals. Only
    entries that exist are renewed (SET XX), so an article withdrawn meanwhile (its entry dropped
    by article_views_forget) is not made public again; one no longer published is marked so."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    rows = (
        Article.objects.filter(pk__in=ids)
        .values_list("pk", "status", "view_total__count", "office_id")
        .order_by()
    )
    state = {int(pk): (status, int(total or 0), int(office)) for pk, status, total, office in rows}
    with client.pipeline(transaction=False) as pipe:
        for article_id in ids:
            status, total, office_id = state.get(article_id, ("", 0, 0))
            if status == Article.Status.PUBLISHED:
                entry = _article_entry(total, office_id)
                pipe.set(_article_key(article_id), entry, ex=ARTICLE_ENTRY_SECONDS, xx=True)
            else:
                pipe.set(_article_key(article_id), _NOT_PUBLIC, ex=NOT_PUBLIC_ENTRY_SECONDS)
        pipe.execute()


# Without Redis, "seen" keys live in their own SQLite file rather than in the file cache: that
# cache's add() is a check-then-write (two beacons of one visitor at once could both count), it
# keeps 300 entries and then drops a random third (visitors would be counted again inside their
# window, and the login throttle's entries would be pushed out with them), and it lists its
# directory on every write. One row per key with an expiry, added atomically, costs one small
# write and is shared by every process on the machine (the embedded shape is one machine).
_seen_local = threading.local()
_seen_setup_lock = threading.Lock()


def seen_path() -> str:
    return str(settings.DATA_DIR / "views-seen.sqlite3")


def _seen_connection() -> sqlite3.Connection:
    """This thread's connection to the "seen" file (a new one when DATA_DIR changed, as in tests)."""
    path = seen_path()
    db: sqlite3.Connection | None = getattr(_seen_local, "db", None)
    if db is not None and getattr(_seen_local, "path", None) == path:
        return db
    if db is not None:
        db.close()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=20, isolation_level=None)
    # Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
    # locked" at once (without its busy wait) when another connection is doing the same: the
    # set-up is serialised in this process and retried against other processes.
    with _seen_setup_lock:
        for attempt in range(40):
            try:
                if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, until REAL NOT NULL) WITHOUT ROWID"
                )
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 39:
                    raise
                time.sleep(min(0.5, 0.01 * (attempt + 1)))
    db.execute("PRAGMA synchronous=NORMAL")
    _seen_local.db, _seen_local.path = db, path
    return db


def _seen_add(key: str, *, window: int) -> bool:
    """Mark ``key`` seen for ``window`` seconds unless it already is; True when it was not."""
    now = time.time()
    cursor = _seen_connection().execute(
        "INSERT INTO seen (key, until) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE seen.until <= ?",
        (key, now + window, now),
    )
    return cursor.rowcount == 1


def _seen_purge() -> None:
    _seen_connection().execute("DELETE FROM seen WHERE until <= ?", (time.time(),))


def article_views_public(*, article_id: int) -> int | None:
    """The counted views of a published article, or None when no published article has this id."""
    found = _article_public(article_id=article_id)
    return None if found is None else found[0]


def _article_public(*, article_id: int) -> tuple[int, int] | None:
    """The counted views of a published article and its office (one query), or None when no
    published article has this id."""
    row = (
        Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED)
        .values_list("view_total__count", "office_id")
        .first()
    )
    return None if row is None else (int(row[0] or 0), int(row[1]))


def _article_views_with_buffered(*, article_id: int) -> tuple[int, int] | None:
    """The embedded shape's number to show: the counted views of a published article plus its
    views waiting in ArticleViewBuffer, and the article's office (one query), or None when no
    published article has this id."""
    waiting = (
        ArticleViewBuffer.objects.filter(article_id=OuterRef("pk"))
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        Article.objects.filter(pk=article_id, status=Article.Status.PUBLISHED)
        .annotate(waiting=Coalesce(Subquery(waiting), 0))
        .values_list("view_total__count", "waiting", "office_id")
        .first()
    )
    return None if row is None else (int(row[0] or 0) + int(row[1]), int(row[2]))


def article_views_total(*, article_id: int) -> int:
    """The counted views of an article as of the last flush (0 before its first)."""
    total = ArticleViewTotal.objects.filter(article_id=article_id).values_list("count", flat=True).first()
    return int(total or 0)


# Flushing ------------------------------------------------------------------------------------


def views_flush() -> int:
    """Fold buffered views into per-day rows and totals, and buffered visitors into the offices'
    per-day rows; returns how many views it applied.

    Safe to run concurrently with counting and with itself, and safe to die at any point: a view
    leaves the database buffer only in the transaction that adds it to the counts; a Redis batch
    is deleted only after that transaction committed, is retried otherwise, and on PostgreSQL
    carries the transaction's id so that a batch already committed is never applied twice.
    """
    # Rows left in the database buffer (say, from before Redis was configured) are flushed too.
    applied = _flush_database()
    if _redis_url():
        applied += _flush_redis()
    else:
        _seen_purge()
    return applied


def _flush_database() -> int:
    buffer = ArticleViewBuffer._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Delete and read in one statement: exactly the rows this snapshot removes are
            # counted, so rows committed meanwhile by concurrent views wait for the next flush.
            sql = (
                f"WITH gone AS (DELETE FROM {buffer} RETURNING article_id, day, visitor_office_id) "  # noqa: S608
                "SELECT article_id, day, visitor_office_id, COUNT(*) FROM gone "
                "GROUP BY article_id, day, visitor_office_id"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql)
                rows = cursor.fetchall()
        else:
            # SQLite: writers are serialised (and the settings begin transactions IMMEDIATE), so
            # nobody can add a row between this read and the delete below.
            last = ArticleViewBuffer.objects.order_by("-pk").values_list("pk", flat=True).first()
            if last is None:
                return 0
            taken = ArticleViewBuffer.objects.filter(pk__lte=last)
            rows = list(
                taken.order_by()
                .values("article_id", "day", "visitor_office_id")
                .annotate(n=Count("pk"))
                .values_list("article_id", "day", "visitor_office_id", "n")
            )
            taken.delete()
        counts: Counter[tuple[int, date]] = Counter()
        visitors: Counter[tuple[int, date]] = Counter()
        for article, day, office, n in rows:
            counts[(int(article), _as_date(day))] += int(n)
            if office is not None:
                visitors[(int(office), _as_date(day))] += int(n)
        return _apply(counts, visitors)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _flush_redis() -> int:
    client = redis_client()
    lock = client.lock(f"{REDIS_PREFIX}:flush-lock", timeout=FLUSH_LOCK_SECONDS, blocking=False)
    if not lock.acquire():
        return 0  # another flush is running; it takes whatever is buffered
    try:
        # Batches of a flush that died are still here; those it had committed are dropped now.
        leftovers = [_text(k) for k in client.scan_iter(match=f"{REDIS_PREFIX}:batch:*", count=100)]
        batches = [key for key in leftovers if _batch_pending(client, key)]
        batch = f"{REDIS_PREFIX}:batch:{uuid.uuid4().hex}"
        # RENAME is atomic: a view goes to the old hash (now this batch) or to a new one.
        if _rename(client, batch):
            batches.append(batch)
        if not batches:
            return 0
        counts: Counter[tuple[int, date]] = Counter()
        visitors: Counter[tuple[int, date]] = Counter()
        for key in batches:
            views_of_batch, visitors_of_batch = _parse_batch(cast("dict[bytes, bytes]", client.hgetall(key)))
            counts.update(views_of_batch)
            visitors.update(visitors_of_batch)
        # On PostgreSQL the batches are stamped with the id of the transaction that applies them,
        # so a flush dying between COMMIT and deleting them cannot make the next one apply them
        # again (see _batch_pending). Inside a caller's transaction the id is not ours to judge.
        stamp = connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic():
            if stamp:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_current_xact_id()::text")
                    xid = cursor.fetchone()[0]
                client.hset(_stamps_key(), mapping=dict.fromkeys(batches, xid))
            applied = _apply(counts, visitors)
        # Only now, with the counts committed, may the batches go.
        _forget(client, batches)
        # The beacons show the new totals from now on, without asking the database.
        _article_entries_refresh(client, (article for article, _day in counts))
        return applied
    finally:
        _release(lock)


def _stamps_key() -> str:
    return f"{REDIS_PREFIX}:batch-xids"


def _batch_pending(client: Redis, batch: str) -> bool:
    """Whether a leftover batch still has to be applied: not when the transaction stamped on it
    committed (it was applied; forget it now) or is still running (its flush outlived the lock)."""
    xid = client.hget(_stamps_key(), batch)
    if xid is None or connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_xact_status(%s::xid8)", [_text(cast("bytes", xid))])
        status = cursor.fetchone()[0]
    if status == "committed":
        _forget(client, [batch])
        return False
    # "aborted": apply it again; None (a transaction too old to know about): apply rather than lose.
    return status != "in progress"


def _forget(client: Redis, batches: list[str]) -> None:
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(*batches)
        pipe.hdel(_stamps_key(), *batches)
        pipe.execute()


def _rename(client: Redis, target: str) -> bool:
    import redis

    try:
        client.rename(_buffer_key(), target)
    except redis.ResponseError:  # no such key: nothing was counted since the last flush
        return False
    return True


def _release(lock: object) -> None:
    import redis

    try:
        lock.release()  # type: ignore[attr-defined]
    except redis.exceptions.LockError:
        logger.warning("view flush outlived its lock")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _parse_batch(raw: Mapping[bytes, bytes]) -> tuple[Counter[tuple[int, date]], Counter[tuple[int, date]]]:
    """A batch's views per (article, day) ("<article id>:<day>" fields) and visitors per (office,
    day) ("v:<office id>:<day>" fields)."""
    counts: Counter[tuple[int, date]] = Counter()
    visitors: Counter[tuple[int, date]] = Counter()
    for field, value in raw.items():
        try:
            kind, rest = _text(field).split(":", 1)
            if kind == _VISITORS_FIELD:
                office, day = rest.split(":", 1)
                visitors[(int(office), date.fromisoformat(day))] += int(value)
            else:
                counts[(int(kind), date.fromisoformat(rest))] += int(value)
        except ValueError:
            logger.warning("dropping malformed view buffer field %r", field)
    return counts, visitors


def _apply(
    counts: Mapping[tuple[int, date], int], visitors: Mapping[tuple[int, date], int] | None = None
) -> int:
    """Add ``counts`` (views per article and day) to the per-day rows and totals and ``visitors``
    (per office and day) to OfficeVisitorDaily: one upsert per table. Call in a transaction.
    Returns the views applied."""
    applied = 0
    if counts:
        # An article deleted since its views were counted takes them with it.
        alive = set(
            Article.objects.filter(pk__in={a for a, _ in counts}).values_list("pk", flat=True).order_by()
        )
        daily = sorted((a, d, n) for (a, d), n in counts.items() if a in alive and n > 0)
        totals: Counter[int] = Counter()
        for article, _day, n in daily:
            totals[article] += n
        # Sorted rows: two flushes touching the same rows lock them in the same order (no deadlock).
        _upsert(ArticleViewDaily._meta.db_table, ("article_id", "day"), daily)
        _upsert(ArticleViewTotal._meta.db_table, ("article_id",), sorted(totals.items()))
        applied = sum(n for _a, _d, n in daily)
    if visitors:
        # The office's visitors stay when the article they read is deleted (they came that day),
        # not when the office is: a row without its office would fail every flush after it.
        offices = set(
            Office.objects.filter(pk__in={o for o, _ in visitors}).values_list("pk", flat=True).order_by()
        )
        rows = sorted((o, d, n) for (o, d), n in visitors.items() if o in offices and n > 0)
        # After the views' tables, in every flush: the same lock order again.
        _upsert(OfficeVisitorDaily._meta.db_table, ("office_id", "day"), rows)
    return applied


def _upsert(table: str, key: Iterable[str], rows: Sequence[tuple[int | date, ...]]) -> None:
    qn = connection.ops.quote_name
    keys = list(key)
    columns = [*keys, "count"]
    conflict = ", ".join(qn(c) for c in keys)
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {qn('count')} = {qn(table)}.{qn('count')} + excluded.{qn('count')}"
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _UPSERT_CHUNK):
            chunk = rows[start : start + _UPSERT_CHUNK]
            params: list[int | date] = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([placeholder] * len(chunk)) + tail, params)
