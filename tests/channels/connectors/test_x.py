"""XConnector against the X fake over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from humas.channels.connectors import (
    BadRequest,
    CredentialsInvalid,
    DuplicatePost,
    ImageBytes,
    MemoryRateLimitStore,
    PermissionMissing,
    PublishRequest,
    RateLimited,
    RetryLater,
    TextTooLong,
    XConnector,
    weighted_length,
)

from .conftest import NOW, TIMEOUT

RESET_15_MIN = int(NOW.timestamp()) + 900 + 1


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("a" * 280, 280),
        ("Pemilu 2029", 11),
        ("選挙", 4),  # CJK weighs 2
        ("Info: https://kpu.go.id/berita/2029/01/01/sangat-panjang-sekali", 29),  # a URL weighs 23
        ("cek kpu.go.id", 27),
        ("👨‍👩‍👧", 2),  # one emoji sequence
        ("é", 1),  # NFC
    ],
)
def test_weighted_length_follows_twitter_text(text, length):
    assert weighted_length(text) == length


def test_verify_reports_the_user(x, account):
    info = x.verify()

    assert (info.account_id, info.handle, info.credential_type) == (
        account["x"]["user_id"],
        "@kpu_demo1",
        "oauth2_user",
    )


def test_publish_and_read_back(x, fakes):
    x.verify()
    post = x.publish(PublishRequest(text="Rekapitulasi nasional dimulai", link="https://kpu.go.id/rekap"))

    assert post.url == f"https://x.com/kpu_demo1/status/{post.post_id}"
    assert fakes.hub.posts("x")[0]["text"] == "Rekapitulasi nasional dimulai\n\nhttps://kpu.go.id/rekap"


def test_publish_with_an_image_uploads_it_first(x, fakes):
    post = x.publish(
        PublishRequest(text="Infografis", images=(ImageBytes(b"\x89PNG\r\n", "image/png", "i.png"),))
    )

    tweet = fakes.hub.x.tweets[post.post_id]
    assert len(tweet.media_ids) == 1
    assert fakes.hub.x.media[tweet.media_ids[0]] == fakes.hub.accounts[0]["x"]["user_id"]


def test_image_type_x_does_not_take_is_refused_before_sending(x, fakes):
    request = PublishRequest(text="Infografis", images=(ImageBytes(b"BM\x00\x00", "image/bmp", "i.bmp"),))

    with pytest.raises(BadRequest) as caught:
        x.publish(request)

    assert (
        caught.value.message == "Jenis gambar image/bmp tidak diterima X (hanya JPEG, PNG, WebP, atau GIF)."
    )
    assert (
        caught.value.message_en == "X does not accept images of type image/bmp (only JPEG, PNG, WebP or GIF)."
    )
    assert fakes.hub.posts("x") == [] and fakes.hub.x.media == {}


def test_text_over_280_weighted_is_refused_before_sending(x, fakes):
    with pytest.raises(TextTooLong) as caught:
        x.publish(PublishRequest(text="選" * 141))

    assert (caught.value.limit, caught.value.length) == (280, 282)
    assert caught.value.message == "Teks terlalu panjang untuk X: 282 dari batas 280 karakter berbobot."
    assert fakes.hub.posts("x") == []


def test_duplicate_content_is_a_duplicate(x, fakes):
    x.publish(PublishRequest(text="Sekali saja"))

    with pytest.raises(DuplicatePost) as caught:
        x.publish(PublishRequest(text="Sekali saja"))

    assert caught.value.http_status == 403
    assert len(fakes.hub.posts("x")) == 1


def test_429_waits_until_the_reset_header(x, fakes):
    fakes.hub.add_fault(platform="x", kind="throttle", retry_after=300)

    with pytest.raises(RateLimited) as caught:
        x.publish(PublishRequest(text="Dibatasi"))

    assert caught.value.until == NOW + timedelta(seconds=300)
    assert caught.value.http_status == 429


def test_429_with_the_24_hour_cap_waits_for_its_own_reset(x, fakes):
    fakes.hub.add_fault(platform="x", kind="throttle", code=24, retry_after=300)

    with pytest.raises(RateLimited) as caught:
        x.publish(PublishRequest(text="Kuota harian habis"))

    assert caught.value.until == NOW + timedelta(days=1)


def test_v1_style_429_body_is_understood(x, fakes):
    fakes.hub.add_fault(platform="x", kind="throttle", code=88, retry_after=60)

    with pytest.raises(RateLimited) as caught:
        x.metrics("1")

    assert caught.value.until == NOW + timedelta(seconds=60)


def test_remaining_zero_blocks_the_next_call_until_reset_without_sending(x, fakes):
    fakes.hub.limits.x_tweets_per_user = 1
    x.publish(PublishRequest(text="Satu-satunya"))

    with pytest.raises(RateLimited) as caught:
        x.publish(PublishRequest(text="Kedua"))

    assert caught.value.until == datetime.fromtimestamp(RESET_15_MIN, UTC)
    assert caught.value.scope.endswith("POST /2/tweets")
    assert len(fakes.hub.posts("x")) == 1


def test_the_fake_refuses_past_its_window_with_real_headers(fakes, account, clock):
    fakes.hub.limits.x_tweets_per_user = 1
    first = XConnector(
        access_token=account["x"]["access_token"], base_url=fakes.base_url, timeout=TIMEOUT, clock=clock
    )
    second = XConnector(
        access_token=account["x"]["access_token"], base_url=fakes.base_url, timeout=TIMEOUT, clock=clock
    )
    first.publish(PublishRequest(text="Pertama"))

    with pytest.raises(RateLimited) as caught:
        second.publish(PublishRequest(text="Dari worker lain"))

    assert caught.value.until == datetime.fromtimestamp(RESET_15_MIN, UTC)


def test_expired_token_is_credentials_invalid(x, fakes, account):
    fakes.hub.expire_token("x", account["x"]["access_token"])

    with pytest.raises(CredentialsInvalid) as caught:
        x.verify()

    assert (
        caught.value.message == "Token X tidak berlaku lagi (token ditolak). Kanal perlu dihubungkan ulang."
    )
    assert account["x"]["access_token"] not in str(caught.value)


def test_app_only_token_cannot_post(fakes, account, clock):
    connector = XConnector(
        access_token=account["x"]["app_bearer_token"], base_url=fakes.base_url, timeout=TIMEOUT, clock=clock
    )

    with pytest.raises(PermissionMissing) as caught:
        connector.publish(PublishRequest(text="Token aplikasi"))

    assert "Application-Only is forbidden" in caught.value.platform_message


def test_server_error_on_publish_is_ambiguous(x, fakes):
    fakes.hub.add_fault(platform="x", kind="error", status=503)

    with pytest.raises(RetryLater) as caught:
        x.publish(PublishRequest(text="503"))

    assert caught.value.ambiguous is True


def test_garbage_answers_are_retry_later(x, fakes):
    fakes.hub.add_fault(platform="x", kind="html")
    with pytest.raises(RetryLater) as html:
        x.verify()
    fakes.hub.add_fault(platform="x", kind="truncated")
    with pytest.raises(RetryLater) as truncated:
        x.verify()

    assert (html.value.http_status, truncated.value.http_status) == (502, 200)


def test_read_timeout_after_posting_is_ambiguous_and_reconciled(x, fakes):
    fakes.hub.add_fault(
        platform="x", kind="timeout", seconds=1.5, commit=True, path="/2/tweets", method="POST"
    )
    request = PublishRequest(text="Terlambat https://kpu.go.id/a")

    with pytest.raises(RetryLater) as caught:
        x.publish(request)
    found = x.find_published(PublishRequest(text="Terlambat https://t.co/abc"), since=NOW)

    assert caught.value.ambiguous is True
    assert found is not None and found.post_id == fakes.hub.posts("x")[0]["id"]
    assert x.find_published(PublishRequest(text="Tidak ada"), since=NOW) is None


def test_link_clicks_come_from_the_private_metrics_of_the_authors_recent_posts(x, fakes, clock):
    with_link = x.publish(PublishRequest(text="Cek DPT https://cekdptonline.kpu.go.id"))
    without = x.publish(PublishRequest(text="Tanpa tautan"))
    fakes.hub.set_engagement("x", with_link.post_id, {"like_count": 4, "url_link_clicks": 19})

    recent, linkless = x.metrics(with_link.post_id), x.metrics(without.post_id)
    clock.now += timedelta(days=31)  # X gives private counts for a post's first 30 days only
    old = x.metrics(with_link.post_id)

    assert (recent.link_clicks, recent.reactions) == (19, 4)
    assert linkless.link_clicks is None  # no link: no such count
    assert (old.link_clicks, old.reactions) == (None, 4)  # the public counts still come


def test_unknown_tweet_is_a_bad_request(x):
    with pytest.raises(BadRequest) as caught:
        x.metrics("1234")

    assert "Could not find tweet with id: [1234]." in caught.value.platform_message


def test_metrics_comments_reply_and_delete(x, fakes):
    post = x.publish(PublishRequest(text="Tanya KPU"))
    fakes.hub.set_engagement(
        "x", post.post_id, {"like_count": 7, "retweet_count": 2, "quote_count": 1, "impression_count": 321}
    )
    question = fakes.hub.add_comment("x", post.post_id, "@kpu_demo1 kapan?", "warga")

    metrics = x.metrics(post.post_id)
    comments = x.comments(post.post_id)
    reply = x.reply(question, "Besok pukul 09.00 WIB")
    x.delete(post.post_id)
    x.delete(post.post_id)

    assert (metrics.reactions, metrics.comments, metrics.shares, metrics.impressions) == (7, 1, 3, 321)
    assert [(c.author_name, c.text, c.parent_id) for c in comments] == [
        ("warga", "@kpu_demo1 kapan?", post.post_id)
    ]
    assert fakes.hub.x.tweets[reply.comment_id].in_reply_to == question
    assert [p["text"] for p in fakes.hub.posts("x")] == ["Besok pukul 09.00 WIB", "@kpu_demo1 kapan?"]


def test_the_app_wide_daily_cap_blocks_every_channel_of_the_app(fakes, clock):
    fakes.hub.limits.x_tweets_per_app = 1
    store = MemoryRateLimitStore(clock)
    first, second = (
        XConnector(
            access_token=a["x"]["access_token"],
            base_url=fakes.base_url,
            timeout=TIMEOUT,
            clock=clock,
            rate_store=store,
        )
        for a in fakes.hub.accounts[:2]
    )
    first.publish(PublishRequest(text="Kuota aplikasi"))

    with pytest.raises(RateLimited) as refused:
        second.publish(PublishRequest(text="Akun lain, aplikasi sama"))
    with pytest.raises(RateLimited) as waited:
        first.publish(PublishRequest(text="Tidak dikirim"))

    day_reset = NOW + timedelta(seconds=86400 + 1)
    assert refused.value.until == day_reset
    assert refused.value.scope == "x:app:default:POST /2/tweets"
    assert waited.value.until == day_reset
    assert len(fakes.hub.posts("x")) == 1
