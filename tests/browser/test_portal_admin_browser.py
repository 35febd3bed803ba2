"""The back office's page of a published portal article at 360 px, for an Operator and an Editor:
only the actions each may perform (issue #14: 'Ubah' twice, 'Kirim untuk ditinjau' to an
Operator), no CSP violation or script error, nothing wider than the screen. Screenshots go to
var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_csp_browser import Watched, sign_in_context
from tests.portal.conftest import publish  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.mark.parametrize(
    ("role", "links", "buttons"),
    [
        ("operator", ["Pratinjau"], ["Bagikan ke kanal"]),
        ("editor", ["Pratinjau", "Ubah"], ["Bagikan ke kanal", "Tarik dari portal"]),
    ],
)
def test_a_published_articles_page_offers_each_role_its_own_actions_on_a_phone(
    live_server,
    browser,
    member,
    publish,  # noqa: F811 - the imported fixture
    role,
    links,
    buttons,
):
    article = publish(
        "33.20", title="Rapat pleno terbuka rekapitulasi hasil penghitungan suara tingkat kabupaten"
    )
    person = member("33.20", role, email=f"{role}.lain@kpu.test")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    try:
        watched = Watched(context.new_page(), live_server.url)
        sign_in_context(watched, person)
        watched.open(f"/app/kab-jepara/portal/{article.pk}/")
        page = watched.page

        actions = page.locator(".actions")
        assert [a.inner_text().strip() for a in actions.locator("a").all()] == links
        # 'Kirim untuk ditinjau' is for drafts; a published article may be shared to the channels.
        assert [b.inner_text().strip() for b in actions.locator("button").all()] == ["Bagikan ke kanal"]
        assert [b.inner_text().strip() for b in page.locator("main form button").all()] == buttons
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(SCREENSHOTS / f"portal-article-published-{role}-360.png"), full_page=True)
        watched.assert_clean(role)
    finally:
        context.close()
