"""bench/analytics on a small slice (issue #21): five offices in the three zones over ten days
around an election day, written by the bench's generator into the test database. The generator
writes what it counts, as publishing and the portal leave the rows; the aggregates rebuilt from
them equal the raw rows' sums; the national dashboard reads them. No timing is asserted: the
figures of time are the bench's."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from humas.analytics.models import ChannelDay, FollowerCount, PortalDay
from humas.offices.models import Office
from humas.portal.models import Article, ArticleViewDaily, ArticleViewTotal
from humas.publishing.metrics import metrics_schedule
from humas.publishing.models import Delivery, DeliveryArticle, DeliveryMetrics, Post, PostVersion, Publication

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "analytics" / "run.py"
WIB = ZoneInfo("Asia/Jakarta")
# KPU RI, Jawa Tengah and two of its regencies (WIB), Kota Makassar (WITA), Kota Jayapura (WIT).
OFFICES = ("00", "33", "33.20", "33.74", "73.71", "91.71")
END = date(2031, 3, 12)
ELECTION = date(2031, 3, 10)
# 13:30 UTC: already the 12th's evening in WIT, its afternoon in WIB.
NOW = datetime(2031, 3, 12, 20, 30, tzinfo=WIB)
DAYS = 10


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_analytics_run", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def year(bench, offices):
    spec = bench.Spec(end=END, now=NOW, days=DAYS, election=ELECTION, offices=OFFICES, seed=7)
    return spec, bench.generate(spec)


def test_the_slice_holds_exactly_what_the_generator_counted(bench, year):
    spec, made = year

    connection.check_constraints()  # every foreign key holds (checked at commit in the bench)

    sent = Delivery.objects.filter(state=Delivery.State.SENT)
    assert made.offices == len(OFFICES)
    assert made.people == 2 * len(OFFICES)
    assert made.posts > 100
    assert Post.objects.filter(status=Post.Status.PUBLISHED).count() == made.posts
    assert Publication.objects.count() == PostVersion.objects.count() == made.posts
    assert Post.channels.through.objects.count() == Delivery.objects.count() == made.deliveries
    assert sent.count() == made.deliveries_sent
    assert (
        Delivery.objects.filter(state=Delivery.State.FAILED, sent_at=None).count() == made.deliveries_failed
    )
    assert made.deliveries == made.deliveries_sent + made.deliveries_failed
    platforms = Counter(Delivery.objects.values_list("channel__platform", flat=True))
    assert platforms == made.deliveries_by_platform
    assert DeliveryMetrics.objects.count() == made.snapshots > 0
    assert Counter(DeliveryMetrics.objects.values_list("stage", flat=True)) == made.snapshots_by_stage
    assert set(Post.objects.values_list("office__code", flat=True)) == set(OFFICES)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == made.articles
    assert Article.objects.filter(type="klarifikasi").count() == made.clarifications > 0
    portal_sent = sent.filter(channel__platform="portal")
    assert DeliveryArticle.objects.count() == portal_sent.count() == made.articles_from_posts > 0
    assert ArticleViewDaily.objects.count() == made.view_rows
    assert ArticleViewDaily.objects.aggregate(n=Sum("count"))["n"] == made.views
    assert ArticleViewTotal.objects.aggregate(n=Sum("count"))["n"] == made.views
    assert FollowerCount.objects.count() == made.followers > 0
    visitors = bench.portal_visitor_model()
    if visitors is not None:  # the portal counts distinct visitors per office and UTC day
        assert visitors.objects.count() == made.visitor_rows > 0
        assert visitors.objects.aggregate(n=Sum("count"))["n"] == made.visitors
        # Distinct visitors of a day never outnumber the views of the office's articles that day.
        for office_id, day, count in visitors.objects.values_list("office_id", "day", "count"):
            views = ArticleViewDaily.objects.filter(article__office_id=office_id, day=day)
            assert 1 <= count <= views.aggregate(n=Sum("count"))["n"]
    # Every delivery went out on one of the slice's days in its office's zone, and not after now.
    for sent_at, zone in sent.values_list("sent_at", "channel__office__time_zone"):
        assert sent_at <= NOW
        assert spec.first <= sent_at.astimezone(ZoneInfo(zone)).date() <= END


def test_each_delivery_has_the_snapshots_its_schedule_took_by_now(year):
    schedule = metrics_schedule()
    snapshots: dict[int, list[DeliveryMetrics]] = {}
    for snapshot in DeliveryMetrics.objects.order_by("delivery_id", "stage"):
        snapshots.setdefault(snapshot.delivery_id, []).append(snapshot)

    checked = Counter()
    for delivery in Delivery.objects.filter(state=Delivery.State.SENT).select_related("channel"):
        taken = snapshots.get(delivery.pk, [])
        platform = delivery.channel.platform
        if platform in ("telegram", "youtube", "tiktok"):
            assert taken == []
            assert delivery.metrics_state == Delivery.MetricsState.UNAVAILABLE
            assert delivery.metrics_latest_id is None
            checked["unavailable"] += 1
            continue
        passed = [n for n, after in enumerate(schedule) if delivery.sent_at + after <= NOW]
        for snapshot in taken:
            assert delivery.sent_at + schedule[snapshot.stage] <= snapshot.collected_at <= NOW
        assert {s.stage for s in taken} <= set(passed)
        assert delivery.metrics_latest_id == (taken[-1].pk if taken else None)
        if delivery.metrics_state == Delivery.MetricsState.DONE:
            assert delivery.metrics_stage == len(schedule)
            assert taken[-1].stage == len(schedule) - 1
            checked["done"] += 1
        else:
            assert delivery.metrics_state == Delivery.MetricsState.ACTIVE
            assert delivery.metrics_next_at == delivery.sent_at + schedule[delivery.metrics_stage]
        for before, after in zip(taken, taken[1:], strict=False):
            for name in ("reactions", "comments", "shares", "impressions", "reach", "views", "link_clicks"):
                old, new = getattr(before, name), getattr(after, name)
                assert (old is None) == (new is None)
                assert old is None or old <= new
        if platform == "portal" and taken:
            assert taken[-1].reactions is None and taken[-1].views is not None
            assert set(taken[-1].unavailable) == {
                "reactions",
                "comments",
                "shares",
                "impressions",
                "reach",
                "link_clicks",
            }
        if platform == "x" and taken:
            assert taken[-1].reach is None and taken[-1].unavailable == ["reach", "views"]
            assert taken[-1].link_clicks is not None
        checked[platform] += 1
    assert checked["done"] > 0
    assert checked["unavailable"] > 0
    assert {"facebook", "instagram", "x", "portal"} <= set(checked)


def test_the_rebuilt_aggregates_equal_the_raw_rows(bench, year, offices):
    spec, made = year

    rebuilt = bench.rebuild_days(spec.day_list)

    assert [row["day"] for row in rebuilt] == [day.isoformat() for day in spec.day_list]
    checked = bench.verify_days(spec.day_list)
    assert checked["mismatches"] == 0, checked["examples"]
    assert checked["days"] == DAYS
    assert checked["channel_rows"] == ChannelDay.objects.filter(posts__gt=0).count() > 0
    assert checked["portal_rows"] > 0
    # Every follower count (and visitor count) of the days was either compared or reported as
    # not carried by the rebuild.
    assert (
        checked["followers_rows"] + checked["followers_missing"]
        == FollowerCount.objects.filter(day__gte=spec.first).count()
    )
    visitors = bench.portal_visitor_model()
    if visitors is not None:
        counted = visitors.objects.filter(day__gte=spec.first).count()
        assert checked["visitors_rows"] + checked["visitors_missing"] >= counted > 0
    assert bench.verify_year(spec, made.as_json())["all_equal"]
    # The roll-ups of every subtree equal the day's rows summed over it; the top lists of KPU RI,
    # Jawa Tengah and Jepara equal the raw deliveries ordered by engagement.
    rollups = bench.verify_rollups(spec.day_list)
    assert rollups["mismatches"] == 0, rollups["examples"]
    assert rollups["channel_rows"] > 0 and rollups["portal_rows"] > 0
    assert rollups["top_lists"] == 3 * DAYS
    # Each office's sums over the slice, computed here from the raw rows: every delivery and
    # article of the slice lies on one of its days, and its views on the UTC days of the slice.
    for code in ("33.20", "91.71", "73.71"):
        office = offices[code]
        deliveries = Delivery.objects.filter(channel__office=office, sent_at__isnull=False)
        aggregates = ChannelDay.objects.filter(office=office).aggregate(
            posts=Sum("posts"), reactions=Sum("reactions"), reach=Sum("reach")
        )
        assert aggregates == {
            "posts": deliveries.count(),
            "reactions": deliveries.aggregate(n=Sum("metrics_latest__reactions"))["n"],
            "reach": deliveries.aggregate(n=Sum("metrics_latest__reach"))["n"],
        }
        portal = PortalDay.objects.filter(office=office).aggregate(
            views=Sum("views"), articles=Sum("articles_published")
        )
        assert portal == {
            "views": ArticleViewDaily.objects.filter(
                article__office=office, day__gte=spec.first, day__lte=END
            ).aggregate(n=Sum("count"))["n"],
            "articles": Article.objects.filter(office=office).count(),
        }


def test_the_verification_finds_a_wrong_row(bench, year):
    spec, _made = year
    bench.rebuild_days(spec.day_list)
    wrong = ChannelDay.objects.filter(posts__gt=0).order_by("pk").first()
    ChannelDay.objects.filter(pk=wrong.pk).update(posts=wrong.posts + 1)

    checked = bench.verify_days([wrong.day])

    assert checked["mismatches"] == 1
    assert f"channel {wrong.channel_id}:" in checked["examples"][0]


def test_the_verification_finds_a_wrong_rollup(bench, year):
    from humas.analytics.models import SubtreeDay

    spec, _made = year
    bench.rebuild_days(spec.day_list)
    national = SubtreeDay.objects.filter(office__code="00", posts__gt=0).order_by("day", "platform").first()
    SubtreeDay.objects.filter(pk=national.pk).update(posts=national.posts - 1)

    checked = bench.verify_rollups([national.day])

    assert checked["mismatches"] == 1
    assert f"subtree ({national.office_id}, '{national.platform}')" in checked["examples"][0]


def test_the_national_dashboard_reads_the_slice(bench, year, client, member):
    spec, made = year
    bench.rebuild_days(spec.day_list)
    national = Office.objects.get(code="00")
    admin = member("00", "admin")
    client.force_login(admin)

    response = client.get(
        reverse("analytics:dashboard", kwargs={"office_slug": national.slug}),
        {"dari": spec.first.isoformat(), "sampai": END.isoformat()},
    )

    assert response.status_code == 200
    total = response.context["series"].total.as_dict()
    assert total["posts"] == made.deliveries_sent
    assert total["articles"] == made.articles
    assert total["clarifications"] == made.clarifications
    assert (
        total["portal_views"]
        == ArticleViewDaily.objects.filter(day__gte=spec.first, day__lte=END).aggregate(n=Sum("count"))["n"]
    )
    raw = bench.raw_figures(national, spec.first, END)
    assert {key: total[key] for key in bench.FIGURE_KEYS} == raw
    assert len(response.context["series"].days) == DAYS
    assert spec.first + timedelta(days=DAYS - 1) == END
