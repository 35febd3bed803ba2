"""Periodic channel health checks. Each task takes ids, loads fresh state and is idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .alerts import channel_tokens_warn
from .connect import channel_check_health, channels_checked_before, channels_due_for_check

# The checks after a worker starts go one after another, this many seconds apart, the first
# after FIRST_DELAY: soon, but never all at once against the platforms.
AFTER_START_FIRST_DELAY = 2.0
AFTER_START_SPACING = 0.5


@db_task(retries=0)
def check_channel_health_task(channel_id: int, checked_before: float | None = None) -> None:
    """Verify one channel, unless it was verified at or after ``checked_before`` (a timestamp)
    or a check of it is running already: queued twice, it checks once."""
    channel_check_health(
        channel_id=channel_id,
        checked_before=datetime.fromtimestamp(checked_before, UTC) if checked_before is not None else None,
        wait=False,
    )


@db_periodic_task(crontab(minute="*"))
def check_due_channels_task() -> None:
    """Every minute: verify the connected channels not verified for HUMAS_CHANNEL_CHECK_MINUTES,
    a share of them at a time, so expiry and revoked tokens are seen (and Administrators warned)
    before a publication fails, without anyone pressing "Periksa"."""
    ids, cutoff = channels_due_for_check()
    for channel_id in ids:
        check_channel_health_task(channel_id, cutoff.timestamp())


@db_task(retries=0)
def check_channels_after_start_task(started_at: float) -> None:
    """Enqueued by ``humas worker`` as it starts: verify every channel not verified since, one
    after another. Platforms may have changed while no worker ran (a token revoked, the demo's
    fakes restarted): the channel list must not say "Sehat" on an old verdict."""
    moment = datetime.fromtimestamp(started_at, UTC)
    for index, channel_id in enumerate(channels_checked_before(moment=moment)):
        check_channel_health_task.schedule(
            args=(channel_id, started_at), delay=AFTER_START_FIRST_DELAY + index * AFTER_START_SPACING
        )


# 01:05 UTC is 08:05 WIB, 09:05 WITA, 10:05 WIT: the warning arrives at the start of a work day.
@db_periodic_task(crontab(minute="5", hour="1"))
def warn_expiring_tokens_task() -> None:
    """Daily: warn Administrators 7, 3 and 1 days (HUMAS_TOKEN_WARN_THRESHOLDS) before a token expires."""
    channel_tokens_warn()
