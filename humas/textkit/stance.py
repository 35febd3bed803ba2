"""Stance of a post towards a checked claim: does it assert the claim, deny it, or only mention it?

A monitoring desk must not raise an alarm when a post *denies* a hoax ("Erick Thohir *tak* jadi
cawapres", "HOAKS! ... faktanya ...", news reporting the commission's clarification): such a post
supports the clarification. Only a post that asserts the claim is a match or suggestion of the
hoax. This module decides between three stances for a (claim, post) pair:

* ``asserts``: the post states or spreads the claim as true;
* ``denies``: the post says the claim is false, debunks it or reports the truth against it;
* ``mentions``: the post asks about it, reports that it circulates, or talks about its topic
  without taking a side.

Features are cues an Indonesian reader uses — negation words (with their colloquial spellings)
near the words the post shares with the claim, and whether the claim itself is negated there;
debunk words (hoaks, klarifikasi, faktanya, membantah, tidak benar); questions; words that report
circulation (beredar, viral, katanya); calls to spread; quotation of the claim — weighed by a
small multinomial logistic model fitted on a labelled set (``bench/claims/data/stance.jsonl``,
``python -m humas.textkit.stance fit``) and shipped as ``data/stance.json``. Pure Python and NumPy.

Its three-way accuracy is not yet what a desk can rely on (BENCHMARKS.md), so it is used for one
decision only, where it is sure enough: a post whose probability of denying the claim reaches
:data:`DENIES_THRESHOLD` is never an automatic match of the hoax (the monitoring desk shows it
as a suggestion, marked as denying it).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .normalize import Analysis, Analyzer, default_analyzer

__all__ = [
    "STANCES",
    "StanceModel",
    "StanceResult",
    "DENIES_THRESHOLD",
    "cross_validate",
    "default_stance_model",
    "fit_stance",
    "read_pairs",
    "stance_features",
]

STANCES = ("asserts", "denies", "mentions")
# A post this likely to deny the claim is not an automatic match of it. Cross-validated on the
# labelled pairs: 79 % of the posts it picks deny the claim, 61 % of the denials are picked, and
# 5 % of the assertions (which then wait for a person as suggestions).
DENIES_THRESHOLD = 0.6
FloatArray = npt.NDArray[np.float64]

# Negation as people write it (after the lexicon: "gak", "nggak", "ga", "gk", "enggak" -> "tidak";
# "bkn" -> "bukan"); the raw forms are kept too, for a lexicon without them.
NEGATIONS = frozenset(
    {
        "tidak",
        "tak",
        "bukan",
        "belum",
        "gak",
        "nggak",
        "enggak",
        "ga",
        "gk",
        "bkn",
        "ndak",
        "nda",
        "tdk",
        "engga",
    }
)
DEBUNK = frozenset(
    {
        "hoaks",
        "hoax",
        "hoaxs",
        "klarifikasi",
        "faktanya",
        "fakta",
        "bantah",
        "membantah",
        "dibantah",
        "bantahan",
        "keliru",
        "disinformasi",
        "misinformasi",
        "palsu",
        "salah",
        "menyesatkan",
        "cekfakta",
        "turnbackhoax",
        "mafindo",
        "meluruskan",
        "diluruskan",
        "tepis",
        "menepis",
        "ditepis",
        "sanggah",
        "menyanggah",
    }
)
DEBUNK_PHRASES = (
    "tidak benar",
    "tak benar",
    "bukan benar",
    "cek fakta",
    "tidak terbukti",
    "kabar bohong",
    "berita bohong",
    "jangan percaya",
    "jangan mudah percaya",
    "tidak pernah",
    "tak pernah",
    "tidak ada",
)
QUESTION = frozenset(
    {
        "apakah",
        "benarkah",
        "betulkah",
        "beneran",
        "masa",
        "masak",
        "kah",
        "gimana",
        "bagaimana",
        "mengapa",
        "kenapa",
    }
)
QUESTION_PHRASES = (
    "apa benar",
    "apa betul",
    "benar gak",
    "benar tidak",
    "bener gak",
    "benar nggak",
    "cek dulu",
)
REPORTING = frozenset(
    {
        "beredar",
        "viral",
        "tersebar",
        "katanya",
        "kabarnya",
        "isu",
        "isunya",
        "rumor",
        "disebut",
        "diklaim",
        "klaim",
    }
)
SPREAD = frozenset(
    {"sebarkan", "viralkan", "bagikan", "share", "terbukti", "resmi", "breaking", "akhirnya", "awas"}
)
CERTAIN = frozenset(
    {"sudah", "telah", "pasti", "dipastikan", "sah", "positif", "fix", "terungkap", "ternyata"}
)
HYPOTHETICAL = frozenset(
    {"kalau", "kalo", "jika", "jikalau", "seandainya", "andai", "semoga", "mungkin", "kapan", "bakal"}
)
_VERDICT = re.compile(
    r"^\s*[\[(]?\s*(salah|hoaks|hoax|disinformasi|misinformasi|penipuan|keliru|menyesatkan)\s*(?:[\])]|:)\s*",
    re.I,
)
_QUOTED = re.compile(r"[\"“”'‘’]([^\"“”'‘’]{8,})[\"“”'‘’]")

FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "overlap",  # share of the claim's content words the post has
    "neg_near_shared",  # negations within 3 words of a word shared with the claim
    "neg_near_in_claim",  # the claim negated there too (a claim "X tidak ..." repeated)
    "neg_mismatch",  # negation near shared words in the post but not in the claim
    "neg_any",  # negations anywhere in the post
    "debunk_words",
    "debunk_phrases",
    "verdict_tag",  # the post starts with a verdict tag: [HOAKS], [SALAH]
    "question_mark",
    "question_words",
    "question_end",  # the post ends with a question
    "reporting",
    "spread",
    "exclaim",
    "quoted_claim",  # claim words inside quotation marks in the post
    "length",  # log of the post's word count
    "bigrams",  # share of the claim's consecutive content-word pairs the post repeats in order
    "post_on_claim",  # share of the post's content words that are the claim's
    "reply",  # a reply to someone (starts with @name): conversation about a topic
    "certain",
    "hypothetical",
)


@dataclass(frozen=True)
class StanceResult:
    stance: str
    probabilities: dict[str, float] = field(default_factory=dict)


# A clarification's own title says the claim is false ("Tidak benar surat suara sudah dicoblos",
# "Pesan berantai soal X adalah menyesatkan"): the claim is what is left.
_DENIED_LEAD = re.compile(
    r"^\s*(?:(?:hoaks|hoax|klarifikasi|cek fakta)\s*[:!,.-]\s*)?(?:tidak|tak|bukan)\s+benar\s*(?:bahwa\s+|[:,]\s*)?",
    re.I,
)
_DENIED_TAIL = re.compile(
    r"\s*(?:adalah|itu|ini)?\s*(?:hoaks|hoax|menyesatkan|tidak benar|keliru|disinformasi|salah)\s*[.!]?\s*$",
    re.I,
)


def _claim_text(claim: str) -> str:
    """The claim a fact-check's or clarification's title states, without its verdict."""
    text = _VERDICT.sub("", claim)
    text = _DENIED_LEAD.sub("", text)
    stripped = _DENIED_TAIL.sub("", text)
    return stripped if stripped.strip() else text


def analyze_claim(claim: str, analyzer: Analyzer | None = None) -> Analysis:
    """The analysis :func:`stance_features` makes of a claim (its verdict taken off): made once
    per claim by a caller that judges many posts against the same claims."""
    return (analyzer or default_analyzer()).analyze(_claim_text(claim))


def _windows_negated(surfaces: Sequence[str], shared_positions: Sequence[int], width: int = 3) -> int:
    count = 0
    for position in shared_positions:
        lo, hi = max(0, position - width), min(len(surfaces), position + width + 1)
        if any(surfaces[j] in NEGATIONS for j in range(lo, hi) if j != position):
            count += 1
    return count


def stance_features(
    claim: str,
    post: str,
    *,
    analyzer: Analyzer | None = None,
    claim_analysis: Analysis | None = None,
    post_analysis: Analysis | None = None,
) -> list[float]:
    """The features of a (claim, post) pair, in :data:`FEATURE_NAMES` order."""
    analyzer = analyzer or default_analyzer()
    claim_an = claim_analysis or analyzer.analyze(_claim_text(claim))
    post_an = post_analysis or analyzer.analyze(post)
    claim_stems = {t.stem for t in claim_an.tokens if not t.stop and t.kind == "word"}
    post_surfaces = [t.surface for t in post_an.tokens]
    post_stems = [t.stem for t in post_an.tokens]
    shared = [
        i
        for i, (t, s) in enumerate(zip(post_an.tokens, post_stems, strict=True))
        if not t.stop and s in claim_stems
    ]
    shared_stems = {post_stems[i] for i in shared}
    overlap = len(shared_stems) / len(claim_stems) if claim_stems else 0.0
    claim_surfaces = [t.surface for t in claim_an.tokens]
    claim_shared = [i for i, t in enumerate(claim_an.tokens) if t.stem in shared_stems]
    neg_post = _windows_negated(post_surfaces, shared)
    neg_claim = _windows_negated(claim_surfaces, claim_shared)
    lowered = " ".join(post_surfaces)
    raw = post.lower()
    words = set(post_surfaces) | set(re.findall(r"[a-z]+", raw))
    quoted = 0.0
    for match in _QUOTED.finditer(post):
        inside = {t.stem for t in analyzer.analyze(match.group(1)).tokens}
        if claim_stems and len(inside & claim_stems) >= max(2, len(claim_stems) // 3):
            quoted = 1.0
    stripped = post.strip()
    claim_content = [t.stem for t in claim_an.tokens if not t.stop and t.kind == "word"]
    post_content = [s for t, s in zip(post_an.tokens, post_stems, strict=True) if not t.stop]
    claim_pairs = set(zip(claim_content, claim_content[1:], strict=False))
    post_pairs = set(zip(post_content, post_content[1:], strict=False))
    bigrams = len(claim_pairs & post_pairs) / len(claim_pairs) if claim_pairs else 0.0
    on_claim = sum(1 for s in post_content if s in claim_stems) / len(post_content) if post_content else 0.0
    return [
        1.0,
        overlap,
        math.log1p(neg_post),
        1.0 if neg_claim else 0.0,
        1.0 if neg_post and not neg_claim else 0.0,
        math.log1p(sum(1 for s in post_surfaces if s in NEGATIONS)),
        math.log1p(len(words & DEBUNK)),
        math.log1p(sum(1 for p in DEBUNK_PHRASES if p in lowered or p in raw)),
        1.0 if _VERDICT.match(post) else 0.0,
        1.0 if "?" in post else 0.0,
        math.log1p(len(words & QUESTION) + sum(1 for p in QUESTION_PHRASES if p in lowered or p in raw)),
        1.0 if stripped.endswith("?") else 0.0,
        math.log1p(len(words & REPORTING)),
        math.log1p(len(words & SPREAD)),
        1.0 if "!" in post else 0.0,
        quoted,
        math.log1p(len(post_surfaces)) / 5.0,
        bigrams,
        on_claim,
        1.0 if stripped.startswith("@") else 0.0,
        math.log1p(len(words & CERTAIN)),
        math.log1p(len(words & HYPOTHETICAL)),
    ]


@dataclass(frozen=True)
class StanceModel:
    """Multinomial logistic regression over :func:`stance_features` (standardised)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]  # one row per stance, one column per feature
    meta: dict[str, object] = field(default_factory=dict)

    def probabilities(self, features: FloatArray) -> FloatArray:
        z = (np.atleast_2d(features) - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights).T
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        result: FloatArray = e / e.sum(axis=1, keepdims=True)
        return result

    def decide(
        self,
        claim: str,
        post: str,
        *,
        analyzer: Analyzer | None = None,
        claim_analysis: Analysis | None = None,
        post_analysis: Analysis | None = None,
    ) -> StanceResult:
        """The stance of ``post`` towards ``claim`` (analyses already made may be passed)."""
        features = stance_features(
            claim, post, analyzer=analyzer, claim_analysis=claim_analysis, post_analysis=post_analysis
        )
        p = self.probabilities(np.asarray(features))[0]
        best = int(np.argmax(p))
        return StanceResult(STANCES[best], {s: round(float(v), 4) for s, v in zip(STANCES, p, strict=True)})

    def to_json(self) -> str:
        return json.dumps(
            {
                "feature_names": list(FEATURE_NAMES),
                "stances": list(STANCES),
                "mean": list(self.mean),
                "scale": list(self.scale),
                "weights": [list(row) for row in self.weights],
                "meta": self.meta,
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> StanceModel:
        raw = json.loads(text)
        if tuple(raw["feature_names"]) != FEATURE_NAMES or tuple(raw["stances"]) != STANCES:
            raise ValueError("stance model was fitted on other features; fit it again")
        return cls(
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            weights=tuple(tuple(row) for row in raw["weights"]),
            meta=dict(raw.get("meta", {})),
        )

    @classmethod
    def load(cls, path: str | Path) -> StanceModel:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def fit_stance(
    features: FloatArray, labels: Sequence[str], *, l2: float = 1e-2, steps: int = 3000
) -> StanceModel:
    """Multinomial logistic regression by gradient descent (full batch, L2 on the weights)."""
    x = np.asarray(features, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0  # the bias column stays 1
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    y = np.zeros((len(labels), len(STANCES)))
    for i, label in enumerate(labels):
        y[i, STANCES.index(label)] = 1.0
    # Classes weighed equally, whatever their counts.
    weight = (1.0 / np.maximum(y.sum(axis=0), 1.0))[None, :] * len(labels) / len(STANCES)
    w = np.zeros((len(STANCES), z.shape[1]))
    rate = 0.5
    for _ in range(steps):
        logits = z @ w.T
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        grad = ((p - y) * (y * weight).sum(axis=1, keepdims=True)).T @ z / len(labels)
        penalty = l2 * w
        penalty[:, 0] = 0.0
        w -= rate * (grad + penalty)
    return StanceModel(
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        weights=tuple(tuple(float(v) for v in row) for row in w),
    )


@cache
def default_stance_model() -> StanceModel:
    """The shipped model (``humas/textkit/data/stance.json``)."""
    text = resources.files("humas.textkit").joinpath("data/stance.json").read_text(encoding="utf-8")
    return StanceModel.from_json(text)


def read_pairs(path: str | Path) -> list[dict[str, str]]:
    """Labelled pairs: JSONL objects with ``claim``, ``post`` and ``stance``."""
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("stance") not in STANCES or not row.get("claim") or not row.get("post"):
                raise ValueError(f"{path}:{number}: needs claim, post and a stance of {', '.join(STANCES)}")
            pairs.append({"claim": str(row["claim"]), "post": str(row["post"]), "stance": str(row["stance"])})
    return pairs


def cross_validate(pairs: Sequence[dict[str, str]], *, folds: int = 5, seed: int = 16) -> dict[str, object]:
    """Accuracy per stance (the share of its pairs decided right) and the confusion table, each pair
    decided by a model fitted without its fold."""
    analyzer = default_analyzer()
    x = np.array([stance_features(p["claim"], p["post"], analyzer=analyzer) for p in pairs])
    labels = [p["stance"] for p in pairs]
    order = np.random.default_rng(seed).permutation(len(pairs))
    fold_of = np.empty(len(pairs), dtype=np.int64)
    fold_of[order] = np.arange(len(pairs)) % folds
    predicted = [""] * len(pairs)
    for f in range(folds):
        train_rows = np.nonzero(fold_of != f)[0]
        test_rows = np.nonzero(fold_of == f)[0]
        model = fit_stance(x[train_rows], [labels[i] for i in train_rows])
        for i, p in zip(test_rows, model.probabilities(x[test_rows]), strict=True):
            predicted[int(i)] = STANCES[int(np.argmax(p))]
    confusion = {a: dict.fromkeys(STANCES, 0) for a in STANCES}
    for truth, guess in zip(labels, predicted, strict=True):
        confusion[truth][guess] += 1
    per_class = {s: round(confusion[s][s] / max(1, sum(confusion[s].values())), 4) for s in STANCES}
    return {
        "pairs": len(pairs),
        "folds": folds,
        "accuracy": round(
            sum(t == g for t, g in zip(labels, predicted, strict=True)) / max(1, len(pairs)), 4
        ),
        "accuracy_per_stance": per_class,
        "confusion": confusion,
    }


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m humas.textkit.stance")
    sub = parser.add_subparsers(dest="command", required=True)
    fit = sub.add_parser("fit", help="cross-validate on labelled pairs, then fit on all of them")
    fit.add_argument("--pairs", required=True, help="JSONL with claim, post, stance")
    fit.add_argument("--out", help="write the fitted model here (e.g. humas/textkit/data/stance.json)")
    fit.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    pairs = read_pairs(args.pairs)
    report = cross_validate(pairs, folds=args.folds)
    if args.out:
        analyzer = default_analyzer()
        x = np.array([stance_features(p["claim"], p["post"], analyzer=analyzer) for p in pairs])
        model = fit_stance(x, [p["stance"] for p in pairs])
        model = StanceModel(
            model.mean, model.scale, model.weights, meta={"cv": report, "pairs": Path(args.pairs).name}
        )
        Path(args.out).write_text(model.to_json() + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
