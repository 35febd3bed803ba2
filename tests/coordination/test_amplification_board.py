"""#18 amplification tasks, reading: the sender's board (counts, status per office, result links,
filters, sort, one query for 552 offices), an office in between's read-only part, the receiving
office's list, and the tasks an office asked. Nobody reads another province's rows."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from humas.coordination.amplification import amplification_decline, amplification_record
from humas.coordination.amplification_selectors import (
    BoardFilters,
    amplification_board,
    amplification_list_for_office,
    amplification_list_from_above,
    amplification_list_sent,
    amplification_task_get_for_board,
)
from humas.coordination.models import AmplificationTarget, AmplificationTask
from humas.offices.policy import PolicyDenied

from .amplification_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JATIM,
    JEPARA,
    JEPARA_SHARE,
    KUDUS,
    RI,
    SEMARANG,
    SURABAYA,
    accounts,
    ask,
)
from .cascade_fixtures import MAKASSAR, crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

Status = AmplificationTarget.Status
Scope = AmplificationTask.Scope


def target_of(task: AmplificationTask, code: str) -> AmplificationTarget:
    return task.targets.select_related("office").get(office__code=code)


@pytest.fixture
def answered(ask, crew):
    """A national task to every office below: Jepara and Surabaya shared it, Semarang declined;
    the rest wait."""
    task = ask(Scope.BELOW)
    amplification_record(
        actor=crew["jepara_operator"], target=target_of(task, JEPARA), url=JEPARA_SHARE, shared=True
    )
    amplification_record(
        actor=crew["surabaya_operator"],
        target=target_of(task, SURABAYA),
        url="https://x.com/kpusurabaya/status/31",
        shared=True,
    )
    amplification_decline(
        actor=crew["semarang_operator"], target=target_of(task, SEMARANG), reason="=Akun kami dibekukan"
    )
    return task


def rows_by_code(board):
    return {row.office.code: row for row in board.rows}


def test_the_senders_board_counts_every_office_with_its_result(answered, crew, offices):
    board = amplification_board(actor=crew["ri_editor"], office=offices[RI], task=answered)

    assert board.total == 552 and not board.read_only
    assert board.counts == {"pending": 549, "sharing": 0, "done": 2, "declined": 1}
    assert round(board.done_share, 2) == round(200 / 552, 2)
    rows = rows_by_code(board)
    assert (rows[JEPARA].status, rows[JEPARA].status_label, rows[JEPARA].target.result_url) == (
        "done",
        "Selesai",
        JEPARA_SHARE,
    )
    assert rows[JEPARA].target.recorded_by == crew["jepara_operator"]
    assert rows[SEMARANG].target.decline_reason == "=Akun kami dibekukan"
    assert rows[JEPARA].province == offices[JATENG] and rows[JATENG].province == offices[JATENG]
    assert len(board.provinces) == 38


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (BoardFilters(status="done"), {JEPARA, SURABAYA}),
        (BoardFilters(status="declined"), {SEMARANG}),
        (BoardFilters(status="done", province=JATENG), {JEPARA}),
        (BoardFilters(status="declined", province=JATIM), set()),
    ],
)
def test_the_board_filters_by_status_and_province(answered, crew, offices, filters, expected):
    board = amplification_board(actor=crew["ri_editor"], office=offices[RI], task=answered, filters=filters)

    assert {row.office.code for row in board.rows} == expected
    assert board.total == 552


def test_the_board_sorts_by_status_and_by_latest_record(answered, crew, offices):
    by_status = amplification_board(
        actor=crew["ri_editor"], office=offices[RI], task=answered, filters=BoardFilters(sort="status")
    )
    assert [row.status for row in by_status.rows][-3:] == ["done", "done", "declined"]

    latest = amplification_board(
        actor=crew["ri_editor"], office=offices[RI], task=answered, filters=BoardFilters(sort="dicatat")
    )
    assert [row.office.code for row in latest.rows][:3] == [SEMARANG, SURABAYA, JEPARA]


def test_the_board_of_552_offices_is_read_in_a_bounded_number_of_queries(answered, crew, offices):
    task = amplification_task_get_for_board(actor=crew["ri_editor"], office=offices[RI], task_id=answered.pk)

    with CaptureQueriesContext(connection) as queries:
        board = amplification_board(actor=crew["ri_editor"], office=offices[RI], task=task)
        shown = [
            (row.office.name, row.province and row.province.name, row.target.recorded_by, row.target.channel)
            for row in board.rows
        ]

    assert len(shown) == 552
    assert len(queries.captured_queries) <= 2, [q["sql"] for q in queries.captured_queries]


def test_a_province_reads_its_own_part_of_a_national_task_read_only(answered, crew, offices):
    task = amplification_task_get_for_board(
        actor=crew["jateng_editor"], office=offices[JATENG], task_id=answered.pk
    )

    board = amplification_board(actor=crew["jateng_editor"], office=offices[JATENG], task=task)

    assert board.read_only and board.total == 36
    assert board.counts == {"pending": 34, "sharing": 0, "done": 1, "declined": 1}
    assert SURABAYA not in rows_by_code(board)


def test_a_regency_sees_its_own_row_and_never_another_provinces(answered, crew, offices):
    task = amplification_task_get_for_board(
        actor=crew["jepara_operator"], office=offices[JEPARA], task_id=answered.pk
    )
    board = amplification_board(actor=crew["jepara_operator"], office=offices[JEPARA], task=task)

    assert [row.office.code for row in board.rows] == [JEPARA]
    with pytest.raises(PolicyDenied):
        # A sibling regency's operator asking through Jepara: the policy stops it before anything is read.
        amplification_task_get_for_board(
            actor=crew["semarang_operator"], office=offices[JEPARA], task_id=answered.pk
        )


def test_an_office_outside_the_task_gets_a_404_not_a_hint(ask, crew, offices):
    task = ask(Scope.PROVINCE, province=JATENG)

    with pytest.raises(Http404):
        amplification_task_get_for_board(
            actor=crew["surabaya_operator"], office=offices[SURABAYA], task_id=task.pk
        )
    with pytest.raises(Http404):
        amplification_task_get_for_board(
            actor=crew["jateng_editor"], office=offices[JATENG], task_id=task.pk + 1000
        )
    with pytest.raises(PolicyDenied):
        amplification_task_get_for_board(
            actor=crew["surabaya_operator"], office=offices[JEPARA], task_id=task.pk
        )


def test_the_receiving_list_puts_what_waits_first_by_deadline(ask, crew, offices, accounts):
    from datetime import timedelta

    from django.utils import timezone

    later = ask(Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(days=5))
    sooner = ask(
        Scope.CHOSEN,
        chosen=(JEPARA,),
        url="https://x.com/KPU_ID/status/2",
        deadline=timezone.now() + timedelta(days=1),
    )
    done = ask(Scope.CHOSEN, chosen=(JEPARA,), url="https://x.com/KPU_ID/status/3")
    amplification_record(
        actor=crew["jepara_operator"], target=target_of(done, JEPARA), url=JEPARA_SHARE, shared=True
    )

    listed = list(amplification_list_for_office(actor=crew["jepara_viewer"], office=offices[JEPARA]))

    assert [t.task_id for t in listed] == [sooner.pk, later.pk, done.pk]
    with pytest.raises(PolicyDenied):
        amplification_list_for_office(actor=crew["semarang_operator"], office=offices[JEPARA])


def test_the_tasks_an_office_asked_and_those_from_above_its_region(answered, ask, crew, offices):
    provincial = ask(
        Scope.BELOW, office=JATENG, actor=crew["jateng_editor"], url="https://x.com/kpujateng/status/7"
    )

    sent = amplification_list_sent(actor=crew["ri_viewer"], office=offices[RI])
    assert [(s.task, s.total, s.done, s.declined, s.pending) for s in sent] == [(answered, 552, 2, 1, 549)]
    assert amplification_list_sent(actor=crew["jateng_editor"], office=offices[JATENG])[0].task == provincial

    above = amplification_list_from_above(actor=crew["jateng_editor"], office=offices[JATENG])
    assert [(s.task, s.total, s.done, s.declined) for s in above] == [(answered, 36, 1, 1)]
    assert (
        amplification_list_from_above(actor=crew["makassar_operator"], office=offices[MAKASSAR])[0].total == 1
    )
