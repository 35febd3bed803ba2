"""External fact-checks: the file check (every bad row with its line, nothing stored), the import
(all or nothing, idempotent, audited) and the system upsert of a fact-check feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_describe
from humas.factcheck.imports import claims_file_parse, format_of
from humas.factcheck.models import Claim
from humas.factcheck.services import (
    ClaimsInvalid,
    FactcheckError,
    UpsertResult,
    claims_import,
    claims_upsert_external,
)
from humas.offices.policy import PolicyDenied

from .conftest import shared_lines

pytestmark = pytest.mark.django_db

SOURCE = "TurnBackHoax (MAFINDO)"


def line(**fields) -> str:
    record = {
        "doc_id": "tbh-1",
        "title": "[SALAH] Pemilu 2024 ditunda sampai 2025",
        "text": "Jadwal pemungutan suara tetap 14 Februari 2024.",
        "label": "SALAH",
        "date": "2024-01-05",
        "url": "https://turnbackhoax.id/2024/01/05/salah-pemilu-ditunda/",
        "source": "turnbackhoax",
        "election_related": True,
    }
    record.update(fields)
    return json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False)


def record(**fields) -> dict:
    return json.loads(line(**fields))


def test_a_corpus_line_is_read_with_its_date_in_jakarta_and_extra_fields_ignored():
    parsed = claims_file_parse(content=line() + "\n", fmt="jsonl")

    assert parsed.ok and parsed.errors == []
    assert parsed.line_of == [1]
    clean = parsed.cleaned[0]
    assert clean.external_id == "tbh-1"
    assert clean.title == "[SALAH] Pemilu 2024 ditunda sampai 2025"
    assert clean.verdict == "SALAH"
    assert clean.published_at == datetime(2024, 1, 4, 17, 0, tzinfo=UTC)  # 5 January, 00:00 WIB
    # The fact-check's own fields only: the corpus's source and flags are not carried on.
    assert set(parsed.records[0]) == {"doc_id", "title", "text", "label", "date", "url"}


def test_every_bad_jsonl_row_is_listed_with_its_line_and_reason():
    content = "\n".join(
        [
            line(doc_id="ok-1"),
            '{"doc_id": "x", "title": ',  # 2: broken JSON
            line(doc_id=None),  # 3: no doc_id
            line(doc_id="ok-4", title="   "),  # 4: empty title
            line(doc_id="ok-5", date="05/01/2024"),  # 5: bad date
            line(doc_id="ok-6", url="javascript:alert(1)"),  # 6: bad URL
            line(doc_id="ok-7", title="x" * 501),  # 7: title too long
            "",  # 8: blank, skipped
            line(doc_id="ok-1"),  # 9: the doc_id of line 1 again
            "[1, 2]",  # 10: not an object
            line(doc_id="ok-11", date="2024-01-05T10:00:00"),  # 11: a time without a zone
        ]
    )

    parsed = claims_file_parse(content=content, fmt="jsonl")

    assert not parsed.ok
    assert [(e.line, e.message.split(":")[0]) for e in parsed.errors] == [
        (2, "Bukan JSON yang sah."),
        (3, "doc_id"),
        (4, "title"),
        (5, "date"),
        (6, "url"),
        (7, "title"),
        (9, "doc_id"),
        (10, "Setiap baris harus satu objek JSON ({…})."),
        (11, "date"),
    ]
    assert parsed.errors[1].message == "doc_id: Kolom wajib tidak ada."
    assert parsed.errors[5].message == "title: Judul lebih dari 500 karakter."
    assert parsed.errors[6].message == "doc_id: “ok-1” sudah ada di baris 1."
    assert [r["doc_id"] for r in parsed.records] == ["ok-1"]


def test_a_csv_is_read_and_its_bad_rows_listed():
    content = (
        "doc_id,title,text,label,date,url,source\n"
        'c-1,Video lama disebut kerusuhan TPS,"Video itu dari 2019,\nbukan 2024.",SALAH,2024-02-20,,tbh\n'
        "c-2,,Teks,SALAH,2024-02-20,,tbh\n"
        "c-3,Judul,Teks,SALAH,kemarin,,tbh\n"
        "c-4,Judul,Teks,SALAH\n"
    )

    parsed = claims_file_parse(content=content, fmt="csv")

    assert [(e.line, e.message.split(":")[0]) for e in parsed.errors] == [
        (4, "title"),
        (5, "date"),
        (6, "Baris berisi 4 kolom, judulnya 7."),
    ]
    assert parsed.line_of == [2]
    assert parsed.cleaned[0].text == "Video itu dari 2019,\nbukan 2024."


def test_a_csv_without_the_required_columns_is_refused_at_its_header():
    parsed = claims_file_parse(content="id,judul\n1,Hoaks\n", fmt="csv")

    assert [(e.line, e.message) for e in parsed.errors] == [(1, "Kolom wajib tidak ada: doc_id, title.")]
    assert parsed.records == []


def test_file_formats_by_extension():
    assert [format_of(n) for n in ("a.CSV", "b.jsonl", "c.ndjson", "d.json", "e")] == [
        "csv",
        "jsonl",
        "jsonl",
        "",
        "",
    ]


def test_an_import_stores_external_claims_and_is_audited(
    member, offices, changed_ids, django_capture_on_commit_callbacks
):
    editor = member("33.20", "editor", full_name="Editor Jepara")

    with django_capture_on_commit_callbacks(execute=True):
        result = claims_import(
            actor=editor,
            office=offices["33.20"],
            records=[record(), record(doc_id="tbh-2", url="", date="", label="")],
            source_name="  TurnBackHoax   (MAFINDO) ",
            filename="corpus.jsonl",
        )

    assert (result.created, result.updated, result.unchanged, result.skipped) == (2, 0, 0, 0)
    first, second = Claim.objects.order_by("external_id")
    assert (first.kind, first.source_name, first.external_id, first.article_id) == (
        "external",
        SOURCE,
        "tbh-1",
        None,
    )
    assert first.office == offices["33.20"]
    assert first.verdict_label == "SALAH"
    assert first.url == "https://turnbackhoax.id/2024/01/05/salah-pemilu-ditunda/"
    assert first.is_active is True
    assert (second.url, second.published_at, second.verdict) == ("", None, "")
    assert changed_ids == [sorted([first.pk, second.pk])]
    assert list(result.claim_ids) == sorted([first.pk, second.pk])
    event = AuditEvent.objects.get(action="factcheck.claims_import")
    assert event.actor == editor
    assert event.office_id == offices["33.20"].pk
    assert event.changes == {
        "source_name": SOURCE,
        "claims_created": 2,
        "claims_updated": 0,
        "claims_unchanged": 0,
        "filename": "corpus.jsonl",
    }
    (described,) = audit_describe(AuditEvent.objects.filter(pk=event.pk))
    assert described.sentence == "Editor Jepara mengimpor cek fakta eksternal ke basis klarifikasi."
    assert [(d.label, d.text) for d in described.details] == [
        ("Cek fakta baru", "2"),
        ("Cek fakta tidak berubah", "0"),
        ("Cek fakta diperbarui", "0"),
        ("Berkas", "corpus.jsonl"),
        ("Sumber", SOURCE),
    ]


def test_importing_again_changes_only_what_differs(
    member, offices, changed_ids, django_capture_on_commit_callbacks
):
    editor = member("33.20", "editor")
    office = offices["33.20"]
    with django_capture_on_commit_callbacks(execute=True):
        claims_import(
            actor=editor, office=office, records=[record(), record(doc_id="tbh-2")], source_name=SOURCE
        )
        first = Claim.objects.get(external_id="tbh-1")

        again = claims_import(
            actor=editor, office=office, records=[record(), record(doc_id="tbh-2")], source_name=SOURCE
        )
        changed = claims_import(
            actor=editor,
            office=office,
            records=[record(title="[SALAH] Pemilu 2024 diundur ke 2025"), record(doc_id="tbh-2")],
            source_name=SOURCE,
        )
        other_source = claims_import(actor=editor, office=office, records=[record()], source_name="Cekfakta")

    assert again == UpsertResult(created=0, updated=0, unchanged=2)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert changed.claim_ids == (first.pk,)
    assert (other_source.created, other_source.updated) == (1, 0)  # same doc_id, another source
    assert Claim.objects.count() == 3
    assert Claim.objects.get(pk=first.pk).title == "[SALAH] Pemilu 2024 diundur ke 2025"
    assert len(changed_ids) == 3  # nothing is sent for an import that changed nothing
    assert AuditEvent.objects.filter(action="factcheck.claims_import").count() == 4


def test_an_import_with_any_invalid_record_stores_nothing(member, offices):
    editor = member("33.20", "editor")

    with pytest.raises(ClaimsInvalid) as raised:
        claims_import(
            actor=editor,
            office=offices["33.20"],
            records=[record(), record(doc_id="tbh-2", url="ftp://x"), record()],
            source_name=SOURCE,
        )

    assert [(e.index, e.field) for e in raised.value.errors] == [(1, "url"), (2, "doc_id")]
    assert Claim.objects.count() == 0
    assert not AuditEvent.objects.filter(action="factcheck.claims_import").exists()


@pytest.mark.parametrize("role", ["operator", "analyst", "viewer"])
def test_only_editors_and_admins_import(member, offices, role):
    person = member("33.20", role)

    with pytest.raises(PolicyDenied):
        claims_import(actor=person, office=offices["33.20"], records=[record()], source_name=SOURCE)

    assert Claim.objects.count() == 0


def test_a_source_name_is_required(member, offices):
    with pytest.raises(FactcheckError, match="Nama sumber wajib diisi."):
        claims_import(
            actor=member("33.20", "editor"), office=offices["33.20"], records=[record()], source_name=" "
        )


def test_a_feed_upsert_skips_bad_entries_keeps_the_last_of_an_id_and_is_not_audited(
    offices, changed_ids, django_capture_on_commit_callbacks
):
    office = offices["33.20"]
    records = [
        {
            "doc_id": "feed-1",
            "title": "Hoaks TPS ditutup",
            "date": "2024-02-14T08:30:00+07:00",
            "url": "https://cekfakta.com/1",
        },
        {"doc_id": "feed-2", "title": ""},  # skipped: no title
        {"doc_id": "feed-1", "title": "Hoaks TPS ditutup pukul 11", "label": "Hoaks"},
    ]

    with django_capture_on_commit_callbacks(execute=True):
        first = claims_upsert_external(office=office, source_name="Cekfakta", records=records)
        second = claims_upsert_external(office=office, source_name="Cekfakta", records=records)

    assert (first.created, first.updated, first.unchanged, first.skipped) == (1, 0, 0, 1)
    assert (second.created, second.updated, second.unchanged, second.skipped) == (0, 0, 1, 1)
    claim = Claim.objects.get()
    assert (claim.source_name, claim.external_id, claim.title, claim.verdict) == (
        "Cekfakta",
        "feed-1",
        "Hoaks TPS ditutup pukul 11",
        "Hoaks",
    )
    assert claim.url == "" and claim.published_at is None  # the last record, as a whole
    assert changed_ids == [[claim.pk]]
    assert not AuditEvent.objects.filter(action__startswith="factcheck.").exists()


def test_a_feed_upsert_of_only_bad_entries_changes_nothing(offices):
    result = claims_upsert_external(office=offices["33.20"], source_name="Cekfakta", records=[{"title": "x"}])

    assert result == UpsertResult(created=0, updated=0, unchanged=0, skipped=1)
    assert Claim.objects.count() == 0


def test_the_shared_corpus_imports_whole_and_again_as_unchanged(member, offices):
    lines = shared_lines("corpus.jsonl", 300)
    content = "\n".join(json.dumps(r, ensure_ascii=False) for r in lines)
    parsed = claims_file_parse(content=content, fmt="jsonl")
    assert parsed.errors == []
    editor = member("33.20", "editor")

    created = claims_import(actor=editor, office=offices["33.20"], records=parsed.records, source_name=SOURCE)
    again = claims_import(actor=editor, office=offices["33.20"], records=parsed.records, source_name=SOURCE)

    assert (created.created, again.unchanged, again.created, again.updated) == (300, 300, 0, 0)
    assert Claim.objects.filter(kind="external", is_active=True).count() == 300
