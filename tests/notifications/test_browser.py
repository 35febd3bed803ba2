"""The bell and the notifications page on a 360 px phone in real Chromium: fits the screen, no
serious axe issues, mark read works."""

from __future__ import annotations

import pytest

from humas.notifications.services import notification_send
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notifications_on_a_phone(live_server, phone, offices, member):  # noqa: F811
    admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    for i, title in enumerate(
        [
            "Token Facebook: KPU Jepara kedaluwarsa dalam 3 hari",
            "Penerbitan perlu perhatian: 2 dari 5 kanal",
        ]
    ):
        notification_send(
            users=[admin],
            office=offices["33.20"],
            kind="token_expiry" if i == 0 else "delivery_problem",
            title=title,
            body="Terbit di 3 dari 5 kanal — Instagram gagal: token kedaluwarsa; X gagal: " + "teks " * 30,
            link="/app/kab-jepara/",
            key=f"k{i}",
        )

    sign_in(phone, live_server.url, admin.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    assert phone.locator(".bell-count").inner_text() == "2"
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.click("a.bell")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/notifications/")
    assert phone.locator("h1").inner_text() == "Notifikasi"
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.click("text=Tandai semua sudah dibaca")
    phone.wait_for_load_state()
    assert phone.locator(".bell-count").count() == 0
    assert phone.locator(".badge-new").count() == 0
