"""#18 amplification tasks in the back office: the "Minta kantor di bawah membagikan" button on a
published post, the ask form (bad input answered on the form, nothing created), the office's list
"Tugas amplifikasi" with its link, one-click button, record and decline forms, one task's page,
the board and its CSV, the calendar's link, and who may open what."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from humas.coordination.amplification import amplification_decline, amplification_record
from humas.coordination.models import AmplificationTarget, AmplificationTask
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import portal_channel_ensure

from .amplification_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    JEPARA_SHARE,
    NATIONAL_URL,
    SEMARANG,
    accounts,
    ask,
    portal_source,
)
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

Status = AmplificationTarget.Status
Scope = AmplificationTask.Scope
BUTTON = "Minta kantor di bawah membagikan"


def signed_in(client, user):
    client.force_login(user)
    return client


def local_deadline(days: int = 2) -> str:
    moment = timezone.localtime(timezone.now() + timedelta(days=days), timezone.get_fixed_timezone(7 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M")


def target_of(task: AmplificationTask, code: str) -> AmplificationTarget:
    return task.targets.get(office__code=code)


# --------------------------------------------------------------------------------------------
# Asking


def test_a_published_national_post_offers_the_ask_to_its_approvers(
    client, crew, portal_source, national_post
):
    post = portal_source.post

    page = signed_in(client, crew["ri_editor"]).get(f"/app/ri/content/{post.pk}/").content.decode()
    assert BUTTON in page and f'href="/app/ri/amplifikasi/baru/?unggahan={post.pk}"' in page

    client.force_login(crew["ri_operator"])
    assert BUTTON not in client.get(f"/app/ri/content/{post.pk}/").content.decode()
    approved = national_post()  # approved, not published: nothing to amplify yet
    client.force_login(crew["ri_editor"])
    assert BUTTON not in client.get(f"/app/ri/content/{approved.pk}/").content.decode()


def test_the_form_offers_the_posts_public_urls_and_asks_the_offices(client, crew, portal_source):
    post = portal_source.post
    delivery = Delivery.objects.get(publication__post=post)
    signed_in(client, crew["ri_editor"])

    page = client.get(f"/app/ri/amplifikasi/baru/?unggahan={post.pk}").content.decode()
    assert portal_source.url in page and f'value="{delivery.pk}"' in page

    response = client.post(
        "/app/ri/amplifikasi/baru/",
        {
            "unggahan": post.pk,
            "sumber": str(delivery.pk),
            "ask_share": "on",
            "instructions": "Bagikan dengan tagar #CekDPT",
            "scope": "province",
            "province": crew["jateng_editor"].memberships.get().office_id,
            "deadline": local_deadline(),
        },
    )

    task = AmplificationTask.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/ri/amplifikasi/{task.pk}/"
    assert (task.source_post, task.url, task.targets.count()) == (post, portal_source.url, 36)
    board = client.get(response["Location"]).content.decode()
    assert "Diminta ke 36 kantor." in board and "Bagikan dengan tagar #CekDPT" in board


def test_a_url_pasted_is_asked_without_a_post(client, crew, accounts):
    signed_in(client, crew["ri_editor"])

    response = client.post(
        "/app/ri/amplifikasi/baru/",
        {"tautan": NATIONAL_URL, "ask_interact": "on", "scope": "below", "deadline": local_deadline()},
    )

    task = AmplificationTask.objects.get()
    assert response.status_code == 302
    assert (task.url, task.ask_share, task.ask_interact, task.account) == (
        NATIONAL_URL,
        False,
        True,
        accounts["ri"],
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"tautan": "https://x.com/akun_palsu/status/1"},
            "Tautan itu unggahan akun @akun_palsu di X, yang bukan akun resmi kantor KPU mana pun di Humas.",
        ),
        ({"tautan": ""}, "Tempel tautan unggahan akun resmi yang diamplifikasi."),
        ({"ask_share": ""}, "Pilih yang diminta: bagikan ulang, interaksi, atau keduanya."),
        ({"deadline": "2020-01-01T09:00"}, "Tenggat 01-01-2020 09.00 WIB sudah lewat."),
        ({"scope": "chosen"}, "Pilih setidaknya satu kantor tujuan."),
        ({"scope": "province"}, "Pilih provinsinya."),
        ({"deadline": "besok"}, "Masukkan tanggal/waktu yang valid."),
    ],
)
def test_bad_input_is_answered_on_the_form_and_nothing_is_created(client, crew, accounts, fields, message):
    data = {
        "tautan": NATIONAL_URL,
        "ask_share": "on",
        "scope": "below",
        "deadline": local_deadline(),
        **fields,
    }
    data = {key: value for key, value in data.items() if value != ""}

    response = signed_in(client, crew["ri_editor"]).post("/app/ri/amplifikasi/baru/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AmplificationTask.objects.exists()


def test_only_a_national_or_provincial_offices_approvers_open_the_form(client, crew):
    assert signed_in(client, crew["ri_operator"]).get("/app/ri/amplifikasi/baru/").status_code == 403
    response = signed_in(client, crew["jepara_editor"]).get("/app/kab-jepara/amplifikasi/baru/")
    assert response.status_code == 302 and response["Location"] == "/app/kab-jepara/amplifikasi/"
    assert signed_in(client, crew["jateng_editor"]).get("/app/jateng/amplifikasi/baru/").status_code == 200


def test_a_post_of_another_office_is_not_found(client, crew, portal_source):
    signed_in(client, crew["jateng_editor"])

    assert client.get(f"/app/jateng/amplifikasi/baru/?unggahan={portal_source.post.pk}").status_code == 404


# --------------------------------------------------------------------------------------------
# The receiving office


def test_the_list_shows_each_task_with_its_link_and_answers(client, crew, ask):
    task = ask(instructions="Sertakan #PemiluDamai")
    target = target_of(task, JEPARA)

    page = signed_in(client, crew["jepara_operator"]).get("/app/kab-jepara/amplifikasi/").content.decode()

    assert "KPU Republik Indonesia: Bagikan ulang" in page
    assert f'href="{NATIONAL_URL}"' in page and ">Buka tautannya</a>" in page
    assert "Sertakan #PemiluDamai" in page
    assert f'action="/app/kab-jepara/amplifikasi/tugas/{target.pk}/catat/"' in page
    assert f'action="/app/kab-jepara/amplifikasi/tugas/{target.pk}/tolak/"' in page
    assert "Bagikan lewat" not in page  # a pasted URL: shared on the platform, then recorded
    client.force_login(crew["jepara_viewer"])
    viewer = client.get("/app/kab-jepara/amplifikasi/").content.decode()
    assert (
        ">Buka tautannya</a>" not in viewer and "/catat/" not in viewer and "KPU Republik Indonesia" in viewer
    )


def test_the_calendar_links_to_the_list(client, crew):
    page = signed_in(client, crew["jepara_operator"]).get("/app/kab-jepara/kalender/").content.decode()

    assert 'href="/app/kab-jepara/amplifikasi/"' in page and "Tugas amplifikasi" in page


def test_recording_through_the_page_and_a_wrong_account_answered_on_it(client, crew, ask):
    target = target_of(ask(), JEPARA)
    signed_in(client, crew["jepara_operator"])

    refused = client.post(
        f"/app/kab-jepara/amplifikasi/tugas/{target.pk}/catat/",
        {"url": "https://x.com/kpusemarang/status/9", "shared": "on"},
    )
    assert refused.status_code == 400
    assert (
        "Tautan itu unggahan @kpusemarang, bukan akun resmi KPU Kabupaten Jepara di X (@kpujepara)."
        in refused.content.decode()
    )

    done = client.post(
        f"/app/kab-jepara/amplifikasi/tugas/{target.pk}/catat/", {"url": JEPARA_SHARE, "shared": "on"}
    )
    assert done.status_code == 302 and done["Location"] == "/app/kab-jepara/amplifikasi/"
    target.refresh_from_db()
    assert (target.status, target.result_url) == (Status.DONE, JEPARA_SHARE)
    page = client.get(f"/app/kab-jepara/amplifikasi/tugas/{target.pk}/").content.decode()
    assert "Dicatat Operator Jepara" in page and JEPARA_SHARE in page and "/catat/" not in page


def test_declining_through_the_page(client, crew, ask):
    target = target_of(ask(), SEMARANG)
    signed_in(client, crew["semarang_operator"])

    refused = client.post(f"/app/kota-semarang/amplifikasi/tugas/{target.pk}/tolak/", {"reason": ""})
    assert refused.status_code == 400 and "Tuliskan alasan menolak tugas ini." in refused.content.decode()

    done = client.post(
        f"/app/kota-semarang/amplifikasi/tugas/{target.pk}/tolak/", {"reason": "Akun X kami dibekukan."}
    )
    assert done.status_code == 302
    target.refresh_from_db()
    assert (target.status, target.decline_reason) == (Status.DECLINED, "Akun X kami dibekukan.")


def test_sharing_in_one_click_through_the_page(
    client, crew, ask, offices, portal_source, django_capture_on_commit_callbacks
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=portal_source)
    target = target_of(task, JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])
    signed_in(client, crew["jepara_operator"])
    page = client.get("/app/kab-jepara/amplifikasi/").content.decode()
    assert f'<input type="hidden" name="channel" value="{portal.pk}">' in page
    assert "Bagikan lewat Portal Humas: KPU Kabupaten Jepara" in page
    assert not Post.objects.filter(office=offices[JEPARA]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/app/kab-jepara/amplifikasi/tugas/{target.pk}/bagikan/", {"channel": portal.pk}
        )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.DONE and "/kab-jepara/" in target.result_url
    assert "Dibagikan lewat Humas" in client.get(response["Location"]).content.decode()


def test_another_offices_task_is_not_found_and_a_sibling_is_refused(client, crew, ask):
    task = ask()
    semarang = target_of(task, SEMARANG)
    jepara = target_of(task, JEPARA)
    signed_in(client, crew["jepara_operator"])

    assert client.get(f"/app/kab-jepara/amplifikasi/tugas/{semarang.pk}/").status_code == 404
    assert (
        client.post(f"/app/kab-jepara/amplifikasi/tugas/{semarang.pk}/tolak/", {"reason": "x"}).status_code
        == 404
    )
    assert client.get(f"/app/kota-semarang/amplifikasi/tugas/{semarang.pk}/").status_code == 403
    client.force_login(crew["jepara_viewer"])
    assert client.get(f"/app/kab-jepara/amplifikasi/tugas/{jepara.pk}/").status_code == 200
    assert (
        client.post(f"/app/kab-jepara/amplifikasi/tugas/{jepara.pk}/tolak/", {"reason": "x"}).status_code
        == 403
    )
    jepara.refresh_from_db()
    assert jepara.status == Status.PENDING


# --------------------------------------------------------------------------------------------
# The board


def test_the_board_shows_each_offices_result_and_its_csv(client, crew, ask):
    task = ask()
    amplification_record(
        actor=crew["jepara_operator"], target=target_of(task, JEPARA), url=JEPARA_SHARE, shared=True
    )
    amplification_decline(
        actor=crew["semarang_operator"], target=target_of(task, SEMARANG), reason="=SUM(A1)"
    )
    signed_in(client, crew["ri_editor"])

    page = client.get(f"/app/ri/amplifikasi/{task.pk}/").content.decode()
    assert "Papan tugas amplifikasi" in page and f'href="{JEPARA_SHARE}"' in page
    assert "Selesai (3 %)" in page and "=SUM(A1)" in page

    response = client.get(f"/app/ri/amplifikasi/{task.pk}/csv/?status=declined")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Kode", "Kantor", "Provinsi", "Status"]
    assert rows[1][:4] == ["33.74", "KPU Kota Semarang", "KPU Provinsi Jawa Tengah", "Ditolak"]
    assert rows[1][9] == "'=SUM(A1)"
    done = list(
        csv.reader(
            io.StringIO(
                client.get(f"/app/ri/amplifikasi/{task.pk}/csv/?status=done").content.decode("utf-8-sig")
            )
        )
    )
    assert done[1][4:9] == ["ya", "tidak", JEPARA_SHARE, "Operator Jepara", done[1][8]]
    assert done[1][8].endswith(" WIB")


def test_a_province_sees_its_part_read_only_and_a_regency_of_another_province_nothing(client, crew, ask):
    task = ask()

    page = (
        signed_in(client, crew["jateng_editor"]).get(f"/app/jateng/amplifikasi/{task.pk}/").content.decode()
    )
    assert "Bagian KPU Provinsi Jawa Tengah" in page and "KPU Kabupaten Jepara" in page

    assert (
        signed_in(client, crew["surabaya_operator"])
        .get(f"/app/kota-surabaya/amplifikasi/{task.pk}/")
        .status_code
        == 404
    )
    assert client.get(f"/app/ri/amplifikasi/{task.pk}/").status_code == 403
    assert (
        signed_in(client, crew["jatim_editor"]).get(f"/app/jatim/amplifikasi/{task.pk}/").status_code == 404
    )


def test_the_lists_of_ri_and_of_a_province(client, crew, ask):
    task = ask()

    page = signed_in(client, crew["ri_viewer"]).get("/app/ri/amplifikasi/").content.decode()
    assert f'href="/app/ri/amplifikasi/{task.pk}/"' in page and "0 dari 36 kantor selesai" in page
    assert "Minta membagikan tautan" not in page  # a viewer does not ask

    page = signed_in(client, crew["jateng_editor"]).get("/app/jateng/amplifikasi/").content.decode()
    assert (
        "Dari kantor atasan ke wilayah ini" in page and f'href="/app/jateng/amplifikasi/{task.pk}/"' in page
    )
    assert "Minta membagikan tautan" in page and "Untuk kantor ini" in page


def test_the_list_reads_a_fixed_number_of_queries_however_many_tasks(client, crew, ask):
    ask(url="https://x.com/KPU_ID/status/100")
    signed_in(client, crew["jepara_operator"])
    client.get("/app/kab-jepara/amplifikasi/")  # the portal channel made on first use
    with CaptureQueriesContext(connection) as one:
        assert client.get("/app/kab-jepara/amplifikasi/").status_code == 200
    for number in range(101, 106):
        ask(url=f"https://x.com/KPU_ID/status/{number}")

    with CaptureQueriesContext(connection) as six:
        page = client.get("/app/kab-jepara/amplifikasi/").content.decode()

    assert page.count("Catat hasil") == 6
    assert len(six.captured_queries) == len(one.captured_queries)
