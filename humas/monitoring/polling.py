"""Sources that Humas fetches itself (channel comments, keyword searches, news and fact-check
feeds): the poller of each kind and the schedule that runs them.

A poller is a function ``poller(source, cursor) -> Iterator[PollBatch]``. It reads
``source.config`` (what to fetch) and ``cursor`` (where the last stored batch ended; ``{}`` the
first time) and yields batches of records in the shape of humas/monitoring/records.py, each with
the cursor that is true *once that batch is stored*. The runner stores every batch with
``items_ingest(actor=None, source=..., records=..., cursor=batch.cursor, skip_invalid=True)``,
items and cursor in one transaction, so a poller killed between two batches resumes exactly
after the last stored one: nothing lost, nothing twice. A poller raises :class:`PollError` (or
lets an ``httpx`` error out) when the place it reads from fails; the runner marks the source
unhealthy with the reason and retries later with backoff.

A batch whose result is not items (a fact-check feed's claims) carries a ``store`` step instead,
which the runner runs in the same transaction as the batch's cursor.

The runner (:func:`source_poll`, queued as :func:`source_poll_task` by the every-minute
:func:`sources_poll_due` and by "Jalankan sekarang") holds a lease on the source
(``Source.lease_until``, taken with a conditional UPDATE and checked again in every batch's
transaction), so two workers never poll one source at once and a killed worker's source is polled
again once its lease expires.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from .alerts_sources import source_failing_notify
from .models import Source
from .services import IngestResult, items_ingest


@dataclass(frozen=True)
class PollBatch:
    """Records fetched by a poller, and the cursor that holds once they are stored."""

    records: list[Mapping[str, Any]]
    cursor: Mapping[str, Any] = field(default_factory=dict)
    # Work that belongs with this batch but is not items (a fact-check feed's upsert into the
    # knowledge base): the runner runs it in the transaction that stores the batch's cursor.
    store: Callable[[], object] | None = None


class PollError(Exception):
    """The place a source reads from failed; the message (for people, translated) says how.

    ``retry_after`` (seconds), when the platform said how long to wait (a rate limit)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


Poller = Callable[[Source, Mapping[str, Any]], Iterator[PollBatch]]

_POLLERS: dict[str, Poller] = {}


def register_poller(kind: str) -> Callable[[Poller], Poller]:
    """Declare the poller of a source kind (a decorator; one poller per kind)."""
    if kind not in Source.Kind.values:
        raise ValueError(f"unknown source kind {kind!r}")

    def decorate(poller: Poller) -> Poller:
        if kind in _POLLERS and _POLLERS[kind] is not poller:
            raise ValueError(f"source kind {kind!r} already has a poller")
        _POLLERS[kind] = poller
        return poller

    return decorate


def poller_for(kind: str) -> Poller | None:
    """The poller of ``kind``; None for kinds people or scripts fill (files, the API)."""
    return _POLLERS.get(kind)


# --------------------------------------------------------------------------------------------
# The runner: one source polled by one worker at a time, its batches stored as they come, its
# health and schedule kept.

log = logging.getLogger(__name__)

# A worker's exponent stops here: 2**20 intervals is far past any cap.
_BACKOFF_EXPONENT_MAX = 20
# The longest wait a source's own ``retry_after`` may impose.
_RETRY_AFTER_MAX = 24 * 60 * 60
_ERROR_MAX = 500
_URL_QUERY = re.compile(r"(https?://[^\s?#]+)[?#][^\s]*")


class _LeaseLost(Exception):
    """Another worker took the source over (this one's lease had expired)."""


@dataclass(frozen=True)
class PollOutcome:
    """What one call of :func:`source_poll` did: ``status`` is ``done``, ``failed``, ``busy``
    (another worker holds the source) or ``skipped`` (gone, inactive or not polled)."""

    status: str
    batches: int = 0
    created: int = 0
    error: str = ""


def polled_kinds() -> list[str]:
    """The source kinds that have a poller (the others are filled by people or scripts)."""
    return sorted(_POLLERS)


def _lease_seconds() -> int:
    return max(60, int(settings.HUMAS_MONITORING_POLL_LEASE_SECONDS))


def _free(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lte=now)


def source_lease_claim(*, source_id: int, token: datetime | None = None) -> datetime | None:
    """Take the lease of the active source ``source_id`` for HUMAS_MONITORING_POLL_LEASE_SECONDS:
    when nobody holds it, its lease has expired, or it is held by ``token`` (the claim made when
    the task was queued). One conditional UPDATE, so two workers never both get it. Answers the
    new lease's end, which is also its token, or None when the source is held or not active."""
    now = timezone.now()
    until = now + timedelta(seconds=_lease_seconds())
    free = _free(now)
    if token is not None:
        free |= Q(lease_until=token)
    claimed = Source.objects.filter(free, pk=source_id, is_active=True).update(lease_until=until)
    return until if claimed else None


def poll_backoff(*, interval_minutes: int, failures: int, retry_after: float | None = None) -> timedelta:
    """The wait before the next try of a source that failed ``failures`` times in a row: its
    interval doubled for each failure, at most HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES (or its
    interval, when longer), and never shorter than the wait the place it reads from asked for."""
    interval = max(1, interval_minutes)
    cap = max(interval, int(settings.HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES))
    minutes = min(interval * 2 ** min(max(failures, 0), _BACKOFF_EXPONENT_MAX), cap)
    seconds = float(minutes * 60)
    if retry_after is not None and retry_after > 0:
        seconds = max(seconds, min(float(retry_after), float(_RETRY_AFTER_MAX)))
    return timedelta(seconds=seconds)


def error_for_people(message: str) -> str:
    """A failure as the sources page shows it: one line, no address's query (which may carry a
    key), short."""
    text = _URL_QUERY.sub(r"\1?…", " ".join(str(message).split()))
    return text if len(text) <= _ERROR_MAX else text[: _ERROR_MAX - 1] + "…"


def _store(source: Source, batch: PollBatch, token: datetime) -> tuple[datetime, IngestResult]:
    """Store one batch, its cursor and its ``store`` step in one transaction, after checking
    (and renewing) the lease in the same transaction: a worker that lost its source stores nothing."""
    renewed = timezone.now() + timedelta(seconds=_lease_seconds())
    with transaction.atomic():
        if not Source.objects.filter(pk=source.pk, lease_until=token).update(lease_until=renewed):
            raise _LeaseLost
        if batch.store is not None:
            batch.store()
        result = items_ingest(
            actor=None, source=source, records=batch.records, cursor=batch.cursor, skip_invalid=True
        )
    return renewed, result


def _failure_reason(exc: BaseException) -> tuple[str, float | None]:
    if isinstance(exc, PollError):
        return str(exc) or _("Sumber gagal diambil."), exc.retry_after
    if isinstance(exc, httpx.TimeoutException):
        return _("Waktu habis menunggu jawaban dari sumber."), None
    if isinstance(exc, httpx.HTTPError):
        return _("Tidak dapat terhubung ke sumber."), None
    return _("Galat tak terduga saat mengambil item (%(error)s).") % {"error": type(exc).__name__}, None


def _finish(
    source: Source,
    token: datetime,
    *,
    error: str = "",
    retry_after: float | None = None,
    failures_before: int = 0,
) -> bool:
    """Release the lease and record how the run went. Answers whether the source's people should
    now be told it is failing (the run that reaches the threshold, once per outage)."""
    now = timezone.now()
    rows = Source.objects.filter(pk=source.pk, lease_until=token)
    if not error:
        rows.update(
            lease_until=None,
            health=Source.Health.HEALTHY,
            last_error="",
            consecutive_failures=0,
            last_run_at=now,
            next_run_at=now + timedelta(minutes=max(1, source.poll_interval_minutes)),
        )
        return False
    failures = failures_before + 1
    updated = rows.update(
        lease_until=None,
        health=Source.Health.FAILING,
        last_error=error,
        consecutive_failures=failures,
        last_run_at=now,
        next_run_at=now
        + poll_backoff(
            interval_minutes=source.poll_interval_minutes, failures=failures, retry_after=retry_after
        ),
    )
    return bool(updated) and failures == max(1, int(settings.HUMAS_MONITORING_SOURCE_ALERT_FAILURES))


def _poll(source_id: int, lease_token: datetime | None) -> PollOutcome:
    source = Source.objects.select_related("office").filter(pk=source_id).first()
    if source is None or not source.is_active:
        return PollOutcome("skipped")
    poller = poller_for(source.kind)
    if poller is None:
        return PollOutcome("skipped")
    token = source_lease_claim(source_id=source.pk, token=lease_token)
    if token is None:
        return PollOutcome("busy")
    # The count before this run: a run that stored a few batches and then failed is a failure
    # (the batches reset the row's count as they were stored).
    failures_before = source.consecutive_failures
    batches = created = 0
    error = ""
    retry_after: float | None = None
    polling = poller(source, dict(source.cursor))
    try:
        for batch in polling:
            token, result = _store(source, batch, token)
            batches += 1
            created += result.created
    except _LeaseLost:
        log.warning("monitoring source %s was taken over by another worker", source.pk)
        return PollOutcome("busy", batches=batches, created=created)
    except Exception as exc:  # noqa: BLE001 - whatever a poller raises, the source says so and waits
        error, retry_after = _failure_reason(exc)
        error = error_for_people(error)
        if not isinstance(exc, PollError | httpx.HTTPError):
            log.exception("poller of monitoring source %s failed", source.pk)
    finally:
        # A generator stopped half-way closes now: its HTTP client and files with it.
        close = getattr(polling, "close", None)
        if close is not None:
            close()
    notify = _finish(source, token, error=error, retry_after=retry_after, failures_before=failures_before)
    if notify:
        source.refresh_from_db()
        source_failing_notify(source=source)
    if error:
        return PollOutcome("failed", batches=batches, created=created, error=error)
    return PollOutcome("done", batches=batches, created=created)


def source_poll(*, source_id: int, lease_token: datetime | None = None) -> PollOutcome:
    """Poll the source ``source_id`` once: take its lease (with ``lease_token``, the claim made
    when it was queued), run its poller from the stored cursor, store every batch as it comes
    (items, cursor and the batch's ``store`` step in one transaction), then record its health
    and its next run: its interval after a success; after a failure, the reason for people,
    one more failure in a row and a wait that doubles each time (notifying the office when the
    failures reach HUMAS_MONITORING_SOURCE_ALERT_FAILURES). Never raises: a task that raised
    would only be retried by the queue, a crash loop; the schedule retries instead."""
    try:
        return _poll(source_id, lease_token)
    except Exception:  # noqa: BLE001 - e.g. the database went away; the lease expires, the schedule retries
        log.exception("polling monitoring source %s failed", source_id)
        return PollOutcome("failed", error="internal")


@db_task(retries=0)
def source_poll_task(source_id: int, lease_token: str = "") -> None:
    """Poll one source (queued by the schedule, :func:`sources_poll_due`, or "Jalankan sekarang"
    with the lease it claimed, as an ISO time)."""
    token = datetime.fromisoformat(lease_token) if lease_token else None
    source_poll(source_id=source_id, lease_token=token)


def source_poll_enqueue(*, source_id: int, token: datetime) -> None:
    """Queue the source's poll after the current transaction commits (its lease is claimed)."""
    transaction.on_commit(lambda: source_poll_task(source_id, token.isoformat()))


def sources_poll_due(*, limit: int | None = None) -> list[int]:
    """Every minute: queue the active sources that have a poller and are due (never run, or
    their next run has come) and not held, oldest first, at most HUMAS_MONITORING_POLL_DUE_LIMIT.
    Each is claimed as it is queued (its lease, which the task takes over), so a source waiting
    in a busy queue is not queued again the next minute. Answers the ids queued."""
    now = timezone.now()
    limit = limit or max(1, int(settings.HUMAS_MONITORING_POLL_DUE_LIMIT))
    candidates = list(
        Source.objects.filter(_free(now), is_active=True, kind__in=polled_kinds())
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .order_by(F("next_run_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    token = now + timedelta(seconds=_lease_seconds())
    Source.objects.filter(_free(now), pk__in=candidates, is_active=True).update(lease_until=token)
    claimed = list(
        Source.objects.filter(pk__in=candidates, lease_until=token)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for source_id in claimed:
        source_poll_enqueue(source_id=source_id, token=token)
    return claimed
