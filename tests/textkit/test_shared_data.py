"""Checks on the real data beside the checkout; skipped when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from humas.textkit.evaluation import evaluate_index, read_corpus, read_queries
from humas.textkit.normalize import Analyzer, load_lexicon


@pytest.mark.slow
def test_dev_queries_beat_the_bm25_reference(shared_data: Path) -> None:
    docs = read_corpus(shared_data / "factchecks" / "corpus.jsonl")
    queries = read_queries(shared_data / "factchecks" / "queries_dev.jsonl")
    report = evaluate_index(docs, queries)
    assert report["queries"] == 2638
    assert report["recall@1"] >= 0.70  # plain BM25: about 0.65
    assert report["mrr@10"] >= 0.76  # plain BM25: about 0.71


def test_the_colloquial_lexicon_csv_loads_as_an_extra_lexicon(shared_data: Path) -> None:
    lexicon = load_lexicon(shared_data / "lexicon" / "colloquial-indonesian-lexicon.csv")
    assert len(lexicon) > 4_000  # distinct one-word slang forms of the 15,396 rows
    assert Analyzer(lexicon=lexicon).normalize("aminn woww") == "amin wow"
