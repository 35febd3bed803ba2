"""The portal's distinct visitors per office and day in the analytics (issue #21): rebuilt from
portal.OfficeVisitorDaily, rolled up the tree, shown, sorted and exported."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from humas.analytics.aggregate import day_rebuild
from humas.analytics.models import PortalDay
from humas.analytics.selectors import office_series, offices_below_table
from humas.offices.tree import subtree
from humas.portal import counter
from humas.portal.models import OfficeVisitorDaily

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2031, 3, 10)
START, END = date(2031, 3, 1), date(2031, 3, 7)


def _visitors(offices, code: str, day: date, count: int) -> None:
    OfficeVisitorDaily.objects.create(office=offices[code], day=day, count=count)


def _portal_rows(day: date) -> dict[str, tuple[int, int | None]]:
    return {
        row.office.code: (row.views, row.visitors)
        for row in PortalDay.objects.filter(day=day).select_related("office")
    }


@pytest.mark.django_db
def test_a_days_visitors_are_the_raw_rows_and_an_office_with_only_visitors_gets_a_row(offices, article):
    article("33.20", datetime(2031, 3, 10, 9, 0, tzinfo=WIB), views={DAY: 40})
    _visitors(offices, "33.20", DAY, 25)
    _visitors(offices, "33.01", DAY, 7)  # its article was deleted since: the visitors stay
    _visitors(offices, "33.20", DAY - timedelta(days=1), 3)  # another day

    assert day_rebuild(day=DAY) == 2

    assert _portal_rows(DAY) == {"33.20": (40, 25), "33.01": (0, 7)}
    raw = dict(OfficeVisitorDaily.objects.filter(day=DAY).values_list("office__code", "count"))
    assert {code: visitors for code, (_views, visitors) in _portal_rows(DAY).items()} == raw


@pytest.mark.django_db
def test_visitors_are_unknown_before_the_portal_counted_them_and_zero_after(offices, article):
    early, late = DAY - timedelta(days=5), DAY
    article("33.20", datetime.combine(early, datetime.min.time(), WIB) + timedelta(hours=9))
    article("33.20", datetime.combine(late, datetime.min.time(), WIB) + timedelta(hours=9))
    _visitors(offices, "33.01", DAY - timedelta(days=3), 4)  # the first day the portal counted them

    day_rebuild(day=early)
    day_rebuild(day=late)

    # Published, nobody read it: before the counting began that is unknown, afterwards none.
    assert _portal_rows(early) == {"33.20": (0, None)}
    assert _portal_rows(late) == {"33.20": (0, 0)}


@pytest.mark.django_db
def test_rebuilding_visitors_is_idempotent_and_follows_the_raw_rows(offices, article):
    article("33.20", datetime(2031, 3, 10, 9, 0, tzinfo=WIB), views={DAY: 12})
    _visitors(offices, "33.20", DAY, 9)

    day_rebuild(day=DAY)
    first = _portal_rows(DAY)
    day_rebuild(day=DAY)
    assert _portal_rows(DAY) == first == {"33.20": (12, 9)}
    assert PortalDay.objects.count() == 1

    # The flush of the day's last minute adds to the raw row; the next rebuild follows it.
    OfficeVisitorDaily.objects.filter(office=offices["33.20"], day=DAY).update(count=11)
    day_rebuild(day=DAY)
    assert _portal_rows(DAY) == {"33.20": (12, 11)}


@pytest.mark.django_db
def test_rebuilding_visitors_costs_the_same_queries_for_many_offices(offices):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            day_rebuild(day=DAY)
        return len(captured)

    _visitors(offices, "33.20", DAY, 5)
    few = count()
    for code in ["33", "33.01", "33.02", "35", "35.01", "51.01", "91.71"]:
        _visitors(offices, code, DAY, 3)

    assert count() == few
    assert PortalDay.objects.filter(day=DAY).count() == 8


def _raw_visitors(office, start: date, end: date) -> int:
    """The raw sum the roll-up must equal: every office of the subtree, every day of the period."""
    rows = OfficeVisitorDaily.objects.filter(
        subtree(office.path, field="office__path"), day__range=(start, end)
    )
    return int(rows.aggregate(n=Sum("count"))["n"] or 0)


def _history(offices) -> None:
    # (office, day of March 2031, visitors): the province itself, three of its regencies over
    # several days, another province, and a day outside the period.
    for code, day, count in [
        ("33", 2, 11),
        ("33.20", 2, 5),
        ("33.20", 3, 7),
        ("33.01", 3, 2),
        ("33.72", 6, 13),
        ("35.01", 3, 17),
        ("33.20", 8, 1000),
    ]:
        _visitors(offices, code, date(2031, 3, day), count)
    for offset in range(8):
        day_rebuild(day=START + timedelta(days=offset))


@pytest.mark.django_db
def test_visitors_roll_up_and_reconcile_exactly_with_the_raw_rows(offices, member):
    _history(offices)
    boss = member("00", "viewer")

    province = office_series(actor=boss, office=offices["33"], start=START, end=END)
    assert province.total.visitors == 11 + 5 + 7 + 2 + 13 == _raw_visitors(offices["33"], START, END)
    assert [row.figures.visitors for row in province.days] == [None, 16, 9, None, None, 13, None]
    for row in province.days:
        assert (row.figures.visitors or 0) == _raw_visitors(offices["33"], row.day, row.day)

    table = offices_below_table(actor=boss, office=offices["33"], start=START, end=END, sort="-pengunjung")
    by_code = {row.office.code: row.figures.visitors for row in table.rows}
    assert (table.own.visitors, by_code["33.20"], by_code["33.01"], by_code["33.72"]) == (11, 12, 2, 13)
    assert by_code["33.02"] is None  # no visitor counted there
    assert table.own.visitors + sum(v or 0 for v in by_code.values()) == table.total.visitors
    assert table.total.visitors == province.total.visitors
    assert [row.office.code for row in table.rows[:3]] == ["33.72", "33.20", "33.01"]

    national = offices_below_table(actor=boss, office=offices["00"], start=START, end=END)
    provinces = {row.office.code: row.figures.visitors for row in national.rows}
    assert provinces["33"] == province.total.visitors
    assert provinces["35"] == 17 == _raw_visitors(offices["35"], START, END)
    assert national.total.visitors == 38 + 17 == _raw_visitors(offices["00"], START, END)


@pytest.mark.django_db
def test_beacons_to_the_province_equal_its_offices_visitors_summed(
    offices, member, article, settings, tmp_path
):
    """From the beacons to the dashboard: the province's figure is the sum of its offices' distinct
    visitors, and a person reading two offices' portals counts once for each."""
    settings.REDIS_URL = ""
    settings.DATA_DIR = tmp_path
    day = counter.timezone.now().date()
    at = datetime.combine(day, datetime.min.time(), WIB) + timedelta(hours=9)
    jepara = [article("33.20", at), article("33.20", at)]
    cilacap = article("33.01", at)
    provincial = article("33", at)
    readers = [counter.visitor_id_new() for _ in range(4)]
    reads = [(0, jepara[0]), (0, jepara[1]), (0, cilacap), (1, jepara[1]), (2, provincial), (3, cilacap)]
    for reader, item in reads:
        assert counter.beacon_record(
            article_id=item.pk, visitor_id=readers[reader], address="10.9.0.1", counts=True
        ).counted

    assert counter.views_flush() == len(reads)
    day_rebuild(day=day)

    raw = dict(OfficeVisitorDaily.objects.values_list("office__code", "count"))
    assert raw == {"33.20": 2, "33.01": 2, "33": 1}
    series = office_series(actor=member("33", "viewer"), office=offices["33"], start=day, end=day)
    assert series.total.visitors == 5 == sum(raw.values())
    assert series.total.portal_views == 6


@pytest.mark.django_db
def test_visitors_are_defined_shown_sorted_and_exported_beside_portal_views(offices, member, client):
    _history(offices)
    client.force_login(member("33", "viewer"))
    period = {"dari": "2031-03-01", "sampai": "2031-03-07"}
    label = "Pengunjung unik harian (dijumlahkan)"
    definition = "satu orang yang membaca pada dua hari terhitung dua kali"

    dashboard = client.get(reverse("analytics:dashboard", kwargs={"office_slug": offices["33"].slug}), period)
    html = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert label in html and definition in html
    assert '"key": "visitors"' in html  # a series of the chart per day
    assert html.index("Dilihat di portal</th>") < html.index(f"{label}</th>")  # the column beside it

    below = client.get(
        reverse("analytics:below", kwargs={"office_slug": offices["33"].slug}),
        {**period, "urut": "-pengunjung"},
    )
    html = below.content.decode()
    assert below.status_code == 200
    assert definition in html and "urut=pengunjung" in html  # sorted descending; the next click reverses
    assert (
        html.index(offices["33.72"].name)
        < html.index(offices["33.20"].name)
        < html.index(offices["33.01"].name)
    )

    daily = client.get(reverse("analytics:export_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(daily.content.decode("utf-8-sig"))))
    column = rows[0].index(label)
    assert rows[0][column - 1] == "Dilihat di portal"
    assert [row[column] for row in rows[1:]] == ["", "16", "9", "", "", "13", ""]

    table = client.get(reverse("analytics:below_csv", kwargs={"office_slug": offices["33"].slug}), period)
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    column = rows[0].index(label)
    by_code = {row[0]: row[column] for row in rows[1:]}
    assert (by_code["33.20"], by_code["33.72"], by_code["33"]) == ("12", "13", "11")

    book = client.get(reverse("analytics:export_xlsx", kwargs={"office_slug": offices["33"].slug}), period)
    from openpyxl import load_workbook

    harian, below_sheet = load_workbook(io.BytesIO(book.content)).worksheets
    header = [cell.value for cell in harian[1]]
    assert [row[header.index(label)] for row in harian.iter_rows(min_row=2, values_only=True)][1:3] == [16, 9]
    header = [cell.value for cell in below_sheet[1]]
    values = {row[0]: row[header.index(label)] for row in below_sheet.iter_rows(min_row=2, values_only=True)}
    assert values["33.20"] == 12
