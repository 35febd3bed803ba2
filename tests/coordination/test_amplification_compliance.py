"""#18 posting activity (Keaktifan unggahan) with amplification tasks: the share of the tasks asked
of each office whose deadline falls in the period that it recorded as done, on the page (with
how it is counted), in the CSV and in the XLSX."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from humas.coordination.amplification import amplification_decline, amplification_record
from humas.coordination.compliance import compliance_report
from humas.coordination.models import AmplificationTask

from .amplification_fixtures import JATENG, JEPARA, JEPARA_SHARE, KUDUS, SEMARANG, accounts, ask  # noqa: F401
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
START, END = date(2026, 11, 1), date(2026, 11, 30)
QUERY = "?dari=2026-11-01&sampai=2026-11-30"


def due(task: AmplificationTask, moment: datetime) -> None:
    """The task's deadline moved into (or out of) the period, as if it had been asked then."""
    AmplificationTask.objects.filter(pk=task.pk).update(deadline=moment)


@pytest.fixture
def asked(ask, crew):
    """Three national tasks to Jawa Tengah due in November (one at 23.30 WIB on the 30th), one due
    in December: Jepara did two of November's, declined one; Semarang did one."""
    first = ask(url="https://x.com/KPU_ID/status/1")
    second = ask(url="https://x.com/KPU_ID/status/2")
    third = ask(url="https://x.com/KPU_ID/status/3")
    december = ask(url="https://x.com/KPU_ID/status/4")
    due(first, datetime(2026, 11, 5, 17, tzinfo=WIB))
    due(second, datetime(2026, 11, 20, 17, tzinfo=WIB))
    due(third, datetime(2026, 11, 30, 23, 30, tzinfo=WIB))
    due(december, datetime(2026, 12, 1, 0, 30, tzinfo=WIB))

    def target(task, code):
        return task.targets.get(office__code=code)

    amplification_record(
        actor=crew["jepara_operator"], target=target(first, JEPARA), url=JEPARA_SHARE, shared=True
    )
    amplification_record(
        actor=crew["jepara_operator"],
        target=target(second, JEPARA),
        url="https://x.com/kpujepara/status/2",
        shared=True,
    )
    amplification_decline(
        actor=crew["jepara_operator"], target=target(third, JEPARA), reason="Akun dibekukan"
    )
    amplification_record(
        actor=crew["jepara_operator"],
        target=target(december, JEPARA),
        url="https://x.com/kpujepara/status/4",
        shared=True,
    )
    amplification_record(
        actor=crew["semarang_operator"],
        target=target(first, SEMARANG),
        url="https://x.com/kpusemarang/status/1",
        shared=True,
    )
    return first


def test_each_office_has_its_share_of_tasks_done_in_the_period(asked, crew, offices):
    report = compliance_report(actor=crew["jateng_editor"], office=offices[JATENG], start=START, end=END)

    rows = {row.office.code: row for row in report.rows}
    assert (rows[JEPARA].amplification_asked, rows[JEPARA].amplification_done) == (3, 2)
    assert rows[JEPARA].amplification_share == pytest.approx(200 / 3)
    assert (rows[SEMARANG].amplification_asked, rows[SEMARANG].amplification_done) == (3, 1)
    assert (rows[KUDUS].amplification_asked, rows[KUDUS].amplification_done) == (3, 0)
    assert rows[KUDUS].amplification_share == 0.0


def test_an_office_asked_nothing_has_no_share(crew, offices, accounts):
    report = compliance_report(actor=crew["jateng_editor"], office=offices[JATENG], start=START, end=END)

    assert {row.amplification_share for row in report.rows} == {None}


def test_the_page_explains_it_and_the_exports_carry_it(asked, client, crew):
    client.force_login(crew["jateng_editor"])

    page = client.get(f"/app/jateng/koordinasi/keaktifan/{QUERY}").content.decode()
    assert (
        "Tugas amplifikasi: dari tugas amplifikasi yang diminta kepada kantor itu dengan tenggat dalam periode ini"
        in page
    )
    assert "2 dari 3 (67 %)" in page

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/app/jateng/koordinasi/keaktifan.csv{QUERY}").content.decode("utf-8-sig")
            )
        )
    )
    head = rows[0]
    jepara = next(row for row in rows if row[1] == JEPARA)
    at = head.index("Tugas amplifikasi selesai (%)")
    assert head[at - 2 : at + 1] == [
        "Tugas amplifikasi diminta",
        "Tugas amplifikasi selesai",
        "Tugas amplifikasi selesai (%)",
    ]
    assert jepara[at - 2 : at + 1] == ["3", "2", "66.7"]

    book = load_workbook(io.BytesIO(client.get(f"/app/jateng/koordinasi/keaktifan.xlsx{QUERY}").content))
    sheet = book.active
    header = [cell.value for cell in sheet[4]]
    column = header.index("Tugas amplifikasi selesai (%)")
    values = {row[1].value: row[column].value for row in sheet.iter_rows(min_row=5)}
    assert values[JEPARA] == 66.7 and values["33.01"] == 0
