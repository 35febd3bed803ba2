"""Claim-level decisions on the dev queries and on real election tweets (issue #16, part 2).

    python bench/claims/decisions.py

Fits the re-ranker and the decision model on the dev queries with claim-level labels
(``data/judged_dev.jsonl``), cross-validated (weights never see their test fold), and reports the
match / suggestion / none shares and first-candidate precisions for two ways of setting the
thresholds, each at 0.97 (match) and 0.95 (match and suggestion together):

* "with no-answer rows" (what ``python -m humas.textkit.train --judged`` ships): every query also
  counts once with its relevant fact-checks removed, so a threshold must hold when the knowledge
  base has no answer (most posts a monitoring desk sees);
* "answerable only": the thresholds see only queries whose answer is in the knowledge base.

For each, how many of the 4,043 real election tweets (``../shared/data/posts``, almost none a
checked hoax) would get each decision, and the shipped model's figures in the same run.
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
from humas.textkit.ranking import RankingModel, fit_decision, threshold_for_precision  # noqa: E402

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
    judged = read_judged(HERE / "data" / "judged_dev.jsonl")
    dev = fit.dev_candidates(str(CORPUS), str(QUERIES), judged=judged)
    scores = fit.cross_validated_scores(dev.feats, dev.labels, dev.mask, dev.fold)
    r1, r5, mrr = fit._rank_eval(scores, dev.labels, dev.mask)
    print(f"cross-validated, claim-level: recall@1 {r1:.3f}, recall@5 {r5:.3f}, MRR@10 {mrr:.3f}")
    feats, correct, words, real = fit._decision_rows(scores, dev.feats, dev.mask, dev.labels, dev.words)
    mean, scale, weights, bias = fit_decision(feats, correct)
    prob = 1.0 / (1.0 + np.exp(-(((feats - mean) / scale) @ weights + bias)))
    long_enough = words >= fit.MIN_MATCH_WORDS
    model, _report = fit.train(str(CORPUS), str(QUERIES), judged_path=str(HERE / "data" / "judged_dev.jsonl"))
    print()
    print(
        "| thresholds set | match (share @ precision) | suggestion | match+suggestion | none (first right) "
        "| no-answer rows matched | tweets: match / suggestion |"
    )
    print("|---|---|---|---|---|---:|---|")
    for name, rows in (("with no-answer rows", np.ones_like(real)), ("answerable only", real)):
        t_match = threshold_for_precision(
            prob[rows & long_enough].tolist(), correct[rows & long_enough].tolist(), fit.CLAIM_MATCH_PRECISION
        )
        t_sugg = threshold_for_precision(
            prob[rows].tolist(), correct[rows].tolist(), fit.CLAIM_SUGGESTION_PRECISION
        )
        figures = fit.decisions_report(prob[real], correct[real], words[real], t_match, t_sugg)
        unanswered = ~real
        wrongly = float(((prob[unanswered] >= t_match) & (words[unanswered] >= fit.MIN_MATCH_WORDS)).mean())
        counts = tweet_decisions(
            dataclasses.replace(model, match_threshold=t_match, suggestion_threshold=t_sugg), tweets
        )

        cell = {key: f"{value['share']:.1%} @ {value['precision']:.3f}" for key, value in figures.items()}
        print(
            f"| {name} (match ≥ {t_match:.3f}, suggestion ≥ {t_sugg:.3f}) | {cell['match']} | {cell['suggestion']} "
            f"| {cell['match+suggestion']} | {cell['none']} | {wrongly:.1%} "
            f"| {counts['match']} / {counts['suggestion']} |"
        )
    shipped = tweet_decisions(RankingModel.load(REPO / "humas" / "textkit" / "data" / "ranker.json"), tweets)
    print(f"\nshipped model on the tweets: match {shipped['match']}, suggestion {shipped['suggestion']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
