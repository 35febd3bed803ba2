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


@pytest.mark.django_db
def test_the_rollups_sum_each_subtree_per_platform_and_day(offices, channel, sent, article):
    from humas.analytics.models import SubtreeDay, SubtreePortalDay

    jepara, kudus, papua = channel("33.20"), channel("33.19", "instagram"), channel("91.71")
    sent(jepara, datetime(2031, 3, 10, 9, tzinfo=WIB), [{"reactions": 5, "reach": 50}])
    sent(jepara, datetime(2031, 3, 10, 10, tzinfo=WIB), [{"reactions": 1}])
    sent(kudus, datetime(2031, 3, 10, 9, tzinfo=WIB), [{"reactions": 3, "comments": 2}])
    sent(papua, datetime(2031, 3, 10, 9, tzinfo=WIT), [{"reactions": 7}])
    article("33.20", datetime(2031, 3, 10, 8, tzinfo=WIB), views={DAY: 40})
    article("91.71", datetime(2031, 3, 10, 8, tzinfo=WIT), type=ArticleType.KLARIFIKASI, views={DAY: 2})

    day_rebuild(day=DAY)

    def rollup(code: str) -> dict[str, tuple]:
        return {
            row["platform"]: (row["posts"], row["reactions"], row["comments"], row["reach"])
            for row in SubtreeDay.objects.filter(office=offices[code], day=DAY).values(
                "platform", "posts", "reactions", "comments", "reach"
            )
        }

    assert rollup("33.20") == {"facebook": (2, 6, None, 50)}
    assert rollup("33") == {"facebook": (2, 6, None, 50), "instagram": (1, 3, 2, None)}
    assert rollup("91") == {"facebook": (1, 7, None, None)}
    assert rollup("00") == {"facebook": (3, 13, None, 50), "instagram": (1, 3, 2, None)}
    assert not SubtreeDay.objects.filter(office=offices["35"]).exists()  # nothing below Jawa Timur
    portal = {
        code: SubtreePortalDay.objects.filter(office=offices[code], day=DAY).values_list(
            "views", "articles_published", "clarifications_published"
        )[0]
        for code in ("33.20", "33", "91.71", "00")
    }
    assert portal == {"33.20": (40, 1, 0), "33": (40, 1, 0), "91.71": (2, 1, 1), "00": (42, 2, 1)}

    # Rebuilt after a change, the roll-ups follow; run twice, the same rows.
    sent(kudus, datetime(2031, 3, 10, 11, tzinfo=WIB), [{"reactions": 10}])
    day_rebuild(day=DAY)
    day_rebuild(day=DAY)
    assert rollup("00")["instagram"] == (2, 13, 2, None)
    assert SubtreeDay.objects.filter(office=offices["00"], day=DAY).count() == 2


@pytest.mark.django_db
def test_each_office_keeps_its_days_best_posts_ordered_by_engagement_then_time(offices, channel, sent):
    from humas.analytics.aggregate import TOP_PER_DAY
    from humas.analytics.models import TopDelivery

    jepara, solo = channel("33.20"), channel("33.72", "x")
    made = []
    for n in range(TOP_PER_DAY + 2):  # 12 posts in Jepara, engagement 1..12
        made.append(sent(jepara, datetime(2031, 3, 10, 8, n, tzinfo=WIB), [{"reactions": n + 1}]))
    tie = sent(
        solo, datetime(2031, 3, 10, 7, 0, tzinfo=WIB), [{"reactions": 12}]
    )  # ties Jepara's best, earlier
    sent(solo, datetime(2031, 3, 10, 9, 0, tzinfo=WIB), [{"reactions": 0}])  # no engagement: never listed

    day_rebuild(day=DAY)

    def best(code: str) -> list[int]:
        return list(
            TopDelivery.objects.filter(office=offices[code], day=DAY)
            .order_by("-engagement", "delivery__sent_at", "delivery_id")
            .values_list("delivery_id", flat=True)
        )

    assert best("33.20") == [item.pk for item in reversed(made)][:TOP_PER_DAY]
    assert best("33.72") == [tie.pk]
    assert best("33") == [tie.pk, *[item.pk for item in reversed(made)]][:TOP_PER_DAY]
    assert best("33") == best("00")


@pytest.mark.django_db
def test_days_aggregated_before_the_rollups_are_rolled_up_by_the_nightly_task(offices, channel, sent):
    from humas.analytics.aggregate import rollups_missing
    from humas.analytics.models import SubtreeDay, SubtreePortalDay, TopDelivery
    from humas.analytics.tasks import rebuild_recent_days_task

    facebook = channel("33.20")
    delivery = sent(facebook, datetime(2031, 3, 10, 9, tzinfo=WIB), [{"reactions": 4}])
    day_rebuild(day=DAY)
    # As an installation upgraded from a version without roll-ups has them: rows, no roll-ups.
    for model in (SubtreeDay, SubtreePortalDay, TopDelivery):
        model.objects.all().delete()
    assert rollups_missing(limit=10) == [DAY]

    rebuild_recent_days_task.call_local()

    assert rollups_missing(limit=10) == []
    assert SubtreeDay.objects.get(office=offices["00"], day=DAY).reactions == 4
    assert TopDelivery.objects.get(office=offices["33"], day=DAY).delivery_id == delivery.pk


@pytest.mark.django_db
def test_article_top_lists_follow_views_that_keep_coming_after_the_rebuilt_days(offices, article):
    from humas.analytics.models import TopArticle
    from humas.analytics.tasks import rebuild_recent_days_task
    from humas.portal.models import ArticleViewTotal

    today = timezone.localdate(timezone=WIT)
    old = today - timedelta(days=30)  # long past the 8 days the nightly task rebuilds
    first = article("33.20", datetime.combine(old, time(9), tzinfo=WIB), views={old: 50})
    second = article("33.72", datetime.combine(old, time(10), tzinfo=WIB), views={old: 40})
    day_rebuild(day=old)

    def best(code: str) -> list[tuple[int, int]]:
        return list(
            TopArticle.objects.filter(office=offices[code], day=old)
            .order_by("-views", "article__published_at")
            .values_list("article_id", "views")
        )

    assert best("33") == [(first.pk, 50), (second.pk, 40)]
    assert best("33.72") == [(second.pk, 40)]
    ArticleViewTotal.objects.filter(article=second).update(count=75)  # read again since

    rebuild_recent_days_task.call_local()

    assert best("33") == [(second.pk, 75), (first.pk, 50)]
    assert best("00") == best("33")
