"""#14 on a 360 px phone in real Chromium: the withdrawal's confirmation, a post after withdrawal,
a post sent back with its reason, the switcher's page of several matches and the portal's 404.
Each fits the screen and has no serious axe issue; the screenshots go to var/screenshots/issue14/."""

# The fixtures are imported from other test modules: their names as parameters are not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

from pathlib import Path

import pytest

from humas.channels.services import ChannelInput, channel_create
from humas.publishing.assisted import delivery_mark_published
from humas.publishing.delivery import publication_create
from humas.publishing.models import Post
from humas.publishing.services import post_create
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in
from tests.publishing.conftest import (  # noqa: F401 - fixtures
    admin,
    approved_post,
    connected,
    editor,
    fakes,
    operator,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "issue14"
TEXT = "Coklit serentak dimulai hari ini di 16 kecamatan. Warga Jepara diminta menyiapkan KTP-el dan KK."


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert no_horizontal_scroll(page), name
    assert serious_violations(page) == [], name


def test_withdrawing_with_a_reason_on_a_phone(
    live_server, phone, fakes, connected, approved_post, operator, editor, admin, offices
):
    telegram = connected("telegram")
    tiktok = channel_create(
        actor=admin,
        office=offices["33.20"],
        data=ChannelInput(platform="tiktok", name="KPU Jepara TikTok", handle="kpujepara"),
    )
    post = approved_post(TEXT, channels=[telegram, tiktok])
    publication = publication_create(actor=operator, post=post, channels=[telegram, tiktok])
    delivery_mark_published(
        actor=operator,
        delivery=publication.deliveries.get(channel=tiktok),
        url="https://www.tiktok.com/@kpujepara/video/7300000000000000001",
    )

    sign_in(phone, live_server.url, editor.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    phone.goto(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")
    phone.click("text=Tarik dari semua kanal…")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/content/{post.pk}/publications/*/withdraw/")
    assert "Dihapus dari Telegram oleh Humas." in phone.locator("main").inner_text()
    shoot(phone, "withdraw-confirmation")

    # The browser itself refuses an empty reason (required); the server does too (tests/publishing).
    phone.click("main form button[type=submit]")
    assert "/withdraw/" in phone.url
    phone.fill("#id_reason", "Tanggal coklit salah: mulai 12 Juni, bukan hari ini.")
    phone.click("main form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")
    main = phone.locator("main").inner_text()
    assert "Ditarik pada" in main and "Tanggal coklit salah" in main and "Terbit di" not in main
    shoot(phone, "post-after-withdrawal")


def test_sending_a_post_back_on_a_phone(live_server, phone, operator, editor, offices):
    post = post_create(actor=operator, office=offices["33.20"], text=TEXT, channels=[])
    Post.objects.filter(pk=post.pk).update(status=Post.Status.IN_REVIEW)

    sign_in(phone, live_server.url, editor.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    phone.goto(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")
    shoot(phone, "post-review-with-send-back")
    phone.fill("#return-reason", "Tanggalnya 12 Juni, bukan hari ini. Sebutkan juga jam pelayanan.")
    phone.click("text=Kembalikan ke penulis")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")

    phone.context.clear_cookies()
    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    phone.goto(f"{live_server.url}/app/kab-jepara/content/{post.pk}/")
    main = phone.locator("main").inner_text()
    assert f"Dikembalikan oleh {editor.get_full_name()}" in main and "Sebutkan juga jam pelayanan" in main
    shoot(phone, "post-sent-back")


def test_the_switchers_matches_on_a_phone(live_server, phone, member):
    person = member("00", "viewer", email="peninjau.ri@kpu.test")
    sign_in(phone, live_server.url, person.email)
    phone.wait_for_url(f"{live_server.url}/app/**")

    phone.fill("#office-switch", "Kepulauan")
    phone.press("#office-switch", "Enter")
    phone.wait_for_url(f"{live_server.url}/app/offices/find/?q=Kepulauan")
    assert "KPU Provinsi Kepulauan Riau" in phone.locator("main").inner_text()
    shoot(phone, "switcher-several-matches")

    phone.fill("#office-find-q", "Atlantis")
    phone.press("#office-find-q", "Enter")
    phone.wait_for_url(f"{live_server.url}/app/offices/find/?q=Atlantis")
    shoot(phone, "switcher-no-match")

    phone.fill("#office-switch", "Jepara")
    phone.press("#office-switch", "Enter")
    phone.wait_for_url(f"{live_server.url}/app/kab-jepara/")


def test_unknown_addresses_on_a_phone(live_server, phone, offices, member):
    response = phone.goto(f"{live_server.url}/kab-jepara/berita/tidak-ada/")
    assert response.status == 404
    shoot(phone, "portal-404")
    person = member("33", "viewer", email="peninjau.jateng@kpu.test")
    sign_in(phone, live_server.url, person.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    response = phone.goto(f"{live_server.url}/app/jateng/tidak/ada/")
    assert response.status == 404
    shoot(phone, "back-office-404")
