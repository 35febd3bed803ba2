"""The demo's three months of analytics history (humas/demo/seed.py demo_analytics): raw rows in
bulk, aggregated per day, so the dashboards show real charts on first start."""

from __future__ import annotations

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F, Q, Sum
from django.utils import timezone

from humas.accounts.models import User
from humas.analytics.models import ChannelDay, PortalDay
from humas.analytics.selectors import office_series, offices_below_table
from humas.coordination.compliance import compliance_report, default_period
from humas.demo.seed import (
    DEMO_ANALYTICS_QUIET_DAYS,
    demo_activity,
    demo_amplification,
    demo_analytics,
    demo_calendar,
    demo_checklist,
    demo_content,
    demo_official_accounts,
    demo_seed,
)
from humas.offices.models import Office
from humas.portal.models import Article, ArticleViewDaily, OfficeVisitorDaily
from humas.publishing.models import Delivery, DeliveryMetrics, Post
from humas.publishing.selectors import post_todo_counts

pytestmark = pytest.mark.django_db

DAYS = 90


def _counts() -> dict[str, int]:
    return {
        "posts": Post.objects.count(),
        "deliveries": Delivery.objects.count(),
        "snapshots": DeliveryMetrics.objects.count(),
        "articles": Article.objects.count(),
        "views": ArticleViewDaily.objects.count(),
        "channel_days": ChannelDay.objects.count(),
        "portal_days": PortalDay.objects.count(),
    }


def test_the_demo_has_three_months_of_analytics_for_jepara_and_jawa_tengah(offices):
    demo_seed(password="kata-sandi-demo-panjang")
    demo_content()
    demo_official_accounts()
    demo_calendar()
    demo_amplification()
    demo_activity()
    demo_checklist()
    now = timezone.now()
    jepara, jateng = Office.objects.get(code="33.20"), Office.objects.get(code="33")
    todo_before = post_todo_counts(office=jepara)
    editor = User.objects.get(email="editor.jateng@kpu.test")
    period = default_period(office=jateng)

    def ranking() -> dict[str, int]:
        report = compliance_report(actor=editor, office=jateng, start=period[0], end=period[1])
        return {row.office.code: row.active_days for row in report.rows if row.office.code != "33.20"}

    ranking_before = ranking()

    started = time.perf_counter()
    assert demo_analytics(days=DAYS, now=now) == DAYS
    print(f"demo_analytics: {time.perf_counter() - started:.2f} s, {_counts()}")

    today = timezone.localtime(now, ZoneInfo(jepara.time_zone)).date()
    first, last = today - timedelta(days=DAYS - 1), today
    # Jepara's portal is read every day; it posts on most days, none in the quiet last days.
    portal_days = set(PortalDay.objects.filter(office=jepara).values_list("day", flat=True))
    assert {first + timedelta(days=n) for n in range(DAYS - 1)} <= portal_days
    channel_days = set(ChannelDay.objects.filter(office=jepara).values_list("day", flat=True))
    assert min(channel_days) == first and len(channel_days) >= 70
    assert (
        ChannelDay.objects.filter(office=jepara, day__lte=today - timedelta(days=3)).aggregate(Sum("posts"))[
            "posts__sum"
        ]
        > 100
    )
    assert ChannelDay.objects.filter(office=jepara, reactions__gt=0).exists()
    # History posts are published and sent; nothing is left for the worker or the to-do list.
    history = Post.objects.filter(status=Post.Status.PUBLISHED)
    assert history.exists()
    assert (
        not Delivery.objects.filter(publication__post__in=history).exclude(state=Delivery.State.SENT).exists()
    )
    quiet = timezone.now() - timedelta(days=DEMO_ANALYTICS_QUIET_DAYS - 1)
    assert not Delivery.objects.filter(
        publication__post__in=history, marked_by__isnull=True, sent_at__gte=quiet
    ).exists()
    assert post_todo_counts(office=jepara) == todo_before
    assert ranking() == ranking_before  # Keaktifan unggahan: the regencies' active days kept
    assert not Delivery.objects.filter(
        metrics_state=Delivery.MetricsState.DONE, metrics_latest__isnull=True
    ).exists()
    # Central Java's roll-up is the sum of its rows (its own and every regency's).
    actor = User.objects.get(email="editor.jateng@kpu.test")
    series = office_series(actor=actor, office=jateng, start=first, end=last)
    below = ChannelDay.objects.filter(office__path__startswith=jateng.path, day__gte=first, day__lte=last)
    sums = below.aggregate(posts=Sum("posts"), reactions=Sum("reactions"), reach=Sum("reach"))
    assert series.total.posts == sums["posts"] > 0
    assert series.total.reactions == sums["reactions"]
    assert series.total.reach == sums["reach"]
    portal = PortalDay.objects.filter(office__path__startswith=jateng.path, day__gte=first, day__lte=last)
    assert series.total.portal_views == portal.aggregate(Sum("views"))["views__sum"] > 0
    assert (
        series.total.clarifications
        == portal.aggregate(Sum("clarifications_published"))["clarifications_published__sum"]
    )
    # Distinct visitors: exactly the raw rows, at least one and at most the views on a day read.
    visitors = OfficeVisitorDaily.objects.filter(
        office__path__startswith=jateng.path, day__gte=first, day__lte=last
    )
    assert (
        0
        < series.total.visitors
        == visitors.aggregate(Sum("count"))["count__sum"]
        < series.total.portal_views
    )
    assert not portal.filter(views__gt=0).filter(Q(visitors__lt=1) | Q(visitors__gt=F("views"))).exists()
    table = offices_below_table(actor=actor, office=jateng, start=first, end=last)
    assert table.total.posts == series.total.posts
    assert table.total.visitors == series.total.visitors
    assert sum(1 for row in table.rows if row.figures.posts) >= 9  # Jepara and eight more, at least
    # KPU RI sees its own history and Central Java's below it.
    national = office_series(
        actor=User.objects.get(email="admin@kpu.test"),
        office=Office.objects.get(code="00"),
        start=first,
        end=last,
    )
    assert national.total.posts > series.total.posts

    before = _counts()
    assert demo_analytics(days=DAYS, now=now) == 0  # once
    assert _counts() == before
