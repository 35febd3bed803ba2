"""The Telegram fake for a tipline bot: people writing to a bot privately, the bot answering
them (never first, never once blocked), HTML parse mode, webhooks and their delivery, the limit of
30 messages per second, the fake's page. Everything through HTTP, as the bot would see it."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from humas.channels.fakes import Limits, Settings
from humas.channels.fakes.telegram import TelegramFake

BOT = "kpu_demo1_bot"
OTHER_BOT = "kpu_demo2_bot"
SITI = {"user_id": 424242, "first_name": "Siti", "username": "siti_w", "language_code": "id"}


@pytest.fixture
def http(fakes):
    with httpx.Client(base_url=fakes.base_url, timeout=5.0) as client:
        yield client


@pytest.fixture
def token(account):
    return account["telegram"]["bot_token"]


class Receiver:
    """A webhook endpoint: records each request and answers ``status`` (after ``on_request``)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append({"path": self.path, "headers": headers, "body": body})
            if state.on_request is not None:
                state.on_request(body)
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/telegram/tipline/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def write(http: httpx.Client, text: str, *, bot: str = BOT, **person: Any) -> httpx.Response:
    return http.post("/_control/telegram/private", json={"bot": bot, **SITI, **person, "text": text})


def call(http: httpx.Client, token: str, method: str, **params: Any) -> dict[str, Any]:
    return http.post(f"/bot{token}/{method}", json=params).json()


def bot_token(http: httpx.Client, username: str) -> str:
    accounts = http.get("/_control/accounts").json()["accounts"]
    return next(a["telegram"]["bot_token"] for a in accounts if a["telegram"]["bot_username"] == username)


def error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


SITI_USER = {"id": 424242, "is_bot": False, "first_name": "Siti", "username": "siti_w", "language_code": "id"}
SITI_CHAT = {"id": 424242, "first_name": "Siti", "username": "siti_w", "type": "private"}


# --- people writing privately -------------------------------------------------------------------


def test_a_private_message_reaches_the_bot_as_an_update_with_its_command(http, token, clock, account):
    written = write(http, "/cek Pemilu diundur ke 2030")
    updates = call(http, token, "getUpdates", offset=0)["result"]
    other = call(http, bot_token(http, OTHER_BOT), "getUpdates")["result"]

    assert written.status_code == 201
    assert written.json() == {"update_id": updates[0]["update_id"], "message_id": 1, "webhook_status": None}
    assert updates == [
        {
            "update_id": updates[0]["update_id"],
            "message": {
                "message_id": 1,
                "from": SITI_USER,
                "chat": SITI_CHAT,
                "date": int(clock.epoch()),
                "text": "/cek Pemilu diundur ke 2030",
                "entities": [{"offset": 0, "length": 4, "type": "bot_command"}],
            },
        }
    ]
    assert other == []  # the other bot hears nothing of it


def test_commands_and_links_are_entities_in_utf16_units(http, token):
    write(http, "😀 lihat https://kpu.go.id/berita/1. lalu /lapor@kpu_demo1_bot")
    write(http, "/start", user_id=77, first_name="Budi", username="", language_code="")

    first, second = call(http, token, "getUpdates")["result"]

    assert first["message"]["entities"] == [
        {"offset": 9, "length": 26, "type": "url"},
        {"offset": 42, "length": 20, "type": "bot_command"},
    ]
    assert second["message"]["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert second["message"]["from"] == {"id": 77, "is_bot": False, "first_name": "Budi"}
    assert second["message"]["chat"] == {"id": 77, "first_name": "Budi", "type": "private"}


def test_a_forwarded_channel_post_carries_its_forward_origin(http, token, clock, account):
    write(http, "Pemilu diundur!", forward_from_chat_title="KPU Demo 1")
    write(http, "TPS dipindah", forward_from_chat_title="Kabar Viral 24")

    known, elsewhere = (u["message"] for u in call(http, token, "getUpdates")["result"])

    assert known["forward_origin"] == {
        "type": "channel",
        "chat": {
            "id": account["telegram"]["chat_id"],
            "title": "KPU Demo 1",
            "type": "channel",
            "username": "kpu_demo1",
        },
        "message_id": 1,
        "date": int(clock.epoch()) - 3600,
    }
    assert elsewhere["forward_origin"]["type"] == "channel"
    assert elsewhere["forward_origin"]["chat"]["title"] == "Kabar Viral 24"
    assert elsewhere["forward_origin"]["chat"]["type"] == "channel"
    assert elsewhere["forward_origin"]["chat"]["id"] < -1001000000000
    assert "entities" not in elsewhere


def test_the_python_api_checks_what_it_is_given(fakes):
    telegram = fakes.hub.telegram
    person = {"id": 5, "is_bot": False, "first_name": "Ani"}

    with pytest.raises(ValueError, match="no bot"):
        telegram.add_private_message(bot="nobody_bot", user=person, text="halo")
    with pytest.raises(ValueError, match="not a bot"):
        telegram.add_private_message(bot=BOT, user={**person, "is_bot": True}, text="halo")
    with pytest.raises(ValueError, match="unknown fields"):
        telegram.add_private_message(bot=BOT, user={**person, "phone": "0812"}, text="halo")
    with pytest.raises(ValueError, match="forward_origin"):
        telegram.add_private_message(bot=BOT, user=person, text="halo", forward_origin={"type": "x"})
    with pytest.raises(ValueError, match="never wrote"):
        telegram.block_user(bot=BOT, user_id=5)
    assert telegram.private_messages(bot=BOT, user_id=5) == []

    origin = {"type": "hidden_user", "sender_user_name": "Anonim", "date": 1}
    added = telegram.add_private_message(bot=f"@{BOT}", user=person, text="halo", forward_origin=origin)

    assert added["message_id"] == 1 and added["webhook_status"] is None


def test_the_control_api_refuses_a_bad_private_message(http):
    unknown_bot = write(http, "halo", bot="nobody_bot")
    missing = http.post("/_control/telegram/private", json={"bot": BOT, "user_id": 1, "text": "x"})
    blank = write(http, "   ")

    assert unknown_bot.status_code == 400 and "no bot @nobody_bot" in unknown_bot.json()["error"]
    assert missing.status_code == 400 and "first_name" in missing.json()["error"]
    assert blank.status_code == 400


# --- the bot answering ---------------------------------------------------------------------------


def test_a_bot_answers_only_a_person_who_wrote_to_it(http, token, account, clock):
    other_token = bot_token(http, OTHER_BOT)
    stranger = call(http, token, "sendMessage", chat_id=999, text="Halo")
    write(http, "Benarkah pemilu diundur?")
    not_to_me = call(http, other_token, "sendMessage", chat_id=424242, text="Halo")
    to_a_bot = call(http, token, "sendMessage", chat_id=account["telegram"]["bot_id"] + 1, text="Halo")

    answer = call(
        http,
        token,
        "sendMessage",
        chat_id=424242,
        text='<b>Hoaks.</b> Lihat <a href="https://kpu.go.id/k/1">klarifikasi</a> &amp; /lapor',
        parse_mode="HTML",
        link_preview_options={"is_disabled": True},
        reply_markup={"inline_keyboard": [[{"text": "Laporkan", "callback_data": "lapor"}]]},
        reply_parameters={"message_id": 1},
    )

    assert stranger == error(400, "Bad Request: chat not found")
    assert not_to_me == error(403, "Forbidden: bot can't initiate conversation with a user")
    assert to_a_bot == error(403, "Forbidden: bot can't send messages to bots")
    assert answer["ok"] is True
    result = answer["result"]
    assert result["message_id"] == 2
    assert result["from"] == {
        "id": account["telegram"]["bot_id"],
        "is_bot": True,
        "first_name": "Kpu_Demo1",
        "username": BOT,
    }
    assert result["chat"] == SITI_CHAT
    assert result["text"] == "Hoaks. Lihat klarifikasi & /lapor"
    assert result["entities"] == [
        {"offset": 0, "length": 6, "type": "bold"},
        {"offset": 13, "length": 11, "type": "text_link", "url": "https://kpu.go.id/k/1"},
    ]
    assert result["reply_to_message"]["text"] == "Benarkah pemilu diundur?"
    assert result["link_preview_options"] == {"is_disabled": True}
    assert result["reply_markup"] == {"inline_keyboard": [[{"text": "Laporkan", "callback_data": "lapor"}]]}
    sent = http.get("/_control/telegram/private", params={"bot": BOT, "user_id": 424242}).json()
    assert sent == {
        "messages": [
            {
                "message_id": 2,
                "date": int(clock.epoch()),
                "text": '<b>Hoaks.</b> Lihat <a href="https://kpu.go.id/k/1">klarifikasi</a> &amp; /lapor',
                "parse_mode": "HTML",
                "reply_markup": {"inline_keyboard": [[{"text": "Laporkan", "callback_data": "lapor"}]]},
                "link_preview_options": {"is_disabled": True},
                "reply_to_message_id": 1,
            }
        ]
    }
    assert http.get("/_control/telegram/private", params={"bot": OTHER_BOT, "user_id": 424242}).json() == {
        "messages": []
    }


def test_a_person_in_a_discussion_group_is_known_but_not_written_to_first(fakes, http, token, account):
    group = fakes.hub.telegram.add_discussion_group(account["telegram"]["chat_id"])
    fakes.hub.telegram.add_group_message(group["chat_id"], "Hoaks!", "andi")
    andi = fakes.hub.telegram.messages[(group["chat_id"], 1)].author["id"]

    answer = call(http, token, "sendMessage", chat_id=andi, text="Halo")

    assert answer == error(403, "Forbidden: bot can't initiate conversation with a user")


def test_a_blocked_bot_cannot_write_until_the_person_writes_again(http, token):
    write(http, "halo")
    blocked = http.post("/_control/telegram/block", json={"bot": BOT, "user_id": 424242})
    refused = call(http, token, "sendMessage", chat_id=424242, text="Ada kabar baru")
    never = http.post("/_control/telegram/block", json={"bot": BOT, "user_id": 1})
    write(http, "/start")
    again = call(http, token, "sendMessage", chat_id=424242, text="Selamat datang kembali")

    assert blocked.json() == {"blocked": True}
    assert refused == error(403, "Forbidden: bot was blocked by the user")
    assert never.status_code == 400
    assert again["ok"] is True and again["result"]["message_id"] == 3
    sent = http.get("/_control/telegram/private", params={"bot": BOT, "user_id": 424242}).json()["messages"]
    assert [m["text"] for m in sent] == ["Selamat datang kembali"]


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("Hasil: <br>selesai", 'Unsupported start tag "br" at byte offset 7'),
        ("é <b>tebal", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>tebal</i>", 'Unmatched end tag at byte offset 8, expected "</b>", found "</i>"'),
        ("tebal</b>", "Unexpected end tag at byte offset 5"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ('<a href="https://kpu.go.id>x</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_html_parse_mode_refuses_what_telegram_refuses(http, token, text, description):
    write(http, "halo")

    answer = call(http, token, "sendMessage", chat_id=424242, text=text, parse_mode="HTML")
    plain = call(http, token, "sendMessage", chat_id=424242, text=text)

    assert answer == error(400, f"Bad Request: can't parse entities: {description}")
    assert plain["ok"] is True and plain["result"]["text"] == text  # without parse_mode, text is text


def test_html_parse_mode_takes_every_tag_telegram_supports(http, token):
    write(http, "halo")
    text = (
        "<strong>a</strong><em>b</em><u>c</u><ins>d</ins><s>e</s><strike>f</strike><del>g</del>"
        '<code>h</code><pre><code class="language-python">i</code></pre><blockquote expandable>j</blockquote>'
        '<tg-spoiler>k</tg-spoiler><span class="tg-spoiler">l</span><B>m</B><i><b>n</b></i>&#128512;'
    )

    result = call(http, token, "sendMessage", chat_id=424242, text=text, parse_mode="HTML")["result"]

    assert result["text"] == "abcdefghijklmn😀"
    assert [(e["offset"], e["type"]) for e in result["entities"]] == [
        (0, "bold"),
        (1, "italic"),
        (2, "underline"),
        (3, "underline"),
        (4, "strikethrough"),
        (5, "strikethrough"),
        (6, "strikethrough"),
        (7, "code"),
        (8, "pre"),
        (9, "expandable_blockquote"),
        (10, "spoiler"),
        (11, "spoiler"),
        (12, "bold"),
        (13, "bold"),
        (13, "italic"),
    ]
    assert result["entities"][8]["language"] == "python"


def test_the_text_limit_counts_what_a_person_reads(http, token):
    write(http, "halo")

    too_long = call(http, token, "sendMessage", chat_id=424242, text="a" * 4097)
    tagged = call(http, token, "sendMessage", chat_id=424242, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    tags_only = call(http, token, "sendMessage", chat_id=424242, text="<b></b>", parse_mode="HTML")

    assert too_long == error(400, "Bad Request: message is too long")
    assert tagged["ok"] is True
    assert tags_only == error(400, "Bad Request: message text is empty")


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ("tombol", "Bad Request: can't parse reply keyboard markup JSON object"),
        ([["Ya", "Tidak"]], "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"tombol": 1}, "Bad Request: can't parse reply keyboard markup JSON object"),
        (
            {"inline_keyboard": [{"text": "Ya"}]},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
        ),
        (
            {"inline_keyboard": [[{"text": "Ya"}]]},
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        ),
        (
            {"inline_keyboard": [[{"text": "Ya", "callback_data": "x" * 65}]]},
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        ({"inline_keyboard": [[{"text": "Ya", "url": "kpu.go.id"}]]}, "Bad Request: BUTTON_URL_INVALID"),
    ],
)
def test_reply_markup_must_be_a_keyboard_object(http, token, markup, description):
    write(http, "halo")

    answer = call(http, token, "sendMessage", chat_id=424242, text="Pilih", reply_markup=markup)

    assert answer == error(400, description)
    assert http.get("/_control/telegram/private", params={"bot": BOT, "user_id": 424242}).json() == {
        "messages": []
    }


def test_a_reply_to_a_message_the_chat_does_not_have_is_refused(http, token):
    write(http, "halo")

    answer = call(http, token, "sendMessage", chat_id=424242, text="Ya", reply_parameters={"message_id": 9})
    lenient = call(
        http,
        token,
        "sendMessage",
        chat_id=424242,
        text="Ya",
        reply_parameters={"message_id": 9, "allow_sending_without_reply": True},
    )

    assert answer == error(400, "Bad Request: message to be replied not found")
    assert lenient["ok"] is True and "reply_to_message" not in lenient["result"]


# --- webhooks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"url": "http://kpu.go.id/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "ftp://kpu.go.id/hook"},
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        ),
        (
            {"url": "https://kpu.go.id:8080/hook"},
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
        ),
        (
            {"url": "https://kpu.go.id/hook", "secret_token": "rahasia kami!"},
            "Bad Request: secret token contains unallowed characters",
        ),
        (
            {"url": "https://kpu.go.id/hook", "secret_token": "a" * 257},
            "Bad Request: secret token contains unallowed characters",
        ),
        (
            {"url": "https://kpu.go.id/hook", "allowed_updates": "message"},
            "Bad Request: can't parse allowed_updates JSON array",
        ),
    ],
)
def test_set_webhook_refuses_what_telegram_refuses(http, token, params, description):
    answer = call(http, token, "setWebhook", **params)

    assert answer == error(400, description)
    assert call(http, token, "getWebhookInfo")["result"]["url"] == ""


def test_a_webhook_is_set_shown_and_deleted(http, token, receiver):
    secret = "Ab_-" + "x" * 252
    local = call(http, token, "setWebhook", url="http://localhost:9/hook")
    public = call(http, token, "setWebhook", url="https://kpu.go.id:8443/hook")
    answers = [
        call(http, token, "setWebhook", url=receiver.url, secret_token=secret, allowed_updates=["message"]),
        call(http, token, "setWebhook", url=receiver.url, secret_token=secret, allowed_updates=["message"]),
    ]
    info = call(http, token, "getWebhookInfo")["result"]
    polling = call(http, token, "getUpdates")
    deleted = [call(http, token, "deleteWebhook"), call(http, token, "deleteWebhook")]

    assert local["ok"] is True and public["ok"] is True
    assert answers == [
        {"ok": True, "result": True, "description": "Webhook was set"},
        {"ok": True, "result": True, "description": "Webhook is already set"},
    ]
    assert info == {
        "url": receiver.url,
        "has_custom_certificate": False,
        "pending_update_count": 0,
        "max_connections": 40,
        "allowed_updates": ["message"],
    }
    assert polling == error(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    )
    assert deleted == [
        {"ok": True, "result": True, "description": "Webhook was deleted"},
        {"ok": True, "result": True, "description": "Webhook is already deleted"},
    ]
    assert call(http, token, "getWebhookInfo")["result"] == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    }
    assert call(http, token, "getUpdates") == {"ok": True, "result": []}


def test_an_update_is_posted_to_the_webhook_with_its_secret(http, token, receiver, clock):
    call(http, token, "setWebhook", url=receiver.url, secret_token="rahasia_123")

    written = write(http, "/start")

    assert written.json()["webhook_status"] == 200
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/telegram/tipline/"
    assert request["headers"]["x-telegram-bot-api-secret-token"] == "rahasia_123"
    assert request["headers"]["content-type"] == "application/json"
    assert request["body"] == {
        "update_id": written.json()["update_id"],
        "message": {
            "message_id": 1,
            "from": SITI_USER,
            "chat": SITI_CHAT,
            "date": int(clock.epoch()),
            "text": "/start",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }
    info = call(http, token, "getWebhookInfo")["result"]
    assert info["pending_update_count"] == 0 and "last_error_message" not in info


def test_a_webhook_without_a_secret_gets_no_secret_header(http, token, receiver):
    call(http, token, "setWebhook", url=receiver.url)

    write(http, "halo")

    assert "x-telegram-bot-api-secret-token" not in receiver.requests[0]["headers"]


def test_a_refused_update_stays_pending_until_redelivered(http, token, receiver, clock):
    call(http, token, "setWebhook", url=receiver.url, secret_token="s")
    receiver.status = 403

    written = write(http, "Benarkah?")
    refused = call(http, token, "getWebhookInfo")["result"]
    receiver.status = 200
    redelivered = http.post("/_control/telegram/redeliver", json={"bot": BOT})
    after = call(http, token, "getWebhookInfo")["result"]

    assert written.json()["webhook_status"] == 403
    assert refused["pending_update_count"] == 1
    assert refused["last_error_date"] == int(clock.epoch())
    assert refused["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert redelivered.json() == {"statuses": [200], "pending_update_count": 0}
    assert [r["body"]["update_id"] for r in receiver.requests] == [written.json()["update_id"]] * 2
    assert after["pending_update_count"] == 0
    assert (
        after["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    )  # Telegram keeps it


def test_an_unreachable_webhook_is_recorded(http, token):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    call(http, token, "setWebhook", url=f"http://127.0.0.1:{port}/hook")

    written = write(http, "halo")
    info = call(http, token, "getWebhookInfo")["result"]

    assert written.json()["webhook_status"] is None
    assert info["pending_update_count"] == 1
    assert info["last_error_message"] == "Connection refused"


def test_redeliver_needs_a_webhook(http):
    answer = http.post("/_control/telegram/redeliver", json={"bot": BOT})

    assert answer.status_code == 400 and "has no webhook" in answer.json()["error"]


def test_the_bot_can_answer_while_its_webhook_is_being_called(http, token, receiver, fakes):
    answers: list[dict[str, Any]] = []

    def answer(update: dict[str, Any]) -> None:
        chat_id = update["message"]["chat"]["id"]
        sent = httpx.post(
            f"{fakes.base_url}/bot{token}/sendMessage",
            json={"chat_id": chat_id, "text": "Terima kasih"},
            timeout=3,
        )
        answers.append(sent.json())

    receiver.on_request = answer
    call(http, token, "setWebhook", url=receiver.url)

    written = write(http, "Benarkah pemilu diundur?")

    assert written.json()["webhook_status"] == 200
    assert answers[0]["ok"] is True and answers[0]["result"]["chat"]["id"] == 424242
    sent = http.get("/_control/telegram/private", params={"bot": BOT, "user_id": 424242}).json()["messages"]
    assert [m["text"] for m in sent] == ["Terima kasih"]


def test_pending_updates_survive_delete_webhook_unless_dropped(http, token, receiver):
    receiver.status = 500
    call(http, token, "setWebhook", url=receiver.url)
    write(http, "satu")
    write(http, "dua")

    call(http, token, "deleteWebhook")
    kept = call(http, token, "getUpdates")["result"]
    call(http, token, "setWebhook", url=receiver.url)
    write(http, "tiga")
    call(http, token, "deleteWebhook", drop_pending_updates=True)
    dropped = call(http, token, "getUpdates")["result"]

    assert [u["message"]["text"] for u in kept] == ["satu", "dua"]
    assert dropped == []


def test_set_webhook_can_drop_pending_updates(http, token, receiver):
    write(http, "lama")

    call(http, token, "setWebhook", url=receiver.url, drop_pending_updates=True)

    assert call(http, token, "getWebhookInfo")["result"]["pending_update_count"] == 0


def test_a_webhook_subscribed_to_other_updates_gets_no_messages(http, token, receiver):
    call(http, token, "setWebhook", url=receiver.url, allowed_updates=["callback_query"])

    written = write(http, "halo")

    assert written.json() == {"update_id": None, "message_id": 1, "webhook_status": None}
    assert receiver.requests == []
    assert call(http, token, "getWebhookInfo")["result"]["pending_update_count"] == 0


# --- the limit of 30 messages per second ---------------------------------------------------------


def test_a_bot_sends_30_messages_a_second_and_is_told_to_wait_beyond(http, token, clock):
    for n in range(31):
        write(http, "halo", user_id=1000 + n, first_name=f"Warga {n}")
    limits = http.post("/_control/limits", json={"telegram_per_bot": 30}).json()

    sent = [call(http, token, "sendMessage", chat_id=1000 + n, text="Terima kasih") for n in range(30)]
    beyond = call(http, token, "sendMessage", chat_id=1030, text="Terima kasih")
    clock.now += timedelta(seconds=1)
    later = call(http, token, "sendMessage", chat_id=1030, text="Terima kasih")

    assert limits["telegram_per_bot"] == 30
    assert all(answer["ok"] for answer in sent)
    assert beyond == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert later["ok"] is True


# --- the fake's page and its saved state ----------------------------------------------------------


def test_the_page_lists_private_conversations_escaped(http, token):
    write(http, "<script>hoaks</script>", forward_from_chat_title="Kabar Viral")
    call(http, token, "sendMessage", chat_id=424242, text="<b>Hoaks</b>", parse_mode="HTML")
    http.post("/_control/telegram/block", json={"bot": BOT, "user_id": 424242})

    page = http.get("/_fake/telegram")

    assert page.status_code == 200
    assert "Percakapan pribadi" in page.text and f"@{BOT}" in page.text
    assert "Siti (@siti_w) · id 424242" in page.text and "memblokir bot" in page.text
    assert "&lt;script&gt;hoaks&lt;/script&gt;" in page.text and "<script>hoaks" not in page.text
    assert "warga (diteruskan)" in page.text and "&lt;b&gt;Hoaks&lt;/b&gt;" in page.text


def test_private_chats_and_webhooks_are_kept_across_restarts(http, token, receiver, fakes):
    write(http, "halo")
    call(http, token, "sendMessage", chat_id=424242, text="Halo juga")
    call(http, token, "setWebhook", url=receiver.url, secret_token="s3cret")
    saved = json.loads(json.dumps(fakes.hub.telegram.export_state()))

    again = TelegramFake(Limits(), Settings())
    again.import_state(saved)

    assert again.export_state() == saved
    assert [m["text"] for m in again.private_messages(bot=BOT, user_id=424242)] == ["Halo juga"]
    assert again.webhooks == fakes.hub.telegram.webhooks
