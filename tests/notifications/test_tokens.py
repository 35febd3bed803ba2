"""Token expiry warned days before: thresholds (7, 3, 1 days), once each, Administrators who
reach the office only. Time is passed as ``now=``: no clock is mocked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from humas.channels.alerts import channel_health_notify, channel_tokens_warn, token_threshold
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create, channel_store_credential
from humas.notifications.models import Notification
from humas.notifications.selectors import days_left

pytestmark = pytest.mark.django_db

EXPIRES = datetime(2029, 3, 20, 5, 0, tzinfo=UTC)  # 12.00 WIB


@pytest.fixture
def channel(offices, admin):
    channel = channel_create(
        actor=admin, office=offices["33.20"], data=ChannelInput(platform="facebook", name="KPU Jepara")
    )
    channel_store_credential(
        actor=admin, channel=channel, secret="page-token", kind="page", personal=True, expires_at=EXPIRES
    )
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=EXPIRES, health=Channel.Health.HEALTHY)
    channel.refresh_from_db()
    return channel


def at(days: float) -> datetime:
    """The moment ``days`` before the token expires."""
    return EXPIRES - timedelta(days=days)


@pytest.mark.parametrize(
    ("before", "left", "threshold"),
    [(10, 10, None), (7.5, 8, None), (7, 7, 7), (6.2, 7, 7), (4, 4, 7), (3, 3, 3), (1.5, 2, 3), (0.4, 1, 1)],
)
def test_thresholds(before, left, threshold):
    assert days_left(expires_at=EXPIRES, now=at(before)) == left
    assert token_threshold(expires_at=EXPIRES, now=at(before)) == threshold


def test_expired_token_is_not_a_threshold():
    assert token_threshold(expires_at=EXPIRES, now=EXPIRES + timedelta(minutes=1)) is None


def test_daily_task_warns_at_7_3_and_1_days_once_each(
    channel, admin, province_admin, national_admin, neighbour_admin, editor
):
    told = []
    for day in (9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5, -1):  # one run a day, the same hour
        result = channel_tokens_warn(now=at(day))
        told.append(result["notified"])
    # Each threshold tells the three Administrators who reach Jepara (its own, Jawa Tengah's, KPU RI's).
    assert told == [0, 0, 3, 0, 0, 0, 3, 0, 3, 0, 0]

    titles = list(Notification.objects.filter(recipient=admin).order_by("pk").values_list("title", flat=True))
    assert titles == [
        "Token Facebook: KPU Jepara kedaluwarsa dalam 7 hari",
        "Token Facebook: KPU Jepara kedaluwarsa dalam 3 hari",
        "Token Facebook: KPU Jepara kedaluwarsa dalam 1 hari",
    ]
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        "admin.jepara@kpu.test",
        "admin.jateng@kpu.test",
        "admin.ri@kpu.test",
    }
    assert len(mail.outbox) == 9
    first = mail.outbox[0]
    assert first.subject == "Humas: Token Facebook: KPU Jepara kedaluwarsa dalam 7 hari"
    assert "kedaluwarsa pada 20-03-2029 12:00 WIB" in first.body
    assert f"/app/kab-jepara/settings/channels/{channel.pk}/connect/" in first.body
    notification = Notification.objects.filter(recipient=admin).first()
    assert (notification.kind, notification.office.code) == ("token_expiry", "33.20")


def test_a_missed_day_warns_at_the_threshold_reached(channel, admin):
    # The worker was down for the 7- and 3-day runs: the next run warns once, at 3 days.
    assert channel_tokens_warn(now=at(2.5))["notified"] == 1
    assert list(Notification.objects.values_list("title", flat=True)) == [
        "Token Facebook: KPU Jepara kedaluwarsa dalam 3 hari"
    ]


def test_a_new_token_starts_the_warnings_over(channel, admin):
    channel_tokens_warn(now=at(6))
    renewed = EXPIRES + timedelta(days=60)
    Channel.objects.filter(pk=channel.pk).update(token_expires_at=renewed)
    assert channel_tokens_warn(now=at(6))["notified"] == 0  # 66 days left now
    assert channel_tokens_warn(now=renewed - timedelta(days=6))["notified"] == 1


def test_channels_without_credential_or_inactive_are_skipped(channel, admin):
    Channel.objects.filter(pk=channel.pk).update(is_active=False)
    assert channel_tokens_warn(now=at(1)) == {"channels": 0, "notified": 0}


def test_health_check_turning_expiring_is_the_same_event_as_the_daily_warning(channel, admin):
    channel.health = Channel.Health.EXPIRING
    assert channel_health_notify(channel=channel, title="Kanal perlu perhatian", body="…", now=at(5)) == 1
    assert channel_tokens_warn(now=at(4.5))["notified"] == 0
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_channel_list_says_in_how_many_days(client, channel, admin):
    # The list counts from the real now; put the expiry 5 days and some hours ahead of it.
    from django.utils import timezone

    Channel.objects.filter(pk=channel.pk).update(
        token_expires_at=timezone.now() + timedelta(days=4, hours=20)
    )
    client.force_login(admin)
    page = client.get("/app/kab-jepara/settings/channels/").content.decode()
    assert "Token kedaluwarsa dalam 5 hari" in page
