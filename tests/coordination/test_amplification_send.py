"""#18 amplification tasks, asking: KPU RI or a province asks the offices below it to share or
interact with a post of an official account — one of its own published through Humas, or a URL
pasted — by a deadline. Every bad input is refused with a clear Indonesian message and nothing
is created; the offices are told once."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.coordination.amplification import (
    AmplificationError,
    amplification_create,
    amplification_source_from_delivery,
    amplification_source_from_url,
)
from humas.coordination.models import AmplificationTarget, AmplificationTask
from humas.notifications.models import Notification
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Delivery, Post

from .amplification_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JATIM,
    JEPARA,
    NATIONAL_URL,
    RI,
    SEMARANG,
    SURABAYA,
    accounts,
    ask,
    portal_source,
)
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

Scope = AmplificationTask.Scope


def test_kpu_ri_asks_one_provinces_offices_to_share_a_post_of_its_x_account(ask, crew, offices, accounts):
    task = ask(Scope.PROVINCE, province=JATENG, instructions="Bagikan dengan tagar #CekDPT")

    assert (task.url, task.platform, task.account, task.source_post) == (
        NATIONAL_URL,
        "x",
        accounts["ri"],
        None,
    )
    assert (task.ask_share, task.ask_interact, task.province) == (True, False, offices[JATENG])
    codes = set(task.targets.values_list("office__code", flat=True))
    assert len(codes) == 36 and JATENG in codes and JEPARA in codes and SURABAYA not in codes
    assert set(task.targets.values_list("status", flat=True)) == {AmplificationTarget.Status.PENDING}
    event = AuditEvent.objects.get(action="amplification.create")
    assert event.changes["targets"] == 36 and event.changes["url"] == NATIONAL_URL


def test_a_source_post_links_the_task_to_its_delivery_url(ask, crew, portal_source, offices):
    task = ask(Scope.BELOW, source=portal_source)

    delivery = Delivery.objects.get(publication__post=portal_source.post)
    assert task.source_post == portal_source.post
    assert task.url.endswith(delivery.url) and task.url.startswith("http")
    assert (task.platform, task.account.office) == ("portal", offices[RI])
    assert task.targets.count() == 552


def test_the_offices_editors_and_operators_are_told_once_with_the_deadline_in_their_zone(
    ask, crew, offices, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = ask(Scope.CHOSEN, chosen=(JEPARA, SEMARANG), ask_interact=True)

    told = Notification.objects.filter(kind=Notification.Kind.AMPLIFICATION_RECEIVED)
    assert set(told.values_list("recipient__email", flat=True)) == {
        "operator.jepara@kpu.test",
        "editor.jepara@kpu.test",
        "operator.semarang@kpu.test",
    }
    note = told.get(recipient=crew["jepara_operator"])
    assert note.title == (
        "KPU Republik Indonesia meminta: bagikan ulang dan interaksi (suka, komentar) unggahan @KPU_ID di X"
    )
    deadline = timezone.localtime(task.deadline, offices[JEPARA].zoneinfo)
    assert note.body.startswith(f"Tenggat: {deadline:%d-%m-%Y %H.%M} WIB.")
    target = task.targets.get(office__code=JEPARA)
    assert note.link == f"/app/kab-jepara/amplifikasi/tugas/{target.pk}/"


def test_offices_already_asked_for_the_same_url_are_left_out(ask, crew):
    ask(Scope.CHOSEN, chosen=(JEPARA,))

    second = ask(Scope.PROVINCE, province=JATENG)

    assert second.targets.count() == 35
    assert not second.targets.filter(office__code=JEPARA).exists()
    assert AuditEvent.objects.filter(action="amplification.create").latest("pk").changes["skipped"] == 1
    with pytest.raises(
        AmplificationError, match="Semua kantor tujuan itu sudah diminta mengamplifikasi tautan ini."
    ):
        ask(Scope.CHOSEN, chosen=(JEPARA, SEMARANG))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"ask_share": False, "ask_interact": False},
            "Pilih yang diminta: bagikan ulang, interaksi, atau keduanya.",
        ),
        ({"scope": Scope.CHOSEN, "chosen": ()}, "Pilih setidaknya satu kantor tujuan."),
        ({"scope": Scope.PROVINCE, "province": None}, "Pilih provinsinya."),
        ({"scope": "semua"}, "Pilih cakupan kantor tujuan."),
        (
            {"scope": Scope.CHOSEN, "chosen": (SURABAYA,), "office": JATENG, "actor": "jateng_editor"},
            "KPU Kota Surabaya berada di luar jangkauan kantor ini: hanya kantor di bawahnya yang dapat dituju.",
        ),
        (
            {"scope": Scope.PROVINCE, "province": JATIM, "office": JATENG, "actor": "jateng_editor"},
            "Hanya KPU RI yang dapat meminta kantor satu provinsi.",
        ),
        (
            {"office": JEPARA, "actor": "jepara_editor", "scope": Scope.BELOW},
            "Hanya KPU RI dan KPU provinsi yang dapat meminta kantor di bawahnya mengamplifikasi unggahan.",
        ),
        ({"instructions": "x" * 1001}, "Petunjuk terlalu panjang (batas 1000 karakter)."),
        ({"deadline_days": 91}, "Tenggat paling lama 90 hari dari sekarang."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_created(ask, crew, fields, message):
    fields = dict(fields)
    if "actor" in fields:
        fields["actor"] = crew[fields["actor"]]
    if "deadline_days" in fields:
        fields["deadline"] = timezone.now() + timedelta(days=fields.pop("deadline_days"))

    with pytest.raises(AmplificationError) as refused:
        ask(**fields)

    assert str(refused.value) == message
    assert not AmplificationTask.objects.exists() and not AmplificationTarget.objects.exists()


def test_a_deadline_in_the_past_is_refused_in_the_senders_zone(ask, offices):
    past = timezone.now() - timedelta(hours=1)

    with pytest.raises(AmplificationError) as refused:
        ask(deadline=past)

    local = timezone.localtime(past, offices[RI].zoneinfo)
    assert (
        str(refused.value) == f"Tenggat {local:%d-%m-%Y %H.%M} WIB sudah lewat. Pilih waktu yang akan datang."
    )
    assert not AmplificationTask.objects.exists()


def test_a_pasted_url_must_be_a_post_of_an_official_account(accounts):
    with pytest.raises(AmplificationError) as refused:
        amplification_source_from_url(url="https://x.com/akun_palsu_kpu/status/1")
    assert str(refused.value) == (
        "Tautan itu unggahan akun @akun_palsu_kpu di X, yang bukan akun resmi kantor KPU mana pun di Humas. "
        "Tugas amplifikasi hanya untuk unggahan akun resmi (lihat Pengaturan → Kanal dan akun resmi)."
    )
    with pytest.raises(AmplificationError, match="Tautan Instagram itu tidak memuat nama akunnya"):
        amplification_source_from_url(url="https://www.instagram.com/p/C0de123/")

    found = amplification_source_from_url(url="https://x.com/kpujateng/status/99")
    assert (found.account, found.platform, found.post) == (accounts["jateng"], "x", None)


def test_an_inactive_or_unofficial_account_is_not_amplified(accounts):
    accounts["jateng"].is_official = False
    accounts["jateng"].save(update_fields=["is_official"])

    with pytest.raises(AmplificationError, match="bukan akun resmi kantor KPU mana pun"):
        amplification_source_from_url(url="https://x.com/kpujateng/status/99")


def test_only_the_senders_own_sent_delivery_is_a_source(crew, offices, portal_source, national_post):
    other = national_post()
    delivery = Delivery.objects.get(publication__post=portal_source.post)

    with pytest.raises(AmplificationError, match="Pilih salah satu tautan unggahan ini yang sudah terbit."):
        amplification_source_from_delivery(office=offices[RI], post=other, delivery_id=delivery.pk)
    with pytest.raises(AmplificationError, match="Hanya unggahan kantor ini sendiri"):
        amplification_source_from_delivery(
            office=offices[JATENG], post=portal_source.post, delivery_id=delivery.pk
        )


def test_a_withdrawn_source_post_cannot_be_amplified(ask, portal_source):
    Post.objects.filter(pk=portal_source.post.pk).update(status=Post.Status.WITHDRAWN)

    with pytest.raises(AmplificationError, match="Unggahan itu sudah ditarik"):
        ask(source=portal_source)

    assert not AmplificationTask.objects.exists()


@pytest.mark.parametrize("person", ["ri_operator", "ri_viewer", "jateng_editor"])
def test_only_the_senders_approvers_may_ask(ask, crew, person):
    with pytest.raises(PolicyDenied):
        ask(actor=crew[person])

    assert not AmplificationTask.objects.exists()


def test_a_province_asks_its_own_regencies(ask, crew, offices):
    task = ask(
        Scope.BELOW, office=JATENG, actor=crew["jateng_editor"], url="https://x.com/kpujateng/status/5"
    )

    codes = set(task.targets.values_list("office__code", flat=True))
    assert len(codes) == 35 and JATENG not in codes and JEPARA in codes


def test_two_presses_at_once_are_told_apart_from_a_second_request(ask, crew, offices):
    """On SQLite the second press waits for the first's write; it then finds every office asked."""
    ask(Scope.BELOW)

    with pytest.raises(AmplificationError, match="sudah diminta"):
        amplification_create(
            actor=crew["ri_editor"],
            office=offices[RI],
            source=amplification_source_from_url(url=NATIONAL_URL),
            scope=Scope.BELOW,
            deadline=timezone.now() + timedelta(days=1),
        )
    assert AmplificationTask.objects.count() == 1
