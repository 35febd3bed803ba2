"""An operator's path through the monitoring desk in real Chromium (issue #15, "Proof"): the bell's
alert → the narrative → "Buat klarifikasi" → the portal editor → sent for review; an Editor
approves; back as the operator: the narrative is clarified, and the prepared replies are sent from
the "Balasan" page and reach the (fake) platform once.

The comments come from KPU Kabupaten Jepara's Facebook Page on the strict fakes, through the real
poller and pipeline (tests/monitoring/test_e2e_desk.py builds the same desk; this one needs
nothing outside the repository). Screenshots at 360 px and 1280 px of the queue, the narrative and
the replies go to /tmp/e2e_shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from humas.factcheck.matching import claim_index_reset
from humas.factcheck.models import Claim
from humas.monitoring.models import Narrative, NarrativeAlert, Reply
from humas.monitoring.polling import source_poll
from humas.notifications.models import Notification
from humas.portal.models import Article
from tests.browser.conftest import browser  # noqa: F401 - the module's Chromium
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in
from tests.browser.watch import PageProblems
from tests.channels.conftest import serving_fakes
from tests.monitoring.test_e2e_desk import SPIKE, desk_build, jepara_narrative

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e_shots")
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1280, "height": 900}
# Everyday comments on the Page besides the hoax: questions, thanks, chatter.
CHATTER = [
    "Min, nama saya belum muncul di DPT online, harus lapor ke mana?",
    "Terima kasih infonya KPU Jepara, sangat membantu",
    "Jam berapa TPS di Desa Bangsri buka tanggal 14?",
    "Kapan debat capres terakhir disiarkan?",
    "Selamat pagi semua, cuaca Jepara cerah hari ini",
    "Apakah pindah memilih masih bisa diurus minggu ini?",
]
EXPLANATION = (
    "Bawaslu dan KPU Kabupaten Jepara tidak menemukan pembagian amplop di Kecamatan Tahunan. "
    "Video yang beredar direkam di daerah lain pada 2019."
)


@pytest.fixture(autouse=True)
def fresh_index(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"  # publishing writes the portal's pages
    claim_index_reset()
    yield
    claim_index_reset()


@pytest.fixture
def fakes(settings):
    with serving_fakes(settings) as running:
        yield running


def shoot(page, name: str) -> None:
    """The page at 360 px and at 1280 px (full length), fitting the width; no serious axe issue."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in (PHONE, DESK):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        assert no_horizontal_scroll(page), f"{name} at {size['width']} px"
    page.set_viewport_size(PHONE)
    assert serious_violations(page) == [], name


def test_an_operator_goes_from_the_alert_to_replies_sent(
    browser,  # noqa: F811 - the imported fixture
    live_server,
    settings,
    fakes,
    offices,
    member,
):
    desk = desk_build(settings=settings, fakes=fakes, offices=offices, member=member, shared=False)
    desk.feed("chatter", [{"text": text, "author": f"warga{n}"} for n, text in enumerate(CHATTER)])
    outcome = source_poll(source_id=desk.source.pk)
    narrative = jepara_narrative(desk)
    operator, editor = desk.people["operator"], desk.people["editor"]
    base = live_server.url
    assert (outcome.status, outcome.created) == ("done", SPIKE + len(CHATTER))
    assert NarrativeAlert.objects.filter(narrative=narrative, kind=NarrativeAlert.Kind.SPIKE).count() == 1
    assert (
        Notification.objects.filter(recipient=operator, kind=Notification.Kind.NARRATIVE_ALERT).count() == 1
    )

    context = browser.new_context(viewport=PHONE, locale="id-ID")
    try:
        page = context.new_page()
        problems = PageProblems(page)
        sign_in(page, base, operator.email)
        page.wait_for_url(f"{base}/app/kab-jepara/")

        # The bell says there is one unread notification: the spike.
        expect(page.locator(".bell-count")).to_have_text("1")
        with page.expect_navigation():
            page.click("a.bell")
        alert = page.locator(".notification-list li", has_text="Narasi melonjak")
        expect(alert).to_have_count(1)
        expect(alert).to_contain_text(
            f"{SPIKE} item dalam satu jam terakhir; biasanya 0 per jam. Risiko 70 dari 100."
        )
        with page.expect_navigation():
            alert.locator("form[action$='/open/'] button").click()
        assert page.url == f"{base}/app/kab-jepara/monitoring/narasi/{narrative.pk}/"
        expect(page.locator("blockquote")).to_have_text(narrative.title)
        expect(page.locator("dl.audit-details").first).to_contain_text("Baru")
        shoot(page, "narrative-new")

        page.goto(f"{base}/app/kab-jepara/monitoring/narasi/")
        expect(page.locator("table a").first).to_have_text(narrative.title)
        shoot(page, "queue")
        with page.expect_navigation():
            page.locator("table a").first.click()

        # Buat klarifikasi: keep the proposed verdict, draft, land in the portal's editor.
        with page.expect_navigation():
            page.click("main a:has-text('Buat klarifikasi')")
        assert page.url == f"{base}/app/kab-jepara/monitoring/narasi/{narrative.pk}/klarifikasi/"
        assert page.locator("select[name=verdict]").input_value() == "hoaks"
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        article = Article.objects.get()
        assert page.url == f"{base}/app/kab-jepara/portal/{article.pk}/edit/"
        assert page.locator("#id_claim").input_value() == narrative.title
        body = page.locator(".ProseMirror:visible").last
        expect(body).to_contain_text("Tuliskan penjelasan dan faktanya di sini.")
        body.click()
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.type(EXPLANATION)
        with page.expect_navigation():
            page.click("form.article-form > button[type=submit]")
        assert page.url == f"{base}/app/kab-jepara/portal/{article.pk}/"
        with page.expect_navigation():
            page.click("main form button:has-text('Kirim untuk ditinjau')")
        article.refresh_from_db()
        assert article.status == Article.Status.IN_REVIEW
        assert EXPLANATION in article.body
        problems.assert_clean("operator: alert to review")

        # Another person, an Editor of the office, approves it (nobody approves their own text).
        reviewer = browser.new_context(viewport=PHONE, locale="id-ID")
        try:
            review = reviewer.new_page()
            review_problems = PageProblems(review)
            sign_in(review, base, editor.email)
            review.wait_for_url(f"{base}/app/**")
            review.goto(f"{base}/app/kab-jepara/portal/{article.pk}/")
            with review.expect_navigation():
                review.click("main form button:has-text('Setujui')")
            review_problems.assert_clean("editor: approval")
        finally:
            reviewer.close()
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        claim = Claim.objects.get(article=article)

        # Back as the operator: the narrative is clarified, its replies wait for a person.
        page.goto(f"{base}/app/kab-jepara/monitoring/narasi/{narrative.pk}/")
        expect(page.locator("dl.audit-details").first).to_contain_text("Sudah diklarifikasi")
        expect(page.locator("#claim-heading + p a")).to_have_text(claim.title)
        shoot(page, "narrative-clarified")
        with page.expect_navigation():
            page.click("main a:has-text('Balasan')")
        assert page.url == f"{base}/app/kab-jepara/monitoring/balasan/"
        expect(page.locator("section[aria-labelledby=prepared-heading] li.card")).to_have_count(SPIKE)
        shoot(page, "replies-prepared")
        assert desk.fakes.hub.replies("facebook") == []
        with page.expect_navigation():
            page.click(f"button:has-text('Kirim semua yang disiapkan ({SPIKE})')")
        expect(page.locator(".messages")).to_contain_text(f"{SPIKE} balasan sedang dikirim.")
        expect(page.locator("section[aria-labelledby=prepared-heading]")).to_contain_text(
            "Tidak ada balasan yang menunggu konfirmasi."
        )
        expect(page.locator(".status-sent")).to_have_count(SPIKE)
        shoot(page, "replies-sent")
        problems.assert_clean("operator: clarified to replies sent")
    finally:
        context.close()

    narrative.refresh_from_db()
    on_platform = desk.fakes.hub.replies("facebook")
    assert narrative.status == Narrative.Status.CLARIFIED
    assert sorted(r["parent_id"] for r in on_platform) == sorted(desk.fed["jepara"])
    assert {r["text"] for r in on_platform} == {
        f"Terima kasih atas perhatiannya. Informasi ini sudah diklarifikasi oleh KPU Kabupaten Jepara: {claim.url}"
    }
    assert set(Reply.objects.values_list("status", "confirmed_by")) == {(Reply.Status.SENT, operator.pk)}
