"""#18 cascades in the back office: the "Teruskan ke kantor di bawah" button, the send form (bad
input answered on the form, nothing created), its preview, the queue "Dari kantor atasan" and
the answers, the board, the auto-publish setting, and who may open what."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.coordination.cascades import cascade_adopt
from humas.coordination.models import Cascade, CascadeAutoPublish, CascadeTarget
from humas.publishing.models import Post
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import post_create

from .cascade_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    MAKASSAR,
    RI,
    SEMARANG,
    SURABAYA,
    crew,
    national_article,
    national_post,
    send,
)

pytestmark = pytest.mark.django_db

Status = CascadeTarget.Status
BUTTON = "Teruskan ke kantor di bawah"


def signed_in(client, user):
    client.force_login(user)
    return client


def local_deadline(days: int = 2) -> str:
    moment = timezone.localtime(timezone.now() + timedelta(days=days), timezone.get_fixed_timezone(7 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M")


def target_of(cascade: Cascade, code: str) -> CascadeTarget:
    return cascade.targets.get(office__code=code)


# --------------------------------------------------------------------------------------------
# The button on the source's page


def test_the_post_page_offers_to_cascade_an_approved_national_post_to_its_approvers(
    client, crew, national_post
):
    post = national_post()

    page = signed_in(client, crew["ri_editor"]).get(f"/app/ri/content/{post.pk}/").content.decode()

    assert BUTTON in page and f'href="/app/ri/teruskan/baru/?unggahan={post.pk}"' in page
    client.force_login(crew["ri_operator"])
    assert BUTTON not in client.get(f"/app/ri/content/{post.pk}/").content.decode()


def test_a_draft_or_a_regencys_post_has_no_cascade_button(client, crew, offices):
    draft = post_create(actor=crew["ri_operator"], office=offices[RI], text="Draf pengumuman.")
    page = signed_in(client, crew["ri_editor"]).get(f"/app/ri/content/{draft.pk}/").content.decode()
    assert BUTTON not in page

    own = post_create(actor=crew["jepara_operator"], office=offices[JEPARA], text="Coklit di Jepara.")
    Post.objects.filter(pk=own.pk).update(status=Post.Status.APPROVED, approved_by=crew["jepara_editor"])
    client.force_login(crew["jepara_editor"])
    assert BUTTON not in client.get(f"/app/kab-jepara/content/{own.pk}/").content.decode()


def test_a_published_article_page_offers_the_cascade(client, crew, national_article):
    article = national_article()

    page = signed_in(client, crew["ri_editor"]).get(f"/app/ri/portal/{article.pk}/").content.decode()

    assert f'href="/app/ri/teruskan/baru/?artikel={article.pk}"' in page


# --------------------------------------------------------------------------------------------
# Sending


def test_the_send_form_starts_from_the_sources_text_and_lists_the_offices_by_province(
    client, crew, national_post
):
    post = national_post()

    response = signed_in(client, crew["ri_editor"]).get(f"/app/ri/teruskan/baru/?unggahan={post.pk}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Cek DPT online di cekdptonline.kpu.go.id" in page
    assert "<code>{nama_kantor}</code>" in page
    assert page.count('name="offices"') == 552
    assert "KPU Provinsi Jawa Tengah" in page and "<summary>KPU Provinsi Aceh" not in page
    # The preview shows the text as the first office below receives it.
    assert "Seperti yang diterima KIP Aceh:" in page


def test_sending_to_one_province_creates_the_cascade_and_opens_its_board(
    client, crew, offices, national_post
):
    post = national_post()

    response = signed_in(client, crew["ri_editor"]).post(
        "/app/ri/teruskan/baru/",
        {
            "unggahan": post.pk,
            "scope": "province",
            "province": offices[JATENG].pk,
            "text": post.text,
            "deadline": local_deadline(),
        },
    )

    cascade = Cascade.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/app/ri/teruskan/{cascade.pk}/"
    assert cascade.targets.count() == 36
    board = client.get(response["Location"]).content.decode()
    assert "Diteruskan ke 36 kantor." in board
    assert "KPU Kabupaten Jepara" in board and "Menunggu" in board


def test_sending_to_chosen_offices(client, crew, offices, national_post):
    post = national_post()

    signed_in(client, crew["ri_editor"]).post(
        "/app/ri/teruskan/baru/",
        {
            "unggahan": post.pk,
            "scope": "chosen",
            "offices": [offices[JEPARA].pk, offices[MAKASSAR].pk],
            "text": post.text,
            "deadline": local_deadline(),
        },
    )

    assert set(Cascade.objects.get().targets.values_list("office__code", flat=True)) == {JEPARA, MAKASSAR}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "Info {nama} di {url_portal}"}, "Kolom isian {nama} tidak dikenal."),
        ({"deadline": "2020-01-01T09:00"}, "Tenggat 01-01-2020 09.00 WIB sudah lewat."),
        ({"scope": "chosen"}, "Pilih setidaknya satu kantor tujuan."),
        ({"scope": "province"}, "Pilih provinsinya."),
        ({"scope": "sideways"}, "Pilih cakupan kantor tujuan."),
        ({"scope": "chosen", "offices": ["x"]}, "Pilih kantor dari daftar."),
        ({"deadline": "besok"}, "Masukkan tanggal/waktu yang valid."),
    ],
)
def test_bad_input_is_answered_on_the_form_and_nothing_is_created(
    client, crew, national_post, fields, message
):
    post = national_post()
    data = {"unggahan": post.pk, "scope": "below", "text": post.text, "deadline": local_deadline(), **fields}

    response = signed_in(client, crew["ri_editor"]).post("/app/ri/teruskan/baru/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Cascade.objects.exists()


def test_an_office_outside_reach_cannot_be_chosen(client, crew, offices, national_post):
    from .test_cascade_send import own_post

    post = own_post(crew, JATENG)

    response = signed_in(client, crew["jateng_editor"]).post(
        "/app/jateng/teruskan/baru/",
        {
            "unggahan": post.pk,
            "scope": "chosen",
            "offices": [offices[SURABAYA].pk],
            "text": post.text,
            "deadline": local_deadline(),
        },
    )

    assert response.status_code == 400
    assert "Kantor itu berada di luar jangkauan kantor ini: hanya kantor di bawahnya yang dapat dituju." in (
        response.content.decode()
    )
    assert not Cascade.objects.exists()


def test_the_preview_button_shows_the_text_for_the_chosen_office_without_sending(
    client, crew, offices, national_post
):
    post = national_post()

    response = signed_in(client, crew["ri_editor"]).post(
        "/app/ri/teruskan/baru/",
        {
            "unggahan": post.pk,
            "scope": "below",
            "text": "Salam dari {nama_kantor}. Hubungi {kontak}.",
            "deadline": local_deadline(),
            "preview_office": offices[SEMARANG].pk,
            "pratinjau": "1",
        },
    )

    page = response.content.decode()
    assert "Salam dari KPU Kota Semarang. Hubungi ." in page
    assert "KPU Kota Semarang belum punya isi untuk: {kontak}" in page
    assert not Cascade.objects.exists()


def test_the_live_preview_answers_a_fragment(client, crew, offices):
    response = signed_in(client, crew["ri_editor"]).post(
        "/app/ri/teruskan/pratinjau/",
        {"text": "Ikuti {akun_resmi} dan {alamat}", "preview_office": offices[JEPARA].pk},
    )

    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Kolom isian tidak dikenal: {alamat}." in page
    assert "Seperti yang diterima KPU Kabupaten Jepara:" in page


def test_who_may_open_the_send_form(client, crew, national_post, offices):
    post = national_post()

    assert (
        signed_in(client, crew["ri_operator"]).get(f"/app/ri/teruskan/baru/?unggahan={post.pk}").status_code
        == 403
    )
    assert (
        signed_in(client, crew["jepara_editor"]).get(f"/app/ri/teruskan/baru/?unggahan={post.pk}").status_code
        == 403
    )
    client.force_login(crew["ri_editor"])
    assert client.get("/app/ri/teruskan/baru/").status_code == 404
    assert client.get("/app/ri/teruskan/baru/?unggahan=abc").status_code == 404
    other = post_create(actor=crew["jepara_operator"], office=offices[JEPARA], text="Milik Jepara.")
    assert client.get(f"/app/ri/teruskan/baru/?unggahan={other.pk}").status_code == 404


# --------------------------------------------------------------------------------------------
# The receiving office


def test_the_queue_and_an_item_show_the_text_for_the_office(client, crew, send, offices):
    cascade = send()
    target = target_of(cascade, JEPARA)

    queue = signed_in(client, crew["jepara_operator"]).get("/app/kab-jepara/dari-atasan/").content.decode()
    assert f'href="/app/kab-jepara/dari-atasan/{target.pk}/"' in queue and "Menunggu" in queue

    page = client.get(f"/app/kab-jepara/dari-atasan/{target.pk}/").content.decode()
    assert "Info KPU Kabupaten Jepara:" in page
    assert "Adopsi dan terbitkan" in page and "Adaptasi dulu" in page and "Alasan menolak" in page
    assert "Portal Humas" in page


def test_the_konten_page_links_to_the_queue_and_the_cascades(client, crew):
    page = signed_in(client, crew["jepara_operator"]).get("/app/kab-jepara/content/").content.decode()
    assert 'href="/app/kab-jepara/dari-atasan/"' in page and "/teruskan/" not in page

    client.force_login(crew["ri_editor"])
    page = client.get("/app/ri/content/").content.decode()
    assert 'href="/app/ri/teruskan/"' in page and "dari-atasan" not in page


def test_adopting_from_the_page_publishes_and_opens_the_post(
    client, crew, send, offices, django_capture_on_commit_callbacks
):
    cascade = send()
    target = target_of(cascade, JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, crew["jepara_operator"]).post(
            f"/app/kab-jepara/dari-atasan/{target.pk}/adopsi/", {"channels": [portal.pk]}
        )

    target.refresh_from_db()
    assert target.status == Status.ADOPTED
    assert (
        response.status_code == 302 and response["Location"] == f"/app/kab-jepara/content/{target.post_id}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert "Diadopsi dan mulai diterbitkan" in page


def test_adopting_without_a_channel_says_so(client, crew, send):
    target = target_of(send(), JEPARA)

    response = signed_in(client, crew["jepara_operator"]).post(
        f"/app/kab-jepara/dari-atasan/{target.pk}/adopsi/", {}
    )

    assert response.status_code == 302
    assert (
        "Pilih setidaknya satu kanal untuk menerbitkannya."
        in client.get(response["Location"]).content.decode()
    )
    target.refresh_from_db()
    assert target.status == Status.PENDING


def test_adapting_opens_the_draft_to_edit(client, crew, send):
    target = target_of(send(), JEPARA)

    response = signed_in(client, crew["jepara_operator"]).post(
        f"/app/kab-jepara/dari-atasan/{target.pk}/adaptasi/"
    )

    target.refresh_from_db()
    assert target.status == Status.ADAPTED
    assert response["Location"] == f"/app/kab-jepara/content/{target.post_id}/edit/"


def test_declining_needs_a_reason_and_the_sender_reads_it(client, crew, send):
    cascade = send()
    target = target_of(cascade, SEMARANG)
    client.force_login(crew["semarang_operator"])

    refused = client.post(f"/app/kota-semarang/dari-atasan/{target.pk}/tolak/", {"reason": ""})
    assert refused.status_code == 400 and "Tuliskan alasan menolak konten ini." in refused.content.decode()

    done = client.post(f"/app/kota-semarang/dari-atasan/{target.pk}/tolak/", {"reason": "Sudah kami unggah."})
    assert done.status_code == 302 and done["Location"] == "/app/kota-semarang/dari-atasan/"

    client.force_login(crew["ri_editor"])
    board = client.get(f"/app/ri/teruskan/{cascade.pk}/?status=declined").content.decode()
    assert (
        "Sudah kami unggah." in board and "KPU Kota Semarang" in board and "KPU Kabupaten Jepara" not in board
    )


def test_an_item_of_another_office_is_not_found_and_a_sibling_is_refused(client, crew, send):
    cascade = send()
    semarang = target_of(cascade, SEMARANG)
    jepara = target_of(cascade, JEPARA)
    client.force_login(crew["jepara_operator"])

    assert client.get(f"/app/kab-jepara/dari-atasan/{semarang.pk}/").status_code == 404
    assert (
        client.post(f"/app/kab-jepara/dari-atasan/{semarang.pk}/tolak/", {"reason": "x"}).status_code == 404
    )
    assert client.get(f"/app/kota-semarang/dari-atasan/{semarang.pk}/").status_code == 403
    client.force_login(crew["jepara_viewer"])
    assert client.get(f"/app/kab-jepara/dari-atasan/{jepara.pk}/").status_code == 200
    assert client.post(f"/app/kab-jepara/dari-atasan/{jepara.pk}/tolak/", {"reason": "x"}).status_code == 403
    jepara.refresh_from_db()
    assert jepara.status == Status.PENDING


def test_a_decided_item_says_who_decided(client, crew, send, offices):
    target = target_of(send(), JEPARA)
    cascade_adopt(
        actor=crew["jepara_operator"], target=target, channels=[portal_channel_ensure(office=offices[JEPARA])]
    )

    page = (
        signed_in(client, crew["jepara_editor"])
        .get(f"/app/kab-jepara/dari-atasan/{target.pk}/")
        .content.decode()
    )

    assert "Diadopsi oleh Operator Jepara" in page and "Adopsi dan terbitkan" not in page


# --------------------------------------------------------------------------------------------
# The board and the lists


def test_a_province_sees_its_part_read_only_and_a_regency_of_another_province_nothing(client, crew, send):
    cascade = send()

    page = (
        signed_in(client, crew["jateng_editor"]).get(f"/app/jateng/teruskan/{cascade.pk}/").content.decode()
    )
    assert "Bagian KPU Provinsi Jawa Tengah" in page and "KPU Kabupaten Jepara" in page

    assert (
        signed_in(client, crew["surabaya_operator"])
        .get(f"/app/kota-surabaya/teruskan/{cascade.pk}/")
        .status_code
        == 404
    )
    assert client.get(f"/app/ri/teruskan/{cascade.pk}/").status_code == 403
    assert (
        signed_in(client, crew["jatim_editor"]).get(f"/app/jatim/teruskan/{cascade.pk}/").status_code == 404
    )


def test_the_list_of_cascades_of_ri_and_of_a_province(client, crew, send):
    cascade = send()

    page = signed_in(client, crew["ri_viewer"]).get("/app/ri/teruskan/").content.decode()
    assert f'href="/app/ri/teruskan/{cascade.pk}/"' in page and "0 dari 36 kantor memutuskan" in page

    page = signed_in(client, crew["jateng_editor"]).get("/app/jateng/teruskan/").content.decode()
    assert (
        "Dari kantor atasan ke wilayah ini" in page and f'href="/app/jateng/teruskan/{cascade.pk}/"' in page
    )


def test_the_board_filter_form_and_csv_link_keep_the_query(client, crew, send):
    cascade = send()

    page = (
        signed_in(client, crew["ri_editor"])
        .get(f"/app/ri/teruskan/{cascade.pk}/?status=pending&urut=status")
        .content.decode()
    )

    assert f'href="/app/ri/teruskan/{cascade.pk}/csv/?status=pending&amp;urut=status"' in page
    assert '<option value="pending" selected>' in page


# --------------------------------------------------------------------------------------------
# Auto-publish under Pengaturan


def test_an_administrator_switches_auto_publish_on_and_off(client, crew, offices):
    portal = portal_channel_ensure(office=offices[JEPARA])
    client.force_login(crew["jepara_admin"])

    assert (
        "Terbit otomatis konten dari kantor atasan"
        in client.get("/app/kab-jepara/settings/").content.decode()
    )
    response = client.post("/app/kab-jepara/pengaturan/terbit-otomatis/", {"channels": [portal.pk]})
    assert response.status_code == 302
    assert list(CascadeAutoPublish.objects.get(office=offices[JEPARA]).channels.all()) == [portal]

    client.post("/app/kab-jepara/pengaturan/terbit-otomatis/", {})
    assert not CascadeAutoPublish.objects.exists()


def test_others_read_the_setting_without_its_form_and_ri_has_none(client, crew, offices):
    page = signed_in(client, crew["jepara_operator"]).get("/app/kab-jepara/pengaturan/terbit-otomatis/")
    assert page.status_code == 200 and "Hanya Administrator kantor ini" in page.content.decode()
    assert client.post("/app/kab-jepara/pengaturan/terbit-otomatis/", {}).status_code == 403

    client.force_login(crew["ri_admin"])
    assert client.get("/app/ri/pengaturan/terbit-otomatis/").status_code == 404
    assert "terbit-otomatis" not in client.get("/app/ri/settings/").content.decode()


def test_a_receiving_office_cannot_edit_the_source(client, crew, send):
    cascade = send()
    source = cascade.source_post
    client.force_login(crew["jepara_editor"])

    assert client.get(f"/app/ri/content/{source.pk}/edit/").status_code == 403
    assert client.post(f"/app/ri/content/{source.pk}/edit/", {"text": "Diubah."}).status_code == 403
    assert client.get(f"/app/kab-jepara/content/{source.pk}/edit/").status_code == 404
    source.refresh_from_db()
    assert source.text == cascade.text


def test_the_item_says_when_a_scheduled_source_will_go_out(client, crew, send, national_post):
    later = timezone.now() + timedelta(days=1)
    target = target_of(send(source=national_post(scheduled_at=later)), JEPARA)

    page = (
        signed_in(client, crew["jepara_operator"])
        .get(f"/app/kab-jepara/dari-atasan/{target.pk}/")
        .content.decode()
    )

    assert "Terbit apa adanya pada" in page and "sesuai jadwal KPU Republik Indonesia" in page


def test_the_queue_links_to_the_auto_publish_setting_only_where_there_is_one(client, crew):
    page = signed_in(client, crew["jepara_admin"]).get("/app/kab-jepara/dari-atasan/").content.decode()
    assert 'href="/app/kab-jepara/pengaturan/terbit-otomatis/"' in page

    client.force_login(crew["ri_admin"])
    assert "terbit-otomatis" not in client.get("/app/ri/dari-atasan/").content.decode()
