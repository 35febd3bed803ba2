"""#18 cascades, reading: the sender's board (counts, published derived from deliveries, filters,
sort, a bounded number of queries for 552 offices, CSV), an office in between's read-only part,
and the receiving office's queue. Nobody reads another province's rows."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from humas.coordination.cascade_selectors import (
    BoardFilters,
    cascade_board,
    cascade_get_for_board,
    cascade_list_from_above,
    cascade_list_sent,
    cascade_queue_for_office,
)
from humas.coordination.cascades import cascade_adapt, cascade_adopt, cascade_decline
from humas.coordination.models import Cascade, CascadeTarget
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Delivery
from humas.publishing.portal_channel import portal_channel_ensure

from .cascade_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JATIM,
    JEPARA,
    KUDUS,
    MAKASSAR,
    RI,
    SEMARANG,
    SURABAYA,
    crew,
    national_post,
    send,
)

pytestmark = pytest.mark.django_db

Status = CascadeTarget.Status


def target_of(cascade: Cascade, code: str) -> CascadeTarget:
    return cascade.targets.select_related("office").get(office__code=code)


@pytest.fixture
def answered(send, crew, offices, django_capture_on_commit_callbacks):
    """A national cascade to every office below: Jepara adopted it (published to its portal),
    Kudus adapted it, Semarang declined it, Surabaya adopted it; the rest are pending."""
    cascade = send(Cascade.Scope.BELOW)
    with django_capture_on_commit_callbacks(execute=True):
        cascade_adopt(
            actor=crew["jepara_operator"],
            target=target_of(cascade, JEPARA),
            channels=[portal_channel_ensure(office=offices[JEPARA])],
        )
        cascade_adopt(
            actor=crew["surabaya_operator"],
            target=target_of(cascade, SURABAYA),
            channels=[portal_channel_ensure(office=offices[SURABAYA])],
        )
    cascade_adapt(actor=crew["kudus_operator"], target=target_of(cascade, KUDUS))
    cascade_decline(
        actor=crew["semarang_operator"], target=target_of(cascade, SEMARANG), reason="=Sudah ada versi kami"
    )
    return cascade


def rows_by_code(board):
    return {row.office.code: row for row in board.rows}


def test_the_senders_board_counts_every_office_and_derives_published_from_what_was_sent(
    answered, crew, offices
):
    board = cascade_board(actor=crew["ri_editor"], office=offices[RI], cascade=answered)

    assert board.total == 552 and not board.read_only
    assert board.counts == {"pending": 548, "adopted": 2, "adapted": 1, "declined": 1, "published": 2}
    rows = rows_by_code(board)
    jepara = rows[JEPARA]
    sent = Delivery.objects.get(publication__post=jepara.target.post)
    assert (jepara.status, jepara.status_label, jepara.published_at) == ("published", "Terbit", sent.sent_at)
    assert jepara.links == [("Portal Humas: KPU Kabupaten Jepara", sent.url)]
    assert jepara.post_url == f"/app/kab-jepara/content/{jepara.target.post_id}/"
    assert (rows[KUDUS].status, rows[KUDUS].published_at) == (Status.ADAPTED, None)
    assert (rows[SEMARANG].status, rows[SEMARANG].target.decline_reason) == (
        Status.DECLINED,
        "=Sudah ada versi kami",
    )
    assert rows[JEPARA].province == offices[JATENG] and rows[JATENG].province == offices[JATENG]
    assert len(board.provinces) == 38


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (BoardFilters(status="published"), {JEPARA, SURABAYA}),
        (BoardFilters(status="adopted"), {JEPARA, SURABAYA}),
        (BoardFilters(status="adapted"), {KUDUS}),
        (BoardFilters(status="declined"), {SEMARANG}),
        (BoardFilters(status="published", province=JATENG), {JEPARA}),
        (BoardFilters(status="declined", province=JATIM), set()),
    ],
)
def test_the_board_filters_by_status_and_province(answered, crew, offices, filters, expected):
    board = cascade_board(actor=crew["ri_editor"], office=offices[RI], cascade=answered, filters=filters)

    assert {row.office.code for row in board.rows} == expected
    assert board.total == 552  # the counts stay those of every office


def test_the_board_filters_one_provinces_pending_offices(answered, crew, offices):
    board = cascade_board(
        actor=crew["ri_editor"],
        office=offices[RI],
        cascade=answered,
        filters=BoardFilters(status="pending", province=JATENG),
    )

    assert len(board.rows) == 33  # 36 offices of Jawa Tengah, less Jepara, Kudus and Semarang
    assert all(row.office.code.startswith("33") for row in board.rows)


def test_the_board_sorts_by_status_decision_time_and_publication_time(answered, crew, offices):
    by_status = cascade_board(
        actor=crew["ri_editor"], office=offices[RI], cascade=answered, filters=BoardFilters(sort="status")
    )
    statuses = [row.status for row in by_status.rows]
    assert statuses == sorted(statuses, key=["pending", "adapted", "adopted", "published", "declined"].index)

    decided = cascade_board(
        actor=crew["ri_editor"], office=offices[RI], cascade=answered, filters=BoardFilters(sort="diputuskan")
    )
    assert [row.office.code for row in decided.rows[:4]] == [SEMARANG, KUDUS, SURABAYA, JEPARA]

    out = cascade_board(
        actor=crew["ri_editor"], office=offices[RI], cascade=answered, filters=BoardFilters(sort="terbit")
    )
    assert [row.office.code for row in out.rows[:2]] == [JEPARA, SURABAYA]
    assert out.rows[2].published_at is None


def test_a_province_reads_its_own_part_of_a_national_cascade(answered, crew, offices):
    cascade = cascade_get_for_board(
        actor=crew["jateng_editor"], office=offices[JATENG], cascade_id=answered.pk
    )
    board = cascade_board(actor=crew["jateng_editor"], office=offices[JATENG], cascade=cascade)

    assert board.read_only and board.total == 36
    assert {row.office.code for row in board.rows} == {JATENG} | {
        o.code for o in offices.values() if o.parent_id == offices[JATENG].pk
    }
    assert board.counts == {"pending": 33, "adopted": 1, "adapted": 1, "declined": 1, "published": 1}
    assert SURABAYA not in rows_by_code(board)


def test_a_regency_reads_only_its_own_row_and_never_another_provinces(answered, crew, offices):
    cascade = cascade_get_for_board(
        actor=crew["jepara_operator"], office=offices[JEPARA], cascade_id=answered.pk
    )
    board = cascade_board(actor=crew["jepara_operator"], office=offices[JEPARA], cascade=cascade)

    assert [row.office.code for row in board.rows] == [JEPARA]
    with pytest.raises(PolicyDenied):
        cascade_get_for_board(actor=crew["jepara_operator"], office=offices[RI], cascade_id=answered.pk)
    with pytest.raises(PolicyDenied):
        cascade_get_for_board(actor=crew["jepara_operator"], office=offices[SURABAYA], cascade_id=answered.pk)


def test_an_office_the_cascade_does_not_reach_reads_nothing_of_it(send, crew, offices):
    cascade = send()  # to Jawa Tengah only

    with pytest.raises(Http404):
        cascade_get_for_board(actor=crew["jatim_editor"], office=offices[JATIM], cascade_id=cascade.pk)
    with pytest.raises(Http404):
        cascade_get_for_board(
            actor=crew["surabaya_operator"], office=offices[SURABAYA], cascade_id=cascade.pk
        )
    with pytest.raises(Http404):
        cascade_get_for_board(actor=crew["ri_editor"], office=offices[RI], cascade_id=cascade.pk + 1000)


def test_the_board_of_552_offices_takes_a_bounded_number_of_queries(
    answered, crew, offices, django_assert_max_num_queries
):
    cascade = cascade_get_for_board(actor=crew["ri_editor"], office=offices[RI], cascade_id=answered.pk)

    with django_assert_max_num_queries(3):
        board = cascade_board(actor=crew["ri_editor"], office=offices[RI], cascade=cascade)
        rows = [
            (row.office.name, row.province.name if row.province else "", row.status_label)
            for row in board.rows
        ]

    assert len(rows) == 552


def test_the_board_page_and_csv_of_552_offices_take_a_bounded_number_of_queries(
    answered, crew, client, django_assert_max_num_queries
):
    client.force_login(crew["ri_editor"])
    with django_assert_max_num_queries(13):
        page = client.get(f"/app/ri/teruskan/{answered.pk}/")
    assert page.status_code == 200
    with django_assert_max_num_queries(8):
        export = client.get(f"/app/ri/teruskan/{answered.pk}/csv/")
    assert export.status_code == 200


def test_the_csv_has_one_row_per_office_and_never_runs_a_formula(answered, crew, client):
    client.force_login(crew["ri_editor"])

    response = client.get(f"/app/ri/teruskan/{answered.pk}/csv/?provinsi={JATENG}")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="teruskan-{answered.pk}-ri.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Kode",
        "Kantor",
        "Provinsi",
        "Status",
        "Diputuskan oleh",
        "Diputuskan pada",
        "Alasan menolak",
        "Terbit pada",
        "Tautan terbit",
        "Unggahan di Humas",
    ]
    assert len(rows) == 1 + 36
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[SEMARANG][3:5] == ["Ditolak", "Operator Semarang"]
    assert by_code[SEMARANG][6] == "'=Sudah ada versi kami"
    jepara = by_code[JEPARA]
    assert jepara[1:4] == ["KPU Kabupaten Jepara", "KPU Provinsi Jawa Tengah", "Terbit"]
    assert jepara[7].endswith(" WIB") and jepara[8].startswith("/kab-jepara/")
    assert jepara[9].startswith("http://testserver/app/kab-jepara/content/")
    assert by_code[KUDUS][3] == "Diadaptasi" and by_code[JATENG][3] == "Menunggu"


def test_the_queue_lists_pending_items_first_by_deadline(send, crew, offices, national_post):
    later = send(Cascade.Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(days=5))
    sooner = send(Cascade.Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(days=1))
    done = send(Cascade.Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(hours=2))
    cascade_decline(actor=crew["jepara_operator"], target=target_of(done, JEPARA), reason="Tidak relevan")
    send(Cascade.Scope.CHOSEN, chosen=(SEMARANG,))

    queue = list(cascade_queue_for_office(actor=crew["jepara_viewer"], office=offices[JEPARA]))

    assert [t.cascade_id for t in queue] == [sooner.pk, later.pk, done.pk]
    with pytest.raises(PolicyDenied):
        cascade_queue_for_office(actor=crew["semarang_operator"], office=offices[JEPARA])


def test_the_lists_of_an_office_count_its_cascades_and_a_provinces_part(answered, crew, offices, send):
    (sent,) = cascade_list_sent(actor=crew["ri_viewer"], office=offices[RI])
    assert (sent.total, sent.pending, sent.adopted, sent.adapted, sent.declined, sent.decided) == (
        552,
        548,
        2,
        1,
        1,
        4,
    )

    (part,) = cascade_list_from_above(actor=crew["jateng_editor"], office=offices[JATENG])
    assert (part.cascade, part.total, part.pending, part.decided) == (answered, 36, 33, 3)
    assert cascade_list_from_above(actor=crew["makassar_operator"], office=offices[MAKASSAR])[0].total == 1
