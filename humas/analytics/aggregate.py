"""Daily aggregates rebuilt from the raw tables, one day at a time for every office.

A day is the office's own calendar day, so the instants of one date differ by zone: the offices
are taken a zone at a time (three zones, three windows), never an office at a time. A rebuild
replaces the day's rows in one transaction; run twice, it leaves the same rows.

With the day's rows it writes their roll-ups (models.SubtreeDay, SubtreePortalDay, TopDelivery):
each office's whole subtree summed, so that pages read one row per day however many offices lie
below. ``rollups_missing`` finds the days that have rows but no roll-ups (after an upgrade) and
the nightly task fills them in.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from humas.offices.models import Office
from humas.offices.tree import ancestor_paths
from humas.portal.models import Article, ArticleType, ArticleViewDaily, OfficeVisitorDaily
from humas.publishing.models import Delivery

from .models import (
    ActiveDay,
    ChannelDay,
    FollowerCount,
    PortalDay,
    SubtreeDay,
    SubtreePortalDay,
    TopArticle,
    TopDelivery,
)

# The counts a delivery's latest metrics snapshot gives, as named on both tables.
METRIC_FIELDS = ("reactions", "comments", "shares", "impressions", "reach", "views", "link_clicks")
# The deliveries (articles) kept per office and day in TopDelivery (TopArticle): a period's top
# list can show this many.
TOP_PER_DAY = 10
# An article is read for months after it went public (views in its first days mostly, a tail up to
# about four months): the nightly task refreshes the article top lists of this many days.
ARTICLE_TOP_DAYS = 120
# A delivery's engagement: reactions + comments + shares + link clicks of its latest metrics
# snapshot (publishing.metrics.INTERACTIONS), of the parts its platform gives.
ENGAGEMENT = (
    Coalesce(F("metrics_latest__reactions"), Value(0))
    + Coalesce(F("metrics_latest__comments"), Value(0))
    + Coalesce(F("metrics_latest__shares"), Value(0))
    + Coalesce(F("metrics_latest__link_clicks"), Value(0))
)
# An article counts on the day it went public, also when it has been withdrawn since.
_PUBLIC = (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)


def _rows(query: Iterable[Any]) -> Iterable[dict[str, Any]]:
    """The rows of a ``values()`` query, typed as the plain dicts they are."""
    return query


def day_window(day: date, zone: str) -> tuple[datetime, datetime]:
    """The instants of ``day`` in ``zone``: [its midnight, the next day's midnight)."""
    tz = ZoneInfo(zone)
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(
        day + timedelta(days=1), time.min, tzinfo=tz
    )


def day_rebuild(*, day: date) -> int:
    """Rebuild ``day``'s ``ChannelDay`` and ``PortalDay`` rows for every office; return how many
    rows the day now has. Idempotent; a fixed number of queries whatever the number of offices.

    A delivery counts on the day it was sent with the counts of its latest metrics snapshot
    (``Delivery.metrics_latest``, kept by publishing's metrics schedule); a sum is None when no
    delivery of the row has the count (the platform does not give it, or nothing collected yet).
    ``visitors`` is the portal's distinct visitors of the office that UTC day (OfficeVisitorDaily).
    ``followers`` is the channel's FollowerCount of the day, None when none was collected.
    The roll-ups of the day are rewritten in the same transaction.
    """
    channel_rows: list[ChannelDay] = []
    platforms: dict[int, str] = {}
    top: list[tuple[int, int, datetime, int]] = []  # (delivery, office, sent_at, engagement)
    portal: dict[int, PortalDay] = {}

    def portal_row(office_id: int) -> PortalDay:
        if office_id not in portal:
            portal[office_id] = PortalDay(office_id=office_id, day=day)
        return portal[office_id]

    for zone in Office.TimeZone.values:
        start, end = day_window(day, zone)
        sums = {field: Sum(f"metrics_latest__{field}") for field in METRIC_FIELDS}
        deliveries = (
            Delivery.objects.filter(sent_at__gte=start, sent_at__lt=end, channel__office__time_zone=zone)
            .values("channel_id", "channel__office_id", "channel__platform")
            .annotate(posts=Count("pk"), **sums)
            .order_by("channel_id")
        )
        for row in _rows(deliveries):
            platforms[row["channel_id"]] = row["channel__platform"]
            channel_rows.append(
                ChannelDay(
                    office_id=row["channel__office_id"],
                    channel_id=row["channel_id"],
                    day=day,
                    posts=row["posts"],
                    **{field: row[field] for field in METRIC_FIELDS},
                )
            )
        engaging = (
            Delivery.objects.filter(
                sent_at__gte=start,
                sent_at__lt=end,
                channel__office__time_zone=zone,
                metrics_latest__isnull=False,
            )
            .annotate(engagement=ENGAGEMENT)
            .filter(engagement__gt=0)
            .values_list("pk", "channel__office_id", "sent_at", "engagement")
        )
        for delivery_id, office_id, sent_at, engagement in engaging:
            top.append((delivery_id, office_id, sent_at or start, engagement))
        articles = (
            Article.objects.filter(
                published_at__gte=start, published_at__lt=end, office__time_zone=zone, status__in=_PUBLIC
            )
            .values("office_id")
            .annotate(
                articles=Count("pk"), clarifications=Count("pk", filter=Q(type=ArticleType.KLARIFIKASI))
            )
            .order_by("office_id")
        )
        for row in _rows(articles):
            target = portal_row(row["office_id"])
            target.articles_published = row["articles"]
            target.clarifications_published = row["clarifications"]

    # Followers are a level each channel had that day (FollowerCount, already on its office's
    # day): a channel with a count and no delivery gets a row without posts.
    by_channel = {row.channel_id: row for row in channel_rows}
    followers = (
        FollowerCount.objects.filter(day=day)
        .values("channel_id", "channel__office_id", "channel__platform", "count")
        .order_by("channel_id")
    )
    for row in _rows(followers):
        platforms[row["channel_id"]] = row["channel__platform"]
        counted = by_channel.get(row["channel_id"])
        if counted is None:
            counted = ChannelDay(
                office_id=row["channel__office_id"], channel_id=row["channel_id"], day=day, posts=0
            )
            channel_rows.append(counted)
        counted.followers = row["count"]

    # The portal counts views on UTC days: they are taken as they are, for the same date.
    views = (
        ArticleViewDaily.objects.filter(day=day)
        .values("article__office_id")
        .annotate(views=Sum("count"))
        .order_by("article__office_id")
    )
    for row in _rows(views):
        if row["views"]:
            portal_row(row["article__office_id"]).views = row["views"]
    # Distinct visitors, counted by the portal per office and UTC day (portal.OfficeVisitorDaily),
    # taken as they are like the views; an office with visitors and nothing else gets its row.
    visitors = list(
        OfficeVisitorDaily.objects.filter(day=day).values_list("office_id", "count").order_by("office_id")
    )
    for office_id, count in visitors:
        portal_row(office_id).visitors = count
    # Once the portal counts visitors (a row this day or before), an office without any has 0;
    # before, the rows keep None: not counted is not nobody.
    if portal and (visitors or OfficeVisitorDaily.objects.filter(day__lt=day).exists()):
        for target in portal.values():
            if target.visitors is None:
                target.visitors = 0

    with transaction.atomic():
        for model in (ChannelDay, PortalDay, TopDelivery):
            model.objects.filter(day=day).delete()
        ChannelDay.objects.bulk_create(channel_rows, batch_size=1000)
        PortalDay.objects.bulk_create(list(portal.values()), batch_size=1000)
        TopDelivery.objects.bulk_create(_top_rows(day, top), batch_size=1000)
        rollups_rebuild(day=day)
        top_articles_rebuild(day=day)
    return len(channel_rows) + len(portal)


def plus(a: int | None, b: int | None) -> int | None:
    """None-aware sum: None only when neither side is known."""
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


def _upward() -> dict[int, list[int]]:
    """Each office's id with the ids of every office above it, as the tree is now. One query."""
    paths = dict(Office.objects.values_list("id", "path"))
    by_path = {path: office_id for office_id, path in paths.items()}
    return {
        office_id: [office_id, *(by_path[above] for above in ancestor_paths(path) if above in by_path)]
        for office_id, path in paths.items()
    }


def _best_per_office(items: Iterable[tuple[int, int, datetime, int]]) -> dict[int, list[tuple[int, int]]]:
    """Given (id, office, instant, score) for a day, each office's best ``TOP_PER_DAY`` of its
    whole subtree as (id, score): the highest score first, then the earliest instant, then the
    id (the order top.py lists them in)."""
    upward = _upward()
    candidates: dict[int, list[tuple[int, datetime, int]]] = {}
    for item_id, office_id, instant, score in items:
        for above in upward.get(office_id, [office_id]):
            candidates.setdefault(above, []).append((item_id, instant, score))
    return {
        office_id: [
            (item_id, score)
            for item_id, _instant, score in heapq.nsmallest(
                TOP_PER_DAY, found, key=lambda item: (-item[2], item[1], item[0])
            )
        ]
        for office_id, found in candidates.items()
    }


def _top_rows(day: date, deliveries: Iterable[tuple[int, int, datetime, int]]) -> list[TopDelivery]:
    """The day's TopDelivery rows, given (delivery, office, sent_at, engagement)."""
    return [
        TopDelivery(office_id=office_id, day=day, delivery_id=delivery_id, engagement=engagement)
        for office_id, best in _best_per_office(deliveries).items()
        for delivery_id, engagement in best
    ]


def top_articles_rebuild(*, day: date) -> int:
    """Rewrite ``day``'s TopArticle lists: the articles published that day (each on its office's
    day) with the most views since, best ``TOP_PER_DAY`` of every office's subtree, the most
    viewed first, then the earliest published. Return how many rows. Idempotent; four queries and
    the writes."""
    found: list[tuple[int, int, datetime, int]] = []  # (article, office, published_at, views)
    for zone in Office.TimeZone.values:
        start, end = day_window(day, zone)
        for article_id, office_id, published_at, views in Article.objects.filter(
            published_at__gte=start,
            published_at__lt=end,
            office__time_zone=zone,
            status__in=_PUBLIC,
            view_total__count__gt=0,
        ).values_list("pk", "office_id", "published_at", "view_total__count"):
            found.append((article_id, office_id, published_at or start, views))
    rows = [
        TopArticle(office_id=office_id, day=day, article_id=article_id, views=views)
        for office_id, best in _best_per_office(found).items()
        for article_id, views in best
    ]
    with transaction.atomic():
        TopArticle.objects.filter(day=day).delete()
        TopArticle.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def rollups_rebuild(*, day: date) -> int:
    """Rewrite ``day``'s roll-ups (SubtreeDay, SubtreePortalDay) from its ChannelDay and PortalDay
    rows: each row added into its office and every office above it, as the tree is now; and the
    offices active that day (ActiveDay). Return how many roll-up rows the day has. Idempotent; a
    fixed number of queries and the writes."""
    upward = _upward()
    channels: dict[tuple[int, str], SubtreeDay] = {}
    day_rows: Iterable[dict[str, Any]] = ChannelDay.objects.filter(day=day).values(
        "office_id", "channel__platform", "posts", *METRIC_FIELDS, "followers"
    )
    own: dict[int, int] = {}  # each office's own posts (ActiveDay)
    for row in day_rows:
        own[row["office_id"]] = own.get(row["office_id"], 0) + row["posts"]
        platform = row["channel__platform"]
        for office_id in upward.get(row["office_id"], [row["office_id"]]):
            target = channels.get((office_id, platform))
            if target is None:
                target = channels[office_id, platform] = SubtreeDay(
                    office_id=office_id, day=day, platform=platform
                )
            target.posts += row["posts"]
            for name in (*METRIC_FIELDS, "followers"):
                setattr(target, name, plus(getattr(target, name), row[name]))
    portal: dict[int, SubtreePortalDay] = {}
    for office_row in PortalDay.objects.filter(day=day):
        for office_id in upward.get(office_row.office_id, [office_row.office_id]):
            total = portal.get(office_id)
            if total is None:
                total = portal[office_id] = SubtreePortalDay(office_id=office_id, day=day)
            total.views += office_row.views
            total.visitors = plus(total.visitors, office_row.visitors)
            total.articles_published += office_row.articles_published
            total.clarifications_published += office_row.clarifications_published
    with transaction.atomic():
        for model in (SubtreeDay, SubtreePortalDay, ActiveDay):
            model.objects.filter(day=day).delete()
        SubtreeDay.objects.bulk_create(channels.values(), batch_size=1000)
        SubtreePortalDay.objects.bulk_create(portal.values(), batch_size=1000)
        ActiveDay.objects.bulk_create(
            [
                ActiveDay(office_id=office_id, day=day, posts=posts)
                for office_id, posts in own.items()
                if posts
            ],
            batch_size=1000,
        )
    return len(channels) + len(portal)


def rollups_missing(*, limit: int) -> list[date]:
    """Up to ``limit`` days, newest first, that have daily rows but no roll-ups (days aggregated
    before the roll-ups existed): each needs a ``day_rebuild``."""
    aggregated = set(ChannelDay.objects.values_list("day", flat=True).distinct()) | set(
        PortalDay.objects.values_list("day", flat=True).distinct()
    )
    rolled = set(SubtreeDay.objects.values_list("day", flat=True).distinct()) | set(
        SubtreePortalDay.objects.values_list("day", flat=True).distinct()
    )
    return sorted(aggregated - rolled, reverse=True)[:limit]


def days_rebuild(*, last: date, count: int) -> int:
    """Rebuild the ``count`` days ending with ``last`` (oldest first); the rows they now have."""
    return sum(day_rebuild(day=last - timedelta(days=offset)) for offset in reversed(range(count)))
