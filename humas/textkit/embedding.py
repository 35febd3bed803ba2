"""Optional dense-embedding back-end for the claim index (off by default).

Any object with ``dimensions`` and ``encode(texts) -> (n, d) array`` can be passed
to ``ClaimIndex(embedder=..., embedding_weight=...)``: documents are encoded when
added, and the cosine similarity of a post to each re-ranked candidate is added to
the candidate's score with ``embedding_weight``.  Nothing is downloaded: a model
must be trained here or shipped with the deployment.

:class:`LsaEmbedder` is the one back-end that trains here, from the corpus itself
(TF-IDF of stemmed terms, truncated SVD).  On the fact-check dev queries it did
not improve the lexical ranker (see BENCHMARKS.md), which is why the index does
not use an embedder unless asked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from .normalize import Analyzer, default_analyzer

__all__ = ["Embedder", "LsaEmbedder"]

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class Embedder(Protocol):
    @property
    def dimensions(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> FloatArray:
        """One L2-normalised row per text (all zeros for a text with nothing to encode)."""
        ...


class LsaEmbedder:
    """Latent semantic analysis trained on a corpus: ``fit`` once, then ``encode``."""

    def __init__(self, *, dimensions: int = 128, analyzer: Analyzer | None = None) -> None:
        self._dims = dimensions
        self.analyzer = analyzer or default_analyzer()
        self._vocab: dict[str, int] = {}
        self._idf: FloatArray = np.zeros(0)
        self._projection: FloatArray = np.zeros((0, dimensions))

    @property
    def dimensions(self) -> int:
        return self._dims

    def _counts(self, texts: Sequence[str], *, grow: bool) -> sp.csr_matrix:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, text in enumerate(texts):
            tf: dict[int, int] = {}
            for term in self.analyzer.analyze(text).terms:
                j = self._vocab.get(term)
                if j is None:
                    if not grow:
                        continue
                    j = self._vocab[term] = len(self._vocab)
                tf[j] = tf.get(j, 0) + 1
            for j, c in tf.items():
                rows.append(i)
                cols.append(j)
                vals.append(1.0 + float(np.log(c)))
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self._vocab)))

    def fit(self, texts: Sequence[str]) -> LsaEmbedder:
        """Learn the term space from ``texts`` (e.g. the clarifications themselves)."""
        self._vocab = {}
        counts = self._counts(texts, grow=True)
        n_docs, n_terms = counts.shape
        df = np.bincount(counts.indices, minlength=n_terms)
        self._idf = np.log((1 + n_docs) / (1 + df)) + 1.0
        weighted = counts @ sp.diags(self._idf)
        k = max(1, min(self._dims, min(weighted.shape) - 1))
        if weighted.nnz == 0 or min(weighted.shape) < 2:
            self._projection = np.zeros((n_terms, self._dims))
            return self
        _, _, vt = svds(weighted.tocsc().astype(np.float64), k=k)
        projection = np.zeros((n_terms, self._dims))
        projection[:, :k] = vt.T
        self._projection = projection
        return self

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not self._vocab:
            raise RuntimeError("LsaEmbedder.fit() must be called before encode()")
        counts = self._counts(texts, grow=False)
        dense = np.asarray((counts @ sp.diags(self._idf)) @ self._projection, dtype=np.float64)
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        return np.asarray(dense / np.where(norms > 0, norms, 1.0), dtype=np.float64)
