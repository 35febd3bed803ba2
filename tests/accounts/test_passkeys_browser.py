"""Passkeys in real Chromium, with its virtual authenticator (DevTools' WebAuthn domain) standing in
for a phone's fingerprint reader: on a phone-sized page a regency Operator adds a named passkey,
makes recovery codes, signs out, and signs in again with password + passkey; not one
Content-Security-Policy violation or JavaScript error on the way."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache
from django_otp_webauthn.models import WebAuthnCredential

from humas.audit.models import AuditEvent
from tests.browser.conftest import browser  # noqa: F401 - fixture (Chromium, Playwright)
from tests.browser.watch import PageProblems
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def sign_in(page, base, email, next_url):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def test_an_operator_adds_a_passkey_on_a_phone_and_signs_in_with_it(live_server, browser, member, settings):  # noqa: F811
    # The relying party is the configured back office: here, the live server Chromium talks to.
    settings.HUMAS_BACKOFFICE_URL = live_server.url
    cache.clear()
    user = member("33.20", "operator", email="operator.jepara@kpu.test")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    page = context.new_page()
    problems = PageProblems(page)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]
    base = live_server.url
    try:
        sign_in(page, base, user.email, "/app/kab-jepara/notifications/")
        page.goto(f"{base}/accounts/two-factor/")
        assert page.locator("#passkeys").count() == 0
        page.click("text=Tambah passkey")
        page.wait_for_url(f"{base}/accounts/two-factor/passkeys/add/")
        button = page.locator("#passkey-register")
        assert button.is_visible()  # passkeys.js found WebAuthn and showed the button
        assert not page.locator("[data-passkey-unsupported]").is_visible()

        # No name: the browser's own message, and no ceremony.
        button.click()
        assert page.locator("#id_name").evaluate("field => !field.validity.valid")
        assert WebAuthnCredential.objects.count() == 0

        page.fill("#id_name", "Ponsel kantor")
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / "passkey-add-360.png"), full_page=True)
        with page.expect_navigation():
            button.click()
        # A first factor: on to the recovery codes, then back to the two-step page.
        assert page.url == f"{base}/accounts/two-factor/recovery-codes/?next=%2Faccounts%2Ftwo-factor%2F"
        with page.expect_navigation():
            page.click("form button[type=submit]")
        assert page.locator("#recovery-codes li").count() == 10
        with page.expect_navigation():
            page.click("#two-factor-continue")
        assert page.url == f"{base}/accounts/two-factor/"
        listed = page.locator("#passkeys").inner_text()
        assert "Ponsel kantor" in listed and "Belum pernah dipakai" in listed
        assert "Passkey “Ponsel kantor” ditambahkan." in page.locator(".messages").inner_text()
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / "passkey-list-360.png"), full_page=True)
        problems.assert_clean("adding a passkey")

        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        passkey = WebAuthnCredential.objects.get(user=user)
        assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
        assert passkey.name == "Ponsel kantor"

        # Sign out (the account menu of the back office), and in again: password, then the passkey.
        page.goto(f"{base}/app/kab-jepara/notifications/")
        page.click(".account-menu summary")
        with page.expect_navigation():
            page.click("form[action='/accounts/logout/'] button")
        sign_in(page, base, user.email, "/app/kab-jepara/notifications/")
        assert page.url == f"{base}/accounts/two-factor/verify/?next=%2Fapp%2Fkab-jepara%2Fnotifications%2F"
        assert page.locator("h1").inner_text() == "Verifikasi dengan passkey"
        verify = page.locator("#passkey-verify")
        assert verify.inner_text() == "Gunakan passkey"
        assert page.locator("[name=recovery_code]").count() == 1  # the codes stay available
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / "passkey-verify-360.png"), full_page=True)
        with page.expect_navigation():
            verify.click()
        page.wait_for_url(f"{base}/app/kab-jepara/notifications/")
        problems.assert_clean("signing in with a passkey")
        page.screenshot(path=str(SCREENSHOTS / "passkey-signed-in-360.png"), full_page=True)

        passkey.refresh_from_db()
        assert passkey.last_used_at is not None
        assert AuditEvent.objects.filter(actor=user, action="auth.passkey_add").count() == 1
        assert AuditEvent.objects.filter(actor=user, action="auth.passkey_used").count() == 1
    finally:
        context.close()
