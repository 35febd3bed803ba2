"""One incoming item record (a CSV row, a JSONL line, an API item) checked and made ready to store.

The same rules hold whatever the way in: a record is a mapping of field name to value as
received; :func:`record_check` answers the cleaned record or the list of what is wrong with it,
each problem naming its field. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .models import AUTHOR_HANDLE_MAX, EXTERNAL_ID_MAX, TEXT_MAX, URL_MAX, ItemPlatform

REQUIRED_FIELDS = ("platform", "external_id", "text", "published_at")
OPTIONAL_FIELDS = ("author_handle", "url", "reactions", "comments", "shares", "views")
COUNT_FIELDS = ("reactions", "comments", "shares", "views")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
PLATFORMS = frozenset(ItemPlatform.values)
# Larger than any engagement count a platform reports, small enough for a signed 64-bit column.
COUNT_MAX = 10**15


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a record (``field`` empty: with the record as a whole)."""

    field: str
    message: str


@dataclass(frozen=True)
class CleanRecord:
    platform: str
    external_id: str
    author_handle: str
    url: str
    text: str
    published_at: datetime
    reactions: int | None
    comments: int | None
    shares: int | None
    views: int | None
    raw: dict[str, Any]
    raw_sha256: str


def canonical_sha256(raw: Any) -> str:
    """The hex SHA-256 of ``raw`` as canonical JSON: keys sorted, no spaces, UTF-8, so the same
    payload has the same hash whichever way it came in and whenever it is checked again."""
    data = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class _Unstorable(ValueError):
    pass


def _storable(value: Any) -> Any:
    """``value`` with NUL characters taken out of its strings (PostgreSQL refuses them in text and
    JSON); raises _Unstorable for what no database stores as JSON: a number that is not finite
    (NaN, Infinity) or a string that is not valid Unicode (a lone surrogate from a JSON escape)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _Unstorable from None
        return value.replace("\x00", "")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Unstorable
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def _string(value: Any) -> str | None:
    """A field's text, or None when it is neither a string nor absent."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # an id written as a number in JSON
    return None


def _time(value: str) -> datetime | str:
    """A timezone-aware time in UTC, or the message saying why ``value`` is none."""
    if not value:
        return _("Waktu terbit kosong.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _("Waktu terbit “%(value)s” tidak dapat dibaca; tulis seperti 2024-02-14T08:30:00+07:00.") % {
            "value": value[:40]
        }
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return _(
            "Waktu terbit “%(value)s” tidak menyebut zona waktu; tambahkan Z (UTC) atau selisihnya, mis. +07:00."
        ) % {"value": value[:40]}
    return parsed.astimezone(UTC)


def _count(value: Any) -> int | None | str:
    """A non-negative count, None when absent, or the message saying why not."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return _("Harus bilangan bulat 0 atau lebih.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return _("Harus bilangan bulat 0 atau lebih.")
    if number < 0 or number > COUNT_MAX:
        return _("Harus bilangan bulat 0 atau lebih.")
    return number


def _url_ok(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not any(c.isspace() for c in url)


def record_check(record: Mapping[str, Any]) -> CleanRecord | list[Problem]:
    """The cleaned record, or every problem with it. ``record`` — or the platform's object it carries
    under ``raw`` — is kept as its raw payload (without NUL characters, which no database stores;
    the hash is of what is stored, so it can be checked)."""
    try:
        raw = _storable(dict(record))
    except _Unstorable:
        return [Problem("", _("Berisi angka tak hingga atau karakter yang bukan teks Unicode yang sah."))]
    record = raw
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for name in ("platform", "external_id", "author_handle", "url", "text", "published_at"):
        value = _string(record.get(name))
        if value is None:
            problems.append(Problem(name, _("Harus berupa teks.")))
            value = ""
        texts[name] = value.strip()
    for name in REQUIRED_FIELDS:
        if name not in record:
            problems.append(Problem(name, _("Kolom wajib tidak ada.")))

    platform = texts["platform"].lower()
    if "platform" in record and platform not in PLATFORMS:
        problems.append(
            Problem(
                "platform",
                _("Platform “%(value)s” tidak dikenal; pilih salah satu: %(known)s.")
                % {"value": texts["platform"][:40], "known": ", ".join(ItemPlatform.values)},
            )
        )
    if "external_id" in record:
        if not texts["external_id"]:
            problems.append(Problem("external_id", _("ID item kosong.")))
        elif len(texts["external_id"]) > EXTERNAL_ID_MAX:
            problems.append(
                Problem("external_id", _("ID item lebih dari %(max)d karakter.") % {"max": EXTERNAL_ID_MAX})
            )
    if "text" in record:
        if not texts["text"]:
            problems.append(Problem("text", _("Teks kosong.")))
        elif len(texts["text"]) > TEXT_MAX:
            problems.append(Problem("text", _("Teks lebih dari %(max)d karakter.") % {"max": TEXT_MAX}))
    if len(texts["author_handle"]) > AUTHOR_HANDLE_MAX:
        problems.append(
            Problem(
                "author_handle", _("Akun penulis lebih dari %(max)d karakter.") % {"max": AUTHOR_HANDLE_MAX}
            )
        )
    url = texts["url"]
    if len(url) > URL_MAX:
        problems.append(Problem("url", _("Tautan lebih dari %(max)d karakter.") % {"max": URL_MAX}))
    elif url and not _url_ok(url):
        problems.append(Problem("url", _("Tautan harus alamat http:// atau https://, atau dikosongkan.")))
    published_at: datetime | None = None
    if "published_at" in record:
        when = _time(texts["published_at"])
        if isinstance(when, str):
            problems.append(Problem("published_at", when))
        else:
            published_at = when
    counts: dict[str, int | None] = {}
    for name in COUNT_FIELDS:
        counted = _count(record.get(name))
        if isinstance(counted, str):
            problems.append(Problem(name, counted))
        else:
            counts[name] = counted
    if problems or published_at is None:
        return problems
    # A poller (or a listening tool) that hands on the platform's own object under "raw" gets
    # exactly that object kept as the payload; otherwise the record is the payload as received.
    payload = raw["raw"] if isinstance(raw.get("raw"), dict) else raw
    return CleanRecord(
        platform=platform,
        external_id=texts["external_id"],
        author_handle=texts["author_handle"].lstrip("@"),
        url=url,
        text=texts["text"],
        published_at=published_at,
        reactions=counts["reactions"],
        comments=counts["comments"],
        shares=counts["shares"],
        views=counts["views"],
        raw=payload,
        raw_sha256=canonical_sha256(payload),
    )
