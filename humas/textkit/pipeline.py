"""The per-post pipeline: normalise, dedupe, tag regions, match clarifications, cluster the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .cluster import NarrativeClusterer
from .dedupe import DuplicateHit, NearDuplicateIndex
from .index import ClaimIndex, MatchResult
from .regions import RegionTagger, default_tagger

__all__ = ["PostResult", "PostPipeline"]


@dataclass(frozen=True, slots=True)
class PostResult:
    key: str
    normalized: str
    duplicate_of: DuplicateHit | None
    regions: dict[str, float]  # Kemendagri code -> confidence
    match: MatchResult | None
    narrative_id: int | None


class PostPipeline:
    """Runs every stage for a batch of posts.

    A near or exact copy of an earlier post reuses that post's match and
    narrative instead of being matched again, which is most of the flood on a
    busy day.  Posts whose match decision is "none" go to the clusterer.
    """

    def __init__(
        self,
        index: ClaimIndex,
        *,
        dedupe: NearDuplicateIndex | None = None,
        tagger: RegionTagger | None = None,
        clusterer: NarrativeClusterer | None = None,
    ) -> None:
        # Posts are analysed once and the analyses handed to the index, so both must agree.
        self.analyzer = index.analyzer
        self.index = index
        self.dedupe = dedupe or NearDuplicateIndex(analyzer=self.analyzer)
        self.tagger = tagger or default_tagger()
        self.clusterer = clusterer or NarrativeClusterer(analyzer=self.analyzer)
        self._results: dict[str, tuple[MatchResult | None, int | None]] = {}
        self.remember = 200_000  # results kept for duplicates to reuse (oldest dropped first)

    def process(self, posts: Sequence[tuple[str, str]]) -> list[PostResult]:
        """``posts`` is a sequence of (key, text); results come back in the same order."""
        analyses = [self.analyzer.analyze(text) for _, text in posts]
        dups = [self.dedupe.add(key, an) for (key, _), an in zip(posts, analyses, strict=True)]
        in_batch = {key for key, _ in posts}
        fresh = [
            i
            for i, d in enumerate(dups)
            if d is None or (d.key not in self._results and d.key not in in_batch)
        ]
        matches = self.index.search_analyses([analyses[i] for i in fresh], k=5) if fresh else []
        match_of = dict(zip(fresh, matches, strict=True))
        if len(self._results) > self.remember:
            for old in list(self._results)[: len(self._results) - self.remember // 2]:
                del self._results[old]
        out: list[PostResult] = []
        for i, ((key, text), an, dup) in enumerate(zip(posts, analyses, dups, strict=True)):
            if i in match_of:
                match: MatchResult | None = match_of[i]
                narrative = None
                if match is not None and match.decision == "none":
                    narrative = self.clusterer.add(key, text, analysis=an)
                self._results[key] = (match, narrative)
            else:
                assert dup is not None  # noqa: S101 - only duplicates skip matching
                match, narrative = self._results.get(dup.key, (None, None))
                self._results[key] = (match, narrative)
                if narrative is not None:
                    self.clusterer.add_copy(narrative, key, text)
            out.append(
                PostResult(
                    key=key,
                    normalized=an.normalized,
                    duplicate_of=dup,
                    regions=self.tagger.codes(text),
                    match=match,
                    narrative_id=narrative,
                )
            )
        return out
