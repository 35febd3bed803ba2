"""The narrative page: who may open it, what it shows (escaped), its timeline and history, and a
bounded number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.monitoring.models import NarrativeHour
from humas.monitoring.selectors_triage import narrative_timeline
from humas.monitoring.triage import narrative_status_set

from .factories_narratives import T0, ClaimFactory, ItemFactory, ItemSpec, NarrativeFactory, narrative_build

pytestmark = pytest.mark.django_db


def page_url(slug: str, narrative_id: int) -> str:
    return reverse("monitoring:narrative", kwargs={"office_slug": slug, "narrative_id": narrative_id})


@pytest.fixture
def story(offices):
    """Jepara's narrative: two variants, items on X and Facebook naming Jepara and Kudus."""
    return narrative_build(
        office=offices["33.20"],
        variants=[
            (
                "TPS di Jepara tutup jam 11",
                [
                    ItemSpec(hour=0, reach=500, regions={"33.20": 0.95}),
                    ItemSpec(hour=0, platform="facebook", reach=20, regions={"33.20": 0.8}),
                    ItemSpec(hour=3, reach=7),
                ],
            ),
            (
                "<script>alert('x')</script> TPS Kudus juga",
                [ItemSpec(hour=5, reach=90, regions={"33.19": 0.9})],
            ),
        ],
        title="TPS di Jepara tutup jam 11",
        risk=75,
    )


@pytest.mark.parametrize(
    ("home", "role", "slug", "status"),
    [
        ("33.20", "operator", "kab-jepara", 200),
        ("33.20", "analyst", "kab-jepara", 200),
        ("33", "editor", "jateng", 200),
        ("00", "analyst", "ri", 200),
        ("33.19", "operator", "kab-kudus", 404),  # Kudus's queue does not hold Jepara's narrative
        ("33.19", "operator", "kab-jepara", 403),  # and Kudus's operator does not reach Jepara
        ("35", "admin", "jatim", 404),
        ("33.20", "viewer", "kab-jepara", 403),
    ],
)
def test_who_may_open_a_narrative(client, member, story, home, role, slug, status):
    client.force_login(member(home, role))

    assert client.get(page_url(slug, story.pk)).status_code == status


def test_the_page_shows_the_narrative_escaped(client, member, story, offices):
    claim = ClaimFactory(office=offices["00"], title="[SALAH] TPS Jepara tutup jam 11", verdict="Salah")
    story.claim = claim
    story.save()
    client.force_login(member("33.20", "operator"))

    response = client.get(page_url("kab-jepara", story.pk))
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; TPS Kudus juga" in html
    assert [v.text for v in response.context["variants"]] == [
        "TPS di Jepara tutup jam 11",
        "<script>alert('x')</script> TPS Kudus juga",
    ]
    assert [(r.name, r.items) for r in response.context["regions"]] == [
        ("Kabupaten Jepara", 2),
        ("Kabupaten Kudus", 1),
    ]
    assert response.context["platforms"] == [("X", 3), ("Facebook", 1)]
    assert [t.item.reach for t in response.context["top_items"]] == [500, 90, 20, 7]
    assert html.count('rel="noopener noreferrer nofollow"') == 5  # four items and the claim
    assert (
        f'href="{claim.url}" rel="noopener noreferrer nofollow">[SALAH] TPS Jepara tutup jam 11</a>' in html
    )
    assert "Tinggi · 75" in html


def test_an_item_link_that_is_not_http_is_not_a_link(client, member, story):
    item = story.items.order_by("-reach").first()
    item.url = "javascript:alert(1)"
    item.save()
    client.force_login(member("33.20", "operator"))

    html = client.get(page_url("kab-jepara", story.pk)).content.decode()

    assert "javascript:alert(1)" not in html


def test_suggestions_are_listed_best_first_in_one_query(client, member, story, offices):
    first = ClaimFactory(office=offices["00"], title="Saran kedua")
    second = ClaimFactory(office=offices["00"], title="Saran pertama")
    gone = ClaimFactory(office=offices["00"], title="Sudah dicabut", is_active=False)
    story.suggestions = [
        {"claim": first.pk, "score": 0.41},
        {"claim": second.pk, "score": 0.66},
        {"claim": gone.pk, "score": 0.9},
        {"claim": "bukan angka"},
    ]
    story.save()
    client.force_login(member("33.20", "analyst"))

    response = client.get(page_url("kab-jepara", story.pk))

    assert [(s.claim.title, s.score) for s in response.context["suggestions"]] == [
        ("Saran pertama", 0.66),
        ("Saran kedua", 0.41),
    ]
    assert "skor 0,66" in response.content.decode()


def test_the_timeline_counts_items_per_hour_in_the_office_zone(client, member, story):
    client.force_login(member("33.20", "operator"))

    response = client.get(page_url("kab-jepara", story.pk))
    timeline = response.context["timeline"]
    html = response.content.decode()

    assert [(bar.hour, bar.count) for bar in timeline.bars] == [
        (T0, 2),
        (T0 + timedelta(hours=3), 1),
        (T0 + timedelta(hours=5), 1),
    ]
    assert (timeline.start, timeline.end, timeline.hours, timeline.peak, timeline.total) == (
        T0 + timedelta(hours=5 - 23),
        T0 + timedelta(hours=5),
        24,
        2,
        4,
    )
    # The tallest bar fills the chart; hours are said in WIB (T0 is 01:00 UTC).
    assert '<rect x="241.33" y="4.00" width="10.67" height="96.00" fill="currentColor"><title>' in html
    assert "Rabu, 14 Februari 2024 08.00 WIB: 2" in html
    assert "style=" not in html.split("<main", 1)[1]


def test_the_timeline_shows_at_most_a_week(story):
    story.last_seen_at = T0 + timedelta(days=30)
    NarrativeHour.objects.create(narrative=story, hour=T0 + timedelta(days=30), count=9)

    timeline = narrative_timeline(narrative=story)

    assert timeline.hours == 168
    assert [(bar.hour, bar.count) for bar in timeline.bars] == [(T0 + timedelta(days=30), 9)]


def test_the_history_tells_what_happened_in_sentences(client, member, story):
    operator = member("33.20", "operator", full_name="Sari Operator")
    narrative_status_set(actor=operator, narrative=story, status="perlu_klarifikasi")
    client.force_login(operator)

    response = client.get(page_url("kab-jepara", story.pk))

    assert [h.sentence for h in response.context["history"]] == [
        "Sari Operator mengubah status narasi “TPS di Jepara tutup jam 11” dari Baru menjadi Perlu klarifikasi."
    ]
    assert AuditEvent.objects.filter(action="monitoring.narrative_status").count() == 1


def test_analysts_see_no_triage_actions(client, member, story):
    client.force_login(member("33.20", "analyst"))

    html = client.get(page_url("kab-jepara", story.pk)).content.decode()

    assert "Tindak lanjut" not in html
    assert 'method="post"' not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize(("home", "slug", "routes"), [("33.20", "kab-jepara", False), ("33", "jateng", True)])
def test_operators_see_the_triage_actions(client, member, story, home, slug, routes):
    client.force_login(member(home, "operator"))

    html = client.get(page_url(slug, story.pk)).content.decode()

    for name in ("narrative_assign", "narrative_status", "narrative_merge", "narrative_split", "evidence"):
        url = reverse(f"monitoring:{name}", kwargs={"office_slug": slug, "narrative_id": story.pk})
        assert url in html, name
    # Routing needs another office the person reaches: a regency's operator reaches none.
    route = reverse("monitoring:narrative_route", kwargs={"office_slug": slug, "narrative_id": story.pk})
    assert (route in html) is routes


def test_a_merged_narrative_leads_to_the_one_it_went_into(client, member, story, offices):
    gone = NarrativeFactory(office=offices["33.20"], merged_into=story)
    client.force_login(member("33.20", "operator"))

    response = client.get(page_url("kab-jepara", gone.pk))

    assert response.status_code == 302
    assert response["Location"] == page_url("kab-jepara", story.pk)


def test_many_variants_are_capped_with_a_link_to_all(client, member, offices):
    narrative = narrative_build(
        office=offices["33.20"], variants=[(f"variasi {n:02d}", [ItemSpec()] * (n + 1)) for n in range(12)]
    )
    client.force_login(member("33.20", "operator"))

    response = client.get(page_url("kab-jepara", narrative.pk))
    all_url = reverse(
        "monitoring:narrative_variants", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk}
    )
    every = client.get(all_url)

    assert [v.text for v in response.context["variants"]] == [f"variasi {n:02d}" for n in range(11, 1, -1)]
    assert all_url in response.content.decode()
    assert [v.text for v in every.context["page"]] == [f"variasi {n:02d}" for n in range(11, -1, -1)]


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_makes_the_same_few_queries_however_big_the_narrative(client, member, offices):
    operator = member("33.20", "operator")
    small = narrative_build(office=offices["33.20"], variants=[("kecil", [ItemSpec(regions={"33.20": 1})])])
    big = narrative_build(
        office=offices["33.20"],
        variants=[
            (f"besar {n}", [ItemSpec(hour=h, regions={"33.20": 1, "33.19": 0.5}) for h in range(n % 30)])
            for n in range(25)
        ],
    )
    for narrative in (small, big):
        narrative_status_set(actor=operator, narrative=narrative, status="perlu_klarifikasi")
        narrative.suggestions = [{"claim": ClaimFactory(office=offices["00"]).pk, "score": 0.5}]
        narrative.save()
    client.force_login(operator)
    client.get(page_url("kab-jepara", small.pk))  # the session's first request does more

    few = _page_queries(client, page_url("kab-jepara", small.pk))
    many = _page_queries(client, page_url("kab-jepara", big.pk))

    assert many == few
    assert few <= 22


def test_published_items_far_apart_still_render(client, member, offices):
    narrative = NarrativeFactory(
        office=offices["33.20"], first_seen_at=datetime(2023, 1, 1, tzinfo=UTC), last_seen_at=T0
    )
    ItemFactory(source__office=offices["33.20"], narrative=narrative, reach=3)
    client.force_login(member("33.20", "operator"))

    assert client.get(page_url("kab-jepara", narrative.pk)).status_code == 200
