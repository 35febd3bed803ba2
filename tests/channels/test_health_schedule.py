"""Channel health is re-checked on its own (issue #14): a periodic, staggered sweep, a check soon
after a worker starts, never two checks of one channel at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from humas.channels import connect, crypto
from humas.channels.connect import channel_check_health, channel_connect_token, channels_due_for_check
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import ChannelInput, channel_create

pytestmark = pytest.mark.django_db

JEPARA = "33.20"


def connected_x(fakes, admin, offices) -> Channel:
    channel = channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform="x", name="KPU Jepara", handle="kpu_demo1"),
    )
    channel_connect_token(
        actor=admin, channel=channel, token=fakes.hub.accounts[0]["x"]["access_token"], account_id=""
    )
    channel.refresh_from_db()
    return channel


def stored_channels(offices, count: int, *, verified_minutes_ago: list[int | None]) -> list[Channel]:
    """``count`` connected Telegram channels (credentials stored without a platform) checked that
    many minutes ago (None: never)."""
    channels = []
    now = timezone.now()
    for index, ago in enumerate(verified_minutes_ago[:count]):
        channel = Channel.objects.create(
            office=offices[JEPARA],
            platform="telegram",
            name=f"Kanal {index}",
            account_id=f"@kanal{index}",
            health=Channel.Health.HEALTHY,
            last_verified_at=None if ago is None else now - timedelta(minutes=ago),
        )
        ChannelCredential.objects.create(channel=channel, ciphertext=crypto.encrypt("rahasia"), kind="bot")
        channels.append(channel)
    return channels


def count_platform_calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = connect.channel_verify

    def counting(*, channel, token):
        calls.append(channel.pk)
        return original(channel=channel, token=token)

    monkeypatch.setattr(connect, "channel_verify", counting)
    return calls


# --- which channels, how many at a time -----------------------------------------------------------


def test_due_channels_come_oldest_first_and_a_few_at_a_time(settings, offices):
    settings.HUMAS_CHANNEL_CHECK_MINUTES = 2
    channels = stored_channels(offices, 12, verified_minutes_ago=[None, 1, 3, 90, 5, 4, 6, 7, 8, 9, 10, 11])
    Channel.objects.create(office=offices[JEPARA], platform="x", name="Belum terhubung")  # no credential
    Channel.objects.filter(pk=channels[-1].pk).update(is_active=False)

    ids, cutoff = channels_due_for_check()

    # 11 connected and active: each is checked every 2 minutes, so about 6 a minute (never a burst).
    assert ids == [channels[i].pk for i in (0, 3, 10, 9, 8, 7)]
    assert timezone.now() - timedelta(minutes=2, seconds=5) < cutoff <= timezone.now() - timedelta(minutes=2)


def test_the_periodic_task_runs_every_minute_and_notices_a_revoked_token_by_itself(
    fakes, admin, offices, settings
):
    from humas.channels.tasks import check_due_channels_task

    settings.HUMAS_CHANNEL_CHECK_MINUTES = 30
    channel = connected_x(fakes, admin, offices)
    fakes.hub.expire_token("x", fakes.hub.accounts[0]["x"]["access_token"])
    Channel.objects.filter(pk=channel.pk).update(last_verified_at=timezone.now() - timedelta(minutes=31))

    assert check_due_channels_task.task_class().validate_datetime(datetime(2026, 12, 6, 3, 7, tzinfo=UTC))
    check_due_channels_task.call_local()

    channel.refresh_from_db()
    assert channel.health == Channel.Health.RECONNECT
    assert channel.last_verified_at > timezone.now() - timedelta(minutes=1)


def test_a_channel_checked_since_it_was_picked_is_not_checked_again(fakes, admin, offices, monkeypatch):
    channel = connected_x(fakes, admin, offices)
    calls = count_platform_calls(monkeypatch)

    answer = channel_check_health(
        channel_id=channel.pk, checked_before=channel.last_verified_at - timedelta(seconds=1)
    )

    assert (answer, calls) == ("fresh", [])
    assert channel_check_health(channel_id=channel.pk) == Channel.Health.HEALTHY
    assert calls == [channel.pk]


# --- one check of a channel at a time ---------------------------------------------------------------


def test_a_check_already_running_is_not_doubled(fakes, admin, offices, monkeypatch):
    channel = connected_x(fakes, admin, offices)
    Channel.objects.filter(pk=channel.pk).update(health_check_started_at=timezone.now())
    calls = count_platform_calls(monkeypatch)

    assert channel_check_health(channel_id=channel.pk, wait=False) == "busy"
    assert calls == []


def test_a_caller_that_needs_the_verdict_waits_for_the_running_check(fakes, admin, offices, monkeypatch):
    channel = connected_x(fakes, admin, offices)
    Channel.objects.filter(pk=channel.pk).update(health_check_started_at=timezone.now())
    calls = count_platform_calls(monkeypatch)

    def the_other_check_finishes(seconds):
        Channel.objects.filter(pk=channel.pk).update(
            health=Channel.Health.RECONNECT, health_check_started_at=None
        )

    monkeypatch.setattr(connect.time, "sleep", the_other_check_finishes)

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.RECONNECT
    assert calls == []


def test_a_check_left_by_a_dead_worker_does_not_block_the_channel(fakes, admin, offices, monkeypatch):
    channel = connected_x(fakes, admin, offices)
    Channel.objects.filter(pk=channel.pk).update(
        health_check_started_at=timezone.now() - timedelta(minutes=10)
    )
    calls = count_platform_calls(monkeypatch)

    assert channel_check_health(channel_id=channel.pk, wait=False) == Channel.Health.HEALTHY
    assert calls == [channel.pk]
    channel.refresh_from_db()
    assert channel.health_check_started_at is None  # released


def test_the_claim_is_released_when_the_check_fails(fakes, admin, offices, monkeypatch):
    channel = connected_x(fakes, admin, offices)

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(connect, "channel_verify", broken)
    with pytest.raises(RuntimeError):
        channel_check_health(channel_id=channel.pk)

    channel.refresh_from_db()
    assert channel.health_check_started_at is None


# --- soon after a worker starts -------------------------------------------------------------------------


def test_after_a_worker_starts_every_connected_channel_is_checked_soon_one_after_another(
    offices, monkeypatch
):
    from humas.channels import tasks

    channels = stored_channels(offices, 4, verified_minutes_ago=[1, 2, None, 0])
    started = timezone.now()
    Channel.objects.filter(pk=channels[3].pk).update(last_verified_at=started + timedelta(seconds=1))
    scheduled: list[tuple[tuple, float]] = []
    monkeypatch.setattr(
        tasks.check_channel_health_task,
        "schedule",
        lambda args, delay: scheduled.append((args, delay)),
    )

    tasks.check_channels_after_start_task.call_local(started.timestamp())

    assert [args[0] for args, _ in scheduled] == [channels[2].pk, channels[1].pk, channels[0].pk]
    assert {args[1] for args, _ in scheduled} == {started.timestamp()}
    delays = [delay for _, delay in scheduled]
    assert delays == sorted(delays) and delays[0] <= 5 and delays[-1] > delays[0]


def test_the_check_after_start_skips_a_channel_checked_meanwhile(fakes, admin, offices, monkeypatch):
    from humas.channels.tasks import check_channel_health_task

    channel = connected_x(fakes, admin, offices)
    calls = count_platform_calls(monkeypatch)
    started = channel.last_verified_at - timedelta(seconds=5)

    check_channel_health_task.call_local(channel.pk, started.timestamp())

    assert calls == []
