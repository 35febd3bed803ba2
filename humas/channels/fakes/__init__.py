"""Strict local fakes of the Graph API (Facebook, Instagram), X API v2 and the Telegram Bot
API, in one threaded HTTP server (standard library only, no Django)."""

from __future__ import annotations

from .core import Fault, Limits, Settings
from .server import FakeHub, main, make_server, serve
from .testing import RunningFakes, running_fakes

__all__ = [
    "Fault",
    "FakeHub",
    "Limits",
    "RunningFakes",
    "Settings",
    "main",
    "make_server",
    "running_fakes",
    "serve",
]
