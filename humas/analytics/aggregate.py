"""Daily aggregates rebuilt from the raw tables, one day at a time for every office.

A day is the office's own calendar day, so the instants of one date differ by zone: the offices
are taken a zone at a time (three zones, three windows), never an office at a time. A rebuild
replaces the day's rows in one transaction; run twice, it leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q, Sum

from humas.offices.models import Office
from humas.portal.models import Article, ArticleType, ArticleViewDaily, OfficeVisitorDaily
from humas.publishing.models import Delivery

from .models import ChannelDay, FollowerCount, PortalDay

# The counts a delivery's latest metrics snapshot gives, as named on both tables.
METRIC_FIELDS = ("reactions", "comments", "shares", "impressions", "reach", "views")
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
    """
    channel_rows: list[ChannelDay] = []
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
            .values("channel_id", "channel__office_id")
            .annotate(posts=Count("pk"), **sums)
            .order_by("channel_id")
        )
        for row in _rows(deliveries):
            channel_rows.append(
                ChannelDay(
                    office_id=row["channel__office_id"],
                    channel_id=row["channel_id"],
                    day=day,
                    posts=row["posts"],
                    **{field: row[field] for field in METRIC_FIELDS},
                )
            )
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
        .values("channel_id", "channel__office_id", "count")
        .order_by("channel_id")
    )
    for row in _rows(followers):
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
        ChannelDay.objects.filter(day=day).delete()
        PortalDay.objects.filter(day=day).delete()
        ChannelDay.objects.bulk_create(channel_rows, batch_size=1000)
        PortalDay.objects.bulk_create(list(portal.values()), batch_size=1000)
    return len(channel_rows) + len(portal)


def days_rebuild(*, last: date, count: int) -> int:
    """Rebuild the ``count`` days ending with ``last`` (oldest first); the rows they now have."""
    return sum(day_rebuild(day=last - timedelta(days=offset)) for offset in reversed(range(count)))
