"""Fact-check feeds: the RSS/Atom feeds of fact-checkers (TurnBackHoax, Cekfakta...) an office
lists (``config = {"feeds": [url, ...], "source_name": "TurnBackHoax"}``). Their entries are not
items: they go to the clarification knowledge base as external fact-checks of ``source_name``
(humas.factcheck.services.claims_upsert_external), where claim matching finds them.

Atomicity: each batch hands the runner a ``store`` step instead of records; the runner runs it in
the same transaction as the cursor that marks those entries seen (and its lease check), so a
run killed at any point either stored both or neither. The upsert is idempotent by
(source_name, doc_id) as well, so even a repeated entry changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

from humas.factcheck.models import EXTERNAL_ID_MAX, TITLE_MAX, VERDICT_MAX
from humas.factcheck.records import TEXT_MAX, source_name_problem
from humas.factcheck.services import claims_upsert_external

from ..models import Source
from ..polling import PollBatch, PollError, register_poller
from ._feeds import Entry, Fresh, feed_urls, feeds_poll, seen_key

BATCH_SIZE = 10
# TurnBackHoax and others put the verdict first in the title: "[SALAH] Video ...", "[HOAKS] ...".
_LABEL = re.compile(r"^\s*\[([^\[\]]{1,40})\]")


def entry_label(entry: Entry) -> str:
    """The fact-checker's verdict: the bracketed word its title starts with, else its first tag."""
    found = _LABEL.match(entry.title)
    label = found.group(1) if found else (entry.tags[0] if entry.tags else "")
    return " ".join(label.split())[:VERDICT_MAX]


def factcheck_record(entry: Entry, article: str) -> dict[str, Any]:
    """An entry as a fact-check record (humas/factcheck/records.py)."""
    doc_id = entry.entry_id
    if len(doc_id) > EXTERNAL_ID_MAX:
        doc_id = f"sha256:{seen_key(doc_id)}"
    return {
        "doc_id": doc_id,
        "title": entry.title[:TITLE_MAX] or (article or entry.summary)[:120],
        "text": (article or entry.summary)[:TEXT_MAX],
        "label": entry_label(entry),
        "date": entry.published_at.isoformat() if entry.published_at else "",
        "url": entry.link,
    }


@register_poller(Source.Kind.FACTCHECK_FEED)
def poll_factcheck_feed(source: Source, cursor: Mapping[str, Any]) -> Iterator[PollBatch]:
    feeds = feed_urls(source.config)
    if not feeds:
        raise PollError(_("Sumber ini belum berisi alamat umpan cek fakta."))
    source_name = str(source.config.get("source_name") or "")
    problem = source_name_problem(source_name)
    if problem:
        raise PollError(problem)
    office = source.office

    def make_batch(feed_url: str, fresh: Fresh, cursor: dict[str, Any]) -> PollBatch:
        records = [factcheck_record(entry, text) for entry, text in fresh]
        if not records:
            return PollBatch(records=[], cursor=cursor)

        def store() -> None:
            claims_upsert_external(office=office, source_name=source_name, records=records)

        return PollBatch(records=[], cursor=cursor, store=store)

    yield from feeds_poll(feeds=feeds, cursor=cursor, make_batch=make_batch, batch_size=BATCH_SIZE)
