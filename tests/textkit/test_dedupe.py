from __future__ import annotations

import pytest

from humas.textkit.dedupe import NearDuplicateIndex, group_duplicates

RUMOUR = (
    "KPU curang! Surat suara sudah dicoblos duluan di TPS 05 Jepara, sebarkan sebelum dihapus https://t.co/a1"
)


@pytest.fixture()
def index() -> NearDuplicateIndex:
    idx = NearDuplicateIndex()
    assert idx.add("first", RUMOUR) is None
    return idx


def test_copy_with_other_link_case_and_emoji_is_an_exact_duplicate(index: NearDuplicateIndex) -> None:
    hit = index.add(
        "copy",
        "kpu CURANG surat suara sudah dicoblos duluan di tps 05 jepara sebarkan sebelum dihapus 😡 https://t.co/zz",
    )
    assert hit is not None
    assert (hit.key, hit.kind, hit.similarity) == ("first", "exact", 1.0)


def test_edited_copy_is_a_near_duplicate(index: NearDuplicateIndex) -> None:
    hit = index.add(
        "edited",
        "RT @warga: KPU curang!! Surat suara sudah dicoblos duluan di TPS 05 Jepara, tolong sebarkan sebelum dihapus",
    )
    assert hit is not None
    assert (hit.key, hit.kind) == ("first", "near")
    assert 0.5 <= hit.similarity < 1.0


def test_a_different_post_on_the_same_topic_is_not_a_duplicate(index: NearDuplicateIndex) -> None:
    assert (
        index.add(
            "other",
            "Bawaslu Jepara menerima laporan dugaan surat suara rusak dan akan memeriksa TPS 05 besok",
        )
        is None
    )


@pytest.mark.parametrize("text", ["", "   ", "😡😡", "https://t.co/x @someone"])
def test_texts_without_words_are_never_duplicates(text: str) -> None:
    idx = NearDuplicateIndex()
    assert idx.add("a", text) is None
    assert idx.add("b", text) is None


def test_find_does_not_register_the_text(index: NearDuplicateIndex) -> None:
    assert index.find(RUMOUR + " guys") is not None
    assert len(index) == 1


def test_grouping_maps_every_copy_to_the_first_post() -> None:
    groups = group_duplicates(
        [
            ("a", RUMOUR),
            ("b", "Jadwal debat capres ketiga digelar 7 Januari 2024 di Istora Senayan Jakarta"),
            ("c", RUMOUR.upper()),
            ("d", "RT @x: " + RUMOUR + " tolong"),
        ]
    )
    assert groups == {"a": "a", "b": "b", "c": "a", "d": "a"}
