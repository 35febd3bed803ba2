"""Accounts' answers to Django's own signals (connected in AccountsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .reauth import mark_authenticated


def mark_session_authenticated(*, request: HttpRequest | None, **_: Any) -> None:
    # Every sign-in (the form, the admin's, a test's force_login) starts the re-authentication clock.
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)
