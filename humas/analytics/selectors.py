"""Reads of the daily aggregates: an office's figures rolled up over its subtree (itself and every
office below it), per day, per platform and per office directly below it.

Each read is a fixed number of queries whatever the number of offices: an office's subtree is
read from its roll-ups (models.SubtreeDay, SubtreePortalDay: one row per day and platform), the
offices directly below from theirs, and only followers (a level per channel, which does not add
up over days) from each channel's own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.db.models import OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.channels.models import Channel, Platform
from humas.offices import policy
from humas.offices.models import PATH_SEPARATOR, Office
from humas.offices.tree import subtree

from .aggregate import METRIC_FIELDS, plus
from .models import ChannelDay, FollowerCount, PortalDay, SubtreeDay, SubtreePortalDay


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
    link_clicks: int | None = None
    # Followers are a level, not a flow: a day's value is the sum of each channel's count that
    # day; a period's is each channel's last known count in it, summed, and the growth its last
    # known minus its first known, summed (take_followers) - never a sum over days.
    followers: int | None = None
    followers_growth: int | None = None
    portal_views: int = 0
    # The portal's distinct visitors of each office and day (PortalDay.visitors), added up over
    # days and offices: one person reading on two days, or two offices' portals, counts twice.
    # None: not counted (days before the portal counted visitors).
    visitors: int | None = None
    articles: int = 0
    clarifications: int = 0

    @property
    def engagement(self) -> int | None:
        """Reactions + comments + shares + link clicks (the parts a platform gives)."""
        return plus(plus(plus(self.reactions, self.comments), self.shares), self.link_clicks)

    def add(self, other: Figures) -> None:
        for name in ("posts", "portal_views", "articles", "clarifications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in METRIC_FIELDS:
            setattr(self, name, plus(getattr(self, name), getattr(other, name)))
        self.visitors = plus(self.visitors, other.visitors)
        # Right for offices (their channels differ), wrong for days of one office: a period's
        # followers come from take_followers, never from adding its days.
        for name in ("followers", "followers_growth"):
            setattr(self, name, plus(getattr(self, name), getattr(other, name)))

    def take_channel(self, row: Mapping[str, Any]) -> None:
        self.posts += row["posts"] or 0
        for name in METRIC_FIELDS:
            setattr(self, name, plus(getattr(self, name), row[name]))
        if "followers" in row:  # only a day's rows carry them (a level is not summed over days)
            self.followers = plus(self.followers, row["followers"])

    def take_followers(self, counts: ChannelFollowers) -> None:
        """One channel's first and last known counts of a period (``followers_by_channel``)."""
        self.followers = plus(self.followers, counts.last_count)
        self.followers_growth = plus(self.followers_growth, counts.last_count - counts.first_count)

    def take_portal(self, row: Mapping[str, Any]) -> None:
        self.portal_views += row["portal_views"] or 0
        self.visitors = plus(self.visitors, row["visitors"])
        self.articles += row["articles"] or 0
        self.clarifications += row["clarifications"] or 0

    def as_dict(self) -> dict[str, int | None]:
        values: dict[str, int | None] = {item.name: getattr(self, item.name) for item in fields(self)}
        values["engagement"] = self.engagement
        return values

    @property
    def is_empty(self) -> bool:
        return (
            not (self.posts or self.portal_views or self.visitors or self.articles)
            and all(getattr(self, name) is None for name in METRIC_FIELDS)
            and self.followers is None
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
    "visitors": Sum("visitors"),
    "articles": Sum("articles_published"),
    "clarifications": Sum("clarifications_published"),
}


def _in_period(start: date, end: date) -> dict[str, Any]:
    return {"day__gte": start, "day__lte": end}


class ChannelFollowers(NamedTuple):
    """A channel's first and last known follower counts in a period (a tuple: a national page
    makes a few thousand of them)."""

    channel_id: int
    office_path: str
    platform: str
    first_count: int
    last_count: int


def followers_by_channel(*, office: Office, start: date, end: date) -> list[ChannelFollowers]:
    """Each channel of ``office``'s subtree with a count in [start, end]: its first and last known
    counts there. Read from the counts themselves (``FollowerCount``, one row per channel and day
    on its office's day: what ``ChannelDay.followers`` is rebuilt from), so a channel costs two
    index lookups whatever the length of the period, and a channel without counts (the assisted
    platforms before anyone records one) costs nothing. One query."""
    known = FollowerCount.objects.filter(channel=OuterRef("pk"), **_in_period(start, end)).values("count")
    rows: Iterable[tuple[int, str, str, int | None, int | None]] = (
        Channel.objects.filter(subtree(office.path, field="office__path"))
        .annotate(
            first_count=Subquery(known.order_by("day")[:1]),
            last_count=Subquery(known.order_by("-day")[:1]),
        )
        .values_list("pk", "office__path", "platform", "first_count", "last_count")
        .order_by()
    )
    # Channels without a count in the period are dropped here, not in SQL, where the filter would
    # ask each channel's last count once more.
    return [
        ChannelFollowers(pk, path, platform, last if first is None else first, last)
        for pk, path, platform, first, last in rows
        if last is not None
    ]


def office_series(
    *,
    actor: User,
    office: Office,
    start: date,
    end: date,
    followers: list[ChannelFollowers] | None = None,
) -> Series:
    """``office`` and every office below it, summed per day of [start, end]; every day present
    (a day without rows has zero posts and unknown engagement). Read from the roll-ups: one row per
    day and platform whatever the number of offices below. The period's followers are each
    channel's last known count (``Figures.take_followers``), not a sum of the days: ``followers``
    when the caller has them, else read. Three queries."""
    policy.require(actor, "report.view", office)
    by_day: dict[date, Figures] = {}
    day = start
    while day <= end:
        by_day[day] = Figures()
        day += timedelta(days=1)
    per_day: Iterable[Mapping[str, Any]] = (
        SubtreeDay.objects.filter(office=office, **_in_period(start, end))
        .values("day")
        .annotate(**_CHANNEL_SUMS, followers=Sum("followers"))
        .order_by("day")
    )
    for row in per_day:
        by_day[row["day"]].take_channel(row)
    for row in (
        SubtreePortalDay.objects.filter(office=office, **_in_period(start, end))
        .values("day")
        .annotate(**_PORTAL_SUMS)
        .order_by("day")
    ):
        by_day[row["day"]].take_portal(row)
    total = Figures()
    for figures in by_day.values():
        total.add(figures)
    total.followers = total.followers_growth = None  # the days' levels do not add up
    if followers is None:
        followers = followers_by_channel(office=office, start=start, end=end)
    for counts in followers:
        total.take_followers(counts)
    days = [DayFigures(day=day, figures=figures) for day, figures in by_day.items()]
    return Series(office=office, start=start, end=end, days=days, total=total)


def channel_totals(
    *,
    actor: User,
    office: Office,
    start: date,
    end: date,
    followers: list[ChannelFollowers] | None = None,
) -> list[PlatformFigures]:
    """The rolled-up figures of [start, end] per platform, the platforms with a row in the period
    only (posts or followers), the busiest first. Two queries (one with ``followers``): the sums
    from the roll-ups, and each channel's followers (last known in the period)."""
    policy.require(actor, "report.view", office)
    labels = dict(Platform.choices)
    found = []
    for row in (
        SubtreeDay.objects.filter(office=office, **_in_period(start, end))
        .values("platform")
        .annotate(**_CHANNEL_SUMS)
        .order_by("platform")
    ):
        figures = Figures()
        figures.take_channel(row)
        platform = row["platform"]
        found.append(
            PlatformFigures(platform=platform, label=str(labels.get(platform, platform)), figures=figures)
        )
    by_platform = {item.platform: item.figures for item in found}
    if followers is None:
        followers = followers_by_channel(office=office, start=start, end=end)
    for counts in followers:
        if (platform_figures := by_platform.get(counts.platform)) is not None:
            platform_figures.take_followers(counts)
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
    "pengunjung": lambda row: row.figures.visitors or 0,
    "artikel": lambda row: row.figures.articles,
    "klarifikasi": lambda row: row.figures.clarifications,
    "pengikut": lambda row: row.figures.followers or 0,
    "pertumbuhan-pengikut": lambda row: row.figures.followers_growth or 0,
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
    by ``sort`` (a ``SORTS`` key, "-" for descending; ties by code). Six queries: the offices
    below, their roll-ups (channels and portal), the office's own rows (channels and portal) and
    each of the subtree's channels' followers (last known in the period), told apart by path."""
    policy.require(actor, "report.view", office)
    children = list(Office.objects.filter(parent=office).order_by("path"))
    rows = {child.pk: OfficeRow(office=child, figures=Figures()) for child in children}
    by_path = {child.path: rows[child.pk] for child in children}
    own = Figures()
    period = _in_period(start, end)

    channel: Iterable[Mapping[str, Any]] = (
        SubtreeDay.objects.filter(office__parent=office, **period)
        .values("office_id")
        .annotate(**_CHANNEL_SUMS)
        .order_by()
    )
    for row in channel:
        if (office_row := rows.get(row["office_id"])) is not None:
            office_row.figures.take_channel(row)
    portal: Iterable[Mapping[str, Any]] = (
        SubtreePortalDay.objects.filter(office__parent=office, **period)
        .values("office_id")
        .annotate(**_PORTAL_SUMS)
        .order_by()
    )
    for row in portal:
        if (office_row := rows.get(row["office_id"])) is not None:
            office_row.figures.take_portal(row)
    own_channel = ChannelDay.objects.filter(office=office, **period).aggregate(**_CHANNEL_SUMS)
    own.take_channel(own_channel)
    own.take_portal(PortalDay.objects.filter(office=office, **period).aggregate(**_PORTAL_SUMS))
    for counts in followers_by_channel(office=office, start=start, end=end):
        child = _child_path(office, counts.office_path)
        if child is None:
            own.take_followers(counts)
        elif (office_row := by_path.get(child)) is not None:
            office_row.figures.take_followers(counts)

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


@dataclass
class OfficeDays:
    """An office directly below another, with its subtree's figures for each day of a period and
    their sum."""

    office: Office
    days: list[DayFigures]
    total: Figures


def offices_below_days(*, actor: User, office: Office, start: date, end: date) -> list[OfficeDays]:
    """Each office directly below ``office`` with its subtree's figures for every day of
    [start, end] (a day without rows is zero): the small charts of a province's report. Three
    queries whatever the number of offices below: the offices, then their roll-ups by day, once
    for the channels and once for the portal."""
    policy.require(actor, "report.view", office)
    children = list(Office.objects.filter(parent=office).order_by("path"))
    count = (end - start).days + 1
    dates = [start + timedelta(days=offset) for offset in range(count)]
    grid = {child.pk: {day: Figures() for day in dates} for child in children}
    period = _in_period(start, end)

    channel: Iterable[Mapping[str, Any]] = (
        SubtreeDay.objects.filter(office__parent=office, **period)
        .values("office_id", "day")
        .annotate(**_CHANNEL_SUMS)
        .order_by()
    )
    for row in channel:
        if (cells := grid.get(row["office_id"])) is not None:
            cells[row["day"]].take_channel(row)
    portal: Iterable[Mapping[str, Any]] = (
        SubtreePortalDay.objects.filter(office__parent=office, **period)
        .values("office_id", "day")
        .annotate(**_PORTAL_SUMS)
        .order_by()
    )
    for row in portal:
        if (cells := grid.get(row["office_id"])) is not None:
            cells[row["day"]].take_portal(row)

    found = []
    for child in children:
        total = Figures()
        for figures in grid[child.pk].values():
            total.add(figures)
        days = [DayFigures(day=day, figures=figures) for day, figures in grid[child.pk].items()]
        found.append(OfficeDays(office=child, days=days, total=total))
    return found
