"""The pipeline's bulk writes and the ``__any`` lookup, on SQLite and on PostgreSQL (CI)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.monitoring.bulk import bulk_insert, bulk_set, insert_new, upsert_add
from humas.monitoring.models import Item, Narrative, NarrativeHour, NarrativeTerm, TermFrequency

from .factories_narratives import T0, NarrativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def narratives(offices):
    return [NarrativeFactory(office=offices["33.20"], title=f"Narasi {i}") for i in range(3)]


def test_any_matches_each_value_given_as_one_list(narratives):
    wanted = [narratives[0].pk, narratives[2].pk, 999_999]
    assert sorted(Narrative.objects.filter(pk__any=wanted).values_list("pk", flat=True)) == sorted(wanted[:2])
    assert list(Narrative.objects.filter(title__any=["Narasi 1", "tidak ada"])) == [narratives[1]]
    assert not Narrative.objects.filter(pk__any=[]).exists()
    office = narratives[0].office
    assert Narrative.objects.filter(office_id__any=[office.pk]).count() == 3


def test_bulk_set_writes_every_field_including_json_and_null(narratives):
    first, second, third = narratives
    first.item_count, first.platforms, first.claim_id = 7, {"x": 7, "it's": 1}, None
    second.item_count, second.platforms = 2, {}
    second.risk_parts = {"reach": 0.5}
    bulk_set(Narrative, [first, second], ["item_count", "platforms", "claim", "risk_parts"])
    first.refresh_from_db()
    second.refresh_from_db()
    third.refresh_from_db()
    assert (first.item_count, first.platforms, first.claim_id) == (7, {"x": 7, "it's": 1}, None)
    assert (second.item_count, second.platforms, second.risk_parts) == (2, {}, {"reach": 0.5})
    assert third.item_count == 0


def test_bulk_set_within_leaves_rows_outside_the_range_alone(narratives):
    for narrative in narratives:
        narrative.item_count = 5
    # Every narrative was first seen at T0: a range that excludes it changes nothing.
    bulk_set(
        Narrative,
        narratives,
        ["item_count"],
        within=("first_seen_at", T0 + timedelta(hours=1), T0 + timedelta(hours=2)),
    )
    assert set(Narrative.objects.values_list("item_count", flat=True)) == {0}
    assert bulk_set(Narrative, narratives, ["item_count"], within=("first_seen_at", T0, T0)) == 3
    assert set(Narrative.objects.values_list("item_count", flat=True)) == {5}


def test_bulk_set_unset_writes_only_rows_where_the_column_is_still_null(narratives):
    Narrative.objects.filter(pk=narratives[0].pk).update(claim_id=None, assignee_id=None)
    taken = narratives[1]
    taken.assignee = None
    Narrative.objects.filter(pk=taken.pk).update(item_count=7)
    from humas.accounts.models import User

    someone = User.objects.create_user(email="someone@kpu.example", password="x" * 16)
    Narrative.objects.filter(pk=taken.pk).update(assignee=someone)
    for narrative in narratives:
        narrative.item_count = 5
    assert bulk_set(Narrative, narratives, ["item_count"], unset="assignee") == 2
    counts = dict(Narrative.objects.values_list("pk", "item_count"))
    assert counts[taken.pk] == 7
    assert counts[narratives[0].pk] == counts[narratives[2].pk] == 5


def test_upsert_add_inserts_then_adds(narratives):
    hour = T0.replace(minute=0)
    upsert_add(NarrativeHour._meta.db_table, ["narrative_id", "hour"], "count", {(narratives[0].pk, hour): 2})
    upsert_add(
        NarrativeHour._meta.db_table,
        ["narrative_id", "hour"],
        "count",
        {(narratives[0].pk, hour): 3, (narratives[1].pk, hour): 1},
    )
    assert dict(NarrativeHour.objects.values_list("narrative_id", "count")) == {
        narratives[0].pk: 5,
        narratives[1].pk: 1,
    }
    upsert_add(TermFrequency._meta.db_table, ["term"], "df", {("pemilu",): 2, ("",): 1})
    upsert_add(TermFrequency._meta.db_table, ["term"], "df", {("pemilu",): 1})
    assert dict(TermFrequency.objects.values_list("term", "df")) == {"pemilu": 3, "": 1}


def test_insert_new_adds_plain_rows_and_leaves_existing_ones(narratives):
    insert_new(NarrativeTerm, ["term", "narrative"], [("tps", narratives[0].pk), ("dpt", narratives[1].pk)])
    insert_new(NarrativeTerm, ["term", "narrative"], [("tps", narratives[0].pk), ("kpu", narratives[0].pk)])
    insert_new(NarrativeTerm, ["term", "narrative"], [])
    assert sorted(NarrativeTerm.objects.values_list("term", "narrative_id")) == sorted(
        [("dpt", narratives[1].pk), ("kpu", narratives[0].pk), ("tps", narratives[0].pk)]
    )


def test_bulk_insert_saves_every_field_and_gives_ids(offices):
    office = offices["33.20"]
    made = [
        Narrative(
            office=office,
            office_path=office.path,
            title=f"Narasi baru {i}",
            centroid={"tps": 0.5, "it's": 0.1},
            centroid_norm=0.51,
            platforms={"x": 2},
            first_seen_at=T0,
            last_seen_at=T0 + timedelta(minutes=i),
            created_at=T0,
            updated_at=T0,
        )
        for i in range(3)
    ]
    bulk_insert(Narrative, made)
    assert all(n.pk for n in made)
    assert len({n.pk for n in made}) == 3
    again = Narrative.objects.get(pk=made[2].pk)
    assert (again.title, again.centroid, again.platforms, again.last_seen_at) == (
        "Narasi baru 2",
        {"tps": 0.5, "it's": 0.1},
        {"x": 2},
        T0 + timedelta(minutes=2),
    )
    bulk_insert(Narrative, [])


def test_insert_ignoring_skips_rows_that_exist_and_tells_the_new_ids(file_source):
    from humas.monitoring.bulk import insert_ignoring

    def item(external_id):
        return Item(
            source=file_source,
            office=file_source.office,
            platform="x",
            external_id=external_id,
            text="teks",
            published_at=timezone.now(),
            raw={},
            raw_sha256="0" * 64,
        )

    first = item("a")
    first.save()
    rows = [item("a"), item("b"), item("c")]
    rows[0].published_at = first.published_at
    ids = insert_ignoring(Item, rows)
    stored = dict(Item.objects.values_list("external_id", "pk"))
    assert set(stored) == {"a", "b", "c"}
    if ids is not None:  # PostgreSQL tells them; elsewhere the caller asks
        assert sorted(ids) == sorted([stored["b"], stored["c"]])
