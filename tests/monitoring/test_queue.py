"""The narrative queue: rolled up the office tree, filtered, ordered by risk, in bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from humas.monitoring.models import Narrative
from humas.monitoring.selectors_triage import QueueFilters, narrative_queue, risk_level

from .factories_narratives import ClaimFactory, NarrativeFactory

pytestmark = pytest.mark.django_db

Status = Narrative.Status


def queue_url(slug: str, **params: str) -> str:
    url = reverse("monitoring:queue", kwargs={"office_slug": slug})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def titles(response) -> list[str]:
    return [row.narrative.title for row in response.context["rows"]]


@pytest.fixture
def jepara_narrative(offices):
    return NarrativeFactory(office=offices["33.20"], title="TPS di Jepara tutup jam 11", risk=50)


# (membership office, role) -> may the person see Jepara's narrative in the queue of their own office?
@pytest.mark.parametrize(
    ("home", "slug", "role", "status", "sees"),
    [
        ("33.20", "kab-jepara", "operator", 200, True),
        ("33", "jateng", "analyst", 200, True),  # the province rolls its regencies up
        ("00", "ri", "editor", 200, True),  # and the national office everything
        ("33.19", "kab-kudus", "operator", 200, False),  # a sibling regency does not
        ("35", "jatim", "admin", 200, False),  # nor another province
        ("33.20", "kab-jepara", "viewer", 403, False),  # viewers do not monitor
    ],
)
def test_the_queue_rolls_narratives_up_the_tree(
    client, member, jepara_narrative, home, slug, role, status, sees
):
    client.force_login(member(home, role))

    response = client.get(queue_url(slug))

    assert response.status_code == status
    if status == 200:
        assert (jepara_narrative.title in titles(response)) is sees


def test_another_province_cannot_open_jepara_s_queue(client, member, jepara_narrative):
    client.force_login(member("35", "admin"))

    assert client.get(queue_url("kab-jepara")).status_code == 403


def test_the_queue_is_ordered_by_risk_and_hides_merged_narratives(client, member, offices):
    jepara, kudus = offices["33.20"], offices["33.19"]
    low = NarrativeFactory(office=jepara, title="rendah", risk=5)
    high = NarrativeFactory(office=kudus, title="tinggi", risk=90)
    middle = NarrativeFactory(office=offices["33"], title="sedang", risk=45)
    NarrativeFactory(office=jepara, title="digabung", risk=99, merged_into=high)
    client.force_login(member("33", "operator"))

    response = client.get(queue_url("jateng"))

    assert titles(response) == [high.title, middle.title, low.title]
    rows = {row.narrative.title: (row.risk_key, row.risk_label) for row in response.context["rows"]}
    assert rows == {"tinggi": ("high", "Tinggi"), "sedang": ("medium", "Sedang"), "rendah": ("low", "Rendah")}


def test_risk_levels_have_fixed_bounds_on_the_number_people_see():
    # 39.7 is shown as 40, so it reads as "Sedang" like any 40.
    assert [risk_level(r)[0] for r in (0, 39.4, 39.7, 40, 69.4, 69.6, 70, 100)] == [
        "low",
        "low",
        "medium",
        "medium",
        "medium",
        "high",
        "high",
        "high",
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"baru", "perlu"}),  # default: the open ones
        ({"status": "baru"}, {"baru"}),
        ({"status": "bukan_isu"}, {"bukan"}),
        ({"status": "sudah_diklarifikasi"}, {"sudah"}),
        ({"status": "semua"}, {"baru", "perlu", "sudah", "bukan"}),
        ({"status": "tidak-ada"}, {"baru", "perlu"}),  # an unknown value narrows nothing
    ],
)
def test_the_queue_filters_by_status(client, member, offices, params, expected):
    office = offices["33.20"]
    NarrativeFactory(office=office, title="baru", status=Status.NEW)
    NarrativeFactory(office=office, title="perlu", status=Status.NEEDS_CLARIFICATION)
    NarrativeFactory(office=office, title="sudah", status=Status.CLARIFIED)
    NarrativeFactory(office=office, title="bukan", status=Status.NOT_AN_ISSUE)
    client.force_login(member("33.20", "operator"))

    response = client.get(queue_url("kab-jepara", **params))

    assert response.status_code == 200
    assert set(titles(response)) == expected


def test_the_queue_filters_by_platform_time_assignee_and_office(offices, member):
    jateng, jepara, kudus = offices["33"], offices["33.20"], offices["33.19"]
    me = member("33", "operator")
    other = member("33", "editor")
    now = timezone.now()
    fb = NarrativeFactory(
        office=jepara,
        title="fb",
        platforms={"facebook": 3},
        last_seen_at=now - timedelta(hours=2),
        assignee=me,
    )
    x = NarrativeFactory(office=kudus, title="x", platforms={"x": 1}, last_seen_at=now - timedelta(days=3))
    old = NarrativeFactory(
        office=jateng,
        title="lama",
        platforms={"x": 2, "facebook": 1},
        last_seen_at=now - timedelta(days=20),
        assignee=other,
    )

    def found(**filters: str) -> set[str]:
        return {
            n.title
            for n in narrative_queue(actor=me, office=jateng, filters=QueueFilters(**filters), now=now)
        }

    assert found(platform="facebook") == {fb.title, old.title}
    assert found(platform="x") == {x.title, old.title}
    assert found(platform="myspace") == {fb.title, x.title, old.title}
    assert found(since="24h") == {fb.title}
    assert found(since="7d") == {fb.title, x.title}
    assert found(since="30d") == {fb.title, x.title, old.title}
    assert found(assignee="me") == {fb.title}
    assert found(assignee="none") == {x.title}
    assert found(office="33.20") == {fb.title}
    assert found(office="35.78") == {fb.title, x.title, old.title}  # not below Jawa Tengah: ignored


def test_the_region_filter_matches_the_office_subtree_or_the_regions_named(offices, member):
    jateng = offices["33"]
    actor = member("33", "analyst")
    routed = NarrativeFactory(office=offices["33.20"], title="di Jepara")
    named = NarrativeFactory(office=jateng, title="menyebut Jepara", regions={"33.20": 4})
    named_province = NarrativeFactory(office=offices["33.19"], title="menyebut Jateng", regions={"33": 1})
    NarrativeFactory(office=offices["33.19"], title="Kudus saja", regions={"33.19": 2})

    def found(region: str) -> set[str]:
        return {
            n.title for n in narrative_queue(actor=actor, office=jateng, filters=QueueFilters(region=region))
        }

    assert found("33.20") == {routed.title, named.title}
    # A province: every narrative in its tree, and those naming it or any office below it.
    assert found("33") == {routed.title, named.title, named_province.title, "Kudus saja"}


def test_a_row_shows_what_a_person_needs_escaped(client, member, offices):
    operator = member("33.20", "operator", full_name="Sari Operator")
    title = "<script>alert(1)</script> TPS " + "panjang " * 40
    claim = ClaimFactory(office=offices["00"], title="[SALAH] TPS tutup jam 11")
    NarrativeFactory(
        office=offices["33.20"],
        title=title,
        item_count=1234,
        variant_count=17,
        reach=98765,
        risk=82.4,
        platforms={"x": 3, "facebook": 9},
        claim=claim,
        assignee=operator,
        last_seen_at=datetime(2024, 2, 14, 3, 5, tzinfo=UTC),
    )
    client.force_login(operator)

    html = client.get(queue_url("kab-jepara")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert f">{escape(title[:139])}…</a>" in html  # cut to 140 characters, escaped
    for text in (
        "KPU Kabupaten Jepara",
        "1234 item, 17 variasi",
        "98765",
        "Tinggi&nbsp;·&nbsp;82",
        "Facebook, X",
        "[SALAH] TPS tutup jam 11",
        "14 Feb 2024 10.05 WIB",  # 03:05 UTC in Jepara's zone
        "Sari Operator",
        "Baru",
    ):
        assert text in html, text


def test_the_pages_keep_the_filters(client, member, offices):
    for n in range(30):
        NarrativeFactory(office=offices["33.20"], title=f"narasi {n:02d}", risk=n, platforms={"x": 1})
    client.force_login(member("33.20", "operator"))

    first = client.get(queue_url("kab-jepara", platform="x"))
    second = client.get(queue_url("kab-jepara", platform="x", page="2"))

    assert len(first.context["rows"]) == 25
    assert "?platform=x&amp;page=2" in first.content.decode()
    assert titles(second) == [f"narasi {n:02d}" for n in range(4, -1, -1)]
    assert client.get(queue_url("kab-jepara", page="999999999999")).status_code == 200


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _fill(offices, count: int, member) -> None:
    claim = ClaimFactory(office=offices["00"])
    people = [member("33.20", "operator") for _ in range(3)]
    for n in range(count):
        NarrativeFactory(
            office=offices["33.20"] if n % 2 else offices["33.19"],
            risk=n,
            platforms={"x": n, "facebook": 1},
            regions={"33.20": 1},
            claim=claim if n % 3 else None,
            assignee=people[n % 3],
            last_seen_at=timezone.now(),
        )


@pytest.mark.parametrize(
    "params", [{}, {"region": "33.20", "office": "33.20", "platform": "x", "since": "30d"}]
)
def test_the_queue_makes_the_same_few_queries_for_3_and_60_narratives(
    client, member, offices, django_assert_num_queries, params
):
    client.force_login(member("33", "operator"))
    url = queue_url("jateng", **params)
    _fill(offices, 3, member)
    client.get(url)  # the session's first request does more
    few = _queries(client, url)
    _fill(offices, 57, member)

    with django_assert_num_queries(few):
        response = client.get(url)

    assert len(response.context["rows"]) == 25
    assert few <= 12


def test_the_navigation_s_monitoring_module_opens_the_queue(client, member, offices):
    client.force_login(member("33.20", "operator"))

    page = client.get(reverse("core:dashboard", kwargs={"office_slug": "kab-jepara"})).content.decode()

    assert f'<a href="{queue_url("kab-jepara")}"' in page


def test_good_news_lists_narratives_whose_items_deny_a_hoax(client, member, offices):
    """Posts that deny the hoax they resemble (news reporting the truth, debunks) are the desk's
    good news: a filter of their own, with how many items deny it on each row."""
    jepara = offices["33.20"]
    NarrativeFactory(office=jepara, title="Hoaks surat suara tercoblos menyebar", risk=80, item_count=9)
    NarrativeFactory(
        office=jepara, title="Berita: KPU bantah surat suara tercoblos", item_count=5, denial_count=5
    )
    NarrativeFactory(
        office=jepara, title="Campuran: sebagian membantah", risk=40, item_count=6, denial_count=2
    )
    operator = member("33.20", "operator")
    found = [
        n.title
        for n in narrative_queue(actor=operator, office=jepara, filters=QueueFilters(stance="membantah"))
    ]
    assert found == ["Campuran: sebagian membantah", "Berita: KPU bantah surat suara tercoblos"]
    client.force_login(operator)
    page = client.get(
        reverse("monitoring:queue", kwargs={"office_slug": "kab-jepara"}), {"stance": "membantah"}
    )
    body = page.content.decode()
    assert "Hoaks surat suara tercoblos menyebar" not in body
    assert "Membantah klaim" in body  # the narrative made only of denials
    assert "2 membantah" in body
    assert (
        'href="?stance=membantah&amp;status=semua"'
        in client.get(reverse("monitoring:queue", kwargs={"office_slug": "kab-jepara"})).content.decode()
    )
