"""Links to a published post point at the fakes' own page for it when the connectors are told to
(issue #14, "Lihat unggahan" in the demo), and every fake serves that page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from humas.channels.connectors import (
    FacebookConnector,
    ImageURL,
    InstagramConnector,
    PublishRequest,
    TelegramConnector,
    XConnector,
    build_connector,
)
from humas.channels.fakes import RunningFakes

from .conftest import FixedClock, _common


def web(fakes: RunningFakes, platform: str) -> str:
    return f"{fakes.base_url}/_fake/{platform}"


def connectors(fakes: RunningFakes, account: dict[str, Any], clock: FixedClock) -> dict[str, Any]:
    common = _common(fakes, clock)
    return {
        "facebook": FacebookConnector(
            page_id=account["facebook"]["page_id"],
            access_token=account["facebook"]["page_token"],
            web_url=web(fakes, "facebook"),
            **common,
        ),
        "instagram": InstagramConnector(
            ig_user_id=account["instagram"]["ig_user_id"],
            access_token=account["instagram"]["access_token"],
            poll_interval=0.0,
            poll_timeout=2.0,
            web_url=web(fakes, "instagram"),
            **common,
        ),
        "x": XConnector(access_token=account["x"]["access_token"], web_url=web(fakes, "x"), **common),
        "telegram": TelegramConnector(
            bot_token=account["telegram"]["bot_token"],
            chat_id=account["telegram"]["chat_username"],
            web_url=web(fakes, "telegram"),
            **common,
        ),
    }


@pytest.mark.parametrize("platform", ["facebook", "instagram", "x", "telegram"])
def test_the_published_post_links_to_the_fakes_page_showing_it(fakes, account, clock, platform):
    connector = connectors(fakes, account, clock)[platform]
    text = f"Uji tautan unggahan {platform}: rapat pleno pukul 10.00 WIB."
    images = (ImageURL("https://humas.example/gambar.jpg"),) if platform == "instagram" else ()
    try:
        info = connector.verify()
        post = connector.publish(PublishRequest(text=text, images=images))
    finally:
        connector.close()

    assert post.url.startswith(web(fakes, platform) + "/"), post.url
    page = httpx.get(post.url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert text in page.text
    # The account's own link leads to its page on the fake too, listing the post.
    assert info.url.startswith(web(fakes, platform) + "/"), info.url
    account_page = httpx.get(info.url)
    assert account_page.status_code == 200 and text in account_page.text


def test_without_a_web_url_links_stay_on_the_real_sites(fakes, account, clock):
    x = XConnector(access_token=account["x"]["access_token"], **_common(fakes, clock))
    try:
        assert x.verify().url == "https://x.com/kpu_demo1"
        assert x.publish(PublishRequest(text="Tautan ke x.com.")).url.startswith(
            "https://x.com/kpu_demo1/status/"
        )
    finally:
        x.close()


def test_build_connector_passes_the_web_url(fakes, account):
    connector = build_connector(
        "x", account_id="", token=account["x"]["access_token"], base_url=fakes.base_url, web_url="http://w/x/"
    )
    try:
        assert connector.verify().url == "http://w/x/kpu_demo1"
    finally:
        connector.close()


@pytest.mark.parametrize(
    "path",
    ["/_fake/x/kpu_demo1/status/999", "/_fake/facebook/100000000000001_999", "/_fake/instagram/p/nothing/"],
)
def test_a_post_the_fake_does_not_know_is_a_404_page(fakes, path):
    page = httpx.get(fakes.base_url + path)
    assert page.status_code == 404
    assert "tidak ditemukan" in page.text
