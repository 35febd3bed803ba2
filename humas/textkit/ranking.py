"""The learned re-ranker and decision calibration used by :class:`~humas.textkit.index.ClaimIndex`.

The model is deliberately small: a linear scorer over a dozen lexical features,
trained with a listwise softmax loss (one correct document among the first-stage
candidates), plus a logistic "is the top candidate right?" model whose output is
thresholded into match / suggestion / none.  Both are fitted by
``python -m humas.textkit.train`` with cross-validation and shipped as JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = [
    "FEATURE_NAMES",
    "BASE_DECISION_FEATURES",
    "DECISION_FEATURE_NAMES",
    "DECISION_FEATURE_SETS",
    "RankingModel",
    "default_model",
    "decision_features",
    "fit_decision",
    "fit_listwise",
]

FloatArray = npt.NDArray[np.float64]

FEATURE_NAMES: tuple[str, ...] = (
    "word_bm25",
    "word_bm25_rel",
    "title_bm25",
    "title_bm25_rel",
    "char_bm25",
    "char_bm25_rel",
    "title_covered",
    "query_covered_by_title",
    "bigram_bm25",
    "bigram_bm25_rel",
    "log_title_len",
    "log_body_len",
    "no_body",
    "first_stage_rel",
    "query_covered_by_doc",
    "no_body_x_word_rel",
    "no_body_x_char_rel",
    "query_len_x_title_covered",
    "query_len_x_query_covered_by_doc",
    "query_len_x_word_rel",
    "max_idf_matched_in_title",
    "title_bm25_query_counts",
    "post_start_covered_by_title",
    "title_chars_covered",
    "title_names_in_post",
    "post_names_in_title",
    "title_name_missing_from_post",
)
# Every feature the decision model may use (``decision_features`` makes them all); a model names
# the ones it was fitted on.
DECISION_FEATURE_NAMES: tuple[str, ...] = (
    "top_probability",
    "margin",
    "title_covered",
    "query_covered_by_title",
    "log_query_words",
    "query_covered_by_doc",
    "second_probability",
    "top3_probability",
    "top_score",
    # Every ranking feature of the first candidate, and how far it is ahead of the second: a
    # check of a neighbouring claim (the same scam template for another bank, the same person)
    # ranks first with names, numbers or title words the post does not share.
    *(f"top_{name}" for name in FEATURE_NAMES),
    *(f"gap_{name}" for name in FEATURE_NAMES),
)
MAX_QUERY_WORDS = 200.0  # longer posts count as this long in the decision
# The decision features of the shipped model: how sure the ranking is and how much of the post
# the first candidate covers.
BASE_DECISION_FEATURES: tuple[str, ...] = DECISION_FEATURE_NAMES[:6]
# Named sets ``python -m humas.textkit.train --decision-features`` fits (bench/claims/decisions.py
# compares them on the dev queries and on real tweets).
DECISION_FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "base": BASE_DECISION_FEATURES,
    "probabilities": (*BASE_DECISION_FEATURES, "second_probability", "top3_probability", "top_score"),
    "names": (
        *BASE_DECISION_FEATURES,
        "second_probability",
        "top3_probability",
        "top_score",
        "top_title_names_in_post",
        "top_post_names_in_title",
        "top_title_name_missing_from_post",
        "top_max_idf_matched_in_title",
        "top_title_chars_covered",
        "top_post_start_covered_by_title",
    ),
    "all": DECISION_FEATURE_NAMES,
}


def decision_features(
    probabilities: FloatArray,
    margin: FloatArray,
    top_score: FloatArray,
    top: FloatArray,
    second: FloatArray,
    query_words: FloatArray,
) -> FloatArray:
    """The decision model's inputs, one row per query: ``probabilities`` (n, k) of the ranked
    candidates (best first), the score ``margin`` of the first over the second and the first's
    ``top_score``, the ranking features of the ``top`` and ``second`` candidates (n, features),
    and the query's word count."""
    n = probabilities.shape[0]
    second_p = probabilities[:, 1] if probabilities.shape[1] > 1 else np.zeros(n)
    column = {name: i for i, name in enumerate(FEATURE_NAMES)}
    return np.column_stack(
        [
            probabilities[:, 0],
            margin,
            top[:, column["title_covered"]],
            top[:, column["query_covered_by_title"]],
            np.log1p(np.minimum(query_words, MAX_QUERY_WORDS)),
            top[:, column["query_covered_by_doc"]],
            second_p,
            probabilities[:, :3].sum(axis=1),
            top_score,
            top,
            top - second,
        ]
    )


@dataclass(frozen=True)
class RankingModel:
    """Standardisation, linear weights, and the calibrated decision model."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    decision_mean: tuple[float, ...] = (0.0,) * len(BASE_DECISION_FEATURES)
    decision_scale: tuple[float, ...] = (1.0,) * len(BASE_DECISION_FEATURES)
    decision_weights: tuple[float, ...] = (0.0,) * len(BASE_DECISION_FEATURES)
    decision_bias: float = 0.0
    decision_feature_names: tuple[str, ...] = BASE_DECISION_FEATURES
    match_threshold: float = 0.9
    suggestion_threshold: float = 0.5
    min_match_words: int = 6
    meta: dict[str, object] = field(default_factory=dict)

    def score(self, features: FloatArray) -> FloatArray:
        """Scores for a ``(..., n_features)`` array."""
        mean = np.asarray(self.mean)
        scale = np.asarray(self.scale)
        return np.asarray(((features - mean) / scale) @ np.asarray(self.weights), dtype=np.float64)

    def correctness(self, decision_features: FloatArray) -> FloatArray:
        """Calibrated probability that the top candidate is right, for ``(n, decision features)``
        made by :func:`decision_features` (the model uses the columns it was fitted on)."""
        columns = [DECISION_FEATURE_NAMES.index(name) for name in self.decision_feature_names]
        z = (decision_features[:, columns] - np.asarray(self.decision_mean)) / np.asarray(self.decision_scale)
        logit = z @ np.asarray(self.decision_weights) + self.decision_bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))), dtype=np.float64)

    def to_json(self) -> str:
        return json.dumps(
            {
                "feature_names": list(FEATURE_NAMES),
                "decision_feature_names": list(self.decision_feature_names),
                "mean": list(self.mean),
                "scale": list(self.scale),
                "weights": list(self.weights),
                "decision_mean": list(self.decision_mean),
                "decision_scale": list(self.decision_scale),
                "decision_weights": list(self.decision_weights),
                "decision_bias": self.decision_bias,
                "match_threshold": self.match_threshold,
                "suggestion_threshold": self.suggestion_threshold,
                "min_match_words": self.min_match_words,
                "meta": self.meta,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> RankingModel:
        raw = json.loads(text)
        if tuple(raw["feature_names"]) != FEATURE_NAMES:
            raise ValueError("ranking model was trained on a different feature set")
        names = tuple(raw.get("decision_feature_names", BASE_DECISION_FEATURES))
        unknown = [name for name in names if name not in DECISION_FEATURE_NAMES]
        if unknown or len(names) != len(raw["decision_weights"]):
            raise ValueError(
                f"ranking model's decision features are not known: {', '.join(unknown) or names}"
            )
        return cls(
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            weights=tuple(raw["weights"]),
            decision_mean=tuple(raw["decision_mean"]),
            decision_scale=tuple(raw["decision_scale"]),
            decision_weights=tuple(raw["decision_weights"]),
            decision_bias=float(raw["decision_bias"]),
            decision_feature_names=names,
            match_threshold=float(raw["match_threshold"]),
            suggestion_threshold=float(raw["suggestion_threshold"]),
            min_match_words=int(raw["min_match_words"]),
            meta=dict(raw.get("meta", {})),
        )

    @classmethod
    def load(cls, path: str | Path) -> RankingModel:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def untrained(cls) -> RankingModel:
        """Equal-weight fusion of the relative scores: the fallback without a trained file."""
        n = len(FEATURE_NAMES)
        weights = [0.0] * n
        for name in ("word_bm25_rel", "title_bm25_rel", "char_bm25_rel", "title_covered"):
            weights[FEATURE_NAMES.index(name)] = 1.0
        return cls(mean=(0.0,) * n, scale=(1.0,) * n, weights=tuple(weights))


def default_model() -> RankingModel:
    """The model shipped in ``humas/textkit/data/ranker.json`` (or equal-weight fusion)."""
    ref = resources.files("humas.textkit.data").joinpath("ranker.json")
    try:
        return RankingModel.from_json(ref.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return RankingModel.untrained()


def _softmax(s: FloatArray, mask: npt.NDArray[np.bool_]) -> FloatArray:
    s = np.where(mask, s, -np.inf)
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def fit_listwise(
    features: FloatArray,
    labels: npt.NDArray[np.bool_],
    mask: npt.NDArray[np.bool_],
    *,
    l2: float = 1e-3,
    iterations: int = 400,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Fit linear weights maximising the softmax likelihood of the correct candidates.

    ``features`` is ``(queries, candidates, n_features)``; ``labels`` marks correct
    candidates; ``mask`` marks real (non-padding) candidates.  Queries without a
    correct candidate carry no signal and are skipped.  Returns (mean, scale, weights).
    """
    flat = features[mask]
    mean = flat.mean(axis=0)
    scale = flat.std(axis=0) + 1e-9
    has = (labels & mask).any(axis=1)
    x = (features[has] - mean) / scale
    m = mask[has]
    x = np.where(m[..., None], x, 0.0)
    target = (labels[has] & m).astype(np.float64)
    target /= target.sum(axis=1, keepdims=True)
    w = np.zeros(features.shape[-1])
    # Plain gradient descent with Adam-style step sizes is enough for ~15 weights.
    m1 = np.zeros_like(w)
    m2 = np.zeros_like(w)
    for it in range(1, iterations + 1):
        p = _softmax(x @ w, m)
        grad = np.einsum("qk,qkf->f", p - target, x) / len(x) + l2 * w
        m1 = 0.9 * m1 + 0.1 * grad
        m2 = 0.999 * m2 + 0.001 * grad * grad
        w -= 0.05 * (m1 / (1 - 0.9**it)) / (np.sqrt(m2 / (1 - 0.999**it)) + 1e-8)
    return mean, scale, w


def fit_decision(
    features: FloatArray, correct: npt.NDArray[np.bool_], *, l2: float = 1e-2, iterations: int = 500
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Logistic regression of "top candidate is correct" on decision features."""
    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-9
    x = (features - mean) / scale
    y = correct.astype(np.float64)
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= 0.5 * ((x.T @ (p - y)) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    return mean, scale, w, b


def threshold_for_precision(
    probabilities: Sequence[float], correct: Sequence[bool], target: float, *, minimum_support: int = 20
) -> float:
    """Smallest threshold whose accepted set reaches ``target`` precision (1.0 if none does)."""
    order = sorted(zip(probabilities, correct, strict=True), key=lambda t: -t[0])
    best = 1.0
    hits = 0
    for i, (p, ok) in enumerate(order, start=1):
        hits += ok
        if i >= minimum_support and hits / i >= target:
            best = p
    return float(math.floor(best * 1000) / 1000)
