"""#18 the calendar (Kalender) in real Chromium: the month view draws a post at its WIB time in a
browser set to another zone, a drag moves it to another day, a drag into a blackout window is
refused and undone with the reason, a click on an empty day opens the compose page at that time;
the list, month and week views at 360 px and 1280 px (screenshots in var/screenshots/calendar/),
each without sideways scrolling, CSP violation or serious axe issue."""

# The fixtures are imported from other test modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from humas.blackouts.services import blackout_create
from humas.portal.models import ElectionStage
from humas.publishing.models import Delivery, Post
from tests.browser.conftest import browser  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations
from tests.coordination.conftest import (  # noqa: F401 - fixtures
    JATENG,
    SEMARANG,
    article,
    channel,
    deliveries_become,
    people,
    post,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "calendar"
MONTH = "/app/kab-jepara/kalender/bulan/?bulan=2031-03"
TEXT = "Coklit serentak dimulai hari ini di 16 kecamatan. Warga Jepara diminta menyiapkan KTP-el dan KK."


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert no_horizontal_scroll(page), name
    assert serious_violations(page) == [], name


def event_in(page, day: str, text: str):
    return page.locator(f'td[data-date="{day}"] .fc-event', has_text=text)


def drag(page, source, target) -> None:
    """A person's drag: press, move in steps (FullCalendar waits for real movement), release.
    The calendar is scrolled to the top of the window first, so both days are on screen."""
    page.evaluate("document.querySelector('.fc').scrollIntoView()")
    box = source.bounding_box()
    goal = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 12, steps=20)
    page.mouse.up()


def test_the_month_view_shows_a_post_at_its_wib_time_and_a_drag_moves_it(
    live_server, open_page, people, post, offices
):
    # 00:30 WIB on 11 March is 17:30 UTC on 10 March, and 13:30 on 10 March in New York.
    item = post(TEXT, status=Post.Status.APPROVED, scheduled_at=datetime(2031, 3, 10, 17, 30, tzinfo=UTC))
    page, problems = open_page(people["operator"], zone="America/New_York")

    page.goto(live_server.url + MONTH)
    entry = event_in(page, "2031-03-11", "Coklit serentak")
    entry.wait_for()
    assert entry.locator("time").get_attribute("datetime") == "2031-03-11T00:30+07:00"
    assert entry.locator("time").inner_text() == "00.30" and "Terjadwal" in entry.inner_text()
    assert event_in(page, "2031-03-10", "Coklit serentak").count() == 0

    drag(page, entry, page.locator('td[data-date="2031-03-13"]'))

    page.wait_for_selector("#calendar-message:has-text('Dipindahkan ke 13 Maret 2031 00.30 WIB.')")
    event_in(page, "2031-03-13", "Coklit serentak").wait_for()
    item.refresh_from_db()
    assert item.scheduled_at == datetime(2031, 3, 12, 17, 30, tzinfo=UTC)
    assert (item.status, item.approved_by) == (Post.Status.APPROVED, people["editor"])
    problems.assert_clean("month view after a drag")


def test_a_drag_into_a_blackout_is_refused_and_undone_with_the_reason(
    live_server, open_page, people, post, offices
):
    item = post(TEXT, scheduled_at=datetime(2031, 3, 10, 2, 0, tzinfo=UTC))
    zone = offices[JATENG].zoneinfo
    blackout_create(
        actor=people["jateng_admin"],
        office=offices[JATENG],
        starts_at=datetime(2031, 3, 14, tzinfo=zone),
        ends_at=datetime(2031, 3, 17, tzinfo=zone),
        reason="masa_tenang",
    )
    page, problems = open_page(people["operator"], zone="America/New_York")

    page.goto(live_server.url + MONTH)
    entry = event_in(page, "2031-03-10", "Coklit serentak")
    entry.wait_for()
    windows = page.locator("#calendar-windows")
    windows.wait_for()
    assert "Masa tenang: 14 Maret 2031 00.00 – 17 Maret 2031 00.00 WIB" in windows.inner_text()
    # One shaded band over 14, 15 and 16 March (a Friday to a Sunday: one row of the month).
    band = page.locator(".fc-bg-event.cal-blackout").bounding_box()
    friday = page.locator('td[data-date="2031-03-14"]').bounding_box()
    assert abs(band["x"] - friday["x"]) < 3 and 2.9 * friday["width"] < band["width"] < 3.1 * friday["width"]

    drag(page, entry, page.locator('td[data-date="2031-03-15"]'))

    alert = page.locator("#calendar-alert")
    page.wait_for_selector("#calendar-alert:has-text('Masa tenang')")
    assert alert.get_attribute("role") == "alert"
    assert "Pilih waktu sesudah 17 Maret 2031" in alert.inner_text()
    event_in(page, "2031-03-10", "Coklit serentak").wait_for()
    assert event_in(page, "2031-03-15", "Coklit serentak").count() == 0
    item.refresh_from_db()
    assert item.scheduled_at == datetime(2031, 3, 10, 2, 0, tzinfo=UTC)
    # Chromium logs every 4xx answer to a fetch; the refusal is one, on purpose (HTTP 400).
    refused = (
        "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)"
    )
    assert [v for v in problems.violations() if v != refused] == []


def test_a_click_on_an_empty_day_opens_the_compose_page_at_that_time(live_server, open_page, people):
    page, problems = open_page(people["operator"], zone="Asia/Tokyo")

    page.goto(live_server.url + MONTH)
    page.wait_for_selector(".fc-daygrid-day")
    page.locator('td[data-date="2031-03-20"] .fc-daygrid-day-frame').click(position={"x": 20, "y": 60})

    page.wait_for_url(f"{live_server.url}/app/kab-jepara/content/new/?jadwal=2031-03-20T09%3A00")
    assert page.locator("#id_scheduled_at").input_value() == "2031-03-20T09:00"
    problems.assert_clean("compose page from the calendar")


def test_the_week_view_places_posts_at_their_wib_hour(live_server, open_page, people, post):
    post(
        "Rapat pleno terbuka rekapitulasi",
        status=Post.Status.IN_REVIEW,
        scheduled_at=datetime(2031, 3, 12, 7, 0, tzinfo=UTC),
    )
    page, problems = open_page(people["operator"], zone="Europe/London")

    page.goto(live_server.url + "/app/kab-jepara/kalender/minggu/?tanggal=2031-03-10")
    entry = page.locator('.fc-timegrid-col[data-date="2031-03-12"] .fc-event', has_text="Rapat pleno")
    entry.wait_for()
    assert entry.locator("time").get_attribute("datetime") == "2031-03-12T14:00+07:00"
    slot = page.locator('.fc-timegrid-slot-lane[data-time="14:00:00"]').bounding_box()
    assert abs(entry.bounding_box()["y"] - slot["y"]) < 3  # drawn on the 14:00 row
    problems.assert_clean("week view")


def _a_month_of_content(people, post, article):
    """What Jepara's March looks like: every colour, an article with its stage, a sibling's post
    (which Jepara never sees) and its province's view over both."""
    post(TEXT, status=Post.Status.IN_REVIEW, scheduled_at=datetime(2031, 3, 3, 2, 0, tzinfo=UTC))
    post("Draf jadwal rapat pleno terbuka", scheduled_at=datetime(2031, 3, 4, 6, 30, tzinfo=UTC))
    post(
        "Pengumuman DPS tahap II",
        status=Post.Status.APPROVED,
        scheduled_at=datetime(2031, 3, 10, 1, 0, tzinfo=UTC),
    )
    sent = post(
        "Terima kasih pemantau pemilu",
        status=Post.Status.PUBLISHED,
        scheduled_at=datetime(2031, 3, 10, 3, 0, tzinfo=UTC),
    )
    deliveries_become(sent, Delivery.State.SENT, sent_at=datetime(2031, 3, 10, 3, 2, tzinfo=UTC))
    failed = post(
        "Jadwal bimtek KPPS",
        status=Post.Status.PUBLISHED,
        scheduled_at=datetime(2031, 3, 10, 5, 0, tzinfo=UTC),
    )
    deliveries_become(failed, Delivery.State.FAILED, next_attempt_at=datetime(2031, 3, 10, 5, 0, tzinfo=UTC))
    article(
        "Debat publik pasangan calon bupati",
        publish_at=datetime(2031, 3, 12, 6, 0, tzinfo=UTC),
        stage=ElectionStage.KAMPANYE,
    )
    post("Draf Kota Semarang", scheduled_at=datetime(2031, 3, 12, 2, 0, tzinfo=UTC), code=SEMARANG)
    for day in (17, 18, 19):
        post(
            f"Sosialisasi tahapan pemilu hari ke-{day - 16}",
            scheduled_at=datetime(2031, 3, day, 1, 0, tzinfo=UTC),
        )


@pytest.mark.parametrize("width", [360, 1280])
def test_the_three_views_at_phone_and_desk_width(
    live_server, open_page, people, post, article, offices, width
):
    _a_month_of_content(people, post, article)
    page, problems = open_page(people["operator"], width=width, zone="Asia/Jakarta")

    page.goto(live_server.url + "/app/kab-jepara/kalender/?bulan=2031-03")
    listed = page.locator("main").inner_text()
    assert "Senin, 3 Maret 2031" in listed and "09.00 WIB" in listed and "Draf Kota Semarang" not in listed
    assert "Perlu perhatian" in listed and "TikTok gagal" in listed
    shoot(page, f"list-{width}")

    page.click("nav.calendar-views >> text=Bulan")
    event_in(page, "2031-03-10", "Pengumuman DPS").wait_for()
    assert event_in(page, "2031-03-12", "Draf Kota Semarang").count() == 0
    shoot(page, f"month-{width}")

    page.goto(live_server.url + "/app/kab-jepara/kalender/minggu/?tanggal=2031-03-10")
    page.locator(".fc-timegrid-event", has_text="Pengumuman DPS").wait_for()
    shoot(page, f"week-{width}")
    problems.assert_clean(f"calendar views at {width} px")


def test_a_province_calendar_at_desk_width(live_server, open_page, people, post, article):
    _a_month_of_content(people, post, article)
    page, problems = open_page(people["jateng"], width=1280, zone="Asia/Jakarta")

    page.goto(live_server.url + "/app/jateng/kalender/bulan/?bulan=2031-03")
    event_in(page, "2031-03-12", "Draf Kota Semarang").wait_for()
    assert "KPU Kota Semarang" in event_in(page, "2031-03-12", "Draf Kota Semarang").inner_text()
    shoot(page, "province-month-1280")
    page.goto(live_server.url + "/app/jateng/kalender/?bulan=2031-03")
    assert "KPU Kabupaten Jepara" in page.locator("main").inner_text()
    page.click("details.calendar-filters summary")
    page.select_option("#id_kantor", "33.74")
    page.click("details.calendar-filters button[type=submit]")
    page.wait_for_url("**kantor=33.74**")
    listed = page.locator("main").inner_text()
    assert "Draf Kota Semarang" in listed and "Pengumuman DPS" not in listed
    shoot(page, "province-list-filtered-1280")
    problems.assert_clean("province calendar")
