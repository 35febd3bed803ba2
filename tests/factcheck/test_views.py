"""The knowledge base's pages: who sees them, search and filters, one claim, the import's
upload → preview → confirm, and text shown as text."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.factcheck.models import Claim
from humas.factcheck.services import claims_upsert_external

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script> Pemilu ditunda'


def list_url(office_slug="kab-jepara", **query):
    url = reverse("factcheck:list", kwargs={"office_slug": office_slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def detail_url(claim, office_slug="kab-jepara"):
    return reverse("factcheck:detail", kwargs={"office_slug": office_slug, "claim_id": claim.pk})


def import_url(office_slug="kab-jepara"):
    return reverse("factcheck:import", kwargs={"office_slug": office_slug})


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


def upload(client, content: bytes, name="cekfakta.jsonl", source_name="TurnBackHoax"):
    return client.post(import_url(), {"file": SimpleUploadedFile(name, content), "source_name": source_name})


@pytest.fixture
def external_claim(offices):
    claims_upsert_external(
        office=offices["33.20"],
        source_name="Cekfakta <b>Tempo</b>",
        records=[
            {
                "doc_id": "1",
                "title": SCRIPT,
                "text": "<img src=x onerror=alert(1)> Jadwal tetap 14 Februari.",
                "label": "salah",
                "date": "2024-01-05",
                "url": "https://cekfakta.tempo.co/fakta/1",
            }
        ],
    )
    return Claim.objects.get()


# (membership office, role) -> (the list of KPU Kabupaten Jepara, its import page)
MATRIX = [
    ("33.20", "admin", 200, 200),
    ("33.20", "editor", 200, 200),
    ("33.20", "operator", 200, 403),
    ("33.20", "analyst", 200, 403),
    ("33.20", "viewer", 403, 403),
    ("33", "editor", 200, 200),  # the province above
    ("35", "editor", 403, 403),  # another province does not act in Jepara's pages
]


@pytest.mark.parametrize(("home", "role", "list_status", "import_status"), MATRIX)
def test_who_sees_the_knowledge_base_and_who_may_import(
    client, member, offices, external_claim, home, role, list_status, import_status
):
    client.force_login(member(home, role))

    assert client.get(list_url()).status_code == list_status
    assert client.get(detail_url(external_claim)).status_code == list_status
    assert client.get(import_url()).status_code == import_status
    valid = jsonl({"doc_id": "2", "title": "Hoaks TPS tutup jam 11"})
    assert upload(client, valid).status_code == import_status
    assert Claim.objects.count() == 1


def test_signed_out_people_are_sent_to_sign_in(client, offices):
    response = client.get(list_url())

    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_every_office_sees_every_claim(client, member, offices, publish_clarification, external_claim):
    publish_clarification()
    client.force_login(member("35", "analyst"))  # Jawa Timur: neither published nor imported them

    response = client.get(list_url(offices["35"].slug))

    assert response.status_code == 200
    assert [c.pk for c in response.context["page"]] == [c.pk for c in Claim.objects.order_by("-published_at")]
    assert "KPU Kabupaten Jepara" in response.content.decode()


def test_titles_and_texts_are_shown_as_text(client, member, offices, external_claim):
    client.force_login(member("33.20", "operator"))

    for url in (list_url(), detail_url(external_claim)):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<b>Tempo</b>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; Pemilu ditunda" in page
        assert "Cekfakta &lt;b&gt;Tempo&lt;/b&gt;" in page
    detail = client.get(detail_url(external_claim)).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; Jadwal tetap 14 Februari." in detail
    assert (
        '<a href="https://cekfakta.tempo.co/fakta/1" rel="noopener noreferrer nofollow">'
        "https://cekfakta.tempo.co/fakta/1</a>"
    ) in detail


def test_the_list_shows_source_verdict_and_date_and_marks_external_claims(
    client, member, offices, publish_clarification, external_claim
):
    article = publish_clarification()
    client.force_login(member("33.20", "operator"))

    page = client.get(list_url()).content.decode()

    assert page.count(">eksternal</span>") == 1
    assert '<a href="https://cekfakta.tempo.co/fakta/1" rel="noopener noreferrer nofollow">Cekfakta' in page
    assert "HOAKS" in page and "SALAH" in page
    assert '<time datetime="2024-01-05T00:00:00+07:00">5 Jan 2024</time>' in page  # the office's zone
    assert (
        reverse("factcheck:detail", kwargs={"office_slug": "kab-jepara", "claim_id": article.kb_claim.pk})
        in page
    )


def test_search_filters_and_pages(client, member, offices, publish_clarification):
    publish_clarification()
    claims_upsert_external(
        office=offices["33"],
        source_name="TurnBackHoax",
        records=[
            {
                "doc_id": str(n),
                "title": f"Hoaks nomor {n} soal DPT",
                "label": "SALAH" if n % 2 else "Penipuan",
            }
            for n in range(1, 36)
        ],
    )
    client.force_login(member("33.20", "analyst"))

    def shown(**query):
        return [c.title for c in client.get(list_url(**query)).context["page"]]

    assert len(shown()) == 30
    assert len(shown(page=2)) == 6
    assert sorted(shown(q="nomor+7")) == [
        "Hoaks nomor 17 soal DPT",
        "Hoaks nomor 27 soal DPT",
        "Hoaks nomor 7 soal DPT",
    ]
    assert shown(q="DPT+nomor+35") == ["Hoaks nomor 35 soal DPT"]  # every word, in any order
    assert shown(q="SURAT+suara") == [
        "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan"
    ]
    assert shown(kind="own") == ["Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan"]
    assert len(shown(kind="external", verdict="salah")) == 18
    assert len(shown(verdict="penipuan")) == 17
    assert len(shown(verdict="hoaks")) == 1
    unknown = client.get(list_url(kind="nothing", verdict="unknown")).context["page"]
    assert unknown.paginator.count == 36  # values it does not know are ignored
    second = client.get(list_url(kind="external", page=2)).content.decode()
    assert "?kind=external&amp;page=1" in second  # the pager keeps the filters


def test_a_withdrawn_clarification_stays_readable_but_leaves_the_list(
    client, member, publish_clarification, editor, django_capture_on_commit_callbacks
):
    from humas.portal.services import article_unpublish

    article = publish_clarification()
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=editor, article=article)
    client.force_login(member("33.20", "operator"))

    assert list(client.get(list_url()).context["page"]) == []
    detail = client.get(detail_url(article.kb_claim)).content.decode()
    assert "sudah tidak terbit di portal" in detail
    assert (
        reverse("portal_admin:detail", kwargs={"office_slug": "kab-jepara", "article_id": article.pk})
        in detail
    )


def test_an_unknown_claim_is_not_found(client, member, offices):
    client.force_login(member("33.20", "operator"))

    assert (
        client.get(
            reverse("factcheck:detail", kwargs={"office_slug": "kab-jepara", "claim_id": 999999})
        ).status_code
        == 404
    )


def test_upload_preview_confirm_imports_exactly_the_previewed_file(client, member, offices):
    editor = member("33.20", "editor")
    client.force_login(editor)
    content = jsonl(
        {
            "doc_id": "tbh-1",
            "title": "[SALAH] Pemilu ditunda",
            "label": "SALAH",
            "date": "2024-01-05",
            "x": 1,
        },
        {"doc_id": "tbh-2", "title": SCRIPT, "url": "https://turnbackhoax.id/2"},
    )

    preview = upload(client, content)

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "2 cek fakta siap diimpor." in page
    assert "&lt;script&gt;alert" in page and "<script>alert" not in page
    assert Claim.objects.count() == 0
    token = preview.context["confirm"].initial["token"]

    done = client.post(import_url(), {"token": token, "confirm": "1"})

    assert done.status_code == 302
    assert done["Location"] == list_url() + "?kind=external"
    assert sorted(Claim.objects.values_list("source_name", "external_id")) == [
        ("TurnBackHoax", "tbh-1"),
        ("TurnBackHoax", "tbh-2"),
    ]
    assert AuditEvent.objects.get(action="factcheck.claims_import").changes["filename"] == "cekfakta.jsonl"
    followed = client.get(done["Location"]).content.decode()
    assert "2 cek fakta baru, 0 diperbarui, 0 tidak berubah." in followed

    again = client.post(import_url(), {"token": token, "confirm": "1"}, follow=True)
    assert "0 cek fakta baru, 0 diperbarui, 2 tidak berubah." in again.content.decode()
    assert Claim.objects.count() == 2


def test_a_file_with_bad_rows_is_previewed_with_every_line_and_nothing_imported(client, member, offices):
    client.force_login(member("33.20", "editor"))
    content = (
        b'{"doc_id": "1", "title": "Sah"}\n{"doc_id": "2"\n{"doc_id": "3", "title": "T", "date": "kemarin"}\n'
    )

    response = upload(client, content)

    assert response.status_code == 400
    page = response.content.decode()
    assert "2 masalah ditemukan; tidak ada yang diimpor." in page
    assert "Baris 2: Bukan JSON yang sah." in page
    assert "Baris 3: date: Tanggal “kemarin” tidak dapat dibaca" in page
    assert response.context["confirm"] is None
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "source_name", "message"),
    [
        ("cekfakta.txt", b"{}", "TurnBackHoax", "Hanya berkas .csv atau .jsonl yang dapat diimpor."),
        ("cekfakta.jsonl", b"\xff\xfe\x00", "TurnBackHoax", "Berkas harus berupa teks UTF-8."),
        ("cekfakta.jsonl", b'{"doc_id": "1", "title": "T"}', "   ", ""),
    ],
)
def test_a_file_or_source_that_cannot_be_read_is_refused_on_the_form(
    client, member, offices, name, content, source_name, message
):
    client.force_login(member("33.20", "editor"))

    response = upload(client, content, name=name, source_name=source_name)

    assert response.status_code == 400
    form = response.context["form"]
    if message:
        assert message in response.content.decode()
    else:
        assert list(form.errors) == ["source_name"]
    assert Claim.objects.count() == 0


def test_a_tampered_confirmation_imports_nothing(client, member, offices):
    client.force_login(member("33.20", "editor"))

    response = client.post(import_url(), {"token": "bukan-token-yang-sah", "confirm": "1"}, follow=True)

    assert response.redirect_chain == [(import_url(), 302)]
    assert "Pratinjau impor sudah kedaluwarsa atau tidak sah" in response.content.decode()
    assert Claim.objects.count() == 0


def test_the_list_costs_the_same_queries_for_few_claims_and_many(client, member, offices):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(member("33.20", "analyst"))

    def queries_for(count: int) -> int:
        Claim.objects.all().delete()
        claims_upsert_external(
            office=offices["33"],
            source_name="TurnBackHoax",
            records=[{"doc_id": str(n), "title": f"Hoaks {n}", "label": "SALAH"} for n in range(count)],
        )
        client.get(list_url())  # the session and the person's grants, cached after the first page
        with CaptureQueriesContext(connection) as captured:
            assert client.get(list_url()).status_code == 200
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(30)
