"""Look-alike accounts (issue #17): what is flagged, with which official, and what is left alone."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from humas.textkit.lookalike import DEFAULT_THRESHOLD, Hit, LookalikeIndex, Official, score, skeleton

BENCH = Path(__file__).resolve().parents[2] / "bench" / "impersonation" / "run.py"

OFFICIALS = [
    Official("KPU_ID", "KPU RI", "x", office="00"),
    Official("kpu_ri", "KPU RI", "instagram", office="00"),
    Official("kpu_prov_jateng", "KPU Provinsi Jawa Tengah", "x", office="33"),
    Official("kpujateng", "KPU Provinsi Jawa Tengah", "facebook", office="33"),
    Official("kpu_prov_jatim", "KPU Provinsi Jawa Timur", "x", office="35"),
    Official("kpu_kabjepara", "KPU Kabupaten Jepara", "x", office="33.20"),
    Official("kpu.kabjepara", "KPU Kabupaten Jepara", "instagram", office="33.20"),
    Official("kpu_kabjember", "KPU Kabupaten Jember", "x", office="35.09"),
    Official("kpu_kab_bantul", "KPU Kabupaten Bantul", "x", office="34.02"),
    Official("kpukabbogor", "KPU Kabupaten Bogor", "x", office="32.01"),
    Official("kpu_kota_bogor", "KPU Kota Bogor", "x", office="32.71"),
    Official("kpukotasemarang", "KPU Kota Semarang", "x", office="33.74"),
    Official("kpu_kabsemarang", "KPU Kabupaten Semarang", "x", office="33.22"),
    Official("kpu_surakarta", "KPU Kota Surakarta", "x", office="33.72", aliases=("solo",)),
    Official("kpusikka", "KPU Kabupaten Sikka", "x", office="53.07"),
    Official("kpusiak", "KPU Kabupaten Siak", "x", office="14.08"),
    Official("kpubatam", "KPU Kota Batam", "x", office="21.71"),
]


@pytest.fixture(scope="module")
def index() -> LookalikeIndex:
    return LookalikeIndex(OFFICIALS)


def only(hits: list[Hit]) -> Hit:
    assert len(hits) == 1, hits
    return hits[0]


# -- each kind of imitation is flagged with the right official --------------------------------
@pytest.mark.parametrize(
    ("handle", "reason"),
    [
        ("kpujepara_official", "decoration"),
        ("official_kpujepara", "decoration"),
        ("kpujepara2024", "decoration"),
        ("humas_kpujepara", "decoration"),
        ("kpu_kab_jepara", "separator"),
        ("kpujepar4", "digit_swap"),
        ("kpuj3p4ra", "digit_swap"),
        ("kpujeppara", "letter_edit"),
        ("kpujepra", "edit_distance"),
        ("jepara_kpu", "reorder"),
    ],
)
def test_an_imitating_handle_is_flagged_with_the_office_it_imitates(
    index: LookalikeIndex, handle: str, reason: str
) -> None:
    hit = only(index.find(handle, platform="x"))

    assert hit.official == Official("kpu_kabjepara", "KPU Kabupaten Jepara", "x", office="33.20")
    assert hit.score >= DEFAULT_THRESHOLD
    assert reason in hit.reasons


@pytest.mark.parametrize(
    ("handle", "official"),
    [
        ("kpubantuI", "kpu_kab_bantul"),  # capital I for l
        ("kpu_kota_sernarang", "kpukotasemarang"),  # rn for m
        ("KPU_lD", "KPU_ID"),  # lower-case L for capital I
        ("\u041a\u0420U_ID", "KPU_ID"),  # Cyrillic Ka and Er
    ],
)
def test_a_homoglyph_handle_is_flagged(index: LookalikeIndex, handle: str, official: str) -> None:
    hit = only(index.find(handle, platform="x"))

    assert hit.official.handle == official
    assert "homoglyph" in hit.reasons
    assert hit.score >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    "name",
    [
        "KPU Jepara Resmi",
        "KPU Kab. Jepara (Official)",
        "Humas KPU Jepara",
        "K\u0420U Kabupaten J\u0435para",  # Cyrillic Er and ie
        "\uff2b\uff30\uff35 Jepara",  # fullwidth KPU
        "KPU Kab\u200bupaten Jepara \u2705",  # a zero-width space and a check-mark emoji
        "Komisi Pemilihan Umum Kabupaten Jepara",
    ],
)
def test_an_official_looking_display_name_on_any_handle_is_flagged(index: LookalikeIndex, name: str) -> None:
    hit = only(index.find("user_8812734", name, platform="x"))

    assert hit.official.handle == "kpu_kabjepara"
    assert "display_name" in hit.reasons
    assert hit.score >= DEFAULT_THRESHOLD


def test_the_hit_is_the_offices_account_on_the_candidates_platform(index: LookalikeIndex) -> None:
    assert only(index.find("kpujepara.resmi", platform="instagram")).official.handle == "kpu.kabjepara"
    assert only(index.find("kpujepara_resmi", platform="x")).official.handle == "kpu_kabjepara"


def test_a_place_alias_and_a_spelled_out_province_are_read(index: LookalikeIndex) -> None:
    assert only(index.find("kpusolo_ofc", platform="x")).official.handle == "kpu_surakarta"
    assert only(index.find("kpujawatengah", platform="x")).official.handle == "kpu_prov_jateng"


def test_an_offices_handle_taken_on_another_platform_is_an_imitation(index: LookalikeIndex) -> None:
    # kpujateng is the office's Facebook page; on X the office is kpu_prov_jateng
    hit = only(index.find("kpujateng", platform="x"))

    assert hit.official.handle == "kpu_prov_jateng"
    assert not index.find("kpujateng", platform="facebook")


# -- innocent look-alikes are left alone --------------------------------------------------------
@pytest.mark.parametrize(
    "handle",
    ["kpu_kabjember", "kpu_prov_jatim", "kpusiak", "kpu_kota_bogor", "kpukabbogor", "kpu_kabsemarang"],
)
def test_another_offices_real_account_is_not_flagged(index: LookalikeIndex, handle: str) -> None:
    assert index.find(handle, platform="x") == []
    assert index.find(handle, platform="x", min_score=0.0) == []


def test_the_city_and_the_regency_of_one_name_are_told_apart(index: LookalikeIndex) -> None:
    city = index.find("kpukotabogor_official", platform="x")
    regency = index.find("kpukabbogor.resmi", platform="x")
    either = index.find("kpu_bogor", platform="x")

    assert [h.official.handle for h in city] == ["kpu_kota_bogor"]
    assert [h.official.handle for h in regency] == ["kpukabbogor"]
    assert sorted(h.official.handle for h in either) == ["kpu_kota_bogor", "kpukabbogor"]
    assert score("kpu_kota_bogor", "", "kpukabbogor", "KPU Kabupaten Bogor") < 0.3
    assert score("kpukabsemarang", "", "kpukotasemarang", "KPU Kota Semarang") < 0.3


def test_a_name_that_is_exactly_another_offices_place_does_not_imitate_its_neighbour(
    index: LookalikeIndex,
) -> None:
    # Siak and Sikka are one edit apart; kpusiak_official imitates Siak only
    assert [h.official.handle for h in index.find("kpusiak_official", platform="x")] == ["kpusiak"]
    assert [h.official.handle for h in index.find("kpusikkaa", platform="x")] == ["kpusikka"]


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("bawaslu_jepara", "Bawaslu Kabupaten Jepara"),
        ("pemkabjepara", ""),
        ("polresjepara", ""),
        ("dprd_jepara", ""),
        ("diskominfojepara", ""),
        ("humaspemkabjepara", "Humas Pemkab Jepara"),
        ("DKPP_RI", ""),
        ("KPK_RI", "KPK RI"),  # one letter from KPU
        ("kppu_ri", "KPPU RI"),  # not a doubled p of KPU: the competition commission
        ("kpubcbatam", "KPU Bea Cukai Batam"),  # customs' main service office
        ("ppk_kedung", "PPK Kecamatan Kedung - KPU Kabupaten Jepara"),  # a committee below the office
    ],
)
def test_other_bodies_accounts_are_not_flagged(index: LookalikeIndex, handle: str, name: str) -> None:
    assert index.find(handle, name, platform="x") == []


@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("jeparaupdate", ""),
        ("infojepara", "Info Jepara"),
        ("radarkudus", ""),
        ("mbakputri", ""),  # "kpu" inside ordinary words
        ("cekpulsajepara", ""),
        ("pantaukpujepara", "Pantau KPU Jepara"),  # a watchdog
        ("kpusmg_parodi", "KPU Semarang (Parodi)"),
        ("k.puri", "Kartika Puri"),  # a person: the name says who it is
    ],
)
def test_media_citizens_and_critics_are_not_flagged(index: LookalikeIndex, handle: str, name: str) -> None:
    assert index.find(handle, name, platform="instagram") == []


def test_an_official_account_is_never_a_hit_whatever_its_name(index: LookalikeIndex) -> None:
    assert index.find("kpu_kabjepara", "KPU Jepara Resmi", platform="x") == []
    assert index.find("@KPU_ID", platform="x") == []
    assert index.find("kpu.kabjepara", platform="") == []  # any platform when none is given
    assert index.is_official("kpu_ri", "instagram")
    assert not index.is_official("kpu_ri", "x")


# -- robustness ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("handle", "name"),
    [
        ("", ""),
        ("   ", "\u200b\u200b"),
        ("@", "🙂🙂🙂"),
        ("\x00\x01\x7f", "\ud800"),  # control characters, a lone surrogate
        ("kpu", ""),
        ("𝐤𝐩𝐮", "ＫＰＵ"),
        ("ا\u064fلكبو", "中文名字"),
    ],
)
def test_empty_and_garbage_input_is_safe(index: LookalikeIndex, handle: str, name: str) -> None:
    hits = index.find(handle, name, platform="x")

    assert isinstance(hits, list)
    assert all(0.0 <= h.score <= 1.0 for h in hits)


def test_very_long_input_is_safe_and_bounded(index: LookalikeIndex) -> None:
    long_handle = "kpu" + "jepara" * 5000
    long_name = "KPU " * 10_000 + "Jepara"

    assert isinstance(index.find(long_handle, long_name, platform="x"), list)
    assert isinstance(skeleton("\u0430" * 100_000), str)


def test_the_skeleton_of_look_alikes_is_the_same() -> None:
    assert skeleton("kpu_j3para") == skeleton("KPU.Jepara") == skeleton("K\u0420U Jepara") == "kpujepara"
    assert skeleton("kpubantuI") == skeleton("kpubantul") == skeleton("kpubantu1")
    assert skeleton("kpu_vvonosobo") == skeleton("kpuwonosobo")
    assert skeleton("KPU Jepara 2024 ✅") == "kpujepara"
    assert skeleton("") == ""


def test_the_pair_score_is_bounded_and_ordered() -> None:
    imitation = score("kpujepar4", "", "kpu_kabjepara", "KPU Kabupaten Jepara")
    innocent = score("bawaslu_jepara", "", "kpu_kabjepara", "KPU Kabupaten Jepara")

    assert imitation == 1.0
    assert innocent == 0.0
    assert score("kpu_kabjepara", "", "kpu_kabjepara", "KPU Kabupaten Jepara") == 0.0  # itself


# -- the labelled pairs -------------------------------------------------------------------------
def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_impersonation_run", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_labelled_pairs_meet_the_issues_target() -> None:
    bench = _bench()
    pairs = bench.load_pairs()

    report = bench.run(pairs, timing=False)

    assert len(pairs) >= 260
    assert {p["label"] for p in pairs} == {"imitation", "innocent"}
    shipped = report["quality"]["humas"]["at_shipped"]
    assert shipped["precision"] >= 0.95
    assert shipped["recall"] >= 0.9
    cross_validated = report["quality"]["humas"]["cross_validated"]
    assert cross_validated["precision"] >= 0.95
    assert cross_validated["recall"] >= 0.9
