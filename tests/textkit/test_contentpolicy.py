"""Content-policy checker: personal data, birthday greetings, partisanship, figures, links."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from humas.textkit.contentpolicy import (
    FAMILIES,
    Finding,
    Party,
    RuleSet,
    check,
    is_valid_nik,
    load_default_rules,
)

SENTENCES = Path(__file__).resolve().parents[2] / "bench" / "contentpolicy" / "data" / "sentences.jsonl"


def families(text: str, **kwargs: object) -> list[str]:
    return [f.family for f in check(text, **kwargs)]  # type: ignore[arg-type]


def only(text: str, family: str, **kwargs: object) -> Finding:
    found = [f for f in check(text, **kwargs) if f.family == family]  # type: ignore[arg-type]
    assert len(found) == 1, found
    return found[0]


def test_nik_needs_a_real_regency_and_a_birth_date_with_forty_added_for_women() -> None:
    assert is_valid_nik("3320011508900003")  # Jepara, a man born 15-08-1990
    assert is_valid_nik("3374126207950001")  # Kota Semarang, a woman born 22-07-1995 (22 + 40)
    assert not is_valid_nik("9999011508900003")  # no such regency
    assert not is_valid_nik("3320013213900001")  # day 32 (neither a man's nor a woman's)
    assert not is_valid_nik("3320011513900001")  # month 13
    assert not is_valid_nik("3320011508900000")  # serial 0000
    assert not is_valid_nik("332001150890003")  # 15 digits


def test_a_nik_is_flagged_and_an_invoice_number_is_not() -> None:
    text = "Warga NIK 3374126207950001 belum terdaftar"
    finding = only(text, "personal_data")
    assert (finding.rule, finding.severity, finding.excerpt) == (
        "personal_data.nik",
        "block",
        "3374126207950001",
    )
    assert finding.params == {"region": "3374"}
    assert families("Nomor invoice 2024031500001234 sudah dibayar") == []
    assert families("Kode billing 3320013213900001") == []


def test_a_family_card_number_is_recognised_by_its_keyword() -> None:
    finding = only("No. KK 3320012304150007 mohon dibantu", "personal_data")
    assert finding.rule == "personal_data.kk"


def test_a_mobile_number_in_any_spelling_is_personal_data() -> None:
    for text, number in (
        ("Hubungi Pak Darto di 0812-2765-4301 ya", "0812-2765-4301"),
        ("Info: Bu Ratna +62 813-2500-7788", "+62 813-2500-7788"),
        ("WA relawan 6281390124567", "6281390124567"),
        ("hubungi 08l2.3344.5566 ya", "08l2.3344.5566"),
    ):
        finding = only(text, "personal_data")
        assert (finding.rule, finding.excerpt) == ("personal_data.phone", number), text


def test_the_offices_own_hotline_is_not_personal_data() -> None:
    card = "Kontak KPU Kabupaten Jepara: telp (0291) 591234, WA 0811-2900-5678"
    assert families(card) == ["personal_data"]
    assert check(card, known_contacts=["+62 811 2900 5678"]) == []


def test_private_e_mail_is_flagged_but_not_an_official_or_known_one() -> None:
    assert only("Kirim ke dwi.handayani87@gmail.com ya", "personal_data").rule == "personal_data.email"
    assert check("E-mail resmi: kab_jepara@kpu.go.id atau ppid@jepara.kpu.go.id") == []
    assert check("Hubungi humas.kpu@gmail.com", known_contacts=["Humas.KPU@gmail.com"]) == []


def test_a_birthday_greeting_to_a_person_is_flagged_with_its_span() -> None:
    text = "Keluarga besar KPU: selamat ulang tahun pak Budi, semoga sehat selalu"
    finding = only(text, "personal_greeting")
    assert (finding.rule, finding.severity) == ("personal_greeting.birthday", "block")
    assert text[finding.start : finding.end] == "selamat ulang tahun pak Budi"
    assert finding.excerpt == "selamat ulang tahun pak Budi"
    assert only("HBD bu Sekretaris 🎂", "personal_greeting").excerpt == "HBD bu Sekretaris"
    assert only("met ultah mas Dimas!", "personal_greeting").excerpt == "met ultah mas Dimas"


def test_anniversaries_of_the_nation_regions_and_institutions_are_innocent() -> None:
    for text in (
        "Selamat HUT RI ke-79",
        "Selamat Hari Ulang Tahun Republik Indonesia ke-79!",
        "Selamat HUT Kabupaten Jepara ke-475",
        "Selamat Hari Ulang Tahun ke-24 KPU",
        "Selamat ulang tahun Kota Semarang ke-477",
        "Selamat ulang tahun yang ke-55🥳 Semoga sehat",
    ):
        assert "personal_greeting" not in families(text), text


def test_leetspeak_campaign_calls_are_partisan() -> None:
    text = "ayo c0bl0s n0m0r 2 ya gaes"
    finding = only(text, "partisan")
    assert (finding.rule, finding.excerpt, finding.params) == (
        "partisan.ballot_number",
        "c0bl0s n0m0r 2",
        {"number": "2"},
    )
    assert only("Dukung 02 biar lanjut", "partisan").excerpt == "Dukung 02"
    assert only("Pilih Gerindra!", "partisan").params == {"party": "Gerindra", "number": "2"}
    assert only("#AMINMenang", "partisan").rule == "partisan.campaign_hashtag"


def test_neutral_ballot_news_and_tutorials_are_not_partisan() -> None:
    for text in (
        "KPU menetapkan nomor urut pasangan calon: 1 Anies-Muhaimin, 2 Prabowo-Gibran, 3 Ganjar-Mahfud",
        "Tata cara mencoblos: coblos satu kali pada nomor, foto atau nama paslon",
        "Pemilih memilih di TPS sesuai alamat di DPT",
        "Warga mencoblos di TPS 02 Desa Jambu",
        "Amin ya rabbal alamin, dukung pemilu damai",
    ):
        assert "partisan" not in families(text), text


def test_an_office_can_add_its_own_parties() -> None:
    rules = load_default_rules().with_extra(parties=[Party("Partai Aceh", 18, ("partai aceh", "pa"))])
    assert only("Pilih Partai Aceh!", "partisan", rules=rules).params == {
        "party": "Partai Aceh",
        "number": "18",
    }
    assert "partisan" not in families("Pilih Partai Aceh!")


def test_rule_sets_round_trip_through_their_stored_form() -> None:
    rules = load_default_rules()
    assert RuleSet.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules
    assert {r.family for r in rules.rules} == set(FAMILIES)


def test_figures_need_a_source_link() -> None:
    text = "Rekap: jumlah pemilih 1.234.567 dan suara sah 45.678"
    found = [f for f in check(text) if f.family == "unverified_figure"]
    assert [f.excerpt for f in found] == ["pemilih 1.234.567", "suara sah 45.678"]
    assert all(f.severity == "warn" for f in found)
    assert check(text + " https://pemilu2024.kpu.go.id/") == []
    for text in ("Pemungutan suara 14 Februari 2024 pukul 07.00", "TPS 017 pindah ke balai desa"):
        assert check(text) == [], text


def test_links_outside_official_hosts_and_shorteners_are_flagged() -> None:
    assert check("Info di https://jepara.kpu.go.id/berita dan https://bawaslu.go.id") == []
    finding = only("Daftar: https://forms.gle/Xa12 sekarang", "non_official_link")
    assert (finding.rule, finding.excerpt, finding.severity) == (
        "non_official_link.host",
        "https://forms.gle/Xa12",
        "warn",
    )
    assert only("Klik s.id/infopemilu", "non_official_link").rule == "non_official_link.shortener"
    assert only("Palsu: http://kpu.go.id.info-pemilu.xyz/cek", "non_official_link").params == {
        "host": "kpu.go.id.info-pemilu.xyz"
    }
    own = "Ikuti https://www.instagram.com/kpujepara"
    assert check(own, official_hosts=["instagram.com/kpujepara"]) == []
    assert families(
        "Ikuti https://www.instagram.com/kpukudus", official_hosts=["instagram.com/kpujepara"]
    ) == ["non_official_link"]


def test_findings_are_sorted_and_one_family_never_overlaps_itself() -> None:
    text = "HBD pak Joko! Hubungi 0812-2765-4301, coblos 02, cek https://bit.ly/x"
    found = check(text)
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert [f.family for f in found] == [
        "personal_greeting",
        "personal_data",
        "partisan",
        "non_official_link",
    ]
    for f in found:
        assert text[f.start : f.end] == f.excerpt


def _labelled() -> list[dict[str, object]]:
    with SENTENCES.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_the_labelled_set_has_the_promised_composition() -> None:
    rows = _labelled()
    assert len(rows) >= 300
    assert sum(1 for r in rows if not r["findings"]) >= 120
    for family in FAMILIES:
        with_family = [r for r in rows if any(f["family"] == family for f in r["findings"])]  # type: ignore[attr-defined, index]
        assert len(with_family) >= 40, family


@pytest.mark.parametrize("family", FAMILIES)
def test_precision_and_recall_on_the_labelled_set(family: str) -> None:
    true_positives = predicted = found = expected = 0
    for row in _labelled():
        wanted = [e for e in row["findings"] if e["family"] == family]  # type: ignore[attr-defined, index]
        got = [
            f
            for f in check(
                str(row["text"]),
                known_contacts=row.get("known_contacts", ()),  # type: ignore[arg-type]
                official_hosts=row.get("official_hosts", ()),  # type: ignore[arg-type]
            )
            if f.family == family
        ]
        predicted += len(got)
        true_positives += sum(any(f.start < e["end"] and e["start"] < f.end for e in wanted) for f in got)
        expected += len(wanted)
        found += sum(any(f.start < e["end"] and e["start"] < f.end for f in got) for e in wanted)
    assert true_positives / predicted >= 0.95
    assert found / expected >= 0.90
