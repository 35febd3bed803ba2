"""Replies to comments on the offices' own channels: sent only when a person confirms, once and
only once (the fakes record what reached the platform), failures kept with their reason, a worker
killed mid-send reconciled with the platform instead of sending again, and the replies page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.channels.connectors import FacebookConnector
from humas.channels.models import Channel
from humas.monitoring.models import Item, Reply, Source
from humas.monitoring.replies import (
    ReplyError,
    replies_confirm,
    replies_sweep_stale,
    reply_discard,
    reply_send,
)
from humas.offices.policy import PolicyDenied
from tests.channels.conftest import connected_channel

pytestmark = pytest.mark.django_db

Status = Reply.Status
TEXT = "Informasi ini sudah diklarifikasi: https://kpu.go.id/klarifikasi/tps-tutup"


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Operator Jepara", email="operator.jepara@kpu.test")


@dataclass
class Commented:
    channel: Channel
    source: Source
    item: Item


def commented(fakes, account, office, platform: str, text: str = "Katanya TPS tutup jam 11?") -> Commented:
    """A comment on the office's ``platform`` channel, taken in as an item of its source."""
    channel = connected_channel(office=office, platform=platform, account=account)
    source = Source.objects.create(
        office=office,
        kind=Source.Kind.CHANNEL_COMMENTS,
        name=f"Komentar {platform}",
        config={"channel_id": channel.pk},
    )
    if platform == "facebook":
        post = fakes.hub.graph.add_post(account["facebook"]["page_id"], "Jadwal pemungutan suara")
        external_id = fakes.hub.graph.add_public_comment(post, text, "warga")
    elif platform == "instagram":
        media = fakes.hub.graph.add_media(account["instagram"]["ig_user_id"], "Jadwal")
        external_id = fakes.hub.graph.add_public_comment(media, text, "warga")
    elif platform == "x":
        external_id = fakes.hub.x.add_public_tweet(f"@kpu_demo1 {text}", "warga")
    else:
        group = fakes.hub.telegram.add_discussion_group(int(account["telegram"]["chat_id"]))
        message = fakes.hub.telegram.add_group_message(group["chat_id"], text, "warga")
        external_id = f"{group['chat_id']}:{message}"
    item = Item.objects.create(
        source=source,
        office=office,
        platform=platform,
        external_id=external_id,
        author_handle="warga",
        text=text,
        published_at=timezone.now(),
        raw_sha256="0" * 64,
    )
    return Commented(channel=channel, source=source, item=item)


def prepared(c: Commented, *, text: str = TEXT, **fields) -> Reply:
    return Reply.objects.create(item=c.item, channel=c.channel, office=c.item.office, text=text, **fields)


@pytest.fixture
def facebook_comment(fakes, account, jepara) -> Commented:
    return commented(fakes, account, jepara, "facebook")


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x", "telegram"])
def test_a_confirmed_reply_is_sent_once_and_recorded_by_the_platform(
    fakes, account, jepara, operator, django_capture_on_commit_callbacks, platform
):
    c = commented(fakes, account, jepara, platform)
    reply = prepared(c)

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])
    with django_capture_on_commit_callbacks(execute=True):
        again = replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])
    resent = reply_send(reply_id=reply.pk)

    reply.refresh_from_db()
    on_platform = fakes.hub.replies(platform)
    assert (confirmed, again, resent) == (1, 0, "skipped")
    assert [(r["id"], r["parent_id"], r["text"]) for r in on_platform] == [
        (reply.external_id, c.item.external_id, TEXT)
    ]
    assert (reply.status, reply.confirmed_by, reply.error) == (Status.SENT, operator, "")
    assert reply.sent_at is not None
    assert list(
        AuditEvent.objects.filter(object_id=str(reply.pk)).order_by("pk").values_list("action", flat=True)
    ) == [
        "monitoring.reply_confirm",
        "monitoring.reply_sent",
    ]


def test_a_refused_reply_is_failed_with_the_platform_reason(
    fakes, facebook_comment, jepara, operator, django_capture_on_commit_callbacks
):
    reply = prepared(facebook_comment)
    fakes.hub.graph.objects[facebook_comment.item.external_id].deleted = True  # the comment was removed

    with django_capture_on_commit_callbacks(execute=True):
        replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])

    reply.refresh_from_db()
    assert reply.status == Status.FAILED
    assert reply.error.startswith("Facebook menolak permintaan ini: Unsupported get request. Object with ID")
    assert reply.external_id == ""
    assert fakes.hub.replies("facebook") == []
    failed = AuditEvent.objects.get(action="monitoring.reply_failed")
    assert failed.changes == {"channel": facebook_comment.channel.pk, "error": reply.error}


def test_a_failed_reply_can_be_confirmed_again(
    fakes, facebook_comment, jepara, operator, django_capture_on_commit_callbacks
):
    reply = prepared(facebook_comment, status=Status.FAILED, error="Platform Facebook sedang bermasalah.")

    with django_capture_on_commit_callbacks(execute=True):
        replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])

    reply.refresh_from_db()
    assert (reply.status, reply.error) == (Status.SENT, "")
    assert len(fakes.hub.replies("facebook")) == 1


def test_a_worker_killed_after_the_platform_acted_is_reconciled_not_resent(fakes, account, facebook_comment):
    # The dead worker's reply reached Facebook; Humas never heard back.
    connector = FacebookConnector(
        page_id=account["facebook"]["page_id"],
        access_token=account["facebook"]["page_token"],
        base_url=fakes.base_url,
    )
    made = connector.reply(facebook_comment.item.external_id, TEXT).comment_id
    connector.close()
    reply = prepared(facebook_comment, status=Status.SENDING, sent_at=timezone.now() - timedelta(minutes=10))

    outcome = reply_send(reply_id=reply.pk)

    reply.refresh_from_db()
    assert (outcome, reply.status, reply.external_id) == ("sent", Status.SENT, made)
    assert [r["id"] for r in fakes.hub.replies("facebook")] == [made]


def test_a_worker_killed_before_the_platform_acted_sends_once(fakes, facebook_comment):
    reply = prepared(facebook_comment, status=Status.SENDING, sent_at=timezone.now() - timedelta(minutes=10))

    outcome = reply_send(reply_id=reply.pk)

    reply.refresh_from_db()
    assert (outcome, reply.status) == ("sent", Status.SENT)
    assert [r["id"] for r in fakes.hub.replies("facebook")] == [reply.external_id]


def test_an_attempt_still_under_way_is_left_to_its_worker(fakes, facebook_comment):
    reply = prepared(facebook_comment, status=Status.SENDING, sent_at=timezone.now() - timedelta(seconds=10))

    outcome = reply_send(reply_id=reply.pk)

    reply.refresh_from_db()
    assert (outcome, reply.status) == ("skipped", Status.SENDING)
    assert fakes.hub.replies("facebook") == []


def test_telegram_cannot_be_asked_so_an_interrupted_reply_waits_for_a_person(fakes, account, jepara):
    c = commented(fakes, account, jepara, "telegram")
    reply = prepared(c, status=Status.SENDING, sent_at=timezone.now() - timedelta(minutes=10))

    outcome = reply_send(reply_id=reply.pk)

    reply.refresh_from_db()
    assert (outcome, reply.status) == ("failed", Status.FAILED)
    assert reply.error.startswith("Humas tidak dapat memastikan apakah balasan ini sudah terkirim.")
    assert fakes.hub.replies("telegram") == []


def test_a_timeout_after_the_platform_acted_is_found_there(
    settings, fakes, facebook_comment, jepara, operator, django_capture_on_commit_callbacks
):
    settings.HUMAS_DELIVERY_TIMEOUT_SECONDS = 1
    fakes.hub.add_fault(
        platform="facebook", kind="timeout", commit=True, seconds=1.5, path="/comments", method="POST"
    )
    reply = prepared(facebook_comment)

    with django_capture_on_commit_callbacks(execute=True):
        replies_confirm(actor=operator, office=jepara, reply_ids=[reply.pk])

    reply.refresh_from_db()
    on_platform = fakes.hub.replies("facebook")
    assert (reply.status, reply.external_id) == (Status.SENT, on_platform[0]["id"])
    assert len(on_platform) == 1


def test_the_sweep_queues_replies_whose_task_was_lost(fakes, facebook_comment):
    lost = prepared(facebook_comment, status=Status.SENDING)
    running = prepared(facebook_comment, text="lain", status=Status.SENDING, sent_at=timezone.now())

    queued = replies_sweep_stale()

    lost.refresh_from_db()
    assert queued == [lost.pk]
    assert lost.status == Status.SENT
    assert Reply.objects.get(pk=running.pk).status == Status.SENDING


def test_discard_a_prepared_reply_but_not_a_sent_one(fakes, facebook_comment, operator):
    reply = prepared(facebook_comment)
    sent = prepared(facebook_comment, text="lain", status=Status.SENT, external_id="1_2")

    reply_discard(actor=operator, reply=reply)
    with pytest.raises(ReplyError):
        reply_discard(actor=operator, reply=sent)

    reply.refresh_from_db()
    assert reply.status == Status.DISCARDED
    assert AuditEvent.objects.filter(action="monitoring.reply_discard").count() == 1


def test_only_people_who_triage_the_office_may_send(fakes, facebook_comment, jepara, offices, member):
    reply = prepared(facebook_comment)
    analyst = member("33.20", "analyst", email="analis.jepara@kpu.test")
    kudus = member("33.19", "operator", email="operator.kudus@kpu.test")

    with pytest.raises(PolicyDenied):
        replies_confirm(actor=analyst, office=jepara, reply_ids=[reply.pk])
    with pytest.raises(PolicyDenied):
        replies_confirm(actor=kudus, office=jepara, reply_ids=[reply.pk])
    outside = replies_confirm(actor=kudus, office=offices["33.19"], reply_ids=[reply.pk])

    reply.refresh_from_db()
    assert (outside, reply.status) == (0, Status.PREPARED)
    assert fakes.hub.replies("facebook") == []


def test_the_province_sends_the_replies_of_its_regencies(
    fakes, facebook_comment, member, offices, django_capture_on_commit_callbacks
):
    reply = prepared(facebook_comment)
    province = member("33", "editor", email="editor.jateng@kpu.test")

    with django_capture_on_commit_callbacks(execute=True):
        count = replies_confirm(actor=province, office=offices["33"], reply_ids=[reply.pk])

    assert count == 1
    assert Reply.objects.get(pk=reply.pk).status == Status.SENT


# --------------------------------------------------------------------------------------------
# The page


def test_the_page_lists_prepared_and_sent_replies_with_the_comment_as_text(
    client, fakes, account, jepara, operator
):
    c = commented(fakes, account, jepara, "facebook", text='<script>alert("hoaks")</script> TPS tutup?')
    Item.objects.filter(pk=c.item.pk).update(url="https://www.facebook.com/kpudemo1/posts/1?comment_id=2")
    prepared(c)
    prepared(c, text="terkirim", status=Status.SENT, external_id="1_9", sent_at=timezone.now())
    prepared(c, text="gagal", status=Status.FAILED, error="Facebook menolak permintaan ini: x")
    client.force_login(operator)

    page = client.get(reverse("monitoring:replies", kwargs={"office_slug": jepara.slug}))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;hoaks&quot;)&lt;/script&gt; TPS tutup?" in html
    assert "Kirim semua yang disiapkan (1)" in html
    assert html.count('/batal/"') == 2  # the prepared and the failed reply; the sent one has none
    assert "Facebook menolak permintaan ini: x" in html
    assert (
        '<a class="wrap-anywhere" href="https://www.facebook.com/kpudemo1/posts/1?comment_id=2" rel="noopener noreferrer nofollow">'
        in html
    )


def test_send_all_from_the_page(client, fakes, account, jepara, operator, django_capture_on_commit_callbacks):
    first = prepared(commented(fakes, account, jepara, "facebook"))
    second = prepared(commented(fakes, account, jepara, "x"))
    client.force_login(operator)
    url = reverse("monitoring:replies_send", kwargs={"office_slug": jepara.slug})

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"reply": [str(first.pk), str(second.pk), "bukan-angka"]})

    assert answer.status_code == 302
    assert list(Reply.objects.order_by("pk").values_list("status", flat=True)) == [Status.SENT, Status.SENT]
    assert (len(fakes.hub.replies("facebook")), len(fakes.hub.replies("x"))) == (1, 1)


def test_send_and_discard_one_from_the_page(
    client, fakes, facebook_comment, jepara, operator, django_capture_on_commit_callbacks
):
    keep = prepared(facebook_comment)
    drop = prepared(facebook_comment, text="tidak jadi")
    client.force_login(operator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("monitoring:reply_send", kwargs={"office_slug": jepara.slug, "reply_id": keep.pk})
        )
    client.post(reverse("monitoring:reply_discard", kwargs={"office_slug": jepara.slug, "reply_id": drop.pk}))
    gone = client.post(
        reverse("monitoring:reply_discard", kwargs={"office_slug": jepara.slug, "reply_id": 999999})
    )

    assert Reply.objects.get(pk=keep.pk).status == Status.SENT
    assert Reply.objects.get(pk=drop.pk).status == Status.DISCARDED
    assert gone.status_code == 302
    assert [r["text"] for r in fakes.hub.replies("facebook")] == [TEXT]


def test_an_analyst_sees_the_replies_but_cannot_send(client, fakes, facebook_comment, jepara, member):
    reply = prepared(facebook_comment)
    analyst = member("33.20", "analyst", email="analis.jepara@kpu.test")
    client.force_login(analyst)

    page = client.get(reverse("monitoring:replies", kwargs={"office_slug": jepara.slug}))
    refused = client.post(
        reverse("monitoring:reply_send", kwargs={"office_slug": jepara.slug, "reply_id": reply.pk})
    )

    assert page.status_code == 200
    assert "Kirim semua yang disiapkan" not in page.content.decode()
    assert refused.status_code == 403
    assert Reply.objects.get(pk=reply.pk).status == Status.PREPARED


def test_another_office_does_not_see_the_page(client, fakes, jepara, member):
    client.force_login(member("33.19", "operator", email="operator.kudus@kpu.test"))

    assert client.get(reverse("monitoring:replies", kwargs={"office_slug": jepara.slug})).status_code == 403
