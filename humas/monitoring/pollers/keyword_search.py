"""Keyword searches on X (``config = {"platform": "x", "channel_id": id, "terms": [...]}``): the
office's watch list as X recent-search queries, read through the office's connected X channel.

The terms are quoted (an exact phrase each, so a term is never read as an operator), OR-ed and
kept to original posts (``-is:retweet``); when they do not fit in one query of X's length limit
(HUMAS_X_SEARCH_QUERY_MAX) they are spread over several. Each query keeps its own position in the
cursor (X's ``since_id`` and, while a read is under way, its page token), so changing the watch
list restarts only the queries that changed. A 429 from X stops the poll with the wait X gave
(``x-rate-limit-reset``); the runner tries again after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from humas.channels.connectors import ConnectorError
from humas.channels.models import Platform

from ..models import Source
from ..polling import PollBatch, PollError, register_poller
from .channel_comments import channel_listener, incoming_record, poll_failure, source_channel

# Posts that only repeat another add nothing the original did not say.
QUERY_SUFFIX = " -is:retweet"


def _quoted(term: str) -> str:
    words = " ".join(str(term).replace('"', " ").replace("\x00", " ").split())
    return f'"{words}"' if words else ""


def _query(quoted: list[str]) -> str:
    return "(" + " OR ".join(quoted) + ")" + QUERY_SUFFIX


def search_queries(terms: Iterable[str], *, max_length: int) -> list[str]:
    """The watch list as few queries as X's length limit allows, terms in their order, each
    once (case aside). A term too long for a query of its own is left out."""
    seen: set[str] = set()
    queries: list[str] = []
    current: list[str] = []
    for term in terms:
        quoted = _quoted(term)
        if not quoted or quoted.casefold() in seen:
            continue
        seen.add(quoted.casefold())
        if len(_query([quoted])) > max_length:
            continue
        if current and len(_query([*current, quoted])) > max_length:
            queries.append(_query(current))
            current = []
        current.append(quoted)
    if current:
        queries.append(_query(current))
    return queries


@register_poller(Source.Kind.KEYWORD_SEARCH)
def poll_keyword_search(source: Source, cursor: Mapping[str, Any]) -> Iterator[PollBatch]:
    config = source.config if isinstance(source.config, dict) else {}
    if str(config.get("platform") or Platform.X) != Platform.X:
        raise PollError(_("Pencarian kata kunci hanya tersedia untuk X."))
    terms = config.get("terms")
    queries = search_queries(
        terms if isinstance(terms, list) else [],
        max_length=max(20, int(settings.HUMAS_X_SEARCH_QUERY_MAX)),
    )
    if not queries:
        raise PollError(_("Daftar kata kunci sumber ini masih kosong."))
    channel = source_channel(source, platforms=[Platform.X])
    held = cursor.get("queries") if cursor.get("channel_id") == channel.pk else None
    held = held if isinstance(held, dict) else {}
    # Queries no longer made from the watch list are forgotten with their positions.
    positions: dict[str, dict[str, Any]] = {
        q: dict(held[q]) if isinstance(held.get(q), dict) else {} for q in queries
    }
    budget = max(1, int(settings.HUMAS_LISTEN_MAX_PAGES))
    listener = channel_listener(channel)
    try:
        for query in queries:
            if budget <= 0:
                break
            for page in listener.search_recent(query, positions[query], page_size=100, max_pages=budget):
                budget -= 1
                positions[query] = dict(page.cursor)
                yield PollBatch(
                    records=[incoming_record(item) for item in page.items],
                    cursor={"channel_id": channel.pk, "queries": {q: dict(p) for q, p in positions.items()}},
                )
    except ConnectorError as exc:
        raise poll_failure(exc) from None
    finally:
        listener.close()
