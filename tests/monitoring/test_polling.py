"""The polling runner: one worker per source (a lease that expires), batches stored with their
cursor so a killed poller resumes without losing or repeating an item, health and backoff after
failures, one notification per outage, no exception out of the task, and the due selection."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from humas.monitoring import polling
from humas.monitoring.models import Item, Source
from humas.monitoring.polling import (
    PollBatch,
    PollError,
    poll_backoff,
    source_lease_claim,
    source_poll,
    sources_poll_due,
)
from humas.notifications.models import Notification

from .conftest import record

pytestmark = pytest.mark.django_db

KIND = Source.Kind.KEYWORD_SEARCH  # any polled kind: its poller is replaced by a fake here
RECORDS = [record(external_id=str(n), text=f"Kabar pemilu nomor {n}") for n in range(1, 11)]


def paged_poller(*, fail_after: int | None = None, error: Exception | None = None, size: int = 3):
    """A poller that pages through RECORDS from ``cursor["next"]``, ``size`` at a time; it raises
    ``error`` (default: a crash) after ``fail_after`` batches of this run."""
    runs: list[dict] = []

    def poller(source, cursor):
        runs.append(dict(cursor))
        start = int(cursor.get("next", 0))
        for count, offset in enumerate(range(start, len(RECORDS), size)):
            if fail_after is not None and count == fail_after:
                raise error or RuntimeError("worker killed")
            chunk = RECORDS[offset : offset + size]
            yield PollBatch(records=chunk, cursor={"next": offset + len(chunk)})

    poller.runs = runs  # type: ignore[attr-defined]
    return poller


def failing(error: Exception):
    """A poller whose place fails before it yields anything."""

    def poller(source, cursor):
        raise error
        yield  # a generator, as pollers are

    return poller


@pytest.fixture
def source(offices):
    return Source.objects.create(
        office=offices["33.20"], kind=KIND, name="Pencarian X", poll_interval_minutes=15
    )


@pytest.fixture
def use(monkeypatch):
    def install(poller):
        monkeypatch.setitem(polling._POLLERS, KIND, poller)
        return poller

    return install


def stored_ids(source):
    return sorted(Item.objects.filter(source=source).values_list("external_id", flat=True), key=int)


def test_a_poll_stores_every_batch_and_schedules_the_next_run(source, use):
    use(paged_poller())

    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert (outcome.status, outcome.batches, outcome.created) == ("done", 4, 10)
    assert stored_ids(source) == [str(n) for n in range(1, 11)]
    assert source.cursor == {"next": 10}
    assert source.item_count == 10
    assert source.health == Source.Health.HEALTHY
    assert source.last_error == ""
    assert source.lease_until is None
    assert source.next_run_at - source.last_run_at == timedelta(minutes=15)


def test_a_poller_killed_mid_run_resumes_after_the_last_stored_batch(source, use):
    use(paged_poller(fail_after=2))
    first = source_poll(source_id=source.pk)
    source.refresh_from_db()
    assert first.status == "failed"
    assert stored_ids(source) == ["1", "2", "3", "4", "5", "6"]
    assert source.cursor == {"next": 6}

    second = use(paged_poller())
    Source.objects.filter(pk=source.pk).update(next_run_at=None)
    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert outcome.status == "done"
    assert second.runs == [{"next": 6}]
    assert stored_ids(source) == [str(n) for n in range(1, 11)]  # none lost, none twice
    assert Item.objects.filter(source=source).count() == 10
    assert source.item_count == 10


def test_a_crash_while_a_batch_is_stored_leaves_neither_its_items_nor_its_cursor(source, use, monkeypatch):
    use(paged_poller())
    real_ingest = polling.items_ingest
    calls = {"n": 0}

    def ingest_dying_on_the_third_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            real_ingest(**kwargs)  # the items are written, then the worker dies before commit
            raise RuntimeError("killed before commit")
        return real_ingest(**kwargs)

    monkeypatch.setattr(polling, "items_ingest", ingest_dying_on_the_third_batch)
    source_poll(source_id=source.pk)
    source.refresh_from_db()
    assert stored_ids(source) == ["1", "2", "3", "4", "5", "6"]
    assert source.cursor == {"next": 6}

    monkeypatch.setattr(polling, "items_ingest", real_ingest)
    source_poll(source_id=source.pk)

    assert stored_ids(source) == [str(n) for n in range(1, 11)]


def test_a_source_held_by_another_worker_is_left_alone(source, use):
    poller = use(paged_poller())
    held_until = timezone.now() + timedelta(minutes=5)
    Source.objects.filter(pk=source.pk).update(lease_until=held_until)

    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert outcome.status == "busy"
    assert poller.runs == []
    assert source.lease_until == held_until
    assert Item.objects.count() == 0


def test_an_expired_lease_of_a_killed_worker_is_taken_over(source, use):
    poller = use(paged_poller())
    Source.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    outcome = source_poll(source_id=source.pk)

    assert outcome.status == "done"
    assert len(poller.runs) == 1


def test_two_claims_of_one_source_give_it_to_one_worker(source):
    first = source_lease_claim(source_id=source.pk)
    second = source_lease_claim(source_id=source.pk)

    assert first is not None
    assert second is None
    # The queued task carries the first claim's token and may take it over.
    assert source_lease_claim(source_id=source.pk, token=first) is not None


def test_a_worker_whose_lease_was_taken_over_stores_nothing_more(source, use):
    def poller(src, cursor):
        yield PollBatch(records=RECORDS[:2], cursor={"next": 2})
        # Meanwhile its lease expired and another worker claimed the source.
        Source.objects.filter(pk=src.pk).update(lease_until=timezone.now() + timedelta(minutes=9))
        yield PollBatch(records=RECORDS[2:4], cursor={"next": 4})

    use(poller)
    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert outcome.status == "busy"
    assert stored_ids(source) == ["1", "2"]
    assert source.cursor == {"next": 2}


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            PollError("Server umpan sedang bermasalah (kode 503)."),
            "Server umpan sedang bermasalah (kode 503).",
        ),
        (httpx.ReadTimeout("slow"), "Waktu habis menunggu jawaban dari sumber."),
        (httpx.ConnectError("refused"), "Tidak dapat terhubung ke sumber."),
        (ValueError("not json"), "Galat tak terduga saat mengambil item (ValueError)."),
    ],
)
def test_a_failure_marks_the_source_failing_with_the_reason_and_backs_off(source, use, error, reason):
    use(failing(error))

    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert outcome.status == "failed"
    assert source.health == Source.Health.FAILING
    assert source.last_error == reason
    assert source.consecutive_failures == 1
    assert source.lease_until is None
    assert source.next_run_at - source.last_run_at == timedelta(minutes=30)


def test_failures_in_a_row_double_the_wait_up_to_the_cap(source, use, settings):
    settings.HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES = 360
    use(failing(PollError("Umpan mati.")))
    waits = []
    for _ in range(6):
        source_poll(source_id=source.pk)
        source.refresh_from_db()
        waits.append(source.next_run_at - source.last_run_at)

    assert source.consecutive_failures == 6
    assert waits == [timedelta(minutes=m) for m in (30, 60, 120, 240, 360, 360)]


def test_a_partly_stored_run_that_fails_still_counts_as_a_failure_in_a_row(source, use):
    Source.objects.filter(pk=source.pk).update(consecutive_failures=2)
    use(paged_poller(fail_after=1, error=PollError("Umpan kedua mati.")))

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert source.consecutive_failures == 3
    assert source.health == Source.Health.FAILING


def test_success_after_failures_makes_the_source_healthy_again(source, use):
    Source.objects.filter(pk=source.pk).update(
        health=Source.Health.FAILING, last_error="Umpan mati.", consecutive_failures=4
    )
    use(paged_poller())

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert (source.health, source.last_error, source.consecutive_failures) == (Source.Health.HEALTHY, "", 0)


@pytest.mark.parametrize(
    ("interval", "failures", "retry_after", "minutes"),
    [
        (15, 1, None, 30),
        (15, 3, None, 120),
        (15, 10, None, 360),
        (15, 1, 7200, 120),  # the place read from asked for two hours
        (15, 1, 10**9, 24 * 60),  # but never more than a day
        (1440, 2, None, 1440),  # a daily source never waits less than its interval
        (5, 10_000, None, 360),  # no overflow, however long the outage
    ],
)
def test_backoff(settings, interval, failures, retry_after, minutes):
    settings.HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES = 360

    wait = poll_backoff(interval_minutes=interval, failures=failures, retry_after=retry_after)

    assert wait == timedelta(minutes=minutes)


def test_a_rate_limit_wait_is_honoured(source, use):
    use(failing(PollError("Batas permintaan X tercapai.", retry_after=3600)))

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert source.next_run_at - source.last_run_at == timedelta(hours=1)


def test_the_error_shown_never_carries_an_address_query(source, use):
    use(failing(PollError("Gagal https://api.example.test/feed?key=RAHASIA123 lagi")))

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert "RAHASIA123" not in source.last_error
    assert source.last_error == "Gagal https://api.example.test/feed?… lagi"


def test_no_exception_leaves_the_task(source, use, monkeypatch):
    use(paged_poller())

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(polling, "source_lease_claim", broken)

    polling.source_poll_task(source.pk)  # runs now under the test settings' immediate Huey

    assert source_poll(source_id=source.pk).status == "failed"


def test_inactive_sources_and_kinds_without_a_poller_are_not_polled(offices, source, use):
    poller = use(paged_poller())
    Source.objects.filter(pk=source.pk).update(is_active=False)
    pushed = Source.objects.create(office=offices["33.20"], kind=Source.Kind.FILE_IMPORT, name="Impor")

    assert source_poll(source_id=source.pk).status == "skipped"
    assert source_poll(source_id=pushed.pk).status == "skipped"
    assert source_poll(source_id=987654).status == "skipped"
    assert poller.runs == []


@pytest.fixture
def office_people(member):
    return {
        "admin": member("33.20", "admin", email="admin.jepara@kpu.test"),
        "editor": member("33.20", "editor", email="editor.jepara@kpu.test"),
        "operator": member("33.20", "operator", email="operator.jepara@kpu.test"),
        "province": member("33", "admin", email="admin.jateng@kpu.test"),
    }


def test_the_office_is_told_once_per_outage(source, use, office_people, settings, mailoutbox):
    settings.HUMAS_MONITORING_SOURCE_ALERT_FAILURES = 3
    use(failing(PollError("Server umpan sedang bermasalah (kode 503).")))

    for _ in range(2):
        source_poll(source_id=source.pk)
    assert Notification.objects.count() == 0
    for _ in range(3):
        source_poll(source_id=source.pk)

    notes = Notification.objects.filter(kind=Notification.Kind.SOURCE_PROBLEM)
    assert sorted(n.recipient.email for n in notes) == ["admin.jepara@kpu.test", "editor.jepara@kpu.test"]
    note = notes.first()
    assert note.title == "Sumber pemantauan Pencarian X bermasalah"
    assert "gagal diambil 3 kali berturut-turut" in note.body
    assert "Server umpan sedang bermasalah (kode 503)." in note.body
    assert note.link == "/app/kab-jepara/monitoring/sumber/"
    assert len(mailoutbox) == 2

    # Recovered, then failing again: a new outage, told again.
    use(paged_poller())
    source_poll(source_id=source.pk)
    use(failing(PollError("Umpan mati lagi.")))
    for _ in range(3):
        source_poll(source_id=source.pk)
    assert Notification.objects.filter(kind=Notification.Kind.SOURCE_PROBLEM).count() == 4


def test_due_sources_are_queued_once_and_claimed(
    offices, source, use, monkeypatch, django_capture_on_commit_callbacks
):
    use(paged_poller())
    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(
        polling, "source_poll_task", lambda source_id, token="": queued.append((source_id, token))
    )
    now = timezone.now()
    jepara = offices["33.20"]
    past = Source.objects.create(
        office=jepara, kind=KIND, name="Lewat", next_run_at=now - timedelta(minutes=1)
    )
    Source.objects.create(office=jepara, kind=KIND, name="Nanti", next_run_at=now + timedelta(minutes=5))
    Source.objects.create(office=jepara, kind=KIND, name="Mati", is_active=False)
    Source.objects.create(office=jepara, kind=KIND, name="Dipegang", lease_until=now + timedelta(minutes=5))
    Source.objects.create(office=jepara, kind=Source.Kind.FILE_IMPORT, name="Berkas")
    Source.objects.create(office=jepara, kind=Source.Kind.API, name="API")
    expired = Source.objects.create(
        office=jepara, kind=KIND, name="Pekerja mati", lease_until=now - timedelta(seconds=5)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = sources_poll_due()
    with django_capture_on_commit_callbacks(execute=True):
        again = sources_poll_due()

    assert sorted(first) == sorted([source.pk, past.pk, expired.pk])
    assert again == []  # claimed while they wait in the queue
    assert sorted(pk for pk, _token in queued) == sorted(first)
    tokens = {token for _pk, token in queued}
    assert len(tokens) == 1
    # The queued task takes its claim over.
    token = polling.datetime.fromisoformat(tokens.pop())
    assert source_poll(source_id=source.pk, lease_token=token).status == "done"


def test_the_due_limit_takes_the_longest_waiting_first(
    offices, use, monkeypatch, django_capture_on_commit_callbacks
):
    use(paged_poller())
    monkeypatch.setattr(polling, "source_poll_task", lambda source_id, token="": None)
    now = timezone.now()
    jepara = offices["33.20"]
    newer = Source.objects.create(office=jepara, kind=KIND, name="A", next_run_at=now - timedelta(minutes=1))
    older = Source.objects.create(office=jepara, kind=KIND, name="B", next_run_at=now - timedelta(hours=1))
    never = Source.objects.create(office=jepara, kind=KIND, name="C", next_run_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        queued = sources_poll_due(limit=2)

    assert sorted(queued) == sorted([never.pk, older.pk])
    assert newer.pk not in queued


def test_the_periodic_task_polls_due_sources(source, use, django_capture_on_commit_callbacks):
    from humas.monitoring.tasks import poll_due_sources_task

    use(paged_poller())

    with django_capture_on_commit_callbacks(execute=True):
        poll_due_sources_task.call_local()

    source.refresh_from_db()
    assert source.item_count == 10
    assert source.next_run_at > timezone.now()
