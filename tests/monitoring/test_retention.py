from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.monitoring.models import Item
from humas.monitoring.retention import items_raw_expire
from humas.monitoring.services import items_ingest

from .conftest import record

pytestmark = pytest.mark.django_db


def test_raw_payloads_older_than_the_retention_are_dropped_and_their_hash_stays(file_source, settings):
    settings.HUMAS_MONITORING_RAW_RETENTION_DAYS = 30
    items_ingest(
        actor=None, source=file_source, records=[record(external_id="old"), record(external_id="new")]
    )
    old = Item.objects.get(external_id="old")
    Item.objects.filter(pk=old.pk).update(captured_at=timezone.now() - timedelta(days=31))
    digest = old.raw_sha256

    assert items_raw_expire() == 1
    assert items_raw_expire() == 0  # nothing left to drop
    old.refresh_from_db()
    assert old.raw == {}
    assert old.raw_sha256 == digest
    assert old.text == record()["text"]
    assert Item.objects.get(external_id="new").raw != {}
