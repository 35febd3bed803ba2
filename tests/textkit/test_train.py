"""Fitting the re-ranker and its decisions on labelled answers, or claim-level with judged pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from humas.textkit.evaluation import read_judged
from humas.textkit.train import dev_candidates, train


def test_training_reports_cross_validated_decisions(mini_corpus_path: Path, mini_queries_path: Path) -> None:
    model, report = train(str(mini_corpus_path), str(mini_queries_path), folds=3)
    decisions = report["decision"]["cv"]
    assert set(decisions) == {"match", "suggestion", "none", "match+suggestion"}
    assert sum(decisions[d]["share"] for d in ("match", "suggestion", "none")) == pytest.approx(
        1.0, abs=0.001
    )
    assert report["trained_on"]["judged"] is None
    assert "cv_gold" not in report
    assert 0.0 < model.suggestion_threshold <= 1.0


def test_judged_pairs_make_the_labels_claim_level(
    tmp_path: Path, mini_corpus_path: Path, mini_queries_path: Path
) -> None:
    gold = dev_candidates(str(mini_corpus_path), str(mini_queries_path), folds=3)
    # A candidate of the first query that is not its labelled answer, judged the same claim.
    first = gold.labels[0] == False  # noqa: E712 - numpy element-wise
    other = next(
        gold.doc_ids[int(c)]
        for c, wrong, m in zip(gold.cand[0], first, gold.mask[0], strict=True)
        if wrong and m
    )
    judged = tmp_path / "judged.jsonl"
    lines = [
        {"query_id": gold.queries[0].query_id, "candidate_id": other, "label": "same", "note": "same claim"},
        {"query_id": gold.queries[1].query_id, "candidate_id": other, "label": "related", "note": "topic"},
    ]
    judged.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    claim = dev_candidates(str(mini_corpus_path), str(mini_queries_path), folds=3, judged=read_judged(judged))
    assert int(claim.labels.sum()) == int(gold.labels.sum()) + 1  # "related" is not relevant
    assert (claim.fold == gold.fold).all()  # folds follow the labelled answers
    _model, report = train(str(mini_corpus_path), str(mini_queries_path), folds=3, judged_path=str(judged))
    assert report["trained_on"]["judged"] == "judged.jsonl"
    assert set(report["cv_gold"]) == {"recall@1", "recall@5", "mrr@10"}
    assert report["decision"]["match_precision_target"] == 0.97
    assert report["decision"]["suggestion_precision_target"] == 0.95


def test_a_model_uses_the_decision_features_it_was_fitted_on(
    mini_corpus_path: Path, mini_queries_path: Path
) -> None:
    from humas.textkit.evaluation import read_corpus
    from humas.textkit.index import ClaimIndex
    from humas.textkit.ranking import DECISION_FEATURE_SETS, RankingModel

    texts = ["Info dari grup WA: pemilu ditunda sampai 2025, sebarkan!!", "Hari ini cerah sekali"]
    for name in ("base", "names", "all"):
        model, report = train(str(mini_corpus_path), str(mini_queries_path), folds=3, decision_set=name)
        assert model.decision_feature_names == DECISION_FEATURE_SETS[name]
        assert report["decision"]["features"] == name
        again = RankingModel.from_json(model.to_json())
        index = ClaimIndex(model=again)
        index.add(read_corpus(mini_corpus_path))
        results = index.search_batch(texts)
        assert all(0.0 <= r.confidence <= 1.0 for r in results)
    raw = json.loads(model.to_json())
    raw["decision_feature_names"][0] = "something_else"
    with pytest.raises(ValueError, match="decision features are not known"):
        RankingModel.from_json(json.dumps(raw))


def test_the_shipped_model_names_its_decision_features() -> None:
    from humas.textkit.ranking import BASE_DECISION_FEATURES, default_model

    assert default_model().decision_feature_names == BASE_DECISION_FEATURES
