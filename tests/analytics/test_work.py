"""How offices work: active days, cascades taken up, hoaxes clarified and how fast; rolled up and
ranked. Every figure is checked against the raw rows written here."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from humas.analytics.aggregate import day_rebuild
from humas.analytics.work import leaderboard, office_work, rolled_up, silent_offices
from humas.coordination.models import Cascade, CascadeTarget
from humas.monitoring.models import Narrative
from humas.offices.policy import PolicyDenied
from humas.portal.models import ArticleType

WIB = ZoneInfo("Asia/Jakarta")
START, END = date(2031, 3, 1), date(2031, 3, 10)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2031, 3, day, hour, 0, tzinfo=WIB)


@pytest.fixture
def cascade(offices, author, article):
    """cascade(sent_at, deadline, {code: (status, decided_at)}) -> a KPU RI cascade."""

    def make(
        sent_at: datetime, deadline: datetime, targets: dict[str, tuple[str, datetime | None]]
    ) -> Cascade:
        source = article("00", sent_at)
        item = Cascade.objects.create(
            office=offices["00"],
            source_article=source,
            text="Info",
            scope=Cascade.Scope.CHOSEN,
            deadline=deadline,
            created_by=author,
        )
        Cascade.objects.filter(pk=item.pk).update(created_at=sent_at)  # auto_now_add
        for code, (status, decided_at) in targets.items():
            CascadeTarget.objects.create(
                cascade=item, office=offices[code], status=status, decided_at=decided_at
            )
        return item

    return make


@pytest.fixture
def narrative(offices, article):
    """narrative(code, first_seen, clarified_at=None) -> a narrative of that office, with a
    published clarification drafted from it when ``clarified_at`` is given."""

    def make(code: str, first_seen: datetime, clarified_at: datetime | None = None) -> Narrative:
        office = offices[code]
        clarification = article(code, clarified_at, type=ArticleType.KLARIFIKASI) if clarified_at else None
        return Narrative.objects.create(
            office=office,
            office_path=office.path,
            title="Narasi",
            first_seen_at=first_seen,
            last_seen_at=first_seen,
            clarification_article=clarification,
            status=Narrative.Status.CLARIFIED if clarified_at else Narrative.Status.NEW,
        )

    return make


def _data(channel, sent, cascade, narrative):
    # Jepara posts on 3 days (twice on one), Banjarnegara on 1, Surakarta never.
    jepara, banjar = channel("33.20"), channel("33.04", "x")
    for day in (2, 2, 5, 9):
        sent(jepara, at(day), [{"reactions": 1}])
    sent(banjar, at(4), [{"reactions": 1}])
    sent(jepara, at(12), [{"reactions": 1}])  # after the period
    for offset in range(12):
        day_rebuild(day=START + timedelta(days=offset))
    # One cascade to three offices: Jepara adopts on time, Banjarnegara adapts late, Surakarta
    # declines; another to Jepara only, still pending; one due before the period (not counted).
    cascade(
        at(3),
        at(4),
        {
            "33.20": (CascadeTarget.Status.ADOPTED, at(3, 15)),
            "33.04": (CascadeTarget.Status.ADAPTED, at(6)),
            "33.72": (CascadeTarget.Status.DECLINED, at(3, 12)),
        },
    )
    cascade(at(8), at(10), {"33.20": (CascadeTarget.Status.PENDING, None)})
    cascade(
        datetime(2031, 2, 20, tzinfo=WIB),
        datetime(2031, 2, 25, tzinfo=WIB),
        {"33.20": (CascadeTarget.Status.ADOPTED, datetime(2031, 2, 21, tzinfo=WIB))},
    )
    # Jepara: two narratives clarified after 4 h and 10 h, one waiting; Banjarnegara: one after 30 h.
    narrative("33.20", at(2, 8), at(2, 12))
    narrative("33.20", at(5, 0), at(5, 10))
    narrative("33.20", at(6))
    narrative("33.04", at(7, 0), at(8, 6))
    # Seen before the period, clarified in it: counts as clarified, not as seen.
    narrative("33.04", datetime(2031, 2, 27, 10, tzinfo=WIB), at(1, 10))


@pytest.mark.django_db
def test_work_figures_reconcile_with_the_raw_rows(offices, member, channel, sent, cascade, narrative):
    _data(channel, sent, cascade, narrative)
    viewer = member("33", "viewer")
    work = office_work(actor=viewer, office=offices["33"], start=START, end=END)
    rows = {row.office.code: row.figures for row in work.rows}

    jepara = rows["33.20"]
    assert jepara.active_days == 3
    assert (jepara.cascades_received, jepara.cascades_taken, jepara.cascades_on_time) == (2, 1, 1)
    assert jepara.adoption_percent == 50
    assert (jepara.narratives_seen, jepara.clarified) == (3, 2)
    assert jepara.median_clarify_hours == 7.0

    banjar = rows["33.04"]
    assert banjar.active_days == 1
    assert (banjar.cascades_received, banjar.cascades_taken, banjar.cascades_on_time) == (1, 1, 0)
    assert (banjar.narratives_seen, banjar.clarified) == (1, 2)
    assert sorted(banjar.clarify_hours) == [30.0, 48.0]

    solo = rows["33.72"]
    assert (solo.active_days, solo.cascades_received, solo.cascades_declined) == (0, 1, 1)

    total = work.total
    assert total.offices == len(work.rows) == 36  # Jawa Tengah and its 35 regencies and cities
    assert total.active_days == 4
    assert total.silent_offices == 34
    assert (
        total.cascades_received,
        total.cascades_taken,
        total.cascades_on_time,
        total.cascades_declined,
    ) == (
        4,
        2,
        1,
        1,
    )
    assert (total.narratives_seen, total.clarified) == (4, 4)
    assert total.median_clarify_hours == 20.0  # median of 4, 10, 30, 48
    assert work.active_percent == round(4 * 100 / (10 * 36))

    # Jepara alone: its own subtree.
    own = office_work(actor=viewer, office=offices["33.20"], start=START, end=END)
    assert own.total.active_days == 3 and own.total.offices == 1
    assert own.active_percent == 30


@pytest.mark.django_db
def test_work_queries_do_not_grow_with_the_number_of_offices(
    offices, member, channel, sent, cascade, narrative
):
    _data(channel, sent, cascade, narrative)
    viewer = member("00", "viewer")
    office_work(actor=viewer, office=offices["33.20"], start=START, end=END)  # the reach, cached
    with CaptureQueriesContext(connection) as small:
        office_work(actor=viewer, office=offices["33"], start=START, end=END)
    with CaptureQueriesContext(connection) as national:
        work = office_work(actor=viewer, office=offices["00"], start=START, end=END)
    assert len(national) == len(small)
    assert len(work.rows) == len(offices)


@pytest.mark.django_db
def test_the_leaderboard_ranks_rolled_up_offices_best_first(
    offices, member, channel, sent, cascade, narrative
):
    _data(channel, sent, cascade, narrative)
    viewer = member("00", "viewer")
    work = office_work(actor=viewer, office=offices["00"], start=START, end=END)

    provinces = {row.office.code: row.figures for row in rolled_up(work, level="provinsi")}
    assert len(provinces) == 38
    assert provinces["33"].active_days == 4 and provinces["33"].offices == 36
    assert provinces["33"].cascades_received == 4

    rankings = {ranking.key: ranking for ranking in leaderboard(work, level="kabupaten-kota")}
    assert [(row.office.code, value) for row, value in rankings["aktif"].rows[:2]] == [
        ("33.20", 30),
        ("33.04", 10),
    ]
    # Only offices that received a cascade are ranked on it; Surakarta declined everything.
    assert [(row.office.code, value) for row, value in rankings["kaskade"].rows] == [
        ("33.04", 100),
        ("33.20", 50),
        ("33.72", 0),
    ]
    # Smaller is better; an office that clarified nothing is not ranked.
    assert [(row.office.code, value) for row, value in rankings["klarifikasi"].rows] == [
        ("33.20", 7.0),
        ("33.04", 39.0),
    ]
    assert len(rankings["aktif"].rows) == 10

    silent = silent_offices(work, level="kabupaten-kota")
    assert offices["33.72"] in silent and offices["33.20"] not in silent
    assert len(silent) == 514 - 2


@pytest.mark.django_db
def test_a_regency_may_not_read_its_provinces_work(offices, member, client):
    operator = member("33.20", "operator")
    with pytest.raises(PolicyDenied):
        office_work(actor=operator, office=offices["33"], start=START, end=END)
    client.force_login(operator)
    assert client.get(
        reverse("analytics:leaderboard", kwargs={"office_slug": offices["33"].slug})
    ).status_code in (
        403,
        404,
    )


@pytest.mark.django_db
def test_the_leaderboard_page_and_the_dashboard_show_the_work(
    offices, member, client, channel, sent, cascade, narrative
):
    _data(channel, sent, cascade, narrative)
    client.force_login(member("33", "viewer"))
    query = {"dari": START.isoformat(), "sampai": END.isoformat()}
    page = client.get(reverse("analytics:leaderboard", kwargs={"office_slug": offices["33"].slug}), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Paling aktif" in text and "Paling cepat mengklarifikasi" in text
    assert offices["33.20"].name in text and "30%" in text
    assert "33 kantor belum mengirim unggahan" in text  # the regencies and cities
    assert reverse("compliance:page", kwargs={"office_slug": offices["33"].slug}) in text

    dashboard = client.get(reverse("analytics:dashboard", kwargs={"office_slug": offices["33"].slug}), query)
    text = dashboard.content.decode()
    assert "Kinerja kehumasan" in text
    assert "20 jam" in text  # the median time to clarify
    assert "2 dari 4 kiriman diadopsi atau diadaptasi" in text
    assert "34 dari 36 kantor tidak mengirim unggahan" in text

    client.force_login(member("00", "viewer"))
    national = client.get(reverse("analytics:leaderboard", kwargs={"office_slug": offices["00"].slug}), query)
    text = national.content.decode()
    assert national.status_code == 200
    # Provinces first, the regencies and cities one click away.
    assert "tingkat=kabupaten-kota" in text and offices["33"].name in text
    regencies = client.get(
        reverse("analytics:leaderboard", kwargs={"office_slug": offices["00"].slug}),
        {**query, "tingkat": "kabupaten-kota"},
    )
    assert offices["33.20"].name in regencies.content.decode()


@pytest.mark.django_db
def test_a_period_without_any_work_says_so(offices, member, client):
    client.force_login(member("33.20", "operator"))
    page = client.get(reverse("analytics:dashboard", kwargs={"office_slug": offices["33.20"].slug}))
    assert "Belum ada kegiatan yang tercatat pada periode ini" in page.content.decode()
    alone = client.get(reverse("analytics:leaderboard", kwargs={"office_slug": offices["33.20"].slug}))
    assert "Tidak ada kantor di bawah kantor ini." in alone.content.decode()


@pytest.mark.django_db
def test_each_office_below_has_a_small_chart_of_its_days(offices, member, client, channel, sent):
    from humas.analytics.sparklines import daily_posts_below, sparkline

    jepara = channel("33.20")
    for day in (2, 2, 5):
        sent(jepara, at(day), [{"reactions": 1}])
    sent(channel("33"), at(3), [])  # the province itself: not a row
    for offset in range(10):
        day_rebuild(day=START + timedelta(days=offset))
    viewer = member("33", "viewer")
    daily = daily_posts_below(actor=viewer, office=offices["33"], start=START, end=END)
    assert len(daily) == 35
    assert daily[offices["33.20"].pk] == [0, 2, 0, 0, 1, 0, 0, 0, 0, 0]
    assert daily[offices["33.01"].pk] == [0] * 10

    svg = str(sparkline(daily[offices["33.20"].pk], start=START))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "3 dalam periode, terbanyak 2 pada 2 Mar" in svg
    assert "tidak ada dalam periode" in str(sparkline([0, 0], start=START))

    client.force_login(viewer)
    page = client.get(
        reverse("analytics:below", kwargs={"office_slug": offices["33"].slug}),
        {"dari": START.isoformat(), "sampai": END.isoformat()},
    )
    assert page.content.decode().count('class="sparkline"') == 35


@pytest.mark.django_db
def test_each_number_of_the_week_on_beranda_has_its_small_chart(client, offices, member):
    from django.utils import timezone

    from humas.analytics.aggregate import rollups_rebuild
    from humas.analytics.highlights import week_highlights
    from humas.analytics.models import PortalDay

    jepara = offices["33.20"]
    today = timezone.localdate(timezone=jepara.zoneinfo)
    PortalDay.objects.create(office=jepara, day=today, views=120)
    PortalDay.objects.create(office=jepara, day=today - timedelta(days=8), views=80)
    for offset in (0, 8):
        rollups_rebuild(day=today - timedelta(days=offset))
    viewer = member("33.20", "viewer")
    views = next(item for item in week_highlights(viewer, jepara) if item.label == "Dilihat di portal")
    assert len(views.days) == 14
    assert views.days[-1] == 120 and views.days[5] == 80 and sum(views.days) == 200

    client.force_login(viewer)
    page = client.get("/app/kab-jepara/").content.decode()
    assert page.count('class="sparkline"') == 4
    assert 'aria-label="Dilihat di portal per hari, 14 hari terakhir"' in page


@pytest.mark.django_db
def test_the_dashboard_lists_the_top_posts_and_articles(offices, member, client, channel, sent, article):
    from humas.analytics.top import top_articles, top_posts

    jepara, solo = channel("33.20"), channel("33.72", "x")
    sent(jepara, at(2), [{"reactions": 5, "comments": 1}])
    sent(solo, at(3), [{"reactions": 40, "shares": 2}])
    sent(solo, at(4), [{"reactions": 0}])  # no engagement: not listed
    sent(jepara, datetime(2031, 2, 20, tzinfo=WIB), [{"reactions": 99}])  # before the period
    article("33.20", at(2), views={date(2031, 3, 2): 7, date(2031, 3, 3): 5})
    article("33.72", at(2), type=ArticleType.KLARIFIKASI, views={date(2031, 3, 4): 30})
    viewer = member("33", "viewer")
    for offset in range(10):
        day_rebuild(day=START + timedelta(days=offset))
    posts = top_posts(actor=viewer, office=offices["33"], start=START, end=END)
    assert [(post.office, post.engagement) for post in posts] == [
        (offices["33.72"].name, "42"),
        (offices["33.20"].name, "6"),
    ]
    articles = top_articles(actor=viewer, office=offices["33"], start=START, end=END)
    assert [(item.office, item.views) for item in articles] == [
        (offices["33.72"].name, "30"),
        (offices["33.20"].name, "12"),
    ]
    with pytest.raises(PolicyDenied):
        top_posts(actor=member("33.20", "viewer"), office=offices["33.72"], start=START, end=END)

    client.force_login(viewer)
    page = client.get(
        reverse("analytics:dashboard", kwargs={"office_slug": offices["33"].slug}),
        {"dari": START.isoformat(), "sampai": END.isoformat()},
    ).content.decode()
    assert "Konten teratas" in page and "Unggahan dengan interaksi terbanyak" in page
    assert page.index(offices["33.72"].name, page.index("top-posts")) < page.index(
        offices["33.20"].name, page.index("top-posts")
    )
