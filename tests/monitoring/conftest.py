from __future__ import annotations

import pytest

from humas.monitoring.models import Source
from humas.monitoring.services import source_get_or_create_pushed

from ..channels.conftest import serving_fakes


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


@pytest.fixture
def jepara(offices):
    return offices["33.20"]


@pytest.fixture
def fakes(settings):
    """The strict fake platforms on a free port, every platform's base URL pointed at them."""
    with serving_fakes(settings) as running:
        yield running


@pytest.fixture
def account(fakes):
    """The fakes' first seeded account (a Facebook Page, an Instagram user, an X user, a Telegram
    channel with its bot)."""
    return fakes.hub.accounts[0]


def turnbackhoax_claim(office, external_id: str, title: str, text: str):
    """A published TurnBackHoax fact-check in the knowledge base of ``office``."""
    from humas.factcheck.models import Claim

    return Claim.objects.create(
        kind=Claim.Kind.EXTERNAL,
        office=office,
        source_name="TurnBackHoax",
        external_id=external_id,
        title=title,
        text=text,
        verdict="hoaks",
        url=f"https://turnbackhoax.id/{external_id}",
    )
