"""Fit the re-ranker and decision thresholds on a dev corpus, with cross-validation.

    python -m humas.textkit.train --corpus corpus.jsonl --queries queries_dev.jsonl \
        --out humas/textkit/data/ranker.json

Queries are split into folds by a hash of their relevant-document set, so a
claim and its alternates never sit on both sides.  The cross-validated metrics
(printed and stored in the model's ``meta``) estimate held-out quality; the
shipped weights are then fitted on all dev queries.

Decision calibration: for every query the cross-validated top candidate gives a
positive or negative example of "the top candidate is right"; removing the
relevant documents from the candidates gives the "nothing in the corpus
matches" case.  A logistic model over :data:`DECISION_FEATURE_NAMES` is fitted on
those, and the match/suggestion thresholds are the lowest probabilities reaching
the target precisions among long-enough posts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .evaluation import EvalQuery, Judgement, claim_level, read_corpus, read_judged, read_queries
from .index import ClaimDocument, ClaimIndex
from .ranking import (
    DECISION_FEATURE_NAMES,
    DECISION_FEATURE_SETS,
    RankingModel,
    decision_features,
    fit_decision,
    fit_listwise,
    threshold_for_precision,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

MATCH_PRECISION = 0.90
SUGGESTION_PRECISION = 0.70
# With judged pairs (claim-level relevance: another check of the same claim is right too), the
# targets a monitoring desk needs: a match it can act on unseen, a suggestion a person confirms.
CLAIM_MATCH_PRECISION = 0.97
CLAIM_SUGGESTION_PRECISION = 0.95  # of matches and suggestions together
MIN_MATCH_WORDS = 6


def _fold_of(query: EvalQuery, folds: int) -> int:
    key = "|".join(sorted(query.relevant_doc_ids)).encode()
    return int(hashlib.sha256(key).hexdigest()[:8], 16) % folds


def _rank_eval(scores: FloatArray, labels: BoolArray, mask: BoolArray) -> tuple[float, float, float]:
    r1 = r5 = mrr = 0.0
    for s, y, m in zip(scores, labels, mask, strict=True):
        s = np.where(m, s, -np.inf)
        order = np.argsort(-s, kind="stable")
        hits = np.nonzero(y[order] & m[order])[0]
        if len(hits):
            rank = int(hits[0]) + 1
            r1 += rank == 1
            r5 += rank <= 5
            mrr += 1.0 / rank if rank <= 10 else 0.0
    n = max(1, len(scores))
    return r1 / n, r5 / n, mrr / n


def _decision_rows(
    scores: FloatArray, feats: FloatArray, mask: BoolArray, labels: BoolArray, words: FloatArray
) -> tuple[FloatArray, BoolArray, FloatArray, BoolArray]:
    """Decision features for the real ranking and for the ranking without relevant docs (the
    last array says which rows are the real rankings), as ClaimIndex computes them."""
    kc = scores.shape[1]
    probs: list[FloatArray] = []
    margins: list[float] = []
    top_scores: list[float] = []
    tops: list[FloatArray] = []
    seconds: list[FloatArray] = []
    correct: list[bool] = []
    qwords: list[float] = []
    real: list[bool] = []
    for s, f, m, y, w in zip(scores, feats, mask, labels, words, strict=True):
        for drop_relevant in (False, True):
            keep = m & ~y if drop_relevant else m
            if not keep.any():
                continue
            sk = np.where(keep, s, -np.inf)
            order = np.argsort(-sk, kind="stable")[: int(keep.sum())]
            e = np.exp(sk[order] - sk[order[0]])
            p = np.zeros(kc)
            p[: len(order)] = e / e.sum()
            top = order[0]
            second = order[1] if len(order) > 1 else top
            probs.append(p)
            margins.append(float(sk[order[0]] - sk[order[1]]) if len(order) > 1 else 10.0)
            top_scores.append(float(s[top]))
            tops.append(f[top])
            seconds.append(f[second])
            correct.append(bool(y[top]))
            qwords.append(float(w))
            real.append(not drop_relevant)
    rows = decision_features(
        np.array(probs),
        np.array(margins),
        np.array(top_scores),
        np.array(tops),
        np.array(seconds),
        np.array(qwords),
    )
    return rows, np.array(correct), np.array(qwords), np.array(real)


def decisions_report(
    prob: FloatArray, correct: BoolArray, words: FloatArray, t_match: float, t_sugg: float
) -> dict[str, dict[str, float]]:
    """Share of queries and precision of the first candidate per decision, as ClaimIndex decides."""
    match = (prob >= t_match) & (words >= MIN_MATCH_WORDS)
    suggestion = ~match & (prob >= t_sugg)
    groups = {"match": match, "suggestion": suggestion, "none": ~match & ~suggestion}
    groups["match+suggestion"] = match | suggestion
    n = max(1, len(prob))
    return {
        name: {
            "share": round(float(picked.sum() / n), 4),
            "precision": round(float(correct[picked].mean()), 4) if picked.any() else 0.0,
        }
        for name, picked in groups.items()
    }


@dataclass(frozen=True)
class DevCandidates:
    """The dev queries' first-stage candidates, their features and which are right."""

    docs: list[ClaimDocument]
    queries: list[EvalQuery]
    doc_ids: list[str]  # by index position
    cand: npt.NDArray[np.int64]
    feats: FloatArray
    mask: BoolArray
    words: FloatArray
    labels: BoolArray
    fold: npt.NDArray[np.int64]


def dev_candidates(
    corpus_path: str, queries_path: str, *, folds: int = 5, judged: Sequence[Judgement] | None = None
) -> DevCandidates:
    """``judged`` pairs make the labels claim-level (a candidate judged "same" is right too); the
    folds stay those of the labelled answers."""
    docs = read_corpus(corpus_path)
    labelled = read_queries(queries_path)
    queries = claim_level(labelled, judged) if judged is not None else labelled
    index = ClaimIndex(model=RankingModel.untrained())
    index.add(docs)
    doc_ids, cand, feats, mask, words = index.candidate_features([q.text for q in queries])
    id_arr = np.array(doc_ids, dtype=object)
    labels = np.zeros(cand.shape, dtype=bool)
    for i, q in enumerate(queries):
        labels[i] = mask[i] & np.isin(id_arr[np.where(mask[i], cand[i], 0)], list(q.relevant_doc_ids))
    fold = np.array([_fold_of(q, folds) for q in labelled])
    return DevCandidates(docs, queries, doc_ids, cand, feats, mask, words, labels, fold)


def cross_validated_scores(
    feats: FloatArray, labels: BoolArray, mask: BoolArray, fold: npt.NDArray[np.int64], *, l2: float = 1e-3
) -> FloatArray:
    """Scores of each query's candidates by weights fitted without that query's fold."""
    scores = np.zeros(labels.shape)
    for f in np.unique(fold):
        tr, te = fold != f, fold == f
        mean, scale, w = fit_listwise(feats[tr], labels[tr], mask[tr], l2=l2)
        scores[te] = ((feats[te] - mean) / scale) @ w
    return scores


def train(
    corpus_path: str,
    queries_path: str,
    *,
    folds: int = 5,
    l2: float = 1e-3,
    judged_path: str | None = None,
    decision_set: str = "base",
) -> tuple[RankingModel, dict[str, object]]:
    """Fit the re-ranker and the decision model (on the named set of decision features); with
    ``judged_path`` (pairs a person judged), on claim-level labels and to the claim-level
    precision targets."""
    names = DECISION_FEATURE_SETS[decision_set]
    columns = [DECISION_FEATURE_NAMES.index(name) for name in names]
    judged = read_judged(judged_path) if judged_path else None
    dev = dev_candidates(corpus_path, queries_path, folds=folds, judged=judged)
    gold = dev_candidates(corpus_path, queries_path, folds=folds) if judged is not None else dev
    queries, feats, mask, words, labels = dev.queries, dev.feats, dev.mask, dev.words, dev.labels
    cv_scores = cross_validated_scores(feats, labels, mask, dev.fold, l2=l2)
    r1, r5, mrr = _rank_eval(cv_scores, labels, mask)
    base = _rank_eval(RankingModel.untrained().score(feats), labels, mask)
    dfeat, dcorrect, dwords, dreal = _decision_rows(cv_scores, feats, mask, labels, words)
    dfeat = dfeat[:, columns]
    dmean, dscale, dw, db = fit_decision(dfeat, dcorrect)
    z = (dfeat - dmean) / dscale
    prob = 1.0 / (1.0 + np.exp(-(z @ dw + db)))
    long_enough = dwords >= MIN_MATCH_WORDS
    match_target = CLAIM_MATCH_PRECISION if judged is not None else MATCH_PRECISION
    sugg_target = CLAIM_SUGGESTION_PRECISION if judged is not None else SUGGESTION_PRECISION
    t_match = threshold_for_precision(
        prob[long_enough].tolist(), dcorrect[long_enough].tolist(), match_target
    )
    t_sugg = threshold_for_precision(prob.tolist(), dcorrect.tolist(), sugg_target)
    mean, scale, w = fit_listwise(feats, labels, mask, l2=l2)
    report: dict[str, object] = {
        "trained_on": {
            "corpus": corpus_path.split("/")[-1],
            "queries": queries_path.split("/")[-1],
            "judged": judged_path.split("/")[-1] if judged_path else None,
        },
        "trained_at": dt.date.today().isoformat(),
        "queries": len(queries),
        "folds": folds,
        "candidate_recall": round(float((labels & mask).any(axis=1).mean()), 4),
        "cv": {"recall@1": round(r1, 4), "recall@5": round(r5, 4), "mrr@10": round(mrr, 4)},
        "untrained_fusion": {
            "recall@1": round(base[0], 4),
            "recall@5": round(base[1], 4),
            "mrr@10": round(base[2], 4),
        },
        "decision": {
            "match_threshold": t_match,
            "suggestion_threshold": t_sugg,
            "match_precision_target": match_target,
            "suggestion_precision_target": sugg_target,
            "features": decision_set,
            "match_rate_cv": round(float((prob[long_enough] >= t_match).mean()), 4),
            # The cross-validated rankings of the dev queries, decided as ClaimIndex decides
            # (on the labels trained on: claim-level with judged pairs).
            "cv": decisions_report(prob[dreal], dcorrect[dreal], dwords[dreal], t_match, t_sugg),
        },
    }
    if judged is not None:
        g1, g5, gmrr = _rank_eval(cv_scores, gold.labels, gold.mask)
        report["cv_gold"] = {"recall@1": round(g1, 4), "recall@5": round(g5, 4), "mrr@10": round(gmrr, 4)}
    model = RankingModel(
        mean=tuple(float(x) for x in mean),
        scale=tuple(float(x) for x in scale),
        weights=tuple(float(x) for x in w),
        decision_mean=tuple(float(x) for x in dmean),
        decision_scale=tuple(float(x) for x in dscale),
        decision_weights=tuple(float(x) for x in dw),
        decision_bias=float(db),
        decision_feature_names=names,
        match_threshold=t_match,
        suggestion_threshold=t_sugg,
        min_match_words=MIN_MATCH_WORDS,
        meta=report,
    )
    return model, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m humas.textkit.train")
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--queries", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--judged", help="judged pairs (same/related/different): claim-level labels and targets"
    )
    parser.add_argument(
        "--decision-features",
        choices=sorted(DECISION_FEATURE_SETS),
        default="base",
        help="the decision model's features (default: base)",
    )
    args = parser.parse_args(argv)
    model, report = train(
        args.corpus,
        args.queries,
        folds=args.folds,
        judged_path=args.judged,
        decision_set=args.decision_features,
    )
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(model.to_json() + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
