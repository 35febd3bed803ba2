from __future__ import annotations

import pytest

from humas.textkit.index import ClaimIndex
from humas.textkit.pipeline import PostPipeline


def test_pipeline_tags_dedupes_matches_and_clusters(mini_index: ClaimIndex) -> None:
    pipeline = PostPipeline(mini_index)
    posts = [
        ("p1", "Petugas KPPS nyoblos sisa surat suara di TPS Jepara, videonya viral"),
        ("p2", "petugas kpps nyoblos sisa surat suara di tps jepara videonya viral 😡 https://t.co/x"),
        ("p3", "Harga cabai rawit di pasar Kota Semarang melonjak menjelang lebaran"),
        ("p4", "Harga cabai rawit di pasar Kota Semarang melonjak jelang lebaran!!"),
    ]
    r1, r2, r3, r4 = pipeline.process(posts)
    assert r1.regions == {"33.20": 0.8}
    assert r1.match is not None and r1.match.candidates[0].doc_id == "klar-007"
    assert r2.duplicate_of is not None and r2.duplicate_of.key == "p1"
    assert r2.match is r1.match
    assert r3.regions == {"33.74": 0.95}
    assert r3.match is not None and r3.match.decision == "none"
    assert r3.narrative_id is not None
    assert r4.narrative_id == r3.narrative_id
    (narrative,) = pipeline.clusterer.narratives()
    assert narrative.size == 2
    assert r1.normalized.startswith("petugas kpps")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀😀😀", "\x00\x01\xff" * 100, "مرحبا KPU שלום", "\u202eJepara\u202c", "kpu " * 250_000],
    ids=["empty", "whitespace", "emoji-only", "binary", "mixed-script", "rtl", "one-megabyte"],
)
def test_bad_posts_pass_through_every_stage_without_error(mini_index: ClaimIndex, text: str) -> None:
    (result,) = PostPipeline(mini_index).process([("bad", text)])
    assert result.key == "bad"
    assert result.match is not None
    assert result.match.decision in ("none", "suggestion")
