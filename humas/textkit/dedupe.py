"""Exact and near-duplicate detection for copy-pasted posts.

Exact duplicates share the hash of their normalised text (links, @handles and
emoji dropped, so a re-post with a new short link is still exact).  Near
duplicates are found with MinHash over word shingles and LSH banding: a new text
is compared only with texts that share at least one band, then accepted if the
estimated Jaccard similarity of the shingle sets reaches ``threshold``.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .normalize import Analysis, Analyzer, default_analyzer

__all__ = ["DuplicateHit", "NearDuplicateIndex", "exact_key", "shingles"]

_PRIME = (1 << 61) - 1
_MAX_HASH = np.uint64((1 << 32) - 1)
_CONTENT_KINDS = frozenset({"word", "hashtag", "number", "date"})


def _content(analysis: Analysis) -> list[str]:
    return [t.surface for t in analysis.tokens if t.kind in _CONTENT_KINDS]


def exact_key(analysis: Analysis | list[str]) -> str:
    """Hash of the normalised content words; equal for copies that differ only in links, case, emoji."""
    words = analysis if isinstance(analysis, list) else _content(analysis)
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=12).hexdigest()


def shingles(analysis: Analysis | list[str], size: int = 3) -> set[int]:
    """32-bit hashes of word ``size``-grams (of the whole text when it is shorter)."""
    words = analysis if isinstance(analysis, list) else _content(analysis)
    if not words:
        return set()
    if len(words) <= size:
        return {zlib.crc32(" ".join(words).encode("utf-8"))}
    return {zlib.crc32(" ".join(words[i : i + size]).encode("utf-8")) for i in range(len(words) - size + 1)}


@dataclass(frozen=True, slots=True)
class DuplicateHit:
    key: str  # the earlier text's key
    kind: str  # "exact" or "near"
    similarity: float  # estimated Jaccard (1.0 for exact)


class NearDuplicateIndex:
    """Online duplicate finder. ``add`` returns the earlier text this one copies, if any."""

    def __init__(
        self,
        *,
        analyzer: Analyzer | None = None,
        num_perm: int = 64,
        bands: int = 16,
        threshold: float = 0.5,
        shingle_size: int = 2,
        seed: int = 7,
    ) -> None:
        if num_perm % bands:
            raise ValueError("num_perm must be a multiple of bands")
        self.analyzer = analyzer or default_analyzer()
        self.num_perm = num_perm
        self.bands = bands
        self.rows = num_perm // bands
        self.threshold = threshold
        self.shingle_size = shingle_size
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, _PRIME, size=num_perm, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=num_perm, dtype=np.uint64)
        self._lock = threading.Lock()
        self._exact: dict[str, str] = {}
        self._buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]
        self._signatures: dict[str, npt.NDArray[np.uint64]] = {}

    def signature(self, analysis: Analysis | list[str]) -> npt.NDArray[np.uint64] | None:
        sh = shingles(analysis, self.shingle_size)
        if not sh:
            return None
        x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
        # Universal hashing modulo 2**64 (numpy wraps), folded to 32 bits.
        h = (x[:, None] * self._a[None, :] + self._b[None, :]) >> np.uint64(32)
        return np.asarray(h.min(axis=0), dtype=np.uint64)

    def _band_keys(self, sig: npt.NDArray[np.uint64]) -> list[bytes]:
        raw = sig.tobytes()
        step = self.rows * 8
        return [raw[i * step : (i + 1) * step] for i in range(self.bands)]

    def find(self, text: str | Analysis) -> DuplicateHit | None:
        """The best earlier duplicate of ``text`` without adding it."""
        hits = self.find_all(text)
        return hits[0] if hits else None

    def find_all(self, text: str | Analysis) -> list[DuplicateHit]:
        """Every indexed text this one duplicates, best first (exact hits only if exact)."""
        analysis = text if isinstance(text, Analysis) else self.analyzer.analyze(text)
        words = _content(analysis)
        return self._find(words, exact_key(words), self.signature(words), every=True)[0]

    def _find(
        self, words: list[str], ekey: str, sig: npt.NDArray[np.uint64] | None, *, every: bool = False
    ) -> tuple[list[DuplicateHit], list[bytes]]:
        if not words:
            return [], []
        hits: list[DuplicateHit] = []
        first = self._exact.get(ekey)
        if first is not None:
            hits.append(DuplicateHit(first, "exact", 1.0))
            if not every:
                return hits, []
        if sig is None:
            return hits, []
        bkeys = self._band_keys(sig)
        seen: set[str] = {first} if first is not None else set()
        for band, bk in zip(self._buckets, bkeys, strict=True):
            for other in band.get(bk, ()):
                if other in seen:
                    continue
                seen.add(other)
                sim = float(np.count_nonzero(self._signatures[other] == sig)) / self.num_perm
                if sim >= self.threshold:
                    hits.append(DuplicateHit(other, "near", sim))
        hits.sort(key=lambda h: -h.similarity)
        return hits, bkeys

    def add(self, key: str, text: str | Analysis) -> DuplicateHit | None:
        """Register ``text`` under ``key``; return the earlier text it duplicates, if any."""
        analysis = text if isinstance(text, Analysis) else self.analyzer.analyze(text)
        words = _content(analysis)
        if not words:
            return None
        ekey = exact_key(words)
        sig = self.signature(words)
        with self._lock:
            hits, bkeys = self._find(words, ekey, sig)
            hit = hits[0] if hits else None
            self._exact.setdefault(ekey, key)
            if sig is not None and key not in self._signatures and (hit is None or hit.kind != "exact"):
                if not bkeys:
                    bkeys = self._band_keys(sig)
                self._signatures[key] = sig
                for band, bk in zip(self._buckets, bkeys, strict=True):
                    band.setdefault(bk, []).append(key)
        return hit

    def __len__(self) -> int:
        return len(self._signatures)


def group_duplicates(
    items: Iterable[tuple[str, str]], index: NearDuplicateIndex | None = None
) -> dict[str, str]:
    """Map every key to the key of the first text of its duplicate group (itself if unique)."""
    index = index or NearDuplicateIndex()
    root: dict[str, str] = {}
    for key, text in items:
        hit = index.add(key, text)
        root[key] = root.get(hit.key, hit.key) if hit else key
    return root
