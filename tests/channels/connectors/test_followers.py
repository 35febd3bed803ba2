"""Followers of an account, read by each connector from its strict fake over real HTTP: the count,
a field the platform stops giving, its rate limits obeyed before it has to say no, and a token it
no longer takes."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from humas.channels.connectors import (
    BadRequest,
    Capability,
    CredentialsInvalid,
    FacebookConnector,
    FollowerSource,
    InstagramConnector,
    MemoryRateLimitStore,
    RateLimited,
    TelegramConnector,
    XConnector,
)
from humas.channels.fakes.core import follower_count

from .conftest import NOW, TIMEOUT

PLATFORMS = ["facebook", "instagram", "x", "telegram"]


def _account_id(account, platform: str) -> str:
    return {
        "facebook": account["facebook"]["page_id"],
        "instagram": account["instagram"]["ig_user_id"],
        "x": account["x"]["user_id"],
        "telegram": str(account["telegram"]["chat_id"]),
    }[platform]


def _path(account, platform: str) -> str:
    """A part of the path of the followers call only (a fault counts the requests that reach it)."""
    return {
        "facebook": "/" + account["facebook"]["page_id"],
        "instagram": "/" + account["instagram"]["ig_user_id"],
        "x": "/2/users/" + account["x"]["user_id"],
        "telegram": "/getChatMemberCount",
    }[platform]


@pytest.fixture
def connectors(fakes, account, clock):
    """connectors["x"] -> the connector of the first fake account, its ids known (no lookup call)."""
    common = {"base_url": fakes.base_url, "timeout": TIMEOUT, "clock": clock}
    made = {
        "facebook": FacebookConnector(
            page_id=account["facebook"]["page_id"],
            access_token=account["facebook"]["page_token"],
            rate_store=MemoryRateLimitStore(clock),
            **common,
        ),
        "instagram": InstagramConnector(
            ig_user_id=account["instagram"]["ig_user_id"],
            access_token=account["instagram"]["access_token"],
            rate_store=MemoryRateLimitStore(clock),
            **common,
        ),
        "x": XConnector(
            access_token=account["x"]["access_token"],
            user_id=account["x"]["user_id"],
            rate_store=MemoryRateLimitStore(clock),
            **common,
        ),
        "telegram": TelegramConnector(
            bot_token=account["telegram"]["bot_token"],
            chat_id=account["telegram"]["chat_username"],
            rate_store=MemoryRateLimitStore(clock),
            **common,
        ),
    }
    yield made
    for connector in made.values():
        connector.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_connector_reads_the_count_its_platform_gives(connectors, account, clock, platform):
    connector = connectors[platform]

    count = connector.followers()

    assert count == follower_count(_account_id(account, platform), clock.epoch())
    assert count >= 1_500
    assert isinstance(connector, FollowerSource)
    assert Capability.FOLLOWERS in connector.capabilities


def test_the_fakes_counts_grow_a_little_each_day_and_stay_put_within_a_day(connectors, clock):
    x = connectors["x"]
    today = x.followers()
    clock.now = NOW + timedelta(hours=5)
    assert x.followers() == today
    clock.now = NOW + timedelta(days=1)
    tomorrow = x.followers()

    assert today < tomorrow <= today * 1.003 + 1


def test_x_reads_the_count_set_through_the_control_api(connectors, fakes, account):
    answer = httpx.post(
        f"{fakes.base_url}/_control/followers",
        json={"platform": "x", "account": account["x"]["user_id"], "count": 12_345},
    )
    assert answer.status_code == 200

    assert connectors["x"].followers() == 12_345


def test_x_finds_its_user_id_first_when_the_channel_has_none(x, account, clock):
    assert x.user_id is None

    assert x.followers() == follower_count(account["x"]["user_id"], clock.epoch())
    assert x.user_id == account["x"]["user_id"]


def test_a_page_without_a_followers_count_falls_back_to_its_likes(connectors, fakes, account, clock):
    page = account["facebook"]["page_id"]
    fakes.hub.set_followers("facebook", page, None)

    assert connectors["facebook"].followers() == follower_count(page, clock.epoch()) * 9 // 10


def test_a_graph_version_without_the_followers_field_asks_for_the_likes_alone(
    connectors, fakes, account, clock
):
    page = account["facebook"]["page_id"]
    fakes.hub.settings.graph_removed_fields = ["followers_count"]
    counter = fakes.hub.add_fault(platform="facebook", kind="latency", latency_ms=0, times=None, path=page)

    assert connectors["facebook"].followers() == follower_count(page, clock.epoch()) * 9 // 10
    assert counter.fired == 2  # refused with "nonexisting field (followers_count)", then fan_count


def test_a_page_answer_with_neither_count_is_none(connectors, fakes, account):
    page = account["facebook"]["page_id"]
    fakes.hub.add_fault(platform="facebook", kind="shape", path=page, body=f'{{"id": "{page}"}}')

    assert connectors["facebook"].followers() is None


@pytest.mark.parametrize("platform", ["instagram", "x"])
def test_a_count_the_platform_stops_giving_is_none(connectors, fakes, account, platform):
    fakes.hub.set_followers(platform, _account_id(account, platform), None)

    assert connectors[platform].followers() is None


def test_instagram_without_the_field_in_its_graph_version_is_none(connectors, fakes):
    fakes.hub.settings.graph_removed_fields = ["followers_count"]

    assert connectors["instagram"].followers() is None


def test_a_telegram_channel_that_hides_its_members_says_so(connectors, fakes, account):
    fakes.hub.set_followers("telegram", account["telegram"]["chat_username"], None)

    with pytest.raises(BadRequest) as caught:
        connectors["telegram"].followers()

    assert caught.value.message == "Telegram tidak memberikan jumlah pelanggan kanal @kpu_demo1."
    assert caught.value.platform_message == "Bad Request: member list is inaccessible"


def test_a_user_x_does_not_have_is_a_bad_request_naming_it(fakes, account, clock):
    connector = XConnector(
        access_token=account["x"]["access_token"],
        user_id="1599999999",
        base_url=fakes.base_url,
        timeout=TIMEOUT,
        clock=clock,
    )

    with pytest.raises(BadRequest) as caught:
        connector.followers()

    assert "Could not find user with id: [1599999999]" in caught.value.platform_message
    connector.close()


def test_the_x_fake_refuses_user_fields_it_does_not_know(fakes, account):
    answer = httpx.get(
        f"{fakes.base_url}/2/users/{account['x']['user_id']}",
        params={"user.fields": "public_metrics,followers"},
        headers={"Authorization": f"Bearer {account['x']['access_token']}"},
    )

    assert answer.status_code == 400
    assert "[followers] is not one of" in answer.json()["errors"][0]["message"]


# The platform's throttle answer, and when the connector may call again.
THROTTLES = {
    "facebook": ({"code": 32, "retry_after": 10}, timedelta(minutes=10)),
    "instagram": ({"code": 80002, "retry_after": 10}, timedelta(minutes=10)),
    "x": ({"retry_after": 300}, timedelta(seconds=300)),
    "telegram": ({"retry_after": 30}, timedelta(seconds=30)),
}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_rate_limit_is_honoured_without_calling_again(connectors, fakes, account, platform):
    path = _path(account, platform)
    throttle, wait = THROTTLES[platform]
    fakes.hub.add_fault(platform=platform, kind="throttle", path=path, times=1, **throttle)
    counter = fakes.hub.add_fault(platform=platform, kind="latency", latency_ms=0, times=None, path=path)

    with pytest.raises(RateLimited) as first:
        connectors[platform].followers()
    with pytest.raises(RateLimited) as second:
        connectors[platform].followers()

    assert first.value.until == second.value.until == NOW + wait
    assert counter.fired == 1  # the second was refused before it was sent


def test_x_obeys_its_window_for_the_user_lookup(fakes, account, connectors):
    fakes.hub.limits.x_reads_per_user = 1
    counter = fakes.hub.add_fault(platform="x", kind="latency", latency_ms=0, times=None, path="/2/users/")

    assert connectors["x"].followers() is not None  # the window's one call: remaining 0
    with pytest.raises(RateLimited) as caught:
        connectors["x"].followers()

    assert caught.value.scope.endswith("GET /2/users/:id")
    assert counter.fired == 1


def test_a_page_over_its_hourly_calls_is_told_to_wait_and_then_waits(fakes, account, connectors):
    fakes.hub.limits.graph_page_calls = 1
    page = account["facebook"]["page_id"]
    counter = fakes.hub.add_fault(platform="facebook", kind="latency", latency_ms=0, times=None, path=page)

    assert connectors["facebook"].followers() is not None  # usage 100 %: the next one waits
    with pytest.raises(RateLimited) as caught:
        connectors["facebook"].followers()

    assert caught.value.scope == f"graph:buc:{page}"
    assert counter.fired == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_token_the_platform_no_longer_takes_is_credentials_invalid(connectors, fakes, account, platform):
    fakes.hub.add_fault(platform=platform, kind="expired_token", path=_path(account, platform))

    with pytest.raises(CredentialsInvalid) as caught:
        connectors[platform].followers()

    assert caught.value.message.endswith("Kanal perlu dihubungkan ulang.")


def test_the_tipline_bot_offers_no_followers(fakes, account, clock):
    from humas.channels.connectors.telegram import TelegramBotConnector

    bot = TelegramBotConnector(
        bot_token=account["telegram"]["bot_token"], base_url=fakes.base_url, clock=clock
    )

    assert Capability.FOLLOWERS not in bot.capabilities
    bot.close()
