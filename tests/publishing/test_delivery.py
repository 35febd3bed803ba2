"""The delivery engine against the strict fakes over real HTTP (no connector is mocked)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from humas.audit.models import AuditEvent
from humas.channels.fakes import running_fakes
from humas.channels.models import Channel
from humas.publishing.delivery import (
    connector_for_delivery,
    deliveries_sweep,
    delivery_retry,
    delivery_send,
    publication_create,
    publication_withdraw,
)
from humas.publishing.models import Delivery, Publication
from humas.publishing.selectors import publication_summary
from humas.publishing.services import PublishingError
from tests.conftest import require_service

pytestmark = pytest.mark.django_db
State = Delivery.State


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def states(publication: Publication) -> dict[str, str]:
    return {d.channel.platform: d.state for d in publication.deliveries.select_related("channel")}


def make_due(delivery: Delivery) -> None:
    """Overdue, also for the sweeper (which leaves a grace to the queue's own task)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))


def test_publication_to_facebook_x_telegram_is_sent_once_each(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channels = [connected(p) for p in ("facebook", "x", "telegram")]
    post = approved_post()

    publication = publish(operator, post, channels, django_capture_on_commit_callbacks)

    assert states(publication) == {"facebook": State.SENT, "x": State.SENT, "telegram": State.SENT}
    for platform in ("facebook", "x", "telegram"):
        posts = fakes.hub.posts(platform)
        assert len(posts) == 1
        delivery = publication.deliveries.get(channel__platform=platform)
        assert delivery.platform_post_id and delivery.url.startswith("http")
        assert delivery.attempt_count == 1
    assert publication_summary(publication=publication) == "Terbit di 3 dari 3 kanal"
    post.refresh_from_db()
    assert post.status == post.Status.PUBLISHED
    assert AuditEvent.objects.filter(action="publication.create").count() == 1


def test_sending_twice_is_a_no_op(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    x = connected("x")
    publication = publish(operator, approved_post(), [x], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    assert delivery_send(delivery_id=delivery.pk) == State.SENT
    assert deliveries_sweep() == {"due": 0, "stale": 0}
    assert len(fakes.hub.posts("x")) == 1


def test_transient_5xx_waits_with_backoff_then_sends(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=503, times=1)
    before = timezone.now()
    HUEY.flush()
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    # The retry is scheduled on the queue for its time; the sweeper is only the backstop.
    assert [(t.args, t.eta) for t in HUEY.scheduled()] == [
        ((delivery.pk,), delivery.next_attempt_at.astimezone(UTC).replace(tzinfo=None))
    ]

    assert delivery.state == State.WAITING
    # Backoff for the first attempt: 50-100 % of the 30 s base.
    assert (
        before + timedelta(seconds=15) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    )
    assert delivery.error_message
    assert fakes.hub.posts("facebook") == []
    assert "Facebook menunggu percobaan ulang" in publication_summary(publication=publication)

    assert deliveries_sweep() == {"due": 0, "stale": 0}  # not yet due
    make_due(delivery)
    assert deliveries_sweep() == {"due": 1, "stale": 0}

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count, delivery.error_message) == (State.SENT, 2, "")
    assert len(fakes.hub.posts("facebook")) == 1


def test_throttle_waits_until_the_time_the_platform_names(
    fakes, settings, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    settings.HUMAS_DELIVERY_MAX_ATTEMPTS = 1  # a rate-limit wait does not use up attempts
    channel = connected("x")
    fakes.hub.add_fault(platform="x", kind="throttle", retry_after=600, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    expected = timezone.now() + timedelta(seconds=600)
    assert delivery.state == State.WAITING
    assert delivery.error_class == "RateLimited"
    assert delivery.rate_limited_until == delivery.next_attempt_at
    assert abs((delivery.next_attempt_at - expected).total_seconds()) < 3
    assert fakes.hub.posts("x") == []
    # Made due early, the attempt is refused by the shared rate-limit store without a call.
    make_due(delivery)
    assert delivery_send(delivery_id=delivery.pk) == State.WAITING
    delivery.refresh_from_db()
    assert abs((delivery.next_attempt_at - expected).total_seconds()) < 3


def test_short_throttle_retries_at_the_named_instant_not_after_a_backoff(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("telegram")
    fakes.hub.add_fault(platform="telegram", kind="throttle", retry_after=1, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    assert (delivery.state, delivery.error_class) == (State.WAITING, "RateLimited")
    assert delivery.next_attempt_at == delivery.rate_limited_until
    # retry_after=1 s: due about a second from now, not the 15-30 s of a failure's backoff.
    assert timezone.now() < delivery.next_attempt_at <= timezone.now() + timedelta(seconds=1.5)


def test_expired_token_needs_attention_and_channel_reconnect(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    assert (delivery.state, delivery.error_class) == (State.NEEDS_ATTENTION, "CredentialsInvalid")
    channel.refresh_from_db()
    assert channel.health == Channel.Health.RECONNECT
    assert channel.health_message
    assert [m.to for m in mail.outbox] == [["admin.jepara@kpu.test"]]  # told once, not silently
    summary = publication_summary(publication=publication)
    assert summary.startswith("Terbit di 0 dari 1 kanal — Facebook perlu perhatian: Token Facebook")
    assert deliveries_sweep() == {"due": 0, "stale": 0}  # never retried blindly


def test_permission_missing_fails_with_the_platforms_reason(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    assert delivery.state == State.FAILED
    assert delivery.error_class == "PermissionMissing"
    assert publication_summary(publication=publication) == (
        "Terbit di 0 dari 1 kanal — Facebook gagal: "
        "Token Facebook tidak memiliki izin yang diperlukan: (#200) Injected error."
    )


def test_worker_killed_mid_send_is_reconciled_to_sent_without_a_second_post(
    fakes, settings, connected, approved_post, operator
):
    channel = connected("x")
    with pytest.raises(PublishingError):  # nothing is sent before the schedule
        publication_create(actor=operator, post=approved_post(), channels=[])
    publication = publication_create(actor=operator, post=approved_post(), channels=[channel])
    delivery = publication.deliveries.get()
    started = timezone.now()
    # The worker took the delivery and called the platform, which published and then stalled;
    # the worker died there: the delivery stays "sending".
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.SENDING, attempt_started_at=started, attempt_count=1
    )
    fakes.hub.add_fault(platform="x", kind="timeout", commit=True, seconds=2, times=1)
    from humas.channels.connectors import PublishRequest, RetryLater
    from humas.channels.tokens import channel_credential_secret

    connector = connector_for_delivery(channel=channel, token=channel_credential_secret(channel=channel))
    with pytest.raises(RetryLater):
        connector.publish(PublishRequest(text=delivery.publication.post.text, marker=delivery.marker))
    connector.close()
    assert len(fakes.hub.posts("x")) == 1

    assert deliveries_sweep() == {"due": 0, "stale": 0}  # not stale yet: its worker may be alive
    Delivery.objects.filter(pk=delivery.pk).update(
        attempt_started_at=started - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS + 1)
    )
    # The fake's post is newer than the recorded start minus the skew: it is found.
    assert deliveries_sweep() == {"due": 0, "stale": 1}

    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    posts = fakes.hub.posts("x")
    assert len(posts) == 1
    assert delivery.platform_post_id == str(posts[0]["id"])
    assert deliveries_sweep() == {"due": 0, "stale": 0}


def test_stale_sending_not_on_the_platform_is_retried(fakes, settings, connected, approved_post, operator):
    facebook = connected("facebook")
    publication = publication_create(actor=operator, post=approved_post(), channels=[facebook])
    delivery = publication.deliveries.get()
    long_ago = timezone.now() - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS + 5)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.SENDING, attempt_started_at=long_ago, attempt_count=1
    )

    assert deliveries_sweep() == {"due": 0, "stale": 1}
    delivery.refresh_from_db()
    assert delivery.state == State.WAITING
    make_due(delivery)
    deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(fakes.hub.posts("facebook")) == 1


def test_telegram_ambiguous_answer_needs_a_person_never_a_resend(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("telegram")
    fakes.hub.add_fault(platform="telegram", kind="timeout", commit=True, seconds=2, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()

    assert delivery.state == State.NEEDS_ATTENTION
    assert "tidak dapat memastikan" in delivery.error_message
    assert deliveries_sweep() == {"due": 0, "stale": 0}
    assert len(fakes.hub.posts("telegram")) == 1


def test_a_person_retries_one_delivery(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind="error", status=400, code=200, times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    assert delivery.state == State.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(actor=operator, delivery=delivery)

    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(fakes.hub.posts("facebook")) == 1
    with pytest.raises(PublishingError):
        delivery_retry(actor=operator, delivery=delivery)


def test_emergency_withdrawal_reports_per_channel(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    channels = [connected(p) for p in ("facebook", "x", "telegram")]
    publication = publish(operator, approved_post(), channels, django_capture_on_commit_callbacks)
    fakes.hub.add_fault(platform="x", kind="error", status=503, times=None)

    report = publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")

    by_platform = {r.channel.platform: (r.ok, r.message) for r in report}
    assert by_platform["facebook"] == (True, "Dihapus dari Facebook.")
    assert by_platform["telegram"] == (True, "Dihapus dari Telegram.")
    assert by_platform["x"][0] is False and "X" in by_platform["x"][1]
    assert states(publication) == {"facebook": State.WITHDRAWN, "x": State.SENT, "telegram": State.WITHDRAWN}
    assert fakes.hub.posts("facebook") == [] and fakes.hub.posts("telegram") == []
    assert AuditEvent.objects.filter(action="publication.withdraw_report").count() == 1


def test_withdrawal_cancels_deliveries_not_yet_sent(fakes, connected, approved_post, operator, editor):
    x = connected("x")
    post = approved_post(scheduled_at=datetime(2031, 1, 1, tzinfo=UTC))
    publication = publication_create(actor=operator, post=post, channels=[x])
    report = publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")
    assert [(r.ok, r.message) for r in report] == [(True, "Belum terkirim; dibatalkan.")]
    assert states(publication) == {"x": State.CANCELLED}


def test_operator_cannot_withdraw(fakes, connected, approved_post, operator):
    from humas.offices.policy import PolicyDenied

    x = connected("x")
    publication = publication_create(actor=operator, post=approved_post(), channels=[x])
    with pytest.raises(PolicyDenied):
        publication_withdraw(actor=operator, publication=publication, reason="Salah tanggal")


def test_text_over_the_x_limit_is_refused_before_anything_is_created(
    fakes, connected, approved_post, operator
):
    x = connected("x")
    post = approved_post("Pemilu " * 60)
    with pytest.raises(PublishingError) as excinfo:
        publication_create(actor=operator, post=post, channels=[x])
    assert "280" in str(excinfo.value)
    assert not Publication.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_delivery_publish_once(settings, offices, member):
    require_service(connection.vendor == "postgresql", "row locks need PostgreSQL (set DATABASE_URL)")
    from humas.channels.connect import channel_connect_token
    from humas.channels.services import ChannelInput, channel_create
    from humas.publishing.services import post_approve, post_create, post_submit

    admin, operator, editor = member("33.20", "admin"), member("33.20", "operator"), member("33.20", "editor")
    with running_fakes(seed=1) as fakes:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(("facebook", "x", "telegram"), fakes.base_url)
        channel = channel_create(
            actor=admin, office=offices["33.20"], data=ChannelInput(platform="x", name="X")
        )
        channel_connect_token(
            actor=admin, channel=channel, token=fakes.hub.accounts[0]["x"]["access_token"], account_id=""
        )
        # Scheduled later, so that publishing itself sends nothing; then made due for the workers.
        post = post_create(
            actor=operator,
            office=offices["33.20"],
            text="Debat kandidat malam ini.",
            scheduled_at=timezone.now() + timedelta(hours=1),
            channels=[channel],
        )
        post_submit(actor=operator, post=post)
        post = post_approve(actor=editor, post=post)
        publication = publication_create(actor=operator, post=post, channels=[channel])
        delivery = publication.deliveries.get()
        make_due(delivery)
        fakes.hub.add_fault(platform="x", kind="latency", latency_ms=300, times=None)
        barrier, results = threading.Barrier(2), []

        def worker() -> None:
            barrier.wait()
            try:
                results.append(delivery_send(delivery_id=delivery.pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert sorted(results) == [State.SENDING, State.SENT]
        assert len(fakes.hub.posts("x")) == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempt_count) == (State.SENT, 1)


@pytest.mark.parametrize("kind", ["html", "truncated", "shape"])
def test_garbage_answer_is_classified_and_retried_never_a_crash(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks, kind
):
    channel = connected("facebook")
    fakes.hub.add_fault(platform="facebook", kind=kind, method="POST", times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    assert delivery.state in (State.WAITING, State.SENT)  # SENT: reconciliation found it
    if delivery.state == State.WAITING:
        make_due(delivery)
        deliveries_sweep()
        delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(fakes.hub.posts("facebook")) == 1


def test_duplicate_answer_is_reconciled_to_the_post_already_there(
    fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    """An earlier attempt published but its worker died before recording it; the retry is
    refused by the platform as a duplicate (Graph 506) and the delivery adopts the existing post."""
    from humas.channels.connectors import PublishRequest
    from humas.channels.tokens import channel_credential_secret

    channel = connected("facebook")
    post = approved_post()
    connector = connector_for_delivery(channel=channel, token=channel_credential_secret(channel=channel))
    earlier = connector.publish(PublishRequest(text=post.text))
    connector.close()

    publication = publish(operator, post, [channel], django_capture_on_commit_callbacks)

    delivery = publication.deliveries.get()
    assert (delivery.state, delivery.platform_post_id) == (State.SENT, earlier.post_id)
    assert len(fakes.hub.posts("facebook")) == 1


def test_channel_without_credential_needs_attention(
    fakes, admin, offices, approved_post, operator, django_capture_on_commit_callbacks
):
    from humas.channels.services import ChannelInput, channel_create

    channel = channel_create(actor=admin, office=offices["33.20"], data=ChannelInput(platform="x", name="X"))
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    assert (delivery.state, delivery.error_message) == (State.NEEDS_ATTENTION, "Kanal ini belum dihubungkan.")


@pytest.mark.django_db(transaction=True)
def test_withdrawn_while_sending_is_taken_down_at_once(settings, offices, member):
    require_service(connection.vendor == "postgresql", "two connections need PostgreSQL (set DATABASE_URL)")
    from humas.channels.connect import channel_connect_token
    from humas.channels.services import ChannelInput, channel_create
    from humas.publishing.services import post_approve, post_create, post_submit

    admin, operator, editor = member("33.20", "admin"), member("33.20", "operator"), member("33.20", "editor")
    cache.clear()
    with running_fakes(seed=1) as fakes:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(("facebook", "x", "telegram"), fakes.base_url)
        account = fakes.hub.accounts[0]["telegram"]
        channel = channel_create(
            actor=admin, office=offices["33.20"], data=ChannelInput(platform="telegram", name="T")
        )
        channel_connect_token(
            actor=admin, channel=channel, token=account["bot_token"], account_id=account["chat_username"]
        )
        post = post_create(
            actor=operator,
            office=offices["33.20"],
            text="Ralat jadwal kampanye.",
            scheduled_at=timezone.now() + timedelta(hours=1),
            channels=[channel],
        )
        post_submit(actor=operator, post=post)
        post = post_approve(actor=editor, post=post)
        publication = publication_create(actor=operator, post=post, channels=[channel])
        delivery = publication.deliveries.get()
        make_due(delivery)
        fakes.hub.add_fault(platform="telegram", kind="latency", latency_ms=800, path="sendMessage", times=1)

        def worker() -> None:
            try:
                delivery_send(delivery_id=delivery.pk)
            finally:
                connection.close()

        thread = threading.Thread(target=worker)
        thread.start()
        while Delivery.objects.get(pk=delivery.pk).state != State.SENDING:
            pass
        report = publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")
        thread.join()

        assert [r.ok for r in report] == [False]  # "still sending" at the time of the report
        delivery.refresh_from_db()
        assert delivery.state == State.WITHDRAWN
        assert fakes.hub.posts("telegram") == []


def test_platform_that_cannot_answer_the_reconciliation_is_asked_again_later(
    fakes, settings, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    channel = connected("x")
    fakes.hub.add_fault(platform="x", kind="timeout", commit=True, seconds=2, method="POST", times=1)
    fakes.hub.add_fault(platform="x", kind="error", status=503, method="GET", times=1)
    publication = publish(operator, approved_post(), [channel], django_capture_on_commit_callbacks)
    delivery = publication.deliveries.get()
    assert delivery.state == State.SENDING  # neither sent nor resent nor handed to a person yet

    stale = timezone.now() - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(attempt_started_at=stale)
    assert deliveries_sweep() == {"due": 0, "stale": 1}

    delivery.refresh_from_db()
    assert delivery.state == State.SENT
    assert len(fakes.hub.posts("x")) == 1


def test_reconciliation_gives_up_to_a_person_after_its_rounds(
    fakes, settings, connected, approved_post, operator
):
    from humas.publishing.delivery import RECONCILE_ROUNDS

    x = connected("x")
    publication = publication_create(actor=operator, post=approved_post(), channels=[x])
    delivery = publication.deliveries.get()
    long_ago = timezone.now() - timedelta(
        seconds=settings.HUMAS_DELIVERY_STALE_SECONDS * RECONCILE_ROUNDS + 1
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        state=State.SENDING, attempt_started_at=long_ago, attempt_count=1
    )
    fakes.hub.add_fault(platform="x", kind="error", status=503, method="GET", times=None)

    assert deliveries_sweep() == {"due": 0, "stale": 1}
    delivery.refresh_from_db()
    assert delivery.state == State.NEEDS_ATTENTION
    assert fakes.hub.posts("x") == []
