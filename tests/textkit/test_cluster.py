from __future__ import annotations

from humas.textkit.cluster import NarrativeClusterer

VARIANTS = [
    "Surat suara di TPS 12 sudah dicoblos untuk paslon tertentu sebelum hari pemungutan",
    "VIRAL surat suara TPS 12 sudah dicoblos duluan untuk paslon tertentu sebelum pemungutan!!",
    "surat suara tps 12 udah dicoblos buat paslon tertentu sebelum hari pemungutan, sebarkan",
    "Astaga, surat suara di TPS 12 sudah tercoblos untuk paslon tertentu sebelum hari pemungutan",
]
OTHER = [
    "Beredar kabar bantuan sosial dicabut bagi warga yang tidak memilih calon nomor satu",
    "Bansos dicabut kalau warga tidak memilih calon nomor satu, kata pesan berantai",
]


def test_variants_of_one_rumour_become_one_narrative() -> None:
    clusterer = NarrativeClusterer()
    ids = [clusterer.add(f"p{i}", text) for i, text in enumerate(VARIANTS)]
    assert len(set(ids)) == 1
    (narrative,) = clusterer.narratives()
    assert narrative.size == 4
    assert narrative.member_keys == ["p0", "p1", "p2", "p3"]
    assert narrative.representative() in VARIANTS


def test_different_rumours_stay_apart() -> None:
    clusterer = NarrativeClusterer()
    a = [clusterer.add(f"a{i}", t) for i, t in enumerate(VARIANTS)]
    b = [clusterer.add(f"b{i}", t) for i, t in enumerate(OTHER)]
    assert len(set(a)) == 1
    assert len(set(b)) == 1
    assert set(a).isdisjoint(b)
    assert [n.size for n in clusterer.narratives()] == [4, 2]
    assert [n.size for n in clusterer.narratives(min_size=3)] == [4]


def test_posts_too_short_to_cluster_are_left_out() -> None:
    clusterer = NarrativeClusterer()
    assert clusterer.add("x", "hoaks!!") is None
    assert clusterer.add("y", "") is None
    assert len(clusterer) == 0
