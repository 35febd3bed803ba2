"""#18 amplification tasks in real Chromium: KPU RI's Editor asks Jawa Tengah's offices to share a
post of KPU RI's X account; KPU Kabupaten Jepara's Operator, on a phone, first gives a neighbour's
URL (refused, naming Jepara's account) then its own; the board shows Jepara done with its link.
Every page at 360 px and 1280 px (screenshots in var/screenshots/amplification/), without
sideways scrolling, CSP violation, script error or serious axe issue."""

# The fixtures are imported from other test modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

import pytest

from humas.coordination.models import AmplificationTarget, AmplificationTask
from tests.browser.conftest import browser  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations
from tests.coordination.amplification_fixtures import JEPARA, NATIONAL_URL, accounts  # noqa: F401 - fixtures
from tests.coordination.cascade_fixtures import crew  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "amplification"
OWN_URL = "https://x.com/kpujepara/status/1870000000000000777"
# Chromium logs every 4xx answer; a refused form is one, on purpose (HTTP 400).
REFUSED = "console error: Failed to load resource: the server responded with a status of 400 (Bad Request)"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert no_horizontal_scroll(page), name
    assert serious_violations(page) == [], name


def test_ri_asks_jepara_records_its_own_url_and_the_board_shows_it(live_server, open_page, crew, accounts):
    base = live_server.url

    # KPU RI's Editor asks every office of Jawa Tengah to share its X post.
    editor, editor_problems = open_page(crew["ri_editor"])
    editor.goto(f"{base}/app/ri/amplifikasi/baru/")
    shoot(editor, "new-1280")
    editor.fill("#id_tautan", NATIONAL_URL)
    assert editor.locator("#id_ask_share").is_checked()
    editor.fill("#id_instructions", "Bagikan ulang dengan tagar #CekDPT sebelum pukul 17.00.")
    editor.get_by_role("radio", name="Kantor satu provinsi").check()
    editor.select_option("#id_province", label="KPU Provinsi Jawa Tengah")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Kirim tugas").click()
    task = AmplificationTask.objects.get()
    assert editor.url == f"{base}/app/ri/amplifikasi/{task.pk}/"
    assert "Diminta ke 36 kantor." in editor.locator("main").inner_text()
    editor_problems.assert_clean("asking")

    # Jepara's Operator, on a phone, finds it, gives a neighbour's URL, then its own.
    phone, phone_problems = open_page(crew["jepara_operator"], width=360)
    phone.goto(f"{base}/app/kab-jepara/kalender/")
    phone.get_by_role("link", name="Tugas amplifikasi").click()
    phone.wait_for_url(f"{base}/app/kab-jepara/amplifikasi/")
    card = phone.locator(".amp-list > li").first
    assert "KPU Republik Indonesia: Bagikan ulang" in card.inner_text()
    assert card.get_by_role("link", name="Buka tautannya").get_attribute("href") == NATIONAL_URL
    shoot(phone, "list-360")
    card.locator("summary", has_text="Catat hasil").click()
    card.get_by_label("Tautan hasil di akun kantor ini").fill("https://x.com/kpusemarang/status/1")
    assert card.get_by_label("Sudah dibagikan ulang").is_checked()
    with phone.expect_navigation():
        card.get_by_role("button", name="Catat").click()
    alert = phone.locator(".errorlist")
    assert "bukan akun resmi KPU Kabupaten Jepara di X (@kpujepara)" in alert.inner_text()
    shoot(phone, "refused-360")
    phone.get_by_label("Tautan hasil di akun kantor ini").fill(OWN_URL)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Catat", exact=True).click()
    phone.wait_for_url(f"{base}/app/kab-jepara/amplifikasi/")
    assert "Tercatat." in phone.locator("main").inner_text()
    assert OWN_URL in phone.locator(".amp-list").inner_text()
    shoot(phone, "done-360")
    assert [v for v in phone_problems.violations() if v != REFUSED] == []
    target = task.targets.get(office__code=JEPARA)
    assert (target.status, target.result_url) == (AmplificationTarget.Status.DONE, OWN_URL)

    # The board shows Jepara done, with its link, at both widths.
    editor.reload()
    jepara_row = editor.locator("tbody tr", has_text="KPU Kabupaten Jepara")
    assert "Selesai" in jepara_row.inner_text()
    assert jepara_row.get_by_role("link").first.get_attribute("href") == OWN_URL
    counts = editor.locator(".cascade-counts").inner_text()
    assert "36" in counts and "Selesai (3 %)" in counts
    shoot(editor, "board-1280")
    small, small_problems = open_page(crew["ri_editor"], width=360)
    small.goto(f"{base}/app/ri/amplifikasi/{task.pk}/?status=done")
    assert small.locator("tbody tr").count() == 1
    shoot(small, "board-360")
    phone.set_viewport_size({"width": 1280, "height": 900})
    phone.goto(f"{base}/app/kab-jepara/amplifikasi/")
    shoot(phone, "list-1280")
    small.goto(f"{base}/app/ri/amplifikasi/baru/")
    shoot(small, "new-360")
    small_problems.assert_clean("board and form at 360 px")
    editor_problems.assert_clean("board")
