"""The public portal in real Chromium: accessibility (axe-core), phone layout and screenshots."""

from __future__ import annotations

import pytest

from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations
from tests.portal.conftest import publish  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


@pytest.fixture
def content(publish):  # noqa: F811 - the imported fixture
    publish(
        "33.20",
        title="Coklit serentak di Jepara",
        summary="Petugas mendatangi rumah warga.",
        body="<p>Petugas <strong>pemutakhiran</strong> datang dengan tanda pengenal.</p><h2>Persiapan</h2>"
        "<ul><li>KTP elektronik</li><li>Kartu keluarga</li></ul>",
    )
    publish(
        "33.20",
        title="Surat suara tercoblos adalah hoaks",
        type="klarifikasi",
        claim="Foto surat suara sudah dicoblos sebelum hari pemungutan.",
        claim_appearances=["https://x.com/contoh/status/1234567890123456789/very/long/path/that/should/wrap"],
        verdict="hoaks",
        evidence_links=["https://jdih.kpu.go.id/"],
        body="<p>Itu surat suara contoh.</p>",
    )


PAGES = {
    "home": "/kab-jepara/",
    "national home": "/",
    "list": "/kab-jepara/berita/",
    "article": "/kab-jepara/berita/coklit-serentak-di-jepara/",
    "clarification": "/kab-jepara/klarifikasi/surat-suara-tercoblos-adalah-hoaks/",
    "404": "/kab-jepara/berita/tidak-ada/",
}


@pytest.mark.parametrize("width", [360, 1280])
def test_public_pages_pass_axe_and_fit_the_screen(live_server, browser, content, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        for name, path in PAGES.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == (404 if name == "404" else 200), name
            assert serious_violations(page) == [], name
            assert no_horizontal_scroll(page), name
    finally:
        context.close()


@pytest.mark.parametrize(("width", "name"), [(360, "phone"), (1280, "desktop")])
def test_article_page_screenshot(live_server, browser, content, width, name, tmp_path):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{PAGES['clarification']}")
        shot = page.screenshot(path=str(tmp_path / f"article-{name}.png"), full_page=True)
        # A real rendering: PNG of the page's full width, taller than the viewport on a phone.
        assert shot[:8] == b"\x89PNG\r\n\x1a\n"
        size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert size[0] == width
        assert size[1] > (900 if name == "phone" else 400)
        assert page.locator("h1").inner_text() == "Surat suara tercoblos adalah hoaks"
        assert page.locator(".verdict").first.inner_text().endswith("HOAKS")
        assert page.locator(".share-list a").count() == 4
    finally:
        context.close()
