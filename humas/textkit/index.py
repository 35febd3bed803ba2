"""Claim-matching index: hybrid lexical retrieval with a learned re-ranker.

Stage 1 (candidates): BM25 over stemmed words of the whole document, BM25 over
the stemmed title, and BM25 over character 4-grams of the title (looked up only
for query words the word field does not know), each divided by its best possible
score for the query and summed in one sparse product.  Posting lists are statically pruned to
the ``postings_cap`` highest-impact documents per term, so the work per query is
bounded by ``query terms x cap`` however large the corpus grows.

Stage 2 (re-ranking): exact features for the top ``candidates`` documents
(see :data:`~humas.textkit.ranking.FEATURE_NAMES`) scored by a linear model
trained on the dev data with cross-validation, then a calibrated decision.

Incremental updates: documents are analysed once, when added; their term counts
are kept.  ``add``/``remove`` mark the derived matrices stale and the next query
re-derives weights from the stored counts (vectorised, milliseconds for thousands
of documents) instead of re-analysing the corpus.

Concurrency: all query-time state lives in an immutable ``_Snapshot``; writers
build a new one under a lock and swap the reference, so readers never lock.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .embedding import Embedder
from .features import char_ngrams, char_ngrams_of, content_bigrams
from .normalize import Analysis, Analyzer, default_analyzer
from .ranking import FEATURE_NAMES, MAX_QUERY_WORDS, RankingModel, decision_features, default_model

__all__ = ["ClaimDocument", "ClaimIndex", "Candidate", "MatchResult", "Decision"]

Decision = Literal["match", "suggestion", "none"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]

_FIELDS = ("word", "title", "char", "bigram")
_FORMAT_VERSION = 1
# Query length enters features on a log scale, capped so a pasted megabyte stays in range.
_MAX_QUERY_WORDS = MAX_QUERY_WORDS
# A post usually states its claim first: coverage of its first distinct words is a feature.
_HEAD_TERMS = 12


@dataclass(frozen=True, slots=True)
class ClaimDocument:
    doc_id: str
    title: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    doc_id: str
    score: float
    probability: float  # softmax share among the re-ranked candidates


@dataclass(frozen=True, slots=True)
class MatchResult:
    candidates: tuple[Candidate, ...]
    decision: Decision
    confidence: float  # calibrated probability that the first candidate is right

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True, slots=True)
class _DocTerms:
    """Term-id/count arrays of one document per field, plus lengths for priors."""

    ids: tuple[Int32Array, Int32Array, Int32Array, Int32Array]
    counts: tuple[Int32Array, Int32Array, Int32Array, Int32Array]
    title_len: int
    body_len: int


@dataclass(frozen=True)
class _Store:
    """Term counts of many documents in flat arrays (one CSR-like triple per field).

    Thousands of tiny per-document arrays cost ~100 bytes of overhead each; documents
    are kept here once the next snapshot is derived, and new ones wait as ``_DocTerms``.
    """

    lengths: tuple[IntArray, ...]  # per field: number of distinct terms of each document
    ids: tuple[Int32Array, ...]
    counts: tuple[Int32Array, ...]
    title_len: Int32Array
    body_len: Int32Array

    @classmethod
    def empty(cls) -> _Store:
        z64 = np.zeros(0, dtype=np.int64)
        z32 = np.zeros(0, dtype=np.int32)
        return cls((z64,) * len(_FIELDS), (z32,) * len(_FIELDS), (z32,) * len(_FIELDS), z32, z32)

    @property
    def size(self) -> int:
        return len(self.title_len)

    def extended(self, docs: Sequence[_DocTerms]) -> _Store:
        if not docs:
            return self
        fields = range(len(_FIELDS))
        return _Store(
            lengths=tuple(
                np.concatenate([self.lengths[f], np.array([len(d.ids[f]) for d in docs], dtype=np.int64)])
                for f in fields
            ),
            ids=tuple(
                np.concatenate([self.ids[f], *(d.ids[f] for d in docs)]).astype(np.int32) for f in fields
            ),
            counts=tuple(
                np.concatenate([self.counts[f], *(d.counts[f] for d in docs)]).astype(np.int32)
                for f in fields
            ),
            title_len=np.concatenate([self.title_len, np.array([d.title_len for d in docs], dtype=np.int32)]),
            body_len=np.concatenate([self.body_len, np.array([d.body_len for d in docs], dtype=np.int32)]),
        )

    def filtered(self, keep: npt.NDArray[np.bool_]) -> _Store:
        ids = []
        counts = []
        for f in range(len(_FIELDS)):
            rows_keep = np.repeat(keep, self.lengths[f])
            ids.append(self.ids[f][rows_keep])
            counts.append(self.counts[f][rows_keep])
        return _Store(
            lengths=tuple(x[keep] for x in self.lengths),
            ids=tuple(ids),
            counts=tuple(counts),
            title_len=self.title_len[keep],
            body_len=self.body_len[keep],
        )


@dataclass(frozen=True)
class _Snapshot:
    doc_ids: tuple[str, ...]
    alive: npt.NDArray[np.bool_]
    stage1_t: sp.csr_matrix  # pruned word/title/char weights stacked (vocab0+1+2 x docs)
    idf: tuple[FloatArray, ...]
    combined: sp.csr_matrix  # the four field weights and title terms twice, side by side, for stage 2
    offsets: IntArray  # column offset of each block of ``combined``
    title_idf_mass: FloatArray
    title_char_mass: FloatArray  # idf mass of each title's character grams
    idf_all: FloatArray  # the idf of every column of ``combined``
    title_idf: FloatArray
    title_name_mass: FloatArray  # idf mass of each title's names (see ``_is_name``)
    name_idf: FloatArray  # title idf of name terms, 0 for other words
    title_len: FloatArray
    body_len: FloatArray
    vocab_sizes: tuple[int, ...]
    embeddings: npt.NDArray[np.float32] | None  # one row per document when an embedder is set


def _is_name(stem: str, dictionary: frozenset[str]) -> bool:
    """A word the Indonesian dictionary does not know: a name, brand, place, acronym or
    foreign word ("soimah", "bjb", "kediri", "netanyahu"), which is what tells one fact-check
    of a scam template from another."""
    return len(stem) >= 3 and stem.isalpha() and stem not in dictionary


_VERDICT_RE = re.compile(r"^\s*[\[(][A-Za-z /-]{2,30}[\])]\s*[:-]?\s*")


def _split_title(doc: ClaimDocument) -> tuple[str, str]:
    """Title without a verdict label ("[SALAH] ..."), and the text without a repeated title.

    The verdict says what the fact-checker concluded, not what the claim says, so it
    would only add noise to matching.
    """
    text = doc.text or ""
    title = doc.title or ""
    if title and text.startswith(title):
        text = text[len(title) :]
    return _VERDICT_RE.sub("", title), text


class ClaimIndex:
    """An incremental, serialisable, thread-safe (for reads) claim-matching index."""

    def __init__(
        self,
        *,
        analyzer: Analyzer | None = None,
        model: RankingModel | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        candidates: int = 20,
        postings_cap: int = 1000,
        char_postings_cap: int = 100,
        oov_char_candidates: bool = True,
        embedder: Embedder | None = None,
        embedding_weight: float = 0.0,
    ) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.model = model or default_model()
        self.k1 = k1
        self.b = b
        self.n_candidates = candidates
        self.postings_cap = postings_cap
        self.char_postings_cap = char_postings_cap
        # Stage 1 looks up character grams only for words the word field does not know
        # (misspellings, slang, run-together words); known words are found by their stems.
        # Stage 2 still scores all grams. Same cross-validated quality, a quarter faster.
        self.oov_char_candidates = oov_char_candidates
        # Optional dense back-end (see embedding.py): off unless both are given.
        self.embedder = embedder if embedding_weight else None
        self.embedding_weight = embedding_weight
        self._emb: npt.NDArray[np.float32] | None = None
        self._emb_pending: list[npt.NDArray[np.float32]] = []
        self._lock = threading.Lock()
        words: dict[str, int] = {}
        # The word and title fields share one vocabulary: one lookup serves both.
        self._vocab: tuple[dict[str, int], ...] = (words, words, {}, {})
        self._char_cache: dict[str, tuple[int, ...]] = {}
        self._name_flags: list[bool] = []  # per word id: is it a name (see ``_is_name``)
        self._store = _Store.empty()
        self._pending: list[_DocTerms] = []
        self._doc_ids: list[str] = []
        self._position: dict[str, int] = {}
        self._alive: list[bool] = []
        self._snapshot: _Snapshot | None = None

    # -- writing -----------------------------------------------------------------------------
    def _field_terms(self, title: Analysis, body: Analysis) -> tuple[list[str], ...]:
        words = title.terms + body.terms
        return (words, title.terms, char_ngrams(title), content_bigrams(title))

    def _encode(self, terms: Sequence[list[str]], *, grow: bool) -> tuple[list[Int32Array], list[Int32Array]]:
        ids_out: list[Int32Array] = []
        counts_out: list[Int32Array] = []
        if grow:
            self._char_cache = {}
        for vocab, field_terms in zip(self._vocab, terms, strict=True):
            counts: dict[int, int] = {}
            for t in field_terms:
                j = vocab.get(t)
                if j is None:
                    if not grow:
                        continue
                    j = vocab[t] = len(vocab)
                counts[j] = counts.get(j, 0) + 1
            ids_out.append(np.fromiter(counts.keys(), dtype=np.int32, count=len(counts)))
            counts_out.append(np.fromiter(counts.values(), dtype=np.int32, count=len(counts)))
        return ids_out, counts_out

    def add(self, documents: Iterable[ClaimDocument]) -> int:
        """Add (or replace, by ``doc_id``) documents. Returns how many were added."""
        docs = list(documents)
        analysed = []
        for doc in docs:
            title, body = _split_title(doc)
            ta = self.analyzer.analyze(title)
            ba = self.analyzer.analyze(body)
            analysed.append((doc.doc_id, ta, ba))
        vectors = None
        if self.embedder is not None and docs:
            vectors = self.embedder.encode([d.title + "\n" + _split_title(d)[1] for d in docs]).astype(
                np.float32
            )
        with self._lock:
            if vectors is not None:
                self._emb_pending.append(vectors)
            for doc_id, ta, ba in analysed:
                old = self._position.get(doc_id)
                if old is not None:
                    self._alive[old] = False
                ids, counts = self._encode(self._field_terms(ta, ba), grow=True)
                self._position[doc_id] = len(self._doc_ids)
                self._pending.append(
                    _DocTerms(
                        ids=(ids[0], ids[1], ids[2], ids[3]),
                        counts=(counts[0], counts[1], counts[2], counts[3]),
                        title_len=len(ta.terms),
                        body_len=len(ba.terms),
                    )
                )
                self._doc_ids.append(doc_id)
                self._alive.append(True)
            self._snapshot = None
        return len(analysed)

    def remove(self, doc_ids: Iterable[str]) -> int:
        """Remove documents by id; unknown ids are ignored. Returns how many were removed."""
        removed = 0
        with self._lock:
            for doc_id in doc_ids:
                pos = self._position.pop(doc_id, None)
                if pos is not None:
                    self._alive[pos] = False
                    removed += 1
            if removed:
                if self._alive.count(False) > max(1000, len(self._alive) // 4):
                    self._compact()
                self._snapshot = None
        return removed

    def _consolidate(self) -> _Store:
        """Move pending documents into the flat store. Caller holds the lock."""
        if self._pending:
            self._store = self._store.extended(self._pending)
            self._pending = []
        if self._emb_pending:
            parts = ([self._emb] if self._emb is not None else []) + self._emb_pending
            self._emb = np.concatenate(parts).astype(np.float32)
            self._emb_pending = []
        return self._store

    def _compact(self) -> None:
        store = self._consolidate()
        alive = np.array(self._alive, dtype=bool)
        self._store = store.filtered(alive)
        if self._emb is not None:
            self._emb = self._emb[alive]
        keep = np.nonzero(alive)[0]
        self._doc_ids = [self._doc_ids[i] for i in keep]
        self._alive = [True] * len(keep)
        self._position = {d: i for i, d in enumerate(self._doc_ids)}

    def __len__(self) -> int:
        return len(self._position)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    @property
    def doc_ids(self) -> list[str]:
        return [d for d, a in zip(self._doc_ids, self._alive, strict=True) if a]

    # -- deriving weights --------------------------------------------------------------------
    def _build_snapshot(self) -> _Snapshot:
        store = self._consolidate()
        n = store.size
        alive = np.array(self._alive, dtype=bool) if n else np.zeros(0, dtype=bool)
        n_alive = max(1, int(alive.sum()))
        weights: list[sp.csr_matrix] = []
        pruned: list[sp.csr_matrix] = []
        idfs: list[FloatArray] = []
        title_idf = np.zeros(0)
        title_mass: FloatArray = np.zeros(n)
        for f, vocab in enumerate(self._vocab):
            v = len(vocab)
            lengths = store.lengths[f]
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            indices = store.ids[f].astype(np.int64)
            tf = store.counts[f].astype(np.float64)
            rows = np.repeat(np.arange(n), lengths)
            live = alive[rows] if n else np.zeros(0, dtype=bool)
            df = np.bincount(indices[live], minlength=v).astype(np.float64)
            idf = np.log1p((n_alive - df + 0.5) / (df + 0.5))
            dl = np.bincount(rows, weights=tf, minlength=n)
            avgdl = float(dl[alive].mean()) if alive.any() else 1.0
            avgdl = avgdl or 1.0
            w = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl[rows] / avgdl)) * idf[indices]
            w = np.where(live, w, 0.0)
            mat = sp.csr_matrix((w, indices, indptr), shape=(n, v))
            mat.eliminate_zeros()
            weights.append(mat)
            if f == 1:
                title_idf = idf
                title_mass = np.bincount(rows, weights=np.where(live, idf[indices], 0.0), minlength=n).astype(
                    np.float64
                )
            idfs.append(idf)
            if f < 3:
                pruned.append(self._prune(mat, self.char_postings_cap if f == 2 else self.postings_cap))
        title_one = weights[1].copy()
        title_one.data[:] = 1.0
        # Which words are names: decided once per word, as the vocabulary grows.
        flags = self._name_flags
        if len(flags) < len(self._vocab[1]):
            dictionary = self.analyzer.dictionary
            flags.extend(_is_name(stem, dictionary) for stem in islice(self._vocab[1], len(flags), None))
        name_idf = title_idf * np.array(flags[: len(title_idf)], dtype=np.float64)
        title_name_mass = np.asarray(title_one @ name_idf, dtype=np.float64).ravel()
        # ``combined`` holds, side by side, the four BM25 fields and twice the title terms
        # (weight 1), which ``_features`` meets with the query's capped term counts and with
        # the start of the post. Matched idf masses come from ``idf_all`` by column.
        blocks = [*weights, title_one, title_one]
        offsets = np.cumsum([0] + [m.shape[1] for m in blocks]).astype(np.int64)
        # float32 halves the memory of the largest structure; scores need no more precision.
        # Sorted column indices let ``_features`` multiply rows by a linear merge.
        combined = sp.hstack(blocks, format="csr", dtype=np.float32)
        combined.sort_indices()
        idf_all = np.concatenate([idfs[0], title_idf, idfs[2], np.zeros(len(idfs[3])), title_idf, title_idf])
        c = weights[2]
        char_mass: FloatArray = np.bincount(
            np.repeat(np.arange(n), np.diff(c.indptr)), weights=idfs[2][c.indices], minlength=n
        ).astype(np.float64)
        return _Snapshot(
            doc_ids=tuple(self._doc_ids),
            combined=combined,
            offsets=offsets,
            alive=alive,
            stage1_t=sp.vstack(pruned, format="csr") if n else sp.csr_matrix((0, 0)),
            idf=tuple(idfs),
            title_idf_mass=title_mass,
            title_char_mass=char_mass,
            idf_all=idf_all,
            title_idf=title_idf,
            title_name_mass=title_name_mass,
            name_idf=name_idf,
            title_len=store.title_len.astype(np.float64),
            body_len=store.body_len.astype(np.float64),
            vocab_sizes=tuple(len(v) for v in self._vocab),
            embeddings=self._emb if self.embedder is not None else None,
        )

    @staticmethod
    def _prune(mat: sp.csr_matrix, cap: int) -> sp.csr_matrix:
        """Keep, per term, only the ``cap`` documents with the largest weight."""
        t = mat.T.tocsr()
        lengths = np.diff(t.indptr)
        if cap <= 0 or lengths.max(initial=0) <= cap:
            return t
        keep = np.ones(t.nnz, dtype=bool)
        for term in np.nonzero(lengths > cap)[0]:
            lo, hi = t.indptr[term], t.indptr[term + 1]
            seg = t.data[lo:hi]
            drop = np.argpartition(-seg, cap)[cap:]
            keep[lo + drop] = False
        rows = np.repeat(np.arange(t.shape[0]), lengths)[keep]
        return sp.csr_matrix((t.data[keep], (rows, t.indices[keep])), shape=t.shape)

    def _current(self) -> _Snapshot:
        snap = self._snapshot
        if snap is None:
            with self._lock:
                snap = self._snapshot
                if snap is None:
                    snap = self._snapshot = self._build_snapshot()
        return snap

    def prepare(self) -> None:
        """Derive the query-time matrices now rather than on the first query."""
        self._current()

    # -- querying ----------------------------------------------------------------------------
    def _query_matrices(
        self, analyses: Sequence[Analysis], sizes: Sequence[int]
    ) -> tuple[list[sp.csr_matrix], FloatArray, FloatArray]:
        """Binary query-term matrices per field (plus, fifth, the character grams of words
        unknown to the word field; sixth, word counts capped at 3; seventh, the first
        ``_HEAD_TERMS`` distinct words), word counts, and counts of unknown terms.

        Terms unknown to the snapshot (``sizes`` = its vocabulary sizes; a writer may
        have grown the vocabulary since) are dropped.
        """
        nmats = len(_FIELDS) + 3
        per_field: list[list[int]] = [[] for _ in range(nmats)]
        indptrs: list[list[int]] = [[0] for _ in range(nmats)]
        tf_values: list[int] = []
        words, chars, bigrams = self._vocab[0], self._vocab[2], self._vocab[3]
        cache = self._char_cache
        unknown: list[int] = []
        wsize, csize, bsize = sizes[0], sizes[2], sizes[3]
        word_counts: list[int] = []
        for an in analyses:
            # One pass over the tokens: term counts, distinct content words, stem bigrams
            # (the same terms as ``Analysis.terms``/``word_count`` and ``content_bigrams``).
            tf: dict[int, int] = {}
            unseen: set[str] = set()
            surfaces: dict[str, str] = {}
            bis: set[int] = set()
            prev = ""
            for tok in an.tokens:
                if tok.stop:
                    continue
                stem = tok.stem
                j = words.get(stem, wsize)
                if j < wsize:
                    tf[j] = tf.get(j, 0) + 1
                else:
                    unseen.add(stem)
                kind = tok.kind
                if kind == "word" or kind == "hashtag":
                    surfaces[tok.surface] = stem
                if kind != "emoji":
                    if prev:
                        b = bigrams.get(prev + "\x1f" + stem, bsize)
                        if b < bsize:
                            bis.add(b)
                    prev = stem
            ids = list(tf)  # in order of first appearance
            unknown.append(len(unseen))
            word_counts.append(len(surfaces))
            per_field[0].extend(ids)
            per_field[1].extend(ids)
            per_field[5].extend(ids)
            tf_values.extend(c if c < 3 else 3 for c in tf.values())
            per_field[6].extend(ids[:_HEAD_TERMS])
            cids: set[int] = set()
            oov: set[int] = set()
            for surface, stem in surfaces.items():
                grams = cache.get(surface)
                if grams is None:
                    grams = tuple(j for g in char_ngrams_of(surface) if (j := chars.get(g, csize)) < csize)
                    if len(cache) < 200_000:
                        cache[surface] = grams
                cids.update(grams)
                if stem not in words:
                    oov.update(grams)
            # Cached grams can only exceed this snapshot's vocabulary when a writer has grown
            # it meanwhile: filter only then.
            if cids and max(cids) >= csize:
                cids = {j for j in cids if j < csize}
                oov = {j for j in oov if j < csize}
            per_field[2].extend(cids)
            per_field[4].extend(oov)
            per_field[3].extend(bis)
            for f in range(nmats):
                indptrs[f].append(len(per_field[f]))
        mats = []
        for f in range(nmats):
            idx = np.array(per_field[f], dtype=np.int64)
            data = np.array(tf_values, dtype=np.float64) if f == 5 else np.ones(len(idx))
            mats.append(
                sp.csr_matrix(
                    (data, idx, np.array(indptrs[f], dtype=np.int64)),
                    shape=(len(analyses), sizes[(0, 1, 2, 3, 2, 0, 0)[f]]),
                )
            )
        return mats, np.array(word_counts, dtype=np.float64), np.array(unknown, dtype=np.float64)

    def search(self, text: str, k: int = 10) -> MatchResult:
        return self.search_batch([text], k=k)[0]

    def search_batch(self, texts: Sequence[str], k: int = 10, *, chunk: int = 256) -> list[MatchResult]:
        """Rank the corpus for each text; one result per text, in order."""
        snap = self._current()
        out: list[MatchResult] = []
        for start in range(0, len(texts), chunk):
            analyses = [self.analyzer.analyze(t) for t in texts[start : start + chunk]]
            out.extend(self._rank(snap, analyses, k))
        return out

    def search_analyses(
        self, analyses: Sequence[Analysis], k: int = 10, *, chunk: int = 256
    ) -> list[MatchResult]:
        """Like :meth:`search_batch` for texts already analysed with this index's analyzer."""
        snap = self._current()
        out: list[MatchResult] = []
        for start in range(0, len(analyses), chunk):
            out.extend(self._rank(snap, analyses[start : start + chunk], k))
        return out

    def _rank(self, snap: _Snapshot, analyses: Sequence[Analysis], k: int) -> list[MatchResult]:
        nq = len(analyses)
        kc = self.n_candidates
        empty = MatchResult((), "none", 0.0)
        if nq == 0:
            return []
        if not snap.alive.any():
            return [empty] * nq
        qm, qwords, unknown = self._query_matrices(analyses, snap.vocab_sizes)
        cand, cand_first = self._stage1(snap, qm)
        mask = cand >= 0
        feats = self._features(snap, qm, unknown, qwords, cand, mask, cand_first)
        scores = self.model.score(feats)
        if self.embedder is not None and snap.embeddings is not None:
            qv = self.embedder.encode([an.normalized for an in analyses]).astype(np.float32)
            cosine = np.einsum("qd,qkd->qk", qv, snap.embeddings[np.where(mask, cand, 0)])
            scores = scores + self.embedding_weight * cosine
        scores = np.where(mask, scores, -np.inf)
        # Everything per query is vectorised; only the result objects are built in a loop.
        n_real = mask.sum(axis=1)
        order = np.argsort(-scores, axis=1, kind="stable")  # padding (-inf) sorts last
        ranked = np.take_along_axis(scores, order, axis=1)
        rows = np.arange(nq)
        with np.errstate(invalid="ignore", over="ignore"):
            best = np.where(n_real > 0, ranked[:, 0], 0.0)
            e = np.where(np.isfinite(ranked), np.exp(ranked - best[:, None]), 0.0)
            probs = e / np.maximum(e.sum(axis=1, keepdims=True), 1e-300)
            margin = np.where(n_real > 1, ranked[:, 0] - ranked[:, min(1, kc - 1)], 10.0)
        top = order[:, 0]
        second = np.where(n_real > 1, order[:, min(1, kc - 1)], top)
        dfeat = decision_features(
            probs,
            margin,
            np.where(np.isfinite(ranked[:, 0]), ranked[:, 0], 0.0),
            feats[rows, top],
            feats[rows, second],
            np.asarray(qwords, dtype=np.float64),
        )
        dfeat[n_real == 0] = 0.0
        conf = self.model.correctness(dfeat).tolist()
        kk = min(k, kc)
        top_docs = np.take_along_axis(cand, order[:, :kk], axis=1).tolist()
        top_scores = ranked[:, :kk].tolist()
        top_probs = probs[:, :kk].tolist()
        counts = n_real.tolist()
        words = qwords.tolist()
        doc_ids = snap.doc_ids
        match_t, sugg_t, min_words = (
            self.model.match_threshold,
            self.model.suggestion_threshold,
            self.model.min_match_words,
        )
        results: list[MatchResult] = []
        for i in range(nq):
            m = min(counts[i], kk)
            if m == 0:
                results.append(empty)
                continue
            d_i, s_i, p_i = top_docs[i], top_scores[i], top_probs[i]
            cands = tuple(Candidate(doc_ids[d_i[r]], s_i[r], p_i[r]) for r in range(m))
            c = conf[i]
            decision: Decision = "none"
            if c >= match_t and words[i] >= min_words:
                decision = "match"
            elif c >= sugg_t:
                decision = "suggestion"
            results.append(MatchResult(cands, decision, c))
        return results

    def _stage1(self, snap: _Snapshot, qm: list[sp.csr_matrix]) -> tuple[IntArray, FloatArray]:
        """Top candidates by the fused, per-query normalised pruned BM25 of three fields."""
        nq = qm[0].shape[0]
        # Each field's query vector is scaled by its best possible BM25 score, so the
        # three fields count equally and one sparse product ranks all of them.
        parts = []
        for f in range(3):
            bound = np.asarray(qm[f] @ snap.idf[f]).ravel() * (self.k1 + 1)
            bound[bound <= 0] = 1.0
            q = (qm[4] if (f == 2 and self.oov_char_candidates) else qm[f]).copy()
            q.data = q.data * np.repeat(1.0 / bound, np.diff(q.indptr))
            parts.append(q)
        first = (sp.hstack(parts, format="csr") @ snap.stage1_t).tocsr()
        kc = self.n_candidates
        cand = np.full((nq, kc), -1, dtype=np.int64)
        cand_first = np.zeros((nq, kc))
        all_alive = bool(snap.alive.all())
        indptr = first.indptr.tolist()
        for i in range(nq):
            lo, hi = indptr[i], indptr[i + 1]
            if hi == lo:
                continue
            cols = first.indices[lo:hi]
            vals = first.data[lo:hi]
            if not all_alive:
                alive = snap.alive[cols]
                cols, vals = cols[alive], vals[alive]
                if not len(cols):
                    continue
            if len(cols) > kc:
                part = np.argpartition(-vals, kc - 1)[:kc]
                cols, vals = cols[part], vals[part]
            order = np.argsort(-vals, kind="stable")
            cand[i, : len(cols)] = cols[order]
            cand_first[i, : len(cols)] = vals[order]
        return cand, cand_first

    def _features(
        self,
        snap: _Snapshot,
        qm: list[sp.csr_matrix],
        unknown: FloatArray,
        qwords: FloatArray,
        cand: IntArray,
        mask: npt.NDArray[np.bool_],
        cand_first: FloatArray,
    ) -> FloatArray:
        """Exact feature tensor ``(queries, candidates, features)`` for the candidates."""
        nq, kc = cand.shape
        flat = np.where(mask, cand, 0).ravel()
        qrow = np.repeat(np.arange(nq), kc)
        qall = sp.hstack([*qm[:4], qm[5], qm[6]], format="csr")
        qall.sort_indices()
        prod = snap.combined[flat].multiply(qall[qrow]).tocsr()
        nblocks = len(snap.offsets) - 1
        block = np.searchsorted(snap.offsets, prod.indices, side="right") - 1
        rows = np.repeat(np.arange(prod.shape[0]), np.diff(prod.indptr))
        keys = rows * nblocks + block
        size = prod.shape[0] * nblocks
        # Per candidate and block: BM25 sums, and idf masses of the matched terms (blocks
        # 4 and 5 are title terms weighted by the query's capped counts / post start).
        idf = snap.idf_all[prod.indices]
        sums: FloatArray = np.bincount(keys, weights=prod.data, minlength=size).astype(np.float64)
        sums = sums.reshape(nq, kc, nblocks)
        masses = np.bincount(keys, weights=idf * np.where(block >= 4, prod.data, 1.0), minlength=size)
        masses = masses.reshape(nq, kc, nblocks)
        # Rarest query word found in the title.
        in_title = block == 1
        max_idf = np.zeros(prod.shape[0])
        np.maximum.at(max_idf, rows[in_title], idf[in_title])
        raw: list[FloatArray] = [sums[..., f] for f in range(4)]
        inter = masses[..., 1]
        n_live = max(1, int(snap.alive.sum()))
        unseen_idf = math.log1p((n_live + 0.5) / 0.5)
        word_mass = np.asarray(qm[0] @ snap.idf[0]).ravel() + unknown * unseen_idf
        doc_cov = masses[..., 0] / np.maximum(word_mass, 1e-9)[:, None]
        mass = snap.title_idf_mass[flat].reshape(nq, kc)
        q_title_mass = np.asarray(qm[1] @ snap.title_idf).ravel()
        title_cov = inter / np.maximum(mass, 1e-9)
        query_cov = inter / np.maximum(q_title_mass, 1e-9)[:, None]
        feats = np.zeros((nq, kc, len(FEATURE_NAMES)))

        def rel(x: FloatArray) -> FloatArray:
            mx = np.where(mask, x, 0).max(axis=1, keepdims=True)
            return np.asarray(x / np.where(mx > 0, mx, 1.0), dtype=np.float64)

        feats[..., 0] = raw[0]
        feats[..., 1] = rel(raw[0])
        feats[..., 2] = raw[1]
        feats[..., 3] = rel(raw[1])
        feats[..., 4] = raw[2]
        feats[..., 5] = rel(raw[2])
        feats[..., 6] = title_cov
        feats[..., 7] = query_cov
        feats[..., 8] = raw[3]
        feats[..., 9] = rel(raw[3])
        feats[..., 10] = np.log1p(snap.title_len[flat]).reshape(nq, kc)
        feats[..., 11] = np.log1p(snap.body_len[flat]).reshape(nq, kc)
        feats[..., 12] = (snap.body_len[flat] == 0).reshape(nq, kc)
        feats[..., 13] = rel(cand_first)
        feats[..., 14] = doc_cov
        # Interactions let the linear ranker weigh evidence differently for title-only
        # documents and for long posts.
        qlen = np.log1p(np.minimum(qwords, _MAX_QUERY_WORDS))[:, None]
        feats[..., 15] = feats[..., 12] * feats[..., 1]
        feats[..., 16] = feats[..., 12] * feats[..., 5]
        feats[..., 17] = qlen * feats[..., 6]
        feats[..., 18] = qlen * feats[..., 14]
        feats[..., 19] = qlen * feats[..., 1]
        feats[..., 20] = max_idf.reshape(nq, kc)
        feats[..., 21] = masses[..., 4]
        head_mass = np.asarray(qm[6] @ snap.title_idf).ravel()
        feats[..., 22] = masses[..., 5] / np.maximum(head_mass, 1e-9)[:, None]
        char_mass = snap.title_char_mass[flat].reshape(nq, kc)
        feats[..., 23] = masses[..., 2] / np.maximum(char_mass, 1e-9)
        # Names (words the dictionary does not know) of the title found in the post.
        # Title matches (block 1) that are names.
        title_match = np.nonzero(in_title)[0]
        is_name = snap.name_idf[prod.indices[title_match] - snap.offsets[1]] > 0
        name_hit = np.bincount(
            rows[title_match[is_name]], weights=idf[title_match[is_name]], minlength=prod.shape[0]
        ).reshape(nq, kc)
        title_names = snap.title_name_mass[flat].reshape(nq, kc)
        post_names = np.asarray(qm[0] @ snap.name_idf).ravel()[:, None]
        feats[..., 24] = name_hit / np.maximum(title_names, 1e-9)
        feats[..., 25] = name_hit / np.maximum(post_names, 1e-9)
        feats[..., 26] = (title_names - name_hit > 1e-6) & (post_names > 0)
        return np.where(mask[..., None], feats, 0.0)

    def candidate_features(
        self, texts: Sequence[str]
    ) -> tuple[list[str], IntArray, FloatArray, npt.NDArray[np.bool_], FloatArray]:
        """Stage-1 candidates and their feature tensor, for training the ranker.

        Returns (doc_ids, candidate positions, features, mask, query word counts).
        """
        snap = self._current()
        analyses = [self.analyzer.analyze(t) for t in texts]
        qm, qwords, unknown = self._query_matrices(analyses, snap.vocab_sizes)
        cand, cand_first = self._stage1(snap, qm)
        mask = cand >= 0
        return (
            list(snap.doc_ids),
            cand,
            self._features(snap, qm, unknown, qwords, cand, mask, cand_first),
            mask,
            qwords,
        )

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the index (analysed term counts, vocabularies, settings) to one file."""
        with self._lock:
            store = self._consolidate()
            ids = list(self._doc_ids)
            alive = np.array(self._alive, dtype=bool)
            vocabs = [list(v) for v in self._vocab]
            emb = self._emb
        if not alive.all():
            store = store.filtered(alive)
            emb = emb[alive] if emb is not None else None
        keep = np.nonzero(alive)[0]
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for f in range(len(_FIELDS)):
            arrays[f"len{f}"] = store.lengths[f]
            arrays[f"ids{f}"] = store.ids[f]
            arrays[f"cnt{f}"] = store.counts[f]
        arrays["title_len"] = store.title_len
        arrays["body_len"] = store.body_len
        if emb is not None:
            arrays["embeddings"] = emb
        meta = {
            "format": _FORMAT_VERSION,
            "doc_ids": [ids[i] for i in keep],
            "vocab": [vocabs[0], vocabs[2], vocabs[3]],
            "k1": self.k1,
            "b": self.b,
            "candidates": self.n_candidates,
            "postings_cap": self.postings_cap,
            "char_postings_cap": self.char_postings_cap,
        }
        buf = io.BytesIO()
        np.savez(buf, **arrays)  # type: ignore[arg-type]
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("meta.json", json.dumps(meta, ensure_ascii=False))
            zf.writestr("arrays.npz", buf.getvalue())
        tmp.replace(target)

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        analyzer: Analyzer | None = None,
        model: RankingModel | None = None,
        embedder: Embedder | None = None,
        embedding_weight: float = 0.0,
    ) -> ClaimIndex:
        """Load a saved index. Stored embeddings are used only with the same ``embedder``."""
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("meta.json"))
            arrays = np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False)
            arrays = {k: arrays[k] for k in arrays.files}
        if meta.get("format") != _FORMAT_VERSION:
            raise ValueError(f"unsupported index format {meta.get('format')!r}")
        index = cls(
            analyzer=analyzer,
            model=model,
            k1=float(meta["k1"]),
            b=float(meta["b"]),
            candidates=int(meta["candidates"]),
            postings_cap=int(meta["postings_cap"]),
            char_postings_cap=int(meta["char_postings_cap"]),
            embedder=embedder,
            embedding_weight=embedding_weight,
        )
        if index.embedder is not None:
            if "embeddings" not in arrays:
                raise ValueError("this index was saved without embeddings")
            index._emb = arrays["embeddings"].astype(np.float32)
        words, chars, bigrams = ({t: i for i, t in enumerate(v)} for v in meta["vocab"])
        index._vocab = (words, words, chars, bigrams)
        doc_ids: list[str] = meta["doc_ids"]
        n = len(doc_ids)
        fields = range(len(_FIELDS))
        index._store = _Store(
            lengths=tuple(arrays[f"len{f}"].astype(np.int64) for f in fields),
            ids=tuple(arrays[f"ids{f}"].astype(np.int32) for f in fields),
            counts=tuple(arrays[f"cnt{f}"].astype(np.int32) for f in fields),
            title_len=arrays["title_len"].astype(np.int32),
            body_len=arrays["body_len"].astype(np.int32),
        )
        index._doc_ids = list(doc_ids)
        index._alive = [True] * n
        index._position = {d: i for i, d in enumerate(doc_ids)}
        return index
