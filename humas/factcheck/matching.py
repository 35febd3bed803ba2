"""Claim matching against the knowledge base: one ``humas.textkit.ClaimIndex`` per process over
the active claims (doc id ``str(claim.pk)``), kept in step with the database.

Each process (web server, worker) holds its own index. :func:`claim_index` asks the database
whether the knowledge base changed — ``(count, max(updated_at))`` of all claims, one cheap query —
at most every ``CHECK_SECONDS``, and at once after a change made in this process (the services
call :func:`claim_index_invalidate`). A change is applied incrementally: only claims added,
changed or made inactive since the last look are analysed again or removed, so the first build
costs about a second for the 6,000 TurnBackHoax fact-checks and later ones milliseconds.

Readers never wait for one another: ``ClaimIndex`` answers queries from an immutable snapshot,
and the one lock here only serialises the look at the database and the update.

The monitoring pipeline analyses posts with ``index.analyzer`` and ranks them with
``index.search_analyses(analyses, k=5)``; ``MatchResult.candidates[i].doc_id`` is a claim id as a
string (:func:`claim_get_many` loads them).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max

from humas.textkit import ClaimDocument, ClaimIndex, MatchResult

from .models import Claim
from .selectors import claim_get_many

__all__ = [
    "CHECK_SECONDS",
    "claim_get_many",
    "claim_index",
    "claim_index_invalidate",
    "claim_index_reset",
    "claims_match",
    "claim_index_versioned",
]

# How stale an index may be, at most, with respect to changes made by another process.
CHECK_SECONDS = 5.0
# Claims loaded per query while updating: SQLite caps the parameters of one statement.
_LOAD_CHUNK = 900

Version = tuple[int, datetime | None]


@dataclass
class _State:
    index: ClaimIndex
    # doc id -> updated_at of the claim as indexed.
    stamps: dict[str, datetime] = field(default_factory=dict)
    version: Version | None = None
    generation: int = 0  # grows with every change of the index's content
    checked_at: float = float("-inf")
    stale: bool = True


_lock = threading.Lock()
_state: _State | None = None
# Versions of the index's content, never the same twice in a process (not even after a reset).
_generations = itertools.count(1)


def _kb_version() -> Version:
    found = Claim.objects.aggregate(n=Count("pk"), latest=Max("updated_at"))
    return int(found["n"]), found["latest"]


def _update(state: _State) -> None:
    """Bring ``state.index`` in step with the active claims in the database."""
    current = {
        str(pk): updated_at
        for pk, updated_at in Claim.objects.filter(is_active=True).values_list("pk", "updated_at")
    }
    gone = [doc_id for doc_id in state.stamps if doc_id not in current]
    fresh = [int(doc_id) for doc_id, stamp in current.items() if state.stamps.get(doc_id) != stamp]
    documents: list[ClaimDocument] = []
    for start in range(0, len(fresh), _LOAD_CHUNK):
        rows = Claim.objects.filter(pk__in=fresh[start : start + _LOAD_CHUNK], is_active=True).values_list(
            "pk", "title", "text", "updated_at"
        )
        for pk, title, text, updated_at in rows:
            documents.append(ClaimDocument(str(pk), title, text))
            current[str(pk)] = updated_at  # as loaded, should it have changed since the first query
    if gone:
        state.index.remove(gone)
    if documents:
        state.index.add(documents)  # replaces a document of the same id
    state.stamps = current
    state.index.prepare()


def claim_index() -> ClaimIndex:
    """The matching index over the active claims of the knowledge base, as of at most
    ``CHECK_SECONDS`` ago (or as of now, after a change made in this process). The same object is
    returned every time and updated in place; it is safe to query from several threads."""
    return claim_index_versioned()[0]


def claim_index_versioned() -> tuple[ClaimIndex, int]:
    """The index and a version of its content, different after every change (and for a new index
    after a reset): a search result cached under one version is stale under another."""
    global _state
    with _lock:
        state = _state
        if state is None:
            state = _state = _State(index=ClaimIndex())
        now = time.monotonic()
        if state.stale or now - state.checked_at >= CHECK_SECONDS:
            # Marked fresh before looking: a change committed while we look marks it stale again.
            state.stale = False
            try:
                version = _kb_version()
                if version != state.version:
                    _update(state)
                    state.version = version
                    state.generation = next(_generations)
            except BaseException:
                state.stale = True  # the database failed: look again next time
                raise
            state.checked_at = now
        return state.index, state.generation


def claim_index_invalidate() -> None:
    """The knowledge base changed in this process: the next claim_index() looks at once."""
    state = _state
    if state is not None:
        state.stale = True


def claim_index_reset() -> None:
    """Forget the index of this process (tests; a process that must start again from nothing)."""
    global _state
    with _lock:
        _state = None


def claims_match(texts: Sequence[str], *, k: int = 5) -> list[MatchResult]:
    """The best ``k`` claims for each text, with the index's decision (match / suggestion /
    none); candidates' ``doc_id`` are claim ids as strings."""
    return claim_index().search_batch(list(texts), k=k)
