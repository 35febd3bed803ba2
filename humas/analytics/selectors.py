"""Reads of the daily aggregates: an office's figures rolled up over its subtree (itself and every
office below it), per day, per platform and per office directly below it.

Each read is a fixed number of queries whatever the number of offices: the subtree is one
path-prefix filter, and the offices below are told apart by their path, not queried one by one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.channels.models import Platform
from humas.offices import policy
from humas.offices.models import PATH_SEPARATOR, Office
from humas.offices.tree import subtree

from .aggregate import METRIC_FIELDS
from .models import ChannelDay, PortalDay


def _plus(a: int | None, b: int | None) -> int | None:
    """None-aware sum: None only when neither side is known."""
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


@dataclass
class Figures:
    """The counts of a period, a day or an office. None: no platform gives it for these rows."""

    posts: int = 0
    reactions: int | None = None
    comments: int | None = None
    shares: int | None = None
    impressions: int | None = None
    reach: int | None = None
    views: int | None = None
    portal_views: int = 0
    articles: int = 0
    clarifications: int = 0

    @property
    def engagement(self) -> int | None:
        """Reactions + comments + shares (the parts a platform gives)."""
        return _plus(_plus(self.reactions, self.comments), self.shares)

    def add(self, other: Figures) -> None:
        for name in ("posts", "portal_views", "articles", "clarifications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in METRIC_FIELDS:
            setattr(self, name, _plus(getattr(self, name), getattr(other, name)))

    def take_channel(self, row: Mapping[str, Any]) -> None:
        self.posts += row["posts"] or 0
        for name in METRIC_FIELDS:
            setattr(self, name, _plus(getattr(self, name), row[name]))

    def take_portal(self, row: Mapping[str, Any]) -> None:
        self.portal_views += row["portal_views"] or 0
        self.articles += row["articles"] or 0
        self.clarifications += row["clarifications"] or 0

    def as_dict(self) -> dict[str, int | None]:
        values: dict[str, int | None] = {item.name: getattr(self, item.name) for item in fields(self)}
        values["engagement"] = self.engagement
        return values

    @property
    def is_empty(self) -> bool:
        return not (self.posts or self.portal_views or self.articles) and all(
            getattr(self, name) is None for name in METRIC_FIELDS
        )


@dataclass
class DayFigures:
    day: date
    figures: Figures


@dataclass
class Series:
    """An office's rolled-up figures for each day of [start, end], and their sum."""

    office: Office
    start: date
    end: date
    days: list[DayFigures]
    total: Figures

    @property
    def is_empty(self) -> bool:
        return self.total.is_empty


@dataclass
class PlatformFigures:
    platform: str
    label: str
    figures: Figures


@dataclass
class OfficeRow:
    office: Office
    figures: Figures


@dataclass
class BelowTable:
    """One row per office directly below ``office`` with its subtree's totals; ``own`` is the
    office's own figures (not rolled up), ``total`` the office's rolled-up total: the rows plus
    ``own``, exactly."""

    office: Office
    rows: list[OfficeRow]
    own: Figures
    total: Figures = field(default_factory=Figures)
    sort: str = ""


_CHANNEL_SUMS = {"posts": Sum("posts"), **{name: Sum(name) for name in METRIC_FIELDS}}
_PORTAL_SUMS = {
    "portal_views": Sum("views"),
    "articles": Sum("articles_published"),
    "clarifications": Sum("clarifications_published"),
}


def _in_period(start: date, end: date) -> dict[str, Any]:
    return {"day__gte": start, "day__lte": end}


def office_series(*, actor: User, office: Office, start: date, end: date) -> Series:
    """``office`` and every office below it, summed per day of [start, end]; every day present
    (a day without rows has zero posts and unknown engagement). Two queries."""
    policy.require(actor, "report.view", office)
    below = subtree(office.path, field="office__path")
    by_day: dict[date, Figures] = {}
    day = start
    while day <= end:
        by_day[day] = Figures()
        day += timedelta(days=1)
    for row in (
        ChannelDay.objects.filter(below, **_in_period(start, end))
        .values("day")
        .annotate(**_CHANNEL_SUMS)
        .order_by("day")
    ):
        by_day[row["day"]].take_channel(row)
    for row in (
        PortalDay.objects.filter(below, **_in_period(start, end))
        .values("day")
        .annotate(**_PORTAL_SUMS)
        .order_by("day")
    ):
        by_day[row["day"]].take_portal(row)
    total = Figures()
    for figures in by_day.values():
        total.add(figures)
    days = [DayFigures(day=day, figures=figures) for day, figures in by_day.items()]
    return Series(office=office, start=start, end=end, days=days, total=total)


def channel_totals(*, actor: User, office: Office, start: date, end: date) -> list[PlatformFigures]:
    """The rolled-up figures of [start, end] per platform, the platforms with posts only, the
    busiest first. One query."""
    policy.require(actor, "report.view", office)
    labels = dict(Platform.choices)
    found = []
    for row in (
        ChannelDay.objects.filter(subtree(office.path, field="office__path"), **_in_period(start, end))
        .values("channel__platform")
        .annotate(**_CHANNEL_SUMS)
        .order_by("channel__platform")
    ):
        figures = Figures()
        figures.take_channel(row)
        platform = row["channel__platform"]
        found.append(
            PlatformFigures(platform=platform, label=str(labels.get(platform, platform)), figures=figures)
        )
    found.sort(key=lambda item: (-item.figures.posts, item.label))
    return found


# ?urut= values of the table below: column key -> how a row sorts on it. "-" in front: descending.
SORTS: dict[str, Any] = {
    "kantor": lambda row: row.office.path,
    "unggahan": lambda row: row.figures.posts,
    "interaksi": lambda row: row.figures.engagement or 0,
    "jangkauan": lambda row: row.figures.reach or 0,
    "impresi": lambda row: row.figures.impressions or 0,
    "dilihat": lambda row: row.figures.portal_views,
    "artikel": lambda row: row.figures.articles,
    "klarifikasi": lambda row: row.figures.clarifications,
}
DEFAULT_SORT = "kantor"


def sort_key(value: str | None) -> str:
    """A valid ``?urut=`` value (anything else is the default order)."""
    if value and value.lstrip("-") in SORTS:
        return value
    return DEFAULT_SORT


def _child_path(office: Office, path: str) -> str | None:
    """The path of the office directly below ``office`` whose subtree holds ``path`` (None for
    ``office`` itself)."""
    rest = path[len(office.path) :]
    if not rest:
        return None
    return office.path + rest.split(PATH_SEPARATOR, 1)[0] + PATH_SEPARATOR


def offices_below_table(
    *, actor: User, office: Office, start: date, end: date, sort: str | None = None
) -> BelowTable:
    """Each office directly below ``office`` with its subtree's totals for [start, end], sorted
    by ``sort`` (a ``SORTS`` key, "-" for descending; ties by code). Three queries: the
    offices below, and the figures of the subtree grouped by office, then told apart by path."""
    policy.require(actor, "report.view", office)
    children = list(Office.objects.filter(parent=office).order_by("path"))
    rows = {child.path: OfficeRow(office=child, figures=Figures()) for child in children}
    own = Figures()
    below = subtree(office.path, field="office__path")
    period = _in_period(start, end)

    def target(path: str) -> Figures | None:
        child = _child_path(office, path)
        if child is None:
            return own
        row = rows.get(child)
        return row.figures if row is not None else None  # an office moved since: not counted

    channel: Iterable[Mapping[str, Any]] = (
        ChannelDay.objects.filter(below, **period).values("office__path").annotate(**_CHANNEL_SUMS).order_by()
    )
    for row in channel:
        if (figures := target(row["office__path"])) is not None:
            figures.take_channel(row)
    portal: Iterable[Mapping[str, Any]] = (
        PortalDay.objects.filter(below, **period).values("office__path").annotate(**_PORTAL_SUMS).order_by()
    )
    for row in portal:
        if (figures := target(row["office__path"])) is not None:
            figures.take_portal(row)

    chosen = sort_key(sort)
    key = SORTS[chosen.lstrip("-")]
    ordered = sorted(rows.values(), key=lambda row: row.office.path)
    ordered.sort(key=key, reverse=chosen.startswith("-"))
    total = Figures()
    total.add(own)
    for office_row in ordered:
        total.add(office_row.figures)
    return BelowTable(office=office, rows=ordered, own=own, total=total, sort=chosen)


def empty_text() -> str:
    return _("Belum ada data untuk periode ini.")
