"""Helpers shared by run.py and pages.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def verified(user: Any) -> Any:
    """A confirmed authenticator of ``user``, so a session can be marked as past the second factor
    (national and provincial staff must pass one: humas/offices/policy.py two_factor_required)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
