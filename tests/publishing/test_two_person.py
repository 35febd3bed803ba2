"""Konten posts under the two-person rule: the last changer cannot approve, a new schedule needs
a new approval, and the page shows who wrote and who approved each version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from humas.audit.models import AuditEvent
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Post, PostVersion
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import post_approve, post_create, post_submit, post_update

from .conftest import JEPARA

pytestmark = pytest.mark.django_db
BASE = "/app/kab-jepara/content/"


@pytest.fixture
def portal(offices):
    """The channel these posts go out on: KPU Jepara's own portal."""
    return portal_channel_ensure(office=offices[JEPARA])


def test_an_editor_who_edits_an_operators_post_cannot_submit_and_approve_it_himself(
    operator, editor, offices, portal
):
    post = post_create(
        actor=operator, office=offices[JEPARA], text="Pendaftaran pemantau dibuka.", channels=[portal]
    )
    post_submit(actor=operator, post=post)
    post = post_update(actor=editor, post=post, text="Pendaftaran pemantau dibuka hari ini.")
    post_submit(actor=editor, post=post)

    with pytest.raises(PolicyDenied) as refused:
        post_approve(actor=editor, post=post)

    assert str(refused.value) == "Anda tidak dapat menyetujui konten yang Anda tulis atau ubah terakhir."
    post.refresh_from_db()
    assert (post.status, post.approved_by, post.last_changed_by) == (Post.Status.IN_REVIEW, None, editor)
    assert not AuditEvent.objects.filter(action="post.approve").exists()
    assert not PostVersion.objects.exists()


def test_the_author_keeps_the_existing_message(editor, offices, portal):
    post = post_create(actor=editor, office=offices[JEPARA], text="Teks editor.", channels=[portal])
    post_submit(actor=editor, post=post)

    with pytest.raises(PolicyDenied) as refused:
        post_approve(actor=editor, post=post)

    assert str(refused.value) == "Anda tidak dapat menyetujui unggahan Anda sendiri."


def test_moving_an_approved_post_to_another_time_needs_a_new_approval(
    approved_post, operator, editor, portal
):
    planned = datetime(2030, 2, 10, 2, 0, tzinfo=UTC)
    post = approved_post(scheduled_at=planned, channels=[portal])
    quiet_period = planned + timedelta(days=1)

    post = post_update(actor=operator, post=post, text=post.text, link=post.link, scheduled_at=quiet_period)

    post.refresh_from_db()
    assert (post.status, post.approved_by, post.approved_at, post.scheduled_at) == (
        Post.Status.DRAFT,
        None,
        None,
        quiet_period,
    )
    event = AuditEvent.objects.filter(action="post.update").latest("pk")
    assert event.changes == {
        "fields": ["scheduled_at"],
        "status": {"before": "approved", "after": "draft"},
        "scheduled_at": {"before": planned.isoformat(), "after": quiet_period.isoformat()},
    }


def test_saving_an_approved_post_unchanged_keeps_its_approval(approved_post, operator, editor, portal):
    post = approved_post(scheduled_at=timezone.now() + timedelta(days=2), channels=[portal])

    post = post_update(
        actor=operator, post=post, text=post.text, link=post.link, scheduled_at=post.scheduled_at
    )

    assert (post.status, post.approved_by, post.last_changed_by) == (Post.Status.APPROVED, editor, operator)


def test_each_approval_is_a_version_with_its_writer_and_approver(
    approved_post, operator, editor, member, portal
):
    post = approved_post(channels=[portal])
    second_editor = member(JEPARA, "editor", email="editor.kedua@kpu.test")
    post = post_update(actor=editor, post=post, text="Teks yang diperbaiki editor.")
    post_submit(actor=editor, post=post)
    post_approve(actor=second_editor, post=post)

    versions = list(post.approval_history().values_list("number", "text", "written_by", "approved_by"))

    assert versions == [
        (2, "Teks yang diperbaiki editor.", editor.pk, second_editor.pk),
        (1, "Pendaftaran pemantau pemilu dibuka hari ini.", operator.pk, editor.pk),
    ]


def test_the_detail_page_shows_the_history_and_no_approve_button_for_the_last_changer(
    client, approved_post, operator, editor, portal
):
    post = approved_post(channels=[portal])
    post = post_update(actor=editor, post=post, text="Teks yang diperbaiki editor.")
    post_submit(actor=editor, post=post)
    client.force_login(editor)

    page = client.get(f"{BASE}{post.pk}/").content.decode()

    assert f"ditulis oleh {operator}" in page
    assert f"disetujui oleh {editor}" in page
    assert "Anda yang terakhir mengubah unggahan ini, jadi Editor lain yang menyetujuinya." in page
    assert f"{BASE}{post.pk}/approve/" not in page


def test_approving_through_the_page_as_the_last_changer_is_refused_with_a_message(
    client, approved_post, editor, portal
):
    post = approved_post(channels=[portal])
    post = post_update(actor=editor, post=post, text="Teks yang diperbaiki editor.")
    post_submit(actor=editor, post=post)
    client.force_login(editor)

    response = client.post(f"{BASE}{post.pk}/approve/", follow=True)

    assert (
        "Anda tidak dapat menyetujui konten yang Anda tulis atau ubah terakhir." in response.content.decode()
    )
    post.refresh_from_db()
    assert post.status == Post.Status.IN_REVIEW
