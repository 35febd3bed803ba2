"""The Telegram tipline bot's conversation, its webhook and its answers to tippers (the platform
replaced by a recorder here; tests/tipline/test_telegram_fake.py runs it against the strict fake)."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from humas.channels import crypto
from humas.tipline import telegram
from humas.tipline.models import Tip, TiplineBot, TiplineUpdate

from .conftest import HOAX

pytestmark = pytest.mark.django_db

REWORDED = "Katanya ada foto surat suara Jepara udah dicoblos duluan di gudang logistik KPU sebelum pemilu, bener gak?"
NEW = "Info: pemilih wajib membawa KTP asli ke TPS, fotokopi tidak berlaku"


@pytest.fixture
def bot(offices):
    return TiplineBot.objects.create(
        token_ciphertext=crypto.encrypt("123456:" + "A" * 35),
        secret_ciphertext=crypto.encrypt("rahasia-webhook"),
        bot_id=123456,
        username="cekklaim_kpu_bot",
        mode=TiplineBot.Mode.WEBHOOK,
    )


@pytest.fixture
def sent(monkeypatch):
    """What the bot sent, as (chat id, text)."""
    out: list[tuple[int, str]] = []

    def record(bot, chat_id, text):
        out.append((chat_id, text))
        return True

    monkeypatch.setattr(telegram, "send", record)
    return out


def update(update_id, text, *, chat_id=777, language="id", forwarded=False, chat_type="private"):
    message = {
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Warga", "language_code": language},
        "text": text,
    }
    if forwarded:
        message["forward_origin"] = {"type": "hidden_user", "sender_user_name": "Grup WA", "date": 1}
    return {"update_id": update_id, "message": message}


def test_a_forwarded_hoax_is_answered_with_its_clarification(bot, sent, publish_clarification):
    article = publish_clarification()
    assert telegram.update_handle(update(1, REWORDED, forwarded=True))
    chat, text = sent[-1]
    assert chat == 777
    assert "sudah diklarifikasi" in text
    assert article.title in text
    assert article.get_absolute_url() in text
    assert "<b>" in text  # the verdict, in Telegram's HTML


def test_english_speakers_are_answered_in_english(bot, sent, publish_clarification):
    publish_clarification()
    telegram.update_handle(update(2, "/cek " + REWORDED, language="en-US"))
    assert "already been clarified" in sent[-1][1]


def test_no_match_then_lapor_makes_a_tip_told_later_on_telegram(
    bot, sent, publish_clarification, django_capture_on_commit_callbacks
):
    publish_clarification()
    telegram.update_handle(update(3, NEW))
    assert "/lapor" in sent[-1][1]
    with django_capture_on_commit_callbacks(execute=True):
        telegram.update_handle(update(4, "/lapor"))
    tip = Tip.objects.get()
    assert tip.channel == Tip.Channel.TELEGRAM
    assert tip.text == NEW
    assert tip.contact_telegram == 777
    assert tip.office.code == "00"
    assert tip.reference in sent[-1][1]
    # A clarification of it is published: the tipper is told in the chat, once.
    before = len(sent)
    publish_clarification(
        title="Tidak benar pemilih wajib membawa KTP asli ke TPS dan fotokopi tidak berlaku",
        claim=NEW,
        summary="Pemilih terdaftar dapat mencoblos dengan KTP-el; KPU tidak mewajibkan fotokopi.",
    )
    tip.refresh_from_db()
    assert tip.status == Tip.Status.ANSWERED
    assert tip.contact_telegram is None  # told, then forgotten
    told = sent[before:]
    assert len(told) == 1
    assert told[0][0] == 777
    assert tip.reference in told[0][1]
    assert mail.outbox == []


def test_lapor_with_text_and_a_bare_lapor_with_nothing_checked(bot, sent):
    telegram.update_handle(update(5, "/lapor"))
    assert "diikuti pesan" in sent[-1][1]
    assert not Tip.objects.exists()
    telegram.update_handle(update(6, "/lapor " + HOAX))
    assert Tip.objects.get().text == HOAX


def test_start_help_unknown_and_a_linked_tip(bot, sent, offices):
    telegram.update_handle(update(7, "/start"))
    assert "/cek" in sent[-1][1]
    telegram.update_handle(update(8, "/bantuan"))
    assert "/lapor" in sent[-1][1]
    telegram.update_handle(update(9, "/apaini"))
    assert "tidak dikenal" in sent[-1][1]
    from humas.tipline.services import TipInput, tip_submit

    tip = tip_submit(office=offices["33.20"], data=TipInput(text=HOAX))
    telegram.update_handle(update(10, f"/start {tip.reference}"))
    tip.refresh_from_db()
    assert tip.contact_telegram == 777
    assert tip.reference in sent[-1][1]


def test_an_update_is_handled_once_and_groups_are_ignored(bot, sent):
    assert telegram.update_handle(update(11, "/bantuan"))
    assert not telegram.update_handle(update(11, "/bantuan"))
    assert len(sent) == 1
    assert not telegram.update_handle(update(12, "/bantuan", chat_type="supergroup"))
    assert len(sent) == 1


def test_a_flood_from_one_chat_is_told_to_wait(bot, sent, settings):
    for n in range(telegram.CHECKS_PER_MINUTE):
        telegram.update_handle(update(100 + n, "pemilu ditunda"))
    telegram.update_handle(update(200, "pemilu ditunda"))
    assert "Terlalu banyak permintaan" in sent[-1][1]


def test_the_webhook_checks_the_secret(client, bot, sent):
    body = json.dumps(update(20, "/bantuan"))
    wrong = client.post(
        "/hooks/telegram/tipline/",
        body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="x",
    )
    assert wrong.status_code == 403
    missing = client.post("/hooks/telegram/tipline/", body, content_type="application/json")
    assert missing.status_code == 403
    assert sent == []
    ok = client.post(
        "/hooks/telegram/tipline/",
        body,
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="rahasia-webhook",
    )
    assert ok.status_code == 200
    assert sent and "/lapor" in sent[-1][1]
    assert TiplineUpdate.objects.filter(update_id=20).exists()
    garbage = client.post(
        "/hooks/telegram/tipline/",
        "{",
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN="rahasia-webhook",
    )
    assert garbage.status_code == 400


def test_no_bot_no_webhook(client, sent):
    assert client.post("/hooks/telegram/tipline/", "{}", content_type="application/json").status_code == 404


def test_the_token_is_stored_encrypted(bot):
    token = "123456:" + "A" * 35
    assert token not in bot.token_ciphertext and "A" * 35 not in bot.token_ciphertext
    assert "rahasia" not in bot.secret_ciphertext
    assert crypto.decrypt(bot.token_ciphertext) == token
    assert "A" * 35 not in repr(bot) and "A" * 35 not in str(bot)
