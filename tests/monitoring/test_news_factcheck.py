"""The fact-check feed poller: a fact-checker's RSS feed served locally flows into the
clarification knowledge base as external claims of its source, once, with the cursor stored in
the same transaction as the claims."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from humas.factcheck import services as factcheck_services
from humas.factcheck.models import Claim
from humas.monitoring.models import Item, Source
from humas.monitoring.pollers import factcheck_feed
from humas.monitoring.polling import source_poll

from .feeds.server import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(settings):
    settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE = True
    state, server = start()
    state.serve("/feed.xml", "turnbackhoax.xml", etag='"tbh-1"')
    state.serve("/cekfakta/tps-tutup.html", "cekfakta_tps.html")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def source(offices, web):
    return Source.objects.create(
        office=offices["33"],
        kind=Source.Kind.FACTCHECK_FEED,
        name="TurnBackHoax",
        config={"feeds": [web.url("/feed.xml")], "source_name": "TurnBackHoax"},
    )


def poll(source):
    outcome = source_poll(source_id=source.pk)
    source.refresh_from_db()
    return outcome


def test_entries_become_external_claims_of_the_source(source, web, offices):
    outcome = poll(source)

    assert outcome.status == "done"
    claims = {c.external_id: c for c in Claim.objects.all()}
    assert sorted(claims) == ["tbh-40001", "tbh-40002"]
    tps = claims["tbh-40001"]
    assert tps.kind == Claim.Kind.EXTERNAL
    assert tps.source_name == "TurnBackHoax"
    assert tps.office == offices["33"]
    assert tps.title == "[SALAH] TPS di Jepara Tutup Pukul 11 Siang"
    assert tps.verdict == "SALAH"
    assert tps.url == web.url("/cekfakta/tps-tutup.html")
    assert tps.published_at == datetime(2024, 2, 11, 3, 0, tzinfo=UTC)
    assert "pemungutan suara di seluruh TPS berlangsung mulai pukul 07.00 sampai 13.00" in tps.text
    assert "Menu navigasi" not in tps.text
    # No verdict in the title: the entry's first category; its page is gone: its summary.
    ktp = claims["tbh-40002"]
    assert ktp.verdict == "Hoaks"
    assert ktp.text == "Klaim bahwa pemilih dengan KTP ganda bisa mencoblos dua kali."
    # Fact-checks are not items of the source.
    assert Item.objects.count() == 0
    assert source.item_count == 0
    assert source.health == Source.Health.HEALTHY
    assert source.cursor["feeds"][web.url("/feed.xml")]["etag"] == '"tbh-1"'


def test_a_second_poll_adds_nothing(source, web):
    poll(source)
    first = {c.external_id: c.updated_at for c in Claim.objects.all()}
    web.requests.clear()

    poll(source)

    assert [r.status for r in web.requests] == [304]
    assert {c.external_id: c.updated_at for c in Claim.objects.all()} == first


def test_claims_and_cursor_are_stored_together(source, web, monkeypatch):
    def failing_upsert(**kwargs):
        factcheck_services.claims_upsert_external(**kwargs)  # written, then the worker dies
        raise RuntimeError("worker killed before commit")

    monkeypatch.setattr(factcheck_feed, "claims_upsert_external", failing_upsert)
    assert poll(source).status == "failed"
    assert Claim.objects.count() == 0
    assert source.cursor == {}

    monkeypatch.setattr(factcheck_feed, "claims_upsert_external", factcheck_services.claims_upsert_external)
    assert poll(source).status == "done"

    assert Claim.objects.count() == 2


def test_a_fact_check_feed_without_a_source_name_says_so(source):
    Source.objects.filter(pk=source.pk).update(config={**source.config, "source_name": "  "})

    poll(source)

    assert source.health == Source.Health.FAILING
    assert source.last_error == "Nama sumber wajib diisi."
    assert Claim.objects.count() == 0
