"""Post metrics: after a delivery is sent, its counts are collected at the points of
HUMAS_METRICS_SCHEDULE_HOURS after ``sent_at`` (+1 h, +6 h, +24 h, +3 d, +7 d by default), then
collection stops.

Every 10 minutes ``metrics_sweep`` starts the schedule of newly sent deliveries in one UPDATE and
enqueues one task per due delivery. The task (``delivery_metrics_collect``) claims the delivery
under a row lock with a lease, calls the platform outside any transaction, and records the outcome
only if its claim still holds (a second run, or a run after a dead worker's lease, finds nothing
to do). Outcomes:

- counts: a snapshot; the next point is the first one still ahead (a late round stands for every
  point it passed); after the last point the delivery is "done".
- rate-limited: postponed to the platform's time; the point is not used up.
- transient (5xx, timeout, garbage answer): retried with backoff a few times, then the point is
  skipped.
- credentials invalid: the point is skipped and the channel health flow verifies the channel
  (it flags it for reconnection and warns the Administrators once); while the channel is flagged,
  no call is made.
- post gone (withdrawn in Humas or deleted on the platform): collection stops and says why.
- no metrics source (Telegram's Bot API, assisted channels): "unavailable", without a call. The
  office's own portal has one: the view counter of the article its delivery made.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.channels.connect import channel_check_health
from humas.channels.connectors import (
    BadRequest,
    Capability,
    ConnectorError,
    CredentialsInvalid,
    PostMetrics,
    RateLimited,
    RetryLater,
    Unsupported,
    build_connector,
)
from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.channels.services import ChannelError
from humas.channels.tokens import channel_credential_secret

from .delivery import connector_for_delivery
from .models import Delivery, DeliveryMetrics, Post

logger = logging.getLogger(__name__)

MetricsState = Delivery.MetricsState
COUNTS = ("reactions", "comments", "shares", "impressions", "reach", "views", "link_clicks")
# What a post's interactions (engagement) add up: the parts its platform gives.
INTERACTIONS = ("reactions", "comments", "shares", "link_clicks")
# A claimed collection not recorded after this long (its worker died) is due again.
LEASE = timedelta(minutes=15)
# Transient failures at one schedule point: retried after 5, 10, 20 min, then the point is skipped.
RETRY_BASE = timedelta(minutes=5)
MAX_ATTEMPTS = 4
SWEEP_BATCH = 5000
# Graph: "Object with ID … does not exist" (a deleted post or media).
GRAPH_MISSING = (100, 33)


def metrics_schedule() -> list[timedelta]:
    """The collection points after ``sent_at``, ascending."""
    return [timedelta(hours=h) for h in sorted({h for h in settings.HUMAS_METRICS_SCHEDULE_HOURS if h > 0})]


@functools.cache
def metrics_platforms() -> frozenset[str]:
    """Platforms whose connector can read a post's metrics."""
    found = set()
    for platform in API_PLATFORMS:
        # capabilities are static: no credential and no network needed.
        connector = build_connector(platform, account_id="-", token="-")  # noqa: S106
        try:
            if Capability.METRICS in connector.capabilities:
                found.add(str(platform))
        finally:
            connector.close()
    # The office's own portal: its article's view counter (portal_channel.PortalConnector.metrics).
    found.add(str(Platform.PORTAL))
    return frozenset(found)


def _next_point(sent_at: datetime, after: int, now: datetime) -> tuple[int, datetime | None]:
    """The first schedule point after ``after`` that is still ahead of ``now``; (len, None) when
    none is left."""
    schedule = metrics_schedule()
    for stage in range(after + 1, len(schedule)):
        at = sent_at + schedule[stage]
        if at > now:
            return stage, at
    return len(schedule), None


# --------------------------------------------------------------------------------------------
# Scheduling


def metrics_start(*, now: datetime | None = None) -> int:
    """Start the schedule of every sent delivery that has none yet (bulk UPDATEs, no row loop).
    Returns how many deliveries were started."""
    now = now or timezone.now()
    schedule = metrics_schedule()
    fresh = Delivery.objects.filter(
        metrics_state=MetricsState.PENDING, state=Delivery.State.SENT, sent_at__isnull=False
    )
    if not schedule:
        return 0
    fresh.exclude(channel__platform__in=metrics_platforms()).update(
        metrics_state=MetricsState.UNAVAILABLE,
        metrics_note=_("Platform ini tidak menyediakan statistik unggahan lewat API."),
    )
    # Confirmed by a person from a link the platform's API cannot address (no post id).
    fresh.filter(platform_post_id="").update(
        metrics_state=MetricsState.UNAVAILABLE,
        metrics_note=_("Unggahan ini dicatat dari tautannya; statistiknya tidak dapat dibaca lewat API."),
    )
    # Sent before collection existed and already past the last point: nothing left to follow.
    fresh.filter(sent_at__lte=now - schedule[-1]).update(
        metrics_state=MetricsState.DONE, metrics_stage=len(schedule)
    )
    return fresh.update(
        metrics_state=MetricsState.ACTIVE,
        metrics_stage=0,
        metrics_attempts=0,
        metrics_next_at=F("sent_at") + schedule[0],
    )


def metrics_due(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> list[int]:
    """Ids of deliveries whose collection is due, oldest first."""
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(metrics_state=MetricsState.ACTIVE, metrics_next_at__lte=now)
        .order_by("metrics_next_at")
        .values_list("pk", flat=True)[:limit]
    )


def metrics_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Start new schedules and enqueue one collection task per due delivery. Safe to run any
    number of times: each task claims its delivery under a lock."""
    now = now or timezone.now()
    started = metrics_start(now=now)
    due = metrics_due(now=now)
    for pk in due:
        collect_metrics_task(pk)
    return {"started": started, "due": len(due)}


# --------------------------------------------------------------------------------------------
# Collecting


@dataclass(frozen=True)
class _Outcome:
    kind: str  # counts | postpone | retry | skip | stop | unavailable
    metrics: PostMetrics | None = None
    at: datetime | None = None
    note: str = ""


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("channel", "publication")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.metrics_state != MetricsState.ACTIVE
            or delivery.metrics_next_at is None
            or delivery.metrics_next_at > now
        ):
            return None
        # The lease: a second run finds it not due; a dead worker's claim is due again after it.
        delivery.metrics_next_at = now + LEASE
        Delivery.objects.filter(pk=delivery.pk).update(metrics_next_at=delivery.metrics_next_at)
    return delivery


def _post_gone(exc: BadRequest) -> bool:
    if (exc.code, exc.subcode) == GRAPH_MISSING or exc.http_status == 404:
        return True
    # X answers a lookup of a deleted tweet with 200 and a "resource-not-found" problem.
    return "resource-not-found" in exc.platform_message or "Not Found Error" in exc.platform_message


def _fetch(delivery: Delivery) -> _Outcome:
    """Ask the platform; every answer, including garbage, becomes an outcome."""
    channel = delivery.channel
    platform = channel.get_platform_display()
    if delivery.state == Delivery.State.WITHDRAWN or delivery.publication.withdrawn_at is not None:
        return _Outcome("stop", note=_("Unggahan ditarik; statistik tidak dikumpulkan lagi."))
    if delivery.state != Delivery.State.SENT or not delivery.platform_post_id:
        return _Outcome("stop", note=_("Unggahan tidak terbit; tidak ada statistik."))
    if channel.platform not in metrics_platforms():
        return _Outcome(
            "unavailable",
            note=_("%(platform)s tidak menyediakan statistik unggahan lewat API.") % {"platform": platform},
        )
    if not channel.is_active:
        return _Outcome("skip", note=_("Kanal nonaktif; statistik titik ini dilewati."))
    if channel.health == Channel.Health.RECONNECT:
        # The channel health flow has flagged it and told the Administrators: no call, no spam.
        return _Outcome("skip", note=_("Kanal perlu dihubungkan ulang; statistik titik ini dilewati."))
    try:
        token = "" if channel.platform == Platform.PORTAL else channel_credential_secret(channel=channel)
    except ChannelError as exc:
        return _Outcome("skip", note=str(exc))
    connector = connector_for_delivery(channel=channel, token=token, delivery_id=delivery.pk)
    try:
        return _Outcome("counts", metrics=connector.metrics(delivery.platform_post_id))
    except RateLimited as exc:
        return _Outcome("postpone", at=exc.until, note=exc.message)
    except RetryLater as exc:
        return _Outcome("retry", at=exc.retry_after, note=exc.message)
    except CredentialsInvalid as exc:
        channel_check_health(channel_id=channel.pk)
        return _Outcome("skip", note=exc.message)
    except Unsupported:
        return _Outcome(
            "unavailable",
            note=_("%(platform)s tidak menyediakan statistik unggahan lewat API.") % {"platform": platform},
        )
    except BadRequest as exc:
        if _post_gone(exc):
            return _Outcome(
                "stop",
                note=_("Unggahan tidak ada lagi di %(platform)s (dihapus); statistik tidak dikumpulkan lagi.")
                % {"platform": platform},
            )
        return _Outcome("skip", note=exc.message)
    except ConnectorError as exc:  # PermissionMissing: the platform's reason, shown as is
        return _Outcome("skip", note=exc.message)
    except Exception:
        # Connectors classify every failure; anything else is a bug there, and must not stop the
        # collection of other deliveries nor loop: it is retried like a transient failure.
        logger.exception("metrics of delivery %s: unexpected connector failure", delivery.pk)
        return _Outcome(
            "retry",
            note=_("Jawaban %(platform)s tidak dapat dibaca; Humas akan mencoba lagi.")
            % {"platform": platform},
        )
    finally:
        connector.close()


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _snapshot_fields(metrics: PostMetrics) -> dict[str, object]:
    counts = {name: _count(getattr(metrics, name, None)) for name in COUNTS}
    extra = {
        str(k): v for k, v in (metrics.extra or {}).items() if _count(v) is not None and len(str(k)) <= 40
    }
    # Our field names, not the platform's metric names (those differ per platform and version).
    unavailable = [name for name, value in counts.items() if value is None]
    return {**counts, "extra": extra, "unavailable": unavailable}


def _record(delivery: Delivery, outcome: _Outcome, now: datetime) -> str:
    stage, lease = delivery.metrics_stage, delivery.metrics_next_at
    sent_at = delivery.sent_at or now
    note = outcome.note[:500]
    fields: dict[str, object]
    with transaction.atomic():
        held = list(
            Delivery.objects.select_for_update()
            .filter(
                pk=delivery.pk, metrics_state=MetricsState.ACTIVE, metrics_stage=stage, metrics_next_at=lease
            )
            .values_list("pk", flat=True)
        )
        if not held:  # another run moved this delivery on meanwhile: its outcome stands
            return (
                Delivery.objects.filter(pk=delivery.pk).values_list("metrics_state", flat=True).first() or ""
            )
        if outcome.kind == "counts" and outcome.metrics is not None:
            snapshot = DeliveryMetrics.objects.create(
                delivery=delivery, stage=stage, collected_at=now, **_snapshot_fields(outcome.metrics)
            )
            next_stage, at = _next_point(sent_at, stage, now)
            fields = {
                "metrics_latest": snapshot,
                "metrics_collected_at": now,
                "metrics_note": "",
            }
        elif outcome.kind == "postpone":
            # A rate-limit wait is an appointment, not a failure: same point, no attempt used.
            next_stage, at = stage, max(outcome.at or now, now + timedelta(minutes=1))
            fields = {"metrics_note": note}
        elif outcome.kind == "retry" and delivery.metrics_attempts + 1 < MAX_ATTEMPTS:
            attempts = delivery.metrics_attempts + 1
            at = now + RETRY_BASE * 2 ** (attempts - 1)
            if outcome.at is not None and outcome.at > at:
                at = outcome.at
            next_stage = stage
            fields = {"metrics_note": note, "metrics_attempts": attempts}
        elif outcome.kind in ("retry", "skip"):
            next_stage, at = _next_point(sent_at, stage, now)
            fields = {"metrics_note": note}
        else:  # stop, unavailable
            state = MetricsState.STOPPED if outcome.kind == "stop" else MetricsState.UNAVAILABLE
            Delivery.objects.filter(pk=delivery.pk).update(
                metrics_state=state, metrics_next_at=None, metrics_note=note
            )
            return state
        if next_stage != stage:
            fields["metrics_attempts"] = 0
        state = MetricsState.ACTIVE if at is not None else MetricsState.DONE
        Delivery.objects.filter(pk=delivery.pk).update(
            metrics_state=state, metrics_stage=next_stage, metrics_next_at=at, **fields
        )
    return state


def delivery_metrics_collect(*, delivery_id: int, now: datetime | None = None) -> str:
    """Collect the counts of one delivery whose collection is due and move its schedule on.
    Idempotent: a delivery that is not due, or is claimed by another run, is left alone.
    Returns the delivery's metrics state."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return Delivery.objects.filter(pk=delivery_id).values_list("metrics_state", flat=True).first() or ""
    return _record(delivery, _fetch(delivery), now)


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class DeliveryMetricsRow:
    delivery: Delivery
    latest: DeliveryMetrics | None
    history: list[DeliveryMetrics]
    # SVG polyline points of interactions (INTERACTIONS) over the history.
    sparkline: str


@dataclass(frozen=True)
class PostMetricsSummary:
    rows: list[DeliveryMetricsRow]
    totals: dict[str, int | None]  # per count across channels; None: no channel gives it
    interactions: int | None
    collected_at: datetime | None

    @property
    def has_numbers(self) -> bool:
        return any(row.latest is not None for row in self.rows)


def interactions(snapshot: DeliveryMetrics) -> int | None:
    """Reactions + comments + shares + link clicks, of the parts the platform gives."""
    values = [v for v in (getattr(snapshot, name) for name in INTERACTIONS) if v is not None]
    return sum(values) if values else None


def _sparkline(history: list[DeliveryMetrics], *, width: int = 100, height: int = 24) -> str:
    values = [interactions(s) or 0 for s in history]
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )


def post_metrics_summary(*, post: Post) -> PostMetricsSummary:
    """Latest counts and history of every delivery of ``post`` that has (or had) a collection,
    and the totals across channels. Two queries whatever the number of channels."""
    deliveries = (
        Delivery.objects.filter(publication__post=post)
        .exclude(metrics_state=MetricsState.PENDING)
        .select_related("channel", "metrics_latest")
        .prefetch_related(
            Prefetch("metrics_snapshots", queryset=DeliveryMetrics.objects.order_by("collected_at", "pk"))
        )
        .order_by("publication_id", "channel__platform", "pk")
    )
    rows = []
    for delivery in deliveries:
        history = list(delivery.metrics_snapshots.all())
        rows.append(DeliveryMetricsRow(delivery, delivery.metrics_latest, history, _sparkline(history)))
    totals: dict[str, int | None] = {}
    for name in COUNTS:
        values = [
            getattr(r.latest, name)
            for r in rows
            if r.latest is not None and getattr(r.latest, name) is not None
        ]
        totals[name] = sum(values) if values else None
    parts = [interactions(r.latest) for r in rows if r.latest is not None]
    known = [p for p in parts if p is not None]
    times = [r.latest.collected_at for r in rows if r.latest is not None]
    return PostMetricsSummary(
        rows=rows,
        totals=totals,
        interactions=sum(known) if known else None,
        collected_at=max(times) if times else None,
    )


# Enqueued by the code above; declared here, beside it, so that this module never imports tasks.py
# (tasks.py imports it): the import graph stays one-way. A task takes ids, loads fresh state and
# calls the service, so it is idempotent.
@db_task(retries=0)
def collect_metrics_task(delivery_id: int) -> None:
    delivery_metrics_collect(delivery_id=delivery_id)
