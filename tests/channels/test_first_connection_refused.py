"""A token refused while connecting is "refused, check this", never "no longer valid, reconnect"
(issue #14): it never worked, so nothing needs reconnecting."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from humas.channels.connect import channel_check_health, channel_connect_token
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import ChannelError, ChannelInput, channel_create
from tests.channels.test_oauth import back_to_humas, on_platform, start, x_form

pytestmark = pytest.mark.django_db


def new_channel(admin, offices, platform: str) -> Channel:
    return channel_create(
        actor=admin, office=offices["33.20"], data=ChannelInput(platform=platform, name="KPU Jepara")
    )


def refused(admin, channel: Channel, token: str, account_id: str) -> str:
    with pytest.raises(ChannelError) as excinfo:
        channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)
    return str(excinfo.value)


@pytest.mark.parametrize(
    ("platform", "token", "account_id", "platform_name"),
    [
        ("x", "fakeXtokenYangTidakPernahAda", "", "X"),
        ("facebook", "EAAfakeTokenYangTidakPernahAda", "100000000000001", "Facebook"),
        ("telegram", "7000000001:AAtokenYangTidakPernahAda", "@kpu_demo1", "Telegram"),
    ],
)
def test_a_refused_first_connection_says_refused_and_what_to_check(
    fakes, admin, offices, platform, token, account_id, platform_name
):
    message = refused(admin, new_channel(admin, offices, platform), token, account_id)

    assert message.startswith(f"{platform_name} menolak token ini (")
    assert "Periksa bahwa token" in message
    assert "tidak berlaku lagi" not in message and "dihubungkan ulang" not in message
    assert not ChannelCredential.objects.exists()


def test_in_english_too(fakes, admin, offices):
    with translation.override("en"):
        message = refused(admin, new_channel(admin, offices, "x"), "fakeXtokenYangTidakPernahAda", "")

    assert message.startswith("X refused this token (")
    assert "no longer valid" not in message


def test_x_oauth_whose_new_token_is_refused_says_so(fakes, browser, admin, offices):
    channel = new_channel(admin, offices, "x")
    fakes.hub.add_fault(platform="x", kind="expired_token", path="/2/users/me", times=1)

    back = back_to_humas(browser, on_platform(start(browser, channel), x_form(fakes)))

    shown = [str(m) for m in get_messages(back.wsgi_request)]
    assert len(shown) == 1 and shown[0].startswith("X menolak token ini ("), shown
    assert "dihubungkan ulang" not in shown[0]
    assert not ChannelCredential.objects.exists()


def test_a_token_that_stops_working_later_still_needs_reconnecting(fakes, admin, offices):
    channel = new_channel(admin, offices, "x")
    token = fakes.hub.accounts[0]["x"]["access_token"]
    channel_connect_token(actor=admin, channel=channel, token=token, account_id="")
    fakes.hub.expire_token("x", token)

    assert channel_check_health(channel_id=channel.pk) == Channel.Health.RECONNECT
    channel.refresh_from_db()
    assert "perlu dihubungkan ulang" in channel.health_message
