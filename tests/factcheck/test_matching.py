"""Claim matching over the knowledge base: the index follows the database, and a circulating hoax
finds its clarification."""

from __future__ import annotations

import threading

import pytest
from django.utils import timezone

from humas.factcheck import matching
from humas.factcheck.matching import claim_get_many, claim_index, claims_match
from humas.factcheck.models import Claim
from humas.factcheck.services import claims_import, claims_upsert_external
from humas.portal.services import article_unpublish

from .conftest import shared_lines

pytestmark = pytest.mark.django_db


def external(office, *records, source="Cekfakta"):
    return claims_upsert_external(office=office, source_name=source, records=list(records))


def test_the_index_holds_the_active_claims_by_id_and_follows_changes_made_here(
    offices, publish_clarification, editor, django_capture_on_commit_callbacks
):
    office = offices["33.20"]
    external(office, {"doc_id": "a", "title": "Hoaks pemilu ditunda"})
    first = Claim.objects.get()
    index = claim_index()
    assert index.doc_ids == [str(first.pk)]

    external(office, {"doc_id": "b", "title": "Hoaks tinta pemilu haram"})
    article = publish_clarification()
    own = Claim.objects.get(kind="own")
    assert claim_index() is index  # updated in place, at once (no waiting for the next look)
    assert sorted(index.doc_ids, key=int) == sorted(str(c.pk) for c in Claim.objects.all())

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=editor, article=article)
    assert str(own.pk) not in claim_index().doc_ids
    assert len(claim_index()) == 2


def test_a_change_made_by_another_process_is_seen_at_the_next_look(offices, monkeypatch):
    office = offices["33.20"]
    external(office, {"doc_id": "a", "title": "Video lama kerusuhan TPS"})
    claim = Claim.objects.get()
    before = claims_match(["Kotak suara dibakar di Sampang, pemilu ulang"], k=1)[0]

    # Another process rewrote the claim: nothing in this process said so.
    Claim.objects.filter(pk=claim.pk).update(
        title="Kotak suara dibakar di Sampang, pemilu ulang", updated_at=timezone.now()
    )
    monkeypatch.setattr(matching, "CHECK_SECONDS", 0.0)
    after = claims_match(["Kotak suara dibakar di Sampang, pemilu ulang"], k=1)[0]

    assert (before.best, before.decision) == (None, "none")  # no word in common with the old title
    assert after.best is not None and after.best.doc_id == str(claim.pk)
    assert after.decision in {"match", "suggestion"}


def test_a_known_hoax_is_matched_to_its_fact_check_after_the_corpus_is_imported(member, offices):
    corpus = shared_lines("corpus.jsonl", 200)
    query = next(q for q in shared_lines("queries_dev.jsonl") if q["query_id"] == "q-tbh24-03728")
    claims_import(
        actor=member("33.20", "editor"), office=offices["33.20"], records=corpus, source_name="TurnBackHoax"
    )
    gold = Claim.objects.get(source_name="TurnBackHoax", external_id="tbh24-03728")

    # "GEGER MALAM INI || KPU TEMUKAN BVKTI V1TAL, KECUR4NG4N GIBRAN ..." (leetspeak and all)
    (result,) = claims_match([query["text"]])

    assert result.decision == "match"
    assert result.best is not None and result.best.doc_id == str(gold.pk)
    assert gold.title == "KPU Temukan Bukti Vital Kecurangan Gibran di Debat Cawapres"


def test_a_circulating_post_finds_the_offices_own_clarification(offices, publish_clarification):
    external(offices["33.20"], {"doc_id": "x", "title": "Hoaks tinta pemilu mengandung babi"})
    publish_clarification()
    own = Claim.objects.get(kind="own")

    (result,) = claims_match(
        ["Viral!! surat suara di gudang KPU Jepara udah dicoblos duluan sebelum hari H, sebarkan"]
    )

    assert result.best is not None and result.best.doc_id == str(own.pk)


def test_the_monitoring_pipeline_way_analyses_once_and_ranks(offices):
    external(
        offices["33.20"], {"doc_id": "a", "title": "Pemilu 2024 ditunda sampai 2025", "text": "Jadwal tetap."}
    )
    claim = Claim.objects.get()
    index = claim_index()

    analyses = [index.analyzer.analyze("Info grup WA: pemilu ditunda sampai 2025!!")]
    (result,) = index.search_analyses(analyses, k=5)

    assert [c.doc_id for c in result.candidates] == [str(claim.pk)]


def test_readers_in_several_threads_share_one_index(offices, monkeypatch):
    external(offices["33.20"], {"doc_id": "a", "title": "Pemilu 2024 ditunda sampai 2025"})
    claim_index()  # built here: the threads below see no rows of this test's transaction
    monkeypatch.setattr(matching, "CHECK_SECONDS", float("inf"))
    found: list[str] = []

    def read() -> None:
        result = claim_index().search("pemilu ditunda 2025")
        found.append(result.best.doc_id if result.best else "")

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert found == [str(Claim.objects.get().pk)] * 8


def test_claims_are_loaded_by_their_index_ids(offices):
    external(offices["33.20"], {"doc_id": "a", "title": "Satu"}, {"doc_id": "b", "title": "Dua"})
    one, two = Claim.objects.order_by("external_id")

    found = claim_get_many([str(one.pk), two.pk, "bukan-id", "99999999999999999999", str(two.pk + 100)])

    assert found == {str(one.pk): one, str(two.pk): two}
    assert claim_get_many([]) == {}
