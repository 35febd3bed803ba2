"""Helpers for tests that go through the second factor the way a person does."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the person's authenticator app shows ``steps`` time steps from now (30 s each)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def unused_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current one, or the next when the current one was used
    (django-otp refuses a time step it has already accepted)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return code_for(device, steps=max(0, device.last_t + 1 - totp.t()))


def enrol(client, user) -> list[str]:
    """Enrol ``user`` (signed in on ``client``) through the setup page; returns the recovery codes."""
    client.get("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"code": code_for(device)})
    assert response.status_code == 200, response.content
    return [c.replace("-", "") for c in response.context["codes"]]


def pass_second_factor_in_browser(page, email: str) -> None:
    """After the password in a real browser, do what the person does with their authenticator app:
    enrol at a first sign-in the policy asks it of, or type the code. Nothing when the password
    page answered (a wrong password) or no second factor is asked."""
    path = urlsplit(page.url).path
    if path == "/accounts/two-factor/setup/":
        device = TOTPDevice.objects.get(user__email=email, confirmed=False)
        page.fill("#id_code", code_for(device))
        with page.expect_navigation():
            page.click("form button[type=submit]")
        with page.expect_navigation():
            page.click("#two-factor-continue")
    elif path == "/accounts/two-factor/verify/":
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.fill("#id_code", unused_code(device))
        with page.expect_navigation():
            page.click("form button[type=submit]")
