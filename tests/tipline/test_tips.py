"""Laporkan Hoaks: a tip from the portal becomes a monitoring item of the office, with its
screenshots cleaned; abuse is turned away; nothing is half-stored."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from PIL import Image

from humas.media.storage import private_storage, read_bytes
from humas.monitoring.models import Item, Source
from humas.tipline.models import Tip, TipScreenshot

from .conftest import HOAX, png

pytestmark = pytest.mark.django_db


def send(client, path="/kab-jepara/lapor-hoaks/", **fields):
    data = {"teks": HOAX, "tautan": "", "email": "", "situs_web": ""}
    data.update(fields)
    return client.post(path, data)


def test_a_tip_becomes_an_item_of_the_office_and_gets_a_reference(
    client, jepara, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, tautan="https://wa.me/grup-warga", tangkapan=[png(), png(320, 240)])
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert re.fullmatch(r"LH-[2-9A-HJ-NP-Z]{8}", tip.reference)
    assert response["Location"] == f"/kab-jepara/lapor-hoaks/terkirim/?nomor={tip.reference}"
    sent = client.get(response["Location"]).content.decode()
    assert tip.reference in sent
    assert tip.office == jepara
    assert tip.text == HOAX
    item = Item.objects.get(pk=tip.item_id)
    assert item.source.kind == Source.Kind.PUBLIC_TIP
    assert item.office == jepara
    assert item.platform == "portal"
    assert item.external_id == tip.reference
    # The pipeline ran (the test queue runs tasks at once): a tip is always for the desk.
    assert item.processed_at is not None
    assert item.relevant is True
    assert item.narrative_id is not None
    shots = list(TipScreenshot.objects.filter(tip=tip))
    assert len(shots) == 2
    stored = read_bytes(storage=private_storage(), name=shots[0].file)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()  # the camera's name is gone
    assert b"KameraRahasia" not in stored


def test_the_region_the_tipper_chose_routes_the_tip(client, offices, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(
            client,
            "/lapor-hoaks/",
            teks="Ada kabar petugas membawa kotak suara pulang ke rumah",
            wilayah="33.20",
        )
    tip = Tip.objects.get()
    assert tip.office == offices["00"]
    item = Item.objects.get(pk=tip.item_id)
    assert item.routed_office == offices["33.20"]


def test_a_regency_portal_has_no_region_field(client):
    page = client.get("/kab-jepara/lapor-hoaks/").content.decode()
    assert 'name="wilayah"' not in page
    national = client.get("/lapor-hoaks/").content.decode()
    assert 'name="wilayah"' in national
    assert "Kabupaten Jepara" in national


def test_the_form_page_is_never_stored_it_holds_a_csrf_token(client):
    response = client.get("/kab-jepara/lapor-hoaks/")
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert "X-Humas-Cache" not in response


def test_the_form_needs_its_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert send(strict).status_code == 403
    assert not Tip.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client):
    response = send(client, situs_web="http://spam.example")
    assert response.status_code == 302
    assert not Tip.objects.exists()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (io.BytesIO(b"MZ\x90\x00 this is not an image"), "gambar"),
        (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "gambar"),
    ],
)
def test_a_bad_screenshot_stores_nothing(client, upload, words, tmp_path):
    upload.name = "bukti.png"
    response = send(client, tangkapan=[png(), upload])
    assert response.status_code == 400
    assert words in response.content.decode().lower()
    assert not Tip.objects.exists()
    assert not Item.objects.exists()
    assert not list((tmp_path / "private").rglob("*.*")) if (tmp_path / "private").exists() else True


def test_a_pixel_bomb_is_refused(client, settings):
    settings.HUMAS_IMAGE_MAX_PIXELS = 1_000_000
    response = send(client, tangkapan=[png(2000, 2000, exif=False)])
    assert response.status_code == 400
    assert "piksel" in response.content.decode().lower()
    assert not Tip.objects.exists()


def test_more_than_three_screenshots_are_refused(client):
    response = send(client, tangkapan=[png() for _ in range(4)])
    assert response.status_code == 400
    assert not Tip.objects.exists()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"teks": ""}, "Tuliskan kabar"),
        ({"teks": "\x01\x02\x03"}, "tidak bisa dibaca"),
        ({"teks": "x" * 5001}, "terlalu panjang"),
        ({"tautan": "javascript:alert(1)"}, "http"),
        ({"email": "bukan-email"}, "e-mail"),
        ({"email": "warga@example.org"}, "Centang persetujuan"),
    ],
)
def test_bad_fields_are_explained_and_nothing_is_stored(client, fields, words):
    response = send(client, **fields)
    assert response.status_code == 400
    assert words.lower() in response.content.decode().lower()
    assert not Tip.objects.exists()


def test_tips_from_one_client_are_limited(client, settings):
    settings.HUMAS_TIPS_PER_HOUR = 1
    assert send(client).status_code == 302
    response = send(client, teks="Kabar kedua yang lain sama sekali")
    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in response.content.decode()
    assert Tip.objects.count() == 1


def test_a_refused_form_does_not_count_against_the_limit(client, settings):
    settings.HUMAS_TIPS_PER_HOUR = 1
    assert send(client, teks="").status_code == 400
    assert send(client).status_code == 302


def test_reporting_from_a_check_answer_fills_the_form_and_sends_nothing(client):
    response = client.post(
        "/kab-jepara/lapor-hoaks/", {"dari_cek": "1", "teks": HOAX, "tautan": "https://x.com/a"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert HOAX in page
    assert "https://x.com/a" in page
    assert not Tip.objects.exists()


def test_a_contact_needs_consent_and_is_kept_for_the_answer(client):
    assert send(client, email="warga@example.org", setuju="on").status_code == 302
    tip = Tip.objects.get()
    assert tip.contact_email == "warga@example.org"
    assert tip.language == "id"
