"""Own clarifications in the knowledge base: in step with the portal through its real services."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from humas.factcheck.models import Claim
from humas.factcheck.services import SyncResult, claim_sync_from_article, claims_sync_all
from humas.factcheck.tasks import sync_claims_task
from humas.portal.models import Article
from humas.portal.services import (
    article_approve,
    article_create,
    article_publish_approved_post,
    article_publish_due,
    article_submit,
    article_unpublish,
    article_update,
    article_withdraw_published_post,
)
from humas.portal.signals import article_publication_changed

from .conftest import CLAIM, klarifikasi

pytestmark = pytest.mark.django_db

EXPECTED_TEXT = (
    CLAIM + "\n\n"
    "Foto yang beredar adalah surat suara contoh untuk sosialisasi.\n\n"
    "Foto tersebut memperlihatkan surat suara contoh bertanda SPESIMEN.\n"
    "Surat suara asli disimpan tersegel & diawasi Bawaslu."
)


def test_a_published_clarification_becomes_an_active_own_claim(publish_clarification, jepara, changed_ids):
    article = publish_clarification()

    claim = Claim.objects.get()
    assert claim.kind == "own"
    assert claim.article_id == article.pk
    assert claim.office_id == jepara.pk
    assert claim.title == "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan"
    assert claim.text == EXPECTED_TEXT  # the claim, then the explanation as plain text
    assert claim.verdict == "hoaks"
    assert claim.verdict_label == "HOAKS"
    assert claim.url == f"http://testserver/kab-jepara/klarifikasi/{article.slug}/"
    assert claim.published_at == article.published_at
    assert claim.is_active is True
    assert (claim.source_name, claim.external_id) == ("", "")
    assert changed_ids == [[claim.pk]]


def test_the_address_is_on_the_offices_own_host_when_it_has_one(settings, publish_clarification):
    settings.HUMAS_SITE_HOSTS = {"kpu-jepara.example.org": "kab-jepara"}

    article = publish_clarification()

    assert Claim.objects.get().url == f"https://kpu-jepara.example.org/kab-jepara/klarifikasi/{article.slug}/"


def test_other_articles_and_unpublished_clarifications_stay_out(
    operator, editor, jepara, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        news = article_create(
            actor=operator, office=jepara, data=klarifikasi(type="berita", claim="", verdict="")
        )
        article_submit(actor=operator, article=news)
        article_approve(actor=editor, article=news)
        draft = article_create(actor=operator, office=jepara, data=klarifikasi())
        article_submit(actor=operator, article=draft)

    assert Claim.objects.count() == 0


def test_a_typo_correction_of_a_published_clarification_updates_its_claim(
    publish_clarification, operator, second_editor, django_capture_on_commit_callbacks, changed_ids
):
    article = publish_clarification()
    claim = Claim.objects.get()
    before = claim.updated_at

    with django_capture_on_commit_callbacks(execute=True):
        article_update(
            actor=second_editor,
            article=article,
            data=klarifikasi(summary="Foto yang beredar adalah surat suara contoh untuk sosialisai."),
            typo_correction=True,
        )

    claim.refresh_from_db()
    assert Article.objects.get(pk=article.pk).status == "published"
    assert claim.is_active is True
    assert "contoh untuk sosialisai." in claim.text
    assert claim.updated_at > before
    assert changed_ids == [[claim.pk], [claim.pk]]


def test_an_edit_takes_the_claim_out_until_it_is_published_again(
    publish_clarification, operator, editor, second_editor, django_capture_on_commit_callbacks
):
    article = publish_clarification()

    with django_capture_on_commit_callbacks(execute=True):
        article = article_update(
            actor=second_editor,
            article=article,
            data=klarifikasi(title="Surat suara tercoblos di Jepara: hoaks"),
        )
    claim = Claim.objects.get()
    assert article.status == "in_review"
    assert claim.is_active is False
    assert claim.title == "Tidak benar surat suara di Jepara sudah dicoblos sebelum hari pemungutan"

    with django_capture_on_commit_callbacks(execute=True):
        article_approve(actor=editor, article=article)
    claim.refresh_from_db()
    assert claim.is_active is True
    assert claim.title == "Surat suara tercoblos di Jepara: hoaks"
    assert Claim.objects.count() == 1


def test_withdrawing_a_clarification_deactivates_its_claim(
    publish_clarification, editor, django_capture_on_commit_callbacks, changed_ids
):
    article = publish_clarification()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=editor, article=article, reason="Salah kantor")

    claim = Claim.objects.get()
    assert claim.is_active is False
    assert changed_ids == [[claim.pk], [claim.pk]]


def test_a_scheduled_clarification_enters_when_it_is_published_when_due(
    operator, editor, jepara, django_capture_on_commit_callbacks
):
    due = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        article = article_create(actor=operator, office=jepara, data=klarifikasi())
        article_submit(actor=operator, article=article)
        article_approve(actor=editor, article=article, publish_at=due)
    assert Claim.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert article_publish_due(now=due + timedelta(minutes=1)) == 1

    claim = Claim.objects.get()
    assert claim.article_id == article.pk
    assert claim.is_active is True


def test_a_clarification_published_and_withdrawn_through_publishing_follows(
    operator, editor, jepara, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = article_publish_approved_post(
            publisher=operator, approver=editor, author=operator, office=jepara, data=klarifikasi()
        )
    assert Claim.objects.get().is_active is True

    with django_capture_on_commit_callbacks(execute=True):
        article_withdraw_published_post(actor=None, article=article)
    assert Claim.objects.get().is_active is False


def test_a_failing_receiver_is_logged_and_the_publication_stands(publish_clarification, caplog):
    def broken(**_):
        raise RuntimeError("receiver down")

    article_publication_changed.connect(broken, dispatch_uid="tests.factcheck.broken")
    try:
        with caplog.at_level(logging.ERROR, logger="django.dispatch"):
            article = publish_clarification()
    finally:
        article_publication_changed.disconnect(dispatch_uid="tests.factcheck.broken")

    assert Article.objects.get(pk=article.pk).status == "published"
    assert Claim.objects.get().is_active is True  # the knowledge base's own receiver ran
    assert [r.exc_info[1].args for r in caplog.records if r.exc_info] == [("receiver down",)]


def test_the_backfill_catches_up_and_is_idempotent(operator, editor, jepara):
    # Published without the after-commit work: the knowledge base missed it.
    article = article_create(actor=operator, office=jepara, data=klarifikasi())
    article_submit(actor=operator, article=article)
    article_approve(actor=editor, article=article)
    assert Claim.objects.count() == 0

    assert claims_sync_all() == SyncResult(created=1)
    assert claims_sync_all() == SyncResult(unchanged=1)
    claim = Claim.objects.get()
    assert (claim.article_id, claim.is_active) == (article.pk, True)

    article_unpublish(actor=editor, article=article)
    assert claims_sync_all() == SyncResult(deactivated=1)
    assert claims_sync_all() == SyncResult()
    claim.refresh_from_db()
    assert claim.is_active is False


def test_the_hourly_task_runs_the_backfill(operator, editor, jepara):
    article = article_create(actor=operator, office=jepara, data=klarifikasi())
    article_submit(actor=operator, article=article)
    article_approve(actor=editor, article=article)

    sync_claims_task.call_local()

    assert Claim.objects.get().article_id == article.pk


def test_syncing_an_unknown_article_does_nothing(db):
    assert claim_sync_from_article(article_id=987654) is None
    assert Claim.objects.count() == 0
