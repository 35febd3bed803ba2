"""items_ingest: validation, idempotency by (source, external_id), the raw payload and its hash."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from humas.audit.models import AuditEvent
from humas.monitoring.models import Item, ItemPlatform, Source
from humas.monitoring.records import Problem, canonical_sha256, record_check
from humas.monitoring.services import (
    ItemsInvalid,
    MonitoringError,
    items_ingest,
    source_get_or_create_pushed,
)
from humas.offices.policy import PolicyDenied

from .conftest import record

pytestmark = pytest.mark.django_db


def test_a_valid_record_is_stored_with_its_raw_payload_and_hash(file_source, operator, offices):
    sent = record()

    result = items_ingest(actor=operator, source=file_source, records=[sent])

    assert (result.created, result.duplicates) == (1, 0)
    item = Item.objects.get()
    assert item.office == offices["33.20"]
    assert item.platform == "x"
    assert item.author_handle == "warga_jepara"
    assert item.published_at == datetime(2024, 2, 14, 1, 30, tzinfo=UTC)
    assert (item.reactions, item.comments, item.shares, item.views) == (12, 3, 5, 900)
    assert item.raw == sent
    canonical = json.dumps(sent, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert item.raw_sha256 == hashlib.sha256(canonical).hexdigest() == canonical_sha256(item.raw)
    file_source.refresh_from_db()
    assert file_source.item_count == 1
    assert file_source.health == Source.Health.HEALTHY
    assert file_source.last_run_at is not None


def test_the_hash_does_not_depend_on_key_order():
    assert canonical_sha256({"a": 1, "b": "é"}) == canonical_sha256({"b": "é", "a": 1})
    assert canonical_sha256({"a": 1}) != canonical_sha256({"a": 2})


def test_ingesting_the_same_ids_again_adds_nothing(file_source, operator):
    batch = [record(external_id="a"), record(external_id="b")]
    items_ingest(actor=operator, source=file_source, records=batch)

    again = items_ingest(actor=operator, source=file_source, records=[*batch, record(external_id="c")])

    assert (again.created, again.duplicates) == (1, 2)
    assert sorted(Item.objects.values_list("external_id", flat=True)) == ["a", "b", "c"]
    file_source.refresh_from_db()
    assert file_source.item_count == 3


def test_an_id_repeated_within_one_batch_is_stored_once(file_source, operator):
    result = items_ingest(
        actor=operator,
        source=file_source,
        records=[record(external_id="a", text="pertama"), record(external_id="a", text="kedua")],
    )

    assert (result.created, result.duplicates) == (1, 1)
    assert Item.objects.get().text == "pertama"


def test_the_same_id_in_two_sources_is_two_items(file_source, operator, offices):
    other = source_get_or_create_pushed(
        actor=operator, office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Ekspor alat lain"
    )
    items_ingest(actor=operator, source=file_source, records=[record()])
    items_ingest(actor=operator, source=other, records=[record()])

    assert Item.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   \n "}, "text"),
        ({"text": None}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"platform": "myspace"}, "platform"),
        ({"platform": None}, "platform"),
        ({"published_at": "14/02/2024 08:30"}, "published_at"),
        ({"published_at": "2024-02-14T08:30:00"}, "published_at"),  # no time zone
        ({"published_at": ""}, "published_at"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "https://" + "a" * 2000}, "url"),
        ({"external_id": " "}, "external_id"),
        ({"external_id": "x" * 201}, "external_id"),
        ({"author_handle": "a" * 201}, "author_handle"),
        ({"reactions": -1}, "reactions"),
        ({"views": "banyak"}, "views"),
        ({"shares": True}, "shares"),
        ({"text": ["bukan", "teks"]}, "text"),
    ],
)
def test_an_invalid_record_names_its_field(overrides, field):
    problems = record_check(record(**overrides))

    assert isinstance(problems, list)
    assert field in {p.field for p in problems}
    assert all(isinstance(p, Problem) and p.message for p in problems)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-14T01:30:00Z", datetime(2024, 2, 14, 1, 30, tzinfo=UTC)),
        ("2024-02-14T10:30:00+09:00", datetime(2024, 2, 14, 1, 30, tzinfo=UTC)),
        ("2024-02-14 01:30:00+00:00", datetime(2024, 2, 14, 1, 30, tzinfo=UTC)),
    ],
)
def test_times_with_a_zone_are_stored_in_utc(value, expected):
    checked = record_check(record(published_at=value))

    assert not isinstance(checked, list)
    assert checked.published_at == expected
    assert checked.published_at.tzinfo is UTC


def test_optional_fields_may_be_absent_and_platform_case_does_not_matter():
    checked = record_check(
        record(
            platform="Facebook",
            author_handle=None,
            url=None,
            reactions=None,
            comments=None,
            shares=None,
            views=None,
        )
    )

    assert not isinstance(checked, list)
    assert (checked.platform, checked.author_handle, checked.url, checked.views) == ("facebook", "", "", None)


def test_nul_characters_are_dropped_and_unstorable_values_refused():
    checked = record_check(record(text="TPS\x00 tutup", extra={"k\x00": "v\x00"}))

    assert not isinstance(checked, list)
    assert checked.text == "TPS tutup"
    assert checked.raw["extra"] == {"k": "v"}
    assert checked.raw_sha256 == canonical_sha256(checked.raw)
    assert isinstance(record_check(record(extra=float("nan"))), list)
    assert isinstance(record_check(record(text="\ud800")), list)


def test_one_invalid_record_stores_nothing_and_lists_every_error(file_source, operator):
    with pytest.raises(ItemsInvalid) as raised:
        items_ingest(
            actor=operator,
            source=file_source,
            records=[
                record(external_id="a"),
                record(external_id="b", text=""),
                record(external_id="c", platform="?"),
            ],
        )

    assert [(e.index, e.field) for e in raised.value.errors] == [(1, "text"), (2, "platform")]
    assert not Item.objects.exists()
    assert not AuditEvent.objects.filter(action="monitoring.items_ingest").exists()
    file_source.refresh_from_db()
    assert (file_source.item_count, file_source.last_run_at) == (0, None)


def test_ingest_is_audited_with_its_counts(file_source, operator):
    items_ingest(actor=operator, source=file_source, records=[record()], filename="ekspor.csv")
    items_ingest(actor=operator, source=file_source, records=[record()])

    events = list(AuditEvent.objects.filter(action="monitoring.items_ingest").order_by("id"))
    assert [e.changes for e in events] == [
        {"items_created": 1, "items_duplicate": 0, "filename": "ekspor.csv"},
        {"items_created": 0, "items_duplicate": 1},
    ]
    assert {e.object_id for e in events} == {str(file_source.pk)}


@pytest.mark.parametrize(("role", "allowed"), [("viewer", False), ("analyst", False), ("operator", True)])
def test_only_staff_may_ingest(file_source, member, role, allowed):
    person = member("33", role)  # the province above Jepara: its reach goes down
    if allowed:
        assert items_ingest(actor=person, source=file_source, records=[record()]).created == 1
    else:
        with pytest.raises(PolicyDenied):
            items_ingest(actor=person, source=file_source, records=[record()])
        assert not Item.objects.exists()


def test_a_person_of_another_office_may_not_ingest(file_source, member):
    with pytest.raises(PolicyDenied):
        items_ingest(actor=member("33.74", "admin"), source=file_source, records=[record()])
    assert not Item.objects.exists()


def test_pushed_sources_are_created_once_and_audited(offices, operator):
    first = source_get_or_create_pushed(
        actor=operator, office=offices["33.20"], kind=Source.Kind.API, name="  Skrip   mitra "
    )
    again = source_get_or_create_pushed(
        actor=operator, office=offices["33.20"], kind=Source.Kind.API, name="Skrip mitra"
    )

    assert first == again
    assert first.name == "Skrip mitra"
    assert first.created_by == operator
    assert list(
        AuditEvent.objects.filter(action="monitoring.source_create").values_list("changes", flat=True)
    ) == [{"source_kind": "api"}]


def test_a_name_taken_by_another_kind_or_an_inactive_source_is_refused(offices, operator, file_source):
    with pytest.raises(MonitoringError, match="Impor berkas"):
        source_get_or_create_pushed(
            actor=operator, office=offices["33.20"], kind=Source.Kind.API, name="Impor berkas"
        )
    Source.objects.filter(pk=file_source.pk).update(is_active=False)
    with pytest.raises(MonitoringError, match="dinonaktifkan"):
        source_get_or_create_pushed(
            actor=operator, office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Impor berkas"
        )
    with pytest.raises(MonitoringError):
        source_get_or_create_pushed(actor=operator, office=offices["33.20"], kind=Source.Kind.API, name="   ")


def test_item_platforms_are_the_apis_platforms():
    from typing import get_args

    from humas.api.schemas import MonitoringPlatform

    assert set(get_args(MonitoringPlatform)) == set(ItemPlatform.values)
