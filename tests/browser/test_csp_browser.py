"""The Content-Security-Policy in real Chromium: the main pages of the back office and the portal
load without a single CSP violation or JavaScript error, and what their scripts do still works
(the post editor's live counter, the article's view beacon, htmx search as you type, Swagger UI).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from playwright.sync_api import expect

from humas.notifications.services import notification_send
from tests.browser.watch import PageProblems
from tests.portal.conftest import publish  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Watched(PageProblems):
    """A page whose CSP violations (console and events) and JavaScript errors are collected."""

    def __init__(self, page, base: str) -> None:
        super().__init__(page)
        self.base = base

    def open(self, path: str, *, status: int = 200):
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None
        assert response.status == status, path
        # The policy is really there: without it this test would prove nothing.
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("networkidle")
        return response


@pytest.fixture
def watched(browser, live_server) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    try:
        yield Watched(context.new_page(), live_server.url)
    finally:
        context.close()


def sign_in_context(watched: Watched, user) -> None:
    """A signed-in session (second factor passed, when the project asks for one) in the browser."""
    client = Client()
    client.force_login(user)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="csp-test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    cookie = client.cookies["sessionid"]
    watched.page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": watched.base}])


@pytest.fixture
def admin(offices, member):
    user = member("33", "admin", email="admin.jateng@kpu.test")
    notification_send(
        users=[user],
        office=offices["33"],
        kind="token_expiry",
        title="Token Facebook: KPU Jawa Tengah kedaluwarsa dalam 3 hari",
        body="Hubungkan ulang kanal ini sebelum kedaluwarsa.",
        link="/app/jateng/",
        key="csp-test",
    )
    return user


BACK_OFFICE_PAGES = {
    "dashboard": "/app/jateng/",
    "content list": "/app/jateng/content/",
    "channels": "/app/jateng/settings/channels/",
    "people": "/app/jateng/settings/people/",
    "notifications": "/app/jateng/notifications/",
}


def test_back_office_pages_load_without_csp_violations(watched, admin):
    sign_in_context(watched, admin)
    for name, path in BACK_OFFICE_PAGES.items():
        watched.open(path)
        watched.assert_clean(name)
    assert watched.page.locator(".bell-count").inner_text() == "1"
    assert watched.page.locator(".bell-count").evaluate("el => getComputedStyle(el).borderRadius") == "999px"


def test_post_editor_counter_counts_under_the_policy(watched, admin):
    sign_in_context(watched, admin)
    watched.open("/app/jateng/content/new/")
    counter = watched.page.locator("[data-counter]").first
    assert counter.inner_text().startswith("0 ")
    watched.page.fill("#id_text", "Coklit serentak dimulai hari ini")
    # 32 characters typed: the script recounted them in the browser.
    expect(counter).to_have_text(re.compile(r"^32 "))
    watched.assert_clean()


def test_article_editor_loads_the_rich_text_editor_under_the_policy(watched, admin):
    sign_in_context(watched, admin)
    response = watched.open("/app/jateng/portal/new/")
    # The editor's inline import map is the one script that needs this response's nonce.
    assert "'nonce-" in response.headers["content-security-policy"]
    body = watched.page.locator(".ProseMirror:visible").last
    body.click()
    watched.page.keyboard.type("Isi berita")
    expect(body).to_contain_text("Isi berita")
    watched.assert_clean()


def test_office_search_as_you_type_works_under_the_policy(watched, admin):
    sign_in_context(watched, admin)
    watched.open("/app/jateng/")
    watched.page.fill("#office-switch", "Jepara")
    watched.page.wait_for_selector("#office-options option[value='KPU Kabupaten Jepara']", state="attached")
    watched.assert_clean()


@pytest.fixture
def article(publish):  # noqa: F811 - the imported fixture
    return publish(
        "33.20",
        title="Coklit serentak di Jepara",
        summary="Petugas mendatangi rumah warga.",
        body='<p>Petugas datang. <a href="https://www.kpu.go.id/">Situs KPU</a></p>',
    )


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


PORTAL_PAGES = {
    "home": "/kab-jepara/",
    "search": "/kab-jepara/cari/?q=coklit",
    "official accounts": "/kab-jepara/akun-resmi/",
}


def test_portal_pages_load_without_csp_violations(watched, article):
    for name, path in PORTAL_PAGES.items():
        response = watched.open(path)
        assert "nonce" not in response.headers["content-security-policy"], name
        watched.assert_clean(name)


def test_article_view_beacon_is_sent_under_the_policy(watched, article):
    url = "/kab-jepara/berita/coklit-serentak-di-jepara/"
    with watched.page.expect_response(lambda r: f"/_v/{article.pk}" in r.url) as beacon:
        watched.open(url)
    assert beacon.value.status == 200
    count = beacon.value.json()["views"]
    # article.js shows the count the beacon answered.
    expect(watched.page.locator(".views")).to_have_text(f"Telah dilihat {count} kali")
    assert "nonce" not in watched.page.evaluate("document.documentElement.outerHTML")
    watched.assert_clean()


def test_api_docs_run_swagger_ui_from_own_static_files(watched):
    watched.open("/api/v1/docs")
    watched.page.wait_for_selector("#swagger-ui .information-container .title")
    assert "Humas API" in watched.page.locator("#swagger-ui .title").first.inner_text()
    watched.page.wait_for_selector("#swagger-ui .opblock")
    watched.assert_clean()
