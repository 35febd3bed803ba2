"""#18 amplification tasks on PostgreSQL, with real concurrent sessions: two people recording the
same task at the same moment leave exactly one result; two presses of "Kirim tugas" make one
task; a task to 552 offices creates their rows in one statement.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas_amp (skipped on SQLite, which has
no row locks to test)."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.coordination import amplification
from humas.coordination.amplification import (
    AmplificationError,
    amplification_create,
    amplification_record,
    amplification_source_from_url,
)
from humas.coordination.models import AmplificationTarget, AmplificationTask

from ..conftest import require_service
from .amplification_fixtures import JEPARA, NATIONAL_URL, RI, accounts, ask  # noqa: F401 - fixtures
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures
from .test_cascade_postgres import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    require_service(
        connection.vendor == "postgresql",
        "row locks need PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas_amp",
    )


def test_two_people_recording_at_once_leave_exactly_one_result(crew, ask, accounts, monkeypatch):
    task = ask()
    target = task.targets.get(office__code=JEPARA)
    original = amplification.audit_record

    def slow_audit(**kwargs):
        # The first to hold the row lock keeps it a while: the other must be waiting on it.
        time.sleep(0.4)
        return original(**kwargs)

    monkeypatch.setattr(amplification, "audit_record", slow_audit)

    results = together(
        lambda: amplification_record(
            actor=crew["jepara_operator"], target=target, url="https://x.com/kpujepara/status/11", shared=True
        ),
        lambda: amplification_record(
            actor=crew["jepara_editor"], target=target, url="https://x.com/kpujepara/status/22", shared=True
        ),
    )

    recorded = [r for r in results if isinstance(r, AmplificationTarget)]
    refused = [r for r in results if isinstance(r, AmplificationError)]
    assert len(recorded) == 1 and len(refused) == 1, results
    winner = recorded[0]
    assert str(refused[0]) == f"Tugas ini sudah dijawab: selesai oleh {winner.recorded_by.get_full_name()}."
    target.refresh_from_db()
    assert (target.status, target.result_url, target.recorded_by) == (
        AmplificationTarget.Status.DONE,
        winner.result_url,
        winner.recorded_by,
    )
    assert AuditEvent.objects.filter(action="amplification.record").count() == 1


def test_two_presses_at_once_make_one_task(crew, offices, accounts):
    def press():
        return amplification_create(
            actor=crew["ri_editor"],
            office=offices[RI],
            source=amplification_source_from_url(url=NATIONAL_URL),
            scope=AmplificationTask.Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )

    results = together(press, press)

    assert sum(isinstance(r, AmplificationTask) for r in results) == 1, results
    assert [str(r) for r in results if isinstance(r, AmplificationError)] == [
        "Semua kantor tujuan itu sudah diminta mengamplifikasi tautan ini."
    ]
    assert AmplificationTarget.objects.count() == 552


def test_a_task_to_552_offices_is_made_in_one_insert(crew, ask):
    with CaptureQueriesContext(connection) as queries:
        task = ask(AmplificationTask.Scope.BELOW)

    assert task.targets.count() == 552
    inserts = [
        q for q in queries.captured_queries if 'INSERT INTO "coordination_amplificationtarget"' in q["sql"]
    ]
    assert len(inserts) == 1
