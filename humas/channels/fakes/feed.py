"""Feed the fakes from a file: comments on an office's posts, mentions of its X account, public
posts for X's recent search, messages in its Telegram discussion group.

Two shapes are read. A CSV of posts as collected from X (``post_id, created_at, text,
reply_count, retweet_count, quote_count, favorite_count, …``, the shape of
``../shared/data/posts/pilpres2024_tweets.csv``), and JSON Lines in the shape Humas imports
(``external_id, author_handle, text, published_at, reactions, comments, shares, views``; ``id``,
``created_at`` and ``author`` are read too). Rows without text are left out; a row without an
author gets a stable made-up member of the public.

    feed_file(hub, "posts.csv", platform="facebook")          # comments on a new Page post
    feed_file(hub, "posts.csv", platform="x", target="mentions", limit=500)
    POST /_control/feed {"platform": "x", "target": "posts", "path": "…/posts.jsonl", "recent": true}

With ``keep_ids`` each row keeps its own id on the platform (Graph-shaped for Facebook and
Instagram, digits for X) and a row already there is left alone, so feeding the same file again
adds nothing: how ``humas demo`` puts its packaged sample's comments on the fakes (humas/demo/).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .graph import GraphFake
from .telegram import TelegramFake
from .x import XFake

TARGETS = {
    "facebook": ("comments",),
    "instagram": ("comments",),
    "x": ("mentions", "posts", "replies"),
    "telegram": ("comments",),
}


class Fakes(Protocol):
    """What feeding needs of the fakes (fakes/server.py ``FakeHub``)."""

    accounts: list[dict[str, Any]]
    graph: GraphFake
    x: XFake
    telegram: TelegramFake

    def save_state(self) -> None: ...


@dataclass(frozen=True)
class FedRow:
    """One row of a file, as the fakes store it."""

    source_id: str
    text: str
    author: str
    created: float | None
    reactions: int
    comments: int
    shares: int
    views: int


def read_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a ``.csv`` or ``.jsonl`` file, as mappings of column to value."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            value = json.loads(line)
            if not isinstance(value, dict):
                raise ValueError(f"{path.name} line {number}: not a JSON object")
            rows.append(value)
        return rows
    return [dict(row) for row in csv.DictReader(text.splitlines())]


def _count(*values: Any) -> int:
    total = 0
    for value in values:
        try:
            total += max(0, int(str(value).strip() or 0))
        except ValueError:
            continue
    return total


def _time(value: Any) -> float | None:
    if not value:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def fed_row(row: Mapping[str, Any]) -> FedRow | None:
    """A file row in the fakes' terms; None for a row without text."""
    text = str(row.get("text") or "").strip()
    if not text:
        return None
    source_id = str(row.get("post_id") or row.get("external_id") or row.get("id") or "").strip()
    author = str(row.get("author_handle") or row.get("author") or row.get("username") or "").strip()
    author = author.lstrip("@")
    if not author:
        digest = hashlib.sha256((source_id or text).encode()).hexdigest()
        author = f"warga{int(digest[:8], 16) % 1000:03d}"
    return FedRow(
        source_id=source_id,
        text=text,
        author=author,
        created=_time(row.get("created_at") or row.get("published_at")),
        reactions=_count(row.get("favorite_count", row.get("reactions"))),
        comments=_count(row.get("reply_count", row.get("comments"))),
        shares=_count(row.get("retweet_count"), row.get("quote_count"))
        if "retweet_count" in row or "quote_count" in row
        else _count(row.get("shares")),
        views=_count(row.get("views")),
    )


def fed_rows(
    rows: Iterable[Mapping[str, Any]], *, limit: int | None = None, recent_at: float | None = None
) -> list[FedRow]:
    """The rows with text, at most ``limit``. ``recent_at``: times moved together so the newest
    row is at that instant (a week-old sample becomes today's, for X's seven-day search)."""
    found = [r for r in (fed_row(row) for row in rows) if r is not None]
    if limit is not None:
        found = found[:limit]
    if recent_at is not None:
        times = [r.created for r in found if r.created is not None]
        if times:
            shift = recent_at - max(times)
            found = [
                FedRow(**{**r.__dict__, "created": r.created + shift if r.created is not None else recent_at})
                for r in found
            ]
    return found


def feed(
    hub: Fakes,
    rows: Iterable[Mapping[str, Any]],
    *,
    platform: str,
    target: str = "",
    account: int = 0,
    post_id: str = "",
    limit: int | None = None,
    recent: bool = False,
    keep_ids: bool = False,
) -> dict[str, Any]:
    """Store ``rows`` on ``platform`` for the seeded account number ``account`` (0-based) and
    answer ``{"post_id": …, "ids": [...]}``: the post (or group) they hang under and their ids.

    Facebook and Instagram: comments on ``post_id`` (a Page post or an IG media; a new one when
    empty). X: ``mentions`` of the account (its @username is put in front of a text that does not
    name it), public ``posts`` (for recent search) or ``replies`` to ``post_id``. Telegram:
    messages in the channel's discussion group (linked first when it has none).

    ``keep_ids`` (Facebook, Instagram, X): every row's id is its id on the platform (a Facebook
    comment's ``{post id's tail}_{digits}``, an Instagram comment's or a post's digits: ValueError
    for a row without one, or with one the platform would not give); rows already stored under
    ``post_id`` are left alone and listed in ``"existing"`` instead of ``"ids"``."""
    if platform not in TARGETS:
        raise ValueError(f"unknown platform {platform!r}")
    target = target or TARGETS[platform][0]
    if target not in TARGETS[platform]:
        raise ValueError(f"{platform} takes {', '.join(TARGETS[platform])}, not {target!r}")
    if keep_ids and platform == "telegram":
        raise ValueError("telegram messages cannot keep the file's ids")
    seeded = hub.accounts[account]
    chosen = fed_rows(rows, limit=limit, recent_at=hub.graph.clock() if recent else None)
    ids: list[str] = []
    existing: list[str] = []
    if platform in ("facebook", "instagram"):
        if platform == "facebook":
            post_id = post_id or hub.graph.add_post(
                seeded["facebook"]["page_id"], "Informasi tahapan pemilu dari kantor kami."
            )
        else:
            post_id = post_id or hub.graph.add_media(
                seeded["instagram"]["ig_user_id"], "Informasi tahapan pemilu."
            )
        for row in chosen:
            if keep_ids and _kept(hub.graph.objects.get(row.source_id), post_id, row):
                existing.append(row.source_id)
                continue
            ids.append(
                hub.graph.add_public_comment(
                    post_id,
                    row.text,
                    row.author,
                    created=row.created,
                    reactions=row.reactions,
                    comment_id=row.source_id if keep_ids else None,
                )
            )
    elif platform == "x":
        username = seeded["x"]["username"]
        for row in chosen:
            if keep_ids:
                if not row.source_id.isdigit():
                    raise ValueError(f"{row.source_id!r} is not an X post id")
                if row.source_id in hub.x.tweets:
                    existing.append(row.source_id)
                    continue
            text = row.text
            if target == "mentions" and f"@{username}".casefold() not in text.casefold():
                text = f"@{username} {text}"
            metrics = {
                "like_count": row.reactions,
                "retweet_count": row.shares,
                "impression_count": row.views,
            }
            ids.append(
                hub.x.add_public_tweet(
                    text,
                    row.author,
                    tweet_id=row.source_id or None,
                    created=row.created,
                    metrics={k: v for k, v in metrics.items() if v},
                    in_reply_to=post_id if target == "replies" else None,
                )
            )
    else:
        group = hub.telegram.add_discussion_group(int(seeded["telegram"]["chat_id"]))
        post_id = str(group["chat_id"])
        for row in chosen:
            message_id = hub.telegram.add_group_message(
                group["chat_id"], row.text, row.author, created=row.created
            )
            ids.append(f"{group['chat_id']}:{message_id}")
    hub.save_state()
    if keep_ids:
        return {"post_id": post_id, "ids": ids, "existing": existing}
    return {"post_id": post_id, "ids": ids}


def _kept(stored: Any, post_id: str, row: FedRow) -> bool:
    """Whether the row (fed with its own id) is on the platform already, under ``post_id``;
    ValueError when its id is missing or names something else."""
    if not row.source_id:
        raise ValueError(f"a row without an id cannot keep it: {row.text[:40]!r}")
    if stored is None:
        return False
    if stored.kind not in ("comment", "ig_comment") or stored.data.get("parent") != post_id:
        raise ValueError(f"{row.source_id!r} is already taken by another object")
    return True


def feed_file(hub: Fakes, path: str | Path, **options: Any) -> dict[str, Any]:
    """:func:`feed` with the rows of a ``.csv`` or ``.jsonl`` file."""
    return feed(hub, read_rows(path), **options)
