"""#18 cascades, sending: who may send what to whom, the rows it makes, the bad input it refuses
(nothing half-created), and the offices it tells."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.coordination.cascades import CascadeError, cascade_create
from humas.coordination.models import Cascade, CascadeTarget
from humas.notifications.models import Notification
from humas.offices.models import Office
from humas.offices.policy import PolicyDenied
from humas.publishing.delivery import publication_withdraw
from humas.publishing.services import post_approve, post_create, post_submit

from .cascade_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    MAKASSAR,
    RI,
    SEMARANG,
    SURABAYA,
    TEXT,
    assisted_channel,
    crew,
    national_article,
    national_post,
    send,
)

pytestmark = pytest.mark.django_db


def codes(cascade: Cascade) -> set[str]:
    return set(cascade.targets.values_list("office__code", flat=True))


def own_post(crew, code: str):
    """An approved post of a provincial or regency office (its Operator writes, its Editor approves)."""
    office = Office.objects.get(code=code)
    prefix = {JATENG: "jateng", JEPARA: "jepara"}[code]
    channel = assisted_channel(office, crew["ri_admin"])
    author = crew[f"{prefix}_operator"]
    post = post_create(actor=author, office=office, text="Rakor humas se-Jawa Tengah.", channels=[channel])
    post_submit(actor=author, post=post)
    return post_approve(actor=crew[f"{prefix}_editor"], post=post)


def test_a_national_cascade_to_one_province_reaches_the_province_and_its_35_regencies(crew, offices, send):
    cascade = send()

    expected = {JATENG} | {o.code for o in offices.values() if o.parent_id == offices[JATENG].pk}
    assert codes(cascade) == expected
    assert len(expected) == 36
    assert set(cascade.targets.values_list("status", flat=True)) == {CascadeTarget.Status.PENDING}
    assert (cascade.scope, cascade.province, cascade.text) == (Cascade.Scope.PROVINCE, offices[JATENG], TEXT)
    event = AuditEvent.objects.get(action="cascade.create")
    assert (event.actor, event.office_id, event.object_id) == (
        crew["ri_editor"],
        offices[RI].pk,
        str(cascade.pk),
    )
    assert event.changes["targets"] == 36 and event.changes["province"] == "KPU Provinsi Jawa Tengah"


def test_a_national_cascade_to_all_offices_below_reaches_552_offices(send, offices):
    cascade = send(Cascade.Scope.BELOW)

    assert cascade.targets.count() == 552
    levels = set(cascade.targets.values_list("office__level", flat=True))
    assert levels == {Office.Level.PROVINSI, Office.Level.KABKOTA}
    assert not cascade.targets.filter(office__code=RI).exists()


def test_a_province_cascades_its_own_post_to_its_regencies(crew, offices):
    cascade = cascade_create(
        actor=crew["jateng_editor"],
        office=offices[JATENG],
        source=own_post(crew, JATENG),
        scope=Cascade.Scope.BELOW,
        deadline=timezone.now() + timedelta(days=1),
    )

    assert len(codes(cascade)) == 35 and JATENG not in codes(cascade)
    assert all(code.startswith("33.") for code in codes(cascade))


def test_a_chosen_list_reaches_exactly_those_offices(send):
    cascade = send(Cascade.Scope.CHOSEN, chosen=(JEPARA, SEMARANG, MAKASSAR))

    assert codes(cascade) == {JEPARA, SEMARANG, MAKASSAR}


def test_a_published_article_cascades_with_its_title_summary_and_public_link(send, national_article):
    article = national_article()

    cascade = send(source=article)

    assert cascade.source_article == article and cascade.source_post is None
    assert cascade.text == (
        "Masa tenang: peserta pemilu dilarang berkampanye\n\n"
        "Selama masa tenang tidak boleh ada kampanye dalam bentuk apa pun."
    )
    assert cascade.link == f"http://testserver{article.get_absolute_url()}"


def test_a_clarification_article_cascades_as_a_clarification(send, national_article):
    article = national_article(
        title="Tidak benar pemilih wajib membawa undangan",
        type="klarifikasi",
        claim="Pemilih tanpa undangan tidak boleh mencoblos.",
        verdict="menyesatkan",
    )

    assert send(source=article).is_clarification is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Info {nama} di {url_portal}",
            "Kolom isian {nama} tidak dikenal. Kolom yang dapat dipakai: {nama_kantor}, {kontak}, "
            "{url_portal}, {akun_resmi}.",
        ),
        ("{kantor} dan {alamat}", "Kolom isian {kantor}, {alamat} tidak dikenal."),
        ("   ", "Teks yang diteruskan wajib diisi."),
    ],
)
def test_bad_text_is_refused_with_the_reason_and_nothing_is_created(send, text, message):
    with pytest.raises(CascadeError) as refused:
        send(text=text)

    assert message in str(refused.value)
    assert not Cascade.objects.exists() and not CascadeTarget.objects.exists()


def test_a_deadline_in_the_past_is_refused_in_the_senders_time(send):
    past = timezone.now() - timedelta(minutes=5)

    with pytest.raises(CascadeError) as refused:
        send(deadline=past)

    local = timezone.localtime(past, Office.objects.get(code=RI).zoneinfo)
    assert str(refused.value) == (
        f"Tenggat {local:%d-%m-%Y %H.%M} WIB sudah lewat. Pilih waktu yang akan datang."
    )
    assert not Cascade.objects.exists()


def test_a_deadline_too_far_ahead_is_refused(send):
    with pytest.raises(CascadeError, match="Tenggat paling lama 90 hari"):
        send(deadline=timezone.now() + timedelta(days=91))


def test_an_office_outside_the_senders_reach_is_refused_and_nothing_is_created(crew, offices):
    with pytest.raises(CascadeError) as refused:
        cascade_create(
            actor=crew["jateng_editor"],
            office=offices[JATENG],
            source=own_post(crew, JATENG),
            scope=Cascade.Scope.CHOSEN,
            chosen=[offices[JEPARA], offices[SURABAYA]],
            deadline=timezone.now() + timedelta(days=1),
        )

    assert str(refused.value) == (
        "KPU Kota Surabaya berada di luar jangkauan kantor ini: hanya kantor di bawahnya yang dapat dituju."
    )
    assert not Cascade.objects.exists() and not CascadeTarget.objects.exists()


def test_only_ri_cascades_to_one_province(send, crew):
    with pytest.raises(CascadeError, match="Hanya KPU RI yang meneruskan ke kantor satu provinsi"):
        send(office=JATENG, actor=crew["jateng_editor"], province=JATENG, source=own_post(crew, JATENG))


def test_a_regency_does_not_send_cascades(crew, offices):
    with pytest.raises(CascadeError, match="Hanya KPU RI dan KPU provinsi"):
        cascade_create(
            actor=crew["jepara_editor"],
            office=offices[JEPARA],
            source=own_post(crew, JEPARA),
            scope=Cascade.Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )


@pytest.mark.parametrize("person", ["ri_operator", "ri_viewer", "jateng_editor"])
def test_only_an_approver_of_the_sending_office_sends(send, crew, person):
    with pytest.raises(PolicyDenied):
        send(actor=crew[person])

    assert not Cascade.objects.exists()


def test_a_draft_or_withdrawn_source_is_not_sent(send, national_post, crew):
    draft = post_create(actor=crew["ri_operator"], office=Office.objects.get(code=RI), text="Draf.")
    with pytest.raises(CascadeError, match="Hanya unggahan yang sudah disetujui atau terbit"):
        send(source=draft)

    published = national_post(publish=True)
    publication_withdraw(
        actor=crew["ri_editor"], publication=published.publications.get(), reason="Salah tanggal"
    )
    with pytest.raises(CascadeError, match="Hanya unggahan yang sudah disetujui atau terbit"):
        send(source=published)


def test_only_the_senders_own_content_is_sent(crew, offices, national_post):
    with pytest.raises(CascadeError, match="Hanya konten kantor ini sendiri"):
        cascade_create(
            actor=crew["ri_editor"],
            office=offices[JATENG],
            source=national_post(),
            scope=Cascade.Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )


def test_offices_that_already_received_the_same_source_are_left_out(send, national_post):
    post = national_post()
    send(source=post, scope=Cascade.Scope.CHOSEN, chosen=(JEPARA,))

    with pytest.raises(CascadeError, match="Konten ini sudah diteruskan ke semua kantor tujuan itu"):
        send(source=post, scope=Cascade.Scope.CHOSEN, chosen=(JEPARA,))
    wider = send(source=post, scope=Cascade.Scope.CHOSEN, chosen=(JEPARA, SEMARANG))

    assert codes(wider) == {SEMARANG}
    assert AuditEvent.objects.filter(action="cascade.create").latest("pk").changes["skipped"] == 1


def test_the_editors_and_operators_of_each_receiving_office_are_told_once(
    send, crew, offices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cascade = send(
            Cascade.Scope.CHOSEN, chosen=(JEPARA, MAKASSAR), deadline=timezone.now() + timedelta(days=2)
        )

    told = Notification.objects.filter(kind=Notification.Kind.CASCADE_RECEIVED)
    assert {n.recipient for n in told} == {
        crew["jepara_operator"],
        crew["jepara_editor"],
        crew["makassar_operator"],
    }
    jepara = told.get(recipient=crew["jepara_operator"])
    target = cascade.targets.get(office__code=JEPARA)
    assert jepara.title == (
        "KPU Republik Indonesia meneruskan konten: “Cek DPT online di cekdptonline.kpu.go.id: cukup "
        "masukkan NIK. Info KPU…”"
    )
    local = timezone.localtime(cascade.deadline, offices[MAKASSAR].zoneinfo)
    assert f"Tenggat: {local:%d-%m-%Y %H.%M} WITA." in told.get(recipient=crew["makassar_operator"]).body
    assert jepara.link == f"/app/kab-jepara/dari-atasan/{target.pk}/"
    assert jepara.office == offices[JEPARA]
