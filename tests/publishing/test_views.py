"""The Konten module in the back office: write, submit, approve, publish, retry, withdraw."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from humas.publishing.delivery import publication_create
from humas.publishing.models import Delivery, Post

pytestmark = pytest.mark.django_db
BASE = "/app/kab-jepara/content/"


def test_full_flow_from_draft_to_published_and_withdrawn(
    client, fakes, connected, operator, editor, django_capture_on_commit_callbacks
):
    channel = connected("telegram")
    client.force_login(operator)
    assert client.get(BASE).status_code == 200

    response = client.post(
        f"{BASE}new/", {"text": "Hari pemungutan suara 14 Februari.", "link": "", "channels": [channel.pk]}
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{post.pk}/"
    client.post(f"{BASE}{post.pk}/submit/")
    assert client.post(f"{BASE}{post.pk}/approve/").status_code == 403  # not an approver

    client.force_login(editor)
    client.post(f"{BASE}{post.pk}/approve/")
    post.refresh_from_db()
    assert (post.status, post.approved_by) == (Post.Status.APPROVED, editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}{post.pk}/publish/", {"channels": [channel.pk]})
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SENT
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Terbit di 1 dari 1 kanal" in page
    assert delivery.url in page

    client.post(
        f"{BASE}{post.pk}/publications/{delivery.publication_id}/withdraw/", {"reason": "Salah tanggal"}
    )
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.WITHDRAWN
    assert fakes.hub.posts("telegram") == []


def test_list_shows_the_module_as_ready(client, operator):
    client.force_login(operator)
    page = client.get(BASE).content.decode()
    assert f'href="{BASE}"' in page
    assert "Belum ada unggahan." in page


@pytest.mark.parametrize(
    "data",
    [
        {"text": ""},
        {"text": "\x00"},
        {"text": "ok", "link": "javascript:alert(1)"},
        {"text": "ok", "scheduled_at": "besok pagi"},
        {"text": "x" * 70_000},
    ],
)
def test_bad_form_input_is_a_400_and_nothing_is_saved(client, operator, data):
    client.force_login(operator)
    assert client.post(f"{BASE}new/", data).status_code == 400
    assert not Post.objects.exists()


def test_schedule_is_entered_in_the_office_zone(client, operator):
    client.force_login(operator)
    client.post(f"{BASE}new/", {"text": "Jadwal", "scheduled_at": "2030-03-14T09:00"})
    assert Post.objects.get().scheduled_at.isoformat() == "2030-03-14T02:00:00+00:00"  # 09:00 WIB


def test_publishing_someone_elses_channel_or_a_draft_changes_nothing(client, fakes, connected, operator):
    channel = connected("x")
    client.force_login(operator)
    client.post(f"{BASE}new/", {"text": "Draf saja", "channels": [channel.pk]})  # for x, not yet approved
    post = Post.objects.get()
    client.post(f"{BASE}{post.pk}/publish/", {"channels": [channel.pk]})
    client.post(f"{BASE}{post.pk}/publish/", {"channels": ["999999", "abc"]})
    assert not Delivery.objects.exists()
    assert client.post(f"{BASE}999999/publish/", {"channels": [channel.pk]}).status_code == 404


def test_viewer_of_another_office_is_refused(client, member):
    client.force_login(member("11.01", "viewer"))
    assert client.get(BASE).status_code == 403


def test_status_refreshes_itself_while_deliveries_are_under_way(
    client, fakes, connected, approved_post, operator
):
    x = connected("x")
    post = approved_post(scheduled_at=datetime(2031, 1, 1, tzinfo=UTC))
    publication_create(actor=operator, post=post, channels=[x])
    client.force_login(operator)

    page = client.get(f"{BASE}{post.pk}/").content.decode()
    partial = client.get(f"{BASE}{post.pk}/?partial=1").content.decode()

    assert 'hx-trigger="every 5s"' in page
    assert partial.startswith('<div id="publications"') and "Dalam antrean" in partial
    assert "<html" not in partial
