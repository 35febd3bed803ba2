"""The accelerated Sastrawi stemmer must give exactly Sastrawi's results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from humas.textkit.stemmer import build_stemmer

PREFIXES = ("", "me", "mem", "men", "meng", "meny", "di", "ber", "be", "ter", "te", "pe", "pem", "pen")
PREFIXES += ("peng", "peny", "per", "ke", "se", "memper", "diper", "ku", "kau", "menge", "penge")
SUFFIXES = ("", "kan", "an", "i", "nya", "lah", "kah", "pun", "ku", "mu", "kannya", "annya", "isme")


def _compare(words: list[str]) -> list[tuple[str, str, str]]:
    plain, _ = build_stemmer(accelerated=False)
    fast, _ = build_stemmer()
    out = []
    for w in words:
        a, b = plain.stem(w), fast.stem_word(w)
        if a != b:
            out.append((w, a, b))
    return out


def test_affixed_forms_of_sastrawi_roots_stem_identically() -> None:
    _, roots = build_stemmer(accelerated=False)
    sample = sorted(roots)[::150]  # ~200 roots, every initial letter
    words = sorted(
        {p + r + s for r in sample for p in PREFIXES for s in SUFFIXES if r.isalpha() and r.islower()}
    )[::5]
    assert len(words) > 5_000
    assert _compare(words) == []


def test_rule_specific_words_stem_identically() -> None:
    words = ["belajar", "pelajar", "mempelajari", "memperbaiki", "mengkritik", "mengecat", "menyapu"]
    words += ["berbalas", "memproteksi", "perekonomian", "kelihatannya", "sembuhkan", "tersandera"]
    assert _compare(words) == []
    fast, _ = build_stemmer()
    assert [fast.stem_word(w) for w in ("menyapu", "mempelajari", "kelihatannya")] == [
        "sapu",
        "ajar",
        "lihat",
    ]


@pytest.mark.slow
def test_every_word_of_the_fact_check_corpus_stems_identically(shared_data: Path) -> None:
    text = (shared_data / "factchecks" / "corpus.jsonl").read_text(encoding="utf-8").lower()
    words = sorted({w for w in re.findall(r"[a-z]+", text) if len(w) > 3})
    assert len(words) > 15_000
    assert _compare(words) == []
