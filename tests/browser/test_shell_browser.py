"""Login, office switching, phone layout and accessibility in real Chromium."""

from __future__ import annotations

from pathlib import Path

import axe_playwright_python
import pytest

from tests.factories import PASSWORD, MembershipFactory
from tests.twofactor import pass_second_factor_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")


def sign_in(page, base, email, password=PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_email", email)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    # Administrators, Editors and provincial people need a second factor after the password.
    pass_second_factor_in_browser(page, email)


def serious_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: a <script> tag added to the page would be refused
    # by the Content-Security-Policy (script-src 'self').
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;window.axe = axe;")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_login_and_switch_office_in_a_real_browser(live_server, phone, offices, member):
    user = member("33.74", "admin", email="dua.kantor@kpu.test")
    MembershipFactory(user=user, office=offices["73.71"], role="viewer")

    sign_in(phone, live_server.url, "dua.kantor@kpu.test")
    phone.wait_for_url(f"{live_server.url}/app/kota-semarang/")
    assert phone.locator("h1").inner_text() == "KPU Kota Semarang"
    assert phone.locator("html").get_attribute("lang") == "id"

    phone.select_option("select[name=office]", "kota-makassar")
    phone.click("form.switcher button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/app/kota-makassar/")
    assert phone.locator("h1").inner_text() == "KPU Kota Makassar"
    assert "WITA" in phone.locator(".lede").inner_text()

    # Another office's URL typed by hand shows no data.
    response = phone.goto(f"{live_server.url}/app/kab-jepara/")
    assert response.status == 403
    assert "KPU Kabupaten Jepara" not in phone.content()


def test_searching_an_office_below_opens_it(live_server, phone, offices, member):
    member("33", "editor", email="editor.jateng@kpu.test")
    sign_in(phone, live_server.url, "editor.jateng@kpu.test")
    phone.wait_for_url(f"{live_server.url}/app/jateng/")

    phone.fill("#office-switch", "Jepara")
    phone.wait_for_selector("#office-options option[value='KPU Kabupaten Jepara']", state="attached")
    phone.fill("#office-switch", "KPU Kabupaten Jepara")
    phone.dispatch_event("#office-switch", "change")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/")
    assert phone.locator("h1").inner_text() == "KPU Kabupaten Jepara"


def test_wrong_password_shows_one_message(live_server, phone, offices, member):
    member("33.20", "operator", email="op@kpu.test")
    sign_in(phone, live_server.url, "op@kpu.test", "salah-sekali")
    assert phone.locator("[role=alert]").inner_text().strip() == "E-mail atau kata sandi salah."


def test_language_switch_in_browser(live_server, phone, offices, member):
    member("33", "viewer", email="v@kpu.test")
    sign_in(phone, live_server.url, "v@kpu.test")
    phone.wait_for_url(f"{live_server.url}/app/jateng/")
    phone.select_option("#lang-select-footer", "en")
    phone.click(".lang-form button")
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.locator("nav.modules").inner_text().count("Settings") == 1


@pytest.mark.parametrize("width", [360, 1280])
def test_login_page_and_dashboard_pass_axe_and_fit_the_screen(live_server, browser, offices, member, width):
    member("33", "admin", email="a11y@kpu.test")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert serious_violations(page) == []
        assert no_horizontal_scroll(page)

        sign_in(page, live_server.url, "a11y@kpu.test")
        page.wait_for_url(f"{live_server.url}/app/jateng/")
        assert serious_violations(page) == []
        assert no_horizontal_scroll(page)

        page.goto(f"{live_server.url}/app/jateng/settings/people/")
        assert serious_violations(page) == []
    finally:
        context.close()
