"""What did best in a period in an office's subtree: the posts with the most engagement, the
articles read most, and the clarifications published with their views. Shown on the analytics
dashboard and in the PDF report, formatted in the active language (``formatting.py``).

Each list is one or two queries whatever the number of offices below."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator

from humas.accounts.models import User
from humas.channels.models import Platform
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.portal.models import Article, ArticleType, ArticleViewDaily
from humas.publishing.models import Delivery

from .aggregate import day_window
from .formatting import day_text, number

TOP = 10  # posts and articles listed
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
    for zone in Office.TimeZone.values:
        since, _until = day_window(start, zone)
        _since, until = day_window(end, zone)
        found |= Q(**{zone_field: zone, f"{field}__gte": since, f"{field}__lt": until})
    return found


def _local_day(moment: datetime | None, office: Office) -> str:
    if moment is None:
        return "—"
    return day_text(timezone.localtime(moment, office.zoneinfo).date(), "j M Y")


def top_posts(*, actor: User, office: Office, start: date, end: date, limit: int = TOP) -> list[TopPost]:
    """The deliveries sent in the period in the office's subtree with the most engagement
    (reactions + comments + shares of their latest metrics snapshot). One query."""
    policy.require(actor, "report.view", office)
    engagement = (
        Coalesce(F("metrics_latest__reactions"), Value(0))
        + Coalesce(F("metrics_latest__comments"), Value(0))
        + Coalesce(F("metrics_latest__shares"), Value(0))
    )
    rows = (
        Delivery.objects.filter(
            subtree(office.path, field="channel__office__path"),
            _period_window(start, end, "sent_at", "channel__office__time_zone"),
            metrics_latest__isnull=False,
        )
        .annotate(engagement=engagement)
        .filter(engagement__gt=0)
        .select_related("channel__office", "publication__post")
        .order_by("-engagement", "sent_at", "pk")[:limit]
    )
    labels = dict(Platform.choices)
    return [
        TopPost(
            text=Truncator(" ".join(row.publication.post.text.split())).chars(TEXT_CHARS),
            platform=str(labels.get(row.channel.platform, row.channel.platform)),
            office=row.channel.office.name,
            sent=_local_day(row.sent_at, row.channel.office),
            engagement=number(row.engagement),
            url=row.url,
        )
        for row in rows
    ]


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
    """The portal articles of the office's subtree most viewed in the period (the portal's days,
    as the aggregates count them). Two queries."""
    policy.require(actor, "report.view", office)
    views = list(
        ArticleViewDaily.objects.filter(
            subtree(office.path, field="article__office__path"), day__gte=start, day__lte=end
        )
        .values("article_id")
        .annotate(views=Sum("count"))
        .filter(views__gt=0)
        .order_by("-views", "article_id")[:limit]
    )
    articles = Article.objects.select_related("office").in_bulk([row["article_id"] for row in views])
    return [
        _article_row(articles[row["article_id"]], row["views"])
        for row in views
        if row["article_id"] in articles
    ]


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
