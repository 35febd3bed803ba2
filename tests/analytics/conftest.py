"""Raw rows for the analytics tests, written directly: a delivery sent at an instant with its
metrics snapshots, an article published at an instant, portal views of a UTC day."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest

from humas.channels.models import Channel
from humas.portal.models import Article, ArticleType, ArticleViewDaily, ArticleViewTotal
from humas.publishing.models import Delivery, DeliveryMetrics, Post, Publication
from tests.factories import UserFactory

_numbers = itertools.count(1)


@pytest.fixture
def author(db):
    return UserFactory()


@pytest.fixture
def channel(offices):
    """channel("33.20", "facebook") -> an active channel of that office."""

    def make(code: str, platform: str = "facebook") -> Channel:
        return Channel.objects.create(
            office=offices[code], platform=platform, name=f"KPU {code} {platform} {next(_numbers)}"
        )

    return make


@pytest.fixture
def sent(author):
    """sent(channel, at, [snapshot dicts in collection order]) -> a delivery sent at ``at``; the
    last snapshot is its latest (``metrics_latest``)."""

    def make(channel: Channel, at: datetime, snapshots: list[dict] = ()) -> Delivery:
        post = Post.objects.create(
            office=channel.office, author=author, text="Info pemilu", status="published"
        )
        publication = Publication.objects.create(post=post, created_by=author)
        delivery = Delivery.objects.create(
            publication=publication, channel=channel, state=Delivery.State.SENT, sent_at=at
        )
        for stage, counts in enumerate(snapshots):
            snapshot = DeliveryMetrics.objects.create(
                delivery=delivery, stage=stage, collected_at=at.replace(second=stage + 1), **counts
            )
            delivery.metrics_latest = snapshot
        delivery.save(update_fields=["metrics_latest"])
        return delivery

    return make


@pytest.fixture
def article(author, offices):
    """article("33.20", at, type=...) -> a published article."""

    def make(code: str, at: datetime, type: str = ArticleType.BERITA, views: dict[date, int] | None = None):
        item = Article.objects.create(
            office=offices[code],
            author=author,
            type=type,
            title="Judul",
            slug=f"judul-{next(_numbers)}",
            status=Article.Status.PUBLISHED,
            published_at=at,
        )
        for day, count in (views or {}).items():
            ArticleViewDaily.objects.create(article=item, day=day, count=count)
        if views:
            ArticleViewTotal.objects.create(article=item, count=sum(views.values()))
        return item

    return make
