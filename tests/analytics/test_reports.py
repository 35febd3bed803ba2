from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from humas.analytics.aggregate import day_rebuild
from humas.analytics.selectors import channel_totals, office_series, offices_below_table
from humas.offices.policy import PolicyDenied

WIB = ZoneInfo("Asia/Jakarta")
START, END = date(2031, 3, 1), date(2031, 3, 7)


def _history(channel, sent, article, codes, *, base=date(2031, 3, 1)):
    """For each office in ``codes`` (index i): i+1 deliveries on the 2nd, with i+2 reactions, 1
    comment and reach 10 each; an article with i+3 views on the 3rd."""
    for index, code in enumerate(codes):
        facebook = channel(code, "facebook")
        for _ in range(index + 1):
            sent(
                facebook,
                datetime(2031, 3, 2, 10, 0, tzinfo=WIB),
                [{"reactions": index + 2, "comments": 1, "reach": 10}],
            )
        article(code, datetime(2031, 3, 3, 10, 0, tzinfo=WIB), views={date(2031, 3, 3): index + 3})
    for offset in range(7):
        day_rebuild(day=base + timedelta(days=offset))


CODES = ["33", "33.20", "33.01", "33.72", "35", "35.01"]


@pytest.mark.django_db
def test_roll_ups_reconcile_with_the_raw_rows(offices, member, channel, sent, article):
    _history(channel, sent, article, CODES)
    boss = member("00", "viewer")

    province = office_series(actor=boss, office=offices["33"], start=START, end=END)
    # Central Java: itself (1 delivery) + Jepara (2) + Cilacap (3) + Semarang city (4).
    assert province.total.posts == 1 + 2 + 3 + 4
    assert province.total.reactions == 1 * 2 + 2 * 3 + 3 * 4 + 4 * 5
    assert province.total.engagement == province.total.reactions + province.total.posts
    assert province.total.reach == 10 * 10
    assert province.total.portal_views == 3 + 4 + 5 + 6
    assert province.total.articles == 4 and province.total.clarifications == 0
    assert [row.figures.posts for row in province.days] == [0, 10, 0, 0, 0, 0, 0]

    table = offices_below_table(actor=boss, office=offices["33"], start=START, end=END)
    assert len(table.rows) == 35  # every regency and city of Central Java, also those without data
    summed = table.own.posts + sum(row.figures.posts for row in table.rows)
    assert summed == table.total.posts == province.total.posts
    assert table.total.as_dict() == province.total.as_dict()
    jepara = next(row for row in table.rows if row.office.code == "33.20")
    assert (jepara.figures.posts, jepara.figures.reactions, jepara.figures.portal_views) == (2, 6, 4)

    national = offices_below_table(actor=boss, office=offices["00"], start=START, end=END)
    everything = office_series(actor=boss, office=offices["00"], start=START, end=END)
    assert national.total.as_dict() == everything.total.as_dict()
    assert national.total.posts == sum(range(1, 7))
    by_code = {row.office.code: row.figures for row in national.rows}
    assert by_code["33"].posts == 10 and by_code["35"].posts == 5 + 6
    assert everything.total.posts == national.own.posts + sum(f.posts for f in by_code.values())

    platforms = channel_totals(actor=boss, office=offices["33"], start=START, end=END)
    assert [(item.platform, item.figures.posts) for item in platforms] == [("facebook", 10)]


@pytest.mark.django_db
def test_the_table_below_sorts_on_each_column(offices, member, channel, sent, article):
    _history(channel, sent, article, CODES)
    boss = member("33", "viewer")
    table = offices_below_table(actor=boss, office=offices["33"], start=START, end=END, sort="-unggahan")
    assert [row.office.code for row in table.rows[:3]] == ["33.72", "33.01", "33.20"]
    table = offices_below_table(actor=boss, office=offices["33"], start=START, end=END, sort="nonsense")
    assert table.sort == "kantor" and table.rows[0].office.code == "33.01"


@pytest.mark.django_db
def test_read_queries_do_not_grow_with_the_number_of_offices(offices, member, channel, sent, article):
    boss = member("00", "viewer")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            office_series(actor=boss, office=offices["00"], start=START, end=END)
            channel_totals(actor=boss, office=offices["00"], start=START, end=END)
            offices_below_table(actor=boss, office=offices["00"], start=START, end=END)
            offices_below_table(actor=boss, office=offices["33"], start=START, end=END)
        return len(captured)

    _history(channel, sent, article, ["33.20"])
    count()  # the first asks for the person's memberships once
    few = count()
    _history(channel, sent, article, ["33", "33.01", "35", "35.01", "51.01", "91.71", "11.01"])
    # Series 3, platforms 2, each table 6 (the offices below, their roll-ups, the office's own rows
    # and the followers of the period): 17 whatever the number of offices.
    assert count() == few <= 17


@pytest.mark.django_db
def test_a_regency_may_not_read_a_siblings_analytics(offices, member, client):
    operator = member("33.20", "operator")
    with pytest.raises(PolicyDenied):
        office_series(actor=operator, office=offices["33.01"], start=START, end=END)
    with pytest.raises(PolicyDenied):
        offices_below_table(actor=operator, office=offices["33"], start=START, end=END)

    client.force_login(operator)
    for name in ("dashboard", "below", "export_csv", "export_xlsx", "below_csv"):
        sibling = client.get(reverse(f"analytics:{name}", kwargs={"office_slug": offices["33.01"].slug}))
        assert sibling.status_code in (403, 404), name
        own = client.get(reverse(f"analytics:{name}", kwargs={"office_slug": offices["33.20"].slug}))
        assert own.status_code == 200, name


@pytest.mark.django_db
def test_dashboard_shows_the_numbers_with_their_table(offices, member, client, channel, sent, article):
    today = timezone.localdate(timezone=WIB)
    facebook = channel("33.20", "facebook")
    noon = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=WIB) + timedelta(hours=12)
    sent(facebook, noon, [{"reactions": 1200, "comments": 34, "shares": 5, "reach": 9876}])
    day_rebuild(day=today - timedelta(days=1))
    client.force_login(member("33.20", "viewer"))

    page = client.get(
        reverse("analytics:dashboard", kwargs={"office_slug": offices["33.20"].slug}), {"periode": 7}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "1.239" in html  # engagement 1200 + 34 + 5, in the Indonesian grouping
    assert "9.876" in html
    assert 'id="analytics-data" type="application/json"' in html
    assert "<details>" in html and "Tampilan tabel" in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "analytics/charts.js" in html
    assert "Belum ada data untuk periode ini" not in html


@pytest.mark.django_db
def test_a_period_without_data_says_so(offices, member, client):
    client.force_login(member("33.20", "viewer"))
    page = client.get(
        reverse("analytics:dashboard", kwargs={"office_slug": offices["33.20"].slug}),
        {"dari": "2031-01-01", "sampai": "2031-01-31"},
    )
    assert page.status_code == 200
    assert "Belum ada data untuk periode ini." in page.content.decode()
    assert "31 hari" in page.content.decode()


@pytest.mark.django_db
def test_bad_dates_fall_back_to_the_default_period_with_an_error(offices, member, client):
    client.force_login(member("33.20", "viewer"))
    page = client.get(
        reverse("analytics:dashboard", kwargs={"office_slug": offices["33.20"].slug}),
        {"dari": "2031-02-01", "sampai": "2031-01-01", "periode": "banyak"},
    )
    assert page.status_code == 200
    assert "30 hari" in page.content.decode()


@pytest.mark.django_db
def test_the_provincial_table_page_lists_and_links_the_offices_below(
    offices, member, client, channel, sent, article
):
    _history(channel, sent, article, CODES)
    client.force_login(member("33", "viewer"))
    page = client.get(
        reverse("analytics:below", kwargs={"office_slug": offices["33"].slug}),
        {"dari": "2031-03-01", "sampai": "2031-03-07", "urut": "-unggahan"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    jepara_link = reverse("analytics:dashboard", kwargs={"office_slug": offices["33.20"].slug})
    assert jepara_link in html
    assert (
        html.index(offices["33.72"].name)
        < html.index(offices["33.01"].name)
        < html.index(offices["33.20"].name)
    )
    assert 'aria-sort="descending"' in html


@pytest.mark.django_db
def test_exports_are_safe_to_open_in_a_spreadsheet(offices, member, client, channel, sent, article):
    _history(channel, sent, article, CODES)
    office = offices["33.20"]
    office.name = '=HYPERLINK("http://jahat.example")'
    office.save(update_fields=["name"])
    client.force_login(member("33", "viewer"))
    period = {"dari": "2031-03-01", "sampai": "2031-03-07"}

    daily = client.get(reverse("analytics:export_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(daily.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Tanggal", "Unggahan", "Reaksi"]
    assert rows[2][:3] == ["2031-03-02", "10", str(2 + 6 + 12 + 20)]
    assert len(rows) == 1 + 7

    below = client.get(reverse("analytics:below_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(below.content.decode("utf-8-sig"))))
    jepara = next(row for row in rows if row[0] == "33.20")
    assert jepara[1] == '\'=HYPERLINK("http://jahat.example")'
    assert jepara[2] == "2"

    book = client.get(reverse("analytics:export_xlsx", kwargs={"office_slug": offices["33"].slug}), period)
    assert book.status_code == 200
    from openpyxl import load_workbook

    sheets = load_workbook(io.BytesIO(book.content)).worksheets
    assert [sheet.title for sheet in sheets] == ["Harian", "Kantor di bawah"]
    names = [row[1] for row in sheets[1].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://jahat.example")' in names


def test_the_office_dashboard_shows_the_week_against_the_week_before(client, offices, member):
    from datetime import timedelta

    from django.utils import timezone

    from humas.analytics.aggregate import rollups_rebuild
    from humas.analytics.models import PortalDay

    jepara = offices["33.20"]
    today = timezone.localdate(timezone=jepara.zoneinfo)
    PortalDay.objects.create(
        office=jepara, day=today, views=120, articles_published=1, clarifications_published=1
    )
    PortalDay.objects.create(office=jepara, day=today - timedelta(days=8), views=80)
    PortalDay.objects.create(office=jepara, day=today - timedelta(days=20), views=999)  # outside both weeks
    for offset in (0, 8, 20):
        rollups_rebuild(day=today - timedelta(days=offset))
    viewer = member("33.20", "viewer")
    client.force_login(viewer)
    page = client.get("/app/kab-jepara/").content.decode()
    assert "Tujuh hari terakhir" in page
    assert "120" in page and "(+50%)" in page
    assert "/app/kab-jepara/analitik/?periode=7" in page
    # The province sees Jepara's views rolled up into its own.
    client.force_login(member("33", "editor"))
    assert "120" in client.get("/app/jateng/").content.decode()
