"""Cek Klaim: answers from the knowledge base, stores nothing, refuses bad input plainly."""

from __future__ import annotations

import socket

import pytest
from django.test import Client

from humas.factcheck.models import Claim
from humas.monitoring.models import Item
from humas.tipline.checks import CheckRefused, claim_check
from humas.tipline.models import Tip

from ..monitoring.conftest import turnbackhoax_claim

pytestmark = pytest.mark.django_db

REWORDED = "Katanya ada foto surat suara Jepara udah dicoblos duluan di gudang logistik KPU sebelum pemilu, bener gak?"


def test_a_reworded_hoax_finds_the_published_clarification(publish_clarification):
    article = publish_clarification()
    answer = claim_check(text=REWORDED)
    assert answer.found
    first = answer.hits[0]
    assert first.claim.article_id == article.pk
    assert first.url == article.get_absolute_url()
    assert first.publisher == "KPU Kabupaten Jepara"
    assert first.claim.verdict_label


def test_an_external_fact_check_is_found_by_its_own_link(offices):
    claim = turnbackhoax_claim(
        offices["00"],
        "kotak-suara",
        "Kotak suara kardus mudah dibobol",
        "Kotak suara kardus kedap air dan disegel.",
    )
    answer = claim_check(text="", link="https://turnbackhoax.id/kotak-suara#bagian-2")
    assert answer.decision == "match"
    assert answer.hits[0].claim == claim
    assert answer.hits[0].url == "https://turnbackhoax.id/kotak-suara"


def test_nothing_matches_says_so(publish_clarification):
    publish_clarification()
    answer = claim_check(text="Resep rendang padang yang empuk dan gurih untuk lebaran")
    assert not answer.found
    assert answer.decision == "none"


@pytest.mark.parametrize(
    ("text", "link", "words"),
    [
        ("", "", "Tempel pesan"),
        ("   \n\t ", "", "Tempel pesan"),
        ("\x00\x01\x02\x03", "", "tidak bisa dibaca"),
        ("x" * 100_000, "", "terlalu panjang"),
        ("Pemilu ditunda", "javascript:alert(1)", "http://"),
        ("Pemilu ditunda", "ftp://10.0.0.1/berkas", "http://"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text, link, words):
    with pytest.raises(CheckRefused, match=words):
        claim_check(text=text, link=link)


def test_an_internal_link_is_never_fetched(monkeypatch, publish_clarification):
    publish_clarification()

    def no_network(*args, **kwargs):
        raise AssertionError("Cek Klaim opened a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    answer = claim_check(
        text="", link="http://127.0.0.1:8001/admin/surat-suara-dicoblos-gudang-logistik-jepara"
    )
    assert answer.decision in {"match", "suggestion", "none"}


def _post(client, path, **data):
    return client.post(path, data)


def test_the_page_answers_and_stores_nothing(client, publish_clarification):
    article = publish_clarification()
    empty = client.get("/kab-jepara/cek-klaim/")
    assert empty.status_code == 200
    assert "public" in empty["Cache-Control"]  # the empty page is an ordinary cached portal page
    tips, items = Tip.objects.count(), Item.objects.count()
    response = client.post("/kab-jepara/cek-klaim/", {"teks": REWORDED})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kabar ini sudah diklarifikasi" in page or "Mungkin ini klarifikasinya" in page
    assert article.title in page
    assert article.get_absolute_url() in page
    assert response["Cache-Control"] == "no-store"
    # What was pasted is in no stored row.
    assert (Tip.objects.count(), Item.objects.count()) == (tips, items)


def test_no_match_offers_to_send_it_as_a_tip_with_a_csrf_token(client, publish_clarification):
    publish_clarification()
    response = client.post("/cek-klaim/", {"teks": "Bupati anu membagikan sepeda motor gratis di alun-alun"})
    page = response.content.decode()
    assert "Belum ada klarifikasi yang cocok" in page
    assert 'action="/lapor-hoaks/"' in page
    assert "csrfmiddlewaretoken" in page
    assert 'name="dari_cek"' in page


def test_htmx_gets_only_the_answer(client, publish_clarification):
    publish_clarification()
    response = client.post("/kab-jepara/cek-klaim/", {"teks": REWORDED}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="check-results"')
    assert "<html" not in page


def test_a_refusal_is_a_400_page_in_indonesian(client):
    response = client.post("/cek-klaim/", {"teks": "x" * 100_000})
    assert response.status_code == 400
    assert "terlalu panjang" in response.content.decode()


def test_script_in_the_text_is_never_rendered_as_markup(client):
    response = client.post("/cek-klaim/", {"teks": "<script>alert('x')</script> pemilu ditunda"})
    assert b"<script>alert" not in response.content


def test_a_flood_from_one_client_is_told_to_wait(client, settings):
    settings.HUMAS_CLAIM_CHECKS_PER_MINUTE = 2
    for _ in range(2):
        assert client.post("/cek-klaim/", {"teks": "pemilu ditunda"}).status_code == 200
    response = client.post("/cek-klaim/", {"teks": "pemilu ditunda"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in response.content.decode()


def test_the_check_needs_no_csrf_token_it_changes_nothing():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/cek-klaim/", {"teks": "pemilu ditunda"}).status_code == 200


def test_every_portal_home_has_the_box_and_stays_cacheable(client, jepara):
    response = client.get("/kab-jepara/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'action="/kab-jepara/cek-klaim/#check-results"' in page
    assert 'href="/kab-jepara/cek-klaim/"' in page  # the menu
    assert 'href="/kab-jepara/lapor-hoaks/"' in page
    assert "csrfmiddlewaretoken" not in page
    assert "public" in response["Cache-Control"]
    assert client.get("/kab-jepara/")["X-Humas-Cache"] == "hit"


def test_english_visitors_read_english(client, publish_clarification):
    publish_clarification()
    client.cookies["humas_language"] = "en"
    page = client.get("/cek-klaim/").content.decode()
    assert "Check a claim" in page
    assert "Paste a message, a link or both" in page


def test_claims_of_withdrawn_clarifications_are_not_answers(publish_clarification):
    article = publish_clarification()
    Claim.objects.filter(article=article).update(is_active=False)
    from humas.factcheck.matching import claim_index_reset

    claim_index_reset()
    answer = claim_check(text=REWORDED)
    assert all(h.claim.article_id != article.pk for h in answer.hits)
