"""Start the fakes in a thread on a free port (tests, benchmarks, the demo)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .core import Limits, Settings
from .server import FakeHTTPServer, FakeHub, make_server, run_in_thread


@dataclass
class RunningFakes:
    base_url: str
    hub: FakeHub
    server: FakeHTTPServer


@contextmanager
def running_fakes(
    *,
    seed: int = 2,
    limits: Limits | None = None,
    settings: Settings | None = None,
    clock: Callable[[], float] = time.time,
    host: str = "127.0.0.1",
) -> Iterator[RunningFakes]:
    """``with running_fakes() as fakes:`` -> ``fakes.base_url``, ``fakes.hub.accounts``…"""
    hub = FakeHub(seed=seed, limits=limits, settings=settings, clock=clock)
    server = make_server(host, 0, hub=hub, quiet=True)
    thread = run_in_thread(server)
    try:
        yield RunningFakes(base_url=server.base_url, hub=hub, server=server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
