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
