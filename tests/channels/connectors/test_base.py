"""The interface itself: markers, messages in both languages, the rate-limit store."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from humas.channels.connectors import (
    BadRequest,
    Connector,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
    FacebookConnector,
    InstagramConnector,
    MemoryRateLimitStore,
    PermissionMissing,
    Platform,
    PublishRequest,
    RateLimited,
    RetryLater,
    TelegramConnector,
    TextTooLong,
    Unsupported,
    XConnector,
    content_marker,
)
from humas.channels.connectors.i18n import EN, translate

from .conftest import NOW, FixedClock


def test_marker_survives_platform_rewrites():
    sent = content_marker("Cek DPT  di https://cekdptonline.kpu.go.id\nsekarang", "https://kpu.go.id")
    echoed = content_marker("cek dpt di https://t.co/AbC123 sekarang")

    assert sent == echoed
    assert sent.startswith("c1:") and len(sent) == 35
    assert content_marker("Cek DPT sekarang") != content_marker("Cek DPT besok")


def test_publish_request_defaults_its_marker_to_the_content_marker():
    assert PublishRequest(text="Halo").marker == content_marker("Halo")
    assert PublishRequest(text="Halo", marker="delivery-42").marker == "delivery-42"


def test_error_hierarchy_classifies_for_the_delivery_engine():
    assert issubclass(RateLimited, RetryLater)
    assert (
        issubclass(DuplicatePost, BadRequest)
        and issubclass(TextTooLong, BadRequest)
        and issubclass(Unsupported, BadRequest)
    )
    assert all(
        issubclass(c, ConnectorError) for c in (RetryLater, CredentialsInvalid, PermissionMissing, BadRequest)
    )
    assert RetryLater.retryable and RateLimited.retryable
    assert not (CredentialsInvalid.retryable or PermissionMissing.retryable or BadRequest.retryable)


def test_messages_exist_in_indonesian_and_english():
    error = RateLimited(Platform.X, until=NOW + timedelta(minutes=15))

    assert error.message == "Batas permintaan X tercapai; Humas menunggu sampai 2026-11-28 04:15:00 UTC."
    assert error.message_en == "X request limit reached; Humas waits until 2026-11-28 04:15:00 UTC."
    assert str(error) == error.message_en
    assert error.message_in("en-us") == error.message_en


def test_every_registered_template_has_the_same_placeholders_in_english():
    import re

    placeholder = re.compile(r"%\((\w+)\)s")
    for indonesian, english in EN.items():
        assert set(placeholder.findall(indonesian)) == set(placeholder.findall(english)), indonesian


def test_translate_falls_back_to_the_source_text():
    assert translate("Tidak terdaftar", "en") == "Tidak terdaftar"
    assert translate("%(x)s", "id", {}) == "%(x)s"


def test_memory_store_forgets_waits_that_are_over():
    clock = FixedClock()
    store = MemoryRateLimitStore(clock)
    store.block("k", NOW + timedelta(seconds=30))
    store.block("k", NOW + timedelta(seconds=10))  # an earlier wait never shortens a later one

    assert store.blocked_until("k") == NOW + timedelta(seconds=30)
    clock.now = NOW + timedelta(seconds=30)
    assert store.blocked_until("k") is None
    assert store.snapshot() == {}


SECRET = "EAAsecret-token-never-shown"


@pytest.mark.parametrize(
    "connector",
    [
        FacebookConnector(page_id="1", access_token=SECRET),
        InstagramConnector(ig_user_id="1", access_token=SECRET),
        XConnector(access_token=SECRET),
        TelegramConnector(bot_token=f"1:{SECRET}", chat_id="@c"),
    ],
    ids=["facebook", "instagram", "x", "telegram"],
)
def test_every_connector_implements_the_interface_and_hides_its_token(connector):
    assert isinstance(connector, Connector)
    assert SECRET not in repr(connector)
    assert all(SECRET not in key for key in connector.rate_store.snapshot())
    connector.close()


def test_the_platform_layer_does_not_import_django():
    code = (
        "import sys; import humas.channels.connectors, humas.channels.fakes; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("platform", "cls"),
    [
        ("facebook", FacebookConnector),
        ("instagram", InstagramConnector),
        ("x", XConnector),
        ("telegram", TelegramConnector),
    ],
)
def test_build_connector_picks_the_platform_module(platform, cls):
    from humas.channels.connectors import build_connector

    connector = build_connector(
        platform, account_id="@kanal" if platform == "telegram" else "123", token="t", base_url="http://fake"
    )

    assert type(connector) is cls
    assert connector.base_url == "http://fake"
    connector.close()
