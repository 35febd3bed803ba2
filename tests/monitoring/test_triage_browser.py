"""The triage desk in Chromium at 360 px and 1280 px: the queue and a narrative page fit the
screen, pass axe without serious violations, break no Content-Security-Policy rule, show a
script in an item as text; and an operator assigns and sets a status without JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest

from humas.monitoring.models import Narrative
from tests.browser.conftest import browser  # noqa: F401 - the module's Chromium
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in
from tests.browser.watch import PageProblems

from .factories_narratives import ClaimFactory, ItemSpec, narrative_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "triage"
SCRIPT = "<script>window.__pwned = 1</script> TPS di Jepara tutup jam 11 siang, pemilih disuruh pulang"


@pytest.fixture
def story(offices):
    narrative = narrative_build(
        office=offices["33.20"],
        variants=[
            (
                SCRIPT,
                [ItemSpec(hour=h % 20, reach=10 * h, regions={"33.20": 0.9}) for h in range(30)],
            ),
            (
                "TPS Jepara tutup lebih awal, katanya perintah KPU",
                [ItemSpec(hour=3, platform="facebook")] * 4,
            ),
        ],
        risk=78,
    )
    narrative.suggestions = [{"claim": ClaimFactory(office=offices["00"]).pk, "score": 0.61}]
    narrative.save()
    return narrative


@pytest.mark.parametrize("width", [360, 1280])
def test_the_queue_and_the_narrative_page_fit_and_stay_safe(browser, live_server, member, story, width):  # noqa: F811
    operator = member("33.20", "operator", email="operator.triage@kpu.test")
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    problems = PageProblems(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in(page, live_server.url, operator.email)
        page.goto(f"{live_server.url}/app/kab-jepara/monitoring/narasi/")
        assert page.locator("h1").inner_text() == "Antrean narasi — KPU Kabupaten Jepara"
        assert no_horizontal_scroll(page)
        assert serious_violations(page) == []
        page.screenshot(path=str(SCREENSHOTS / f"queue-{width}.png"), full_page=True)

        page.click("table a")
        page.wait_for_url(f"**/monitoring/narasi/{story.pk}/")
        assert SCRIPT in page.locator("blockquote").inner_text()
        assert page.evaluate("window.__pwned === undefined")
        assert page.locator("svg.sparkline rect").count() == 20
        assert no_horizontal_scroll(page)
        assert serious_violations(page) == []
        page.screenshot(path=str(SCREENSHOTS / f"narrative-{width}.png"), full_page=True)

        for name in ("teruskan", "gabung", "pisah", "variasi"):
            page.goto(f"{live_server.url}/app/kab-jepara/monitoring/narasi/{story.pk}/{name}/")
            assert page.locator("h1").inner_text() != ""
            assert no_horizontal_scroll(page), name
            assert serious_violations(page) == [], name
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/app/kab-jepara/monitoring/narasi/{story.pk}/")
        page.select_option("select[name=status]", "perlu_klarifikasi")
        with page.expect_navigation():
            page.click("form[action$='/status/'] button")
        assert "Status narasi: Perlu klarifikasi." in page.locator(".messages").inner_text()
        page.select_option("select[name=assignee]", str(operator.pk))
        with page.expect_navigation():
            page.click("form[action$='/tugaskan/'] button")
        problems.assert_clean(f"triage pages at {width}px")
    finally:
        context.close()
    story.refresh_from_db()
    assert (story.status, story.assignee_id) == (Narrative.Status.NEEDS_CLARIFICATION, operator.pk)
