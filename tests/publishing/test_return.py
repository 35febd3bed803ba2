"""Sending a post in review back to its author with a reason (#14): the approver's other answer.

The post goes back to draft, its author (and whoever changed it last) is told why, the post's
page shows the reason until the post is sent for review again, and the audit log says it."""

from __future__ import annotations

import pytest
from django.core import mail

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_sentence
from humas.notifications.models import Notification
from humas.offices.policy import PolicyDenied
from humas.publishing.models import Post
from humas.publishing.services import (
    RETURN_REASON_MAX,
    PublishingError,
    post_create,
    post_return,
    post_submit,
    post_update,
)

pytestmark = pytest.mark.django_db
Status = Post.Status
BASE = "/app/kab-jepara/content/"


@pytest.fixture
def in_review(operator, offices, member):
    def make(author=operator):
        post = post_create(
            actor=author, office=offices["33.20"], text="Coklit dimulai 12 Februari.", channels=[]
        )
        Post.objects.filter(pk=post.pk).update(status=Status.IN_REVIEW)  # channels do not matter here
        post.refresh_from_db()
        return post

    return make


def test_an_editor_sends_a_post_back_with_a_reason(
    in_review, operator, editor, django_capture_on_commit_callbacks
):
    post = in_review()

    with django_capture_on_commit_callbacks(execute=True):
        returned = post_return(actor=editor, post=post, reason="  Tanggalnya 12 Juni, bukan Februari. ")

    returned.refresh_from_db()
    assert returned.status == Status.DRAFT
    assert (returned.returned_by, returned.return_reason) == (editor, "Tanggalnya 12 Juni, bukan Februari.")
    assert returned.returned_at is not None
    event = AuditEvent.objects.get(action="post.return")
    assert event.changes["reason"] == "Tanggalnya 12 Juni, bukan Februari."
    assert event.changes["status"] == {"before": "in_review", "after": "draft"}
    assert audit_sentence(event) == (
        f"{editor.get_full_name()} mengembalikan unggahan “Coklit dimulai 12 Februari” ke penulisnya: "
        "Tanggalnya 12 Juni, bukan Februari."
    )
    [notification] = Notification.objects.all()
    assert notification.recipient == operator
    assert notification.kind == Notification.Kind.POST_RETURNED
    assert notification.link == f"{BASE}{post.pk}/"
    assert "Tanggalnya 12 Juni, bukan Februari." in notification.body
    assert [m.to for m in mail.outbox] == [[operator.email]]


def test_the_last_changer_is_told_too_but_never_the_approver_themself(
    in_review, operator, editor, member, django_capture_on_commit_callbacks
):
    other = member("33.20", "operator", email="operator2.jepara@kpu.test")
    post = in_review()
    post = post_update(actor=other, post=post, text="Coklit dimulai 12 Juni.")
    Post.objects.filter(pk=post.pk).update(status=Status.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        post_return(actor=editor, post=post, reason="Sebutkan jamnya.")

    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        operator.email,
        other.email,
    }


@pytest.mark.parametrize("reason", ["", "   ", "\x00"])
def test_a_reason_is_required(in_review, editor, reason):
    post = in_review()
    with pytest.raises(PublishingError, match="alasan"):
        post_return(actor=editor, post=post, reason=reason)
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW
    with pytest.raises(PublishingError, match=str(RETURN_REASON_MAX)):
        post_return(actor=editor, post=post, reason="x" * (RETURN_REASON_MAX + 1))


def test_only_an_approver_returns_and_only_a_post_in_review(in_review, operator, editor, offices):
    post = in_review()
    with pytest.raises(PolicyDenied):
        post_return(actor=operator, post=post, reason="Tidak setuju")
    draft = post_create(actor=operator, office=offices["33.20"], text="Draf", channels=[])
    with pytest.raises(PublishingError):
        post_return(actor=editor, post=draft, reason="Belum siap")


def test_submitting_again_clears_the_reason(in_review, operator, editor, connected):
    post = in_review()
    post_return(actor=editor, post=post, reason="Sebutkan jamnya.")
    post = post_update(
        actor=operator,
        post=post,
        text="Coklit dimulai 12 Juni pukul 08.00.",
        channels=[connected("telegram")],
    )

    post = post_submit(actor=operator, post=post)

    post.refresh_from_db()
    assert (post.status, post.returned_by, post.return_reason, post.returned_at) == (
        Status.IN_REVIEW,
        None,
        "",
        None,
    )


def test_the_post_page_offers_send_back_beside_approve_and_shows_the_reason(
    client, in_review, operator, editor, connected
):
    post = in_review()
    url = f"{BASE}{post.pk}/return/"
    client.force_login(operator)
    assert url not in client.get(f"{BASE}{post.pk}/").content.decode()
    assert client.post(url, {"reason": "x"}).status_code == 403

    client.force_login(editor)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f'action="{url}"' in page and "Kembalikan ke penulis" in page and "Setujui" in page
    assert 'name="reason"' in page

    refused = client.post(url, {"reason": " "})
    assert refused.status_code == 302
    post.refresh_from_db()
    assert post.status == Status.IN_REVIEW
    assert "Tuliskan alasan" in client.get(f"{BASE}{post.pk}/").content.decode()

    done = client.post(url, {"reason": "Tanggalnya 12 Juni."})
    assert done.status_code == 302 and done["Location"] == f"{BASE}{post.pk}/"

    client.force_login(operator)
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert f"Dikembalikan oleh {editor.get_full_name()}" in page
    assert "Tanggalnya 12 Juni." in page
    listing = client.get(BASE).content.decode()
    assert "dikembalikan" in listing

    post = post_update(actor=operator, post=post, text="Coklit 12 Juni.", channels=[connected("telegram")])
    client.post(f"{BASE}{post.pk}/submit/")
    assert "Dikembalikan oleh" not in client.get(f"{BASE}{post.pk}/").content.decode()
