"""Followers of every channel (humas/analytics/followers.py): asked of the strict fakes over real
HTTP a channel at a time within the platforms' limits, recorded by a person for the assisted
channels, aggregated per day, and read as a level (the last known count of a period, never a sum
over its days) on the pages and in the exports."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from humas.analytics.aggregate import day_rebuild
from humas.analytics.followers import (
    FollowersError,
    channel_followers_collect,
    channel_followers_list,
    follower_count_record,
    followers_due,
    followers_sweep,
)
from humas.analytics.models import ChannelDay, FollowerCount
from humas.analytics.selectors import channel_totals, office_series, offices_below_table
from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_sentence
from humas.channels.connect import channel_connect_token
from humas.channels.fakes import running_fakes
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.offices.policy import PolicyDenied

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # waits and claims of an earlier test must not hold this one's channels
    yield
    cache.clear()


@pytest.fixture
def fakes(settings):
    with running_fakes(seed=4) as running:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), running.base_url
        )
        settings.HUMAS_DELIVERY_TIMEOUT_SECONDS = 2
        yield running


@pytest.fixture
def admin(member):
    return member("00", "admin")


@pytest.fixture
def connect(fakes, admin, offices):
    """connect("33.20", "x", index=0) -> a channel of that office verified against fake account
    ``index`` (its credential stored, as an Administrator connects it)."""

    def make(code: str, platform: str, index: int = 0) -> Channel:
        account = fakes.hub.accounts[index]
        channel = channel_create(
            actor=admin,
            office=offices[code],
            data=ChannelInput(platform=platform, name=f"KPU {code} {platform}"),
        )
        token, account_id = {
            "facebook": (account["facebook"]["page_token"], account["facebook"]["page_id"]),
            "instagram": (account["instagram"]["access_token"], account["instagram"]["ig_user_id"]),
            "x": (account["x"]["access_token"], ""),
            "telegram": (account["telegram"]["bot_token"], account["telegram"]["chat_username"]),
        }[platform]
        channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)
        channel.refresh_from_db()
        return channel

    return make


def _set(fakes, channel: Channel, count: int | None) -> None:
    """The count ``channel``'s account answers from now on."""
    fakes.hub.set_followers(channel.platform, channel.account_id, count)


def _rows() -> list[tuple[int, date, int]]:
    return list(FollowerCount.objects.order_by("channel_id", "day").values_list("channel_id", "day", "count"))


def _calls(fakes, platform: str):
    """A fault that changes nothing and counts the requests of ``platform`` reaching the fake."""
    return fakes.hub.add_fault(platform=platform, kind="latency", latency_ms=0, times=None)


def _today(channel: Channel) -> date:
    return timezone.localdate(timezone=channel.office.zoneinfo)


# --------------------------------------------------------------------------------------------
# The sweep and the collection


def test_the_sweep_keeps_one_count_per_channel_and_day_however_often_it_runs(fakes, connect):
    facebook, x = connect("33.20", "facebook"), connect("33.20", "x")
    _set(fakes, facebook, 15_230)
    _set(fakes, x, 4_410)

    assert followers_sweep() == 2
    assert followers_sweep() == 0  # both counted today: nothing is due

    today = _today(facebook)
    assert _rows() == sorted([(facebook.pk, today, 15_230), (x.pk, today, 4_410)])
    # A second collection the same day updates the count, never adds a row.
    _set(fakes, x, 4_415)
    assert channel_followers_collect(channel_id=x.pk) == "counted"
    assert _rows() == sorted([(facebook.pk, today, 15_230), (x.pk, today, 4_415)])


def test_only_connected_active_api_channels_without_todays_count_are_due(fakes, connect, channel, offices):
    due = connect("33.20", "facebook")
    counted = connect("33.20", "instagram")
    flagged = connect("33.01", "facebook", index=1)
    inactive = connect("33.01", "x", index=1)
    channel("33.20", "tiktok")  # assisted: a person records it
    channel("33.20", "x")  # never connected: no credential
    FollowerCount.objects.create(channel=counted, day=_today(counted), count=10, collected_at=timezone.now())
    Channel.objects.filter(pk=flagged.pk).update(health=Channel.Health.RECONNECT)
    Channel.objects.filter(pk=inactive.pk).update(is_active=False)
    # Yesterday's count does not make a channel counted today.
    FollowerCount.objects.create(
        channel=due, day=_today(due) - timedelta(days=1), count=9, collected_at=timezone.now()
    )

    assert followers_due() == [due.pk]


def test_each_sweep_takes_a_bounded_batch_of_each_platform(fakes, connect):
    pages = [connect(code, "facebook", index=n) for n, code in enumerate(["33.20", "33.01", "33.02"])]
    x = connect("33.20", "x")

    assert followers_due(per_platform=2) == [pages[0].pk, pages[1].pk, x.pk]
    assert followers_sweep(per_platform=2) == 3
    assert followers_due(per_platform=2) == [pages[2].pk]
    assert followers_sweep(per_platform=2) == 1
    assert followers_sweep(per_platform=2) == 0
    assert FollowerCount.objects.count() == 4


def test_a_channel_claimed_by_a_task_not_finished_is_not_taken_again(fakes, connect):
    facebook = connect("33.20", "facebook")
    cache.set(f"humas:followers:claim:{facebook.pk}", 1, timeout=60)

    assert followers_due() == []
    cache.delete(f"humas:followers:claim:{facebook.pk}")
    assert followers_due() == [facebook.pk]


def test_the_count_is_kept_on_the_offices_own_day(fakes, connect):
    jepara = connect("33.20", "facebook")  # WIB
    jayapura = connect("91.71", "x", index=1)  # WIT, two hours ahead
    late = datetime(2031, 3, 10, 23, 30, tzinfo=WIB)  # 01:30 on the 11th in Jayapura

    assert channel_followers_collect(channel_id=jepara.pk, now=late) == "counted"
    assert channel_followers_collect(channel_id=jayapura.pk, now=late) == "counted"

    days = dict(FollowerCount.objects.values_list("channel_id", "day"))
    assert days == {jepara.pk: date(2031, 3, 10), jayapura.pk: date(2031, 3, 11)}
    assert followers_due(now=late) == []  # each has its own today
    # At 00:30 WIB on the 11th, Jepara's day has turned too; Jayapura was counted for it already.
    assert followers_due(now=datetime(2031, 3, 11, 0, 30, tzinfo=WIB)) == [jepara.pk]


def test_a_channel_flagged_for_reconnection_is_never_called(fakes, connect):
    x = connect("33.20", "x")
    Channel.objects.filter(pk=x.pk).update(health=Channel.Health.RECONNECT)
    calls = _calls(fakes, "x")

    assert followers_due() == []
    assert channel_followers_collect(channel_id=x.pk) == "skipped"
    assert calls.fired == 0
    assert FollowerCount.objects.count() == 0


def test_a_rate_limited_channel_waits_for_the_platforms_time_without_calling(fakes, connect):
    x = connect("33.20", "x")
    _set(fakes, x, 3_000)
    fakes.hub.add_fault(platform="x", kind="throttle", retry_after=600, path=f"/2/users/{x.account_id}")
    calls = _calls(fakes, "x")

    assert channel_followers_collect(channel_id=x.pk) == "postponed"
    assert FollowerCount.objects.count() == 0
    assert followers_due() == []  # postponed: the sweep leaves it alone
    (row,) = channel_followers_list(actor=x.office and _viewer(x), office=x.office)
    assert (row.status, row.note[:27]) == ("postponed", "Batas permintaan X tercapai")

    # Asked early all the same, the shared rate-limit store refuses without a call.
    assert channel_followers_collect(channel_id=x.pk) == "postponed"
    assert calls.fired == 1

    cache.clear()  # the wait is over
    assert followers_due() == [x.pk]
    assert followers_sweep() == 1
    assert _rows() == [(x.pk, _today(x), 3_000)]


def _viewer(channel: Channel):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    MembershipFactory(user=user, office=channel.office, role="viewer")
    return user


def test_a_platform_that_stops_giving_the_count_leaves_no_row_and_is_logged_once(
    fakes, connect, caplog, client
):
    instagram = connect("33.20", "instagram")
    _set(fakes, instagram, None)
    caplog.set_level(logging.WARNING, logger="humas.analytics.followers")

    assert channel_followers_collect(channel_id=instagram.pk) == "unavailable"
    assert channel_followers_collect(channel_id=instagram.pk) == "unavailable"  # asked anyway: same
    assert FollowerCount.objects.count() == 0
    assert followers_due() == []  # asked again tomorrow, not every ten minutes
    said = [r.getMessage() for r in caplog.records if r.name == "humas.analytics.followers"]
    assert said == [
        f"followers of channel {instagram.pk} (instagram) are not available from the platform: "
        "no count in the answer"
    ]
    viewer = _viewer(instagram)
    client.force_login(viewer)
    page = client.get(reverse("analytics:dashboard", kwargs={"office_slug": instagram.office.slug}))
    assert page.status_code == 200
    assert "Jumlah pengikut tidak tersedia dari platform" in page.content.decode()

    # The number comes back: counted, and a later loss is said again.
    _set(fakes, instagram, 812)
    assert channel_followers_collect(channel_id=instagram.pk) == "counted"
    _set(fakes, instagram, None)
    assert channel_followers_collect(channel_id=instagram.pk) == "unavailable"
    assert len([r for r in caplog.records if r.name == "humas.analytics.followers"]) == 2
    assert _rows() == [(instagram.pk, _today(instagram), 812)]


def test_a_telegram_channel_that_hides_its_members_is_unavailable_with_the_reason(fakes, connect, admin):
    telegram = connect("33.20", "telegram")
    _set(fakes, telegram, None)

    assert channel_followers_collect(channel_id=telegram.pk) == "unavailable"

    (row,) = channel_followers_list(actor=admin, office=telegram.office)
    assert row.unavailable
    assert row.note == f"Telegram tidak memberikan jumlah pelanggan kanal {telegram.account_id}."


def test_a_token_the_platform_refuses_flags_the_channel_and_stops_the_calls(fakes, connect):
    facebook = connect("33.20", "facebook")
    fault = fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)

    assert channel_followers_collect(channel_id=facebook.pk) == "skipped"
    facebook.refresh_from_db()
    assert facebook.health == Channel.Health.RECONNECT
    calls = fault.fired  # the followers call and the health check's verification
    assert calls == 2

    assert followers_due() == []
    assert channel_followers_collect(channel_id=facebook.pk) == "skipped"
    assert fault.fired == calls
    assert FollowerCount.objects.count() == 0


def test_a_transient_failure_is_asked_again_later(fakes, connect):
    x = connect("33.20", "x")
    _set(fakes, x, 70)
    fakes.hub.add_fault(platform="x", kind="error", status=503, path=f"/2/users/{x.account_id}")

    assert channel_followers_collect(channel_id=x.pk) == "retry"
    assert followers_due() == []
    cache.delete(f"humas:followers:hold:{x.pk}")  # half an hour later
    assert followers_sweep() == 1
    assert _rows() == [(x.pk, _today(x), 70)]


def test_the_periodic_task_runs_the_sweep(fakes, connect):
    from humas.analytics.tasks import sweep_followers_task

    telegram = connect("33.20", "telegram")
    _set(fakes, telegram, 2_048)

    sweep_followers_task.call_local()
    sweep_followers_task.call_local()

    assert _rows() == [(telegram.pk, _today(telegram), 2_048)]


# --------------------------------------------------------------------------------------------
# Aggregation


DAY = date(2031, 3, 10)


def _count(channel: Channel, day: date, count: int) -> None:
    FollowerCount.objects.create(
        channel=channel,
        day=day,
        count=count,
        collected_at=datetime.combine(day, datetime.min.time(), channel.office.zoneinfo) + timedelta(hours=9),
    )


def test_the_day_rebuild_takes_each_channels_count_of_the_day_exactly(offices, channel, sent):
    facebook, x = channel("33.20", "facebook"), channel("33.20", "x")
    papua = channel("91.71", "instagram")
    sent(facebook, datetime(2031, 3, 10, 9, 0, tzinfo=WIB), [{"reactions": 4}])
    _count(facebook, DAY, 15_000)
    _count(x, DAY, 800)  # no delivery that day: a row without posts
    _count(papua, DAY, 1_200)
    _count(facebook, DAY - timedelta(days=1), 14_990)  # another day: not this one's

    assert day_rebuild(day=DAY) == 3

    rows = list(
        ChannelDay.objects.filter(day=DAY)
        .order_by("channel_id")
        .values_list("channel_id", "posts", "reactions", "followers", "office_id")
    )
    assert rows == [
        (facebook.pk, 1, 4, 15_000, offices["33.20"].pk),
        (x.pk, 0, None, 800, offices["33.20"].pk),
        (papua.pk, 0, None, 1_200, offices["91.71"].pk),
    ]
    raw = FollowerCount.objects.filter(day=DAY).aggregate(Sum("count"))["count__sum"]
    assert ChannelDay.objects.filter(day=DAY).aggregate(Sum("followers"))["followers__sum"] == raw

    day_rebuild(day=DAY)  # idempotent
    assert ChannelDay.objects.filter(day=DAY).count() == 3
    FollowerCount.objects.filter(channel=x, day=DAY).update(count=805)
    day_rebuild(day=DAY)
    assert ChannelDay.objects.get(channel=x, day=DAY).followers == 805


def test_the_rebuild_queries_do_not_grow_with_the_offices_counted(offices, channel):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            day_rebuild(day=DAY)
        return len(captured)

    _count(channel("33.20", "facebook"), DAY, 10)
    few = count()
    for code in ["33.01", "35.01", "51.01", "91.71", "11.01"]:
        _count(channel(code, "instagram"), DAY, 20)
    assert count() == few
    assert ChannelDay.objects.filter(day=DAY).count() == 6


# --------------------------------------------------------------------------------------------
# Reading: followers are a level


START, END = date(2031, 3, 1), date(2031, 3, 7)


@pytest.fixture
def history(channel):
    """Hand-made counts, aggregated for 28 Feb - 8 Mar:

    Jepara Facebook   1 Mar: -     2 Mar: 1,000  4 Mar: 1,010  6 Mar: 1,030  -> last 1,030, +30
    Jepara Instagram  1 Mar: 500   7 Mar: 520                                -> last 520, +20
    Cilacap Facebook  28 Feb: 150 (before)  3 Mar: 200  8 Mar: 999 (after)   -> last 200, +0
    Jawa Tengah X     5 Mar: 4,000  6 Mar: 3,990                             -> last 3,990, -10
    """
    made = {
        "jepara_fb": channel("33.20", "facebook"),
        "jepara_ig": channel("33.20", "instagram"),
        "cilacap_fb": channel("33.01", "facebook"),
        "jateng_x": channel("33", "x"),
    }
    for key, counts in {
        "jepara_fb": {2: 1_000, 4: 1_010, 6: 1_030},
        "jepara_ig": {1: 500, 7: 520},
        "cilacap_fb": {3: 200, 8: 999},
        "jateng_x": {5: 4_000, 6: 3_990},
    }.items():
        for day, value in counts.items():
            _count(made[key], date(2031, 3, day), value)
    _count(made["cilacap_fb"], date(2031, 2, 28), 150)
    for offset in range(9):
        day_rebuild(day=date(2031, 2, 28) + timedelta(days=offset))
    return made


def test_a_periods_followers_are_each_channels_last_known_count_in_every_selector(offices, member, history):
    boss = member("00", "viewer")

    province = office_series(actor=boss, office=offices["33"], start=START, end=END)
    assert [day.figures.followers for day in province.days] == [500, 1_000, 200, 1_010, 4_000, 5_020, 520]
    assert (province.total.followers, province.total.followers_growth) == (
        1_030 + 520 + 200 + 3_990,
        30 + 20 + 0 - 10,
    )
    assert province.total.followers != sum(day.figures.followers for day in province.days)
    jepara = office_series(actor=boss, office=offices["33.20"], start=START, end=END)
    assert (jepara.total.followers, jepara.total.followers_growth) == (1_550, 50)
    # A period of one day is that day's level; one without counts knows none.
    one_day = office_series(actor=boss, office=offices["33"], start=date(2031, 3, 6), end=date(2031, 3, 6))
    assert (one_day.total.followers, one_day.total.followers_growth) == (5_020, 0)
    empty = office_series(actor=boss, office=offices["33.20"], start=date(2031, 1, 1), end=date(2031, 1, 7))
    assert (empty.total.followers, empty.total.followers_growth, empty.is_empty) == (None, None, True)

    platforms = {
        item.platform: (item.figures.posts, item.figures.followers, item.figures.followers_growth)
        for item in channel_totals(actor=boss, office=offices["33"], start=START, end=END)
    }
    assert platforms == {"facebook": (0, 1_230, 30), "instagram": (0, 520, 20), "x": (0, 3_990, -10)}

    table = offices_below_table(actor=boss, office=offices["33"], start=START, end=END, sort="-pengikut")
    assert [
        (row.office.code, row.figures.followers, row.figures.followers_growth) for row in table.rows[:2]
    ] == [
        ("33.20", 1_550, 50),
        ("33.01", 200, 0),
    ]
    assert (table.own.followers, table.own.followers_growth) == (3_990, -10)
    assert (table.total.followers, table.total.followers_growth) == (5_740, 40)
    assert table.total.as_dict() == province.total.as_dict()
    assert all(row.figures.followers is None for row in table.rows[2:])
    growth = offices_below_table(
        actor=boss, office=offices["33"], start=START, end=END, sort="-pertumbuhan-pengikut"
    )
    assert [row.office.code for row in growth.rows[:2]] == ["33.20", "33.01"]
    national = offices_below_table(actor=boss, office=offices["00"], start=START, end=END)
    central_java = next(row for row in national.rows if row.office.code == "33")
    assert (central_java.figures.followers, central_java.figures.followers_growth) == (5_740, 40)


def test_followers_add_one_query_to_each_read_whatever_the_number_of_offices(
    offices, member, channel, history
):
    boss = member("00", "viewer")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            office_series(actor=boss, office=offices["00"], start=START, end=END)
            channel_totals(actor=boss, office=offices["00"], start=START, end=END)
            offices_below_table(actor=boss, office=offices["00"], start=START, end=END)
        return len(captured)

    count()  # the person's memberships, once
    few = count()
    for code in ["35.01", "51.01", "91.71", "11.01", "33.72"]:
        extra = channel(code, "instagram")
        _count(extra, date(2031, 3, 4), 10)
        _count(extra, date(2031, 3, 6), 25)
    for day in (date(2031, 3, 4), date(2031, 3, 6)):
        day_rebuild(day=day)
    assert count() == few == 3 + 2 + 6
    national = office_series(actor=boss, office=offices["00"], start=START, end=END)
    assert (national.total.followers, national.total.followers_growth) == (5_740 + 5 * 25, 40 + 5 * 15)


# --------------------------------------------------------------------------------------------
# Recorded by a person


def _record_url(channel: Channel, office_slug: str | None = None) -> str:
    return reverse(
        "analytics:followers_record",
        kwargs={"office_slug": office_slug or channel.office.slug, "channel_id": channel.pk},
    )


def test_an_operator_records_todays_followers_of_an_assisted_channel(offices, member, channel, client):
    tiktok = channel("33.20", "tiktok")
    operator = member("33.20", "operator", full_name="Operator Jepara")
    client.force_login(operator)

    answer = client.post(_record_url(tiktok) + "?periode=7", {"jumlah": "1250"})

    dashboard = reverse("analytics:dashboard", kwargs={"office_slug": "kab-jepara"})
    assert answer.status_code == 302
    assert answer["Location"] == f"{dashboard}?periode=7#pengikut"
    today = _today(tiktok)
    assert _rows() == [(tiktok.pk, today, 1_250)]
    page = client.get(answer["Location"]).content.decode()
    assert f"Jumlah pengikut {tiktok} hari ini dicatat: 1.250." in page
    assert "Sudah dicatat hari ini." in page

    client.post(_record_url(tiktok), {"jumlah": "1300"})  # a correction the same day: one row
    assert _rows() == [(tiktok.pk, today, 1_300)]
    events = list(AuditEvent.objects.filter(action="followers.record").order_by("pk"))
    assert [e.changes for e in events] == [
        {"day": today.isoformat(), "followers": 1_250},
        {"day": today.isoformat(), "followers": {"before": 1_250, "after": 1_300}},
    ]
    assert audit_sentence(events[0]) == f"Operator Jepara mencatat jumlah pengikut kanal “{tiktok}”."
    assert (events[0].office_id, events[0].object_id) == (offices["33.20"].pk, str(tiktok.pk))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "Jumlah pengikut tidak boleh negatif."),
        ("banyak", "Isi jumlah pengikut dengan bilangan bulat."),
        ("", "Isi jumlah pengikut."),
    ],
)
def test_a_count_that_is_not_a_whole_number_of_zero_or_more_is_refused_with_a_message(
    member, channel, client, value, message
):
    youtube = channel("33.20", "youtube")
    client.force_login(member("33.20", "operator"))

    answer = client.post(_record_url(youtube), {"jumlah": value}, follow=True)

    assert answer.status_code == 200
    assert f"{youtube}: {message}" in answer.content.decode()
    assert FollowerCount.objects.count() == 0
    assert not AuditEvent.objects.filter(action="followers.record").exists()


def test_another_offices_channel_is_refused(offices, member, channel, client):
    cilacap = channel("33.01", "whatsapp")
    operator = member("33.20", "operator")
    client.force_login(operator)

    assert client.post(_record_url(cilacap), {"jumlah": "10"}).status_code == 403  # Cilacap's page
    assert client.post(_record_url(cilacap, "kab-jepara"), {"jumlah": "10"}).status_code == 404
    with pytest.raises(PolicyDenied):
        follower_count_record(actor=operator, channel=cilacap, count=10)
    # Reading the figures is not posting on the channel.
    client.force_login(member("33.01", "viewer"))
    assert client.post(_record_url(cilacap), {"jumlah": "10"}).status_code == 403
    assert client.get(_record_url(cilacap)).status_code == 405
    assert FollowerCount.objects.count() == 0


def test_the_platforms_own_counts_are_not_typed_in(member, channel):
    operator = member("33.20", "operator")
    with pytest.raises(FollowersError) as caught:
        follower_count_record(actor=operator, channel=channel("33.20", "facebook"), count=10)
    assert str(caught.value) == "Jumlah pengikut kanal ini dikumpulkan otomatis dari platformnya."
    with pytest.raises(FollowersError):
        follower_count_record(actor=operator, channel=channel("33.20", "portal"), count=10)
    assert FollowerCount.objects.count() == 0


# --------------------------------------------------------------------------------------------
# The pages and the exports


def test_the_dashboard_shows_followers_their_growth_and_what_they_mean(offices, member, client, history):
    client.force_login(member("33", "viewer"))
    period = {"dari": "2031-03-01", "sampai": "2031-03-07"}

    page = client.get(reverse("analytics:dashboard", kwargs={"office_slug": offices["33"].slug}), period)

    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'Pengikut</span>\s*<strong class="analytics-value">5\.740\s*</strong>', html)
    assert re.search(r'Pertumbuhan pengikut</span>\s*<strong class="analytics-value">40\s*</strong>', html)
    assert "jumlah terakhir yang tercatat dalam periode itu untuk setiap kanal" in html
    assert 'id="chart-followers"' in html and '"key": "followers"' in html
    assert "5.020" in html  # 6 March in the table per day
    # A viewer of the province sees its own channel, without the form.
    assert "Catat jumlah pengikut" not in html

    below = client.get(reverse("analytics:below", kwargs={"office_slug": offices["33"].slug}), period)
    html = below.content.decode()
    assert "urut=-pengikut" in html and "urut=-pertumbuhan-pengikut" in html
    assert "1.550" in html and "Pertumbuhan pengikut: jumlah terakhir dikurangi" in html


def test_the_form_is_offered_for_the_assisted_channels_to_who_may_post(member, channel, client):
    tiktok = channel("33.20", "tiktok")
    channel("33.20", "facebook")
    client.force_login(member("33.20", "editor"))

    html = client.get(reverse("analytics:dashboard", kwargs={"office_slug": "kab-jepara"})).content.decode()

    assert html.count("Catat jumlah pengikut</button>") == 1
    assert _record_url(tiktok) in html


def test_the_exports_carry_followers(offices, member, client, history):
    client.force_login(member("33", "viewer"))
    period = {"dari": "2031-03-01", "sampai": "2031-03-07"}

    daily = client.get(reverse("analytics:export_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(daily.content.decode("utf-8-sig"))))
    column = rows[0].index("Pengikut")
    assert "Pertumbuhan pengikut" not in rows[0]  # a day has a level, not a growth
    assert [row[column] for row in rows[1:]] == ["500", "1000", "200", "1010", "4000", "5020", "520"]

    below = client.get(reverse("analytics:below_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(below.content.decode("utf-8-sig"))))
    followers, growth = rows[0].index("Pengikut"), rows[0].index("Pertumbuhan pengikut")
    by_code = {row[0]: (row[followers], row[growth]) for row in rows[1:]}
    assert by_code["33.20"] == ("1550", "50")
    assert by_code["33"] == ("3990", "-10")  # the province itself

    book = client.get(reverse("analytics:export_xlsx", kwargs={"office_slug": offices["33"].slug}), period)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(book.content))["Kantor di bawah"]
    header = [cell.value for cell in sheet[1]]
    jepara = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "33.20")
    assert (jepara[header.index("Pengikut")], jepara[header.index("Pertumbuhan pengikut")]) == (1_550, 50)


# --------------------------------------------------------------------------------------------
# The demo


def test_the_demo_gives_its_channels_growing_follower_counts(offices):
    from humas.demo.seed import DEMO_ANALYTICS_EVENT_DAYS_AGO, demo_analytics, demo_seed

    demo_seed(password="kata-sandi-demo-panjang")
    now = timezone.now()
    demo_analytics(days=40, now=now)
    jepara = offices["33.20"]
    today = timezone.localtime(now, WIB).date()
    first = today - timedelta(days=39)

    channels = list(Channel.objects.filter(office=jepara, is_active=True).exclude(platform="portal"))
    assert {c.platform for c in channels} >= {"instagram", "facebook", "x", "tiktok"}
    for item in channels:
        counts = list(FollowerCount.objects.filter(channel=item).order_by("day").values_list("day", "count"))
        assert [day for day, _count in counts] == [first + timedelta(days=n) for n in range(39)]
        values = [value for _day, value in counts]
        assert values == sorted(values) and values[-1] > values[0] >= 500
        # The bump: the week before the event grows faster than the last week.
        event = len(values) - DEMO_ANALYTICS_EVENT_DAYS_AGO
        assert values[event] - values[event - 7] > values[-1] - values[-8]
    # The aggregates hold them, and the dashboard's period reads the last known of each channel.
    assert ChannelDay.objects.filter(office=jepara, followers__isnull=False).count() == 39 * len(channels)
    viewer = _viewer(channels[0])
    series = office_series(actor=viewer, office=jepara, start=today - timedelta(days=29), end=today)
    last = sum(
        FollowerCount.objects.filter(channel=c, day=today - timedelta(days=1)).get().count for c in channels
    )
    assert series.total.followers == last
    assert series.total.followers_growth > 0
