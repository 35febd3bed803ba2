"""The cache-backed rate-limit store answers every key of a call in one round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from humas.channels.connectors import PublishRequest, RateLimited
from humas.channels.tokens import channel_credential_secret
from humas.publishing.delivery import connector_for_delivery
from humas.publishing.ratelimit import CacheRateLimitStore


def test_blocked_until_many_returns_only_the_running_waits(fakes):
    store = CacheRateLimitStore()
    until = timezone.now() + timedelta(seconds=30)
    store.block("x:1:POST /2/tweets", until)
    store.block("graph:app", timezone.now() - timedelta(seconds=1))  # already over: not stored

    waits = store.blocked_until_many(["x:1:POST /2/tweets", "graph:app", "telegram:chat:@kpu"])

    assert set(waits) == {"x:1:POST /2/tweets"}
    assert abs((waits["x:1:POST /2/tweets"] - until).total_seconds()) < 0.001


def test_a_blocked_app_key_refuses_the_call_without_reaching_the_platform(fakes, connected):
    channel = connected("x")
    connector = connector_for_delivery(channel=channel, token=channel_credential_secret(channel=channel))
    until = timezone.now() + timedelta(minutes=5)
    CacheRateLimitStore().block(connector.app_posting_key, until)

    with pytest.raises(RateLimited) as caught:
        connector.publish(PublishRequest(text="Jadwal rekapitulasi suara."))
    connector.close()

    assert caught.value.scope == connector.app_posting_key
    assert abs((caught.value.until - until).total_seconds()) < 0.001
    assert fakes.hub.posts("x") == []
