"""Connecting a channel by pasting a token: verified against the strict fakes over real HTTP."""

from __future__ import annotations

import contextlib

import pytest
from django.core import mail

from humas.channels.connect import channel_check_health, channel_connect_token
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import ChannelError, ChannelInput, channel_create
from humas.channels.tokens import channel_credential_secret

pytestmark = pytest.mark.django_db


def channel(admin, offices, platform):
    return channel_create(
        actor=admin, office=offices["33.20"], data=ChannelInput(platform=platform, name="KPU Jepara")
    )


def test_facebook_page_token_connects_and_is_stored_encrypted(fakes, admin, offices):
    account = fakes.hub.accounts[0]["facebook"]
    target = channel(admin, offices, "facebook")

    warnings = channel_connect_token(
        actor=admin, channel=target, token=account["page_token"], account_id=account["page_id"]
    )

    target.refresh_from_db()
    assert warnings == []
    assert (target.health, target.account_id, target.authorised_by) == (
        Channel.Health.HEALTHY,
        account["page_id"],
        admin,
    )
    assert ChannelCredential.objects.get(channel=target).kind == "page"
    assert channel_credential_secret(channel=target) == account["page_token"]


def test_user_token_instead_of_page_token_is_refused_with_the_reason(fakes, admin, offices):
    account = fakes.hub.accounts[0]["facebook"]
    target = channel(admin, offices, "facebook")

    with pytest.raises(ChannelError) as excinfo:
        channel_connect_token(
            actor=admin, channel=target, token=account["user_token"], account_id=account["page_id"]
        )

    assert "Halaman" in str(excinfo.value)
    assert not ChannelCredential.objects.exists()
    target.refresh_from_db()
    assert target.health == Channel.Health.UNKNOWN


@pytest.mark.parametrize("token", ["salah-sekali", "", "dengan spasi", "x" * 5000])
def test_wrong_or_malformed_tokens_are_not_saved(fakes, admin, offices, token):
    target = channel(admin, offices, "telegram")
    with pytest.raises(ChannelError):
        channel_connect_token(actor=admin, channel=target, token=token, account_id="@kpu_demo1")
    assert not ChannelCredential.objects.exists()


def test_telegram_bot_connects_without_personal_authorisation(fakes, admin, offices):
    account = fakes.hub.accounts[0]["telegram"]
    target = channel(admin, offices, "telegram")
    channel_connect_token(
        actor=admin, channel=target, token=account["bot_token"], account_id=account["chat_username"]
    )
    target.refresh_from_db()
    assert (target.health, target.authorised_by) == (Channel.Health.HEALTHY, None)


def test_expired_token_turns_channel_to_reconnect_and_mails_administrators(fakes, admin, offices):
    account = fakes.hub.accounts[0]["facebook"]
    target = channel(admin, offices, "facebook")
    channel_connect_token(
        actor=admin, channel=target, token=account["page_token"], account_id=account["page_id"]
    )
    fakes.hub.add_fault(platform="facebook", kind="expired_token", times=None)

    assert channel_check_health(channel_id=target.pk) == Channel.Health.RECONNECT
    assert channel_check_health(channel_id=target.pk) == Channel.Health.RECONNECT  # idempotent, one mail

    target.refresh_from_db()
    assert target.health_message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin.jepara@kpu.test"]
    assert "perlu perhatian" in mail.outbox[0].subject
    assert account["page_token"] not in mail.outbox[0].body


def test_platform_outage_does_not_mark_the_credential_bad(fakes, admin, offices):
    account = fakes.hub.accounts[0]["x"]
    target = channel(admin, offices, "x")
    channel_connect_token(actor=admin, channel=target, token=account["access_token"], account_id="")
    fakes.hub.add_fault(platform="x", kind="error", status=503, times=None)
    assert channel_check_health(channel_id=target.pk) == Channel.Health.HEALTHY


def test_connect_page_for_administrators_only(client, fakes, admin, offices, member):
    target = channel(admin, offices, "telegram")
    account = fakes.hub.accounts[0]["telegram"]
    client.force_login(admin)
    page = client.get(f"/app/kab-jepara/settings/channels/{target.pk}/connect/")
    assert "@BotFather" in page.content.decode()
    bad = client.post(
        f"/app/kab-jepara/settings/channels/{target.pk}/connect/",
        {"account_id": "@kpu_demo1", "token": "nope"},
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/app/kab-jepara/settings/channels/{target.pk}/connect/",
        {"account_id": account["chat_username"], "token": account["bot_token"]},
    )
    assert ok.status_code == 302
    assert account["bot_token"] not in client.get("/app/kab-jepara/settings/channels/").content.decode()
    client.force_login(member("33.20", "editor"))
    assert client.get(f"/app/kab-jepara/settings/channels/{target.pk}/connect/").status_code == 403


@pytest.mark.parametrize("token_kind", ["page_token", "user_token"])
def test_connecting_by_token_closes_the_connector_it_opened_whatever_the_answer(
    fakes, admin, offices, monkeypatch, token_kind
):
    from humas.channels import connect

    opened = []

    def recording_connector_for(**kwargs):
        connector = original(**kwargs)
        opened.append(connector)
        return connector

    original = connect.connector_for
    monkeypatch.setattr(connect, "connector_for", recording_connector_for)
    account = fakes.hub.accounts[0]["facebook"]
    target = channel(admin, offices, "facebook")

    with contextlib.suppress(ChannelError):
        channel_connect_token(
            actor=admin, channel=target, token=account[token_kind], account_id=account["page_id"]
        )

    assert len(opened) == 1
    assert opened[0]._client.is_closed
