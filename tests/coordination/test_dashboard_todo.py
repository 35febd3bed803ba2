"""The dashboard's "what to do now" list (humas.core.extensions): each app's provider counts what
waits for this person in this office, and each item links to the list that shows exactly it."""

# ruff: noqa: F811 - pytest fixtures imported by name

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from humas.core.extensions import todos_for
from humas.publishing.models import Delivery, Post
from tests.monitoring.factories_narratives import NarrativeFactory

from .cascade_fixtures import crew, national_post, send  # noqa: F401 - fixtures
from .conftest import JEPARA, deliveries_become

pytestmark = pytest.mark.django_db


def labels(user, office) -> list[str]:
    return [todo.label for todo in todos_for(user, office)]


def test_nothing_waiting_says_so(client, people, offices):
    client.force_login(people["operator"])

    page = client.get(reverse("core:dashboard", kwargs={"office_slug": offices[JEPARA].slug}))

    assert page.status_code == 200
    assert "Tidak ada yang menunggu Anda di kantor ini." in page.content.decode()


def test_posts_to_approve_are_the_approvers_business_only(people, offices, post):
    post(status=Post.Status.IN_REVIEW)
    post("Jadwal rekapitulasi suara di PPK.", status=Post.Status.IN_REVIEW)

    assert labels(people["editor"], offices[JEPARA]) == ["2 unggahan menunggu persetujuan"]
    assert labels(people["operator"], offices[JEPARA]) == []  # may not approve: not theirs to do


def test_failed_held_and_manual_deliveries_link_to_their_posts(client, people, offices, post):
    failed = post("Gagal terkirim ke kanal.", status=Post.Status.PUBLISHED)
    deliveries_become(failed, Delivery.State.FAILED)
    held = post("Ditahan masa tenang.", status=Post.Status.PUBLISHED)
    deliveries_become(held, Delivery.State.HELD)
    manual = post("Unggah sendiri ke TikTok.", status=Post.Status.PUBLISHED)  # assisted: waits
    sent = post("Sudah terbit.", status=Post.Status.PUBLISHED)
    deliveries_become(sent, Delivery.State.SENT)
    office = offices[JEPARA]

    todos = todos_for(people["operator"], office)

    assert [(t.label, t.tone) for t in todos] == [
        ("1 unggahan gagal terkirim atau perlu perhatian", "alert"),
        ("1 unggahan ditahan masa jeda", "warn"),
        ("1 unggahan menunggu diunggah manual", "info"),
    ]
    client.force_login(people["operator"])
    for todo, expected in zip(todos, (failed, held, manual), strict=True):
        page = client.get(todo.url).content.decode()
        shown = [p for p in (failed, held, manual, sent) if f"/content/{p.pk}/" in page]
        assert shown == [expected], todo.url


def test_content_from_above_waits_for_the_regency_and_is_urgent_near_its_deadline(crew, offices, send):
    send(deadline=timezone.now() + timedelta(days=3))
    jepara = offices[JEPARA]

    assert [(t.label, t.tone) for t in todos_for(crew["jepara_operator"], jepara)] == [
        ("1 konten dari kantor atasan menunggu jawaban", "info")
    ]
    send(deadline=timezone.now() + timedelta(hours=5))
    (todo,) = todos_for(crew["jepara_operator"], jepara)
    assert (todo.label, todo.tone) == ("2 konten dari kantor atasan menunggu jawaban", "warn")
    assert todo.url == reverse("cascades:queue", kwargs={"office_slug": jepara.slug})
    assert todos_for(crew["jepara_viewer"], jepara) == []  # a viewer answers nothing
    assert todos_for(crew["ri_editor"], offices["00"]) == []  # the sender waits for nobody


def test_risky_new_narratives_and_my_assignments(client, people, offices):
    jepara = offices[JEPARA]
    NarrativeFactory(office=jepara, title="TPS di Jepara tutup jam 11", risk=82.0)
    NarrativeFactory(office=jepara, title="Kotak suara dibuka malam hari", risk=45.0)
    NarrativeFactory(office=jepara, title="Obrolan biasa", risk=10.0)  # low: not a to-do
    NarrativeFactory(office=offices["33.74"], title="Di Semarang", risk=90.0)  # a sibling's
    NarrativeFactory(office=jepara, title="Ditugaskan", risk=5.0, assignee=people["operator"])

    todos = todos_for(people["operator"], jepara)

    assert [(t.label, t.tone) for t in todos] == [
        ("2 narasi baru berisiko sedang atau tinggi", "alert"),
        ("1 narasi ditugaskan kepada Anda", "warn"),
    ]
    client.force_login(people["operator"])
    queue = client.get(todos[0].url).content.decode()
    assert "TPS di Jepara tutup jam 11" in queue and "Kotak suara dibuka malam hari" in queue
    assert "Di Semarang" not in queue
    mine = client.get(todos[1].url).content.decode()
    assert "Ditugaskan" in mine and "TPS di Jepara" not in mine


def test_the_dashboard_lists_the_items_most_urgent_first(client, people, offices, post):
    failed = post("Gagal terkirim ke kanal.", status=Post.Status.PUBLISHED)
    deliveries_become(failed, Delivery.State.FAILED)
    post(status=Post.Status.IN_REVIEW)
    client.force_login(people["editor"])

    page = client.get(
        reverse("core:dashboard", kwargs={"office_slug": offices[JEPARA].slug})
    ).content.decode()

    first, second = page.index("1 unggahan gagal terkirim"), page.index("1 unggahan menunggu persetujuan")
    assert first < second
    assert 'class="todo-alert"' in page
