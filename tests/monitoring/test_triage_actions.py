"""The triage actions: assign, set a status, route, merge, split — each checked by the policy,
audited with a sentence, and (merge, split) leaving counters that agree with the items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_describe
from humas.monitoring.models import Item, Narrative, NarrativeHour, NarrativeTerm, Variant
from humas.monitoring.selectors_triage import QueueFilters, narrative_queue
from humas.monitoring.triage import (
    ROUTED_KIND,
    TriageError,
    narrative_assign,
    narrative_route,
    narrative_split,
    narrative_status_set,
    narratives_merge,
)
from humas.notifications.models import Notification
from humas.offices.policy import PolicyDenied

from .factories_narratives import T0, ItemSpec, NarrativeFactory, narrative_build, recount, stored

pytestmark = pytest.mark.django_db

Status = Narrative.Status


def action_url(name: str, narrative: Narrative, slug: str = "kab-jepara") -> str:
    return reverse(f"monitoring:{name}", kwargs={"office_slug": slug, "narrative_id": narrative.pk})


def sentences(narrative: Narrative) -> list[str]:
    events = AuditEvent.objects.filter(object_type="monitoring.narrative", object_id=str(narrative.pk))
    return [d.sentence for d in audit_describe(events.order_by("id"))]


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Sari Operator")


@pytest.fixture
def narrative(offices):
    return NarrativeFactory(office=offices["33.20"], title="TPS di Jepara tutup jam 11")


# --- assign ------------------------------------------------------------------------------------


def test_assign_and_unassign_are_audited(operator, member, narrative):
    colleague = member("33", "editor", full_name="Budi Editor")  # reaches Jepara from the province

    narrative_assign(actor=operator, narrative=narrative, assignee=colleague)
    narrative_assign(actor=operator, narrative=narrative, assignee=colleague)  # no change, no event
    narrative_assign(actor=operator, narrative=narrative, assignee=None)

    narrative.refresh_from_db()
    assert narrative.assignee is None
    assert sentences(narrative) == [
        "Sari Operator menugaskan narasi “TPS di Jepara tutup jam 11” kepada Budi Editor.",
        "Sari Operator melepas Budi Editor dari narasi “TPS di Jepara tutup jam 11”.",
    ]


@pytest.mark.parametrize(("home", "role"), [("33.19", "operator"), ("33.20", "analyst"), ("33.20", "viewer")])
def test_only_people_who_may_triage_there_can_be_assigned(operator, member, narrative, home, role):
    outsider = member(home, role)

    with pytest.raises(TriageError):
        narrative_assign(actor=operator, narrative=narrative, assignee=outsider)

    narrative.refresh_from_db()
    assert narrative.assignee_id is None
    assert not AuditEvent.objects.filter(action__startswith="monitoring.narrative").exists()


@pytest.mark.parametrize(("home", "role"), [("33.20", "analyst"), ("33.19", "operator"), ("35", "admin")])
def test_people_who_may_not_triage_there_cannot_assign(operator, member, narrative, home, role):
    with pytest.raises(PolicyDenied):
        narrative_assign(actor=member(home, role), narrative=narrative, assignee=operator)

    narrative.refresh_from_db()
    assert narrative.assignee_id is None


def test_the_assign_form_works_without_javascript(client, operator, narrative):
    client.force_login(operator)

    response = client.post(action_url("narrative_assign", narrative), {"assignee": operator.pk})

    assert response.status_code == 302
    assert response["Location"] == action_url("narrative", narrative)
    narrative.refresh_from_db()
    assert narrative.assignee == operator
    assert client.get(action_url("narrative_assign", narrative)).status_code == 405


def test_the_assign_form_refuses_someone_else(client, operator, member, narrative):
    kudus = member("33.19", "operator")
    client.force_login(operator)

    client.post(action_url("narrative_assign", narrative), {"assignee": kudus.pk})

    narrative.refresh_from_db()
    assert narrative.assignee_id is None


def test_an_analyst_posting_the_forms_is_refused(client, member, narrative, operator):
    client.force_login(member("33.20", "analyst"))

    assert (
        client.post(action_url("narrative_assign", narrative), {"assignee": operator.pk}).status_code == 403
    )
    assert client.post(action_url("narrative_status", narrative), {"status": "bukan_isu"}).status_code == 403
    assert client.get(action_url("narrative_route", narrative)).status_code == 403
    assert client.get(action_url("narrative_merge", narrative)).status_code == 403
    assert client.get(action_url("narrative_split", narrative)).status_code == 403
    narrative.refresh_from_db()
    assert (narrative.assignee_id, narrative.status) == (None, Status.NEW)


# --- status ------------------------------------------------------------------------------------


def test_status_changes_are_audited_and_the_queue_follows(client, operator, narrative, offices):
    client.force_login(operator)

    response = client.post(action_url("narrative_status", narrative), {"status": "bukan_isu"})

    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.status == Status.NOT_AN_ISSUE
    assert sentences(narrative) == [
        "Sari Operator mengubah status narasi “TPS di Jepara tutup jam 11” dari Baru menjadi Bukan isu."
    ]
    open_queue = narrative_queue(actor=operator, office=offices["33.20"], filters=QueueFilters())
    assert list(open_queue) == []


def test_an_unknown_status_is_refused(operator, narrative, client):
    with pytest.raises(TriageError):
        narrative_status_set(actor=operator, narrative=narrative, status="hapus")
    client.force_login(operator)
    client.post(action_url("narrative_status", narrative), {"status": "hapus"})

    narrative.refresh_from_db()
    assert narrative.status == Status.NEW
    assert not AuditEvent.objects.filter(action="monitoring.narrative_status").exists()


def test_status_needs_triage_rights(member, narrative):
    with pytest.raises(PolicyDenied):
        narrative_status_set(actor=member("33", "analyst"), narrative=narrative, status="bukan_isu")


# --- route -------------------------------------------------------------------------------------


@pytest.fixture
def province_operator(member):
    return member("33", "operator", full_name="Operator Jateng")


def test_route_moves_the_narrative_and_records_the_note(province_operator, narrative, offices, member):
    jepara_operator = member("33.20", "operator")
    narrative.assignee = jepara_operator
    narrative.save()

    narrative_route(
        actor=province_operator, narrative=narrative, office=offices["33.19"], note="Lokasi TPS di Kudus."
    )

    narrative.refresh_from_db()
    assert (narrative.office, narrative.office_path) == (offices["33.19"], "/00/33/33.19/")
    assert narrative.assignee is None  # Jepara's operator cannot triage in Kudus
    assert sentences(narrative) == [
        "Operator Jateng meneruskan narasi “TPS di Jepara tutup jam 11” dari KPU Kabupaten Jepara ke "
        "KPU Kabupaten Kudus: Lokasi TPS di Kudus."
    ]
    event = AuditEvent.objects.get(action="monitoring.narrative_route")
    assert event.office_path == offices["33.20"].path
    jepara = narrative_queue(actor=province_operator, office=offices["33.20"], filters=QueueFilters())
    kudus = narrative_queue(actor=province_operator, office=offices["33.19"], filters=QueueFilters())
    assert (list(jepara), list(kudus)) == ([], [narrative])


def test_route_notifies_the_target_office(
    province_operator, narrative, offices, member, django_capture_on_commit_callbacks
):
    kudus_operator = member("33.19", "operator", full_name="Operator Kudus")
    kudus_editor = member("33.19", "editor")
    member("33.19", "analyst")  # cannot act on it
    member("33", "admin")  # above Kudus: sees it rolled up, is not told

    with django_capture_on_commit_callbacks(execute=True):
        narrative_route(
            actor=province_operator, narrative=narrative, office=offices["33.19"], note="Lokasi TPS di Kudus."
        )

    sent = Notification.objects.filter(kind=ROUTED_KIND).order_by("recipient_id")
    assert [n.recipient for n in sent] == [kudus_operator, kudus_editor]
    first = sent[0]
    assert first.office == offices["33.19"]
    assert first.title == "Narasi diteruskan dari KPU Kabupaten Jepara"
    assert first.body == (
        "Narasi: “TPS di Jepara tutup jam 11”\nCatatan dari Operator Jateng: Lokasi TPS di Kudus."
    )
    assert first.link == action_url("narrative", narrative, slug="kab-kudus")


def test_a_regency_operator_cannot_route_outside_their_regency(operator, narrative, offices):
    with pytest.raises(PolicyDenied):
        narrative_route(actor=operator, narrative=narrative, office=offices["33.19"], note="Bukan di Jepara.")

    narrative.refresh_from_db()
    assert narrative.office == offices["33.20"]
    assert not AuditEvent.objects.filter(action="monitoring.narrative_route").exists()


@pytest.mark.parametrize(("note", "target"), [("  ", "33.19"), ("x" * 1001, "33.19"), ("catatan", "33.20")])
def test_route_needs_a_note_and_another_office(province_operator, narrative, offices, note, target):
    with pytest.raises(TriageError):
        narrative_route(actor=province_operator, narrative=narrative, office=offices[target], note=note)

    narrative.refresh_from_db()
    assert narrative.office == offices["33.20"]


def test_the_route_page_offers_reachable_offices_and_routes(client, province_operator, narrative, offices):
    client.force_login(province_operator)
    url = action_url("narrative_route", narrative, slug="jateng")

    page = client.get(url)
    missing_note = client.post(url, {"office": offices["33.19"].pk, "note": ""})
    outside = client.post(url, {"office": offices["35"].pk, "note": "Jawa Timur"})
    done = client.post(url, {"office": offices["33.19"].pk, "note": "Lokasi TPS di Kudus."})

    offered = set(page.context["form"].fields["office"].queryset.values_list("code", flat=True))
    assert "33" in offered and "33.19" in offered and "33.20" not in offered and "35" not in offered
    assert (missing_note.status_code, outside.status_code) == (400, 400)
    assert done.status_code == 302
    assert done["Location"] == action_url("narrative", narrative, slug="jateng")
    narrative.refresh_from_db()
    assert narrative.office == offices["33.19"]


# --- merge -------------------------------------------------------------------------------------


@pytest.fixture
def pair(offices):
    """Two Jepara narratives; the second holds a copy of the first's second wording (same key)."""
    first = narrative_build(
        office=offices["33.20"],
        variants=[
            (
                "TPS tutup jam 11",
                [ItemSpec(hour=0, reach=100, regions={"33.20": 0.9}), ItemSpec(hour=1, reach=5)],
            ),
            ("TPS tutup siang", [ItemSpec(hour=1, platform="facebook", reach=7)]),
        ],
        keys=["k-tutup-11", "k-tutup-siang"],
        risk=40,
    )
    second = narrative_build(
        office=offices["33.20"],
        variants=[
            (
                "tps tutup siang!!",
                [ItemSpec(hour=1, reach=3, regions={"33.20": 0.8}), ItemSpec(hour=4, reach=1)],
            ),
            ("TPS dipindah", [ItemSpec(hour=6, platform="instagram", reach=50, regions={"33.19": 0.9})]),
        ],
        keys=["k-tutup-siang", "k-pindah"],
        risk=80,
        suggestions=[{"claim": 7, "score": 0.5}],
    )
    NarrativeTerm.objects.create(term="tps", narrative=second)
    return first, second


def test_merge_adds_everything_up_exactly(operator, pair, offices):
    first, second = pair

    narratives_merge(actor=operator, target=first, others=[second])

    after = stored(first)
    assert after == recount(first)
    assert (after.item_count, after.variant_count, after.reach) == (6, 3, 166)
    assert after.variants == {"k-tutup-11": (2, 105), "k-tutup-siang": (3, 11), "k-pindah": (1, 50)}
    assert after.platforms == {"x": 4, "facebook": 1, "instagram": 1}
    assert after.regions == {"33.20": 2, "33.19": 1}
    assert after.hours == {
        T0: 1,
        T0 + timedelta(hours=1): 3,
        T0 + timedelta(hours=4): 1,
        T0 + timedelta(hours=6): 1,
    }
    assert (after.first_seen_at, after.last_seen_at) == (
        T0 + timedelta(minutes=10),
        T0 + timedelta(hours=6, minutes=10),
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.risk, first.suggestions) == (80, [{"claim": 7, "score": 0.5}])
    assert second.merged_into == first
    assert (second.item_count, second.variant_count, second.reach) == (0, 0, 0)
    assert not NarrativeHour.objects.filter(narrative=second).exists()
    assert not Variant.objects.filter(narrative=second).exists()
    assert not NarrativeTerm.objects.filter(narrative=second).exists()
    assert list(narrative_queue(actor=operator, office=offices["33.20"], filters=QueueFilters())) == [first]
    assert sentences(first) == ["Sari Operator menggabungkan narasi lain ke narasi “TPS tutup jam 11”."]
    assert sentences(second) == ["Sari Operator menggabungkan narasi “tps tutup siang!!” ke narasi lain."]
    details = audit_describe([AuditEvent.objects.get(action="monitoring.narrative_merge")])[0].details
    assert [(d.label, d.text) for d in details] == [
        ("Jumlah item", "3 → 6"),
        ("Narasi yang digabungkan", "tps tutup siang!!"),
    ]


def test_a_merged_narrative_cannot_be_merged_or_acted_on_again(operator, pair, offices):
    first, second = pair
    third = NarrativeFactory(office=offices["33.20"])
    narratives_merge(actor=operator, target=first, others=[second])

    with pytest.raises(TriageError):
        narratives_merge(actor=operator, target=third, others=[second])
    with pytest.raises(TriageError):
        narrative_status_set(actor=operator, narrative=second, status="bukan_isu")


def test_merging_needs_triage_in_every_office(operator, pair, offices):
    first, _second = pair
    kudus = narrative_build(office=offices["33.19"], variants=[("Kudus", [ItemSpec()])])

    with pytest.raises(PolicyDenied):
        narratives_merge(actor=operator, target=first, others=[kudus])

    kudus.refresh_from_db()
    assert kudus.merged_into_id is None
    assert Item.objects.filter(narrative=kudus).count() == 1
    assert stored(first) == recount(first)


def test_merging_nothing_is_refused(operator, pair):
    first, _second = pair

    with pytest.raises(TriageError):
        narratives_merge(actor=operator, target=first, others=[first])


def test_the_merge_page_merges_the_chosen_narratives(client, operator, pair, offices):
    first, second = pair
    client.force_login(operator)
    url = action_url("narrative_merge", first)

    page = client.get(url)
    searched = client.get(url + "?q=pindah")
    nothing = client.post(url, {})
    done = client.post(url, {"narratives": [second.pk]})

    assert [n.pk for n, _risk, _checked in page.context["candidates"]] == [second.pk]
    assert [n.pk for n, _risk, _checked in searched.context["candidates"]] == []
    assert nothing.status_code == 400
    assert done.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first


# --- split -------------------------------------------------------------------------------------


@pytest.fixture
def mixed(offices):
    return narrative_build(
        office=offices["33.20"],
        variants=[
            (
                "TPS tutup jam 11",
                [ItemSpec(hour=0, reach=100, regions={"33.20": 0.9}), ItemSpec(hour=2, reach=5)],
            ),
            ("Kotak suara dibuka", [ItemSpec(hour=2, platform="facebook", reach=7, regions={"33.20": 0.9})]),
            ("Kotak suara dibuka lagi", [ItemSpec(hour=5, reach=9, regions={"33.19": 0.5})] * 2),
        ],
        risk=60,
        status=Status.NEEDS_CLARIFICATION,
    )


def test_split_moves_the_chosen_variants_with_exact_counters(operator, mixed):
    chosen = list(Variant.objects.filter(narrative=mixed, text__startswith="Kotak"))

    new = narrative_split(actor=operator, narrative=mixed, variants=chosen)

    assert stored(new) == recount(new)
    assert stored(mixed) == recount(mixed)
    left, moved = stored(mixed), stored(new)
    assert (left.item_count, left.variant_count, left.reach) == (2, 1, 105)
    assert (moved.item_count, moved.variant_count, moved.reach) == (3, 2, 25)
    assert moved.platforms == {"facebook": 1, "x": 2}
    assert moved.regions == {"33.20": 1, "33.19": 2}
    assert left.hours == {T0: 1, T0 + timedelta(hours=2): 1}
    assert moved.hours == {T0 + timedelta(hours=2): 1, T0 + timedelta(hours=5): 2}
    assert (moved.first_seen_at, moved.last_seen_at) == (
        T0 + timedelta(hours=2, minutes=10),
        T0 + timedelta(hours=5, minutes=10),
    )
    new.refresh_from_db()
    assert (new.office, new.office_path, new.status, new.title) == (
        mixed.office,
        mixed.office_path,
        Status.NEW,
        "Kotak suara dibuka lagi",
    )
    assert sentences(mixed) == [
        "Sari Operator memisahkan variasi narasi “TPS tutup jam 11” menjadi narasi baru."
    ]
    assert sentences(new) == [
        "Sari Operator membuat narasi “Kotak suara dibuka lagi” dari variasi yang dipisahkan dari narasi lain."
    ]


def test_split_gives_the_narrative_a_new_title_when_its_own_wording_leaves(operator, mixed):
    first = Variant.objects.get(narrative=mixed, text="TPS tutup jam 11")

    narrative_split(actor=operator, narrative=mixed, variants=[first])

    mixed.refresh_from_db()
    assert mixed.title == "Kotak suara dibuka lagi"


def test_split_keeps_at_least_one_variant(operator, mixed):
    with pytest.raises(TriageError):
        narrative_split(actor=operator, narrative=mixed, variants=list(mixed.variants.all()))

    assert Narrative.objects.count() == 1
    assert stored(mixed) == recount(mixed)


def test_split_refuses_variants_of_another_narrative(operator, mixed, offices):
    other = narrative_build(office=offices["33.20"], variants=[("lain", [ItemSpec()])])

    with pytest.raises(TriageError):
        narrative_split(actor=operator, narrative=mixed, variants=list(other.variants.all()))

    assert Narrative.objects.count() == 2


def test_split_needs_triage_rights(member, mixed):
    chosen = list(Variant.objects.filter(narrative=mixed, text__startswith="Kotak"))

    with pytest.raises(PolicyDenied):
        narrative_split(actor=member("33.20", "analyst"), narrative=mixed, variants=chosen)

    assert Narrative.objects.count() == 1


def test_the_split_page_makes_a_new_narrative(client, operator, mixed):
    chosen = Variant.objects.get(narrative=mixed, text="Kotak suara dibuka")
    client.force_login(operator)
    url = action_url("narrative_split", mixed)

    page = client.get(url)
    nothing = client.post(url, {})
    done = client.post(url, {"variants": [chosen.pk]})

    assert len(page.context["variants"]) == 3
    assert nothing.status_code == 400
    new = Narrative.objects.exclude(pk=mixed.pk).get()
    assert done["Location"] == action_url("narrative", new)
    assert stored(new) == recount(new)


def test_a_regency_operator_s_route_page_says_who_can_route(client, operator, narrative):
    client.force_login(operator)

    response = client.get(action_url("narrative_route", narrative))

    assert response.status_code == 200
    assert "minta kantor di atas Anda meneruskannya" in response.content.decode()
    assert 'name="note"' not in response.content.decode()
