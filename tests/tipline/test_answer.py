"""Closing the loop with the tipper: a clarification published later answers the tips it matches,
and a tipper who left an e-mail is told once, in their language, then forgotten."""

from __future__ import annotations

import pytest
from django.core import mail

from humas.monitoring.clarify import narrative_clarification_draft
from humas.monitoring.models import Item
from humas.portal.models import Article
from humas.portal.services import article_approve, article_submit
from humas.tipline.answers import tip_notify, tips_answer
from humas.tipline.models import Tip
from humas.tipline.services import TipInput, tip_submit

from .conftest import HOAX

pytestmark = pytest.mark.django_db


def tip(jepara, text=HOAX, email="warga@example.org", language="id", capture=None):
    data = TipInput(text=text, contact_email=email, language=language)
    if capture is None:
        return tip_submit(office=jepara, data=data)
    with capture(execute=True):
        return tip_submit(office=jepara, data=data)


def test_a_clarification_published_later_tells_the_tipper_once(jepara, publish_clarification):
    waiting = tip(jepara)
    other = tip(jepara, text="Resep rendang padang yang empuk dan gurih", email="lain@example.org")
    article = publish_clarification()
    waiting.refresh_from_db()
    assert waiting.status == Tip.Status.ANSWERED
    assert waiting.answered_claim.article_id == article.pk
    assert waiting.notified_at is not None
    assert waiting.contact_email == ""  # told, then forgotten
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["warga@example.org"]
    assert waiting.reference in message.subject
    assert article.get_absolute_url() in message.body
    assert article.title in message.body
    other.refresh_from_db()
    assert other.status == Tip.Status.RECEIVED
    assert other.contact_email == "lain@example.org"
    # Again: nothing more is sent.
    assert tips_answer(claim_ids=[waiting.answered_claim_id]) == 0
    assert tip_notify(tip_id=waiting.pk) is False
    assert len(mail.outbox) == 1


def test_the_tipper_is_told_in_english_when_they_wrote_in_english(jepara, publish_clarification):
    tip(jepara, language="en")
    publish_clarification()
    assert len(mail.outbox) == 1
    assert "clarification" in mail.outbox[0].subject.lower()


def test_a_tip_without_contact_is_answered_and_nobody_is_mailed(jepara, publish_clarification):
    silent = tip(jepara, email="")
    publish_clarification()
    silent.refresh_from_db()
    assert silent.status == Tip.Status.ANSWERED
    assert silent.notified_at is None
    assert mail.outbox == []


def test_a_failed_mail_is_tried_again(jepara, publish_clarification, monkeypatch):
    waiting = tip(jepara)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("smtp down")

    monkeypatch.setattr("humas.tipline.answers.send_mail", broken)
    publish_clarification()  # the task's own retries are the queue's: here it fails once
    waiting.refresh_from_db()
    assert calls
    assert waiting.notified_at is None
    assert waiting.contact_email == "warga@example.org"
    monkeypatch.undo()
    assert tip_notify(tip_id=waiting.pk) is True
    assert len(mail.outbox) == 1


def test_the_clarification_made_from_the_tips_narrative_answers_it(
    jepara, operator, editor, django_capture_on_commit_callbacks
):
    waiting = tip(
        jepara,
        text="Petugas KPPS Jepara katanya dibayar untuk coblos sisa surat suara",
        capture=django_capture_on_commit_callbacks,
    )
    item = Item.objects.get(pk=waiting.item_id)
    assert item.narrative is not None
    article = narrative_clarification_draft(actor=operator, narrative=item.narrative, verdict="hoaks")
    with django_capture_on_commit_callbacks(execute=True):
        article_submit(actor=operator, article=article)
        article_approve(actor=editor, article=Article.objects.get(pk=article.pk))
    waiting.refresh_from_db()
    assert waiting.status == Tip.Status.ANSWERED
    assert waiting.answered_claim.article_id == article.pk
    assert len(mail.outbox) == 1


def test_contacts_of_tips_never_answered_are_forgotten(jepara):
    from datetime import timedelta

    from django.utils import timezone

    from humas.tipline.answers import ANSWER_DAYS, tips_forget_contacts

    old = tip(jepara)
    fresh = tip(jepara, email="baru@example.org")
    Tip.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - timedelta(days=ANSWER_DAYS + 1), contact_telegram=42
    )
    assert tips_forget_contacts() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.contact_email, old.contact_telegram) == ("", None)
    assert fresh.contact_email == "baru@example.org"
    assert tips_forget_contacts() == 0
