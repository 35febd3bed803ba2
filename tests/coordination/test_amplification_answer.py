"""#18 amplification tasks, answering: the receiving office records what it did with the URL of
its own official account's post (checked: another account's URL is refused naming the account
expected), declines with a reason, or shares in one click through Humas (the Telegram fake, its
portal) — done once its delivery goes out; reminders before the deadline. Exactly one answer."""

# The fixtures are imported from the fixture modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.blackouts.services import blackout_create
from humas.coordination.amplification import (
    AmplificationError,
    amplification_decline,
    amplification_record,
    amplification_remind_due,
    amplification_settle,
    amplification_settle_due,
    amplification_share,
)
from humas.coordination.amplification_selectors import amplification_share_channels
from humas.coordination.models import AmplificationTarget, AmplificationTask
from humas.notifications.models import Notification
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import portal_channel_ensure

from .amplification_fixtures import (  # noqa: F401 - fixtures
    JEPARA,
    JEPARA_SHARE,
    KUDUS,
    NATIONAL_URL,
    SEMARANG,
    accounts,
    ask,
    connected,
    fakes,
    portal_source,
    telegram_source,
)
from .cascade_fixtures import crew, national_post  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

Status = AmplificationTarget.Status
Scope = AmplificationTask.Scope


def target_of(task: AmplificationTask, code: str) -> AmplificationTarget:
    return task.targets.select_related("office").get(office__code=code)


# --------------------------------------------------------------------------------------------
# Recording


def test_an_office_records_the_share_on_its_own_account(ask, crew, accounts):
    task = ask()
    target = target_of(task, JEPARA)

    recorded = amplification_record(
        actor=crew["jepara_operator"], target=target, url=JEPARA_SHARE + "#top", shared=True
    )

    assert (recorded.status, recorded.result_url, recorded.channel) == (
        Status.DONE,
        JEPARA_SHARE,
        accounts["jepara"],
    )
    assert (recorded.shared, recorded.interacted, recorded.recorded_by) == (
        True,
        False,
        crew["jepara_operator"],
    )
    event = AuditEvent.objects.get(action="amplification.record")
    assert event.changes == {
        "shared": True,
        "interacted": False,
        "sender": "KPU Republik Indonesia",
        "url": JEPARA_SHARE,
        "channel": accounts["jepara"].pk,
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://x.com/kpusemarang/status/1870000000000000888",
            "Tautan itu unggahan @kpusemarang, bukan akun resmi KPU Kabupaten Jepara di X (@kpujepara). "
            "Masukkan tautan dari akun kantor ini.",
        ),
        (
            NATIONAL_URL,
            "Itu tautan unggahan yang diminta untuk diamplifikasi. Masukkan tautan hasilnya di akun kantor ini.",
        ),
        (
            "https://www.instagram.com/kpu_kab_jepara/p/C0de123/",
            "Tugas ini untuk X: tautan hasilnya harus unggahan akun X kantor ini, misalnya "
            "https://x.com/akun/status/1860000000000000000.",
        ),
        ("https://x.com/i/web/status/1", "Tautan X itu tidak memuat nama akunnya."),
        ("jepara", "Tautan harus diawali https://."),
    ],
)
def test_a_url_that_is_not_the_offices_own_account_is_refused(ask, crew, url, message):
    task = ask()
    target = target_of(task, JEPARA)

    with pytest.raises(AmplificationError) as refused:
        amplification_record(actor=crew["jepara_operator"], target=target, url=url, shared=True)

    assert str(refused.value).startswith(message)
    target.refresh_from_db()
    assert (target.status, target.result_url, target.recorded_by) == (Status.PENDING, "", None)
    assert not AuditEvent.objects.filter(action="amplification.record").exists()


def test_an_office_without_an_account_on_that_platform_is_told_to_register_it(ask, crew):
    task = ask()

    with pytest.raises(AmplificationError) as refused:
        amplification_record(
            actor=crew["kudus_operator"],
            target=target_of(task, KUDUS),
            url="https://x.com/kpukudus/status/1",
            shared=True,
        )

    assert str(refused.value) == (
        "KPU Kabupaten Kudus belum punya akun resmi X di Humas, jadi tautan hasilnya tidak dapat diperiksa. "
        "Daftarkan akunnya di Pengaturan → Kanal dan akun resmi, lalu catat lagi."
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"shared": False, "interacted": False}, "Centang yang sudah dilakukan kantor ini"),
        ({"shared": True, "url": ""}, "Masukkan tautan hasil bagikan ulang di akun X kantor ini."),
    ],
)
def test_what_was_done_must_be_said(ask, crew, fields, message):
    task = ask()

    with pytest.raises(AmplificationError, match=message):
        amplification_record(actor=crew["jepara_operator"], target=target_of(task, JEPARA), **fields)


def test_an_interaction_needs_no_url_but_a_comments_url_is_checked(ask, crew):
    task = ask(Scope.PROVINCE, ask_share=False, ask_interact=True)

    liked = amplification_record(
        actor=crew["jepara_operator"], target=target_of(task, JEPARA), interacted=True
    )
    assert (liked.status, liked.result_url, liked.interacted, liked.channel) == (Status.DONE, "", True, None)

    with pytest.raises(AmplificationError, match="bukan akun resmi KPU Kota Semarang di X"):
        amplification_record(
            actor=crew["semarang_operator"],
            target=target_of(task, SEMARANG),
            url="https://x.com/kpujepara/status/5",
            interacted=True,
        )
    commented = amplification_record(
        actor=crew["semarang_operator"],
        target=target_of(task, SEMARANG),
        url="https://x.com/KPUSemarang/status/6",
        interacted=True,
    )
    assert commented.result_url == "https://x.com/KPUSemarang/status/6"


def test_recording_twice_is_refused_naming_who_recorded(ask, crew):
    task = ask()
    target = target_of(task, JEPARA)
    amplification_record(actor=crew["jepara_operator"], target=target, url=JEPARA_SHARE, shared=True)

    with pytest.raises(AmplificationError) as refused:
        amplification_record(
            actor=crew["jepara_editor"], target=target, url="https://x.com/kpujepara/status/2", shared=True
        )

    assert str(refused.value) == "Tugas ini sudah dijawab: selesai oleh Operator Jepara."
    target.refresh_from_db()
    assert (target.result_url, target.recorded_by) == (JEPARA_SHARE, crew["jepara_operator"])
    assert AuditEvent.objects.filter(action="amplification.record").count() == 1


@pytest.mark.parametrize(
    "person", ["jepara_viewer", "jepara_analyst", "semarang_operator", "surabaya_operator"]
)
def test_only_the_offices_own_staff_may_answer(ask, crew, person):
    task = ask()
    target = target_of(task, JEPARA)

    with pytest.raises(PolicyDenied):
        amplification_record(actor=crew[person], target=target, url=JEPARA_SHARE, shared=True)
    with pytest.raises(PolicyDenied):
        amplification_decline(actor=crew[person], target=target, reason="Tidak relevan")

    target.refresh_from_db()
    assert target.status == Status.PENDING


# --------------------------------------------------------------------------------------------
# Declining


def test_declining_needs_a_reason_which_the_sender_reads(ask, crew):
    task = ask()
    target = target_of(task, JEPARA)

    with pytest.raises(AmplificationError, match="Tuliskan alasan menolak tugas ini."):
        amplification_decline(actor=crew["jepara_operator"], target=target, reason="  ")
    with pytest.raises(AmplificationError, match="Alasan terlalu panjang"):
        amplification_decline(actor=crew["jepara_operator"], target=target, reason="x" * 501)

    declined = amplification_decline(
        actor=crew["jepara_operator"], target=target, reason="Akun X kami sedang dipulihkan."
    )

    assert (declined.status, declined.decline_reason, declined.recorded_by) == (
        Status.DECLINED,
        "Akun X kami sedang dipulihkan.",
        crew["jepara_operator"],
    )
    with pytest.raises(AmplificationError, match="Tugas ini sudah dijawab: ditolak oleh Operator Jepara."):
        amplification_record(actor=crew["jepara_editor"], target=target, url=JEPARA_SHARE, shared=True)


# --------------------------------------------------------------------------------------------
# One click


def test_one_click_shares_to_the_offices_telegram_channel_and_records_its_url(
    ask, crew, offices, telegram_source, connected, django_capture_on_commit_callbacks
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA, SEMARANG), source=telegram_source, instructions="Ayo cek DPT!")
    jepara_telegram = connected("telegram")
    target = target_of(task, JEPARA)
    assert amplification_share_channels(target=target) == [jepara_telegram]
    assert amplification_share_channels(target=target_of(task, SEMARANG)) == []

    with django_capture_on_commit_callbacks(execute=True):
        amplification_share(actor=crew["jepara_operator"], target=target, channel=jepara_telegram)

    target.refresh_from_db()
    delivery = Delivery.objects.get(publication__post=target.post)
    assert delivery.state == Delivery.State.SENT
    assert delivery.url.startswith("https://t.me/kpu_demo1/")
    assert (target.status, target.result_url, target.channel, target.shared) == (
        Status.DONE,
        delivery.url,
        jepara_telegram,
        True,
    )
    post = target.post
    assert (post.office, post.text, post.link, post.status) == (
        offices[JEPARA],
        "Ayo cek DPT!",
        telegram_source.url,
        Post.Status.PUBLISHED,
    )
    # Approved above: the source's approver, no second approval in Jepara.
    assert post.approved_by == crew["ri_editor"]
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="amplification.").order_by("pk")
    ] == [
        "amplification.create",
        "amplification.share",
        "amplification.shared",
    ]


def test_one_click_shares_a_portal_article_on_the_offices_portal(
    ask, crew, offices, portal_source, django_capture_on_commit_callbacks
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=portal_source)
    target = target_of(task, JEPARA)
    portal = portal_channel_ensure(office=offices[JEPARA])

    with django_capture_on_commit_callbacks(execute=True):
        amplification_share(actor=crew["jepara_editor"], target=target, channel=portal)

    target.refresh_from_db()
    assert target.status == Status.DONE
    assert "/kab-jepara/" in target.result_url and target.result_url.startswith("http")


def test_one_click_is_not_offered_for_a_pasted_url(ask, crew, offices):
    task = ask()
    target = target_of(task, JEPARA)

    assert amplification_share_channels(target=target) == []
    with pytest.raises(AmplificationError, match="Tugas ini berupa tautan yang ditempel"):
        amplification_share(
            actor=crew["jepara_operator"],
            target=target,
            channel=portal_channel_ensure(office=offices[JEPARA]),
        )


def test_one_click_on_a_channel_of_another_platform_is_refused(ask, crew, offices, telegram_source):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=telegram_source)

    with pytest.raises(AmplificationError, match="bukan kanal Telegram kantor ini yang dapat dipakai Humas"):
        amplification_share(
            actor=crew["jepara_operator"],
            target=target_of(task, JEPARA),
            channel=portal_channel_ensure(office=offices[JEPARA]),
        )

    assert not Post.objects.filter(office=offices[JEPARA]).exists()


def test_one_click_inside_a_blackout_window_is_refused_with_its_message_and_nothing_is_made(
    ask, crew, offices, telegram_source, connected
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=telegram_source)
    channel = connected("telegram")
    blackout_create(
        actor=crew["ri_admin"],
        office=offices["00"],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=1),
        reason="berkabung",
    )

    with pytest.raises(AmplificationError) as refused:
        amplification_share(actor=crew["jepara_operator"], target=target_of(task, JEPARA), channel=channel)

    assert "Hari berkabung" in str(refused.value)
    assert target_of(task, JEPARA).status == Status.PENDING
    assert not Post.objects.filter(office=offices[JEPARA]).exists()


def test_a_one_click_share_that_does_not_go_out_waits_again_with_why(
    ask, crew, offices, telegram_source, connected, django_capture_on_commit_callbacks
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=telegram_source)
    channel = connected("telegram")
    target = target_of(task, JEPARA)
    with django_capture_on_commit_callbacks(execute=False):
        amplification_share(actor=crew["jepara_operator"], target=target, channel=channel)

    assert amplification_settle(target_id=target.pk) == Status.SHARING  # queued, not out yet
    Delivery.objects.filter(publication__post__office=offices[JEPARA]).update(
        state=Delivery.State.FAILED, error_message="Telegram menolak: bot bukan admin kanal."
    )
    assert amplification_settle_due() == 1

    target.refresh_from_db()
    assert (target.status, target.shared, target.recorded_by) == (Status.PENDING, False, None)
    assert target.share_error == "Telegram menolak: bot bukan admin kanal."
    assert AuditEvent.objects.filter(action="amplification.share_failed").count() == 1
    assert amplification_settle_due() == 0
    # The office may then record by hand (its own channel's URL) or share again.
    recorded = amplification_record(
        actor=crew["jepara_operator"], target=target, url="https://t.me/kpu_demo1/99", shared=True
    )
    assert (recorded.status, recorded.channel, recorded.share_error) == (Status.DONE, channel, "")


def test_a_target_being_shared_cannot_be_recorded_or_shared_again(
    ask, crew, telegram_source, connected, django_capture_on_commit_callbacks
):
    task = ask(Scope.CHOSEN, chosen=(JEPARA,), source=telegram_source)
    channel = connected("telegram")
    target = target_of(task, JEPARA)
    with django_capture_on_commit_callbacks(execute=False):
        amplification_share(actor=crew["jepara_operator"], target=target, channel=channel)

    with pytest.raises(
        AmplificationError, match="Tugas ini sudah dijawab: sedang dibagikan oleh Operator Jepara."
    ):
        amplification_share(actor=crew["jepara_editor"], target=target, channel=channel)
    with pytest.raises(AmplificationError, match="sudah dijawab"):
        amplification_record(
            actor=crew["jepara_editor"], target=target, url="https://t.me/kpu_demo1/1", shared=True
        )
    assert Post.objects.filter(office__code=JEPARA).count() == 1


# --------------------------------------------------------------------------------------------
# Reminders


def age(task: AmplificationTask, days: float) -> None:
    AmplificationTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_offices_that_have_not_answered_are_reminded_once_before_the_deadline(ask, crew, offices):
    task = ask(Scope.CHOSEN, chosen=(JEPARA, SEMARANG), deadline=timezone.now() + timedelta(hours=20))
    age(task, 2)
    amplification_decline(
        actor=crew["semarang_operator"], target=target_of(task, SEMARANG), reason="Tidak relevan"
    )

    assert amplification_remind_due() == 1
    assert amplification_remind_due() == 0

    reminders = Notification.objects.filter(kind=Notification.Kind.AMPLIFICATION_REMINDER)
    assert {n.recipient for n in reminders} == {crew["jepara_operator"], crew["jepara_editor"]}
    local = timezone.localtime(task.deadline, offices[JEPARA].zoneinfo)
    assert reminders.first().title == (
        f"Tenggat {local:%d-%m-%Y %H.%M} WIB: tugas amplifikasi dari KPU Republik Indonesia belum dikerjakan"
    )
    assert reminders.first().body.startswith("bagikan ulang unggahan @KPU_ID di X.")


def test_no_reminder_before_the_window_nor_for_a_task_asked_inside_it(ask, settings):
    far = ask(Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(hours=30))
    age(far, 2)
    late = ask(Scope.CHOSEN, chosen=(SEMARANG,), deadline=timezone.now() + timedelta(hours=6))

    assert amplification_remind_due() == 0
    settings.HUMAS_CASCADE_REMINDER_HOURS = 36
    assert amplification_remind_due() == 1
    assert target_of(late, SEMARANG).reminded_at is None
