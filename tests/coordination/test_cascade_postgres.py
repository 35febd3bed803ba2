"""#18 cascades on PostgreSQL, with real concurrent sessions: two people adopting the same item at
the same moment make exactly one post and one publication; two presses of "Teruskan" make one
cascade; a cascade to 552 offices creates their rows in one statement, well under 2 seconds.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas_cas (skipped on SQLite, which
has no row locks to test)."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from humas.coordination import cascades
from humas.coordination.cascades import CascadeError, cascade_adopt, cascade_create
from humas.coordination.models import Cascade, CascadeTarget
from humas.publishing.models import Post, Publication
from humas.publishing.portal_channel import portal_channel_ensure

from ..conftest import require_service
from .cascade_fixtures import JEPARA, RI, crew, national_post, send  # noqa: F401 - fixtures

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    require_service(
        connection.vendor == "postgresql",
        "row locks need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas_cas",
    )


def together(*calls):
    """Run ``calls`` in threads released at the same instant; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - returned to the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_people_adopting_at_once_make_exactly_one_post_and_one_publication(
    crew, send, offices, monkeypatch
):
    cascade = send()
    target = cascade.targets.get(office__code=JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])
    original = cascades.post_create

    def slow_post_create(**kwargs):
        # The first to hold the row lock keeps it a while: the other must be waiting on it.
        time.sleep(0.4)
        return original(**kwargs)

    monkeypatch.setattr(cascades, "post_create", slow_post_create)

    results = together(
        lambda: cascade_adopt(actor=crew["jepara_operator"], target=target, channels=[portal]),
        lambda: cascade_adopt(actor=crew["jepara_editor"], target=target, channels=[portal]),
    )

    adopted = [r for r in results if isinstance(r, CascadeTarget)]
    refused = [r for r in results if isinstance(r, CascadeError)]
    assert len(adopted) == 1 and len(refused) == 1, results
    winner = adopted[0].decided_by.get_full_name()
    assert str(refused[0]) == f"Konten ini sudah diputuskan: diadopsi oleh {winner}."
    assert Post.objects.filter(office=offices[JEPARA]).count() == 1
    assert Publication.objects.filter(post__office=offices[JEPARA]).count() == 1
    target.refresh_from_db()
    assert target.status == CascadeTarget.Status.ADOPTED


def test_two_presses_of_teruskan_at_once_make_one_cascade(crew, offices, national_post):
    post = national_post()

    def press():
        return cascade_create(
            actor=crew["ri_editor"],
            office=offices[RI],
            source=post,
            scope=Cascade.Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )

    results = together(press, press)

    assert sum(isinstance(r, Cascade) for r in results) == 1, results
    assert [str(r) for r in results if isinstance(r, CascadeError)] == [
        "Konten ini sudah diteruskan ke semua kantor tujuan itu."
    ]
    assert CascadeTarget.objects.count() == 552


def test_a_cascade_to_552_offices_is_made_in_one_insert_well_under_two_seconds(crew, offices, national_post):
    post = national_post()

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        cascade = cascade_create(
            actor=crew["ri_editor"],
            office=offices[RI],
            source=post,
            scope=Cascade.Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )
        seconds = time.perf_counter() - started

    assert cascade.targets.count() == 552
    inserts = [
        q["sql"] for q in queries.captured_queries if 'INSERT INTO "coordination_cascadetarget"' in q["sql"]
    ]
    assert len(inserts) == 1
    assert seconds < 2.0, seconds
