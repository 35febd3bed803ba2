"""What did best in a period in an office's subtree: the posts with the most engagement, the
articles of the period read most, and the clarifications published with their views. Shown on the analytics
dashboard and in the PDF report, formatted in the active language (``formatting.py``).

Each list is one or two queries whatever the number of offices below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, Subquery, Sum
from django.utils import timezone
from django.utils.text import Truncator

from humas.accounts.models import User
from humas.channels.models import Platform
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.portal.models import Article, ArticleType, ArticleViewDaily

from .aggregate import TOP_PER_DAY, day_window
from .formatting import day_text, number
from .models import TopArticle as TopArticleDay
from .models import TopDelivery

TOP = TOP_PER_DAY  # posts and articles listed (the days' top lists hold this many)
CLARIFICATIONS_LISTED = 50  # a busy national month lists the 50 most viewed and counts the rest
TEXT_CHARS = 110  # a post's text in the top list
# An article counts on the day it went public, also when it has been withdrawn since (aggregate.py).
_PUBLIC = (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)


@dataclass(frozen=True)
class TopPost:
    text: str
    platform: str
    office: str
    sent: str
    engagement: str
    url: str


@dataclass(frozen=True)
class TopArticle:
    title: str
    type: str
    office: str
    published: str
    views: str
    verdict: str = ""


def _period_window(start: date, end: date, field: str, zone_field: str) -> Q:
    """Rows whose instant ``field`` falls in [start, end] on their office's own days: one window
    per zone, asked in one query."""
    found = Q(pk__in=[])
    windows = []
    for zone in Office.TimeZone.values:
        since, _until = day_window(start, zone)
        _since, until = day_window(end, zone)
        windows.append((since, until))
        found |= Q(**{zone_field: zone, f"{field}__gte": since, f"{field}__lt": until})
    # The widest of the windows as a plain range too, which an index on ``field`` can serve.
    widest = Q(**{f"{field}__gte": min(w[0] for w in windows), f"{field}__lt": max(w[1] for w in windows)})
    return widest & found


def _local_day(moment: datetime | None, office: Office) -> str:
    if moment is None:
        return "—"
    return day_text(timezone.localtime(moment, office.zoneinfo).date(), "j M Y")


def top_posts(*, actor: User, office: Office, start: date, end: date, limit: int = TOP) -> list[TopPost]:
    """The deliveries sent in the period in the office's subtree with the most engagement
    (reactions + comments + shares + link clicks of their latest metrics snapshot, as the nightly rebuild saw
    it, like every figure of the dashboard). Read from the days' top lists (``TopDelivery``): the
    best of a period are among the best of its days. One query: the best are chosen joining only
    their deliveries' times (a national year is 3,650 rows), then read with their posts."""
    policy.require(actor, "report.view", office)
    order = ("-engagement", "delivery__sent_at", "delivery_id")
    best = (
        TopDelivery.objects.filter(office=office, day__gte=start, day__lte=end)
        .order_by(*order)
        .values("pk")[: min(limit, TOP_PER_DAY)]
    )
    rows = (
        TopDelivery.objects.filter(pk__in=Subquery(best))
        .select_related("delivery__channel__office", "delivery__publication__post")
        .order_by(*order)
    )
    labels = dict(Platform.choices)
    found = []
    for row in rows:
        delivery = row.delivery
        found.append(
            TopPost(
                text=Truncator(" ".join(delivery.publication.post.text.split())).chars(TEXT_CHARS),
                platform=str(labels.get(delivery.channel.platform, delivery.channel.platform)),
                office=delivery.channel.office.name,
                sent=_local_day(delivery.sent_at, delivery.channel.office),
                engagement=number(row.engagement),
                url=delivery.url,
            )
        )
    return found


def _article_row(article: Article, views: int) -> TopArticle:
    return TopArticle(
        title=article.title,
        type=article.get_type_display(),
        office=article.office.name,
        published=_local_day(article.published_at, article.office),
        views=number(views),
        verdict=article.get_verdict_display() if article.verdict else "",
    )


def top_articles(
    *, actor: User, office: Office, start: date, end: date, limit: int = TOP
) -> list[TopArticle]:
    """The portal articles of the office's subtree published in the period (on their office's
    days, as the aggregates count them) with the most views since they went public (as the
    nightly refresh counted them). Read from the days' top lists (``models.TopArticle``). One
    query."""
    policy.require(actor, "report.view", office)
    order = ("-views", "article__published_at", "article_id")
    best = (
        TopArticleDay.objects.filter(office=office, day__gte=start, day__lte=end)
        .order_by(*order)
        .values("pk")[: min(limit, TOP_PER_DAY)]
    )
    rows = (
        TopArticleDay.objects.filter(pk__in=Subquery(best)).select_related("article__office").order_by(*order)
    )
    return [_article_row(row.article, row.views) for row in rows]


def clarifications(*, actor: User, office: Office, start: date, end: date) -> tuple[list[TopArticle], int]:
    """The clarifications published in the period in the office's subtree (counted as the daily
    tables count them), the most viewed in the period first, and how many were left out. Two
    queries."""
    policy.require(actor, "report.view", office)
    published = list(
        Article.objects.filter(
            subtree(office.path, field="office__path"),
            _period_window(start, end, "published_at", "office__time_zone"),
            type=ArticleType.KLARIFIKASI,
            status__in=_PUBLIC,
        ).select_related("office")
    )
    views = {
        row["article_id"]: row["views"]
        for row in ArticleViewDaily.objects.filter(
            article_id__in=[article.pk for article in published], day__gte=start, day__lte=end
        )
        .values("article_id")
        .annotate(views=Sum("count"))
        .order_by()
    }
    published.sort(
        key=lambda article: (
            -(views.get(article.pk) or 0),
            article.published_at or timezone.now(),
            article.pk,
        )
    )
    listed = published[:CLARIFICATIONS_LISTED]
    return [_article_row(article, views.get(article.pk) or 0) for article in listed], len(published) - len(
        listed
    )
