"""Pure-Python text engine of Humas (no Django imports).

Normalisation and tokenising (:mod:`.normalize`), claim matching (:mod:`.index`),
near-duplicates (:mod:`.dedupe`), region tagging (:mod:`.regions`), narrative
clustering (:mod:`.cluster`) and the per-post pipeline (:mod:`.pipeline`).
See ``humas/textkit/README.md``.
"""

from .cluster import Narrative, NarrativeClusterer
from .dedupe import DuplicateHit, NearDuplicateIndex
from .embedding import Embedder, LsaEmbedder
from .index import Candidate, ClaimDocument, ClaimIndex, MatchResult
from .normalize import Analysis, Analyzer, Token, default_analyzer, load_lexicon
from .pipeline import PostPipeline, PostResult
from .regions import RegionMatch, RegionTagger, default_tagger

__all__ = [
    "Analysis",
    "Analyzer",
    "Candidate",
    "ClaimDocument",
    "ClaimIndex",
    "DuplicateHit",
    "Embedder",
    "MatchResult",
    "Narrative",
    "NarrativeClusterer",
    "NearDuplicateIndex",
    "PostPipeline",
    "PostResult",
    "RegionMatch",
    "RegionTagger",
    "Token",
    "default_analyzer",
    "default_tagger",
    "load_lexicon",
    "LsaEmbedder",
]
