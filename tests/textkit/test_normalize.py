from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humas.textkit.normalize import Analyzer, default_analyzer, load_lexicon


def kinds(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(t.surface, t.kind) for t in analyzer.analyze(text).tokens]


def test_hashtag_with_digits_splits_into_word_and_number(analyzer: Analyzer) -> None:
    assert analyzer.normalize("#pemilu2024") == "pemilu 2024"


def test_camel_case_hashtag_splits_into_words(analyzer: Analyzer) -> None:
    assert analyzer.normalize("#PemiluDamai") == "pemilu damai"


def test_run_together_hashtag_splits_on_dictionary_words(analyzer: Analyzer) -> None:
    assert analyzer.normalize("#suaracurang") == "suara curang"


def test_colloquial_forms_become_standard(analyzer: Analyzer) -> None:
    assert analyzer.normalize("gak ga nggak yg udah") == "tidak tidak tidak yang sudah"


def test_repeated_letters_collapse_to_a_dictionary_word(analyzer: Analyzer) -> None:
    assert analyzer.normalize("curaaang maaaaf") == "curang maaf"


def test_unicode_is_nfkc_folded_and_lower_cased(analyzer: Analyzer) -> None:
    assert analyzer.normalize("ＫＰＵ 𝗖𝘂𝗿𝗮𝗻𝗴 𝟭𝟬") == "kpu curang 10"


def test_urls_and_handles_become_single_tokens(analyzer: Analyzer) -> None:
    assert kinds(analyzer, "cek https://t.co/AbC123 dari @KPU_RI") == [
        ("cek", "word"),
        ("url:t.co", "url"),
        ("dari", "word"),
        ("@kpu_ri", "mention"),
    ]


def test_dates_are_iso_and_thousand_separators_dropped(analyzer: Analyzer) -> None:
    assert analyzer.normalize("tgl 14/02/2024 Rp 1.000.000") == "tanggal 2024-02-14 rupiah 1000000"


def test_emoji_are_kept_as_tokens_but_not_terms(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("curang 😡🔥")
    assert [(t.surface, t.kind) for t in analysis.tokens] == [
        ("curang", "word"),
        ("😡", "emoji"),
        ("🔥", "emoji"),
    ]
    assert analysis.terms == ["curang"]


def test_tokens_carry_surface_and_stem(analyzer: Analyzer) -> None:
    tokens = analyzer.analyze("Pemilih mencoblos surat suara").tokens
    assert [(t.surface, t.stem) for t in tokens] == [
        ("pemilih", "pilih"),
        ("mencoblos", "coblos"),
        ("surat", "surat"),
        ("suara", "suara"),
    ]


def test_election_words_are_protected_from_overstemming(analyzer: Analyzer) -> None:
    assert [t.stem for t in analyzer.analyze("pemilu pilpres kpu").tokens] == ["pemilu", "pilpres", "kpu"]


def test_stop_words_are_flagged_and_left_out_of_terms(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("surat suara yang sudah dicoblos")
    assert [t.stop for t in analysis.tokens] == [False, False, True, True, False]
    assert analysis.terms == ["surat", "suara", "coblos"]


def test_reduplication_with_digit_two_is_read_as_the_word(analyzer: Analyzer) -> None:
    assert analyzer.normalize("hati2 bener2") == "hati hati benar benar"


def test_larger_lexicon_loads_from_a_tsv_file(tmp_path: Path) -> None:
    extra = tmp_path / "extra.tsv"
    extra.write_text("# comment\nkpuu\tkpu\nmantul\tbukan ini\n", encoding="utf-8")
    lexicon = load_lexicon(extra)
    assert lexicon["kpuu"] == "kpu"
    assert lexicon["mantul"] == "mantap betul"  # the shipped entry wins
    assert Analyzer(lexicon=lexicon).normalize("kpuu") == "kpu"


def test_larger_lexicon_loads_from_a_kamus_alay_style_csv(tmp_path: Path) -> None:
    extra = tmp_path / "lexicon.csv"
    extra.write_text("slang,formal,In-dictionary\nsyg,sayang,1\n", encoding="utf-8")
    assert load_lexicon(extra)["syg"] == "sayang"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀😀😀",
        "\x00\x01\x02\xff\ufffd" * 50,
        "مرحبا بالعالم KPU",
        "\u202eKPU\u202c",
        "a" * 1_000_000,
    ],
    ids=["empty", "whitespace", "emoji-only", "binary", "mixed-script", "rtl-override", "one-megabyte"],
)
def test_bad_input_gives_a_sensible_result_without_raising(analyzer: Analyzer, text: str) -> None:
    analysis = analyzer.analyze(text)
    assert all(t.surface and " " not in t.surface for t in analysis.tokens)


def test_empty_and_emoji_only_texts_have_no_terms(analyzer: Analyzer) -> None:
    assert analyzer.analyze("").terms == []
    assert analyzer.analyze("   ").tokens == ()
    assert analyzer.analyze("🙏🙏").terms == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_analyses_to_lower_case_tokens_without_spaces(text: str) -> None:
    analysis = _ANALYZER.analyze(text)
    for token in analysis.tokens:
        assert token.surface
        assert not any(ch.isspace() for ch in token.surface)
        assert token.surface == token.surface.lower() or token.kind == "emoji"
    assert set(analysis.terms) <= {t.stem for t in analysis.tokens}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["KPU", "curang", "#Pemilu2024", "gak", "😡", "14/02/2024", "@bawaslu_ri", "yg", "Rp 5.000", " "]
        ),
        max_size=30,
    )
)
def test_normalising_twice_changes_nothing_for_social_media_vocabulary(parts: list[str]) -> None:
    once = _ANALYZER.normalize(" ".join(parts))
    assert _ANALYZER.normalize(once) == once


_ANALYZER = Analyzer()


def test_default_analyzer_extends_its_lexicon_from_the_configured_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "lexicon.tsv"
    extra.write_text("cpres\tcapres\n", encoding="utf-8")
    assert default_analyzer().normalize("cpres") == "cpres"
    monkeypatch.setenv("HUMAS_TEXTKIT_LEXICON", str(extra))
    default_analyzer.cache_clear()
    try:
        assert default_analyzer().normalize("cpres") == "capres"
    finally:
        default_analyzer.cache_clear()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp27.300.000", "rupiah 27300000"),
        ("Rp.27.000.000", "rupiah 27000000"),
        ("Rp 27 Juta", "rupiah 27000000"),
        ("rp900ribu", "rupiah 900000"),
        ("Rp 5 M", "rupiah 5000000000"),
        ("Rp 5 mobil", "rupiah 5 mobil"),
        ("50Jt cash", "50000000 cash"),
        ("125juta/orang", "125000000 orang"),
        ("1,5 juta", "1500000"),
        ("2.5jt", "2500000"),
        ("100k", "100000"),
        ("25 TRILIUN", "25000000000000"),
        ("tahun 2024 ada 300 orang", "tahun 2024 ada 300 orang"),
    ],
)
def test_amounts_are_one_number_whatever_the_spelling(analyzer: Analyzer, text: str, expected: str) -> None:
    assert analyzer.normalize(text) == expected


def test_the_same_amount_written_three_ways_gives_one_term(analyzer: Analyzer) -> None:
    spellings = ["senilai Rp27.000.000", "senilai Rp 27 juta", "senilai 27jt"]
    assert {analyzer.terms(s)[-1] for s in spellings} == {"27000000"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pemilu2024", "pemilu 2024"),
        ("covid19", "covid 19"),
        ("5G", "5 g"),
        ("paslon01", "pasangan calon 01"),
        ("g4ji", "gaji"),
        ("Ind0nesia", "indonesia"),
        ("Rud4l", "rudal"),
        ("hati2", "hati hati"),
    ],
)
def test_letters_and_digits_run_together(analyzer: Analyzer, text: str, expected: str) -> None:
    """Digits glued to words are kept (never dropped); leetspeak of a known word is read as it."""
    assert analyzer.normalize(text) == expected


def test_place_names_are_not_stemmed_into_other_words(analyzer: Analyzer) -> None:
    # Sastrawi alone gives "diri", "bekas", "malu", "malang", "bal".
    assert analyzer.terms("Kediri Bekasi Maluku Pemalang Bali") == [
        "kediri",
        "bekasi",
        "maluku",
        "pemalang",
        "bali",
    ]


def test_known_stemmer_errors_get_the_right_stem(analyzer: Analyzer) -> None:
    assert analyzer.terms("berikan membantah") == ["beri", "bantah"]


def test_a_hashtag_that_is_one_word_is_not_split(analyzer: Analyzer) -> None:
    assert analyzer.normalize("#bantuan #penipuan #relawan") == "bantuan penipuan relawan"
    assert analyzer.normalize("#tolakpemilucurang #kpubekasi") == "tolak pemilu curang kpu bekasi"


def test_words_of_a_link_host_count_but_the_link_stays_one_token(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("daftar di https://bantuan-pkh.xyz/form sekarang")
    assert [(t.surface, t.kind) for t in analysis.tokens] == [
        ("daftar", "word"),
        ("di", "word"),
        ("url:bantuan-pkh.xyz", "url"),
        ("bantuan", "word"),
        ("pkh", "word"),
        ("sekarang", "word"),
    ]
    assert analyzer.terms("https://t.co/AbC123 https://www.facebook.com/x") == ["facebook"]


def test_words_the_frequency_pass_found_keep_their_meaning(analyzer: Analyzer) -> None:
    """Found by bench/textkit/overstem.py and read by hand: a stem that is another word."""
    assert analyzer.stem("meninggal") == "meninggal"  # not "tinggal" (to stay)
    assert analyzer.stem("meninggalkan") == "tinggal"  # to leave: really from "tinggal"
    assert analyzer.stem("pemerintah") == analyzer.stem("pemerintahan") == "pemerintah"  # not "perintah"
    assert analyzer.stem("pengadilan") == "pengadilan"  # not "adil" (fair)
    assert analyzer.stem("kerusakan") == "rusak"  # not "rusa" (deer)
    assert analyzer.stem("perbankan") == "bank"  # not "perban" (bandage)
    assert analyzer.stem("terawan") == "terawan"  # a name, not "awan" (cloud)


def test_a_word_whose_stem_was_a_stop_word_counts_again(analyzer: Analyzer) -> None:
    # "peserta" became the stop-word "serta" and vanished from matching.
    assert "peserta" in analyzer.analyze("Peserta pemilu dicoret").terms
    assert "mengaku" in analyzer.analyze("Dia mengaku curang").terms


def test_english_words_of_a_foreign_hoax_become_the_indonesian_a_fact_check_writes(
    analyzer: Analyzer,
) -> None:
    normalized = analyzer.normalize("The ballot was rigged, voters beware of this scam")
    for word in ("surat suara", "curang", "pemilih", "penipuan"):
        assert word in normalized, normalized
    # Words Indonesian writers use as they are (survey, official, voting) stay.
    assert analyzer.normalize("hasil survey official voting") == "hasil survey official voting"
