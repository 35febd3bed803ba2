"""Per-field term extraction shared by the claim index and its training code."""

from __future__ import annotations

from .normalize import Analysis

__all__ = ["CHAR_N", "char_ngrams", "char_ngrams_of", "content_bigrams", "FIELD_NAMES"]

CHAR_N = 4
FIELD_NAMES = ("word", "title", "char", "bigram")


def char_ngrams_of(word: str, n: int = CHAR_N) -> list[str]:
    """Character n-grams of one word padded with spaces (the whole word if shorter)."""
    w = " " + word + " "
    if len(w) <= n:
        return [w]
    return [w[i : i + n] for i in range(len(w) - n + 1)]


def char_ngrams(analysis: Analysis, n: int = CHAR_N) -> list[str]:
    """Character n-grams of each content word, robust to spelling variants."""
    out: list[str] = []
    for tok in analysis.tokens:
        if tok.stop or tok.kind not in ("word", "hashtag"):
            continue
        out.extend(char_ngrams_of(tok.surface, n))
    return out


def content_bigrams(analysis: Analysis) -> list[str]:
    """Adjacent pairs of content stems (stop-words skipped), capturing short phrases."""
    t = [tok.stem for tok in analysis.tokens if not tok.stop and tok.kind != "emoji"]
    return [t[i] + "\x1f" + t[i + 1] for i in range(len(t) - 1)]
