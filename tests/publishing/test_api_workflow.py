"""The desk through /api/v1 with personal tokens: list, create, submit, approve, schedule and
publish posts, read delivery status and the blackout windows; the one policy decides."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from humas.api.services import api_token_create
from humas.audit.models import AuditEvent
from humas.blackouts.models import Blackout
from humas.blackouts.services import blackout_create
from humas.publishing.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


def token(person, scope="write") -> dict[str, str]:
    _token, raw = api_token_create(actor=person, name="skrip", scope=scope, days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client, path, data, auth):
    return client.post(path, data, content_type="application/json", **auth)


def test_an_operator_writes_and_submits_an_editor_approves_and_the_operator_publishes(
    client, operator, editor, connected, django_capture_on_commit_callbacks
):
    x = connected("x")
    op, ed = token(operator), token(editor)
    created = post_json(
        client,
        "/api/v1/posts",
        {"office": "33.20", "text": "Cek DPT online sekarang.", "channels": [x.pk]},
        op,
    )
    assert created.status_code == 201, created.content
    post_id = created.json()["id"]
    assert post_json(client, f"/api/v1/posts/{post_id}/submit", {}, op).json()["status"] == "in_review"

    refused = post_json(client, f"/api/v1/posts/{post_id}/approve", {}, op)
    assert refused.status_code == 403  # an operator's token cannot approve
    approved = post_json(client, f"/api/v1/posts/{post_id}/approve", {}, ed)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["approved_by"] == editor.get_full_name()

    with django_capture_on_commit_callbacks(execute=True):
        published = post_json(client, f"/api/v1/posts/{post_id}/publish", {}, op)
    assert published.status_code == 200, published.content
    [delivery] = client.get(f"/api/v1/posts/{post_id}", **op).json()["deliveries"]
    assert (delivery["platform"], delivery["state"]) == ("x", "sent")
    assert delivery["url"].startswith("http")
    actions = set(AuditEvent.objects.filter(action__startswith="api.post_").values_list("action", flat=True))
    assert actions == {"api.post_create", "api.post_submit", "api.post_approve", "api.post_publish"}


def test_list_is_limited_to_what_the_person_may_see(client, operator, member, offices):
    Post.objects.create(office=offices["33.20"], author=operator, text="Jepara")
    other = member("33.19", "operator", email="op.kudus@kpu.test")
    Post.objects.create(office=offices["33.19"], author=other, text="Kudus")
    jateng = member("33", "viewer", email="viewer.jateng@kpu.test")

    mine = client.get("/api/v1/posts?office=33.20", **token(operator, "read")).json()
    assert [p["text"] for p in mine["items"]] == ["Jepara"]
    assert client.get("/api/v1/posts?office=33.19", **token(operator, "read")).status_code == 404
    rolled_up = client.get("/api/v1/posts?office=33&below=true", **token(jateng, "read")).json()
    assert sorted(p["text"] for p in rolled_up["items"]) == ["Jepara", "Kudus"]


def test_schedule_keeps_the_approval_and_a_blackout_is_a_400_naming_it(
    client, operator, editor, member, offices, connected
):
    x = connected("x")
    op = token(operator)
    post_id = post_json(
        client, "/api/v1/posts", {"office": "33.20", "text": "Simulasi TPS", "channels": [x.pk]}, op
    ).json()["id"]
    post_json(client, f"/api/v1/posts/{post_id}/submit", {}, op)
    post_json(client, f"/api/v1/posts/{post_id}/approve", {}, token(editor))
    later = (timezone.now() + timedelta(days=2)).isoformat()
    moved = post_json(client, f"/api/v1/posts/{post_id}/schedule", {"scheduled_at": later}, op)
    assert moved.status_code == 200 and moved.json()["status"] == "approved"

    national = member("00", "admin", email="admin.ri@kpu.test")
    start = timezone.now() + timedelta(days=5)
    blackout_create(
        actor=national,
        office=offices["00"],
        starts_at=start,
        ends_at=start + timedelta(days=3),
        reason=Blackout.Reason.MASA_TENANG,
    )
    inside = (start + timedelta(hours=10)).isoformat()
    refused = post_json(client, f"/api/v1/posts/{post_id}/schedule", {"scheduled_at": inside}, op)
    assert refused.status_code == 400 and "Masa tenang" in refused.json()["detail"]
    windows = client.get("/api/v1/blackouts?office=33.20", **token(operator, "read")).json()
    assert [(w["office_code"], w["reason"]) for w in windows] == [("00", "masa_tenang")]
    # A naive time is refused by the schema.
    naive = post_json(
        client, f"/api/v1/posts/{post_id}/schedule", {"scheduled_at": "2029-02-10T09:00:00"}, op
    )
    assert naive.status_code == 422


def test_a_post_carries_its_campaign_and_stage_and_the_list_filters_by_campaign(client, operator):
    op = token(operator)
    created = post_json(
        client,
        "/api/v1/posts",
        {
            "office": "33.20",
            "text": "Cek DPT online sekarang.",
            "campaign": "#AyoKeTPS",
            "election_stage": "pemutakhiran-data-pemilih",
        },
        op,
    )
    assert created.status_code == 201, created.content
    assert (created.json()["campaign"], created.json()["election_stage"]) == (
        "AyoKeTPS",
        "pemutakhiran-data-pemilih",
    )
    post_json(client, "/api/v1/posts", {"office": "33.20", "text": "Tanpa kampanye."}, op)

    found = client.get("/api/v1/posts?office=33.20&campaign=ayoketps", **op).json()["items"]
    assert [p["text"] for p in found] == ["Cek DPT online sekarang."]
    bad = post_json(
        client, "/api/v1/posts", {"office": "33.20", "text": "x", "election_stage": "pilkada-ulang"}, op
    )
    assert bad.status_code == 422
    bad = post_json(client, "/api/v1/posts", {"office": "33.20", "text": "x", "campaign": "Ayo <b>"}, op)
    assert bad.status_code == 422  # the schema's pattern: letters, digits, spaces, - and _


def test_the_api_knows_every_election_stage_the_portal_has():
    from typing import get_args

    from humas.api.schemas import ElectionStageCode
    from humas.portal.models import ElectionStage

    assert set(get_args(ElectionStageCode)) == set(ElectionStage.values)
