from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client):
    response = client.get("/app/kab-jepara/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/app/kab-jepara/")


def test_dashboard_shows_office_in_its_time_zone_in_indonesian(client, member):
    client.force_login(member("73.71", "viewer"))

    response = client.get("/app/kota-makassar/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "id"
    assert "<h1>KPU Kota Makassar</h1>" in html
    assert "WITA" in html
    for module in ("Konten", "Kalender", "Portal", "Pemantauan", "Kotak Masuk", "Analitik", "Pengaturan"):
        assert module in html


def test_indonesian_date_format_and_zone_names():
    moment = datetime(2021, 11, 9, 3, 5, tzinfo=UTC)
    template = Template("{% load humas_tags %}{{ moment|tanggal }}")
    with translation.override("id"):
        with timezone.override("Asia/Jakarta"):
            assert template.render(Context({"moment": moment})) == "Selasa, 9 November 2021 10.05 WIB"
        with timezone.override("Asia/Makassar"):
            assert template.render(Context({"moment": moment})) == "Selasa, 9 November 2021 11.05 WITA"
        with timezone.override("Asia/Jayapura"):
            assert template.render(Context({"moment": moment})) == "Selasa, 9 November 2021 12.05 WIT"
    with translation.override("en"), timezone.override("Asia/Jakarta"):
        assert template.render(Context({"moment": moment})) == "Tuesday, 9 November 2021 10.05 WIB"


@pytest.mark.parametrize(
    ("home", "path", "status"),
    [
        ("33.20", "/app/kota-semarang/", 403),  # sibling
        ("33.20", "/app/jateng/", 403),  # parent
        ("33.20", "/app/kota-malang/settings/people/", 403),  # other province
        ("33.20", "/app/tidak-ada/", 404),  # unknown slug
        ("33", "/app/kab-jepara/", 200),  # child
        ("33", "/app/jatim/", 403),
    ],
)
def test_office_isolation_in_urls(client, member, home, path, status):
    client.force_login(member(home, "admin"))
    response = client.get(path)
    assert response.status_code == status


def test_unknown_office_gives_indonesian_404_page(client, member):
    client.force_login(member("33", "viewer"))
    response = client.get("/app/kab-atlantis/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_switching_office_changes_the_active_office_and_session(client, member, offices):
    from tests.factories import MembershipFactory

    user = member("33.74", "admin")
    MembershipFactory(user=user, office=offices["73.71"], role="viewer")
    client.force_login(user)

    response = client.post("/app/switch/", {"office": "kota-makassar"})
    assert response["Location"] == "/app/kota-makassar/"
    client.get(response["Location"])
    assert client.get("/app/")["Location"] == "/app/kota-makassar/"
    assert client.post("/app/switch/", {"office": "kab-jepara"}).status_code == 403
    # Nothing chosen: a message on the page the switcher was on, never a 404 (#14).
    assert client.post("/app/switch/", {"office": ""})["Location"] == "/app/"


def test_office_search_only_returns_reachable_offices(client, member):
    client.force_login(member("33", "viewer"))
    html = client.get("/app/offices/search/", {"q": "kota"}).content.decode()
    assert "KPU Kota Semarang" in html
    assert "KPU Kota Makassar" not in html


def test_people_page_lists_members_below_and_invites(client, member, django_capture_on_commit_callbacks):
    admin = member("33", "admin")
    member("33.20", "operator", email="op@kpu.test")
    member("35.07", "operator", email="jatim@kpu.test")
    client.force_login(admin)

    page = client.get("/app/jateng/settings/people/").content.decode()
    assert "op@kpu.test" in page and "jatim@kpu.test" not in page

    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            "/app/jateng/settings/people/invite/",
            {"email": "baru@kpu.test", "full_name": "", "office": "kab-jepara", "role": "editor"},
        )
    assert ok.status_code == 302
    bad = client.post(
        "/app/jateng/settings/people/invite/",
        {"email": "x@kpu.test", "office": "kota-malang", "role": "editor"},
    )
    assert bad.status_code == 400
    assert "office" in bad.context["invite_form"].errors


def test_operator_cannot_open_people_page_or_post_invites(client, member):
    client.force_login(member("33.20", "operator"))
    assert client.get("/app/kab-jepara/settings/people/").status_code == 403
    assert (
        client.post(
            "/app/kab-jepara/settings/people/invite/",
            {"email": "x@kpu.test", "office": "kab-jepara", "role": "admin"},
        ).status_code
        == 403
    )


def test_language_switch_to_english_and_back(client, member):
    client.force_login(member("33", "viewer"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/app/jateng/"})
    english = client.get("/app/jateng/")
    assert english["Content-Language"] == "en"
    assert "Settings" in english.content.decode()
    client.post("/i18n/setlang/", {"language": "id", "next": "/app/jateng/"})
    assert "Pengaturan" in client.get("/app/jateng/").content.decode()


def test_browser_language_does_not_override_indonesian_default(client, member):
    client.force_login(member("33", "viewer"))
    response = client.get("/app/jateng/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "id"


def test_healthz_reports_database_and_queue(client, settings):
    # The checks are for callers with the health token (anonymous callers get only the status).
    settings.HUMAS_HEALTH_TOKEN = "token-kesehatan-uji"
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer token-kesehatan-uji")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["queue"]["ok"] is True
    assert set(body["checks"]["worker"]) == {"last_seen", "ok"}


def test_heartbeat_task_marks_worker_alive(client, settings):
    from humas.core.tasks import worker_heartbeat_task

    settings.HUMAS_HEALTH_TOKEN = "token-kesehatan-uji"
    worker_heartbeat_task.call_local()
    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer token-kesehatan-uji")
    assert response.json()["checks"]["worker"]["ok"] is True


def test_profile_form_errors_are_shown_not_500(client, member):
    client.force_login(member("33.20", "admin"))
    response = client.post("/app/kab-jepara/settings/profile/", {"email": "bukan email", "website": "::"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "website"}
