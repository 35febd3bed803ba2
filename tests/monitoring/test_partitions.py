"""On PostgreSQL the items table is partitioned by month of publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from humas.monitoring.models import Item
from humas.monitoring.partitions import (
    DEFAULT,
    is_partitioned,
    items_partitions,
    items_partitions_ensure,
    partition_name,
)
from humas.monitoring.services import items_ingest

from ..conftest import require_service
from .conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgres_only():
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )


def partition_of(item_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM monitoring_item WHERE id = %s", [item_pk])
        return cursor.fetchone()[0]


def test_the_items_table_is_partitioned_with_the_months_around_now():
    now = timezone.now()
    this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
    assert is_partitioned()
    names = items_partitions()
    assert DEFAULT in names
    assert partition_name(this_month) in names
    assert partition_name((this_month + timedelta(days=32)).replace(day=1)) in names


def test_an_item_lands_in_its_months_partition_and_an_old_one_in_the_default(file_source):
    now = timezone.now()
    items_ingest(
        actor=None,
        source=file_source,
        records=[
            record(external_id="now", published_at=now.isoformat()),
            record(external_id="old", published_at="2019-04-17T08:00:00+07:00"),
        ],
    )
    assert partition_of(Item.objects.get(external_id="now").pk) == partition_name(now.replace(day=1))
    assert partition_of(Item.objects.get(external_id="old").pk) == DEFAULT


def test_a_month_carved_out_of_the_default_partition_keeps_its_rows(file_source):
    items_ingest(
        actor=None,
        source=file_source,
        records=[record(external_id="old", published_at="2019-04-17T08:00:00+07:00")],
    )
    item = Item.objects.get(external_id="old")
    created = items_partitions_ensure(months_back=0, months_ahead=0, now=datetime(2019, 4, 20, tzinfo=UTC))
    assert created == ["monitoring_item_p2019_04"]
    assert partition_of(item.pk) == "monitoring_item_p2019_04"
    assert items_partitions_ensure(months_back=0, months_ahead=0, now=datetime(2019, 4, 20, tzinfo=UTC)) == []
    # Still one item, found by id as before, and taking it in again changes nothing.
    assert Item.objects.get(pk=item.pk).external_id == "old"
    result = items_ingest(
        actor=None,
        source=file_source,
        records=[record(external_id="old", published_at="2019-04-17T08:00:00+07:00")],
    )
    assert (result.created, result.duplicates) == (0, 1)
