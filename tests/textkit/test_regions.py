from __future__ import annotations

from pathlib import Path

import pytest

from humas.textkit.regions import RegionTagger, default_tagger, load_regions

DATA = Path(__file__).parent / "data" / "region_sentences.tsv"


@pytest.fixture(scope="module")
def tagger() -> RegionTagger:
    return default_tagger()


def test_gazetteer_has_38_provinces_and_514_regencies_and_cities() -> None:
    regions = load_regions()
    assert sum(r.level == "provinsi" for r in regions) == 38
    assert sum(r.level in ("kabupaten", "kota") for r in regions) == 514


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KPU Kab. Jepara menggelar rapat pleno", {"33.20": 0.95}),
        ("Rapat pleno di Jepara", {"33.20": 0.8}),
        ("KPU Kota Semarang membuka posko", {"33.74": 0.95}),
        ("Banjir di Semarang", {"33.22": 0.5, "33.74": 0.5}),
        ("Warga Jateng dan DKI serta Jogja", {"33": 0.9, "31": 0.9, "34": 0.9}),
        ("Jambi menerima kotak suara", {"15": 0.7, "15.71": 0.5}),
        ("Warga Jaksel antre di TPS", {"31.74": 0.8}),
        ("#KPUJepara mengajak warga", {"33.20": 0.8}),
    ],
)
def test_mentions_resolve_to_kemendagri_codes_with_confidence(
    tagger: RegionTagger, text: str, expected: dict[str, float]
) -> None:
    assert tagger.codes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Nasib malang menimpa petugas",
        "Batu besar menutup jalan",
        "Medan perang informasi makin panas",
        "Bima Arya hadir dalam deklarasi",
        "Semarangan adalah logat khas",
        "Pemalangan jalan oleh warga",
        "Konser solo penyanyi itu",
        "Palu hakim diketuk",
    ],
)
def test_ordinary_words_and_words_containing_place_names_are_not_tagged(
    tagger: RegionTagger, text: str
) -> None:
    assert tagger.codes(text) == {}


def test_match_offsets_point_at_the_alias(tagger: RegionTagger) -> None:
    text = "Logistik untuk Kabupaten Jepara tiba"
    (m,) = tagger.tag(text)
    assert text[m.start : m.end] == "Kabupaten Jepara"
    assert (m.code, m.level) == ("33.20", "kabupaten")


@pytest.mark.parametrize("text", ["", "  ", "😀", "\x00" * 10, "a" * 1_000_000])
def test_bad_input_has_no_regions(tagger: RegionTagger, text: str) -> None:
    assert tagger.tag(text) == []


def _labelled() -> list[tuple[str, set[str]]]:
    by_name = {r.name: r.code for r in load_regions()}
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, _, gold = line.partition("\t")
        rows.append((text, {by_name[name] for name in gold.split(";") if name}))
    return rows


def test_labelled_set_has_at_least_200_sentences_with_known_region_names() -> None:
    rows = _labelled()
    assert len(rows) >= 200
    assert sum(1 for _, gold in rows if not gold) >= 30


def test_labelled_set_precision_and_recall_stay_above_97_percent(tagger: RegionTagger) -> None:
    tp = fp = fn = 0
    for text, gold in _labelled():
        predicted = set(tagger.codes(text))
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
    assert tp / (tp + fp) >= 0.97
    assert tp / (tp + fn) >= 0.97
