"""#18 cascades, answering: a receiving office adopts (published at once, approved above, exactly
once), adapts (its own approval applies) or declines with a reason; the fill-in fields become the
office's own; reminders before the deadline; offices that adopt automatically."""

# The fixtures are imported from cascade_fixtures: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from humas.audit.models import AuditEvent
from humas.blackouts.services import blackout_create
from humas.channels import crypto
from humas.channels.models import Channel, ChannelCredential, Platform
from humas.channels.services import ChannelInput, channel_create
from humas.coordination.cascade_selectors import cascade_board
from humas.coordination.cascades import (
    CascadeError,
    cascade_adapt,
    cascade_adopt,
    cascade_auto_publish_set,
    cascade_decline,
    cascade_remind_due,
    cascade_text_resolve,
)
from humas.coordination.models import Cascade, CascadeAutoPublish, CascadeTarget
from humas.notifications.models import Notification
from humas.offices.models import Membership
from humas.offices.policy import PolicyDenied
from humas.publishing.delivery import publication_create, publication_withdraw
from humas.publishing.images import NewImage, post_image_prepare, post_images_change
from humas.publishing.models import Delivery, Post, Publication
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import post_approve, post_create, post_submit, post_update

from .cascade_fixtures import (  # noqa: F401 - fixtures
    JATENG,
    JEPARA,
    KUDUS,
    MAKASSAR,
    RI,
    SEMARANG,
    assisted_channel,
    crew,
    national_article,
    national_post,
    send,
)

pytestmark = pytest.mark.django_db

Status = CascadeTarget.Status


def target_of(cascade: Cascade, code: str) -> CascadeTarget:
    return cascade.targets.select_related("office").get(office__code=code)


@pytest.fixture
def jepara(offices, crew):
    """KPU Kabupaten Jepara with a profile contact, official accounts and its portal channel."""
    office = offices[JEPARA]
    office.phone, office.email = "0291-591208", "kab_jepara@kpu.go.id"
    office.save(update_fields=["phone", "email"])
    assisted_channel(office, crew["jepara_admin"], platform="tiktok", handle="kpujepara")
    assisted_channel(office, crew["jepara_admin"], platform="whatsapp", handle="")
    portal_channel_ensure(office=office)
    return office


def portal_of(office) -> Channel:
    return portal_channel_ensure(office=office)


# --------------------------------------------------------------------------------------------
# Fill-in fields


def test_fill_in_fields_become_the_receiving_offices_own(jepara, offices):
    resolved = cascade_text_resolve(
        text="{nama_kantor} · {kontak} · {url_portal} · {akun_resmi}", office=offices[JEPARA]
    )

    assert resolved.text == (
        "KPU Kabupaten Jepara · 0291-591208, kab_jepara@kpu.go.id · http://testserver/kab-jepara/ · "
        "TikTok @kpujepara, Saluran WhatsApp KPU Kabupaten Jepara"
    )
    assert resolved.missing == ()


def test_a_field_the_office_has_nothing_for_is_left_empty_and_named(offices):
    resolved = cascade_text_resolve(text="Hubungi {kontak}. Ikuti {akun_resmi}.", office=offices[SEMARANG])

    assert resolved.text == "Hubungi . Ikuti ."
    assert resolved.missing == ("kontak", "akun_resmi")


def test_the_portal_of_an_office_on_its_own_host_is_that_host(offices, settings):
    settings.HUMAS_SITE_HOSTS = {"kpujepara.example": "kab-jepara"}

    resolved = cascade_text_resolve(text="{url_portal}", office=offices[JEPARA])

    assert resolved.text == "https://kpujepara.example/kab-jepara/"


# --------------------------------------------------------------------------------------------
# Adopting


def test_adopting_publishes_the_offices_text_at_once_with_the_approval_given_above(
    send, crew, jepara, django_capture_on_commit_callbacks
):
    cascade = send()
    target = target_of(cascade, JEPARA)
    portal = portal_of(jepara)

    with django_capture_on_commit_callbacks(execute=True):
        adopted = cascade_adopt(actor=crew["jepara_operator"], target=target, channels=[portal])

    post = adopted.post
    assert (adopted.status, adopted.decided_by, adopted.automatic) == (
        Status.ADOPTED,
        crew["jepara_operator"],
        False,
    )
    assert post.office == jepara and post.status == Post.Status.PUBLISHED
    assert post.text.startswith(
        "Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK. Info KPU Kabupaten Jepara:"
    )
    assert "0291-591208, kab_jepara@kpu.go.id" in post.text and "http://testserver/kab-jepara/" in post.text
    # Approved above: the source's approver, recorded as such; nobody in Jepara approved it.
    assert (post.author, post.approved_by) == (crew["jepara_operator"], crew["ri_editor"])
    version = post.versions.get()
    assert (version.written_by, version.approved_by, version.number) == (
        crew["jepara_operator"],
        crew["ri_editor"],
        1,
    )
    (delivery,) = Delivery.objects.filter(publication__post=post)
    assert (delivery.channel, delivery.state) == (portal, Delivery.State.SENT)
    actions = list(
        AuditEvent.objects.filter(office_id=jepara.pk).values_list("action", flat=True).order_by("pk")
    )
    assert actions[-5:] == [
        "post.create",
        "post.adopt_approved",
        "publication.create",
        "cascade.adopt",
        "article.publish_from_post",
    ]
    approval = AuditEvent.objects.get(action="post.adopt_approved")
    assert approval.changes["approved_by"] == "Editor KPU RI"
    assert approval.changes["source_post"] == cascade.source_post_id
    row = next(
        r
        for r in cascade_board(actor=crew["ri_editor"], office=cascade.office, cascade=cascade).rows
        if r.office == jepara
    )
    assert row.status == "published" and row.published_at == delivery.sent_at


def test_adopting_and_adapting_keep_the_sources_campaign_and_stage(
    send, crew, jepara, offices, national_post
):
    source = national_post(campaign="AyoKeTPS", election_stage="pemungutan-suara")
    cascade = send(source=source, scope=Cascade.Scope.BELOW)

    adopted = cascade_adopt(
        actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
    )
    adapted = cascade_adapt(actor=crew["semarang_operator"], target=target_of(cascade, SEMARANG))

    for post in (adopted.post, adapted.post):
        assert (post.campaign, post.election_stage) == ("AyoKeTPS", "pemungutan-suara")


def test_adopting_carries_the_sources_images(send, crew, jepara, national_post, offices):
    buffer = io.BytesIO()
    Image.new("RGB", (1080, 1080), (122, 16, 32)).save(buffer, "JPEG")
    channel = Channel.objects.filter(office=offices[RI]).first() or assisted_channel(
        offices[RI], crew["ri_admin"]
    )
    post = post_create(
        actor=crew["ri_operator"], office=offices[RI], text="Poster coklit serentak.", channels=[channel]
    )
    prepared = post_image_prepare(
        file=SimpleUploadedFile("poster.jpg", buffer.getvalue(), content_type="image/jpeg")
    )
    post_images_change(actor=crew["ri_operator"], post=post, add=[NewImage(prepared, "Poster coklit")])
    post_submit(actor=crew["ri_operator"], post=post)
    post = post_approve(actor=crew["ri_editor"], post=post)
    cascade = send(source=post)

    adopted = cascade_adopt(
        actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
    )

    (image,) = adopted.post.images.all()
    assert (image.alt_text, image.width, image.height) == ("Poster coklit", 1080, 1080)
    assert image.key != post.images.get().key


def test_adopting_twice_makes_one_post_and_says_who_decided(send, crew, jepara):
    cascade = send()
    target = target_of(cascade, JEPARA)
    cascade_adopt(actor=crew["jepara_operator"], target=target, channels=[portal_of(jepara)])

    with pytest.raises(CascadeError) as refused:
        cascade_adopt(actor=crew["jepara_editor"], target=target, channels=[portal_of(jepara)])

    assert str(refused.value) == "Konten ini sudah diputuskan: diadopsi oleh Operator Jepara."
    assert Post.objects.filter(office=jepara).count() == 1
    assert Publication.objects.filter(post__office=jepara).count() == 1


def test_adopting_inside_a_blackout_window_is_refused_with_its_message_and_nothing_is_made(
    send, crew, jepara, offices
):
    cascade = send()
    blackout_create(
        actor=crew["ri_admin"],
        office=offices[RI],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=1),
        reason="berkabung",
    )

    with pytest.raises(CascadeError) as refused:
        cascade_adopt(
            actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
        )

    assert "Hari berkabung" in str(refused.value)
    assert target_of(cascade, JEPARA).status == Status.PENDING
    assert not Post.objects.filter(office=jepara).exists()


def test_adopting_needs_a_channel_of_the_office(send, crew, jepara, offices):
    cascade = send()
    target = target_of(cascade, JEPARA)
    semarang_portal = portal_of(offices[SEMARANG])

    with pytest.raises(CascadeError, match="Pilih setidaknya satu kanal"):
        cascade_adopt(actor=crew["jepara_operator"], target=target, channels=[])
    with pytest.raises(CascadeError, match="bukan kanal kantor ini yang siap dipakai"):
        cascade_adopt(actor=crew["jepara_operator"], target=target, channels=[semarang_portal])

    assert (
        target_of(cascade, JEPARA).status == Status.PENDING
        and not Post.objects.filter(office=jepara).exists()
    )


def test_a_text_a_channel_would_refuse_is_refused_before_anything_is_made(send, crew, jepara):
    x = channel_create(
        actor=crew["jepara_admin"],
        office=jepara,
        data=ChannelInput(platform="x", name="KPU Jepara", handle="kpujepara"),
    )
    ChannelCredential.objects.create(channel=x, ciphertext=crypto.encrypt("rahasia"), kind="oauth2_user")
    cascade = send(text="Coklit serentak di seluruh kecamatan. " * 10)

    with pytest.raises(CascadeError) as refused:
        cascade_adopt(
            actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[x, portal_of(jepara)]
        )

    assert "280" in str(refused.value)
    assert not Post.objects.filter(office=jepara).exists()
    assert target_of(cascade, JEPARA).status == Status.PENDING


@pytest.mark.parametrize(
    "person", ["jepara_viewer", "jepara_analyst", "semarang_operator", "makassar_operator"]
)
def test_only_the_staff_of_the_receiving_office_or_above_it_answer(send, crew, jepara, person):
    cascade = send()
    target = target_of(cascade, JEPARA)

    with pytest.raises(PolicyDenied):
        cascade_adopt(actor=crew[person], target=target, channels=[portal_of(jepara)])
    with pytest.raises(PolicyDenied):
        cascade_decline(actor=crew[person], target=target, reason="Tidak relevan")
    with pytest.raises(PolicyDenied):
        cascade_adapt(actor=crew[person], target=target)

    assert target_of(cascade, JEPARA).status == Status.PENDING


def test_a_withdrawn_source_is_no_longer_adopted(send, crew, jepara, national_post):
    source = national_post(publish=True)
    cascade = send(source=source)
    publication_withdraw(
        actor=crew["ri_editor"], publication=source.publications.get(), reason="Salah tanggal"
    )

    with pytest.raises(CascadeError, match="KPU Republik Indonesia sudah menarik konten ini"):
        cascade_adopt(
            actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
        )
    with pytest.raises(CascadeError, match="sudah menarik konten ini"):
        cascade_adapt(actor=crew["jepara_operator"], target=target_of(cascade, JEPARA))


def test_an_adopted_article_links_to_the_source_article(send, crew, jepara, national_article):
    article = national_article()
    cascade = send(source=article)

    adopted = cascade_adopt(
        actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
    )

    assert adopted.post.link == f"http://testserver{article.get_absolute_url()}"
    assert adopted.post.approved_by == crew["ri_editor"]
    assert AuditEvent.objects.get(action="post.adopt_approved").changes["source_article"] == article.pk


def test_the_receiving_office_cannot_edit_the_source(send, crew, jepara):
    cascade = send()
    source = cascade.source_post

    with pytest.raises(PolicyDenied):
        post_update(actor=crew["jepara_editor"], post=source, text="Diubah di Jepara.")

    source.refresh_from_db()
    assert source.text == cascade.text


# --------------------------------------------------------------------------------------------
# Adapting and declining


def test_adapting_makes_a_draft_that_the_offices_own_approval_publishes(
    send, crew, jepara, django_capture_on_commit_callbacks
):
    cascade = send()
    target = target_of(cascade, JEPARA)

    adapted = cascade_adapt(actor=crew["jepara_operator"], target=target)

    post = adapted.post
    assert (adapted.status, post.status, post.author, post.approved_by) == (
        Status.ADAPTED,
        Post.Status.DRAFT,
        crew["jepara_operator"],
        None,
    )
    assert "KPU Kabupaten Jepara" in post.text
    assert set(post.channels.values_list("platform", flat=True)) == {"portal", "tiktok", "whatsapp"}
    row = next(
        r
        for r in cascade_board(actor=crew["ri_editor"], office=cascade.office, cascade=cascade).rows
        if r.office == jepara
    )
    assert row.status == Status.ADAPTED

    post_update(
        actor=crew["jepara_operator"],
        post=post,
        text=post.text + " Datang ke kantor kami.",
        channels=[portal_of(jepara)],
    )
    post_submit(actor=crew["jepara_operator"], post=post)
    with pytest.raises(PolicyDenied):
        post_approve(actor=crew["jepara_operator"], post=post)
    post = post_approve(actor=crew["jepara_editor"], post=post)
    with django_capture_on_commit_callbacks(execute=True):
        publication_create(actor=crew["jepara_operator"], post=post, channels=[portal_of(jepara)])

    row = next(
        r
        for r in cascade_board(actor=crew["ri_editor"], office=cascade.office, cascade=cascade).rows
        if r.office == jepara
    )
    assert row.status == "published" and row.target.status == Status.ADAPTED


def test_declining_needs_a_reason_the_sender_reads(send, crew, offices):
    cascade = send()
    target = target_of(cascade, SEMARANG)

    with pytest.raises(CascadeError, match="Tuliskan alasan menolak konten ini"):
        cascade_decline(actor=crew["semarang_operator"], target=target, reason="  ")
    with pytest.raises(CascadeError, match="Alasan terlalu panjang"):
        cascade_decline(actor=crew["semarang_operator"], target=target, reason="x" * 501)
    declined = cascade_decline(
        actor=crew["semarang_operator"], target=target, reason="Sudah kami unggah sendiri kemarin."
    )

    assert (declined.status, declined.decline_reason, declined.post) == (
        Status.DECLINED,
        "Sudah kami unggah sendiri kemarin.",
        None,
    )
    event = AuditEvent.objects.get(action="cascade.decline")
    assert event.changes["reason"] == "Sudah kami unggah sendiri kemarin."
    with pytest.raises(CascadeError, match="sudah diputuskan: ditolak oleh Operator Semarang"):
        cascade_adapt(actor=crew["semarang_operator"], target=target)


def test_a_province_answers_for_a_regency_below_it(send, crew, jepara):
    cascade = send()

    declined = cascade_decline(
        actor=crew["jateng_editor"], target=target_of(cascade, KUDUS), reason="Kantor tutup"
    )

    assert declined.decided_by == crew["jateng_editor"]


# --------------------------------------------------------------------------------------------
# Reminders


def age(cascade: Cascade, days: float) -> None:
    Cascade.objects.filter(pk=cascade.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_pending_offices_are_reminded_once_a_day_before_the_deadline(send, crew, offices):
    cascade = send(
        Cascade.Scope.CHOSEN, chosen=(JEPARA, SEMARANG), deadline=timezone.now() + timedelta(hours=20)
    )
    age(cascade, 2)
    cascade_decline(
        actor=crew["semarang_operator"], target=target_of(cascade, SEMARANG), reason="Tidak relevan"
    )

    assert cascade_remind_due() == 1
    assert cascade_remind_due() == 0

    reminders = Notification.objects.filter(kind=Notification.Kind.CASCADE_REMINDER)
    assert {n.recipient for n in reminders} == {crew["jepara_operator"], crew["jepara_editor"]}
    local = timezone.localtime(cascade.deadline, offices[JEPARA].zoneinfo)
    assert reminders.first().title == (
        f"Tenggat {local:%d-%m-%Y %H.%M} WIB: konten dari KPU Republik Indonesia belum diputuskan"
    )
    assert target_of(cascade, JEPARA).reminded_at is not None


def test_no_reminder_before_the_window_nor_for_a_cascade_sent_inside_it(send, settings):
    far = send(Cascade.Scope.CHOSEN, chosen=(JEPARA,), deadline=timezone.now() + timedelta(hours=30))
    age(far, 2)
    late = send(Cascade.Scope.CHOSEN, chosen=(SEMARANG,), deadline=timezone.now() + timedelta(hours=6))

    assert cascade_remind_due() == 0
    settings.HUMAS_CASCADE_REMINDER_HOURS = 36
    assert cascade_remind_due() == 1
    assert target_of(late, SEMARANG).reminded_at is None


# --------------------------------------------------------------------------------------------
# Auto-publish


def test_an_office_that_opted_in_adopts_new_cascades_automatically(
    send, crew, jepara, offices, django_capture_on_commit_callbacks
):
    cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[portal_of(jepara)])

    with django_capture_on_commit_callbacks(execute=True):
        cascade = send()

    adopted = target_of(cascade, JEPARA)
    assert (adopted.status, adopted.automatic, adopted.decided_by) == (
        Status.ADOPTED,
        True,
        crew["jepara_admin"],
    )
    assert adopted.post.status == Post.Status.PUBLISHED
    assert target_of(cascade, SEMARANG).status == Status.PENDING
    event = AuditEvent.objects.get(action="cascade.adopt_auto")
    assert event.actor == crew["jepara_admin"]


def test_auto_publish_inside_a_blackout_leaves_the_item_waiting_with_the_reason(
    send, crew, jepara, offices, django_capture_on_commit_callbacks
):
    cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[portal_of(jepara)])
    blackout_create(
        actor=crew["ri_admin"],
        office=offices[RI],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=1),
        reason="masa_tenang",
    )

    with django_capture_on_commit_callbacks(execute=True):
        cascade = send()

    waiting = target_of(cascade, JEPARA)
    assert waiting.status == Status.PENDING and "Masa tenang" in waiting.auto_error


def test_auto_publish_stops_when_its_administrator_left(
    send, crew, jepara, django_capture_on_commit_callbacks
):
    cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[portal_of(jepara)])
    Membership.objects.filter(user=crew["jepara_admin"]).delete()

    with django_capture_on_commit_callbacks(execute=True):
        cascade = send()

    waiting = target_of(cascade, JEPARA)
    assert waiting.status == Status.PENDING
    assert waiting.auto_error == (
        "Terbit otomatis berhenti: Admin Jepara bukan lagi Administrator kantor ini. Atur ulang di Pengaturan."
    )


@pytest.fixture
def jateng_opted_in(offices, member):
    """Every regency and city of Jawa Tengah adopting automatically on its portal, each set by an
    Administrator of its own: their codes."""
    codes = sorted(code for code in offices if code.startswith(JATENG + "."))
    for code in codes:
        cascade_auto_publish_set(
            actor=member(code, "admin"), office=offices[code], channels=[portal_of(offices[code])]
        )
    return codes


def test_a_cascade_is_adopted_in_a_few_lanes_each_queueing_its_next_batch(
    send, jateng_opted_in, monkeypatch, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    from humas.coordination import cascades

    monkeypatch.setattr(cascades, "AUTO_ADOPT_LANES", 2)

    def run(task):  # as a worker would, on this test's connection (not closed after it)
        getattr(cascades, task.name.rsplit(".", 1)[-1]).call_local(*task.args)

    HUEY.flush()
    HUEY.immediate = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cascade = send()
        head = [t for t in iter(HUEY.dequeue, None) if t.name.endswith("cascade_auto_publish_task")]
        assert len(head) == 1
        run(head[0])
        lanes = list(iter(HUEY.dequeue, None))
        assert len(lanes) == 2  # 35 offices: 5 batches in 2 lanes
        ids = sorted(cascade.targets.filter(office__code__in=jateng_opted_in).values_list("pk", flat=True))
        batches = [batch for lane in lanes for batch in [lane.args[0], *lane.args[1]]]
        assert sorted(pk for batch in batches for pk in batch) == ids
        assert max(len(batch) for batch in batches) == cascades.AUTO_ADOPT_BATCH
        assert sorted(len(lane.args[1]) for lane in lanes) == [1, 2]

        # A link adopts its batch, then queues its lane's next batch (and nothing else).
        longest = max(lanes, key=lambda lane: len(lane.args[1]))
        run(longest)
        assert cascade.targets.filter(status=Status.ADOPTED).count() == len(longest.args[0])
        (following,) = list(iter(HUEY.dequeue, None))
        assert following.args == (longest.args[1][0], longest.args[1][1:])
        queued = [lane for lane in lanes if lane is not longest] + [following]
        while queued:  # each lane to its end
            for link in queued:
                run(link)
            queued = list(iter(HUEY.dequeue, None))
    finally:
        HUEY.immediate = True
        HUEY.flush()
    assert cascade.targets.filter(status=Status.ADOPTED).count() == len(jateng_opted_in)
    assert Post.objects.filter(cascade_targets__cascade=cascade, status=Post.Status.PUBLISHED).count() == len(
        jateng_opted_in
    )


def test_a_batch_of_offices_is_adopted_in_the_same_few_queries_however_many(send, jateng_opted_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from humas.coordination.cascades import cascade_auto_adopt_many

    cascade = send()  # its tasks are not run: the commit never comes in this test
    ids = list(
        cascade.targets.filter(office__code__in=jateng_opted_in).order_by("pk").values_list("pk", flat=True)
    )
    counts = []
    for batch in (ids[:5], ids[5:]):
        with CaptureQueriesContext(connection) as queries:
            assert len(cascade_auto_adopt_many(target_ids=batch)) == len(batch)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 25, counts
    assert cascade.targets.filter(status=Status.ADOPTED, automatic=True).count() == len(ids) == 35


def test_one_office_failing_does_not_stop_the_others_of_its_batch(
    send, jateng_opted_in, offices, monkeypatch, django_capture_on_commit_callbacks
):
    from humas.coordination import cascades

    publish = cascades.posts_publish_from_above

    def broken_in_jepara(checked):
        if any(c.item.office.code == JEPARA for c in checked):
            raise RuntimeError("disk full")
        return publish(checked)

    # Jepara's batch fails together, then each office of it is written on its own.
    monkeypatch.setattr(cascades, "posts_publish_from_above", broken_in_jepara)
    with django_capture_on_commit_callbacks(execute=True):
        cascade = send()

    failed = target_of(cascade, JEPARA)
    assert failed.status == Status.PENDING and "kesalahan sistem" in failed.auto_error
    assert not Post.objects.filter(office=offices[JEPARA]).exists()
    assert cascade.targets.filter(status=Status.ADOPTED).count() == len(jateng_opted_in) - 1


def test_adoptions_a_lane_left_undone_are_taken_up_again(
    send, crew, jepara, offices, member, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    from humas.coordination.cascades import cascade_auto_adopt_due

    cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[portal_of(jepara)])
    HUEY.immediate = False
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cascade = send()
    finally:
        HUEY.flush()  # the worker died: the lanes are lost
        HUEY.immediate = True
    kudus = offices[KUDUS]
    # An office that opts in after the cascade came is not adopted by it behind its back.
    cascade_auto_publish_set(actor=member(KUDUS, "admin"), office=kudus, channels=[portal_of(kudus)])

    assert cascade_auto_adopt_due() == 0  # too early: the lanes may still be running
    Cascade.objects.filter(pk=cascade.pk).update(created_at=timezone.now() - timedelta(minutes=6))
    CascadeAutoPublish.objects.filter(office=jepara).update(updated_at=timezone.now() - timedelta(minutes=7))
    assert cascade_auto_adopt_due() == 1

    assert target_of(cascade, JEPARA).status == Status.ADOPTED
    assert target_of(cascade, KUDUS).status == Status.PENDING
    assert cascade_auto_adopt_due() == 0  # nothing left: idempotent


def test_only_an_administrator_sets_auto_publish_and_no_channels_switch_it_off(crew, jepara, offices):
    with pytest.raises(PolicyDenied):
        cascade_auto_publish_set(actor=crew["jepara_editor"], office=jepara, channels=[portal_of(jepara)])
    with pytest.raises(CascadeError, match="tidak menerima konten dari kantor atasan"):
        cascade_auto_publish_set(actor=crew["ri_admin"], office=offices[RI], channels=[])

    cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[portal_of(jepara)])
    assert CascadeAutoPublish.objects.get(office=jepara).set_by == crew["jepara_admin"]
    assert cascade_auto_publish_set(actor=crew["jepara_admin"], office=jepara, channels=[]) is None
    assert not CascadeAutoPublish.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="cascade.auto")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "cascade.auto_publish_set",
        "cascade.auto_publish_off",
    ]


def test_an_assisted_channel_delivery_waits_for_a_person_and_the_office_is_not_yet_published(
    send, crew, jepara, django_capture_on_commit_callbacks
):
    cascade = send()
    tiktok = Channel.objects.get(office=jepara, platform=Platform.TIKTOK)

    with django_capture_on_commit_callbacks(execute=True):
        adopted = cascade_adopt(
            actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[tiktok]
        )

    assert Delivery.objects.get(publication__post=adopted.post).state == Delivery.State.MANUAL
    row = next(
        r
        for r in cascade_board(actor=crew["ri_editor"], office=cascade.office, cascade=cascade).rows
        if r.office == jepara
    )
    assert row.status == Status.ADOPTED and row.published_at is None


def test_a_source_scheduled_for_later_goes_out_at_its_time_in_the_adopting_office(
    send, crew, jepara, national_post
):
    later = timezone.now() + timedelta(days=1)
    cascade = send(source=national_post(scheduled_at=later))

    adopted = cascade_adopt(
        actor=crew["jepara_operator"], target=target_of(cascade, JEPARA), channels=[portal_of(jepara)]
    )

    assert adopted.post.scheduled_at == later
    assert Delivery.objects.get(publication__post=adopted.post).next_attempt_at == later


# --------------------------------------------------------------------------------------------
# The approval from above (publishing.approved_above.post_publish_from_above) is given only where
# it is true


def test_the_approval_from_above_needs_an_approved_source_of_an_office_above(
    crew, jepara, offices, national_post
):
    from humas.publishing.approved_above import post_publish_from_above
    from humas.publishing.services import PublishingError

    portal = portal_of(jepara)

    def publish(source, *, actor=None, channels=None):
        return post_publish_from_above(
            actor=actor or crew["jepara_operator"],
            office=jepara,
            source=source,
            text="Teks dari atas.",
            link="",
            channels=channels if channels is not None else [portal],
        )

    unapproved = post_create(actor=crew["ri_operator"], office=offices[RI], text="Belum disetujui.")
    with pytest.raises(PublishingError, match="Konten sumber belum disetujui"):
        publish(unapproved)

    sibling = post_create(
        actor=crew["semarang_operator"],
        office=offices[SEMARANG],
        text="Dari Semarang.",
        channels=[portal_of(offices[SEMARANG])],
    )
    Post.objects.filter(pk=sibling.pk).update(status=Post.Status.APPROVED, approved_by=crew["jateng_editor"])
    sibling.refresh_from_db()
    with pytest.raises(PublishingError, match="bukan dari kantor di atas kantor ini"):
        publish(sibling)

    source = national_post()
    # Only the office's own active channels; someone of another office may not publish here.
    with pytest.raises(PublishingError, match="bukan kanal aktif kantor ini"):
        publish(source, channels=[portal_of(offices[SEMARANG])])
    with pytest.raises(PolicyDenied):
        publish(source, actor=crew["semarang_operator"])
    assert not Post.objects.filter(office=jepara).exists()

    post = publish(source)
    assert (post.status, post.approved_by, post.author) == (
        Post.Status.PUBLISHED,
        crew["ri_editor"],
        crew["jepara_operator"],
    )
    version = post.versions.get()
    assert (version.number, version.text, version.approved_by) == (1, "Teks dari atas.", crew["ri_editor"])
    assert list(post.channels.all()) == [portal]
    assert [d.channel for d in Delivery.objects.filter(publication__post=post)] == [portal]
    # The post's history reads as if it was written, approved from above and published in turn.
    assert list(
        AuditEvent.objects.filter(office_id=jepara.pk, action__startswith="p")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["post.create", "post.adopt_approved", "publication.create"]
