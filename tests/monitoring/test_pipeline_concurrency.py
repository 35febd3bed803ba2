"""Several workers at once, on PostgreSQL: an office held by one worker makes another wait for it,
and however they interleave every item is counted once and each wording joins one narrative."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from humas.monitoring.models import Item, Narrative, Source
from humas.monitoring.pipeline import _LOCK_SPACE, _lock_offices, items_process
from humas.monitoring.services import items_ingest

from ..conftest import require_service
from .conftest import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    require_service(
        connection.vendor == "postgresql",
        "two connections need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )


@pytest.fixture
def other_worker():
    """A second session, as another worker's, that can hold office locks."""
    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as session:
        yield session


def hold(session, office_id: int) -> None:
    session.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, office_id])


def test_a_batch_waits_for_an_office_another_worker_holds(offices, other_worker):
    jepara, jateng = offices["33.20"], offices["33"]
    hold(other_worker, jateng.pk)
    released = threading.Event()

    def release_soon() -> None:
        time.sleep(0.3)
        released.set()
        other_worker.rollback()

    threading.Thread(target=release_soon).start()
    with transaction.atomic():
        _lock_offices([jepara.pk, jateng.pk])
        assert released.is_set()


def test_two_workers_on_the_same_items_process_each_once(offices):
    sources = [
        Source.objects.create(office=offices[code], kind=Source.Kind.API, name=f"API {code}")
        for code in ("00", "33", "33.20")
    ]
    start = timezone.now() - timedelta(hours=1)
    texts = [
        "Surat suara di TPS 5 sudah dicoblos duluan, KPU harus jelaskan",
        "Pemilu ditunda katanya, benar tidak KPU?",
        "DPT di Jepara banyak nama orang meninggal, pemilu curang",
        "Sirekap error lagi, hasil pemilu diubah",
    ]
    for n, source in enumerate(sources):
        records = [
            record(
                external_id=f"c{n}-{i}",
                text=f"{texts[i % len(texts)]} #{i % 7}",
                published_at=(start + timedelta(seconds=i)).isoformat(),
            )
            for i in range(60)
        ]
        items_ingest(actor=None, source=source, records=records)
    ids = list(Item.objects.values_list("pk", flat=True))
    errors: list[BaseException] = []
    done: list[int] = []

    def worker() -> None:
        try:
            done.append(items_process(item_ids=ids))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Item.objects.filter(processed_at__isnull=True).count() == 0
    relevant = Item.objects.filter(relevant=True).count()
    assert relevant > 0
    counted = sum(Narrative.objects.filter(merged_into__isnull=True).values_list("item_count", flat=True))
    assert counted == relevant
    # Each wording is one variant of one narrative per office, however the workers interleaved.
    per_office_key = Item.objects.filter(relevant=True).values_list(
        "routed_office_id", "exact_key", "narrative_id"
    )
    narratives_of: dict[tuple[int, str], set[int]] = {}
    for office_id, key, narrative_id in per_office_key:
        narratives_of.setdefault((office_id, key), set()).add(narrative_id)
    assert all(len(found) == 1 for found in narratives_of.values())
