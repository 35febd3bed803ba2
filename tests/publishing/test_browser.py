"""The Konten module on a 360 px phone in real Chromium: fits the screen, no serious axe issues."""

from __future__ import annotations

import pytest

from humas.publishing.delivery import delivery_send, publication_create
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_content_pages_fit_a_phone(live_server, phone, fakes, connected, approved_post, operator):  # noqa: F811
    channels = [connected("telegram"), connected("x")]
    post = approved_post("Pengumuman: " + "rekapitulasi suara tingkat kecamatan " * 6)
    fakes.hub.add_fault(platform="x", kind="error", status=400, code=None, times=1)
    publication = publication_create(actor=operator, post=post, channels=channels)
    for delivery in publication.deliveries.all():
        delivery_send(delivery_id=delivery.pk)

    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    for path in ("content/", "content/new/", f"content/{post.pk}/"):
        response = phone.goto(f"{live_server.url}/app/kab-jepara/{path}")
        assert response.status == 200, path
        assert no_horizontal_scroll(phone), path
        assert serious_violations(phone) == [], path
    assert "Terbit di 1 dari 2 kanal" in phone.locator("main").inner_text()
