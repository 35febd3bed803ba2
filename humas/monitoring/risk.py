"""How dangerous a narrative is, and when its office must be told.

Risk (0–100) weighs the narrative's reach, its velocity against its own baseline (items of the
last 60 minutes against the hourly mean of the 12 hours before), its volume, whether it targets the
commission or its staff, and how severe the verdict of a matched clarification is. The parts are
kept on the narrative (``risk_parts``) so the page can say why.

Alerts: a **spike** (the last hour far above the narrative's previous 12 hours) and a **new
narrative that targets the commission** notify the office's people. One alert per narrative,
kind and window (a unique row), and no spike alert within ``HUMAS_MONITORING_ALERT_QUIET_HOURS``
of the last one: never a storm.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.factcheck.models import Claim
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices.models import Membership, Office

from .alert_chats import alert_telegram_deliver
from .bulk import bulk_set
from .models import Item, Narrative, NarrativeAlert

logger = logging.getLogger(__name__)

BASELINE_HOURS = 12
CLOCK_SKEW = timedelta(minutes=5)  # items a platform dates a little ahead of our clock still count
# Verdicts (portal codes, and words external fact-checkers use) by how much harm a believed
# falsehood does; an unmatched narrative is of unknown severity.
SEVERITY: dict[str, float] = {
    "hoaks": 1.0,
    "salah": 1.0,
    "disinformasi": 1.0,
    "fitnah": 1.0,
    "misinformasi": 0.7,
    "menyesatkan": 0.7,
    "satire": 0.3,
    "benar": 0.0,
}
UNKNOWN_SEVERITY = 0.5
SPIKING_RISK = 70.0  # the lowest risk of a narrative spiking now ("Tinggi" on the pages)
WEIGHTS = {"reach": 0.3, "velocity": 0.3, "volume": 0.1, "target": 0.2, "severity": 0.1}


def severity_of(verdict: str) -> float:
    text = verdict.lower()
    for word, value in SEVERITY.items():
        if word in text:
            return value
    return UNKNOWN_SEVERITY


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def narratives_assess(*, narratives: Sequence[Narrative], now: datetime) -> None:
    """Recompute the risk of ``narratives`` (already saved, inside the pipeline's transaction)
    and raise the alerts they call for."""
    if not narratives:
        return
    current = _hour(now)
    last_start = now - timedelta(hours=1)
    # Exact counts over the (narrative, published_at) index: the last 60 minutes, whenever in
    # the hour it is, and the 12 hours before them.
    windows = {
        row["narrative_id"]: (row["last"], row["before"])
        for row in Item.objects.filter(
            narrative_id__in=[n.pk for n in narratives],
            published_at__gte=last_start - timedelta(hours=BASELINE_HOURS),
            published_at__lte=now + CLOCK_SKEW,
        )
        .values("narrative_id")
        .annotate(
            last=Count("pk", filter=Q(published_at__gte=last_start)),
            before=Count("pk", filter=Q(published_at__lt=last_start)),
        )
    }
    claim_ids = {n.claim_id for n in narratives if n.claim_id}
    verdicts = dict(Claim.objects.filter(pk__in=claim_ids).values_list("pk", "verdict")) if claim_ids else {}
    spike_min = settings.HUMAS_MONITORING_SPIKE_MIN_ITEMS
    spike_ratio = settings.HUMAS_MONITORING_SPIKE_RATIO
    new_min = settings.HUMAS_MONITORING_NEW_ALERT_MIN_ITEMS
    alerts: list[NarrativeAlert] = []
    for narrative in narratives:
        last, before = windows.get(narrative.pk, (0, 0))
        baseline = before / BASELINE_HOURS
        ratio = (last + 1) / (baseline + 1)
        parts = {
            "reach": min(1.0, math.log10(1 + narrative.reach) / 6),
            "velocity": min(1.0, math.log2(ratio) / 4) if ratio > 1 else 0.0,
            "volume": min(1.0, math.log10(1 + narrative.item_count) / 3),
            "target": 1.0 if narrative.targets_commission else 0.0,
            "severity": severity_of(verdicts.get(narrative.claim_id or 0, ""))
            if narrative.claim_id
            else UNKNOWN_SEVERITY,
        }
        narrative.risk = round(100 * sum(WEIGHTS[k] * v for k, v in parts.items()), 1)
        narrative.risk_parts = {
            **{k: round(v, 3) for k, v in parts.items()},
            "last_hour": last,
            "baseline": round(baseline, 2),
        }
        if narrative.item_count and narrative.denial_count >= narrative.item_count:
            # Every item denies the hoax it resembles (news reporting the truth, a debunk): good
            # news for the clarification, never an alarm; it sinks to the end of the queue.
            narrative.risk = 0.0
            narrative.risk_parts["denies"] = True
            continue
        if last >= max(spike_min, spike_ratio * baseline):
            # A narrative spiking now is urgent whatever its reach so far: high risk.
            narrative.risk = max(narrative.risk, SPIKING_RISK)
            narrative.risk_parts["spiking"] = True
            alerts.append(
                NarrativeAlert(
                    narrative=narrative,
                    kind=NarrativeAlert.Kind.SPIKE,
                    window_start=current,
                    details={"last_hour": last, "baseline": round(baseline, 2)},
                )
            )
        # New: first seen within the baseline window (not merely new to this database, as after
        # an import of last month's posts), and not a known hoax (a spike covers its return).
        if (
            narrative.targets_commission
            and narrative.claim_id is None
            and narrative.item_count >= new_min
            and narrative.first_seen_at >= now - timedelta(hours=BASELINE_HOURS)
        ):
            alerts.append(
                NarrativeAlert(
                    narrative=narrative,
                    kind=NarrativeAlert.Kind.NEW_TARGETING,
                    window_start=_hour(narrative.first_seen_at),
                    details={"items": narrative.item_count},
                )
            )
    bulk_set(Narrative, list(narratives), ["risk", "risk_parts"])
    for alert in alerts:
        _raise(alert, now=now)


def _raise(alert: NarrativeAlert, *, now: datetime) -> None:
    quiet = timedelta(hours=settings.HUMAS_MONITORING_ALERT_QUIET_HOURS)
    recent = NarrativeAlert.objects.filter(narrative=alert.narrative, kind=alert.kind)
    if alert.kind == NarrativeAlert.Kind.SPIKE:
        recent = recent.filter(window_start__gt=alert.window_start - quiet)
    if recent.exists():
        return
    first = (
        Item.objects.filter(narrative=alert.narrative, published_at__gte=alert.window_start)
        .order_by("captured_at")
        .values_list("captured_at", flat=True)
        .first()
    )
    alert.first_item_captured_at = first
    alert.created_at = now
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        return  # the same window's alert, raised by another worker a moment ago
    transaction.on_commit(lambda: _notify_soon(alert.pk))


def alert_recipients(*, office: Office) -> QuerySet[User]:
    """The people of the narrative's office who triage; if it has none yet, those of the nearest
    office above that has."""
    roles = (Membership.Role.ADMIN, Membership.Role.EDITOR, Membership.Role.OPERATOR)
    codes = [*reversed(office.ancestor_codes), office.code]
    ordered = [office.code, *reversed(office.ancestor_codes)]
    found = dict(
        Membership.objects.filter(office__code__in=codes, role__in=roles, user__is_active=True)
        .values_list("office__code", "office_id")
        .distinct()
    )
    for code in ordered:
        if code in found:
            return User.objects.filter(
                Q(memberships__office_id=found[code], memberships__role__in=roles), is_active=True
            ).distinct()
    return User.objects.none()


def _number(value: float) -> str:
    """A rate as people write it: "0", "4", "4,5" (the active language's decimal mark)."""
    return str(int(value)) if value == int(value) else formats.number_format(value, decimal_pos=1)


def narrative_link(narrative: Narrative) -> str:
    try:
        return reverse(
            "monitoring:narrative",
            kwargs={"office_slug": narrative.office.slug, "narrative_id": narrative.pk},
        )
    except NoReverseMatch:
        return reverse("monitoring:sources", kwargs={"office_slug": narrative.office.slug})


def narrative_alert_notify(*, alert_id: int) -> int:
    """Tell the office's people about an alert (idempotent: its key is the alert's)."""
    alert = NarrativeAlert.objects.select_related("narrative__office").filter(pk=alert_id).first()
    if alert is None:
        return 0
    narrative = alert.narrative
    office = narrative.office
    text = Truncator(narrative.title).chars(120)
    with translation.override(settings.LANGUAGE_CODE):
        if alert.kind == NarrativeAlert.Kind.SPIKE:
            title = _("Narasi melonjak: “%(text)s”") % {"text": text}
            body = _(
                "%(last)s item dalam satu jam terakhir; biasanya %(baseline)s per jam. Risiko %(risk)s dari 100."
            ) % {
                "last": alert.details.get("last_hour", 0),
                "baseline": _number(float(alert.details.get("baseline", 0))),
                "risk": round(narrative.risk),
            }
        else:
            title = _("Narasi baru menyasar penyelenggara: “%(text)s”") % {"text": text}
            body = _("%(items)s item sejauh ini, di wilayah %(office)s. Risiko %(risk)s dari 100.") % {
                "items": narrative.item_count,
                "office": office.name,
                "risk": round(narrative.risk),
            }
    link = narrative_link(narrative)
    sent = notification_send(
        users=alert_recipients(office=office),
        office=office,
        kind=Notification.Kind.NARRATIVE_ALERT,
        title=title,
        body=body,
        link=link,
        key=f"monitoring:alert:{alert.pk}",
        now=timezone.now(),
    )
    # The office's Telegram staff group too, if it set one (and those above that follow it).
    outcome = alert_telegram_deliver(alert=alert, title=title, body=body, link=link)
    if outcome.retry:
        raise AlertRetry(alert.pk)
    return len(sent)


class AlertRetry(Exception):
    """A chat failed in a way that may pass (platform busy, rate limited): the task tries again;
    what was sent already is not sent twice."""


def _notify_soon(alert_id: int) -> None:
    """Right after the commit, in the worker that raised the alert: a queue busy with the backlog
    must not hold a spike's notification for minutes. The task retries if this fails."""
    try:
        narrative_alert_notify(alert_id=alert_id)
    except Exception:  # noqa: BLE001 - the queue takes over; the notification's key stops doubles
        logger.exception("alert %s: notifying failed, queued for a retry", alert_id)
        narrative_alert_notify_task(alert_id)


@db_task(retries=2, retry_delay=30)
def narrative_alert_notify_task(alert_id: int) -> None:
    narrative_alert_notify(alert_id=alert_id)
