"""Stance of a post towards a checked claim: asserts, denies or mentions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from humas.textkit.stance import (
    FEATURE_NAMES,
    STANCES,
    StanceModel,
    cross_validate,
    fit_stance,
    read_pairs,
    stance_features,
)

CLAIM = "[SALAH] Erick Thohir resmi jadi cawapres"


def feature(name: str, claim: str, post: str) -> float:
    return stance_features(claim, post)[FEATURE_NAMES.index(name)]


def test_negation_near_the_claims_words_in_any_spelling_is_seen() -> None:
    for post in (
        "Erick Thohir tak jadi cawapres, sudah dipastikan",
        "erick thohir gak jadi cawapres guys",
        "Erick Thohir nggak jadi cawapres",
        "Erick Thohir bkn cawapres",
    ):
        assert feature("neg_near_shared", CLAIM, post) > 0, post
        assert feature("neg_mismatch", CLAIM, post) == 1.0, post
    assert feature("neg_near_shared", CLAIM, "Erick Thohir resmi jadi cawapres, sebarkan!") == 0.0


def test_a_claim_that_is_itself_negated_is_no_mismatch() -> None:
    claim = "[HOAKS] Pemilu 2024 tidak jadi digelar"
    post = "Pemilu 2024 tidak jadi digelar, semua ditunda!"
    assert feature("neg_near_in_claim", claim, post) == 1.0
    assert feature("neg_mismatch", claim, post) == 0.0


def test_debunk_words_questions_and_quotes_are_features() -> None:
    assert feature("debunk_words", CLAIM, "HOAKS! Faktanya Erick Thohir bukan cawapres") > 0
    assert feature("debunk_phrases", CLAIM, "Kabar Erick Thohir jadi cawapres tidak benar") > 0
    assert feature("question_end", CLAIM, "Benarkah Erick Thohir jadi cawapres?") == 1.0
    assert feature("question_words", CLAIM, "apa benar erick thohir jadi cawapres") > 0
    assert (
        feature("quoted_claim", CLAIM, 'Beredar pesan "Erick Thohir resmi jadi cawapres" di grup WA') == 1.0
    )
    assert feature("verdict_tag", CLAIM, "[HOAKS] Erick Thohir jadi cawapres") == 1.0
    assert len(stance_features(CLAIM, "teks")) == len(FEATURE_NAMES)


def _toy_pairs() -> list[dict[str, str]]:
    pairs = []
    people = ["Erick Thohir", "Ridwan Kamil", "Sandiaga Uno", "Mahfud MD", "Anies Baswedan", "Gibran", "Puan"]
    for name in people:
        claim = f"[SALAH] {name} resmi jadi cawapres"
        pairs += [
            {"claim": claim, "post": f"{name} resmi jadi cawapres! Sebarkan!!", "stance": "asserts"},
            {"claim": claim, "post": f"Akhirnya {name} resmi jadi cawapres, mantap", "stance": "asserts"},
            {
                "claim": claim,
                "post": f"HOAKS. {name} tidak jadi cawapres, faktanya belum ada",
                "stance": "denies",
            },
            {"claim": claim, "post": f"Kabar {name} jadi cawapres tidak benar, kata KPU", "stance": "denies"},
            {"claim": claim, "post": f"Benarkah {name} jadi cawapres?", "stance": "mentions"},
            {
                "claim": claim,
                "post": f"Apa benar {name} resmi cawapres? katanya sih beredar",
                "stance": "mentions",
            },
        ]
    return pairs


def test_a_fitted_model_separates_clear_cases_and_round_trips(tmp_path: Path) -> None:
    pairs = _toy_pairs()
    x = np.array([stance_features(p["claim"], p["post"]) for p in pairs])
    model = fit_stance(x, [p["stance"] for p in pairs])
    assert model.decide(CLAIM, "Erick Thohir resmi jadi cawapres, sebarkan!!").stance == "asserts"
    assert model.decide(CLAIM, "Hoaks, Erick Thohir tak jadi cawapres").stance == "denies"
    assert model.decide(CLAIM, "Benarkah Erick Thohir jadi cawapres?").stance == "mentions"
    again = StanceModel.from_json(model.to_json())
    assert again.decide(CLAIM, "Benarkah Erick Thohir jadi cawapres?").probabilities == pytest.approx(
        model.decide(CLAIM, "Benarkah Erick Thohir jadi cawapres?").probabilities
    )
    raw = json.loads(model.to_json())
    raw["feature_names"] = raw["feature_names"][:-1]
    with pytest.raises(ValueError, match="other features"):
        StanceModel.from_json(json.dumps(raw))


def test_cross_validation_reports_accuracy_per_stance(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in _toy_pairs()), encoding="utf-8")
    report = cross_validate(read_pairs(path), folds=3)
    assert set(report["accuracy_per_stance"]) == set(STANCES)
    assert report["pairs"] == len(_toy_pairs())
    assert report["accuracy"] >= 0.8
    path.write_text('{"claim": "x", "post": "y", "stance": "setuju"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":1: needs claim, post and a stance"):
        read_pairs(path)


def test_the_labelled_stance_set_is_well_formed() -> None:
    """bench/claims/data/stance.jsonl: at least 300 pairs, each stance well represented."""
    from collections import Counter

    path = Path(__file__).resolve().parents[2] / "bench" / "claims" / "data" / "stance.jsonl"
    pairs = read_pairs(path)
    assert len(pairs) >= 300
    counts = Counter(p["stance"] for p in pairs)
    assert min(counts[s] for s in STANCES) >= 100
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["origin"] for r in rows} <= {"tweets", "pratiwi", "queries", "edited"}
    assert sum(r["origin"] == "edited" for r in rows) <= 0.25 * len(rows)


def test_the_shipped_model_tells_a_denial_from_an_assertion() -> None:
    from humas.textkit.stance import DENIES_THRESHOLD, default_stance_model

    model = default_stance_model()
    claim = "[SALAH] Erick Thohir Resmi Jadi Cawapres Prabowo"
    asserting = model.decide(claim, "Erick Thohir resmi jadi cawapres Prabowo, sebarkan!")
    denying = model.decide(claim, "HOAKS! Faktanya Erick Thohir tidak jadi cawapres Prabowo, jangan percaya")
    assert asserting.stance == "asserts"
    assert asserting.probabilities["denies"] < DENIES_THRESHOLD
    assert denying.probabilities["denies"] >= DENIES_THRESHOLD
    assert model.meta["pairs"] == "stance.jsonl"


def test_a_clarifications_own_title_gives_the_claim_without_its_verdict() -> None:
    from humas.textkit.stance import _claim_text, default_stance_model

    assert (
        _claim_text("Tidak benar surat suara di Jepara sudah dicoblos")
        == "surat suara di Jepara sudah dicoblos"
    )
    assert _claim_text("Pesan berantai soal undangan adalah menyesatkan") == "Pesan berantai soal undangan"
    assert _claim_text("Hoaks: KPU hapus 2 juta DPT") == "KPU hapus 2 juta DPT"
    assert _claim_text("[SALAH] Video lama") == "Video lama"
    assert _claim_text("Salah paham soal TPS") == "Salah paham soal TPS"
    # An own clarification's title ("Tidak benar …") is no reason to read an assertion as a denial.
    model = default_stance_model()
    title = "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan"
    assert model.decide(
        title, "Surat suara di Jepara sudah dicoblos sebelum hari pemungutan! Sebarkan"
    ).stance == ("asserts")
    assert model.decide(
        title, "Tidak benar surat suara Jepara sudah dicoblos, KPU sudah klarifikasi"
    ).stance == ("denies")
