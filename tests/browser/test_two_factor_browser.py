"""Enrolling the second factor in real Chromium: a provincial Editor signs in, scans (reads) the
secret, confirms with a code, keeps the recovery codes and lands on the dashboard; then signs in
again with a code."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.twofactor import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows now for the secret as written on the page."""
    compact = secret.replace(" ", "")
    return f"{totp(base64.b32decode(compact + '=' * (-len(compact) % 8))):06d}"


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_provincial_editor_enrols_and_lands_on_the_dashboard(live_server, browser, offices, member, width):
    member("33", "editor", email="editor.jateng@kpu.test")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "editor.jateng@kpu.test")
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/setup/?next=%2Fapp%2F")
        assert page.locator("h1").inner_text() == "Pasang verifikasi dua langkah"
        assert page.locator(".login-card svg").count() == 1
        code_input = page.locator("#id_code")
        assert code_input.get_attribute("autocomplete") == "one-time-code"
        assert code_input.get_attribute("inputmode") == "numeric"
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"two-factor-setup-{width}.png"), full_page=True)

        # Straight to the dashboard by hand: still the enrolment page.
        page.goto(f"{live_server.url}/app/jateng/")
        assert page.url.startswith(f"{live_server.url}/accounts/two-factor/setup/")

        secret = page.locator("#two-factor-secret").inner_text()
        page.fill("#id_code", "000000" if code_from_secret(secret) != "000000" else "111111")
        page.click("form button[type=submit]")
        assert "Kode salah, sudah dipakai, atau kedaluwarsa." in page.locator(".errorlist").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"two-factor-wrong-code-{width}.png"), full_page=True)

        page.fill("#id_code", code_from_secret(secret))
        page.click("form button[type=submit]")
        page.wait_for_selector("#recovery-codes")
        assert page.locator("#recovery-codes li").count() == 10
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"two-factor-recovery-codes-{width}.png"), full_page=True)
        with page.expect_download() as download:
            page.click("a[download]")
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.count("\n") >= 10
        assert page.locator("#recovery-codes li").first.inner_text() in text

        page.click("text=Saya sudah menyimpannya, lanjutkan")
        page.wait_for_url(f"{live_server.url}/app/jateng/")
        assert page.locator("h1").inner_text() == "KPU Provinsi Jawa Tengah"

        # Next time: password, then the code page.
        page.click(".account-menu summary")  # sign-out sits in the account menu
        page.click("form[action='/accounts/logout/'] button")
        page.wait_for_url(f"{live_server.url}/accounts/login/")
        sign_in(page, live_server.url, "editor.jateng@kpu.test")
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/verify/?next=%2Fapp%2F")
        assert fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"two-factor-verify-{width}.png"), full_page=True)
        # The next code (the one just used is refused), counted from where the first code put the
        # app's clock: a first code typed across a 30-second boundary moves the device's drift.
        device = TOTPDevice.objects.get(user__email="editor.jateng@kpu.test", confirmed=True)
        page.fill("#id_code", code_for(device, steps=1))
        page.click("form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/app/jateng/")
    finally:
        context.close()
