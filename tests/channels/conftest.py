"""Fixtures of the channels tests: the strict fake platforms (with their OAuth apps configured),
KPU Jepara's Administrator, and a test client signed in as them."""

from __future__ import annotations

import pytest

from humas.channels.fakes import running_fakes

JEPARA = "33.20"


@pytest.fixture
def fakes(settings):
    with running_fakes(seed=1) as running:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), running.base_url
        )
        apps = running.hub.oauth_apps()
        settings.HUMAS_META_APP_ID = apps["meta"]["app_id"]
        settings.HUMAS_META_APP_SECRET = apps["meta"]["app_secret"]
        settings.HUMAS_X_CLIENT_ID = apps["x"]["client_id"]
        settings.HUMAS_X_CLIENT_SECRET = apps["x"]["client_secret"]
        settings.HUMAS_OAUTH_REDIRECT_BASE_URL = ""
        yield running


@pytest.fixture
def admin(member):
    return member(JEPARA, "admin", email="admin.jepara@kpu.test")


@pytest.fixture
def browser(client, admin):
    client.force_login(admin)
    return client


# --- Listening (humas/monitoring): connected channels on the fakes, for the monitoring tests too.

from collections.abc import Iterator  # noqa: E402 - these helpers were added after the fixtures above
from contextlib import contextmanager  # noqa: E402

from django.core.cache import cache  # noqa: E402

from humas.channels import crypto  # noqa: E402
from humas.channels.fakes import RunningFakes  # noqa: E402
from humas.channels.models import Channel, ChannelCredential  # noqa: E402


@contextmanager
def serving_fakes(settings, *, seed: int = 1) -> Iterator[RunningFakes]:
    """The fakes on a free port with every platform's base URL pointed at them, as ``fakes``
    does; the cache (the connectors' shared rate-limit waits) starts empty."""
    cache.clear()
    with running_fakes(seed=seed) as running:
        settings.HUMAS_PLATFORM_BASE_URLS = dict.fromkeys(
            ("facebook", "instagram", "x", "telegram"), running.base_url
        )
        settings.HUMAS_META_APP_ID = running.hub.graph.app_id
        settings.HUMAS_META_APP_SECRET = running.hub.graph.app_secret
        yield running
    cache.clear()


def connected_channel(*, office, platform: str, account: dict, name: str = "") -> Channel:
    """A channel of ``office`` connected to the fakes' seeded ``account`` on ``platform``: its
    account id and its token (stored encrypted, as connecting stores it)."""
    account_id, token, kind = {
        "facebook": (account["facebook"]["page_id"], account["facebook"]["page_token"], "page"),
        "instagram": (account["instagram"]["ig_user_id"], account["instagram"]["access_token"], "page"),
        "x": (account["x"]["user_id"], account["x"]["access_token"], "oauth2_user"),
        "telegram": (account["telegram"]["chat_username"], account["telegram"]["bot_token"], "bot"),
    }[platform]
    channel = Channel.objects.create(
        office=office,
        platform=platform,
        name=name or f"{platform} {office.name}",
        account_id=account_id,
        health=Channel.Health.HEALTHY,
    )
    ChannelCredential.objects.create(channel=channel, ciphertext=crypto.encrypt(token), kind=kind)
    return channel
