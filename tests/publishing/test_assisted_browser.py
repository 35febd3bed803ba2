"""The assisted-channel panel on a 360 px phone in real Chromium: "Salin teks" puts the exact text
on the clipboard, the URL form marks the channel published, no serious axe issues."""

from __future__ import annotations

import pytest

from humas.channels.services import ChannelInput, channel_create
from humas.publishing.delivery import publication_create
from humas.publishing.models import Delivery
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

from .conftest import JEPARA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
URL = "https://www.tiktok.com/@kpujepara/video/7301234567890123456"


def test_copy_and_mark_published_on_a_phone(live_server, phone, admin, offices, approved_post, operator):  # noqa: F811
    tiktok = channel_create(
        actor=admin,
        office=offices[JEPARA],
        data=ChannelInput(platform="tiktok", name="KPU Jepara", handle="kpujepara"),
    )
    post = approved_post(
        "Debat kandidat malam ini pukul 19.00 WIB. #PemiluDamai", link="https://kpu.go.id/debat"
    )
    delivery = publication_create(actor=operator, post=post, channels=[tiktok]).deliveries.get()
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    response = phone.goto(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")
    assert response.status == 200
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.get_by_role("button", name="Salin teks").click()
    phone.get_by_text("Teks disalin.").wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == (
        "Debat kandidat malam ini pukul 19.00 WIB. #PemiluDamai\n\nhttps://kpu.go.id/debat"
    )

    phone.fill(f"#assisted-{delivery.pk}-url", "https://www.tiktok.com/@orang.lain/video/7301234567890123456")
    phone.get_by_role("button", name="Tandai sudah terbit").click()
    phone.get_by_text("bukan akun kanal ini (@kpujepara)").wait_for()
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.fill(f"#assisted-{delivery.pk}-url", URL)
    phone.get_by_role("button", name="Tandai sudah terbit").click()
    phone.get_by_text("Terbit di 1 dari 1 kanal").wait_for()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.url, delivery.marked_by) == (Delivery.State.SENT, URL, operator)
