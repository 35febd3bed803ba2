"""Fixtures: the fakes on a free port, and connectors pointed at them (no mocking)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from humas.channels.connectors import (
    FacebookConnector,
    InstagramConnector,
    MemoryRateLimitStore,
    TelegramConnector,
    XConnector,
)
from humas.channels.fakes import RunningFakes, running_fakes

# A fixed instant for the fakes and the connectors, so waits computed from headers are exact.
NOW = datetime(2026, 11, 28, 4, 0, 0, tzinfo=UTC)
# Reads stay short (the stall faults last 1.5 s and must time out); connecting to the fakes on a
# loaded CI machine once took longer than 2 s, which is no fault of the code under test.
TIMEOUT = httpx.Timeout(connect=10.0, read=1.0, write=10.0, pool=10.0)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def epoch(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def fakes(clock: FixedClock) -> Iterator[RunningFakes]:
    with running_fakes(seed=2, clock=clock.epoch) as running:
        yield running


@pytest.fixture
def account(fakes: RunningFakes) -> dict[str, Any]:
    return fakes.hub.accounts[0]


def _common(fakes: RunningFakes, clock: FixedClock) -> dict[str, Any]:
    return {
        "base_url": fakes.base_url,
        "timeout": TIMEOUT,
        "clock": clock,
        "rate_store": MemoryRateLimitStore(clock),
    }


@pytest.fixture
def facebook(fakes: RunningFakes, account: dict[str, Any], clock: FixedClock) -> Iterator[FacebookConnector]:
    connector = FacebookConnector(
        page_id=account["facebook"]["page_id"],
        access_token=account["facebook"]["page_token"],
        **_common(fakes, clock),
    )
    yield connector
    connector.close()


@pytest.fixture
def instagram(
    fakes: RunningFakes, account: dict[str, Any], clock: FixedClock
) -> Iterator[InstagramConnector]:
    connector = InstagramConnector(
        ig_user_id=account["instagram"]["ig_user_id"],
        access_token=account["instagram"]["access_token"],
        poll_interval=0.0,
        poll_timeout=2.0,
        **_common(fakes, clock),
    )
    yield connector
    connector.close()


@pytest.fixture
def x(fakes: RunningFakes, account: dict[str, Any], clock: FixedClock) -> Iterator[XConnector]:
    connector = XConnector(access_token=account["x"]["access_token"], **_common(fakes, clock))
    yield connector
    connector.close()


@pytest.fixture
def telegram(fakes: RunningFakes, account: dict[str, Any], clock: FixedClock) -> Iterator[TelegramConnector]:
    connector = TelegramConnector(
        bot_token=account["telegram"]["bot_token"],
        chat_id=account["telegram"]["chat_username"],
        **_common(fakes, clock),
    )
    yield connector
    connector.close()
