from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from humas.analytics.aggregate import day_rebuild
from humas.analytics.models import ChannelDay, PortalDay
from humas.portal.models import ArticleType

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
DAY = date(2031, 3, 10)


def _rows():
    channel = list(
        ChannelDay.objects.order_by("channel_id", "day").values(
            "office_id",
            "channel_id",
            "day",
            "posts",
            "reactions",
            "comments",
            "shares",
            "impressions",
            "reach",
            "views",
            "followers",
        )
    )
    portal = list(
        PortalDay.objects.order_by("office_id", "day").values(
            "office_id", "day", "views", "articles_published", "clarifications_published"
        )
    )
    return channel, portal


@pytest.mark.django_db
def test_a_day_equals_the_raw_rows_on_the_offices_own_calendar_day(offices, channel, sent, article):
    facebook = channel("33.20", "facebook")
    papua = channel("91.71", "x")
    # 23:30 WIB on the 10th is 16:30 UTC: it counts on the 10th for Jepara.
    sent(
        facebook, datetime(2031, 3, 10, 23, 30, tzinfo=WIB), [{"reactions": 5, "comments": 2, "shares": None}]
    )
    sent(facebook, datetime(2031, 3, 10, 0, 0, tzinfo=WIB), [{"reactions": 1, "comments": 0, "shares": None}])
    # 00:10 WIB on the 11th (17:10 UTC on the 10th) is the next day.
    sent(facebook, datetime(2031, 3, 11, 0, 10, tzinfo=WIB), [{"reactions": 100}])
    # 23:30 WIB on the 9th is 01:30 WIT on the 10th: a WIT office counts it on the 10th.
    sent(papua, datetime(2031, 3, 9, 23, 30, tzinfo=WIB), [{"reactions": 7, "reach": 70}])
    article("33.20", datetime(2031, 3, 10, 23, 59, tzinfo=WIB), views={DAY: 40, DAY - timedelta(days=1): 3})
    article("33.20", datetime(2031, 3, 10, 8, 0, tzinfo=WIB), type=ArticleType.KLARIFIKASI, views={DAY: 2})
    article("33.20", datetime(2031, 3, 11, 0, 0, tzinfo=WIB))

    assert day_rebuild(day=DAY) == 3

    jepara = ChannelDay.objects.get(channel=facebook, day=DAY)
    assert (
        jepara.office_id,
        jepara.posts,
        jepara.reactions,
        jepara.comments,
        jepara.shares,
        jepara.reach,
    ) == (
        offices["33.20"].pk,
        2,
        6,
        2,
        None,
        None,
    )
    far_east = ChannelDay.objects.get(channel=papua, day=DAY)
    assert (far_east.posts, far_east.reactions, far_east.reach, far_east.comments) == (1, 7, 70, None)
    portal = PortalDay.objects.get(office=offices["33.20"], day=DAY)
    assert (portal.views, portal.articles_published, portal.clarifications_published) == (42, 2, 1)


@pytest.mark.django_db
def test_the_latest_snapshot_counts_not_the_sum_of_snapshots(channel, sent):
    facebook = channel("33.20")
    sent(
        facebook,
        datetime(2031, 3, 10, 9, 0, tzinfo=WIB),
        [{"reactions": 3, "reach": 10}, {"reactions": 8, "reach": 50}, {"reactions": 12, "reach": 90}],
    )

    day_rebuild(day=DAY)

    row = ChannelDay.objects.get(channel=facebook, day=DAY)
    assert (row.reactions, row.reach) == (12, 90)


@pytest.mark.django_db
def test_rebuild_is_idempotent_and_follows_growing_metrics(channel, sent, article):
    facebook = channel("33.20")
    delivery = sent(facebook, datetime(2031, 3, 10, 9, 0, tzinfo=WIB), [{"reactions": 3}])
    article("33.20", datetime(2031, 3, 10, 9, 0, tzinfo=WIB), views={DAY: 5})

    day_rebuild(day=DAY)
    first = _rows()
    day_rebuild(day=DAY)
    assert _rows() == first
    assert ChannelDay.objects.count() == 1 and PortalDay.objects.count() == 1

    later = delivery.metrics_snapshots.create(
        stage=9, collected_at=delivery.sent_at + timedelta(days=2), reactions=30
    )
    delivery.metrics_latest = later
    delivery.save(update_fields=["metrics_latest"])
    day_rebuild(day=DAY)

    assert ChannelDay.objects.get(channel=facebook, day=DAY).reactions == 30
    assert ChannelDay.objects.count() == 1


@pytest.mark.django_db
def test_a_day_without_anything_leaves_no_rows_and_clears_old_ones(channel, sent):
    facebook = channel("33.20")
    delivery = sent(facebook, datetime(2031, 3, 10, 9, 0, tzinfo=WIB))
    day_rebuild(day=DAY)
    assert ChannelDay.objects.get(channel=facebook, day=DAY).reactions is None  # nothing collected yet

    delivery.delete()
    assert day_rebuild(day=DAY) == 0
    assert not ChannelDay.objects.exists()


@pytest.mark.django_db
def test_rebuild_queries_do_not_grow_with_the_number_of_offices(offices, channel, sent):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            day_rebuild(day=DAY)
        return len(captured)

    sent(channel("33.20"), datetime(2031, 3, 10, 9, 0, tzinfo=WIB), [{"reactions": 1}])
    few = count()
    for code in ["33.01", "33.02", "33.03", "35.01", "51.01", "91.71"]:
        if code in offices:
            sent(
                channel(code), datetime(2031, 3, 10, 9, 0, tzinfo=offices[code].zoneinfo), [{"reactions": 1}]
            )
    assert count() == few


@pytest.mark.django_db
def test_the_nightly_task_rebuilds_the_last_8_days_and_is_idempotent(channel, sent):
    from humas.analytics.tasks import rebuild_recent_days_task

    today = timezone.localdate(timezone=WIT)
    facebook = channel("33.20")
    for back in (0, 7, 8):  # today, the oldest day still rebuilt, and one day too old
        sent(
            facebook, datetime.combine(today - timedelta(days=back), time(12), tzinfo=WIB), [{"reactions": 1}]
        )

    rebuild_recent_days_task.call_local()
    rebuild_recent_days_task.call_local()

    days = list(ChannelDay.objects.order_by("day").values_list("day", "posts"))
    assert days == [(today - timedelta(days=7), 1), (today, 1)]
