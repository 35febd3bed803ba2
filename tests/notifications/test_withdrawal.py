"""After an emergency withdrawal the post says "Ditarik"; publishing it again needs a new approval."""

from __future__ import annotations

import pytest

from humas.publishing.delivery import publication_create, publication_withdraw
from humas.publishing.models import Post
from humas.publishing.services import PublishingError, post_approve, post_submit, post_update

pytestmark = pytest.mark.django_db
Status = Post.Status


def publish(actor, post, channels, capture):
    with capture(execute=True):
        return publication_create(actor=actor, post=post, channels=channels)


def test_withdrawing_the_only_publication_marks_the_post_withdrawn(
    client, fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    telegram = connected("telegram")
    post = approved_post()
    publication = publish(operator, post, [telegram], django_capture_on_commit_callbacks)
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED

    publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")

    post.refresh_from_db()
    assert post.status == Status.WITHDRAWN
    client.force_login(operator)
    listing = client.get("/app/kab-jepara/content/").content.decode()
    assert '<span class="status status-withdrawn">Ditarik</span>' in listing
    detail = client.get(f"/app/kab-jepara/content/{post.pk}/").content.decode()
    assert "Untuk menerbitkannya lagi" in detail
    assert f'action="/app/kab-jepara/content/{post.pk}/publish/"' not in detail


def test_a_post_live_in_another_publication_stays_published(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    telegram, x = connected("telegram"), connected("x")
    post = approved_post()
    first = publish(operator, post, [telegram], django_capture_on_commit_callbacks)
    second = publish(operator, post, [x], django_capture_on_commit_callbacks)

    publication_withdraw(actor=editor, publication=first, reason="Salah tanggal")
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED

    publication_withdraw(actor=editor, publication=second, reason="Salah tanggal")
    post.refresh_from_db()
    assert post.status == Status.WITHDRAWN


def test_a_publication_that_never_went_out_does_not_keep_the_post_live(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    x, telegram = connected("x"), connected("telegram")
    post = approved_post()
    fakes.hub.add_fault(platform="x", kind="error", status=400, code=None, times=1)
    failed = publish(operator, post, [x], django_capture_on_commit_callbacks)
    assert failed.deliveries.get().state == "failed"
    sent = publish(operator, post, [telegram], django_capture_on_commit_callbacks)

    publication_withdraw(actor=editor, publication=sent, reason="Salah tanggal")

    post.refresh_from_db()
    assert post.status == Status.WITHDRAWN


def test_publishing_again_needs_a_new_approval(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    channel = connected("telegram")
    post = approved_post()
    publication_withdraw(
        actor=editor,
        publication=publish(operator, post, [channel], django_capture_on_commit_callbacks),
        reason="Salah tanggal",
    )
    post.refresh_from_db()

    with pytest.raises(PublishingError):
        publication_create(actor=operator, post=post, channels=[channel])

    post = post_update(actor=operator, post=post, text="Ralat: pendaftaran pemantau dibuka besok.")
    assert (post.status, post.approved_by) == (Status.DRAFT, None)
    post = post_submit(actor=operator, post=post)
    assert (post.status, post.approved_by) == (Status.IN_REVIEW, None)
    post = post_approve(actor=editor, post=post)
    again = publish(operator, post, [channel], django_capture_on_commit_callbacks)

    assert again.deliveries.get().state == "sent"
    post.refresh_from_db()
    assert post.status == Status.PUBLISHED


def test_an_unchanged_withdrawn_post_can_be_sent_for_review_from_its_page(
    client, fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    telegram = connected("telegram")
    post = approved_post()
    publication_withdraw(
        actor=editor,
        publication=publish(operator, post, [telegram], django_capture_on_commit_callbacks),
        reason="Salah tanggal",
    )
    client.force_login(operator)
    assert "Kirim untuk disetujui" in client.get(f"/app/kab-jepara/content/{post.pk}/").content.decode()

    client.post(f"/app/kab-jepara/content/{post.pk}/submit/")

    post.refresh_from_db()
    assert (post.status, post.approved_by) == (Status.IN_REVIEW, None)
