"""The bell and the list: only the person's own notifications, mark one or all read, open one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from humas.notifications.models import Notification
from humas.notifications.services import notification_send

pytestmark = pytest.mark.django_db
LIST = "/app/kab-jepara/notifications/"


def notify(
    users,
    office,
    key,
    title="Token X: KPU Jepara kedaluwarsa dalam 3 hari",
    link="/app/kab-jepara/settings/channels/",
):
    return notification_send(
        users=users, office=office, kind="token_expiry", title=title, body="Isi.", link=link, key=key
    )


def bell(html: str) -> str | None:
    marker = 'class="bell-count"'
    if marker not in html:
        return None
    start = html.index(marker)
    return html[html.index(">", start) + 1 : html.index("<", start)]


def test_bell_shows_the_unread_count_with_one_query(client, offices, admin):
    notify([admin], offices["33.20"], "a")
    notify([admin], offices["33.20"], "b")
    client.force_login(admin)

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/app/kab-jepara/").content.decode()

    assert bell(page) == "2"
    assert f'href="{LIST}"' in page
    assert len([q for q in queries.captured_queries if "notifications_notification" in q["sql"]]) == 1


def test_no_count_when_everything_is_read(client, offices, admin):
    notify([admin], offices["33.20"], "a")
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    client.force_login(admin)
    page = client.get("/app/kab-jepara/").content.decode()
    assert bell(page) is None and f'href="{LIST}"' in page


def test_list_shows_only_ones_own_newest_first(client, offices, admin, editor):
    notify([admin], offices["33.20"], "a", title="Pertama")
    notify([admin], offices["33.20"], "b", title="Kedua")
    notify([editor], offices["33.20"], "c", title="Milik editor")
    client.force_login(admin)

    page = client.get(LIST).content.decode()

    assert page.index("Kedua") < page.index("Pertama")
    assert "Milik editor" not in page
    assert "KPU Kabupaten Jepara" in page


def test_a_person_cannot_read_or_open_someone_elses_notification(client, offices, admin, editor):
    (theirs,) = notify([editor], offices["33.20"], "a")
    client.force_login(admin)

    assert client.post(f"{LIST}{theirs.pk}/read/").status_code == 404
    assert client.post(f"{LIST}{theirs.pk}/open/").status_code == 404
    client.post(f"{LIST}read-all/")

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_mark_all(client, offices, admin):
    first, second, third = (notify([admin], offices["33.20"], k)[0] for k in "abc")
    client.force_login(admin)

    response = client.post(f"{LIST}{first.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, LIST)
    assert Notification.objects.filter(read_at__isnull=True).count() == 2

    client.post(f"{LIST}read-all/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_open_marks_read_and_goes_to_the_link(client, offices, admin):
    (notification,) = notify([admin], offices["33.20"], "a", link="/app/kab-jepara/content/7/")
    client.force_login(admin)

    response = client.post(f"{LIST}{notification.pk}/open/")

    assert (response.status_code, response["Location"]) == (302, "/app/kab-jepara/content/7/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_reading_is_post_only(client, offices, admin):
    (notification,) = notify([admin], offices["33.20"], "a")
    client.force_login(admin)
    assert client.get(f"{LIST}{notification.pk}/read/").status_code == 405
    assert client.get(f"{LIST}read-all/").status_code == 405


def test_csrf_is_required(offices, admin):
    from django.test import Client

    (notification,) = notify([admin], offices["33.20"], "a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(f"{LIST}{notification.pk}/read/").status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notifications_of_an_office_no_longer_reached_are_hidden(client, offices, admin, member):
    person = member("33.20", "admin", email="pindah@kpu.test")
    notify([person], offices["33.20"], "a", title="Dari Jepara")
    # The person moves to Kudus: Jepara's notifications are no longer theirs to see.
    person.memberships.update(office=offices["33.19"])
    client.force_login(person)

    page = client.get("/app/kab-kudus/notifications/").content.decode()

    assert "Dari Jepara" not in page
    assert bell(page) is None


def test_other_offices_people_see_nothing_and_another_offices_list_is_refused(client, offices, admin, member):
    outsider = member("35.78", "admin", email="admin.surabaya@kpu.test")
    notify([admin], offices["33.20"], "a", title="Rahasia Jepara")
    client.force_login(outsider)
    assert client.get(LIST).status_code == 403
    page = client.get("/app/kota-surabaya/notifications/").content.decode()
    assert "Rahasia Jepara" not in page
    assert "Belum ada notifikasi." in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
