"""The monitoring pages: who sees them, the import's upload → preview → confirm, escaping."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.monitoring.models import Item, Source
from humas.monitoring.services import items_ingest

from .conftest import record

pytestmark = pytest.mark.django_db

CSV = (
    "platform,external_id,text,published_at,author_handle\n"
    "x,1,Coklit di Jepara diperpanjang?,2024-02-14T08:30:00+07:00,warga\n"
    'x,2,"<script>alert(""xss"")</script> TPS pindah",2024-02-14T09:30:00+07:00,<b>akun</b>\n'
)


def sources_url(office_slug="kab-jepara"):
    return reverse("monitoring:sources", kwargs={"office_slug": office_slug})


def import_url(office_slug="kab-jepara"):
    return reverse("monitoring:import", kwargs={"office_slug": office_slug})


def upload(client, content: str | bytes, name="ekspor.csv", source_name="Impor berkas"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(import_url(), {"file": SimpleUploadedFile(name, data), "source_name": source_name})


@pytest.fixture
def jepara_slug(offices):
    assert offices["33.20"].slug == "kab-jepara"
    return "kab-jepara"


# (membership office, role) -> (sources page, import page) on KPU Kabupaten Jepara's pages.
MATRIX = [
    ("33.20", "admin", 200, 200),
    ("33.20", "editor", 200, 200),
    ("33.20", "operator", 200, 200),
    ("33.20", "analyst", 200, 403),
    ("33.20", "viewer", 403, 403),
    ("33", "operator", 200, 200),  # the province above sees and imports below
    ("00", "analyst", 200, 403),  # the national office sees every office
    ("33.74", "admin", 403, 403),  # a sibling regency does not
    ("35", "editor", 403, 403),  # nor another province
]


@pytest.mark.parametrize(("home", "role", "sources_status", "import_status"), MATRIX)
def test_who_sees_the_sources_page_and_who_may_import(
    client, member, jepara_slug, home, role, sources_status, import_status
):
    client.force_login(member(home, role))

    assert client.get(sources_url()).status_code == sources_status
    assert client.get(import_url()).status_code == import_status
    assert upload(client, CSV).status_code == import_status  # a valid file: its preview, or refused
    assert Item.objects.count() == 0


def test_signed_out_people_are_sent_to_sign_in(client, jepara_slug):
    response = client.get(sources_url())

    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_sources_page_lists_sources_with_health_and_counts(client, operator, file_source, jepara_slug):
    items_ingest(actor=operator, source=file_source, records=[record()])
    Source.objects.create(
        office=file_source.office,
        kind=Source.Kind.NEWS_FEED,
        name="Berita Jawa Tengah",
        health=Source.Health.FAILING,
        last_error="Server umpan menjawab 503",
    )
    client.force_login(operator)

    page = client.get(sources_url()).content.decode()

    assert "Impor berkas" in page and "Berita Jawa Tengah" in page
    assert "Server umpan menjawab 503" in page and "Bermasalah" in page and "Umpan berita" in page
    assert '<td data-label="Jumlah item">1</td>' in page
    assert import_url() in page


def test_an_analyst_sees_sources_but_no_import_link(client, member, jepara_slug):
    client.force_login(member("33.20", "analyst"))

    page = client.get(sources_url()).content.decode()

    assert "Belum ada sumber." in page
    assert import_url() not in page


def test_upload_previews_escaped_text_then_confirm_imports(client, operator, jepara_slug):
    client.force_login(operator)

    preview = upload(client, CSV)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 item siap diimpor." in page
    assert "<script>alert" not in page and "<b>akun</b>" not in page
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; TPS pindah" in page
    assert "&lt;b&gt;akun&lt;/b&gt;" in page
    assert "14 Feb 2024 08:30 WIB" in page  # the office's zone
    assert not Item.objects.exists()
    token = preview.context["confirm"]["token"].value()

    done = client.post(import_url(), {"token": token, "confirm": "1"}, follow=True)

    assert done.redirect_chain[-1][0] == sources_url()
    assert "2 item baru, 0 sudah ada sebelumnya" in done.content.decode()
    source = Source.objects.get(office__code="33.20")
    assert (source.kind, source.name, source.item_count) == ("file_import", "Impor berkas", 2)
    assert Item.objects.get(external_id="2").text == '<script>alert("xss")</script> TPS pindah'
    assert AuditEvent.objects.get(action="monitoring.items_ingest").changes == {
        "items_created": 2,
        "items_duplicate": 0,
        "filename": "ekspor.csv",
    }
    # The page that lists them shows nothing of the script either.
    assert "<script>alert" not in client.get(sources_url()).content.decode()

    again = client.post(import_url(), {"token": token, "confirm": "1"}, follow=True)
    assert "0 item baru, 2 sudah ada sebelumnya" in again.content.decode()
    assert Item.objects.count() == 2


def test_a_file_with_bad_rows_lists_them_and_offers_no_import(client, operator, jepara_slug):
    client.force_login(operator)
    content = CSV + "myspace,3,Teks,2024-02-14T08:30:00Z,\nx,4,Teks,kemarin,\n"

    response = upload(client, content)

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 masalah ditemukan; tidak ada yang diimpor." in page
    assert "Baris 4: platform: Platform “myspace” tidak dikenal" in page
    assert "Baris 5: published_at: Waktu terbit “kemarin” tidak dapat dibaca" in page
    assert response.context["confirm"] is None
    assert 'name="confirm"' not in page
    assert not Source.objects.exists() and not Item.objects.exists()


def test_a_tampered_confirmation_imports_nothing(client, operator, jepara_slug):
    client.force_login(operator)
    token = upload(client, CSV).context["confirm"]["token"].value()

    response = client.post(import_url(), {"token": token[:-2] + "xx", "confirm": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == import_url()
    assert "unggah berkasnya lagi" in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (CSV, "ekspor.xlsx", "Hanya berkas .csv atau .jsonl yang dapat diimpor."),
        (b"platform,external_id\n\xff\xfe", "ekspor.csv", "Berkas harus berupa teks UTF-8."),
    ],
)
def test_files_of_another_kind_are_refused(client, operator, jepara_slug, content, name, message):
    client.force_login(operator)

    response = upload(client, content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Item.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, operator, jepara_slug, settings):
    settings.HUMAS_MONITORING_IMPORT_MAX_BYTES = 100
    client.force_login(operator)

    response = upload(client, CSV)

    assert response.status_code == 400
    assert "Berkas lebih besar dari 100" in response.content.decode()


def test_a_source_name_of_another_kind_is_refused_before_the_preview(client, operator, offices, jepara_slug):
    Source.objects.create(office=offices["33.20"], kind=Source.Kind.API, name="Skrip mitra")
    client.force_login(operator)

    response = upload(client, CSV, source_name="Skrip mitra")

    assert response.status_code == 400
    assert "Sumber “Skrip mitra” adalah sumber jenis API; pilih nama lain." in response.content.decode()
