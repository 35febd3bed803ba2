"""How an office works, not only how its posts do: posting activity, cascades taken up, hoaxes
clarified and how fast. Read from the raw rows of coordination and monitoring (small tables: a
cascade target per office and cascade, a narrative per story) and from the daily aggregates for
the days with posts.

Every read covers an office's subtree and returns one row per office in it, so the same rows give
an office's own figures, a province's roll-up and the leaderboard. A fixed number of queries
whatever the number of offices.

The period is a range of the reading office's own days; cascades and clarifications are placed in
it by their instant in that office's zone (an office in another zone may see an item an hour or
two on the other side of midnight: the same convention as the calendar's).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q

from humas.accounts.models import User
from humas.coordination.models import CascadeTarget
from humas.monitoring.models import Narrative
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths, subtree
from humas.portal.models import Article

from .aggregate import day_window
from .models import ActiveDay

_TAKEN = (CascadeTarget.Status.ADOPTED, CascadeTarget.Status.ADAPTED)
_PUBLIC = (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)


@dataclass
class WorkFigures:
    """One office's (or a subtree's) work in a period."""

    offices: int = 1
    # Days on which the office sent at least one post (an "active day" of Keaktifan unggahan); for
    # a subtree the sum over its offices.
    active_days: int = 0
    # Offices of the subtree that sent nothing in the period.
    silent_offices: int = 0
    # Cascades whose deadline falls in the period, as Keaktifan unggahan (coordination.compliance)
    # counts them, so both pages give the same share.
    cascades_received: int = 0
    cascades_taken: int = 0  # adopted or adapted
    cascades_on_time: int = 0  # taken before the deadline
    cascades_declined: int = 0
    narratives_seen: int = 0  # narratives first seen in the period
    clarified: int = 0  # narratives whose drafted clarification was published in the period
    clarify_hours: list[float] = field(default_factory=list)

    @property
    def adoption_percent(self) -> int | None:
        """Share of the cascades received that were adopted or adapted (None: none received)."""
        if not self.cascades_received:
            return None
        return round(self.cascades_taken * 100 / self.cascades_received)

    @property
    def on_time_percent(self) -> int | None:
        if not self.cascades_received:
            return None
        return round(self.cascades_on_time * 100 / self.cascades_received)

    @property
    def median_clarify_hours(self) -> float | None:
        """Median time from a narrative's first item to its clarification, in hours (None: none)."""
        if not self.clarify_hours:
            return None
        return round(statistics.median(self.clarify_hours), 1)

    def active_percent(self, days: int) -> int:
        """Share of the office-days of the period with at least one post."""
        if not days or not self.offices:
            return 0
        return round(self.active_days * 100 / (days * self.offices))

    def add(self, other: WorkFigures) -> None:
        for name in (
            "active_days",
            "cascades_received",
            "cascades_taken",
            "cascades_on_time",
            "cascades_declined",
            "narratives_seen",
            "clarified",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.clarify_hours.extend(other.clarify_hours)


@dataclass
class WorkRow:
    office: Office
    figures: WorkFigures


@dataclass
class Work:
    """Every office of ``office``'s subtree with its figures, and the subtree's total."""

    office: Office
    start: date
    end: date
    rows: list[WorkRow]
    total: WorkFigures

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def active_percent(self) -> int:
        return self.total.active_percent(self.days)

    @property
    def is_empty(self) -> bool:
        total = self.total
        return not (total.active_days or total.cascades_received or total.narratives_seen or total.clarified)


def office_work(*, actor: User, office: Office, start: date, end: date, rows: bool = True) -> Work:
    """The work of every office in ``office``'s subtree over [start, end]. Five queries. Without
    ``rows`` only the total is kept (``Work.rows`` is empty): a dashboard shows no more, and
    KPU RI's subtree is 553 offices."""
    policy.require(actor, "report.view", office)
    window_start = day_window(start, office.time_zone)[0]
    window_end = day_window(end, office.time_zone)[1]
    in_subtree = Office.objects.filter(subtree(office.path)).order_by("path")
    offices = list(in_subtree) if rows else []
    ids = [item.pk for item in offices] if rows else list(in_subtree.values_list("pk", flat=True))
    by_id = {office_id: WorkFigures() for office_id in ids}

    active: Iterable[Mapping[str, Any]] = (
        ActiveDay.objects.filter(subtree(office.path, field="office__path"), day__gte=start, day__lte=end)
        .values("office_id")
        .annotate(days=Count("day"))
        .order_by()
    )
    for row in active:
        if row["office_id"] in by_id:
            by_id[row["office_id"]].active_days = row["days"]

    taken = Q(status__in=_TAKEN)
    cascades: Iterable[Mapping[str, Any]] = (
        CascadeTarget.objects.filter(
            subtree(office.path, field="office__path"),
            cascade__deadline__gte=window_start,
            cascade__deadline__lt=window_end,
        )
        .values("office_id")
        .annotate(
            received=Count("pk"),
            taken=Count("pk", filter=taken),
            on_time=Count("pk", filter=taken & Q(decided_at__lte=F("cascade__deadline"))),
            declined=Count("pk", filter=Q(status=CascadeTarget.Status.DECLINED)),
        )
        .order_by()
    )
    for row in cascades:
        if (figures := by_id.get(row["office_id"])) is not None:
            figures.cascades_received = row["received"]
            figures.cascades_taken = row["taken"]
            figures.cascades_on_time = row["on_time"]
            figures.cascades_declined = row["declined"]

    live = subtree(office.path, field="office_path") & Q(merged_into__isnull=True)
    seen: Iterable[Mapping[str, Any]] = (
        Narrative.objects.filter(live, first_seen_at__gte=window_start, first_seen_at__lt=window_end)
        .values("office_id")
        .annotate(seen=Count("pk"))
        .order_by()
    )
    for row in seen:
        if (figures := by_id.get(row["office_id"])) is not None:
            figures.narratives_seen = row["seen"]

    clarified: Iterable[Mapping[str, Any]] = (
        Narrative.objects.filter(
            live,
            clarification_article__status__in=_PUBLIC,
            clarification_article__published_at__gte=window_start,
            clarification_article__published_at__lt=window_end,
        )
        .values("office_id", "first_seen_at", "clarification_article__published_at")
        .order_by()
    )
    for row in clarified:
        if (figures := by_id.get(row["office_id"])) is not None:
            figures.clarified += 1
            elapsed = row["clarification_article__published_at"] - row["first_seen_at"]
            figures.clarify_hours.append(max(elapsed.total_seconds(), 0) / 3600)

    total = WorkFigures(offices=len(ids))
    for figures in by_id.values():
        total.add(figures)
        if not figures.active_days:
            total.silent_offices += 1
    return Work(
        office=office,
        start=start,
        end=end,
        rows=[WorkRow(office=item, figures=by_id[item.pk]) for item in offices],
        total=total,
    )


# --------------------------------------------------------------------------------------------
# Leaderboard


@dataclass
class Ranking:
    key: str
    rows: list[tuple[WorkRow, Any]]  # (row, its value on this ranking), best first


# key -> (the value a row ranks on, None to leave the row out; True when smaller is better)
RANKINGS: dict[str, tuple[Callable[[WorkFigures, int], Any], bool]] = {
    "aktif": (lambda figures, days: figures.active_percent(days), False),
    "kaskade": (lambda figures, _days: figures.adoption_percent, False),
    "klarifikasi": (lambda figures, _days: figures.median_clarify_hours, True),
}
LEADERBOARD_SIZE = 10


def rolled_up(work: Work, *, level: str) -> list[WorkRow]:
    """Each office of ``level`` in the work's subtree with its own subtree's figures (itself and
    every office below it), as the table of the offices below counts them."""
    candidates = {
        row.office.path: WorkRow(office=row.office, figures=WorkFigures(offices=0))
        for row in work.rows
        if row.office.level == level
    }
    for row in work.rows:
        for path in (*ancestor_paths(row.office.path), row.office.path):
            if (target := candidates.get(path)) is not None:
                target.figures.add(row.figures)
                target.figures.offices += 1
                if not row.figures.active_days:
                    target.figures.silent_offices += 1
                break
    return sorted(candidates.values(), key=lambda row: row.office.code)


def leaderboard(work: Work, *, level: str) -> list[Ranking]:
    """The offices of ``level`` in the work's subtree (each rolled up over its own subtree), best
    first on each ranking (the first ``LEADERBOARD_SIZE``); ties by code. An office without a
    value on a ranking (no cascade received, nothing clarified) is not ranked on it."""
    candidates = rolled_up(work, level=level)
    rankings = []
    for key, (value_of, smaller_first) in RANKINGS.items():
        scored = [(row, value_of(row.figures, work.days)) for row in candidates]
        kept = [(row, value) for row, value in scored if value is not None]
        kept.sort(key=lambda pair: pair[1], reverse=not smaller_first)
        rankings.append(Ranking(key=key, rows=kept[:LEADERBOARD_SIZE]))
    return rankings


def silent_offices(work: Work, *, level: str) -> list[Office]:
    """The offices of ``level`` in the subtree that sent nothing in the period, by code."""
    return sorted(
        (row.office for row in work.rows if row.office.level == level and not row.figures.active_days),
        key=lambda office: office.code,
    )


def levels_below(work: Work) -> list[str]:
    """The levels of the offices below the work's office, highest first (province, regency)."""
    order = list(Office.Level.values)
    found = {row.office.level for row in work.rows if row.office.pk != work.office.pk}
    return [level for level in order if level in found]
