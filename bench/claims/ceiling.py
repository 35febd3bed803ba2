"""How far can claim matching go on these labels? A judged sample of the errors.

    python bench/claims/ceiling.py

``bench/claims/data/error_judgement.jsonl`` holds 180 cases drawn at random (seed 2026)
from the 5-fold cross-validated ranking of the dev queries at commit b9f08b4: 120 where
the answer was among the 20 candidates but another fact-check came first, and 60 where
the answer was not among the candidates. Each was read and labelled by one engineer:

ranking errors
  SAME   the first document checks the same claim (an equally good answer for a person)
  VAGUE  the post does not contain what tells the two apart
  CLOSE  same template, different specific claim, and the post names what tells them apart
  WRONG  the first document is unrelated or worse, and the post supports the answer
candidate misses
  NOTEXT, KNOWLEDGE (needs facts the words do not carry), SAME-AS-TOP, LEXICAL

This script ranks the dev queries again with the current code (cross-validated, as
``python -m humas.textkit.train`` does), reports which judged errors are still errors,
and extrapolates the best figures a ranker could reach if it fixed every CLOSE, WRONG
and LEXICAL case. The SAME and VAGUE cases can at best be won by chance; the estimate
assumes the current ranking already wins about as many of them as it loses.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "factchecks"
sys.path.insert(0, str(REPO))

from humas.textkit.train import _rank_eval, cross_validated_scores, dev_candidates  # noqa: E402

RECOVERABLE = {"CLOSE", "WRONG", "LEXICAL"}


def main() -> int:
    dev = dev_candidates(str(SHARED / "corpus.jsonl"), str(SHARED / "queries_dev.jsonl"))
    queries, mask, labels = dev.queries, dev.mask, dev.labels
    scores = cross_validated_scores(dev.feats, labels, mask, dev.fold)
    r1, _, mrr = _rank_eval(scores, labels, mask)
    order = np.argsort(-np.where(mask, scores, -np.inf), axis=1, kind="stable")
    top_ok = labels[np.arange(len(queries)), order[:, 0]]
    in_cand = labels.any(axis=1)
    n_err = int((in_cand & ~top_ok).sum())
    n_miss = int((~in_cand).sum())
    row = {q.query_id: i for i, q in enumerate(queries)}

    judged = [json.loads(line) for line in (REPO / "bench/claims/data/error_judgement.jsonl").open()]
    errors = [j for j in judged if j["kind"] == "ranking_error"]
    misses = [j for j in judged if j["kind"] == "candidate_miss"]
    print(f"current 5-fold CV: recall@1 {r1:.4f}, MRR@10 {mrr:.4f}; {n_err} ranking errors, {n_miss} misses")
    for name, group in (("ranking errors", errors), ("candidate misses", misses)):
        counts = Counter(j["label"] for j in group)
        fixed = Counter(j["label"] for j in group if top_ok[row[j["query_id"]]])
        print(f"judged {name} ({len(group)}):")
        for label, n in counts.most_common():
            print(f"  {label:12s} {n:3d} ({n / len(group):.0%}); now ranked first: {fixed[label]}")
    # Extrapolate from the sample's shares to the current error counts.
    nq = len(queries)
    rec_err = [j for j in errors if j["label"] in RECOVERABLE]
    share_err = len(rec_err) / len(errors)
    share_miss = sum(j["label"] in RECOVERABLE for j in misses) / len(misses)
    mrr_gain_per_err = float(
        np.mean([1 - 1 / j["gold_rank"] if j["gold_rank"] <= 10 else 1 for j in rec_err])
    )
    ceiling_r1 = r1 + (share_err * n_err + share_miss * n_miss) / nq
    ceiling_mrr = mrr + (share_err * n_err * mrr_gain_per_err + share_miss * n_miss) / nq
    print(
        f"a ranker fixing every CLOSE, WRONG and LEXICAL case: recall@1 ~{ceiling_r1:.3f}, MRR@10 ~{ceiling_mrr:.3f}"
    )
    print("(targets 0.75 / 0.82; sample shares have a 95 % margin of about +-9 points)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
