"""TelegramConnector against the Bot API fake over HTTP."""

from __future__ import annotations

import logging
from datetime import timedelta

import httpx
import pytest

from humas.channels.connectors import (
    BadRequest,
    CredentialsInvalid,
    ImageBytes,
    ImageURL,
    PermissionMissing,
    PublishRequest,
    RateLimited,
    RetryLater,
    TelegramConnector,
    TextTooLong,
    Unsupported,
)

from .conftest import NOW, TIMEOUT


def _connector(fakes, clock, token, chat_id):
    return TelegramConnector(
        bot_token=token, chat_id=chat_id, base_url=fakes.base_url, timeout=TIMEOUT, clock=clock
    )


def test_verify_checks_token_channel_and_admin_rights(telegram, account):
    info = telegram.verify()

    assert info.account_id == str(account["telegram"]["chat_id"])
    assert (info.name, info.handle, info.url, info.credential_type) == (
        "KPU Demo 1",
        "@kpu_demo1",
        "https://t.me/kpu_demo1",
        "bot",
    )
    assert info.warnings == ()


def test_verify_with_a_bot_that_is_not_in_the_channel(fakes, account, clock):
    other_bot = fakes.hub.accounts[1]["telegram"]["bot_token"]
    connector = _connector(fakes, clock, other_bot, account["telegram"]["chat_username"])

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    assert (
        caught.value.message == "Bot belum menjadi administrator kanal @kpu_demo1 dengan hak mengirim pesan"
    )


def test_verify_with_an_admin_bot_without_posting_rights(fakes, account, clock):
    channel = fakes.hub.telegram.add_channel(
        title="KPU Tanpa Hak",
        username="kpu_tanpa_hak",
        index=55,
        admin_bot_token=account["telegram"]["bot_token"],
        can_post=False,
    )
    connector = _connector(fakes, clock, account["telegram"]["bot_token"], channel["chat_username"])

    with pytest.raises(PermissionMissing):
        connector.verify()
    with pytest.raises(PermissionMissing) as on_send:
        connector.publish(PublishRequest(text="Tidak boleh"))

    assert on_send.value.platform_message == "Bad Request: need administrator rights in the channel chat"


def test_unknown_channel_is_a_bad_request_naming_it(fakes, account, clock):
    connector = _connector(fakes, clock, account["telegram"]["bot_token"], "@tidak_ada")

    with pytest.raises(BadRequest) as caught:
        connector.verify()

    assert caught.value.message == (
        "Kanal @tidak_ada tidak ditemukan; periksa nama kanal dan pastikan bot sudah ditambahkan."
    )


def test_wrong_token_is_credentials_invalid(fakes, account, clock):
    connector = _connector(fakes, clock, "123:salah", account["telegram"]["chat_username"])

    with pytest.raises(CredentialsInvalid) as caught:
        connector.publish(PublishRequest(text="x"))

    assert caught.value.code == 401
    assert "123:salah" not in caught.value.message


def test_publish_text_photo_and_album(telegram, fakes, account):
    chat_id = account["telegram"]["chat_id"]

    text = telegram.publish(PublishRequest(text="Pengumuman", link="https://kpu.go.id/p"))
    photo = telegram.publish(
        PublishRequest(text="Foto", images=(ImageBytes(b"\x89PNG", "image/png", "f.png"),))
    )
    album = telegram.publish(
        PublishRequest(text="Album", images=(ImageURL("https://kpu.go.id/1.jpg"), ImageBytes(b"2")))
    )

    assert (text.post_id, text.url) == (f"{chat_id}:1", "https://t.me/kpu_demo1/1")
    assert photo.post_id == f"{chat_id}:2"
    assert album.post_id == f"{chat_id}:3,4"
    stored = {p["id"]: p for p in fakes.hub.posts("telegram")}
    assert stored[f"{chat_id}:1"]["text"] == "Pengumuman\n\nhttps://kpu.go.id/p"
    assert stored[f"{chat_id}:2"]["images"] == ["upload:f.png:4B"]
    assert stored[f"{chat_id}:4"]["images"] == ["upload:image.jpg:1B"]


def test_private_channel_links_use_the_c_form(fakes, account, clock):
    connector = _connector(
        fakes, clock, account["telegram"]["bot_token"], str(account["telegram"]["chat_id"])
    )
    fakes.hub.telegram.channels[account["telegram"]["chat_id"]].username = None

    post = connector.publish(PublishRequest(text="Kanal privat"))

    assert post.url == f"https://t.me/c/{str(account['telegram']['chat_id']).removeprefix('-100')}/1"


@pytest.mark.parametrize(
    ("request_", "limit"),
    [
        (PublishRequest(text="a" * 4097), 4096),
        (PublishRequest(text="a" * 1025, images=(ImageURL("https://kpu.go.id/a.jpg"),)), 1024),
    ],
)
def test_text_and_caption_limits_are_checked_before_sending(telegram, fakes, request_, limit):
    with pytest.raises(TextTooLong) as caught:
        telegram.publish(request_)

    assert caught.value.limit == limit
    assert fakes.hub.posts("telegram") == []


def test_429_waits_retry_after_and_blocks_the_chat(telegram, fakes):
    fakes.hub.add_fault(platform="telegram", kind="throttle", retry_after=17)

    with pytest.raises(RateLimited) as first:
        telegram.publish(PublishRequest(text="Terlalu cepat"))
    with pytest.raises(RateLimited) as second:
        telegram.publish(PublishRequest(text="Masih menunggu"))

    assert first.value.until == NOW + timedelta(seconds=17)
    assert second.value.until == NOW + timedelta(seconds=17)
    assert fakes.hub.posts("telegram") == []


def test_the_fake_enforces_the_per_channel_limit(telegram, fakes):
    fakes.hub.limits.telegram_per_chat = 2
    telegram.publish(PublishRequest(text="1"))
    telegram.publish(PublishRequest(text="2"))

    with pytest.raises(RateLimited) as caught:
        telegram.publish(PublishRequest(text="3"))

    assert caught.value.until == NOW + timedelta(seconds=60)
    assert caught.value.platform_message == "Too Many Requests: retry after 60"


def test_server_errors_and_garbage_are_retry_later(telegram, fakes):
    fakes.hub.add_fault(platform="telegram", kind="error", status=502)
    with pytest.raises(RetryLater) as bad_gateway:
        telegram.publish(PublishRequest(text="502"))
    fakes.hub.add_fault(platform="telegram", kind="html")
    with pytest.raises(RetryLater) as html:
        telegram.publish(PublishRequest(text="HTML"))

    assert bad_gateway.value.ambiguous is True
    assert html.value.http_status == 502


def test_delete_is_idempotent_and_removes_every_album_message(telegram, fakes):
    post = telegram.publish(
        PublishRequest(
            text="Album", images=(ImageURL("https://kpu.go.id/1.jpg"), ImageURL("https://kpu.go.id/2.jpg"))
        )
    )

    telegram.delete(post.post_id)
    telegram.delete(post.post_id)

    assert fakes.hub.posts("telegram") == []
    assert len(fakes.hub.posts("telegram", include_deleted=True)) == 2


@pytest.mark.parametrize("operation", ["metrics", "comments", "find_published"])
def test_what_the_bot_api_cannot_do_is_unsupported(telegram, operation):
    call = {
        "metrics": lambda: telegram.metrics("1:1"),
        "comments": lambda: telegram.comments("1:1"),
        "find_published": lambda: telegram.find_published(PublishRequest(text="x"), since=NOW),
    }[operation]

    with pytest.raises(Unsupported):
        call()


def test_the_bot_token_never_reaches_the_httpx_log(telegram, account, caplog):
    with caplog.at_level(logging.INFO, logger="httpx"):
        telegram.publish(PublishRequest(text="Log aman"))
        httpx.Client().close()

    assert "/bot<redacted>/sendMessage" in caplog.text
    assert account["telegram"]["bot_token"] not in caplog.text


@pytest.mark.parametrize(
    "body",
    ['["unexpected"]', '{"ok": true, "result": "x"}', '{"ok": true, "result": {"chat": 5}}', '{"ok": true}'],
)
def test_answers_of_the_wrong_shape_are_retry_later(telegram, fakes, body):
    fakes.hub.add_fault(platform="telegram", kind="shape", body=body)

    with pytest.raises(RetryLater) as caught:
        telegram.publish(PublishRequest(text="Bentuk aneh"))

    assert caught.value.ambiguous is True
    assert (
        caught.value.message == "Telegram mengirim jawaban yang tidak dapat dibaca; Humas akan mencoba lagi."
    )


def test_revoked_bot_token_is_credentials_invalid(telegram, fakes, account):
    fakes.hub.expire_token("telegram", account["telegram"]["bot_token"])

    with pytest.raises(CredentialsInvalid) as caught:
        telegram.verify()

    assert (
        caught.value.message
        == "Token Telegram tidak berlaku lagi (token bot ditolak). Kanal perlu dihubungkan ulang."
    )


def test_a_platform_side_length_refusal_names_the_limit(telegram, fakes):
    fakes.hub.add_fault(
        platform="telegram",
        kind="shape",
        body='{"ok": false, "error_code": 400, "description": "Bad Request: message is too long"}',
    )

    with pytest.raises(TextTooLong) as caught:
        telegram.publish(PublishRequest(text="Menurut Telegram terlalu panjang"))

    assert caught.value.message == "Teks terlalu panjang untuk Telegram (batas 4096 karakter)."
