"""What a blackout window does to Konten posts and portal articles: refused when scheduled or
published inside it, held (not lost) when already scheduled, an Administrator's audited override,
and the calendar's reschedule that keeps the approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.blackouts.models import Blackout
from humas.blackouts.services import blackout_cancel, blackout_create
from humas.core.workflow import WorkflowError
from humas.notifications.models import Notification
from humas.portal.models import Article, ArticleType
from humas.portal.services import (
    ArticleInput,
    article_approve,
    article_create,
    article_publish_due,
    article_reschedule,
    article_submit,
)
from humas.publishing.delivery import (
    delivery_retry,
    delivery_send,
    post_reschedule,
    publication_create,
)
from humas.publishing.models import Delivery, Post
from humas.publishing.services import PublishingError, post_create

pytestmark = pytest.mark.django_db
State = Delivery.State


@pytest.fixture
def national_admin(member):
    return member("00", "admin", email="admin.ri@kpu.test")


def masa_tenang(actor, office, *, start=-1, hours=48, **fields):
    now = timezone.now()
    return blackout_create(
        actor=actor,
        office=office,
        starts_at=now + timedelta(hours=start),
        ends_at=now + timedelta(hours=start + hours),
        reason=Blackout.Reason.MASA_TENANG,
        **fields,
    )


def test_scheduling_a_post_inside_a_window_is_refused_with_the_reason(offices, national_admin, operator):
    masa_tenang(national_admin, offices["00"], start=1)
    inside = timezone.now() + timedelta(hours=5)
    with pytest.raises(PublishingError, match="Masa tenang ditetapkan KPU Republik Indonesia"):
        post_create(actor=operator, office=offices["33.20"], text="Ayo cek DPT", scheduled_at=inside)
    assert not Post.objects.exists()
    # A clarification passes a window that exempts clarifications; after the window is fine.
    post_create(
        actor=operator,
        office=offices["33.20"],
        text="[KLARIFIKASI] Hoaks TPS",
        scheduled_at=inside,
        is_clarification=True,
    )
    post_create(
        actor=operator, office=offices["33.20"], text="Ayo cek DPT", scheduled_at=inside + timedelta(days=2)
    )


def test_publishing_inside_a_window_needs_an_administrators_reason(
    offices, national_admin, admin, operator, connected, approved_post, django_capture_on_commit_callbacks
):
    x = connected("x")
    post = approved_post()
    masa_tenang(national_admin, offices["00"])
    with pytest.raises(PublishingError, match="Masa tenang"):
        publication_create(actor=operator, post=post, channels=[x])
    with pytest.raises(PublishingError, match="Hanya Administrator"):
        publication_create(actor=operator, post=post, channels=[x], blackout_override="penting")
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(
            actor=admin, post=post, channels=[x], blackout_override="Ralat jadwal coklit dari KPU RI"
        )
    assert publication.blackout_override == "Ralat jadwal coklit dari KPU RI"
    assert publication.deliveries.get().state == State.SENT  # the override is not held at send time
    event = AuditEvent.objects.get(action="publication.create")
    assert event.changes["blackout_override"] == "Ralat jadwal coklit dari KPU RI"


def test_a_new_window_holds_what_was_scheduled_inside_it_and_tells_the_office(
    offices,
    national_admin,
    editor,
    operator,
    connected,
    approved_post,
    fakes,
    django_capture_on_commit_callbacks,
):
    x = connected("x")
    later = timezone.now() + timedelta(hours=5)
    post = approved_post(scheduled_at=later)
    after = approved_post("Rekapitulasi dimulai", scheduled_at=later + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(actor=operator, post=post, channels=[x])
        publication_create(actor=operator, post=after, channels=[x])
    delivery = publication.deliveries.get()
    assert delivery.state == State.QUEUED

    with django_capture_on_commit_callbacks(execute=True):
        window = masa_tenang(national_admin, offices["00"], start=-1)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.held_by, delivery.next_attempt_at) == (State.HELD, window, None)
    assert Delivery.objects.get(publication__post=after).state == State.QUEUED  # outside the window
    told = Notification.objects.filter(kind=Notification.Kind.CONTENT_HELD, office=offices["33.20"])
    assert {n.recipient for n in told} >= {editor, operator}
    assert "1 konten terjadwal ditahan karena Masa tenang" in told.first().title
    # Declaring it again (the task retried) tells nobody twice.
    from humas.publishing.delivery import deliveries_hold_for_window

    assert deliveries_hold_for_window(blackout_id=window.pk) == 0
    assert told.count() == len({n.recipient_id for n in told})

    # Sending it is refused while the window lasts; once cancelled it goes out.
    with pytest.raises(PublishingError, match="Masa tenang"):
        delivery_retry(actor=operator, delivery=delivery)
    with django_capture_on_commit_callbacks(execute=True):
        blackout_cancel(actor=national_admin, blackout=window)
    assert Notification.objects.filter(title__contains="dibatalkan").exists()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=operator, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == State.SENT


def test_a_delivery_that_falls_due_inside_a_window_is_held_not_sent(
    offices, national_admin, operator, connected, approved_post, fakes, django_capture_on_commit_callbacks
):
    x = connected("x")
    post = approved_post(scheduled_at=timezone.now() + timedelta(hours=5))
    with django_capture_on_commit_callbacks(execute=True):
        delivery = publication_create(actor=operator, post=post, channels=[x]).deliveries.get()
    # A window declared directly in the table (no hook ran): the engine itself still holds it.
    window = Blackout.objects.create(
        office=offices["00"],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
        reason=Blackout.Reason.BERKABUNG,
        created_by=national_admin,
    )
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery_send(delivery_id=delivery.pk) == State.HELD
    assert fakes.hub.posts("x") == []
    delivery.refresh_from_db()
    assert delivery.held_by == window
    assert Notification.objects.filter(kind=Notification.Kind.CONTENT_HELD).exists()


def test_reschedule_keeps_the_approval_and_moves_the_deliveries(
    offices, national_admin, operator, connected, approved_post, django_capture_on_commit_callbacks
):
    x = connected("x")
    approved = approved_post(scheduled_at=timezone.now() + timedelta(hours=5))
    moved = post_reschedule(actor=operator, post=approved, scheduled_at=timezone.now() + timedelta(hours=8))
    assert moved.status == Post.Status.APPROVED and moved.approved_by is not None

    with django_capture_on_commit_callbacks(execute=True):
        delivery = publication_create(actor=operator, post=moved, channels=[x]).deliveries.get()
    target = timezone.now() + timedelta(days=1)
    post_reschedule(actor=operator, post=moved, scheduled_at=target)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.next_attempt_at) == (State.QUEUED, target)
    assert AuditEvent.objects.filter(action="post.reschedule").count() == 2

    with pytest.raises(PublishingError, match="sudah lewat"):
        post_reschedule(actor=operator, post=moved, scheduled_at=timezone.now() - timedelta(minutes=5))
    masa_tenang(national_admin, offices["00"], start=20)
    with pytest.raises(PublishingError, match="Masa tenang"):
        post_reschedule(actor=operator, post=moved, scheduled_at=timezone.now() + timedelta(hours=30))


# -- portal articles -------------------------------------------------------------------------


def article(author, office, *, type=ArticleType.BERITA, title="Jadwal kampanye akbar"):
    created = article_create(
        actor=author,
        office=office,
        data=ArticleInput(
            type=type,
            title=title,
            summary="Ringkasan",
            body="<p>Isi berita.</p>",
            **({"claim": title, "verdict": "hoaks"} if type == ArticleType.KLARIFIKASI else {}),
        ),
    )
    return article_submit(actor=author, article=created)


def test_an_article_cannot_be_scheduled_or_published_inside_a_window(
    offices, national_admin, admin, operator, editor
):
    masa_tenang(national_admin, offices["00"])
    jepara = offices["33.20"]
    news = article(operator, jepara)
    with pytest.raises(WorkflowError, match="Masa tenang"):
        article_approve(actor=editor, article=news, publish_at=timezone.now() + timedelta(hours=3))
    with pytest.raises(WorkflowError, match="Hanya Administrator"):
        article_approve(actor=editor, article=news, blackout_override="mendesak")
    published = article_approve(actor=admin, article=news, blackout_override="Pengumuman darurat banjir")
    assert published.status == Article.Status.PUBLISHED
    event = AuditEvent.objects.get(action="article.publish")
    assert event.changes["blackout_override"] == "Pengumuman darurat banjir"
    # A clarification passes.
    clarification = article(
        operator, jepara, type=ArticleType.KLARIFIKASI, title="Hoaks surat suara tercoblos"
    )
    assert article_approve(actor=editor, article=clarification).status == Article.Status.PUBLISHED


def test_a_scheduled_article_inside_a_new_window_is_held_until_rescheduled(
    offices, national_admin, operator, editor, django_capture_on_commit_callbacks
):
    jepara = offices["33.20"]
    scheduled = article_approve(
        actor=editor, article=article(operator, jepara), publish_at=timezone.now() + timedelta(hours=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        window = masa_tenang(national_admin, offices["00"], start=1)
    scheduled.refresh_from_db()
    assert scheduled.held_by == window and scheduled.status == Article.Status.SCHEDULED
    assert Notification.objects.filter(kind=Notification.Kind.CONTENT_HELD, recipient=editor).exists()
    # Its time comes inside the window (and after it): not published.
    assert article_publish_due(now=timezone.now() + timedelta(hours=6)) == 0
    assert article_publish_due(now=timezone.now() + timedelta(days=5)) == 0
    with pytest.raises(WorkflowError, match="Masa tenang"):
        article_reschedule(actor=editor, article=scheduled, publish_at=timezone.now() + timedelta(hours=10))
    later = timezone.now() + timedelta(days=3)
    moved = article_reschedule(actor=editor, article=scheduled, publish_at=later)
    assert (moved.held_by, moved.publish_at, moved.approved_by) == (None, later, editor)
    assert article_publish_due(now=later + timedelta(minutes=1)) == 1


def test_publish_due_holds_an_article_whose_time_falls_in_a_window(offices, national_admin, operator, editor):
    jepara = offices["33.20"]
    scheduled = article_approve(
        actor=editor, article=article(operator, jepara), publish_at=timezone.now() + timedelta(minutes=5)
    )
    # Declared without the hook (e.g. the task was lost): publish_due itself holds it.
    window = Blackout.objects.create(
        office=offices["33"],
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        reason=Blackout.Reason.BERKABUNG,
        created_by=national_admin,
    )
    assert article_publish_due(now=timezone.now() + timedelta(minutes=10)) == 0
    scheduled.refresh_from_db()
    assert scheduled.held_by == window
    assert Notification.objects.filter(kind=Notification.Kind.CONTENT_HELD, recipient=editor).exists()
