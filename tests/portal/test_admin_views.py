from __future__ import annotations

from datetime import UTC, datetime

import pytest

from humas.portal.models import Article

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "type": "berita",
        "title": "Sosialisasi pemilih pemula",
        "slug": "",
        "summary": "Ringkas.",
        "body": "<p>Isi <b>tebal</b><script>x()</script></p>",
        "tags": "pemilih pemula, sosialisasi",
        "election_stage": "",
        "claim": "",
        "claim_appearances": "",
        "verdict": "",
        "evidence_links": "",
    }
    data.update(overrides)
    return data


def test_operator_writes_and_submits_then_editor_schedules_in_office_zone(client, member):
    operator, editor = member("91.71", "operator"), member("91.71", "editor")
    client.force_login(operator)
    created = client.post("/app/kota-jayapura/portal/new/", form_data())
    article = Article.objects.get()
    assert created["Location"] == f"/app/kota-jayapura/portal/{article.pk}/"
    assert article.body == "<p>Isi <b>tebal</b></p>"
    assert sorted(t.name for t in article.tags.all()) == ["pemilih pemula", "sosialisasi"]
    client.post(f"/app/kota-jayapura/portal/{article.pk}/submit/")

    client.force_login(editor)
    client.post(f"/app/kota-jayapura/portal/{article.pk}/approve/", {"publish_at": "2030-01-01T10:00"})

    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    # 10.00 WIT (UTC+9) whatever zone the server runs in.
    assert article.publish_at == datetime(2030, 1, 1, 1, 0, tzinfo=UTC)
    detail = client.get(f"/app/kota-jayapura/portal/{article.pk}/").content.decode()
    assert "Selasa, 1 Januari 2030 10.00 WIT" in detail


def test_clarification_form_requires_claim_and_verdict_and_checks_urls(client, member):
    client.force_login(member("33.20", "operator"))
    response = client.post(
        "/app/kab-jepara/portal/new/",
        form_data(type="klarifikasi", claim_appearances="bukan url\nhttps://x.com/a"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"claim", "verdict", "claim_appearances"}
    assert "Baris 1 bukan URL yang valid" in errors["claim_appearances"][0]
    assert not Article.objects.exists()


def test_articles_of_other_offices_are_404_in_the_back_office(client, member, publish):
    other = publish("33.74", title="Milik Semarang")
    client.force_login(member("33.20", "editor"))
    for suffix in ("", "edit/", "preview/", "versions/1/"):
        assert client.get(f"/app/kab-jepara/portal/{other.pk}/{suffix}").status_code == 404
    assert client.post(f"/app/kab-jepara/portal/{other.pk}/unpublish/").status_code == 404
    assert client.get(f"/app/kota-semarang/portal/{other.pk}/").status_code == 403
    other.refresh_from_db()
    assert other.status == Article.Status.PUBLISHED


def test_preview_is_private_and_not_indexed(client, member, offices, settings):
    operator = member("33.20", "operator")
    client.force_login(operator)
    client.post("/app/kab-jepara/portal/new/", form_data(title="Belum terbit"))
    article = Article.objects.get()
    response = client.get(f"/app/kab-jepara/portal/{article.pk}/preview/")
    assert response.status_code == 200
    assert "Belum terbit" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert not settings.HUMAS_PAGECACHE_DIR.exists() or not any(settings.HUMAS_PAGECACHE_DIR.rglob("*.html"))


def test_viewer_sees_list_but_cannot_write(client, member, publish):
    publish("33.20", title="Terbit")
    client.force_login(member("33.20", "viewer"))
    assert "Terbit" in client.get("/app/kab-jepara/portal/").content.decode()
    assert client.get("/app/kab-jepara/portal/new/").status_code == 403
    assert client.post("/app/kab-jepara/portal/new/", form_data()).status_code == 403


def test_unknown_action_and_get_on_action_are_refused(client, member, publish):
    article = publish("33.20")
    client.force_login(member("33.20", "editor"))
    assert client.post(f"/app/kab-jepara/portal/{article.pk}/delete/").status_code == 404
    assert client.get(f"/app/kab-jepara/portal/{article.pk}/unpublish/").status_code == 405
