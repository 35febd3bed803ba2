from __future__ import annotations

import pytest

from humas.monitoring.models import Source
from humas.monitoring.services import source_get_or_create_pushed


def record(**overrides):
    """A valid record as a listening tool sends it; ``overrides`` change or (None) remove fields."""
    base = {
        "platform": "x",
        "external_id": "1750000000000000001",
        "author_handle": "@warga_jepara",
        "url": "https://x.com/warga_jepara/status/1750000000000000001",
        "text": "Katanya TPS di Jepara tutup jam 11, benar?",
        "published_at": "2024-02-14T08:30:00+07:00",
        "reactions": 12,
        "comments": 3,
        "shares": 5,
        "views": 900,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Operator Jepara", email="operator.jepara@kpu.test")


@pytest.fixture
def file_source(offices, operator) -> Source:
    return source_get_or_create_pushed(
        actor=operator, office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Impor berkas"
    )
