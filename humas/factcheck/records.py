"""One external fact-check record (a CSV row, a JSONL line, a fact-check feed's entry) checked and
made ready to store.

The shape is that of a fact-check corpus line: ``doc_id`` and ``title`` (required), ``text``,
``label`` (the source's verdict), ``date``, ``url``; other fields are ignored. The same rules
hold for a file imported by a person and for a feed polled by monitoring: :func:`claim_record_check`
answers the cleaned record or every problem with it, each naming its field. Nothing here touches
the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from .models import EXTERNAL_ID_MAX, SOURCE_NAME_MAX, TITLE_MAX, URL_MAX, VERDICT_MAX

REQUIRED_FIELDS = ("doc_id", "title")
OPTIONAL_FIELDS = ("text", "label", "date", "url")
FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
# The longest fact-check of the TurnBackHoax corpus is about 6,000 characters; a text many times
# longer is a broken export, not a fact-check.
TEXT_MAX = 50_000
# A date without a time is a day in Indonesia: midnight in Jakarta (WIB), where the fact-checkers
# of these sources publish.
DATE_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a record (``field`` empty: with the record as a whole)."""

    field: str
    message: str


@dataclass(frozen=True)
class CleanClaim:
    external_id: str
    title: str
    text: str
    verdict: str
    url: str
    published_at: datetime | None


def _string(value: Any) -> str | None:
    """A field's text ("" when absent), or None when it is neither a string nor a number."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # an id written as a number in JSON
    return None


def _unicode_ok(value: str) -> bool:
    # A lone surrogate (from a JSON escape) is no text any database stores.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _when(value: str) -> datetime | None | str:
    """The time of a ``date`` field in UTC, None when empty, or the message saying why not."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(0, 0), tzinfo=DATE_ZONE).astimezone(UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return _(
            "Tanggal “%(value)s” tidak dapat dibaca; tulis seperti 2024-02-14 atau 2024-02-14T08:30:00+07:00."
        ) % {"value": value[:40]}
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return _(
            "Waktu “%(value)s” tidak menyebut zona waktu; tambahkan Z (UTC) atau selisihnya, mis. +07:00, "
            "atau tulis tanggalnya saja."
        ) % {"value": value[:40]}
    return parsed.astimezone(UTC)


def url_ok(url: str) -> bool:
    """Whether ``url`` is an http(s) address with a host and no spaces."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not any(c.isspace() for c in url)


def source_name_clean(name: str) -> str:
    """A source's name as stored: NUL characters out, runs of spaces as one."""
    return " ".join(name.replace("\x00", "").split())


def source_name_problem(name: str) -> str:
    """Why ``name`` cannot name a source of external fact-checks (empty: it can)."""
    name = source_name_clean(name)
    if not name:
        return _("Nama sumber wajib diisi.")
    if len(name) > SOURCE_NAME_MAX:
        return _("Nama sumber paling panjang %(max)d karakter.") % {"max": SOURCE_NAME_MAX}
    if not _unicode_ok(name):
        return _("Nama sumber berisi karakter yang bukan teks Unicode yang sah.")
    return ""


def claim_record_check(record: Mapping[str, Any]) -> CleanClaim | list[Problem]:
    """The cleaned record, or every problem with it."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    for name in FIELDS:
        value = _string(record.get(name))
        if value is None:
            problems.append(Problem(name, _("Harus berupa teks.")))
            value = ""
        elif not _unicode_ok(value):
            problems.append(Problem(name, _("Berisi karakter yang bukan teks Unicode yang sah.")))
            value = ""
        # PostgreSQL stores no NUL character in text.
        texts[name] = value.replace("\x00", "").strip()

    external_id, title = texts["doc_id"], " ".join(texts["title"].split())
    if "doc_id" not in record:
        problems.append(Problem("doc_id", _("Kolom wajib tidak ada.")))
    elif not external_id:
        problems.append(Problem("doc_id", _("ID cek fakta kosong.")))
    elif len(external_id) > EXTERNAL_ID_MAX:
        problems.append(
            Problem("doc_id", _("ID cek fakta lebih dari %(max)d karakter.") % {"max": EXTERNAL_ID_MAX})
        )
    if "title" not in record:
        problems.append(Problem("title", _("Kolom wajib tidak ada.")))
    elif not title:
        problems.append(Problem("title", _("Judul kosong.")))
    elif len(title) > TITLE_MAX:
        problems.append(Problem("title", _("Judul lebih dari %(max)d karakter.") % {"max": TITLE_MAX}))
    if len(texts["text"]) > TEXT_MAX:
        problems.append(Problem("text", _("Teks lebih dari %(max)d karakter.") % {"max": TEXT_MAX}))
    if len(texts["label"]) > VERDICT_MAX:
        problems.append(Problem("label", _("Label lebih dari %(max)d karakter.") % {"max": VERDICT_MAX}))
    url = texts["url"]
    if len(url) > URL_MAX:
        problems.append(Problem("url", _("Tautan lebih dari %(max)d karakter.") % {"max": URL_MAX}))
    elif url and not url_ok(url):
        problems.append(Problem("url", _("Tautan harus alamat http:// atau https://, atau dikosongkan.")))
    when = _when(texts["date"])
    if isinstance(when, str):
        problems.append(Problem("date", when))
    if problems or isinstance(when, str):
        return problems
    return CleanClaim(
        external_id=external_id,
        title=title,
        text=texts["text"],
        verdict=" ".join(texts["label"].split()),
        url=url,
        published_at=when,
    )
