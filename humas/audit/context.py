"""Request facts (client address) that services record without every caller passing them."""

from __future__ import annotations

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("humas_client_ip", default=None)
