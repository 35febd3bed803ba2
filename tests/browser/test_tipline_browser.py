"""A citizen on a phone, in real Chromium (issue #17, "Proof"): pastes a known hoax into Cek Klaim
on KPU Kabupaten Jepara's portal and sees its clarification (htmx swaps the answer in place);
pastes a new one, sends it as a tip with a screenshot and an e-mail; the office's operator finds
it in the tips list and the narrative queue; once a clarification of it is published, the tipper's
e-mail goes out. Screenshots at 360 px and 1280 px go to /tmp/e2e_shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from humas.factcheck.matching import claim_index_reset
from humas.portal.services import article_approve, article_create, article_submit
from humas.tipline.models import Tip
from tests.browser.conftest import browser  # noqa: F401 - the module's Chromium
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in
from tests.browser.watch import PageProblems
from tests.factcheck.conftest import klarifikasi
from tests.monitoring.test_pipeline import background_claims

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e_shots")
KNOWN = "Katanya ada foto surat suara Jepara udah dicoblos duluan di gudang logistik KPU sebelum pemilu, bener gak?"
NEW = "Info: pemilih wajib membawa KTP asli ke TPS, fotokopi tidak berlaku"


@pytest.fixture(autouse=True)
def fresh(settings, tmp_path, offices):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    settings.HUMAS_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    claim_index_reset()
    background_claims(offices["00"], n=300)
    yield
    claim_index_reset()


def publish(operator, editor, office, **fields):
    article = article_create(actor=operator, office=office, data=klarifikasi(**fields))
    article_submit(actor=operator, article=article)
    return article_approve(actor=editor, article=article)


def screenshot_file(tmp_path) -> Path:
    path = tmp_path / "pesan-wa.png"
    Image.new("RGB", (540, 960), (30, 120, 60)).save(path)
    return path


def test_a_citizen_checks_reports_and_is_told(live_server, browser, member, offices, tmp_path):  # noqa: F811
    jepara = offices["33.20"]
    operator = member("33.20", "operator", email="operator.jepara@kpu.test")
    editor = member("33.20", "editor", email="editor.jepara@kpu.test")
    known = publish(operator, editor, jepara)
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    problems = PageProblems(page)
    try:
        # From the home page's box: a plain form, the answer on the Cek Klaim page.
        page.goto(f"{base}/kab-jepara/")
        page.fill("#cek-klaim-home-text", KNOWN)
        with page.expect_navigation():
            page.click(".cek-klaim-box button[type=submit]")
        expect(page.locator("#check-results h2")).to_have_text("Kabar ini sudah diklarifikasi")
        expect(page.locator("#check-results .check-hits a").first).to_have_text(known.title)
        assert serious_violations(page) == []
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "cek-klaim-phone.png"), full_page=True)

        # On the page itself, htmx answers in place (no navigation): nothing matches the new one.
        page.fill("#id_teks", NEW)
        page.evaluate("window.stillThisPage = true")  # a navigation would start a new window object
        page.click(".check-form button[type=submit]")
        expect(page.locator("#check-results h2")).to_have_text("Belum ada klarifikasi yang cocok")
        assert page.evaluate("window.stillThisPage === true")
        assert serious_violations(page) == []

        # Report it: the tip form comes filled with what was checked.
        with page.expect_navigation():
            page.click("#check-results button[type=submit]")
        expect(page.locator("#id_teks")).to_have_value(NEW)
        page.set_input_files("#id_tangkapan", str(screenshot_file(tmp_path)))
        page.fill("#id_email", "warga.jepara@example.org")
        page.check("#id_setuju")
        assert serious_violations(page) == []
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / "lapor-hoaks-phone.png"), full_page=True)
        with page.expect_navigation():
            page.click(".tip-form button[type=submit]")
        tip = Tip.objects.get()
        expect(page.locator(".reference")).to_have_text(tip.reference)
        page.screenshot(path=str(SHOTS / "lapor-terkirim-phone.png"), full_page=True)
        assert problems.found == []
    finally:
        context.close()

    assert tip.screenshots.count() == 1
    assert tip.item_id is not None

    # The operator finds it among the tips and, through its item, in a narrative of the queue.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        sign_in(page, base, "operator.jepara@kpu.test")
        page.goto(f"{base}/app/kab-jepara/monitoring/laporan-warga/")
        page.click(f"text={tip.reference}")
        expect(page.locator("blockquote")).to_contain_text("KTP asli")
        expect(page.locator(".tip-screenshots img")).to_have_count(1)
        assert serious_violations(page) == []
        page.screenshot(path=str(SHOTS / "laporan-warga-desk.png"), full_page=True)
        with page.expect_navigation():
            page.click("dl.tip-facts a[href*='/monitoring/narasi/']")
        expect(page.locator("main")).to_contain_text("KTP asli")
    finally:
        desk.close()

    # A clarification of it is published: the tipper is told, once.
    assert mail.outbox == []
    publish(
        operator,
        editor,
        jepara,
        title="Tidak benar pemilih wajib membawa KTP asli ke TPS dan fotokopi tidak berlaku",
        claim=NEW,
        summary="Pemilih terdaftar di DPT dapat mencoblos dengan KTP-el, dan KPU menerima identitas lain sesuai aturan.",
    )
    tip.refresh_from_db()
    assert tip.status == Tip.Status.ANSWERED
    assert [m.to for m in mail.outbox] == [["warga.jepara@example.org"]]
    assert tip.reference in mail.outbox[0].subject
