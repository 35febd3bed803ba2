from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from humas.textkit.embedding import Embedder, LsaEmbedder
from humas.textkit.evaluation import read_corpus
from humas.textkit.index import ClaimDocument, ClaimIndex
from humas.textkit.normalize import Analyzer


@pytest.fixture(scope="module")
def docs(mini_corpus_path: Path) -> list[ClaimDocument]:
    return read_corpus(mini_corpus_path)


@pytest.fixture(scope="module")
def embedder(docs: list[ClaimDocument]) -> LsaEmbedder:
    return LsaEmbedder(dimensions=8, analyzer=Analyzer()).fit([d.text for d in docs])


def test_lsa_embedder_satisfies_the_interface_and_returns_unit_rows(embedder: LsaEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    vectors = embedder.encode(["surat suara dicoblos", "", "🙏"])
    assert vectors.shape == (3, 8)
    assert np.allclose(np.linalg.norm(vectors[0]), 1.0)
    assert np.allclose(vectors[1:], 0.0)


def test_encode_before_fit_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="fit"):
        LsaEmbedder().encode(["x"])


def test_an_index_without_embedding_weight_ignores_the_embedder(
    docs: list[ClaimDocument], embedder: LsaEmbedder
) -> None:
    index = ClaimIndex(embedder=embedder)
    index.add(docs)
    assert index.embedder is None


def test_embedding_scores_are_added_and_survive_save_and_load(
    docs: list[ClaimDocument], embedder: LsaEmbedder, tmp_path: Path
) -> None:
    plain = ClaimIndex()
    plain.add(docs)
    dense = ClaimIndex(embedder=embedder, embedding_weight=2.0)
    dense.add(docs)
    text = "Server KPU dibobol hacker, ini videonya"
    assert dense.search(text).candidates[0].doc_id == plain.search(text).candidates[0].doc_id == "klar-010"
    assert dense.search(text).candidates[0].score != plain.search(text).candidates[0].score
    dense.remove(["klar-020"])
    path = tmp_path / "dense.idx"
    dense.save(path)
    loaded = ClaimIndex.load(path, embedder=embedder, embedding_weight=2.0)
    assert [c.doc_id for c in loaded.search(text).candidates] == [
        c.doc_id for c in dense.search(text).candidates
    ]
    with pytest.raises(ValueError, match="without embeddings"):
        plain.save(tmp_path / "plain.idx")
        ClaimIndex.load(tmp_path / "plain.idx", embedder=embedder, embedding_weight=1.0)
