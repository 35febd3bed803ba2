"""Followers of every channel, one count per channel and day (the office's own day): asked of the
platforms within their rate limits, or recorded by a person for the assisted channels.

Every 10 minutes ``followers_sweep`` takes the connected API channels still without today's count
(active, not flagged for reconnection, not waiting for a rate limit or a retry), at most
PER_PLATFORM of each platform, claims them and enqueues one task each. The task
(``channel_followers_collect``) calls the platform outside any transaction and keeps the answer
with one upsert of the (channel, day) row: a second run the same day updates the count, never adds
a row. Outcomes:

- a count: today's row; the channel is done for the day.
- rate-limited: waits until the platform's time (the shared rate-limit store refuses a call before
  then without sending it).
- transient (5xx, timeout, garbage answer): asked again after RETRY.
- credentials invalid: no count; the channel health flow verifies the channel (it flags it for
  reconnection and warns the Administrators once); while it is flagged, no call is made.
- the platform no longer gives the number (the field left out, or refused for this account): no
  row, said once in the log and on the analytics page ("Jumlah pengikut tidak tersedia dari
  platform"); asked again the next day.

These waits live in the shared cache beside the connectors' rate-limit waits: every worker sees
them, and losing them costs at most one call. YouTube, TikTok and WhatsApp channels have no API
for it: a person records their count (``follower_count_record``) into the same row.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, DateField, Exists, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.connect import channel_check_health
from humas.channels.connectors import (
    BadRequest,
    Capability,
    ConnectorError,
    CredentialsInvalid,
    FollowerSource,
    RateLimited,
    RetryLater,
)
from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.channels.services import ChannelError
from humas.channels.tokens import channel_credential_secret
from humas.offices import policy
from humas.offices.models import Office
from humas.publishing.delivery import connector_for_delivery

from .models import FollowerCount

logger = logging.getLogger(__name__)

# Spread over the day, so that no platform's limit is approached. Every 10 minutes at most
# PER_PLATFORM channels of each platform are asked, one call each: the 553 accounts of a platform
# take 70 sweeps (11 h 40 min) from their offices' midnight, and each platform sees at most 8 calls
# in 10 minutes from the whole installation, against:
# - Facebook Pages and Instagram (Graph): one call per account per day, against the Business Use
#   Case limit of each Page (4,800 × engaged users per 24 h) and each Instagram account (4,800 ×
#   impressions per 24 h) that Page tokens count towards; the app sends 48 an hour per platform,
#   96 in all, where a user token's Platform limit alone would allow 200 per user per hour.
# - X, GET /2/users/:id: 900 requests per 15 min per user and 300 per 15 min per app; at most 16
#   in any 15 min in all (two sweeps: about 5 % of the app's limit), one per user per day.
# - Telegram, getChatMemberCount: about 30 requests per second per bot; 8 in 10 minutes even when
#   every channel shares one bot.
PER_PLATFORM = 8
# A claimed channel whose task did not finish (its worker died) is taken again after this long.
LEASE = timedelta(minutes=15)
# Transient failures are asked again after this long (or the platform's retry time, if later).
RETRY = timedelta(minutes=30)
# "Not available from the platform" is logged once per channel while it lasts (up to this long).
UNAVAILABLE_LOGGED = timedelta(days=30)
# Channels whose followers a person records: the assisted ones (the portal has visitors instead).
ASSISTED_PLATFORMS = frozenset({Platform.YOUTUBE, Platform.TIKTOK, Platform.WHATSAPP})
MAX_COUNT = 10**12

Outcome = str  # counted | postponed | retry | unavailable | skipped


class FollowersError(ValueError):
    """A count a person recorded that cannot be kept; the message is translated."""


def unavailable_text() -> str:
    return _("Jumlah pengikut tidak tersedia dari platform")


def _hold_key(channel_id: int) -> str:
    return f"humas:followers:hold:{channel_id}"


def _claim_key(channel_id: int) -> str:
    return f"humas:followers:claim:{channel_id}"


def _logged_key(channel_id: int) -> str:
    return f"humas:followers:unavailable-logged:{channel_id}"


def office_today(office: Office, now: datetime) -> date:
    """The office's own date at ``now``."""
    return timezone.localdate(now, timezone=office.zoneinfo)


# --------------------------------------------------------------------------------------------
# Which channels are due


def followers_due(*, now: datetime | None = None, per_platform: int = PER_PLATFORM) -> list[int]:
    """Ids of the connected API channels still without a count for their office's today, at most
    ``per_platform`` of each platform, oldest channel first; channels waiting for a rate limit or
    a retry, and those claimed by a task not finished yet, are left out. One query and one cache
    round trip."""
    now = now or timezone.now()
    today = Case(
        *[
            When(office__time_zone=zone, then=Value(timezone.localdate(now, timezone=ZoneInfo(zone))))
            for zone in Office.TimeZone.values
        ],
        output_field=DateField(),
    )
    candidates = list(
        Channel.objects.filter(
            is_active=True,
            office__is_active=True,
            platform__in=API_PLATFORMS,
            credential__isnull=False,
        )
        .exclude(health=Channel.Health.RECONNECT)
        .annotate(today=today)
        .exclude(Exists(FollowerCount.objects.filter(channel=OuterRef("pk"), day=OuterRef("today"))))
        .order_by("pk")
        .values_list("pk", "platform")
    )
    waiting = cache.get_many([key for pk, _p in candidates for key in (_hold_key(pk), _claim_key(pk))])
    taken: Counter[str] = Counter()
    due = []
    for pk, platform in candidates:
        if _hold_key(pk) in waiting or _claim_key(pk) in waiting or taken[platform] >= per_platform:
            continue
        taken[platform] += 1
        due.append(pk)
    return due


def followers_sweep(*, now: datetime | None = None, per_platform: int = PER_PLATFORM) -> int:
    """Claim the due channels (``followers_due``) and enqueue one collection each; how many. Safe
    to run any number of times: a claimed channel is not taken again until its task is done or
    its lease is over."""
    now = now or timezone.now()
    due = followers_due(now=now, per_platform=per_platform)
    if due:
        cache.set_many({_claim_key(pk): now.timestamp() for pk in due}, timeout=int(LEASE.total_seconds()))
    for pk in due:
        collect_followers_task(pk)
    return len(due)


# --------------------------------------------------------------------------------------------
# Collecting


@dataclass(frozen=True)
class _Answer:
    kind: Outcome
    count: int | None = None
    at: datetime | None = None
    note: str = ""


def _ask(channel: Channel) -> _Answer:
    """Ask the platform; every answer, garbage included, becomes an _Answer."""
    try:
        token = channel_credential_secret(channel=channel, preloaded=True)
    except ChannelError as exc:
        return _Answer("skipped", note=str(exc))
    connector = connector_for_delivery(channel=channel, token=token)
    try:
        if not isinstance(connector, FollowerSource) or Capability.FOLLOWERS not in connector.capabilities:
            return _Answer("unavailable")
        count = connector.followers()
        if count is None:
            return _Answer("unavailable")
        return _Answer("counted", count=count)
    except RateLimited as exc:
        return _Answer("postponed", at=exc.until, note=exc.message)
    except RetryLater as exc:
        return _Answer("retry", at=exc.retry_after, note=exc.message)
    except CredentialsInvalid as exc:
        channel_check_health(channel_id=channel.pk)
        return _Answer("skipped", note=exc.message)
    except BadRequest as exc:  # Unsupported, or the platform refuses the number for this account
        return _Answer("unavailable", note=exc.message)
    except ConnectorError as exc:  # PermissionMissing: the platform's reason, shown as is
        return _Answer("unavailable", note=exc.message)
    except Exception:
        # Connectors classify every failure; anything else is a bug there, and must not stop the
        # other channels nor loop: it is asked again later like a transient failure.
        logger.exception("followers of channel %s: unexpected connector failure", channel.pk)
        return _Answer("retry")
    finally:
        connector.close()


def _end_of_day(office: Office, now: datetime) -> datetime:
    tomorrow = office_today(office, now) + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=office.zoneinfo)


def _hold(channel: Channel, kind: Outcome, until: datetime, note: str, now: datetime) -> None:
    seconds = max(1, int((until - now).total_seconds()))
    cache.set(
        _hold_key(channel.pk),
        {"kind": kind, "note": note[:500], "until": until.isoformat()},
        timeout=seconds,
    )


def _upsert(*, channel_id: int, day: date, count: int, at: datetime) -> None:
    """One statement: INSERT … ON CONFLICT (channel, day) DO UPDATE."""
    FollowerCount.objects.bulk_create(
        [FollowerCount(channel_id=channel_id, day=day, count=count, collected_at=at)],
        update_conflicts=True,
        unique_fields=["channel", "day"],
        update_fields=["count", "collected_at"],
    )


def _record(channel: Channel, answer: _Answer, now: datetime) -> Outcome:
    if answer.kind == "counted" and answer.count is not None and answer.count <= MAX_COUNT:
        _upsert(channel_id=channel.pk, day=office_today(channel.office, now), count=answer.count, at=now)
        cache.delete_many([_hold_key(channel.pk), _logged_key(channel.pk)])
        return "counted"
    if answer.kind == "postponed":
        # A rate-limit wait is an appointment: the platform said when.
        _hold(channel, "postponed", max(answer.at or now, now + timedelta(minutes=1)), answer.note, now)
        return "postponed"
    if answer.kind == "retry":
        until = max(now + RETRY, answer.at or now)
        _hold(channel, "retry", until, answer.note, now)
        return "retry"
    if answer.kind == "skipped":
        _hold(channel, "skipped", _end_of_day(channel.office, now), answer.note, now)
        return "skipped"
    # Unavailable (also a count no platform could mean): no row; asked again tomorrow.
    _hold(channel, "unavailable", _end_of_day(channel.office, now), answer.note, now)
    if cache.add(_logged_key(channel.pk), now.timestamp(), timeout=int(UNAVAILABLE_LOGGED.total_seconds())):
        logger.warning(
            "followers of channel %s (%s) are not available from the platform: %s",
            channel.pk,
            channel.platform,
            answer.note or "no count in the answer",
        )
    return "unavailable"


def channel_followers_collect(*, channel_id: int, now: datetime | None = None) -> Outcome:
    """Ask the platform for the followers of one connected channel and keep the count as the
    office's today. Idempotent: the row of (channel, day) is upserted. A channel that is inactive,
    not an API channel, or flagged for reconnection is skipped without a call. Releases the
    sweep's claim. Returns the outcome: counted, postponed, retry, unavailable or skipped."""
    now = now or timezone.now()
    try:
        channel = Channel.objects.select_related("office", "credential").filter(pk=channel_id).first()
        if channel is None or not channel.is_active or channel.platform not in API_PLATFORMS:
            return "skipped"
        if channel.health == Channel.Health.RECONNECT:
            # The channel health flow has flagged it and told the Administrators: no call, no spam.
            return "skipped"
        return _record(channel, _ask(channel), now)
    finally:
        cache.delete(_claim_key(channel_id))


# --------------------------------------------------------------------------------------------
# Recorded by a person


def follower_count_record(
    *, actor: User, channel: Channel, count: int, now: datetime | None = None
) -> FollowerCount:
    """Record today's followers (the office's day) of an assisted channel (YouTube, TikTok,
    WhatsApp), as whoever posts on it for the office may (``content.publish``). Recording again the
    same day replaces the count. Audited. Raises PolicyDenied or FollowersError."""
    policy.require(actor, "content.publish", channel.office)
    if channel.platform not in ASSISTED_PLATFORMS:
        if channel.platform in API_PLATFORMS:
            raise FollowersError(_("Jumlah pengikut kanal ini dikumpulkan otomatis dari platformnya."))
        raise FollowersError(_("Kanal ini tidak memiliki pengikut untuk dicatat."))
    if not channel.is_active:
        raise FollowersError(_("Kanal ini sudah dinonaktifkan."))
    if isinstance(count, bool) or not isinstance(count, int):
        raise FollowersError(_("Isi jumlah pengikut dengan bilangan bulat."))
    if count < 0:
        raise FollowersError(_("Jumlah pengikut tidak boleh negatif."))
    if count > MAX_COUNT:
        raise FollowersError(_("Jumlah pengikut terlalu besar."))
    now = now or timezone.now()
    day = office_today(channel.office, now)
    with transaction.atomic():
        before = (
            FollowerCount.objects.select_for_update()
            .filter(channel=channel, day=day)
            .values_list("count", flat=True)
            .first()
        )
        _upsert(channel_id=channel.pk, day=day, count=count, at=now)
        audit_record(
            actor=actor,
            office=channel.office,
            action="followers.record",
            obj=channel,
            changes={
                "day": day.isoformat(),
                "followers": count if before is None else {"before": before, "after": count},
            },
        )
    return FollowerCount.objects.get(channel=channel, day=day)


# --------------------------------------------------------------------------------------------
# Reading (the analytics page)


@dataclass(frozen=True)
class ChannelFollowers:
    """One of an office's own channels with its latest count (None: none yet) and, when its last
    ask had no count, why (``status``: unavailable, postponed, retry, skipped)."""

    channel: Channel
    count: int | None
    day: date | None
    counted_today: bool
    status: str
    note: str
    manual: bool
    can_record: bool

    @property
    def unavailable(self) -> bool:
        return self.status == "unavailable"


def channel_followers_list(
    *, actor: User, office: Office, now: datetime | None = None
) -> list[ChannelFollowers]:
    """The office's own active channels (not its portal) with their latest follower count. One
    query and one cache round trip."""
    policy.require(actor, "report.view", office)
    now = now or timezone.now()
    today = office_today(office, now)
    latest = FollowerCount.objects.filter(channel=OuterRef("pk")).order_by("-day")
    channels = list(
        Channel.objects.filter(office=office, is_active=True)
        .exclude(platform=Platform.PORTAL)
        .annotate(
            latest_count=Subquery(latest.values("count")[:1]),
            latest_day=Subquery(latest.values("day")[:1]),
        )
        .order_by("platform", "name", "pk")
    )
    holds: dict[str, Any] = cache.get_many([_hold_key(channel.pk) for channel in channels])
    may_record = policy.can(actor, "content.publish", office)
    found = []
    for channel in channels:
        hold = holds.get(_hold_key(channel.pk))
        hold = hold if isinstance(hold, dict) else {}
        manual = channel.platform in ASSISTED_PLATFORMS
        day: date | None = channel.latest_day
        found.append(
            ChannelFollowers(
                channel=channel,
                count=channel.latest_count,
                day=day,
                counted_today=day == today,
                status=str(hold.get("kind", "")),
                note=str(hold.get("note", "")),
                manual=manual,
                can_record=manual and may_record,
            )
        )
    return found


# Enqueued by the sweep above; declared here, beside it, so that this module never imports
# tasks.py (tasks.py imports it). A task takes an id, loads fresh state and calls the service.
@db_task(retries=0)
def collect_followers_task(channel_id: int) -> None:
    channel_followers_collect(channel_id=channel_id)
