"""InstagramConnector against the Graph fake over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from humas.channels.connectors import (
    BadRequest,
    CredentialsInvalid,
    ImageBytes,
    ImageURL,
    InstagramConnector,
    PermissionMissing,
    PublishRequest,
    RateLimited,
    RetryLater,
    TextTooLong,
    Unsupported,
)
from humas.channels.connectors.base import Capability

from .conftest import NOW, TIMEOUT

PHOTO = ImageURL("https://kpu.go.id/media/infografis.jpg")


def test_verify_reports_handle_and_scopes(instagram, account):
    info = instagram.verify()

    assert info.account_id == account["instagram"]["ig_user_id"]
    assert info.handle == "@kpudemo1"
    assert info.url == "https://www.instagram.com/kpudemo1/"
    assert "instagram_content_publish" in info.scopes


def test_verify_with_a_token_of_another_account_is_permission_missing(fakes, account, clock):
    connector = InstagramConnector(
        ig_user_id=account["instagram"]["ig_user_id"],
        access_token=fakes.hub.accounts[1]["facebook"]["page_token"],
        base_url=fakes.base_url,
        timeout=TIMEOUT,
        clock=clock,
    )

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    assert (
        caught.value.message
        == f"Token ini tidak dapat mengakses akun Instagram {account['instagram']['ig_user_id']}"
    )


def test_verify_without_publish_permission_names_it(fakes, clock):
    page = fakes.hub.graph.add_page(
        name="KPU Baca Saja", index=77, scopes=("pages_read_engagement", "instagram_basic")
    )
    connector = InstagramConnector(
        ig_user_id=page["ig_user_id"],
        access_token=page["page_token"],
        base_url=fakes.base_url,
        timeout=TIMEOUT,
        clock=clock,
    )

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    assert caught.value.missing == ("instagram_content_publish",)


def test_publish_polls_the_container_then_publishes(instagram, fakes):
    fakes.hub.settings.ig_container_polls = 3

    post = instagram.publish(
        PublishRequest(text="Ayo ke TPS #pemilu2029", link="https://kpu.go.id", images=(PHOTO,))
    )

    stored = fakes.hub.posts("instagram")
    assert [p["id"] for p in stored] == [post.post_id]
    assert stored[0]["text"] == "Ayo ke TPS #pemilu2029\n\nhttps://kpu.go.id"
    assert post.url.startswith("https://www.instagram.com/p/C")
    assert post.created_at == NOW


def test_publish_a_carousel(instagram, fakes):
    post = instagram.publish(
        PublishRequest(text="Tiga langkah", images=(PHOTO, ImageURL("https://kpu.go.id/2.jpg")))
    )

    media = fakes.hub.graph.objects[post.post_id].data
    assert media["media_type"] == "CAROUSEL_ALBUM"
    assert media["image_urls"] == [PHOTO.url, "https://kpu.go.id/2.jpg"]


def test_container_never_ready_is_retry_later_and_publishes_nothing(fakes, account, clock):
    fakes.hub.settings.ig_container_polls = 10_000
    connector = InstagramConnector(
        ig_user_id=account["instagram"]["ig_user_id"],
        access_token=account["instagram"]["access_token"],
        base_url=fakes.base_url,
        timeout=TIMEOUT,
        clock=clock,
        poll_interval=0.0,
        poll_timeout=0.05,
    )

    with pytest.raises(RetryLater) as caught:
        connector.publish(PublishRequest(text="Lama", images=(PHOTO,)))

    assert caught.value.message == "Instagram belum selesai memproses media; Humas akan mencoba lagi."
    assert caught.value.ambiguous is False
    assert fakes.hub.posts("instagram") == []


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PublishRequest(text="Tanpa gambar"), "Instagram memerlukan minimal satu gambar dengan URL publik."),
        (
            PublishRequest(text="Berkas", images=(ImageBytes(b"x"),)),
            "Instagram hanya menerima gambar lewat URL publik (https), bukan unggahan berkas.",
        ),
        (
            PublishRequest(text=" ".join(f"#t{i}" for i in range(31)), images=(PHOTO,)),
            "Terlalu banyak tagar untuk Instagram: 31 dari batas 30.",
        ),
        (
            PublishRequest(text=" ".join(f"@u{i}" for i in range(21)), images=(PHOTO,)),
            "Terlalu banyak sebutan (@) untuk Instagram: 21 dari batas 20.",
        ),
    ],
)
def test_content_instagram_would_refuse_is_caught_before_sending(instagram, fakes, request_, message):
    with pytest.raises(BadRequest) as caught:
        instagram.publish(request_)

    assert caught.value.message == message
    assert fakes.hub.graph.objects == {}


def test_caption_over_2200_is_too_long(instagram):
    with pytest.raises(TextTooLong) as caught:
        instagram.publish(PublishRequest(text="a" * 2201, images=(PHOTO,)))

    assert (caught.value.limit, caught.value.length) == (2200, 2201)


def test_publishing_limit_is_read_and_enforced(instagram, fakes):
    fakes.hub.limits.ig_publish_per_day = 1
    instagram.publish(PublishRequest(text="Satu", images=(PHOTO,)))

    used, allowed = instagram.publishing_quota()
    with pytest.raises(RateLimited) as caught:
        instagram.publish(PublishRequest(text="Dua", images=(PHOTO,)))

    assert (used, allowed) == (1, 1)
    assert caught.value.code == 9
    assert caught.value.until == NOW + timedelta(hours=1)
    assert len(fakes.hub.posts("instagram")) == 1


def test_unfetchable_image_url_is_retry_later_with_a_wait(instagram, fakes):
    fakes.hub.add_fault(
        platform="instagram", kind="error", code=9004, subcode=2207052, status=400, path="/media"
    )

    with pytest.raises(RetryLater) as caught:
        instagram.publish(PublishRequest(text="Gambar hilang", images=(PHOTO,)))

    assert caught.value.retry_after == NOW + timedelta(minutes=5)
    assert caught.value.message == (
        "Instagram tidak dapat mengambil gambar dari URL-nya; pastikan URL dapat diakses publik."
    )


def test_instagram_throttle_80002_waits_for_regain(instagram, fakes):
    fakes.hub.add_fault(platform="instagram", kind="throttle", retry_after=9)

    with pytest.raises(RateLimited) as caught:
        instagram.publish(PublishRequest(text="Tunggu", images=(PHOTO,)))

    assert caught.value.code == 80002
    assert caught.value.until == NOW + timedelta(minutes=9)


def test_expired_token_is_credentials_invalid(instagram, fakes, account):
    fakes.hub.expire_token("instagram", account["instagram"]["access_token"])

    with pytest.raises(CredentialsInvalid) as caught:
        instagram.publish(PublishRequest(text="Kedaluwarsa", images=(PHOTO,)))

    assert caught.value.subcode == 463


def test_server_error_at_media_publish_is_ambiguous_and_reconciled(instagram, fakes):
    fakes.hub.add_fault(platform="instagram", kind="truncated", path="/media_publish")
    request = PublishRequest(text="Terbit atau tidak?", images=(PHOTO,))

    with pytest.raises(RetryLater) as caught:
        instagram.publish(request)
    found = instagram.find_published(request, since=NOW)

    assert caught.value.ambiguous is True
    assert found is not None
    assert found.post_id == fakes.hub.posts("instagram")[0]["id"]
    assert instagram.find_published(PublishRequest(text="Lain", images=(PHOTO,)), since=NOW) is None


def test_delete_is_unsupported_and_says_so(instagram):
    with pytest.raises(Unsupported) as caught:
        instagram.delete("180000001")

    assert Capability.DELETE not in instagram.capabilities
    assert caught.value.message == "Instagram tidak menyediakan API untuk menghapus unggahan."


def test_metrics_comments_and_reply(instagram, fakes):
    post = instagram.publish(PublishRequest(text="Interaksi", images=(PHOTO,)))
    fakes.hub.set_engagement(
        "instagram", post.post_id, {"reactions": 40, "views": 900, "reach": 700, "saved": 5, "shares": 2}
    )
    comment = fakes.hub.add_comment("instagram", post.post_id, "Kapan debat?", "pemilih_muda")

    metrics = instagram.metrics(post.post_id)
    comments = instagram.comments(post.post_id)
    reply = instagram.reply(comment, "Jadwal ada di kpu.go.id")

    assert (metrics.reactions, metrics.comments, metrics.views, metrics.reach, metrics.shares) == (
        40,
        1,
        900,
        700,
        2,
    )
    assert metrics.extra == {"saved": 5}
    assert [(c.author_name, c.text) for c in comments] == [("pemilih_muda", "Kapan debat?")]
    assert fakes.hub.graph.objects[reply.comment_id].data["parent"] == comment
