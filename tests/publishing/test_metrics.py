"""Post metrics collected on a schedule, against the strict fakes over real HTTP (no connector is
mocked)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from humas.channels.models import Channel
from humas.channels.tokens import channel_credential_secret
from humas.publishing.delivery import connector_for_delivery, publication_create, publication_withdraw
from humas.publishing.metrics import (
    MAX_ATTEMPTS,
    delivery_metrics_collect,
    metrics_due,
    metrics_start,
    metrics_sweep,
    post_metrics_summary,
)
from humas.publishing.models import Delivery, DeliveryMetrics
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
MState = Delivery.MetricsState
HOUR = timedelta(hours=1)
BASE = "/app/kab-jepara/content/"


@pytest.fixture
def published(connected, approved_post, operator, django_capture_on_commit_callbacks):
    """published("facebook", "x") -> {platform: delivery}, sent on the fakes, schedule started."""

    made: dict[str, Channel] = {}

    def make(
        *platforms: str, text: str = "Pendaftaran pemantau pemilu dibuka hari ini."
    ) -> dict[str, Delivery]:
        channels = [made[p] if p in made else made.setdefault(p, connected(p)) for p in platforms]
        with django_capture_on_commit_callbacks(execute=True):
            publication = publication_create(actor=operator, post=approved_post(text), channels=channels)
        metrics_start()
        deliveries = {d.channel.platform: d for d in publication.deliveries.select_related("channel")}
        assert {d.state for d in deliveries.values()} == {Delivery.State.SENT}
        return deliveries

    return make


def sent_ago(delivery: Delivery, hours: float) -> Delivery:
    """Pretend the delivery was sent ``hours`` ago; its next collection keeps its point."""
    from humas.publishing.metrics import metrics_schedule

    delivery.refresh_from_db()
    sent = timezone.now() - timedelta(hours=hours)
    schedule = metrics_schedule()
    next_at = sent + schedule[delivery.metrics_stage] if delivery.metrics_stage < len(schedule) else None
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=sent, metrics_next_at=next_at)
    delivery.refresh_from_db()
    return delivery


def snapshot_counts(delivery: Delivery) -> list[tuple]:
    return list(
        DeliveryMetrics.objects.filter(delivery=delivery)
        .order_by("collected_at")
        .values_list(
            "stage", "reactions", "comments", "shares", "impressions", "reach", "views", "link_clicks"
        )
    )


def test_schedule_starts_an_hour_after_sending_and_telegram_has_no_source(published):
    deliveries = published("facebook", "x", "telegram")

    for platform in ("facebook", "x"):
        d = Delivery.objects.get(pk=deliveries[platform].pk)
        assert (d.metrics_state, d.metrics_stage) == (MState.ACTIVE, 0)
        assert d.metrics_next_at == d.sent_at + HOUR
    telegram = Delivery.objects.get(pk=deliveries["telegram"].pk)
    assert telegram.metrics_state == MState.UNAVAILABLE
    assert telegram.metrics_next_at is None
    assert telegram.metrics_note == "Platform ini tidak menyediakan statistik unggahan lewat API."
    assert metrics_start() == 0  # already started: nothing twice
    assert metrics_due() == []  # nothing is due before the first hour


def test_collection_stores_the_numbers_the_fake_reports(fakes, published):
    deliveries = published("facebook", "x")
    fb, x = deliveries["facebook"], deliveries["x"]
    fakes.hub.set_engagement(
        "facebook",
        fb.platform_post_id,
        {
            "reactions": 120,
            "shares": 7,
            "post_impressions": 4500,
            "post_impressions_unique": 3100,
            "post_media_view": 900,
            "link_clicks": 41,
            "photo_views": 12,
        },
    )
    fakes.hub.add_comment("facebook", fb.platform_post_id, "Terima kasih infonya", "warga")
    fakes.hub.add_comment("facebook", fb.platform_post_id, "Di mana daftarnya?", "pemilih")
    fakes.hub.set_engagement(
        "x",
        x.platform_post_id,
        {
            "like_count": 33,
            "retweet_count": 5,
            "quote_count": 2,
            "impression_count": 2048,
            "url_link_clicks": 9,
        },
    )
    sent_ago(fb, 1.1)
    sent_ago(x, 1.1)

    assert metrics_sweep() == {"started": 0, "due": 2}  # the immediate queue runs both tasks

    # post_impressions is deprecated by Graph (and by the fake): the platform no longer gives it.
    assert snapshot_counts(fb) == [(0, 120, 2, 7, None, 3100, 900, 41)]
    assert DeliveryMetrics.objects.get(delivery=fb).unavailable == ["impressions"]
    assert snapshot_counts(x) == [(0, 33, 0, 7, 2048, None, None, 9)]
    x_snapshot = DeliveryMetrics.objects.get(delivery=x)
    assert x_snapshot.extra == {"bookmarks": 0, "quotes": 2}
    assert x_snapshot.unavailable == ["reach", "views"]
    for d in (fb, x):
        d.refresh_from_db()
        assert (d.metrics_state, d.metrics_stage) == (MState.ACTIVE, 1)
        assert d.metrics_next_at == d.sent_at + 6 * HOUR
        assert d.metrics_latest_id == DeliveryMetrics.objects.get(delivery=d).pk
        assert d.metrics_collected_at is not None and d.metrics_note == ""

    summary = post_metrics_summary(post=fb.publication.post)
    assert summary.totals == {
        "reactions": 153,
        "comments": 2,
        "shares": 14,
        "impressions": 2048,
        "reach": 3100,
        "views": 900,
        "link_clicks": 50,
    }
    # Reactions + comments + shares + link clicks of both.
    assert summary.interactions == 169 + 50


def test_schedule_advances_through_every_point_then_stops(fakes, published):
    x = published("x")["x"]
    expected_next = [6, 24, 72, 168]
    for stage, hours in enumerate([1, 6, 24, 72, 168]):
        fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 10 * (stage + 1)})
        x = sent_ago(x, hours + 0.05)
        assert x.metrics_stage == stage
        assert delivery_metrics_collect(delivery_id=x.pk) == (MState.ACTIVE if stage < 4 else MState.DONE)
        x.refresh_from_db()
        if stage < 4:
            assert x.metrics_next_at == x.sent_at + expected_next[stage] * HOUR
        else:
            assert x.metrics_next_at is None
    assert [s[:2] for s in snapshot_counts(x)] == [(0, 10), (1, 20), (2, 30), (3, 40), (4, 50)]
    # Stopped: the sweeper no longer picks it, a stray task does nothing.
    assert metrics_due(now=timezone.now() + 30 * 24 * HOUR) == []
    assert delivery_metrics_collect(delivery_id=x.pk) == MState.DONE
    assert DeliveryMetrics.objects.filter(delivery=x).count() == 5


def test_a_late_collection_stands_for_the_points_it_passed(published):
    x = sent_ago(published("x")["x"], 30)  # the queue was down: first collection at +30 h

    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    x.refresh_from_db()
    assert x.metrics_stage == 3  # +6 h and +24 h passed with this one collection
    assert x.metrics_next_at == x.sent_at + 72 * HOUR
    assert [s[0] for s in snapshot_counts(x)] == [0]


def test_rate_limited_collection_is_postponed_without_using_up_the_point(fakes, published):
    x = sent_ago(published("x")["x"], 1.1)
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 9})
    fakes.hub.add_fault(platform="x", kind="throttle", retry_after=600, method="GET", times=1)

    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    x.refresh_from_db()
    expected = timezone.now() + timedelta(seconds=600)
    assert (x.metrics_stage, x.metrics_attempts) == (0, 0)
    assert abs((x.metrics_next_at - expected).total_seconds()) < 5
    assert x.metrics_note.startswith("Batas permintaan X tercapai")
    assert snapshot_counts(x) == []

    # Made due early, the shared rate-limit store refuses without a call: postponed again.
    Delivery.objects.filter(pk=x.pk).update(metrics_next_at=timezone.now() - timedelta(seconds=1))
    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    x.refresh_from_db()
    assert (x.metrics_stage, x.metrics_attempts) == (0, 0)
    assert abs((x.metrics_next_at - expected).total_seconds()) < 5

    cache.clear()  # the wait is over
    Delivery.objects.filter(pk=x.pk).update(metrics_next_at=timezone.now() - timedelta(seconds=1))
    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    assert [s[:2] for s in snapshot_counts(x)] == [(0, 9)]  # the +1 h point, collected late
    x.refresh_from_db()
    assert x.metrics_stage == 1


def test_expired_token_skips_the_point_flags_the_channel_once_and_never_loops(fakes, published):
    fb = sent_ago(published("facebook")["facebook"], 1.1)
    mail.outbox.clear()
    fault = fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)

    assert delivery_metrics_collect(delivery_id=fb.pk) == MState.ACTIVE
    fb.refresh_from_db()
    assert fb.metrics_stage == 1 and fb.metrics_next_at == fb.sent_at + 6 * HOUR
    assert fb.metrics_note.startswith("Token Facebook tidak berlaku lagi")
    channel = Channel.objects.get(pk=fb.channel_id)
    assert channel.health == Channel.Health.RECONNECT
    assert [m.to for m in mail.outbox] == [["admin.jepara@kpu.test"]]
    calls = fault.fired  # the metrics call and the health check's verification
    assert calls == 2
    assert delivery_metrics_collect(delivery_id=fb.pk) == MState.ACTIVE  # not due: no loop
    assert fault.fired == calls

    # At the next point the flagged channel is skipped without calling the platform.
    fb = sent_ago(fb, 6.1)
    assert delivery_metrics_collect(delivery_id=fb.pk) == MState.ACTIVE
    fb.refresh_from_db()
    assert fb.metrics_stage == 2
    assert fb.metrics_note == "Kanal perlu dihubungkan ulang; statistik titik ini dilewati."
    assert fault.fired == calls
    assert len(mail.outbox) == 1
    assert snapshot_counts(fb) == []


@pytest.mark.parametrize(
    ("platform", "name"),
    [("facebook", "Facebook"), ("x", "X")],
)
def test_post_deleted_on_the_platform_stops_collection(fakes, published, platform, name):
    delivery = sent_ago(published(platform)[platform], 1.1)
    assert delivery_metrics_collect(delivery_id=delivery.pk) == MState.ACTIVE
    channel = delivery.channel
    connector = connector_for_delivery(channel=channel, token=channel_credential_secret(channel=channel))
    try:
        connector.delete(delivery.platform_post_id)  # removed by hand, outside Humas
    finally:
        connector.close()

    delivery = sent_ago(delivery, 6.1)
    assert delivery_metrics_collect(delivery_id=delivery.pk) == MState.STOPPED
    delivery.refresh_from_db()
    assert delivery.metrics_next_at is None
    assert delivery.metrics_note == (
        f"Unggahan tidak ada lagi di {name} (dihapus); statistik tidak dikumpulkan lagi."
    )
    assert len(snapshot_counts(delivery)) == 1  # the numbers collected before stay
    assert metrics_due(now=timezone.now() + 30 * 24 * HOUR) == []


def test_withdrawn_post_stops_collection_without_a_call(fakes, published, editor):
    x = sent_ago(published("x")["x"], 1.1)
    publication_withdraw(actor=editor, publication=x.publication, reason="Salah tanggal")
    fault = fakes.hub.add_fault(platform="x", kind="error", status=503, times=None)

    assert delivery_metrics_collect(delivery_id=x.pk) == MState.STOPPED
    x.refresh_from_db()
    assert x.metrics_note == "Unggahan ditarik; statistik tidak dikumpulkan lagi."
    assert fault.fired == 0


@pytest.mark.parametrize("kind", ["html", "truncated", "shape", "error"])
def test_garbage_answers_are_retried_then_the_point_is_skipped(fakes, published, kind):
    x = sent_ago(published("x")["x"], 1.1)
    fakes.hub.add_fault(platform="x", kind=kind, status=502, method="GET", times=None)

    for attempt in range(1, MAX_ATTEMPTS):
        assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
        x.refresh_from_db()
        assert (x.metrics_stage, x.metrics_attempts) == (0, attempt)
        wait = (x.metrics_next_at - timezone.now()).total_seconds()
        assert 5 * 60 * 2 ** (attempt - 1) - 5 < wait <= 5 * 60 * 2 ** (attempt - 1)
        Delivery.objects.filter(pk=x.pk).update(metrics_next_at=timezone.now() - timedelta(seconds=1))
    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    x.refresh_from_db()
    assert (x.metrics_stage, x.metrics_attempts) == (1, 0)
    assert x.metrics_next_at == x.sent_at + 6 * HOUR
    assert x.metrics_note
    assert snapshot_counts(x) == []


def test_collecting_twice_makes_one_snapshot(fakes, published):
    x = sent_ago(published("x")["x"], 1.1)
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 4})

    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    x.refresh_from_db()
    next_at = x.metrics_next_at
    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    assert metrics_sweep() == {"started": 0, "due": 0}
    x.refresh_from_db()
    assert (x.metrics_stage, x.metrics_next_at) == (1, next_at)
    assert snapshot_counts(x) == [(0, 4, 0, 0, 0, None, None, None)]


def test_a_claim_in_flight_is_not_taken_again_until_its_lease_ends(fakes, published):
    from humas.publishing.metrics import LEASE, _claim

    x = sent_ago(published("x")["x"], 1.1)
    claimed = _claim(x.pk, timezone.now())  # a worker took it, then died before recording
    assert claimed is not None

    assert delivery_metrics_collect(delivery_id=x.pk) == MState.ACTIVE
    assert snapshot_counts(x) == []
    assert delivery_metrics_collect(delivery_id=x.pk, now=timezone.now() + LEASE + timedelta(seconds=1)) == (
        MState.ACTIVE
    )
    assert [s[0] for s in snapshot_counts(x)] == [0]


def test_sent_long_ago_is_not_followed_and_failed_deliveries_never_start(published):
    x = published("x")["x"]
    Delivery.objects.filter(pk=x.pk).update(
        metrics_state=MState.PENDING, metrics_next_at=None, sent_at=timezone.now() - 8 * 24 * HOUR
    )

    assert metrics_start() == 0
    x.refresh_from_db()
    assert x.metrics_state == MState.DONE and x.metrics_next_at is None


def test_detail_page_shows_latest_counts_totals_and_history(client, fakes, published, operator):
    deliveries = published("facebook", "x", "telegram")
    fb, x = deliveries["facebook"], deliveries["x"]
    fakes.hub.set_engagement("facebook", fb.platform_post_id, {"reactions": 1234, "shares": 56})
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 789, "impression_count": 40321})
    for d in (fb, x):
        delivery_metrics_collect(delivery_id=sent_ago(d, 1.1).pk)
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 800})
    delivery_metrics_collect(delivery_id=sent_ago(x, 6.1).pk)

    client.force_login(operator)
    page = client.get(f"{BASE}{fb.publication.post_id}/").content.decode()

    assert "Statistik unggahan" in page
    assert '<strong data-metric="reactions">2034</strong>' in page  # 1234 + 800 (latest of X)
    assert '<strong data-metric="shares">56</strong>' in page
    assert "Total semua kanal, diperbarui" in page and "WIB" in page
    assert page.count("diperbarui ") >= 3
    assert f"<summary>Riwayat {escape(x.channel)} (2 kali)" in page
    assert f"<summary>Riwayat {escape(fb.channel)} (1 kali)" in page
    assert page.count("<polyline points=") == 1  # X has two points: a sparkline
    assert "Platform ini tidak menyediakan statistik unggahan lewat API." in page  # Telegram


def test_detail_page_queries_do_not_grow_with_channels(
    client, fakes, published, operator, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(operator)

    def post_with(platforms: tuple[str, ...], text: str) -> int:
        deliveries = published(*platforms, text=text)
        for d in deliveries.values():
            if d.channel.platform != "telegram":
                delivery_metrics_collect(delivery_id=sent_ago(d, 1.1).pk)
                delivery_metrics_collect(delivery_id=sent_ago(d, 6.1).pk)
        return next(iter(deliveries.values())).publication.post_id

    one, three = (
        post_with(("x",), "Satu kanal saja."),
        post_with(("x", "facebook", "telegram"), "Tiga kanal."),
    )
    client.get(f"{BASE}{one}/")  # warm-up: anything created once per office on first view

    def queries(post_id: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}{post_id}/").status_code == 200
        return len(ctx.captured_queries)

    assert queries(three) == queries(one)
    with django_assert_max_num_queries(queries(one)):
        page = client.get(f"{BASE}{three}/").content.decode()
    assert page.count("<summary>Riwayat ") == 2


def test_portal_delivery_collects_the_articles_view_counter(
    fakes, offices, approved_post, operator, django_capture_on_commit_callbacks
):
    from humas.portal.counter import views_flush
    from humas.portal.models import ArticleViewBuffer
    from humas.publishing.portal_channel import portal_channel_ensure

    channel = portal_channel_ensure(office=offices["33.20"])
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(
            actor=operator, post=approved_post("Rekapitulasi suara tingkat kabupaten."), channels=[channel]
        )
    delivery = publication.deliveries.get()
    assert delivery.state == Delivery.State.SENT
    assert metrics_start() == 1
    article_id = int(delivery.platform_post_id)
    views_flush()  # whatever an earlier test left in a shared Redis buffer is not this article's
    ArticleViewBuffer.objects.bulk_create(
        ArticleViewBuffer(article_id=article_id, day=timezone.now().date()) for _ in range(17)
    )
    assert views_flush() == 17

    assert delivery_metrics_collect(delivery_id=sent_ago(delivery, 1.1).pk) == MState.ACTIVE
    assert snapshot_counts(delivery) == [(0, None, None, None, None, None, 17, None)]
    snapshot = DeliveryMetrics.objects.get(delivery=delivery)
    assert snapshot.unavailable == ["reactions", "comments", "shares", "impressions", "reach", "link_clicks"]


def test_api_returns_a_posts_metrics_to_its_office_only(client, fakes, published, operator, member):
    x = published("x")["x"]
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 21, "impression_count": 300})
    delivery_metrics_collect(delivery_id=sent_ago(x, 1.1).pk)
    url = f"/api/v1/posts/{x.publication.post_id}/metrics"

    assert client.get(url).status_code == 401
    client.force_login(member("73.71", "admin", email="admin.makassar@kpu.test"))  # another office
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/posts/999999/metrics").status_code == 404

    client.force_login(operator)
    body = client.get(url).json()
    assert body["post_id"] == x.publication.post_id
    assert body["totals"] == {
        "reactions": 21,
        "comments": 0,
        "shares": 0,
        "impressions": 300,
        "reach": None,
        "views": None,
        "link_clicks": None,  # a post without a link
    }
    assert body["interactions"] == 21
    [row] = body["deliveries"]
    assert (row["delivery_id"], row["platform"], row["metrics_state"]) == (x.pk, "x", "active")
    assert row["latest"]["reactions"] == 21 and row["latest"]["unavailable"] == [
        "reach",
        "views",
        "link_clicks",
    ]
    assert len(row["history"]) == 1
    assert row["next_collection_at"] is not None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_metrics_fit_a_phone(live_server, phone, fakes, published, operator):  # noqa: F811
    from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

    deliveries = published("facebook", "x", "telegram", text="Debat publik calon bupati " * 8)
    x = deliveries["x"]
    fakes.hub.set_engagement(
        "x", x.platform_post_id, {"like_count": 1_234_567, "impression_count": 98_765_432}
    )
    delivery_metrics_collect(delivery_id=sent_ago(x, 1.1).pk)
    fakes.hub.set_engagement("x", x.platform_post_id, {"like_count": 2_345_678})
    delivery_metrics_collect(delivery_id=sent_ago(x, 6.1).pk)
    delivery_metrics_collect(delivery_id=sent_ago(deliveries["facebook"], 1.1).pk)

    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    response = phone.goto(f"{live_server.url}{BASE}{x.publication.post_id}/")
    assert response.status == 200
    phone.locator("#metrics summary").first.click()
    assert "2345678" in phone.locator("#metrics").inner_text()
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []


def test_assisted_delivery_marked_published_has_no_metrics_source(
    admin, offices, approved_post, operator, django_capture_on_commit_callbacks
):
    from humas.channels.services import ChannelInput, channel_create
    from humas.publishing.assisted import delivery_mark_published

    tiktok = channel_create(
        actor=admin,
        office=offices["33.20"],
        data=ChannelInput(platform="tiktok", name="KPU Jepara tiktok", handle="kpujepara"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        publication = publication_create(actor=operator, post=approved_post(), channels=[tiktok])
    delivery = publication.deliveries.get()
    delivery_mark_published(
        actor=operator, delivery=delivery, url="https://www.tiktok.com/@kpujepara/video/7301234567890123456"
    )

    assert metrics_start() == 0
    delivery.refresh_from_db()
    assert (delivery.metrics_state, delivery.metrics_next_at) == (MState.UNAVAILABLE, None)
    assert metrics_due(now=timezone.now() + 30 * 24 * HOUR) == []
    summary = post_metrics_summary(post=publication.post)
    assert [r.delivery.pk for r in summary.rows] == [delivery.pk]
    assert not summary.has_numbers and summary.interactions is None
