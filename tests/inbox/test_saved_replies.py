"""Saved replies (humas/inbox): written by an office's approvers, used by it and every office below
it with the using office's details filled in, suggested for a message by the text engine, and
the page that lists them, tries a message and manages them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.demo.seed import DEMO_SAVED_REPLIES, demo_saved_replies
from humas.inbox.models import SavedReply
from humas.inbox.placeholders import placeholders_fill
from humas.inbox.selectors import saved_replies_filled, saved_replies_usable
from humas.inbox.services import (
    InboxError,
    saved_reply_archive,
    saved_reply_create,
    saved_reply_restore,
    saved_reply_update,
)
from humas.inbox.suggest import suggest_replies
from humas.offices.policy import PolicyDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(offices, member):
    """KPU RI's two answers, Jawa Tengah's one, Cilacap's (a sibling of Jepara) one."""
    national = member("00", "admin", email="admin.ri@kpu.test")
    province = member("33", "editor", email="editor.jateng@kpu.test")
    sibling = member("33.01", "admin", email="admin.cilacap@kpu.test")
    return {
        "dpt": saved_reply_create(
            actor=national,
            office=offices["00"],
            title="Cek DPT",
            keywords="dpt, daftar pemilih, terdaftar, nik",
            body="Cek di cekdptonline.kpu.go.id dengan NIK. Belum terdaftar? Hubungi {kantor} di {telepon}.",
        ),
        "tps": saved_reply_create(
            actor=national,
            office=offices["00"],
            title="Lokasi TPS",
            keywords="tps, lokasi, tempat pemungutan suara, coblos",
            body="Lokasi TPS ada di surat pemberitahuan dari KPPS. Tanya {kantor}.",
        ),
        "kpps": saved_reply_create(
            actor=province,
            office=offices["33"],
            title="Rekrutmen KPPS",
            keywords="kpps, rekrutmen, pendaftaran",
            body="Pendaftaran KPPS dibuka di PPS desa/kelurahan; syaratnya di {situs}.",
        ),
        "cilacap": saved_reply_create(
            actor=sibling,
            office=offices["33.01"],
            title="Banjir di Cilacap",
            keywords="banjir, tps",
            body="TPS di daerah banjir dipindahkan.",
        ),
    }


def test_an_office_uses_its_own_answers_and_those_above_it_never_a_siblings(offices, member, written):
    operator = member("33.20", "operator")
    offices["33.20"].phone = "0291-123"
    offices["33.20"].save()

    usable = saved_replies_filled(actor=operator, office=offices["33.20"])

    # Nearest office first (Jawa Tengah's), then KPU RI's by title; Cilacap's is not Jepara's.
    assert [item.reply.title for item in usable] == ["Rekrutmen KPPS", "Cek DPT", "Lokasi TPS"]
    assert not any(item.own for item in usable)
    dpt = usable[1].filled
    assert dpt.text.endswith("Hubungi KPU Kabupaten Jepara di 0291-123.")
    assert dpt.missing == ()
    # The province's own answer reads with the province's details; a missing one is named.
    kpps = placeholders_fill(written["kpps"].body, offices["33"])
    assert kpps.text == written["kpps"].body and kpps.missing == ("situs",)


def test_the_public_side_and_analysts_do_not_read_them(offices, member, written):
    with pytest.raises(PolicyDenied):
        saved_replies_usable(actor=member("33.20", "analyst"), office=offices["33.20"])
    with pytest.raises(PolicyDenied):  # another province's operator
        saved_replies_usable(actor=member("73", "operator"), office=offices["33.20"])


def test_only_approvers_write_and_every_change_is_audited(offices, member, written):
    with pytest.raises(PolicyDenied):
        saved_reply_create(
            actor=member("33.20", "operator"), office=offices["33.20"], title="X", keywords="", body="Y"
        )
    editor = member("33.20", "editor")
    reply = saved_reply_create(
        actor=editor,
        office=offices["33.20"],
        title="  Jam   layanan ",
        keywords="jam,  buka ,, layanan",
        body="08.00",
    )
    assert (reply.title, reply.keywords) == ("Jam layanan", "jam, buka, layanan")
    with pytest.raises(InboxError, match="sudah punya balasan berjudul"):
        saved_reply_create(actor=editor, office=offices["33.20"], title="jam LAYANAN", keywords="", body="Z")

    saved_reply_update(actor=editor, reply=reply, title="Jam layanan", keywords="jam", body="08.00-16.00 WIB")
    saved_reply_archive(actor=editor, reply=reply)
    # Archived: the title is free again, and the old one cannot come back beside a new one.
    again = saved_reply_create(
        actor=editor, office=offices["33.20"], title="Jam layanan", keywords="", body="Baru"
    )
    with pytest.raises(InboxError):
        saved_reply_restore(actor=editor, reply=reply)
    saved_reply_archive(actor=editor, reply=again)
    saved_reply_restore(actor=editor, reply=reply)

    actions = list(
        AuditEvent.objects.filter(object_id=str(reply.pk), action__startswith="inbox.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "inbox.saved_reply_create",
        "inbox.saved_reply_update",
        "inbox.saved_reply_archive",
        "inbox.saved_reply_restore",
    ]
    # An office's approver does not change the answers of the office above.
    with pytest.raises(PolicyDenied):
        saved_reply_update(actor=editor, reply=written["dpt"], title="Cek DPT", keywords="", body="diubah")


@pytest.mark.parametrize(
    "body",
    ["Hubungi {kantr}.", "Hubungi {kantor} di {nomor_wa}."],
)
def test_an_unknown_placeholder_is_refused_with_its_name(offices, member, body):
    with pytest.raises(InboxError, match="tidak dikenal") as refused:
        saved_reply_create(
            actor=member("33", "admin"), office=offices["33"], title="Kontak", keywords="", body=body
        )
    assert "{kantor}" in str(refused.value)  # the ones that may be used are listed


@pytest.mark.parametrize(
    ("message", "first"),
    [
        ("gmn caranya ngecek sy udh terdaftar di dpt blm?", "Cek DPT"),
        ("Min, TPS saya dimana ya? mau nyoblos", "Lokasi TPS"),
        ("pendaftaran KPPS kapan dibuka kak", "Rekrutmen KPPS"),
    ],
)
def test_the_answer_to_a_question_as_people_write_it_comes_first(offices, member, written, message, first):
    usable = saved_replies_filled(actor=member("33.20", "operator"), office=offices["33.20"])

    found = suggest_replies(message, usable)

    assert found and found[0].usable.reply.title == first
    # An answer that only shares a common word ("daftar" in "pendaftaran KPPS") is not offered.
    assert len(found) == 1
    assert all(s.usable.reply.office_id != offices["33.01"].pk for s in found)


def test_a_message_about_nothing_they_answer_gets_no_suggestion(offices, member, written):
    usable = saved_replies_filled(actor=member("33.20", "operator"), office=offices["33.20"])
    assert suggest_replies("Selamat pagi, semangat terus!", usable) == []
    assert suggest_replies("", usable) == []


def test_the_page_lists_tries_and_manages(client, offices, member, written):
    url = reverse("inbox:saved_replies", kwargs={"office_slug": "kab-jepara"})
    client.force_login(member("33.20", "operator"))

    page = client.get(url, {"pesan": "cek dpt gimana?"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Balasan yang disarankan" in html and "Cocok pada kata: cek, dpt" in html
    assert "Hubungi KPU Kabupaten Jepara di {telepon}." in html  # not filled in: shown as it is
    assert "Profil kantor ini belum mengisi:" in html
    assert "Banjir di Cilacap" not in html
    assert "Tulis balasan baru" not in html  # an operator uses them, approvers write them
    assert (
        client.get(reverse("inbox:saved_reply_new", kwargs={"office_slug": "kab-jepara"})).status_code == 403
    )

    client.force_login(member("33.20", "editor"))
    new = reverse("inbox:saved_reply_new", kwargs={"office_slug": "kab-jepara"})
    refused = client.post(new, {"title": "Kontak", "keywords": "", "body": "WA {nomor}"})
    assert refused.status_code == 200 and "tidak dikenal" in refused.content.decode()
    made = client.post(
        new, {"title": "<script>alert(1)</script>", "keywords": "x", "body": "Hubungi {kantor}."}
    )
    assert made.status_code == 302
    listed = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listed and "<script>alert(1)" not in listed
    reply = SavedReply.objects.get(office=offices["33.20"])
    # An answer from above and a sibling's are not this office's to change.
    for other in (written["dpt"], written["cilacap"]):
        edit = reverse("inbox:saved_reply_edit", kwargs={"office_slug": "kab-jepara", "reply_id": other.pk})
        assert client.get(edit).status_code == 404
    archive = reverse("inbox:saved_reply_archive", kwargs={"office_slug": "kab-jepara", "reply_id": reply.pk})
    assert client.get(archive).status_code == 405
    assert client.post(archive).status_code == 302
    assert SavedReply.objects.get(pk=reply.pk).is_active is False


def test_the_demo_writes_its_answers_once(offices, member):
    member("00", "admin", email="admin@kpu.test")
    member("33", "editor", email="editor.jateng@kpu.test")

    assert demo_saved_replies() == len(DEMO_SAVED_REPLIES)
    assert demo_saved_replies() == 0
    jepara = offices["33.20"]
    jepara.refresh_from_db()
    usable = saved_replies_filled(actor=member("33.20", "operator"), office=jepara)
    assert all(not item.filled.missing for item in usable)  # Jepara's profile has every detail
