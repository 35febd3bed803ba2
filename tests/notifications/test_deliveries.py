"""Deliveries that need a person: one notification per publication batch, to the people who can
act, with the one-line status and a link to the post. Runs the engine against the strict fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from humas.channels.connect import channel_connect_token
from humas.channels.services import ChannelInput, channel_create
from humas.notifications.models import Notification
from humas.publishing.alerts import publication_problems_notify, publication_problems_sweep
from humas.publishing.delivery import delivery_retry, publication_create, publication_withdraw
from humas.publishing.models import Delivery
from humas.publishing.tasks import notify_publication_task

pytestmark = pytest.mark.django_db
State = Delivery.State


@pytest.fixture
def three(fakes, connected):
    """Facebook (permission missing: failed), X (expired token: needs attention), Telegram (sent)."""
    channels = [connected(p) for p in ("facebook", "x", "telegram")]
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=None)
    fakes.hub.add_fault(platform="x", kind="expired_token", times=None)
    mail.outbox.clear()  # the connect step sends nothing, but be exact about what follows
    return channels


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def test_failures_of_one_publication_make_one_task_then_one_notification_each(
    three, approved_post, operator, editor, admin, member, django_capture_on_commit_callbacks
):
    viewer = member("33.20", "viewer", email="viewer.jepara@kpu.test")
    other_editor = member("33.19", "editor", email="editor.kudus@kpu.test")
    HUEY.flush()
    publication = publish(operator, approved_post(), three, django_capture_on_commit_callbacks)
    states = {d.channel.platform: d.state for d in publication.deliveries.select_related("channel")}
    assert states == {"facebook": State.FAILED, "x": State.NEEDS_ATTENTION, "telegram": State.SENT}

    # Two deliveries failed: one batch task, scheduled at the end of the window.
    batch = [t for t in HUEY.scheduled() if t.name == notify_publication_task.task_class.__name__]
    assert [t.args for t in batch] == [(publication.pk,)]
    assert not Notification.objects.filter(kind="delivery_problem").exists()
    mail.outbox.clear()  # the X channel's health check told its Administrator (tested elsewhere)

    assert publication_problems_notify(publication_id=publication.pk) == 3
    assert publication_problems_notify(publication_id=publication.pk) == 0  # idempotent

    notifications = Notification.objects.filter(kind="delivery_problem").order_by("recipient_id")
    assert sorted(n.recipient.email for n in notifications) == [
        "admin.jepara@kpu.test",
        "editor.jepara@kpu.test",
        "operator.jepara@kpu.test",
    ]
    assert viewer not in [n.recipient for n in notifications]
    assert other_editor not in [n.recipient for n in notifications]
    n = notifications[0]
    assert n.title == "Penerbitan perlu perhatian: 2 dari 3 kanal"
    assert n.link == f"/app/kab-jepara/content/{publication.post_id}/"
    first_line = n.body.splitlines()[0]
    assert first_line.startswith(
        "Terbit di 1 dari 3 kanal — Facebook gagal: Token Facebook tidak memiliki izin"
    )
    assert "; X perlu perhatian: " in first_line
    assert n.body.splitlines()[1] == "Unggahan: “Pendaftaran pemantau pemilu dibuka hari ini.”"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin.jepara@kpu.test",
        "editor.jepara@kpu.test",
        "operator.jepara@kpu.test",
    ]
    assert all(m.subject == "Humas: Penerbitan perlu perhatian: 2 dari 3 kanal" for m in mail.outbox)
    assert all(m.body.startswith(first_line) for m in mail.outbox)


def test_thirty_channels_failing_at_once_make_one_notification_per_person(
    fakes, offices, admin, operator, approved_post, django_capture_on_commit_callbacks
):
    fakes.hub.seed(29)
    channels = []
    for account in fakes.hub.accounts[:30]:
        channel = channel_create(
            actor=admin, office=offices["33.20"], data=ChannelInput(platform="telegram", name="Kanal")
        )
        telegram = account["telegram"]
        channel_connect_token(
            actor=admin, channel=channel, token=telegram["bot_token"], account_id=telegram["chat_username"]
        )
        channels.append(channel)
    fakes.hub.add_fault(platform="telegram", kind="error", status=400, code=None, times=None)
    HUEY.flush()

    publication = publish(operator, approved_post(), channels, django_capture_on_commit_callbacks)

    assert publication.deliveries.filter(state=State.FAILED).count() == 30
    assert [t.args for t in HUEY.scheduled()] == [(publication.pk,)]  # one batch task, not 30
    mail.outbox.clear()
    HUEY.flush()
    publication_problems_sweep(now=timezone.now() + timedelta(minutes=2))  # the window has passed

    assert Notification.objects.filter(recipient=operator).count() == 1
    assert Notification.objects.filter(recipient=admin).count() == 1
    (notification,) = Notification.objects.filter(recipient=admin)
    assert notification.title == "Penerbitan perlu perhatian: 30 dari 30 kanal"
    assert notification.body.startswith("Terbit di 0 dari 30 kanal — Telegram gagal: ")
    # The editor who approved the post is an Editor of the office: told too.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin.jepara@kpu.test",
        "editor.jepara@kpu.test",
        "operator.jepara@kpu.test",
    ]


def test_a_channel_failing_again_after_a_retry_is_a_new_event(
    three, approved_post, operator, editor, admin, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), three, django_capture_on_commit_callbacks)
    assert publication_problems_notify(publication_id=publication.pk) == 3
    failed = publication.deliveries.get(channel__platform="facebook")

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=operator, delivery=failed)
    failed.refresh_from_db()
    assert failed.state == State.FAILED

    assert publication_problems_notify(publication_id=publication.pk) == 3
    assert Notification.objects.filter(recipient=operator).count() == 2


def test_a_problem_resolved_before_the_window_ends_notifies_nobody(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=operator, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == State.SENT

    assert publication_problems_notify(publication_id=publication.pk) == 0
    assert not Notification.objects.exists()


def test_a_withdrawn_publication_notifies_nobody(
    three, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), three, django_capture_on_commit_callbacks)
    publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")
    assert publication_problems_notify(publication_id=publication.pk) == 0


def test_without_a_window_the_task_runs_on_commit(
    settings, fakes, connected, approved_post, operator, admin, django_capture_on_commit_callbacks
):
    settings.HUMAS_NOTIFY_BATCH_SECONDS = 0
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=1)
    mail.outbox.clear()

    publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)

    assert sorted(n.recipient.email for n in Notification.objects.all()) == [
        "admin.jepara@kpu.test",
        "editor.jepara@kpu.test",
        "operator.jepara@kpu.test",
    ]
    assert len(mail.outbox) == 3


def test_the_sweeper_is_the_backstop_for_a_lost_batch_task(
    three, approved_post, operator, django_capture_on_commit_callbacks
):
    publication = publish(operator, approved_post(), three, django_capture_on_commit_callbacks)
    HUEY.flush()  # the queue lost the batch task
    now = timezone.now()

    assert publication_problems_sweep(now=now) == 0  # still inside the window
    assert publication_problems_sweep(now=now + timedelta(minutes=2)) == 3
    assert publication_problems_sweep(now=now + timedelta(minutes=17)) == 0
    assert publication.deliveries.filter(state__in=(State.FAILED, State.NEEDS_ATTENTION)).count() == 2
