"""The impersonation watch: every account an item shows — its author, the @handles it mentions,
the profile links in it — is looked up among the offices' official accounts
(``humas.textkit.lookalike``); one that imitates an office's accounts is recorded for that office
to decide (``humas.channels.lookalikes``). Runs after each batch of the pipeline, outside its
transactions: a worker remembers each account it looked up, so a repeated author costs a lookup
in a dictionary."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from humas.channels.lookalikes import lookalike_record
from humas.channels.models import Channel
from humas.offices.models import Office
from humas.textkit.lookalike import Hit, LookalikeIndex, Official

from .models import Item

SOCIAL = frozenset({"facebook", "instagram", "x", "telegram", "youtube", "tiktok"})
REFRESH_SECONDS = 60  # how long a worker trusts its index before it checks the registry again
REMEMBERED = 100_000  # accounts looked up, remembered per worker

_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_.]{3,50})")
_PROFILE_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "x",
        re.compile(
            r"https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/@?([A-Za-z0-9_]{2,30})(?=[/?#\s]|$)", re.I
        ),
    ),
    ("instagram", re.compile(r"https?://(?:www\.)?instagram\.com/([A-Za-z0-9_.]{2,30})(?=[/?#\s]|$)", re.I)),
    (
        "facebook",
        re.compile(r"https?://(?:www\.|m\.|web\.)?facebook\.com/([A-Za-z0-9.]{3,60})(?=[/?#\s]|$)", re.I),
    ),
    ("tiktok", re.compile(r"https?://(?:www\.)?tiktok\.com/@([A-Za-z0-9_.]{2,30})(?=[/?#\s]|$)", re.I)),
    ("telegram", re.compile(r"https?://(?:t\.me|telegram\.me)/([A-Za-z0-9_]{4,40})(?=[/?#\s]|$)", re.I)),
    (
        "youtube",
        re.compile(r"https?://(?:www\.|m\.)?youtube\.com/@([A-Za-z0-9_.-]{3,40})(?=[/?#\s]|$)", re.I),
    ),
)
# Path words of those sites that are pages, not accounts.
_NOT_ACCOUNTS = frozenset(
    {"home", "search", "explore", "hashtag", "i", "intent", "share", "sharer", "watch", "p", "reel", "reels",
     "stories", "groups", "events", "photo", "photos", "video", "videos", "login", "status", "profile.php",
     "permalink.php", "story.php", "joinchat", "s", "c", "channel", "shorts", "tv", "accounts", "settings"}
)  # fmt: skip


@dataclass(frozen=True)
class Seen:
    platform: str
    handle: str


def accounts_in(item: Item) -> set[Seen]:
    """The accounts an item shows: its author (on its platform), the @handles it mentions (on
    its platform when it is a social one), and the profile links in its text or address."""
    found: set[Seen] = set()
    platform = item.platform if item.platform in SOCIAL else ""
    if item.author_handle and platform:
        found.add(Seen(platform, item.author_handle.lstrip("@")))
    text = item.text or ""
    if "@" in text:
        for handle in _MENTION.findall(text):
            found.add(Seen(platform, handle.rstrip(".")))
    if "http" in text or item.url:
        for link_platform, pattern in _PROFILE_LINKS:
            for source in (text, item.url or ""):
                for handle in pattern.findall(source):
                    if handle.lower() not in _NOT_ACCOUNTS:
                        found.add(Seen(link_platform, handle))
    return {s for s in found if s.handle}


class _Watch:
    """The index over the official accounts, rebuilt when the registry changed, and the accounts
    this worker looked up with what they imitate (nothing, for most)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: LookalikeIndex | None = None
        self._version: tuple[object, ...] | None = None
        self._checked = 0.0
        self._channels: dict[tuple[str, str], int] = {}
        self._offices: dict[str, int] = {}
        self._seen: OrderedDict[Seen, tuple[Hit, ...]] = OrderedDict()

    def _registry_version(self) -> tuple[object, ...]:
        channels = Channel.objects.filter(is_official=True).aggregate(
            n=Count("pk"), changed=Max("updated_at")
        )
        offices = Office.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
        return (channels["n"], channels["changed"], offices["n"], offices["changed"])

    def _build(self) -> None:
        officials: list[Official] = []
        self._channels = {}
        self._offices = {}
        for office in Office.objects.filter(
            is_active=True, level__in=[Office.Level.PUSAT, Office.Level.PROVINSI, Office.Level.KABKOTA]
        ).only("pk", "code", "name"):
            self._offices[office.code] = office.pk
            # The office itself, even without a registered account: its place is known, so another
            # office's real account is not read as an imitation of a neighbour.
            officials.append(Official(handle="", name=office.name, office=office.code))
        for channel in Channel.objects.filter(is_official=True, is_active=True).select_related("office"):
            if channel.office.code not in self._offices:
                continue
            handle = channel.handle.lstrip("@")
            officials.append(
                Official(
                    handle=handle, name=channel.name, platform=channel.platform, office=channel.office.code
                )
            )
            if handle:
                self._channels[(channel.platform, handle.casefold())] = channel.pk
        self._index = LookalikeIndex(officials)
        self._seen.clear()

    def lookup(self, accounts: Iterable[Seen]) -> dict[Seen, tuple[Hit, ...]]:
        with self._lock:
            now = time.monotonic()
            if self._index is None or now - self._checked >= REFRESH_SECONDS:
                version = self._registry_version()
                if version != self._version or self._index is None:
                    self._build()
                    self._version = version
                self._checked = now
            index = self._index
            assert index is not None  # noqa: S101 - built above
            found: dict[Seen, tuple[Hit, ...]] = {}
            for seen in accounts:
                hits = self._seen.get(seen)
                if hits is None:
                    hits = tuple(index.find(seen.handle, platform=seen.platform)[:1])
                    self._seen[seen] = hits
                    while len(self._seen) > REMEMBERED:
                        self._seen.popitem(last=False)
                if hits:
                    found[seen] = hits
            return found

    def official_channel(self, platform: str, handle: str) -> int | None:
        return self._channels.get((platform, handle.lstrip("@").casefold())) if handle else None

    def office_id(self, code: str) -> int | None:
        return self._offices.get(code)

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._version = None
            self._seen.clear()


_watch = _Watch()


def lookalikes_watch(items: Sequence[Item]) -> int:
    """Look up the accounts these items show; record each imitation seen. Returns how many
    imitating accounts were seen."""
    per_item = {item.pk: accounts_in(item) for item in items}
    wanted = {seen for accounts in per_item.values() for seen in accounts}
    if not wanted:
        return 0
    hits = _watch.lookup(wanted)
    if not hits:
        return 0
    where: dict[Seen, list[int]] = defaultdict(list)
    for item_id, accounts in per_item.items():
        for seen in accounts:
            if seen in hits:
                where[seen].append(item_id)
    offices = {
        o.code: o for o in Office.objects.filter(code__in={h[0].official.office for h in hits.values()})
    }
    channel_ids = {
        hit.official: _watch.official_channel(hit.official.platform, hit.official.handle)
        for hit, *_ in hits.values()
    }
    channels = Channel.objects.in_bulk([pk for pk in channel_ids.values() if pk is not None])
    now = timezone.now()
    for seen, (hit, *_rest) in hits.items():
        office = offices.get(hit.official.office)
        if office is None:
            continue
        channel_id = channel_ids.get(hit.official)
        lookalike_record(
            office=office,
            official=channels.get(channel_id) if channel_id else None,
            platform=seen.platform,
            handle=seen.handle,
            score=hit.score,
            reasons=hit.reasons,
            item_ids=where[seen],
            seen_at=now,
            seen=len(where[seen]),
        )
    return len(hits)
