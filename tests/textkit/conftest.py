"""Fixtures for the text-engine tests. Nothing here needs Django or a database."""

from __future__ import annotations

from pathlib import Path

import pytest

from humas.textkit.evaluation import read_corpus
from humas.textkit.index import ClaimIndex
from humas.textkit.normalize import Analyzer

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="session")
def mini_corpus_path() -> Path:
    return DATA / "mini_corpus.jsonl"


@pytest.fixture(scope="session")
def mini_queries_path() -> Path:
    return DATA / "mini_queries.jsonl"


@pytest.fixture()
def mini_index(analyzer: Analyzer, mini_corpus_path: Path) -> ClaimIndex:
    index = ClaimIndex(analyzer=analyzer)
    index.add(read_corpus(mini_corpus_path))
    return index


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED.resolve()}")
    return SHARED
