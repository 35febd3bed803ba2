"""Online clustering of posts that match no clarification into narratives.

Each post becomes a TF-IDF vector of its stemmed content terms (document
frequencies are counted as posts arrive).  A post joins the most similar
narrative whose centroid has cosine similarity >= ``threshold`` with it, found
through an inverted index over each centroid's strongest terms; otherwise it
starts a new narrative.  A narrative's representative text is the member closest
to its centroid, so 300 variants of one rumour read as one clean sentence.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .normalize import Analysis, Analyzer, default_analyzer

__all__ = [
    "Narrative",
    "NarrativeClusterer",
    "centroid_add",
    "cluster_terms",
    "index_terms",
    "query_terms",
    "similarity",
    "term_vector",
]

_INDEX_TERMS = 12
_KEEP_MEMBERS = 64
_QUERY_TERMS = 8  # a post looks narratives up by its strongest terms only
_MAX_CANDIDATES = 8
_BUSY_TERM = 64  # a term shared by more narratives than this says little about which one
_CENTROID_TERMS = 300


@dataclass
class Narrative:
    narrative_id: int
    size: int = 0
    centroid: dict[str, float] = field(default_factory=dict)
    members: list[tuple[str, str, dict[str, float]]] = field(default_factory=list)  # key, text, vector
    indexed_terms: frozenset[str] = frozenset()
    centroid_norm: float = 1.0

    def norm(self) -> float:
        return self.centroid_norm

    @property
    def member_keys(self) -> list[str]:
        return [m[0] for m in self.members]

    def representative(self) -> str:
        """The kept member whose vector is closest to the centroid."""
        if not self.members:
            return ""
        cn = self.norm()
        best = max(self.members, key=lambda m: _dot(m[2], self.centroid) / cn)
        return best[1]


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


# The steps of clustering as functions over plain values, so a caller that keeps narratives
# elsewhere (the monitoring app keeps them in the database, shared by many workers) clusters
# exactly as NarrativeClusterer does.


def cluster_terms(analysis: Analysis) -> list[str]:
    """The stems a text is clustered by: content words, hashtags and numbers."""
    return [t.stem for t in analysis.tokens if not t.stop and t.kind in ("word", "hashtag", "number")]


def term_vector(terms: Sequence[str], df: Mapping[str, int], docs: int) -> dict[str, float]:
    """Unit TF-IDF vector of ``terms``; ``df`` counts the documents seen (this one included) that
    hold each term, ``docs`` how many documents were seen before this one."""
    tf: dict[str, int] = {}
    for t in terms:
        tf[t] = tf.get(t, 0) + 1
    n = docs + 1
    vec = {t: (1.0 + math.log(c)) * (math.log((n + 1) / (df.get(t, 0) + 1)) + 1.0) for t, c in tf.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


def query_terms(vec: Mapping[str, float]) -> list[str]:
    """The strongest terms of a vector: the ones a text looks narratives up by."""
    return sorted(vec, key=lambda t: -vec[t])[:_QUERY_TERMS]


def index_terms(centroid: Mapping[str, float]) -> frozenset[str]:
    """The strongest terms of a centroid: the ones a narrative is found by."""
    return frozenset(sorted(centroid, key=lambda t: -centroid[t])[:_INDEX_TERMS])


def similarity(vec: Mapping[str, float], centroid: Mapping[str, float], centroid_norm: float) -> float:
    """Cosine similarity of a unit vector and a centroid of the given norm."""
    return _dot(vec, centroid) / (centroid_norm or 1.0)


def centroid_add(
    centroid: dict[str, float], size: int, vec: Mapping[str, float]
) -> tuple[dict[str, float], float]:
    """The mean of ``size`` member vectors (``centroid``) with ``vec`` added, and its norm.
    ``centroid`` is changed in place unless it had to be trimmed to its strongest terms."""
    n = size
    for t in centroid:
        centroid[t] *= n / (n + 1)
    for t, v in vec.items():
        centroid[t] = centroid.get(t, 0.0) + v / (n + 1)
    if len(centroid) > _CENTROID_TERMS:
        # Long tails of one-off words carry no narrative; keep the strongest terms.
        centroid = dict(sorted(centroid.items(), key=lambda kv: -kv[1])[:_CENTROID_TERMS])
    return centroid, math.sqrt(sum(v * v for v in centroid.values())) or 1.0


class NarrativeClusterer:
    """Single-pass clusterer; ``add`` is serialised by a lock, reads see whole narratives."""

    def __init__(
        self, *, analyzer: Analyzer | None = None, threshold: float = 0.45, min_terms: int = 3
    ) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.threshold = threshold
        self.min_terms = min_terms
        self._df: dict[str, int] = {}
        self._docs = 0
        self._narratives: dict[int, Narrative] = {}
        self._postings: dict[str, set[int]] = {}
        self._lock = threading.Lock()

    def _vector(self, terms: Sequence[str]) -> dict[str, float]:
        return term_vector(terms, self._df, self._docs)

    def add(self, key: str, text: str, *, analysis: Analysis | None = None) -> int | None:
        """Assign a post to a narrative; returns its id (None if too short to cluster)."""
        analysis = analysis or self.analyzer.analyze(text)
        terms = cluster_terms(analysis)
        if len(set(terms)) < self.min_terms:
            return None
        raw = text
        with self._lock:
            for t in set(terms):
                self._df[t] = self._df.get(t, 0) + 1
            self._docs += 1
            vec = self._vector(terms)
            votes: dict[int, float] = {}
            for t in query_terms(vec):
                w = vec[t]
                posting = self._postings.get(t, ())
                if len(posting) > _BUSY_TERM:
                    continue
                for nid in posting:
                    votes[nid] = votes.get(nid, 0.0) + w
            candidates = sorted(votes, key=lambda nid: -votes[nid])[:_MAX_CANDIDATES]
            best_id, best_sim = None, 0.0
            for nid in candidates:
                nar = self._narratives[nid]
                sim = similarity(vec, nar.centroid, nar.norm())
                if sim > best_sim:
                    best_id, best_sim = nid, sim
            if best_id is None or best_sim < self.threshold:
                best_id = len(self._narratives) + 1
                self._narratives[best_id] = Narrative(best_id)
            nar = self._narratives[best_id]
            self._merge(nar, key, raw, vec)
            return best_id

    def add_copy(self, narrative_id: int, key: str, text: str) -> None:
        """Count a copy of a post already in ``narrative_id`` without re-clustering it."""
        with self._lock:
            nar = self._narratives.get(narrative_id)
            if nar is not None:
                nar.size += 1
                if len(nar.members) < _KEEP_MEMBERS and nar.members:
                    nar.members.append((key, text, nar.members[-1][2]))

    def _merge(self, nar: Narrative, key: str, text: str, vec: dict[str, float]) -> None:
        # The centroid is the mean of member vectors.
        nar.centroid, nar.centroid_norm = centroid_add(nar.centroid, nar.size, vec)
        nar.size += 1
        if len(nar.members) < _KEEP_MEMBERS:
            nar.members.append((key, text, vec))
        top = index_terms(nar.centroid)
        for t in nar.indexed_terms - top:
            self._postings.get(t, set()).discard(nar.narrative_id)
        for t in top - nar.indexed_terms:
            self._postings.setdefault(t, set()).add(nar.narrative_id)
        nar.indexed_terms = top

    def narratives(self, *, min_size: int = 1) -> list[Narrative]:
        """Narratives with at least ``min_size`` posts, largest first."""
        with self._lock:
            out = [n for n in self._narratives.values() if n.size >= min_size]
        return sorted(out, key=lambda n: (-n.size, n.narrative_id))

    def __len__(self) -> int:
        return len(self._narratives)
