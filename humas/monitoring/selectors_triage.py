"""Reads of the triage desk: the narrative queue of an office (the offices below it rolled up),
one narrative's page, and the choices its actions offer.

Nothing here counts or aggregates items: the queue reads the counters the pipeline keeps on each
narrative, the timeline reads ``NarrativeHour``, and the narrative page reads at most a page of
items through the (narrative, -reach) index. Every list has a bound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from humas.accounts.models import User
from humas.audit.models import AuditEvent
from humas.audit.sentences import DescribedEvent, audit_describe
from humas.factcheck.models import Claim
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.offices.tree import subtree

from .models import EvidenceExport, Item, ItemPlatform, Narrative, Variant

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

Status = Narrative.Status

QUEUE_PAGE_SIZE = 25
# The open narratives: what the queue shows unless a person asks for a status.
OPEN_STATUSES = (Status.NEW, Status.NEEDS_CLARIFICATION)
STATUS_ALL = "semua"

SINCE: dict[str, tuple[timedelta, Promise]] = {
    "24h": (timedelta(hours=24), _("24 jam terakhir")),
    "7d": (timedelta(days=7), _("7 hari terakhir")),
    "30d": (timedelta(days=30), _("30 hari terakhir")),
}
# The queue's "good news": narratives with items that deny the hoax they resemble (news reporting
# the truth, debunks), which support a clarification rather than call for one.
STANCE_DENIES = "membantah"
ASSIGNEE_ME = "me"
ASSIGNEE_NONE = "none"

# Risk levels by the pipeline's score (0 to 100), highest first: key, lowest score, label.
RISK_LEVELS: tuple[tuple[str, float, Promise], ...] = (
    ("high", 70.0, _("Tinggi")),
    ("medium", 40.0, _("Sedang")),
    ("low", float("-inf"), _("Rendah")),
)

VARIANTS_SHOWN = 10
VARIANTS_PAGE_SIZE = 50
TOP_ITEMS = 10
REGIONS_SHOWN = 30
HISTORY_SHOWN = 30
EXPORTS_SHOWN = 10
SUGGESTIONS_SHOWN = 5
MERGE_CANDIDATES = 50
SPLIT_VARIANTS = 100
# The timeline: one bar per hour, up to a week before the narrative was last seen, at least a day.
TIMELINE_MAX_HOURS = 7 * 24
TIMELINE_MIN_HOURS = 24
CHART_WIDTH = 320
CHART_HEIGHT = 100


def risk_level(risk: float) -> tuple[str, str]:
    """(key, label) of a risk score: "high"/"Tinggi", "medium"/"Sedang" or "low"/"Rendah"."""
    risk = round(risk)  # the level of the number people see
    for key, lowest, label in RISK_LEVELS:
        if risk >= lowest:
            return key, str(label)
    return RISK_LEVELS[-1][0], str(RISK_LEVELS[-1][2])


def platform_label(code: str) -> str:
    return str(dict(ItemPlatform.choices).get(code, code))


def _counted(counts: Any) -> list[tuple[str, int]]:
    """A {key: items} counter as (key, items), biggest first (malformed values count as 0)."""
    if not isinstance(counts, dict):
        return []
    rows = [(str(k), v if isinstance(v, int) and not isinstance(v, bool) else 0) for k, v in counts.items()]
    return sorted(rows, key=lambda kv: (-kv[1], kv[0]))


def platforms_of(narrative: Narrative) -> list[tuple[str, int]]:
    """(label, items) of the narrative's platforms, biggest first."""
    return [(platform_label(code), n) for code, n in _counted(narrative.platforms)]


# --------------------------------------------------------------------------------------------
# The queue


@dataclass(frozen=True)
class QueueFilters:
    """What the queue is narrowed to; empty strings narrow nothing (status "" means open)."""

    status: str = ""
    platform: str = ""
    region: str = ""  # Kemendagri code of an office in the queue's subtree
    since: str = ""  # a key of SINCE
    assignee: str = ""  # ASSIGNEE_ME or ASSIGNEE_NONE
    office: str = ""  # code of an office in the queue's subtree
    stance: str = ""  # STANCE_DENIES: narratives whose items deny a checked claim (good news)


@dataclass(frozen=True)
class OfficeChoice:
    code: str
    name: str
    region_name: str
    path: str
    depth: int  # below the queue's office: 0 is the office itself


def queue_offices(*, office: Office) -> list[OfficeChoice]:
    """The offices of ``office``'s subtree down to regencies and cities (two levels below it), by
    path: the region and office filters offer them. One query."""
    rows = (
        Office.objects.filter(subtree(office.path), depth__lte=office.depth + 2, is_active=True)
        .order_by("path")
        .values_list("code", "name", "region_name", "path", "depth")
    )
    return [
        OfficeChoice(code=c, name=n, region_name=r, path=p, depth=d - office.depth) for c, n, r, p, d in rows
    ]


def narrative_queue(
    *,
    actor: User | AnonymousUser,
    office: Office,
    filters: QueueFilters,
    offices: Sequence[OfficeChoice] | None = None,
    now: datetime | None = None,
) -> QuerySet[Narrative]:
    """Narratives of ``office`` and every office below it that were not merged into another, by
    risk (highest first), narrowed by ``filters``. ``offices`` (from ``queue_offices``) saves the
    query the region and office filters need. Raises PolicyDenied without monitoring.view."""
    policy.require(actor, "monitoring.view", office)
    narratives = Narrative.objects.filter(
        subtree(office.path, field="office_path"), merged_into__isnull=True
    ).select_related("office", "assignee", "claim")
    if filters.status == STATUS_ALL:
        pass
    elif filters.status in Status.values:
        narratives = narratives.filter(status=filters.status)
    else:
        narratives = narratives.filter(status__in=OPEN_STATUSES)
    if filters.platform in ItemPlatform.values:
        narratives = narratives.filter(platforms__has_key=filters.platform)
    if filters.stance == STANCE_DENIES:
        narratives = narratives.filter(denial_count__gt=0)
    if filters.since in SINCE:
        narratives = narratives.filter(last_seen_at__gte=(now or timezone.now()) - SINCE[filters.since][0])
    if filters.assignee == ASSIGNEE_ME and getattr(actor, "pk", None) is not None:
        narratives = narratives.filter(assignee_id=actor.pk)
    elif filters.assignee == ASSIGNEE_NONE:
        narratives = narratives.filter(assignee__isnull=True)
    if filters.region or filters.office:
        choices = list(offices) if offices is not None else queue_offices(office=office)
        by_code = {c.code: c for c in choices}
        if filters.office in by_code:
            narratives = narratives.filter(subtree(by_code[filters.office].path, field="office_path"))
        if filters.region in by_code:
            region = by_code[filters.region]
            codes = [c.code for c in choices if c.path.startswith(region.path)]
            narratives = narratives.filter(
                subtree(region.path, field="office_path") | Q(regions__has_any_keys=codes)
            )
    return narratives.order_by("-risk", "-last_seen_at", "-pk")


@dataclass(frozen=True)
class QueueRow:
    narrative: Narrative
    risk_key: str
    risk_label: str
    platforms: list[tuple[str, int]]


def queue_rows(narratives: Sequence[Narrative]) -> list[QueueRow]:
    """The page's narratives with what their rows show beside their own fields (no query)."""
    rows = []
    for narrative in narratives:
        key, label = risk_level(narrative.risk)
        rows.append(QueueRow(narrative, key, label, platforms_of(narrative)))
    return rows


# --------------------------------------------------------------------------------------------
# One narrative


def narrative_get_for_actor(
    *, actor: User | AnonymousUser, office: Office, narrative_id: int
) -> Narrative | None:
    """The narrative if it lies in ``office``'s subtree (where the actor may monitor), else None.
    Raises PolicyDenied without monitoring.view at ``office``."""
    policy.require(actor, "monitoring.view", office)
    return (
        Narrative.objects.filter(subtree(office.path, field="office_path"), pk=narrative_id)
        .select_related("office", "assignee", "claim", "merged_into")
        .first()
    )


@dataclass(frozen=True)
class TimelineBar:
    hour: datetime
    count: int
    # SVG geometry, already written as text: the template must not localise the numbers.
    x: str
    y: str
    width: str
    height: str


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime  # the start of the last hour shown
    bars: list[TimelineBar]  # hours with items only
    peak: int
    total: int
    hours: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def narrative_timeline(*, narrative: Narrative) -> Timeline:
    """Items per hour (UTC hours, as the pipeline counts them) over the week up to the narrative's
    last hour, at least a day. One query of at most TIMELINE_MAX_HOURS rows."""
    end = _hour(narrative.last_seen_at)
    first = _hour(min(narrative.first_seen_at, narrative.last_seen_at))
    span = (end - first) // timedelta(hours=1) + 1
    span = max(TIMELINE_MIN_HOURS, min(TIMELINE_MAX_HOURS, span))
    start = end - timedelta(hours=span - 1)
    counts = dict(
        narrative.hours.filter(hour__gte=start, hour__lte=end).order_by("hour").values_list("hour", "count")
    )
    peak = max(counts.values(), default=0)
    slot = CHART_WIDTH / span
    bars = []
    for moment, count in sorted(counts.items()):
        if count <= 0:
            continue
        index = (_hour(moment) - start) // timedelta(hours=1)
        height = max(1.0, count / peak * (CHART_HEIGHT - 4))
        bars.append(
            TimelineBar(
                hour=moment,
                count=count,
                x=f"{index * slot + slot * 0.1:.2f}",
                y=f"{CHART_HEIGHT - height:.2f}",
                width=f"{max(slot * 0.8, 0.5):.2f}",
                height=f"{height:.2f}",
            )
        )
    return Timeline(start=start, end=end, bars=bars, peak=peak, total=sum(counts.values()), hours=span)


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    items: int


def narrative_regions(*, narrative: Narrative) -> list[RegionRow]:
    """The regions the narrative's items name, biggest first, with their offices' region names
    (one query; a code no office has is shown as it is)."""
    counted = _counted(narrative.regions)[:REGIONS_SHOWN]
    names = dict(
        Office.objects.filter(code__in=[code for code, _n in counted]).values_list("code", "region_name")
    )
    return [RegionRow(code=code, name=names.get(code, code), items=n) for code, n in counted]


@dataclass(frozen=True)
class TopItem:
    item: Item
    platform: str
    link: str  # the item's address when it is http(s), else empty


def _safe_link(url: str) -> str:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in ("http", "https") else ""


def narrative_top_items(*, narrative: Narrative, limit: int = TOP_ITEMS) -> list[TopItem]:
    """The narrative's items with the widest reach (raw payloads are not read)."""
    items = (
        Item.objects.filter(narrative=narrative)
        .order_by("-reach", "pk")
        .only(
            "id",
            "platform",
            "author_handle",
            "url",
            "text",
            "published_at",
            "reach",
            "stance",
            "narrative_id",
        )[:limit]
    )
    return [TopItem(item, platform_label(item.platform), _safe_link(item.url)) for item in items]


def narrative_variants(*, narrative: Narrative) -> QuerySet[Variant]:
    """The narrative's variants, most copies first."""
    return Variant.objects.filter(narrative=narrative).order_by("-item_count", "-reach", "pk")


@dataclass(frozen=True)
class Suggestion:
    claim: Claim
    score: float
    link: str


def narrative_suggestions(*, narrative: Narrative) -> list[Suggestion]:
    """The claims the pipeline suggested, best first, that are still in the knowledge base. One
    query for all of them."""
    scores: dict[int, float] = {}
    entries = narrative.suggestions if isinstance(narrative.suggestions, list) else []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        claim_id, score = entry.get("claim"), entry.get("score")
        if isinstance(claim_id, int) and not isinstance(claim_id, bool) and claim_id not in scores:
            scores[claim_id] = float(score) if isinstance(score, int | float) else 0.0
        if len(scores) >= SUGGESTIONS_SHOWN:
            break
    if not scores:
        return []
    claims = Claim.objects.filter(pk__in=list(scores), is_active=True).in_bulk()
    return [
        Suggestion(claims[pk], scores[pk], _safe_link(claims[pk].url))
        for pk in sorted(scores, key=lambda pk: -scores[pk])
        if pk in claims
    ]


def claim_link(claim: Claim | None) -> str:
    return _safe_link(claim.url) if claim is not None else ""


def narrative_history(*, narrative: Narrative, limit: int = HISTORY_SHOWN) -> list[DescribedEvent]:
    """The audit events about this narrative, newest first, as sentences."""
    events = (
        AuditEvent.objects.filter(object_type=Narrative._meta.label_lower, object_id=str(narrative.pk))
        .select_related("actor", "office")
        .order_by("-created_at", "-id")[:limit]
    )
    return audit_describe(events)


def narrative_exports(*, narrative: Narrative, limit: int = EXPORTS_SHOWN) -> list[EvidenceExport]:
    return list(
        EvidenceExport.objects.filter(narrative=narrative)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    )


# --------------------------------------------------------------------------------------------
# Choices of the triage actions


def triage_people(*, office: Office) -> QuerySet[User]:
    """Active people who may triage in ``office`` through a membership there or above it: whom a
    narrative of the office may be assigned to."""
    codes = [*office.ancestor_codes, office.code]
    roles = policy.ACTIONS["monitoring.triage"]
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            office__code__in=codes, office__is_active=True, role__in=roles
        ).values("user_id"),
    ).order_by("full_name", "pk")


def route_targets(*, actor: User | AnonymousUser, narrative: Narrative) -> QuerySet[Office]:
    """Offices the actor may route the narrative to (where they may triage, down to regencies and
    cities), by path, the narrative's own office left out."""
    return (
        policy.visible_offices(actor, action="monitoring.triage")
        .filter(is_active=True, level__in=(Office.Level.PUSAT, Office.Level.PROVINSI, Office.Level.KABKOTA))
        .exclude(pk=narrative.office_id)
        .order_by("path")
    )


def merge_candidates(*, office: Office, narrative: Narrative, query: str = "") -> QuerySet[Narrative]:
    """Narratives that may be merged into ``narrative``: not merged themselves, in ``office``'s
    subtree, by risk; ``query`` narrows them to titles holding it."""
    candidates = (
        Narrative.objects.filter(subtree(office.path, field="office_path"), merged_into__isnull=True)
        .exclude(pk=narrative.pk)
        .select_related("office")
    )
    query = " ".join(query.split())[:100]
    if query:
        candidates = candidates.filter(title__icontains=query)
    return candidates.order_by("-risk", "-last_seen_at", "-pk")
