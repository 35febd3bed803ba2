"""Which saved replies answer a message: the text engine's analysis (colloquial spellings
normalised, words stemmed, stop-words dropped: "gmn cara ngecek dpt?" asks about ``cek`` and
``dpt``) and BM25 over each answer's title, keywords and body, the keywords weighing most (they
are the words people use when they ask)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from humas.textkit.normalize import default_analyzer

from .selectors import UsableReply

# Election words the everyday lexicon reads as something else ("dpt" is also chat for "dapat"):
# in a message to an election commission they are kept as they are written.
ELECTION_WORDS = frozenset(
    {"dpt", "dptb", "dpk", "dps", "tps", "kpps", "pps", "ppk", "pantarlih", "coklit", "ktp", "nik", "kk"}
)
_WORD = re.compile(r"[a-z0-9]+")
# field -> weight; the keywords are written for matching, the body for reading.
FIELDS = (("title", 2.0), ("keywords", 3.0), ("body", 1.0))
K1, B = 1.2, 0.75
SUGGESTED = 3
# An answer far behind the best shares a common word with the message, not its question: left out.
BEHIND_BEST = 0.4


@dataclass(frozen=True)
class Suggestion:
    usable: UsableReply
    score: float
    terms: tuple[str, ...]  # the message's words it shares, as the engine stems them


def suggest_replies(text: str, usable: Sequence[UsableReply], *, limit: int = SUGGESTED) -> list[Suggestion]:
    """The saved replies of ``usable`` that best answer ``text``, best first (ties keep the
    order of ``usable``: the nearest office first); only answers sharing a word with the message,
    and none scoring under ``BEHIND_BEST`` of the best."""
    analyzer = default_analyzer()

    def terms(value: str) -> list[str]:
        return analyzer.terms(value) + [
            word for word in _WORD.findall(value.lower()) if word in ELECTION_WORDS
        ]

    query = set(terms(text))
    if not query or not usable:
        return []
    docs = [{name: Counter(terms(getattr(item.reply, name))) for name, _w in FIELDS} for item in usable]
    average = {
        name: max(1.0, sum(sum(doc[name].values()) for doc in docs) / len(docs)) for name, _w in FIELDS
    }
    known = Counter(term for doc in docs for term in {t for field in doc.values() for t in field})
    found: list[Suggestion] = []
    for item, doc in zip(usable, docs, strict=True):
        score, shared = 0.0, []
        for term in sorted(query):
            if not known[term]:
                continue
            weighted = 0.0
            for name, weight in FIELDS:
                tf = doc[name][term]
                if tf:
                    length = sum(doc[name].values())
                    weighted += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average[name]))
            if weighted:
                idf = math.log(1 + (len(docs) - known[term] + 0.5) / (known[term] + 0.5))
                score += idf * weighted
                shared.append(term)
        if score > 0:
            found.append(Suggestion(usable=item, score=round(score, 3), terms=tuple(shared)))
    found.sort(key=lambda suggestion: -suggestion.score)
    return [suggestion for suggestion in found[:limit] if suggestion.score >= BEHIND_BEST * found[0].score]
