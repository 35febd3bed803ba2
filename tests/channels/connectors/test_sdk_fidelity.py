"""The fakes must work unchanged for clients nobody here wrote: Meta's facebook-business SDK,
tweepy and python-telegram-bot, pointed at the fake by their base-URL setting or by routing
their HTTP session to it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests
import requests.adapters
import telegram
import tweepy
from facebook_business.adobjects.page import Page
from facebook_business.adobjects.post import Post
from facebook_business.api import FacebookAdsApi, FacebookSession
from facebook_business.exceptions import FacebookRequestError

from humas.channels.fakes import RunningFakes


@pytest.fixture
def graph_api(
    fakes: RunningFakes, account: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> FacebookAdsApi:
    monkeypatch.setattr(FacebookSession, "GRAPH", fakes.base_url)  # the SDK's documented base-URL attribute
    return FacebookAdsApi.init(
        access_token=account["facebook"]["page_token"], api_version="v23.0", crash_log=False
    )


def test_facebook_sdk_publishes_reads_lists_and_deletes_a_page_post(fakes, account, graph_api):
    page = Page(account["facebook"]["page_id"], api=graph_api)

    created = page.create_feed(params={"message": "Jadwal debat kandidat", "link": "https://kpu.go.id/debat"})
    fetched = Post(created["id"], api=graph_api).api_get(fields=["message", "created_time", "permalink_url"])
    listed = [p["id"] for p in page.get_feed(fields=["message"])]
    Post(created["id"], api=graph_api).api_delete()

    assert created["id"].startswith(account["facebook"]["page_id"] + "_")
    assert fetched["message"] == "Jadwal debat kandidat"
    assert fetched["created_time"] == "2026-11-28T04:00:00+0000"
    assert listed == [created["id"]]
    assert fakes.hub.posts("facebook") == []
    assert [p["id"] for p in fakes.hub.posts("facebook", include_deleted=True)] == [created["id"]]


def test_facebook_sdk_pages_through_the_feed_with_cursors(fakes, account, graph_api):
    page = Page(account["facebook"]["page_id"], api=graph_api)
    fakes.hub.settings.duplicate_window_seconds = 0
    ids = [page.create_feed(params={"message": f"Info {i}"})["id"] for i in range(7)]

    listed = [p["id"] for p in page.get_feed(fields=["message"], params={"limit": 3})]

    assert sorted(listed) == sorted(ids)
    assert len(listed) == 7


def test_facebook_sdk_sees_graph_errors_with_code_and_subcode(fakes, account, graph_api):
    fakes.hub.expire_token("facebook", account["facebook"]["page_token"])
    page = Page(account["facebook"]["page_id"], api=graph_api)

    with pytest.raises(FacebookRequestError) as caught:
        page.create_feed(params={"message": "Tidak akan terbit"})

    assert caught.value.api_error_code() == 190
    assert caught.value.api_error_subcode() == 463
    assert caught.value.http_status() == 400
    assert fakes.hub.posts("facebook") == []


def test_facebook_sdk_with_a_user_token_is_refused_with_200(fakes, account, monkeypatch):
    monkeypatch.setattr(FacebookSession, "GRAPH", fakes.base_url)
    api = FacebookAdsApi.init(
        access_token=account["facebook"]["user_token"], api_version="v23.0", crash_log=False
    )

    with pytest.raises(FacebookRequestError) as caught:
        Page(account["facebook"]["page_id"], api=api).create_feed(params={"message": "Token pengguna"})

    assert caught.value.api_error_code() == 200


class _ToFake(requests.adapters.HTTPAdapter):
    """Route a requests session's calls for the real host to the fake."""

    def __init__(self, real: str, fake: str) -> None:
        super().__init__()
        self.real, self.fake = real, fake

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = request.url.replace(self.real, self.fake, 1)
        return super().send(request, *args, **kwargs)


def _route_tweepy(client: tweepy.Client, fakes: RunningFakes) -> tweepy.Client:
    for host in ("https://api.twitter.com", "https://api.x.com"):
        client.session.mount(host, _ToFake(host, fakes.base_url))
    return client


def test_tweepy_oauth2_user_token_creates_reads_and_deletes_a_tweet(fakes, account):
    client = _route_tweepy(tweepy.Client(bearer_token=account["x"]["access_token"]), fakes)

    me = client.get_me(user_auth=False)
    created = client.create_tweet(text="Cek DPT Anda di cekdptonline", user_auth=False)
    fetched = client.get_tweet(
        created.data["id"], tweet_fields=["public_metrics", "created_at"], user_auth=False
    )
    timeline = client.get_users_tweets(me.data.id, user_auth=False)
    deleted = client.delete_tweet(created.data["id"], user_auth=False)

    assert me.data.username == "kpu_demo1"
    assert fetched.data.text == "Cek DPT Anda di cekdptonline"
    assert fetched.data.public_metrics["like_count"] == 0
    assert fetched.data.created_at.isoformat() == "2026-11-28T04:00:00+00:00"
    assert [t.id for t in timeline.data] == [int(created.data["id"])]
    assert deleted.data == {"deleted": True}
    assert fakes.hub.posts("x") == []


def test_tweepy_oauth1_user_context_creates_a_tweet(fakes, account):
    client = _route_tweepy(
        tweepy.Client(
            consumer_key="ck",
            consumer_secret="cs",
            access_token=account["x"]["access_token"],
            access_token_secret="s",
        ),
        fakes,
    )

    created = client.create_tweet(text="Lewat OAuth 1.0a")

    assert [p["text"] for p in fakes.hub.posts("x")] == ["Lewat OAuth 1.0a"]
    assert fakes.hub.posts("x")[0]["id"] == created.data["id"]


def test_tweepy_sees_duplicates_as_forbidden_and_throttles_as_too_many_requests(fakes, account):
    client = _route_tweepy(tweepy.Client(bearer_token=account["x"]["access_token"]), fakes)
    client.create_tweet(text="Sekali saja", user_auth=False)

    with pytest.raises(tweepy.Forbidden) as duplicate:
        client.create_tweet(text="Sekali saja", user_auth=False)
    fakes.hub.add_fault(platform="x", kind="throttle", retry_after=60)
    with pytest.raises(tweepy.TooManyRequests) as throttled:
        client.create_tweet(text="Lagi", user_auth=False)

    assert "duplicate content" in str(duplicate.value)
    assert throttled.value.response.headers["x-rate-limit-reset"] == str(int(fakes.hub.x.clock()) + 60)


def test_python_telegram_bot_posts_reads_and_deletes_in_a_channel(fakes, account):
    tg = account["telegram"]

    async def scenario() -> dict[str, Any]:
        bot = telegram.Bot(tg["bot_token"], base_url=f"{fakes.base_url}/bot")
        async with bot:
            me = await bot.get_me()
            chat = await bot.get_chat(tg["chat_username"])
            member = await bot.get_chat_member(tg["chat_username"], me.id)
            text = await bot.send_message(
                chat_id=tg["chat_username"], text="<b>Pengumuman</b> rekapitulasi", parse_mode="HTML"
            )
            photo = await bot.send_photo(
                chat_id=tg["chat_id"], photo=b"\x89PNG\r\n\x1a\nfake", caption="Infografis"
            )
            album = await bot.send_media_group(
                chat_id=tg["chat_id"],
                media=[telegram.InputMediaPhoto(b"one"), telegram.InputMediaPhoto("https://kpu.go.id/b.jpg")],
            )
            deleted = await bot.delete_message(chat_id=tg["chat_id"], message_id=text.message_id)
            return {
                "me": me,
                "chat": chat,
                "member": member,
                "text": text,
                "photo": photo,
                "album": album,
                "deleted": deleted,
            }

    result = asyncio.run(scenario())

    assert result["me"].username == "kpu_demo1_bot"
    assert result["chat"].type == "channel"
    assert result["member"].status == "administrator"
    assert result["member"].can_post_messages is True
    assert result["text"].message_id == 1
    assert result["text"].chat.username == "kpu_demo1"
    assert result["photo"].caption == "Infografis"
    assert len(result["photo"].photo) == 1
    assert [m.message_id for m in result["album"]] == [3, 4]
    assert result["deleted"] is True
    assert [p["id"] for p in fakes.hub.posts("telegram")] == [
        f"{tg['chat_id']}:4",
        f"{tg['chat_id']}:3",
        f"{tg['chat_id']}:2",
    ]


def test_python_telegram_bot_sees_telegram_errors(fakes, account):
    tg = account["telegram"]

    async def scenario() -> None:
        bot = telegram.Bot(tg["bot_token"], base_url=f"{fakes.base_url}/bot")
        async with bot:
            await bot.send_message(chat_id="@tidak_ada", text="halo")

    with pytest.raises(telegram.error.BadRequest) as caught:
        asyncio.run(scenario())

    assert caught.value.message == "Chat not found"
