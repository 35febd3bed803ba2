from __future__ import annotations

import pytest
from django.core.cache import cache

from humas.channels.connect import channel_connect_token
from humas.channels.fakes import running_fakes
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.publishing.services import post_approve, post_create, post_submit

JEPARA = "33.20"


@pytest.fixture
def fakes(settings):
    cache.clear()  # rate-limit waits recorded by an earlier test must not block this one
    with running_fakes(seed=1) as running:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), running.base_url
        )
        # A stalled platform answers after 2 s in these tests; the connector gives up after 1 s.
        settings.HUMAS_DELIVERY_TIMEOUT_SECONDS = 1
        yield running


@pytest.fixture
def admin(member):
    return member(JEPARA, "admin", email="admin.jepara@kpu.test")


@pytest.fixture
def editor(member):
    return member(JEPARA, "editor", email="editor.jepara@kpu.test")


@pytest.fixture
def operator(member):
    return member(JEPARA, "operator", email="operator.jepara@kpu.test")


@pytest.fixture
def connected(fakes, admin, offices):
    """connected("x") -> a channel of KPU Jepara verified against the fake account 1."""
    account = fakes.hub.accounts[0]

    def make(platform: str):
        channel = channel_create(
            actor=admin,
            office=offices[JEPARA],
            data=ChannelInput(platform=platform, name=f"KPU Jepara {platform}"),
        )
        token, account_id = {
            "facebook": (account["facebook"]["page_token"], account["facebook"]["page_id"]),
            "x": (account["x"]["access_token"], ""),
            "telegram": (account["telegram"]["bot_token"], account["telegram"]["chat_username"]),
            "instagram": (account["instagram"]["access_token"], account["instagram"]["ig_user_id"]),
        }[platform]
        channel_connect_token(actor=admin, channel=channel, token=token, account_id=account_id)
        channel.refresh_from_db()
        return channel

    return make


@pytest.fixture
def approved_post(operator, editor, offices):
    """approved_post("teks", channels=[...]) -> a post written by the operator for ``channels``
    (by default every active channel KPU Jepara has at that moment) and approved by the editor."""

    def make(text: str = "Pendaftaran pemantau pemilu dibuka hari ini.", channels=None, **fields):
        office = offices[JEPARA]
        if channels is None:
            channels = list(Channel.objects.filter(office=office, is_active=True))
        post = post_create(actor=operator, office=office, text=text, channels=channels, **fields)
        post_submit(actor=operator, post=post)
        return post_approve(actor=editor, post=post)

    return make
