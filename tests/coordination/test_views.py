"""The calendar's pages: the list view without JavaScript, the month and week views' page, their
JSON, a drag to another time, and the compose page a click on an empty slot opens."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from humas.audit.models import AuditEvent
from humas.blackouts.services import blackout_create
from humas.coordination.views import calendar as calendar_views
from humas.portal.models import Article, ElectionStage
from humas.publishing.models import Delivery, Post

from .conftest import JATENG, JAYAPURA, JEPARA, MAKASSAR, SEMARANG, at, deliveries_become

pytestmark = pytest.mark.django_db

BASE = "/app/kab-jepara/kalender/"
MARCH_RANGE = {"start": "2031-03-01T00:00", "end": "2031-04-01T00:00"}


def signed_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --------------------------------------------------------------------------------------------
# The list view


def test_the_list_view_works_without_javascript(client, people, post, article):
    item = post(
        "Sosialisasi coklit di Kecamatan Bangsri", status=Post.Status.IN_REVIEW, scheduled_at=at(10, 2)
    )
    later = article("Debat publik kandidat", publish_at=at(12, 6, 30), stage=ElectionStage.KAMPANYE)

    response = signed_in(client, people["viewer"]).get(BASE, {"bulan": "2031-03"})
    page = text(response)

    assert response.status_code == 200
    assert "<h1>Kalender — KPU Kabupaten Jepara</h1>" in page
    assert "<script" not in page.split("<footer")[0].split("<main")[1]  # the entries need no script
    assert '<time datetime="2031-03-10">Senin, 10 Maret 2031</time>' in page
    assert '<time datetime="2031-03-12">Rabu, 12 Maret 2031</time>' in page
    assert f'<a class="entry-title" href="/app/kab-jepara/content/{item.pk}/">Sosialisasi coklit' in page
    assert (
        f'<a class="entry-title" href="/app/kab-jepara/portal/{later.pk}/">Debat publik kandidat</a>' in page
    )
    # The time in the office's zone and the status in words beside its colour.
    assert '<time class="entry-time" datetime="2031-03-10T09:00:00+07:00">09.00 WIB</time>' in page
    assert '<span class="cal-badge cal-in_review">Menunggu persetujuan</span>' in page
    assert '<span class="cal-badge cal-scheduled">Terjadwal</span>' in page
    assert "13.30 WIB" in page and "Kampanye" in page
    assert '<ul class="entry-channels" aria-label="Kanal"><li>TikTok</li></ul>' in page
    assert "2 jadwal pada bulan ini" in page
    assert page.index("Senin, 10 Maret 2031") < page.index("Rabu, 12 Maret 2031")


def test_the_list_view_pages_through_months_in_the_office_zone(client, people, post):
    # 31 March 2031 17:30 UTC is 1 April 00:30 WIB.
    post("Tengah malam", scheduled_at=datetime(2031, 3, 31, 17, 30, tzinfo=UTC))
    client = signed_in(client, people["operator"])

    march = text(client.get(BASE, {"bulan": "2031-03"}))
    april = text(client.get(BASE, {"bulan": "2031-04"}))

    assert "Tengah malam" not in march and "Belum ada jadwal pada bulan ini." in march
    assert "Tengah malam" in april and "00.30 WIB" in april and "Selasa, 1 April 2031" in april
    assert '<h2 class="calendar-month-title">April 2031</h2>' in april
    assert 'href="?bulan=2031-03" rel="prev"' in april and 'href="?bulan=2031-05" rel="next"' in april


@pytest.mark.parametrize(
    ("code", "slug", "shown"),
    [
        (JEPARA, "kab-jepara", "09.00 WIB"),
        (MAKASSAR, "kota-makassar", "10.00 WITA"),
        (JAYAPURA, "kota-jayapura", "11.00 WIT"),
    ],
)
def test_times_are_shown_in_each_offices_zone(client, member, offices, code, slug, shown):
    from humas.publishing.services import post_create

    writer = member(code, "operator")
    post_create(actor=writer, office=offices[code], text="Rapat pleno terbuka", scheduled_at=at(10, 2))

    page = text(signed_in(client, writer).get(f"/app/{slug}/kalender/", {"bulan": "2031-03"}))

    assert f">{shown}</time>" in page


def test_the_national_calendar_names_each_office_and_its_own_time(client, member, offices):
    from humas.publishing.services import post_create

    post_create(
        actor=member(MAKASSAR, "operator"),
        office=offices[MAKASSAR],
        text="Dari Makassar",
        scheduled_at=at(10, 2),
    )
    national = member("00", "viewer")

    page = text(signed_in(client, national).get("/app/ri/kalender/", {"bulan": "2031-03"}))

    assert "09.00 WIB" in page
    assert "KPU Kota Makassar" in page and "10.00 WITA di kantornya" in page


def test_a_province_sees_its_regencies_and_filters_them(client, people, post):
    post("Draf Jepara", scheduled_at=at(5, 2))
    post("Draf Semarang", scheduled_at=at(5, 3), code=SEMARANG)
    client = signed_in(client, people["jateng"])

    everything = text(client.get("/app/jateng/kalender/", {"bulan": "2031-03"}))
    one = text(client.get("/app/jateng/kalender/", {"bulan": "2031-03", "kantor": SEMARANG}))
    own = text(client.get("/app/jateng/kalender/", {"bulan": "2031-03", "cakupan": "kantor"}))

    assert "Draf Jepara" in everything and "Draf Semarang" in everything
    assert "KPU Kabupaten Jepara" in everything
    assert "Draf Jepara" not in one and "Draf Semarang" in one
    assert "Draf Jepara" not in own and "Belum ada jadwal" not in own  # filtered: says so
    assert "Tidak ada jadwal yang cocok dengan saringan ini pada bulan ini." in own
    assert '<option value="33.74" selected>' in one


def test_a_regency_cannot_open_a_siblings_calendar(client, people, post):
    post("Draf Semarang", scheduled_at=at(5, 3), code=SEMARANG)
    client = signed_in(client, people["operator"])

    for path in ("", "bulan/", "minggu/", "data/?start=2031-03-01T00:00&end=2031-04-01T00:00"):
        assert client.get(f"/app/kota-semarang/kalender/{path}").status_code == 403
    mine = text(client.get(BASE, {"bulan": "2031-03", "kantor": SEMARANG}))
    assert "Draf Semarang" not in mine


def test_filters_from_the_query_string_never_fail(client, people, post):
    post("Draf", scheduled_at=at(5, 3))
    client = signed_in(client, people["operator"])

    for query in (
        {"bulan": "2031-13"},
        {"bulan": "tahun lalu"},
        {"status": "hilang", "kanal": "myspace", "tahapan": "x", "kantor": "99", "cakupan": "?"},
        {"page": "²"},
        {"page": "999999999"},
    ):
        assert client.get(BASE, query).status_code == 200, query


def test_the_stage_and_campaign_filters(client, people, post, article):
    draft = post("Draf unggahan", scheduled_at=at(5, 3))
    article("Artikel kampanye", publish_at=at(6, 3), stage=ElectionStage.KAMPANYE)
    Post.objects.filter(pk=draft.pk).update(campaign="AyoKeTPS")
    client = signed_in(client, people["operator"])

    page = text(client.get(BASE, {"bulan": "2031-03", "tahapan": "kampanye"}))
    assert "Artikel kampanye" in page and "Draf unggahan" not in page
    # The campaigns in use are offered; a campaign is typed with or without its #.
    page = text(client.get(BASE, {"bulan": "2031-03", "kampanye": "#ayoketps"}))
    assert "Draf unggahan" in page and "Artikel kampanye" not in page
    assert '<option value="AyoKeTPS">' in client.get(BASE).content.decode()
    assert "Kampanye tercatat pada unggahan Konten" in page


def test_the_calendar_in_english(client, people, post):
    post("Sosialisasi coklit", status=Post.Status.IN_REVIEW, scheduled_at=at(10, 2))
    client = signed_in(client, people["viewer"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    page = text(client.get(BASE, {"bulan": "2031-03"}))
    grid = text(client.get(BASE + "bulan/", {"bulan": "2031-03"}))

    assert "<h1>Calendar — KPU Kabupaten Jepara</h1>" in page
    assert '<time datetime="2031-03-10">Monday, 10 March 2031</time>' in page
    assert "09.00 WIB" in page and "1 entry this month" in page
    assert ">List</a>" in page and ">Month</a>" in page and ">Week</a>" in page
    assert 'data-locale="en"' in grid and 'data-text-today="Today"' in grid


def test_a_long_month_comes_in_pages(client, people, post, monkeypatch):
    monkeypatch.setattr(calendar_views, "LIST_PAGE_SIZE", 2)
    for day in range(1, 6):
        post(f"Unggahan {day}", scheduled_at=at(day, 2))
    client = signed_in(client, people["operator"])

    first = text(client.get(BASE, {"bulan": "2031-03"}))
    last = text(client.get(BASE, {"bulan": "2031-03", "page": "3"}))

    assert "Unggahan 1" in first and "Unggahan 3" not in first
    assert "Halaman 1 dari 3" in first and "?bulan=2031-03&amp;page=2" in first
    assert "Unggahan 5" in last and "Unggahan 4" not in last


def test_the_calendar_module_is_in_the_navigation(client, people):
    page = text(signed_in(client, people["viewer"]).get(BASE))

    assert f'<a href="{BASE}" aria-current="page">Kalender</a>' in page


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_view_takes_the_same_queries_whatever_the_month_holds(
    client, people, post, article, django_assert_max_num_queries, count
):
    for n in range(count):
        post(
            f"Unggahan {n}",
            status=Post.Status.APPROVED,
            scheduled_at=at(1 + n % 28, 2),
            code=(JEPARA, SEMARANG)[n % 2],
        )
        article(f"Artikel {n}", publish_at=at(1 + n % 28, 3), code=(JEPARA, SEMARANG)[n % 2])
    client = signed_in(client, people["jateng"])

    with django_assert_max_num_queries(19):  # the entries' offices; the campaigns offered
        response = client.get("/app/jateng/kalender/", {"bulan": "2031-03"})

    assert text(response).count('class="calendar-entry ') == 2 * count


# --------------------------------------------------------------------------------------------
# The month and week views and their JSON


def test_the_month_and_week_pages_load_the_calendar_from_this_server(client, people):
    client = signed_in(client, people["operator"])

    for path, view in (("bulan/", "month"), ("minggu/", "week")):
        response = client.get(BASE + path, {"bulan": "2031-03", "status": "draft"})
        page = text(response)
        assert response.status_code == 200
        assert f'data-view="{view}"' in page and 'data-initial-date="2031-03-01"' in page
        assert 'data-offset-minutes="420"' in page
        assert f'data-events-url="{BASE}data/"' in page and f'data-move-url="{BASE}pindah/"' in page
        assert 'data-compose-url="/app/kab-jepara/content/new/"' in page
        assert 'data-query="status=draft"' in page
        assert '<script src="/static/vendor/fullcalendar/core/index.global.min.js" defer></script>' in page
        assert '<script src="/static/coordination/calendar.js" defer></script>' in page
        assert "<script>" not in page  # no inline script: the page keeps the CSP
        # FullCalendar's empty <style> element, allowed by the hash of nothing on these pages only.
        assert calendar_views.EMPTY_STYLE_HASH in response["Content-Security-Policy"]
    assert calendar_views.EMPTY_STYLE_HASH not in client.get(BASE)["Content-Security-Policy"]


def test_a_viewer_gets_no_compose_on_click(client, people):
    page = text(signed_in(client, people["viewer"]).get(BASE + "bulan/"))

    assert 'data-compose-url=""' in page and "Tulis unggahan" not in page


def test_the_vendored_calendar_files_are_served():
    for name in (
        "core/index.global.min.js",
        "core/locales/id.global.min.js",
        "daygrid/index.global.min.js",
        "timegrid/index.global.min.js",
        "interaction/index.global.min.js",
    ):
        assert finders.find(f"vendor/fullcalendar/{name}"), name
    assert finders.find("coordination/calendar.js") and finders.find("coordination/calendar.css")


def events(client, path=BASE, **query):
    response = client.get(path + "data/", {**MARCH_RANGE, **query})
    return response.status_code, json.loads(response.content)


def test_the_json_gives_office_wall_times_and_what_each_entry_is(client, people, post, article):
    item = post("Unggahan terjadwal", status=Post.Status.APPROVED, scheduled_at=at(10, 2, 15))
    art = article("Artikel terjadwal", publish_at=at(11, 23, 30))  # 12 March 06:30 WIB

    status, body = events(signed_in(client, people["operator"]))

    assert status == 200 and body["ok"] and (body["total"], body["truncated"]) == (2, False)
    first, second = body["events"]
    assert first == {
        "id": f"post-{item.pk}",
        "title": "Unggahan terjadwal",
        "start": "2031-03-10T09:15:00",
        "url": f"/app/kab-jepara/content/{item.pk}/",
        "editable": True,  # an operator may move an approved post (content.publish)
        "classNames": ["cal-event", "cal-scheduled"],
        "extendedProps": {
            "kind": "post",
            "pk": item.pk,
            "kindLabel": "Unggahan",
            "category": "scheduled",
            "categoryLabel": "Terjadwal",
            "statusLabel": "Disetujui",
            "note": "Disetujui; belum diterbitkan ke kanal.",
            "office": "",
            "time": "09.15 WIB",
            "clock": "09.15",
            "officeTime": "",
            "stage": "",
            "channels": [{"mark": "TT", "name": "TikTok", "platform": "tiktok"}],
        },
    }
    assert (second["id"], second["start"], second["editable"]) == (
        f"article-{art.pk}",
        "2031-03-12T06:30:00",
        False,
    )


def test_the_json_range_is_read_in_the_office_zone(client, member, offices):
    from humas.publishing.services import post_create

    writer = member(JAYAPURA, "operator")
    # 1 March 2031 00:30 WIT is 28 February 15:30 UTC: inside Jayapura's March only.
    post_create(
        actor=writer,
        office=offices[JAYAPURA],
        text="Awal Maret WIT",
        scheduled_at=datetime(2031, 2, 28, 15, 30, tzinfo=UTC),
    )
    client = signed_in(client, writer)

    _status, march = events(client, "/app/kota-jayapura/kalender/")
    _status, february = events(
        client, "/app/kota-jayapura/kalender/", start="2031-02-01T00:00", end="2031-03-01T00:00"
    )

    assert [(e["start"], e["extendedProps"]["time"]) for e in march["events"]] == [
        ("2031-03-01T00:30:00", "00.30 WIT")
    ]
    assert february["events"] == []


def test_who_may_drag_what(client, people, post, article):
    draft = post("Draf", scheduled_at=at(5, 2))
    gone = post("Terbit", status=Post.Status.PUBLISHED, scheduled_at=at(6, 2))
    deliveries_become(gone, Delivery.State.SENT, sent_at=at(6, 2))
    scheduled = article("Artikel", publish_at=at(7, 2))

    def editable(user):
        _status, body = events(signed_in(Client(), user))
        return {e["id"]: e["editable"] for e in body["events"]}

    assert editable(people["operator"]) == {
        f"post-{draft.pk}": True,
        f"post-{gone.pk}": False,
        f"article-{scheduled.pk}": False,
    }
    assert editable(people["editor"]) == {
        f"post-{draft.pk}": True,
        f"post-{gone.pk}": False,
        f"article-{scheduled.pk}": True,
    }
    assert editable(people["viewer"]) == {
        f"post-{draft.pk}": False,
        f"post-{gone.pk}": False,
        f"article-{scheduled.pk}": False,
    }


def test_entries_in_the_past_do_not_move(client, people, post):
    Post.objects.filter(pk=post("Lama", scheduled_at=at(5, 2)).pk).update(
        scheduled_at=datetime(2020, 3, 5, tzinfo=UTC)
    )

    _status, body = events(
        signed_in(client, people["operator"]), start="2020-03-01T00:00", end="2020-04-01T00:00"
    )

    assert [e["editable"] for e in body["events"]] == [False]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2031-03-01"}, "Akhir rentang wajib diisi."),
        ({"end": "2031-03-01", "start": "x" * 41}, "paling banyak 40 karakter"),
        ({"start": "kemarin", "end": "2031-04-01"}, "Tanggal tidak dikenali."),
        ({"start": "2031-04-01", "end": "2031-03-01"}, "Akhir rentang harus setelah awalnya."),
        ({"start": "2031-01-01", "end": "2031-06-01"}, "Rentang paling panjang 62 hari."),
        (
            {"start": "2031-03-01T00:00:00Z", "end": "2031-04-01T00:00"},
            "Awal dan akhir rentang harus ditulis dengan cara yang sama.",
        ),
    ],
)
def test_the_json_refuses_a_bad_range_with_a_reason(client, people, query, message):
    client = signed_in(client, people["operator"])
    response = client.get(BASE + "data/", query, HTTP_ACCEPT_LANGUAGE="id")
    body = json.loads(response.content)

    assert response.status_code == 400
    assert body["ok"] is False
    assert message in body["message"]


def test_the_json_without_a_range_gives_this_month_in_the_office_zone(client, people, post):
    from django.utils import timezone

    from humas.publishing.services import post_create

    soon = timezone.now() + timedelta(hours=1)
    local = timezone.localtime(soon, people["operator"].memberships.get().office.zoneinfo)
    if local.month != timezone.localtime(timezone.now(), local.tzinfo).month:
        soon = timezone.now() - timedelta(hours=1)  # the month ends within the hour
    office = people["operator"].memberships.get().office
    post_create(actor=people["operator"], office=office, text="Bulan ini", scheduled_at=soon)

    response = signed_in(client, people["operator"]).get(BASE + "data/")
    body = json.loads(response.content)

    assert response.status_code == 200 and [e["title"] for e in body["events"]] == ["Bulan ini"]


def test_the_json_says_when_it_shows_only_part_of_a_busy_range(client, people, post, monkeypatch):
    monkeypatch.setattr(calendar_views, "EVENT_LIMIT", 2)
    for day in range(1, 4):
        post(f"Unggahan {day}", scheduled_at=at(day, 2))

    _status, body = events(signed_in(client, people["operator"]))

    assert (len(body["events"]), body["total"], body["truncated"]) == (2, 3, True)
    assert (
        body["message"]
        == "Menampilkan 2 dari 3 jadwal. Saring per kantor, kanal atau status untuk melihat sisanya."
    )


@pytest.mark.parametrize("count", [3, 30])
def test_the_json_takes_the_same_queries_whatever_the_range_holds(
    client, people, post, article, django_assert_max_num_queries, count
):
    for n in range(count):
        item = post(
            f"Unggahan {n}",
            status=Post.Status.PUBLISHED,
            scheduled_at=at(1 + n % 28, 2),
            code=(JEPARA, SEMARANG)[n % 2],
        )
        deliveries_become(item, (Delivery.State.FAILED, Delivery.State.SENT, Delivery.State.QUEUED)[n % 3])
        article(f"Artikel {n}", publish_at=at(1 + n % 28, 3), code=(JEPARA, SEMARANG)[n % 2])
    client = signed_in(client, people["jateng"])

    with django_assert_max_num_queries(16):  # the entries' offices: one query for all of them
        status, body = events(client, "/app/jateng/kalender/")

    assert status == 200 and len(body["events"]) == 2 * count


# --------------------------------------------------------------------------------------------
# A drag to another time


def move(client, kind, pk, waktu, path=BASE):
    response = client.post(path + "pindah/", {"kind": kind, "id": pk, "waktu": waktu})
    return response.status_code, json.loads(response.content)


def test_dragging_an_approved_post_keeps_its_approval(client, people, post):
    item = post("Terjadwal", status=Post.Status.APPROVED, scheduled_at=at(10, 2))

    status, body = move(signed_in(client, people["operator"]), "post", item.pk, "2031-03-12T14:45")

    item.refresh_from_db()
    assert (status, body["ok"]) == (200, True)
    assert (
        body["message"] == "Dipindahkan ke 12 Maret 2031 14.45 WIB." and body["waktu"] == "2031-03-12T14:45"
    )
    assert item.scheduled_at == datetime(2031, 3, 12, 7, 45, tzinfo=UTC)  # 14:45 WIB
    assert (item.status, item.approved_by) == (Post.Status.APPROVED, people["editor"])
    assert AuditEvent.objects.filter(action="post.reschedule", object_id=str(item.pk)).count() == 1


def test_dragging_in_a_wita_office_reads_the_time_there(client, member, offices):
    from humas.publishing.services import post_create

    writer = member(MAKASSAR, "operator")
    item = post_create(actor=writer, office=offices[MAKASSAR], text="Makassar", scheduled_at=at(10, 2))

    status, _body = move(
        signed_in(client, writer), "post", item.pk, "2031-03-12T09:00", "/app/kota-makassar/kalender/"
    )

    item.refresh_from_db()
    assert status == 200 and item.scheduled_at == datetime(2031, 3, 12, 1, 0, tzinfo=UTC)


def test_a_province_moves_a_regencys_post_in_its_own_zone(client, people, post):
    item = post("Draf Jepara", scheduled_at=at(10, 2))

    status, _body = move(
        signed_in(client, people["jateng"]), "post", item.pk, "2031-03-11T08:00", "/app/jateng/kalender/"
    )

    item.refresh_from_db()
    assert status == 200 and item.scheduled_at == datetime(2031, 3, 11, 1, 0, tzinfo=UTC)


def test_dragging_an_article_needs_an_approver(client, people, article):
    item = article("Terjadwal", publish_at=at(10, 2))

    refused, body = move(signed_in(Client(), people["operator"]), "article", item.pk, "2031-03-12T10:00")
    moved, _ = move(signed_in(Client(), people["editor"]), "article", item.pk, "2031-03-12T10:00")

    item.refresh_from_db()
    assert (refused, body["ok"]) == (403, False) and body["message"]
    assert moved == 200 and item.publish_at == datetime(2031, 3, 12, 3, 0, tzinfo=UTC)
    assert item.status == Article.Status.SCHEDULED


def test_a_drag_into_the_past_is_refused_with_the_reason(client, people, post):
    item = post("Draf", scheduled_at=at(10, 2))
    yesterday = (datetime.now(UTC) + timedelta(hours=7) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    status, body = move(signed_in(client, people["operator"]), "post", item.pk, yesterday)

    item.refresh_from_db()
    assert (status, body) == (
        400,
        {"ok": False, "message": "Waktu itu sudah lewat. Pilih waktu yang akan datang."},
    )
    assert item.scheduled_at == at(10, 2)


def test_a_drag_into_a_blackout_is_refused_with_the_reason(client, people, offices, post):
    item = post("Draf", status=Post.Status.APPROVED, scheduled_at=at(10, 2))
    blackout_create(
        actor=people["jateng_admin"],
        office=offices[JATENG],
        starts_at=datetime(2031, 3, 12, tzinfo=offices[JATENG].zoneinfo),
        ends_at=datetime(2031, 3, 15, tzinfo=offices[JATENG].zoneinfo),
        reason="masa_tenang",
    )

    status, body = move(signed_in(client, people["operator"]), "post", item.pk, "2031-03-13T09:00")

    item.refresh_from_db()
    assert (status, body["ok"]) == (400, False)
    assert body["message"].startswith(
        "Masa tenang ditetapkan KPU Provinsi Jawa Tengah dari 12 Maret 2031 00:00 WIB"
    )
    assert (item.scheduled_at, item.status) == (at(10, 2), Post.Status.APPROVED)


def test_a_viewer_cannot_drag(client, people, post):
    item = post("Draf", scheduled_at=at(10, 2))

    status, body = move(signed_in(client, people["viewer"]), "post", item.pk, "2031-03-12T09:00")

    item.refresh_from_db()
    assert (status, body["ok"]) == (403, False) and body["message"]
    assert item.scheduled_at == at(10, 2)


def test_a_siblings_post_is_not_found_on_this_calendar(client, people, post):
    theirs = post("Draf Semarang", scheduled_at=at(10, 2), code=SEMARANG)

    status, body = move(signed_in(client, people["operator"]), "post", theirs.pk, "2031-03-12T09:00")

    theirs.refresh_from_db()
    assert (status, body) == (
        404,
        {"ok": False, "message": "Jadwal itu tidak ditemukan di kalender kantor ini."},
    )
    assert theirs.scheduled_at == at(10, 2)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "post", "id": "1"}, "Waktu baru wajib diisi."),
        ({"kind": "post", "id": "1", "waktu": "besok pagi"}, "Waktu baru tidak dikenali."),
        ({"kind": "post", "id": "1", "waktu": "2031-02-30T09:00"}, "Waktu baru tidak dikenali."),
        ({"kind": "tweet", "id": "1", "waktu": "2031-03-12T09:00"}, "tweet"),
        ({"kind": "post", "id": "-4", "waktu": "2031-03-12T09:00"}, "1"),
        ({"kind": "post", "id": "9" * 30, "waktu": "2031-03-12T09:00"}, ""),
    ],
)
def test_a_bad_drag_is_a_400_with_a_reason(client, people, data, message):
    response = signed_in(client, people["operator"]).post(BASE + "pindah/", data)
    body = json.loads(response.content)

    assert response.status_code == 400 and body["ok"] is False
    assert message in body["message"] and body["message"]


def test_the_drag_endpoint_takes_only_posts_with_the_csrf_token(people, post):
    item = post("Draf", scheduled_at=at(10, 2))
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["operator"])

    assert client.get(BASE + "pindah/").status_code == 405
    assert (
        client.post(
            BASE + "pindah/", {"kind": "post", "id": item.pk, "waktu": "2031-03-12T09:00"}
        ).status_code
        == 403
    )
    client.get(BASE + "bulan/")  # sets the CSRF cookie, as the month view does
    token = client.cookies["csrftoken"].value
    response = client.post(
        BASE + "pindah/", {"kind": "post", "id": item.pk, "waktu": "2031-03-12T09:00"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------------------------
# A click on an empty slot: the compose page at that time


def test_the_compose_page_takes_the_clicked_time(client, people):
    client = signed_in(client, people["operator"])

    chosen = text(client.get("/app/kab-jepara/content/new/", {"jadwal": "2031-03-14T09:00"}))
    nonsense = text(client.get("/app/kab-jepara/content/new/", {"jadwal": "2031-03-14T9"}))

    assert re.search(r'name="scheduled_at" value="2031-03-14T09:00"', chosen)
    assert not re.search(r'name="scheduled_at" value=', nonsense)


def test_saving_the_prefilled_compose_page_schedules_in_the_office_zone(client, people):
    client = signed_in(client, people["operator"])

    client.post(
        "/app/kab-jepara/content/new/?jadwal=2031-03-14T09:00",
        {"text": "Dari kalender", "scheduled_at": "2031-03-14T09:00"},
    )

    assert Post.objects.get().scheduled_at == datetime(2031, 3, 14, 2, 0, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Blackout windows on the calendar


def test_blackout_windows_are_named_in_the_list_and_shaded_in_the_grid(client, people, offices):
    zone = offices[JATENG].zoneinfo
    blackout_create(
        actor=people["jateng_admin"],
        office=offices[JATENG],
        starts_at=datetime(2031, 3, 14, tzinfo=zone),
        ends_at=datetime(2031, 3, 17, 6, tzinfo=zone),
        reason="masa_tenang",
    )
    blackout_create(
        actor=people["jateng_admin"],
        office=offices[JATENG],
        starts_at=datetime(2031, 4, 14, tzinfo=zone),
        ends_at=datetime(2031, 4, 15, tzinfo=zone),
        reason="berkabung",
    )
    client = signed_in(client, people["operator"])

    page = text(client.get(BASE, {"bulan": "2031-03"}))
    _status, body = events(client)

    assert "Masa jeda pada bulan ini" in page
    assert (
        "<li>Masa tenang: 14 Maret 2031 00.00 – 17 Maret 2031 06.00 WIB (KPU Provinsi Jawa Tengah)</li>"
        in page
    )
    assert "Hari berkabung" not in page
    assert body["windows"] == [
        {
            "start": "2031-03-14T00:00:00",
            "end": "2031-03-17T06:00:00",
            "title": "Masa tenang",
            "text": "Masa tenang: 14 Maret 2031 00.00 – 17 Maret 2031 06.00 WIB (KPU Provinsi Jawa Tengah)",
        }
    ]


def test_a_month_without_windows_says_nothing_about_them(client, people):
    page = text(signed_in(client, people["operator"]).get(BASE, {"bulan": "2031-03"}))

    assert "Masa jeda pada bulan ini" not in page and "calendar-windows" not in page


# --------------------------------------------------------------------------------------------
# The list view's "Pindahkan jadwal": the same move without a mouse (a keyboard, a phone)


def test_the_list_offers_a_move_form_only_for_what_the_person_may_move(client, people, post):
    post("Terjadwal", status=Post.Status.APPROVED, scheduled_at=at(10, 2))
    gone = post("Terbit", status=Post.Status.PUBLISHED, scheduled_at=at(11, 2))
    deliveries_become(gone, Delivery.State.SENT, sent_at=at(11, 2))

    operator = signed_in(Client(), people["operator"]).get(BASE, {"bulan": "2031-03"}).content.decode()
    viewer = signed_in(Client(), people["viewer"]).get(BASE, {"bulan": "2031-03"}).content.decode()

    assert operator.count("Pindahkan jadwal") == 1  # the approved post; the published one stays
    assert 'value="2031-03-10T09:00"' in operator  # its time, as the office's wall clock
    assert "Pindahkan jadwal" not in viewer


def test_the_move_form_moves_and_comes_back_with_what_happened(client, people, post):
    item = post("Terjadwal", status=Post.Status.APPROVED, scheduled_at=at(10, 2))
    client = signed_in(client, people["operator"])
    back = BASE + "?bulan=2031-03&status=approved"

    response = client.post(
        BASE + "pindahkan/",
        {"kind": "post", "id": item.pk, "waktu": "2031-03-12T14:45", "next": back},
        follow=True,
    )

    item.refresh_from_db()
    assert response.redirect_chain == [(back, 302)]
    assert "Dipindahkan ke 12 Maret 2031 14.45 WIB." in response.content.decode()
    assert item.scheduled_at == datetime(2031, 3, 12, 7, 45, tzinfo=UTC)
    assert (item.status, item.approved_by) == (Post.Status.APPROVED, people["editor"])


def test_the_move_form_says_why_it_refused_and_never_leaves_the_site(client, people, post):
    item = post("Draf", scheduled_at=at(10, 2))
    client = signed_in(client, people["operator"])
    yesterday = (datetime.now(UTC) + timedelta(hours=7) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        BASE + "pindahkan/",
        {"kind": "post", "id": item.pk, "waktu": yesterday, "next": "https://evil.example/"},
        follow=True,
    )

    item.refresh_from_db()
    assert response.redirect_chain == [(BASE, 302)]
    assert item.scheduled_at == at(10, 2)
    assert '<li class="msg-error">Waktu itu sudah lewat. Pilih waktu yang akan datang.</li>' in (
        response.content.decode()
    )
