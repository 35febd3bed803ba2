from __future__ import annotations

import threading
from pathlib import Path

import pytest

from humas.textkit.evaluation import read_corpus, read_queries
from humas.textkit.index import ClaimDocument, ClaimIndex
from humas.textkit.normalize import Analyzer
from humas.textkit.ranking import RankingModel, default_model


def test_a_circulating_post_finds_its_clarification_first(mini_index: ClaimIndex) -> None:
    result = mini_index.search(
        "VIRAL!! surat suara udah dicoblos duluan sebelum hari H, KPU curang bgt #pemilu2024"
    )
    assert result.candidates[0].doc_id == "klar-001"
    assert result.decision in ("match", "suggestion")


def test_a_long_post_that_retells_a_clarified_claim_is_a_match(mini_index: ClaimIndex) -> None:
    result = mini_index.search("Petugas KPPS nyoblos sisa surat suara di TPS kami, videonya viral")
    assert result.candidates[0].doc_id == "klar-007"
    assert result.decision == "match"


def test_every_mini_query_has_its_clarification_in_the_top_two(
    mini_index: ClaimIndex, mini_queries_path: Path
) -> None:
    queries = read_queries(mini_queries_path)
    results = mini_index.search_batch([q.text for q in queries], k=2)
    assert [
        bool({c.doc_id for c in r.candidates} & q.relevant_doc_ids)
        for r, q in zip(results, queries, strict=True)
    ] == [True] * len(queries)


def test_unrelated_text_is_not_matched(mini_index: ClaimIndex) -> None:
    result = mini_index.search("Resep rendang padang yang enak dan empuk untuk lebaran")
    assert result.decision == "none"


def test_short_posts_are_at_most_a_suggestion(mini_index: ClaimIndex) -> None:
    result = mini_index.search("kotak suara kardus")
    assert result.candidates[0].doc_id == "klar-003"
    assert result.decision == "suggestion"


@pytest.mark.parametrize("text", ["", "   ", "🙏🙏🙏", "\x00\xff" * 100, "שלום עולם", "x" * 1_000_000])
def test_bad_queries_return_an_empty_result(mini_index: ClaimIndex, text: str) -> None:
    result = mini_index.search(text)
    assert result.candidates == ()
    assert result.decision == "none"


def test_removed_documents_are_never_returned(mini_index: ClaimIndex) -> None:
    assert mini_index.remove(["klar-001", "no-such-id"]) == 1
    result = mini_index.search("surat suara sudah dicoblos sebelum hari pemungutan")
    assert "klar-001" not in [c.doc_id for c in result.candidates]
    assert len(mini_index) == 19


def test_added_documents_are_found_without_rebuilding_the_others(mini_index: ClaimIndex) -> None:
    mini_index.search("warm up")
    mini_index.add(
        [
            ClaimDocument(
                "klar-100", "Foto bilik suara transparan di Jepara hoaks", "Bilik suara tetap tertutup."
            )
        ]
    )
    result = mini_index.search("bilik suara transparan di jepara bikin pemilih malu")
    assert result.candidates[0].doc_id == "klar-100"
    assert len(mini_index) == 21


def test_adding_an_existing_id_replaces_the_document(mini_index: ClaimIndex) -> None:
    mini_index.add(
        [ClaimDocument("klar-005", "Mi instan tidak mengandung lilin", "Hoaks lama tentang mi instan.")]
    )
    result = mini_index.search("tinta pemilu haram dan berbahaya bagi kulit")
    assert "klar-005" not in [c.doc_id for c in result.candidates[:1]]
    assert mini_index.search("mi instan mengandung lilin berbahaya").candidates[0].doc_id == "klar-005"
    assert len(mini_index) == 20


def test_saved_index_loads_and_ranks_identically(
    mini_index: ClaimIndex, tmp_path: Path, analyzer: Analyzer
) -> None:
    mini_index.remove(["klar-020"])
    path = tmp_path / "claims.idx"
    mini_index.save(path)
    loaded = ClaimIndex.load(path, analyzer=analyzer)
    texts = [
        "Server KPU dibobol hacker",
        "pemilu ditunda 2025",
        "WNA ikut nyoblos",
        "surat suara luar negeri lewat pos",
    ]
    assert [r.candidates for r in loaded.search_batch(texts)] == [
        r.candidates for r in mini_index.search_batch(texts)
    ]
    assert sorted(loaded.doc_ids) == sorted(mini_index.doc_ids)


def test_loading_a_file_of_another_format_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.idx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(Exception, match="zip"):
        ClaimIndex.load(path)


def test_concurrent_reads_during_writes_do_not_fail(mini_index: ClaimIndex) -> None:
    errors: list[BaseException] = []
    results: list[str] = []

    def reader() -> None:
        try:
            for _ in range(30):
                r = mini_index.search("pemilu 2024 ditunda ke tahun 2025 katanya")
                results.append(r.candidates[0].doc_id)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(20):
        mini_index.add([ClaimDocument(f"extra-{i}", f"Klarifikasi tambahan nomor {i}", "Isi klarifikasi.")])
    for t in threads:
        t.join()
    assert errors == []
    assert set(results) == {"klar-002"}


def test_an_empty_index_returns_nothing() -> None:
    assert ClaimIndex().search("surat suara").candidates == ()


def test_scores_come_back_best_first_with_probabilities_summing_to_at_most_one(
    mini_index: ClaimIndex,
) -> None:
    result = mini_index.search("tinta pemilu haram", k=20)
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)
    assert 0.99 <= sum(c.probability for c in result.candidates) <= 1.0 + 1e-9


def test_the_shipped_ranking_model_matches_the_feature_set() -> None:
    model = default_model()
    assert len(model.weights) == len(model.mean) == len(RankingModel.untrained().weights)
    assert 0.0 < model.suggestion_threshold < model.match_threshold < 1.0


def test_mini_corpus_reads_twenty_documents(mini_corpus_path: Path) -> None:
    assert len(read_corpus(mini_corpus_path)) == 20
