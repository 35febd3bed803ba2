"""Claim-level decisions on the dev queries and on real election tweets (issue #16, part 2).

    python bench/claims/decisions.py      # about a minute

The re-ranker scores the dev queries cross-validated with claim-level labels
(``data/judged_dev.jsonl``); the decision model ("is the first candidate right?") is fitted on
each named set of decision features (``humas.textkit.ranking.DECISION_FEATURE_SETS``), also
cross-validated, and its thresholds set for 0.97 precision of ``match`` and 0.95 of ``match`` and
``suggestion`` together:

* "with no-answer rows" (what ``python -m humas.textkit.train --judged`` does): every query also
  counts once with its relevant fact-checks removed, so a threshold must hold when the knowledge
  base has no answer (most posts a monitoring desk sees);
* "answerable only": the thresholds see only queries whose answer is in the knowledge base.

Reported: the decisions' shares and first-candidate precisions on the dev queries, the share of
no-answer rows that would be matched, and the decisions on the 4,043 real election tweets
(``../shared/data/posts``, almost none a checked hoax) of a model trained that way; and the
shipped model's decisions on the tweets.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
sys.path.insert(0, str(REPO))

from humas.textkit import train as fit  # noqa: E402
from humas.textkit.evaluation import read_corpus, read_judged  # noqa: E402
from humas.textkit.index import ClaimIndex  # noqa: E402
from humas.textkit.ranking import (  # noqa: E402
    DECISION_FEATURE_NAMES,
    DECISION_FEATURE_SETS,
    RankingModel,
    fit_decision,
    threshold_for_precision,
)
from humas.textkit.stance import DENIES_THRESHOLD, default_stance_model  # noqa: E402

CORPUS = SHARED / "factchecks" / "corpus.jsonl"
QUERIES = SHARED / "factchecks" / "queries_dev.jsonl"
TWEETS = SHARED / "posts" / "pilpres2024_tweets.csv"


def tweet_decisions(model: RankingModel, texts: list[str]) -> dict[str, int]:
    index = ClaimIndex(model=model)
    index.add(read_corpus(CORPUS))
    index.prepare()
    results = index.search_batch(texts)
    return {d: sum(r.decision == d for r in results) for d in ("match", "suggestion", "none")}


def main() -> int:
    with TWEETS.open(encoding="utf-8", newline="") as handle:
        tweets = [row["text"] for row in csv.DictReader(handle)]
    judged_path = HERE / "data" / "judged_dev.jsonl"
    dev = fit.dev_candidates(str(CORPUS), str(QUERIES), judged=read_judged(judged_path))
    scores = fit.cross_validated_scores(dev.feats, dev.labels, dev.mask, dev.fold)
    r1, r5, mrr = fit._rank_eval(scores, dev.labels, dev.mask)
    print(f"cross-validated, claim-level: recall@1 {r1:.3f}, recall@5 {r5:.3f}, MRR@10 {mrr:.3f}")
    every, correct, words, real = fit._decision_rows(scores, dev.feats, dev.mask, dev.labels, dev.words)
    long_enough = words >= fit.MIN_MATCH_WORDS
    print()
    print(
        "| decision features, thresholds set | match (share @ precision) | suggestion | match+suggestion "
        "| none (first right) | no-answer rows matched | tweets: match / suggestion |"
    )
    print("|---|---|---|---|---|---:|---|")
    runs = [(name, "with no-answer rows") for name in DECISION_FEATURE_SETS] + [("base", "answerable only")]
    for set_name, how in runs:
        columns = [DECISION_FEATURE_NAMES.index(n) for n in DECISION_FEATURE_SETS[set_name]]
        feats = every[:, columns]
        # The decision model scored by one fitted without the query's fold.
        prob = np.zeros(len(correct))
        folds = _row_folds(dev, real)
        for f in np.unique(folds):
            train_rows, test_rows = folds != f, folds == f
            mean, scale, weights, bias = fit_decision(feats[train_rows], correct[train_rows])
            prob[test_rows] = 1.0 / (1.0 + np.exp(-(((feats[test_rows] - mean) / scale) @ weights + bias)))
        rows = np.ones_like(real) if how == "with no-answer rows" else real
        t_match = threshold_for_precision(
            prob[rows & long_enough].tolist(), correct[rows & long_enough].tolist(), fit.CLAIM_MATCH_PRECISION
        )
        t_sugg = threshold_for_precision(
            prob[rows].tolist(), correct[rows].tolist(), fit.CLAIM_SUGGESTION_PRECISION
        )
        figures = fit.decisions_report(prob[real], correct[real], words[real], t_match, t_sugg)
        unanswered = ~real
        wrongly = float(((prob[unanswered] >= t_match) & (words[unanswered] >= fit.MIN_MATCH_WORDS)).mean())
        model, _report = fit.train(
            str(CORPUS), str(QUERIES), judged_path=str(judged_path), decision_set=set_name
        )
        counts = tweet_decisions(
            dataclasses.replace(model, match_threshold=t_match, suggestion_threshold=t_sugg), tweets
        )
        cell = {key: f"{value['share']:.1%} @ {value['precision']:.3f}" for key, value in figures.items()}
        print(
            f"| {set_name} ({len(columns)}), {how} (match ≥ {t_match:.3f}, suggestion ≥ {t_sugg:.3f}) "
            f"| {cell['match']} | {cell['suggestion']} | {cell['match+suggestion']} | {cell['none']} "
            f"| {wrongly:.1%} | {counts['match']} / {counts['suggestion']} |"
        )
    shipped = tweet_decisions(RankingModel.load(REPO / "humas" / "textkit" / "data" / "ranker.json"), tweets)
    print(f"\nshipped model on the tweets: match {shipped['match']}, suggestion {shipped['suggestion']}")
    stance_on_tweets(tweets)
    return 0


def stance_on_tweets(tweets: list[str]) -> None:
    """The shipped model's matches and suggestions on the tweets, with the monitoring pipeline's
    stance rule (a post likely to deny the claim is no match and is marked as denying it)."""
    docs = read_corpus(CORPUS)
    titles = {d.doc_id: d.title for d in docs}
    index = ClaimIndex()
    index.add(docs)
    index.prepare()
    model = default_stance_model()
    counts = {"match": 0, "suggestion": 0, "denies": 0}
    denied: list[tuple[str, str]] = []
    for text, result in zip(tweets, index.search_batch(tweets), strict=True):
        if result.decision == "none" or result.best is None:
            continue
        title = titles[result.best.doc_id]
        if model.decide(title, text).probabilities["denies"] >= DENIES_THRESHOLD:
            counts["denies"] += 1
            denied.append((text, title))
        else:
            counts[str(result.decision)] += 1
    print(
        f"with the stance rule: match {counts['match']}, suggestion {counts['suggestion']}, "
        f"marked as denying the claim {counts['denies']} (shown as suggestions)"
    )
    for text, title in denied:
        print(f"  denies: {text[:100]!r} -> {title[:70]!r}")


def _row_folds(dev: fit.DevCandidates, real: np.ndarray) -> np.ndarray:
    """The fold of each decision row (``fit._decision_rows`` makes, per query with candidates, its
    real ranking and then, if candidates remain, the ranking without its relevant ones)."""
    folds: list[int] = []
    for query, (mask, labels) in enumerate(zip(dev.mask, dev.labels, strict=True)):
        if mask.any():
            folds.append(int(dev.fold[query]))
        if (mask & ~labels).any():
            folds.append(int(dev.fold[query]))
    assert len(folds) == len(real)  # noqa: S101 - the rows' order above
    return np.array(folds)


if __name__ == "__main__":
    raise SystemExit(main())
