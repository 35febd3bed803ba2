"""The tipline bot against the strict Telegram fake (humas/channels/fakes/telegram.py): set up
with its token, a webhook the fake calls with the secret token (and a wrong secret refused),
long polling, a tip told in the chat after publication, and the 30 messages per second limit."""

from __future__ import annotations

import time

import pytest
import requests

from humas.portal.services import article_approve, article_create, article_submit
from humas.tipline import telegram
from humas.tipline.answers import tip_notify
from humas.tipline.models import Tip, TiplineBot
from humas.tipline.services import TipInput, tip_submit

from ..channels.conftest import serving_fakes
from ..factcheck.conftest import klarifikasi

pytestmark = pytest.mark.django_db(transaction=True)

KNOWN = "Katanya ada foto surat suara Jepara udah dicoblos duluan di gudang logistik KPU sebelum pemilu, bener gak?"
NEW = "Info: pemilih wajib membawa KTP asli ke TPS, fotokopi tidak berlaku"
PERSON = {"id": 5550001, "is_bot": False, "first_name": "Sari", "language_code": "id"}


@pytest.fixture
def world(settings, offices, member):
    # tests/tipline/conftest.py gives every test the knowledge base's background claims.
    with serving_fakes(settings) as fakes:
        bot = fakes.hub.telegram.add_bot(username="cekklaim_kpu_bot")
        admin = member("00", "admin", email="admin.ri@kpu.test")
        operator = member("33.20", "operator")
        editor = member("33.20", "editor")
        yield fakes, bot, admin, operator, editor


def publish(operator, editor, office, **fields):
    article = article_create(actor=operator, office=office, data=klarifikasi(**fields))
    article_submit(actor=operator, article=article)
    return article_approve(actor=editor, article=article)


def said(fakes, user_id=PERSON["id"]):
    return [m["text"] for m in fakes.hub.telegram.private_messages(bot="cekklaim_kpu_bot", user_id=user_id)]


def test_webhook_answers_a_hoax_and_tells_the_tipper_later(world, live_server, settings, offices):
    fakes, bot, admin, operator, editor = world
    settings.HUMAS_PUBLIC_BASE_URL = live_server.url
    known = publish(operator, editor, offices["33.20"])
    configured = telegram.bot_configure(actor=admin, token=bot["bot_token"], mode=TiplineBot.Mode.WEBHOOK)
    assert configured.username == "cekklaim_kpu_bot"
    api = telegram.connector(configured)
    assert api.webhook_info()["url"] == live_server.url + telegram.WEBHOOK_PATH
    api.close()

    first = fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=PERSON, text=KNOWN)
    assert first["webhook_status"] == 200
    assert known.title in said(fakes)[-1]

    fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=PERSON, text=NEW)
    assert "/lapor" in said(fakes)[-1]
    fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=PERSON, text="/lapor")
    tip = Tip.objects.get()
    assert tip.reference in said(fakes)[-1]
    assert tip.contact_telegram == PERSON["id"]

    publish(
        operator,
        editor,
        offices["33.20"],
        title="Tidak benar pemilih wajib membawa KTP asli ke TPS dan fotokopi tidak berlaku",
        claim=NEW,
        summary="Pemilih terdaftar dapat mencoblos dengan KTP-el; KPU tidak mewajibkan fotokopi.",
    )
    tip.refresh_from_db()
    assert tip.status == Tip.Status.ANSWERED
    assert tip.notified_at is not None
    told = said(fakes)[-1]
    assert tip.reference in told and "sudah diklarifikasi" in told


def test_a_wrong_secret_is_refused(world, live_server, settings):
    fakes, bot, admin, *_ = world
    settings.HUMAS_PUBLIC_BASE_URL = live_server.url
    telegram.bot_configure(actor=admin, token=bot["bot_token"], mode=TiplineBot.Mode.WEBHOOK)
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "/bantuan"},
    }
    url = live_server.url + telegram.WEBHOOK_PATH
    assert (
        requests.post(url, json=update, headers={telegram.SECRET_HEADER: "tebakan"}, timeout=10).status_code
        == 403
    )
    assert requests.post(url, json=update, timeout=10).status_code == 403


def test_long_polling_answers_too(world):
    fakes, bot, admin, operator, editor = world
    telegram.bot_configure(actor=admin, token=bot["bot_token"], mode=TiplineBot.Mode.POLLING)
    fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=PERSON, text="/start")
    fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=PERSON, text="/bantuan")
    assert telegram.updates_poll(seconds=2) == 2
    assert len(said(fakes)) == 2
    assert telegram.updates_poll(seconds=2) == 0  # confirmed: nothing read twice
    assert TiplineBot.objects.get(is_active=True).update_offset > 0


def test_a_wrong_token_is_refused_with_telegrams_reason(world):
    fakes, bot, admin, *_ = world
    with pytest.raises(telegram.TiplineError):
        telegram.bot_configure(actor=admin, token="7000000999:AA" + "x" * 35, mode=TiplineBot.Mode.POLLING)
    with pytest.raises(telegram.TiplineError):
        telegram.bot_configure(actor=admin, token="bukan token", mode=TiplineBot.Mode.POLLING)
    assert not TiplineBot.objects.exists()


def test_forty_tippers_told_at_once_stay_within_30_per_second(world, offices):
    fakes, bot, admin, operator, editor = world
    fakes.hub.limits.telegram_per_bot = 30
    configured = telegram.bot_configure(actor=admin, token=bot["bot_token"], mode=TiplineBot.Mode.POLLING)
    claim_article = publish(operator, editor, offices["33.20"])
    from humas.factcheck.models import Claim

    claim = Claim.objects.get(article=claim_article)
    tips = []
    for n in range(40):
        person = {**PERSON, "id": 6000000 + n}
        fakes.hub.telegram.add_private_message(bot="cekklaim_kpu_bot", user=person, text="halo")
        tip = tip_submit(office=offices["00"], data=TipInput(text=KNOWN, contact_telegram=person["id"]))
        Tip.objects.filter(pk=tip.pk).update(status=Tip.Status.ANSWERED, answered_claim=claim)
        tips.append(tip)
    assert configured.is_active
    started = time.monotonic()
    told = sum(tip_notify(tip_id=t.pk) for t in tips)
    elapsed = time.monotonic() - started
    assert told == 40
    assert all(said(fakes, 6000000 + n) for n in range(40))
    # 40 messages at 25 per second: more than a second, so never over the platform's 30.
    assert elapsed > 1.0
