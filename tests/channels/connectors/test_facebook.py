"""FacebookConnector against the Graph fake over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from humas.channels.connectors import (
    BadRequest,
    CredentialsInvalid,
    DuplicatePost,
    FacebookConnector,
    ImageBytes,
    ImageURL,
    PermissionMissing,
    PublishRequest,
    RateLimited,
    RetryLater,
    TextTooLong,
)
from humas.channels.connectors.base import T_GARBAGE

from .conftest import NOW, TIMEOUT


def _connector(fakes, clock, token, page_id=None, **kwargs):
    page_id = page_id or fakes.hub.accounts[0]["facebook"]["page_id"]
    return FacebookConnector(
        page_id=page_id, access_token=token, base_url=fakes.base_url, timeout=TIMEOUT, clock=clock, **kwargs
    )


def test_verify_accepts_the_page_token_and_reports_scopes(facebook, account):
    info = facebook.verify()

    assert info.account_id == account["facebook"]["page_id"]
    assert info.name == "KPU Demo 1"
    assert info.credential_type == "page"
    assert info.expires_at is None
    assert "pages_manage_posts" in info.scopes
    assert info.warnings == ()


def test_verify_with_the_user_token_says_to_use_the_page_token(fakes, account, clock):
    connector = _connector(fakes, clock, account["facebook"]["user_token"])

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    assert caught.value.message.startswith("Token yang ditempel adalah token pengguna, bukan token Halaman.")
    assert account["facebook"]["page_id"] in caught.value.message
    assert caught.value.message_en.startswith("The pasted token is a user token, not a Page token.")


def test_verify_with_another_pages_token_names_both_pages(fakes, clock):
    other = fakes.hub.accounts[1]["facebook"]
    connector = _connector(fakes, clock, other["page_token"])

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    page_id = fakes.hub.accounts[0]["facebook"]["page_id"]
    assert caught.value.message == f"Token ini milik Halaman {other['page_id']}, bukan Halaman {page_id}"
    assert caught.value.message_en == f"This token belongs to Page {other['page_id']}, not Page {page_id}"


def test_verify_names_the_missing_permission(fakes, clock):
    page = fakes.hub.graph.add_page(
        name="KPU Terbatas", index=90, scopes=("pages_read_engagement", "pages_show_list")
    )
    connector = _connector(fakes, clock, page["page_token"], page_id=page["page_id"])

    with pytest.raises(PermissionMissing) as caught:
        connector.verify()

    assert caught.value.missing == ("pages_manage_posts",)
    assert caught.value.message == "Token Facebook tidak memiliki izin yang diperlukan: pages_manage_posts."


def test_verify_reports_the_user_token_expiry(fakes, account, clock):
    connector = _connector(fakes, clock, account["facebook"]["user_token"])

    data = connector.debug_token()

    assert data["type"] == "USER"
    assert data["expires_at"] == int((NOW + timedelta(days=60)).timestamp())


@pytest.mark.parametrize(
    ("subcode", "reason"),
    [
        (463, "token kedaluwarsa"),
        (460, "kata sandi akun diubah"),
        (467, "pengguna keluar atau token dicabut"),
    ],
)
def test_invalid_token_is_credentials_invalid_with_the_reason(fakes, account, facebook, subcode, reason):
    token = account["facebook"]["page_token"]
    fakes.hub.expire_token("facebook", token, subcode)

    with pytest.raises(CredentialsInvalid) as caught:
        facebook.publish(PublishRequest(text="Tidak terbit"))

    assert caught.value.code == 190
    assert caught.value.subcode == subcode
    assert (
        caught.value.message
        == f"Token Facebook tidak berlaku lagi ({reason}). Kanal perlu dihubungkan ulang."
    )
    assert token not in str(caught.value) and token not in caught.value.message
    assert fakes.hub.posts("facebook") == []


def test_unknown_token_is_credentials_invalid(fakes, clock):
    connector = _connector(fakes, clock, "EAAsalah")

    with pytest.raises(CredentialsInvalid) as caught:
        connector.verify()

    assert caught.value.code == 190
    assert "EAAsalah" not in caught.value.message


def test_publish_text_and_link(facebook, fakes, account):
    post = facebook.publish(PublishRequest(text="Pendaftaran KPPS dibuka", link="https://kpu.go.id/kpps"))

    stored = fakes.hub.posts("facebook")
    assert post.post_id == stored[0]["id"]
    assert post.post_id.startswith(account["facebook"]["page_id"] + "_")
    assert post.url == f"https://www.facebook.com/{post.post_id}"
    assert stored[0]["text"] == "Pendaftaran KPPS dibuka"
    assert stored[0]["link"] == "https://kpu.go.id/kpps"


def test_publish_with_photos_attaches_them_and_keeps_the_link_in_the_text(facebook, fakes):
    request = PublishRequest(
        text="Infografis tahapan",
        link="https://kpu.go.id/tahapan",
        images=(ImageURL("https://kpu.go.id/a.jpg"), ImageBytes(b"\x89PNG\r\n", "image/png", "b.png")),
    )

    post = facebook.publish(request)

    stored = fakes.hub.graph.objects[post.post_id].data
    assert len(stored["attached_media"]) == 2
    assert stored["message"] == "Infografis tahapan\n\nhttps://kpu.go.id/tahapan"
    assert stored["image_urls"] == ["https://kpu.go.id/a.jpg", "upload:b.png"]


def test_text_over_the_limit_is_refused_before_sending(facebook, fakes):
    with pytest.raises(TextTooLong) as caught:
        facebook.publish(PublishRequest(text="a" * 63_207))

    assert caught.value.limit == 63_206
    assert caught.value.message == "Teks terlalu panjang untuk Facebook: 63207 dari batas 63206 karakter."
    assert fakes.hub.posts("facebook") == []


def test_unsupported_image_type_is_refused_before_sending(facebook, fakes):
    with pytest.raises(BadRequest) as caught:
        facebook.publish(PublishRequest(text="x", images=(ImageBytes(b"%PDF", "application/pdf"),)))

    assert caught.value.message == "Jenis gambar application/pdf tidak diterima Facebook."
    assert fakes.hub.graph.objects == {}


def test_identical_post_is_a_duplicate_506(facebook, fakes):
    facebook.publish(PublishRequest(text="Hasil rekapitulasi"))

    with pytest.raises(DuplicatePost) as caught:
        facebook.publish(PublishRequest(text="Hasil rekapitulasi"))

    assert caught.value.code == 506
    assert caught.value.message == "Facebook menolak karena konten yang sama sudah diterbitkan."
    assert len(fakes.hub.posts("facebook")) == 1


def test_injected_duplicate_is_a_duplicate(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="duplicate", path="/feed")

    with pytest.raises(DuplicatePost):
        facebook.publish(PublishRequest(text="Baru"))


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttle_codes_wait_for_the_regain_time_from_the_header(facebook, fakes, code):
    fakes.hub.add_fault(platform="facebook", kind="throttle", code=code, retry_after=7)

    with pytest.raises(RateLimited) as caught:
        facebook.publish(PublishRequest(text="Ditahan"))

    assert caught.value.code == code
    assert caught.value.until == NOW + timedelta(minutes=7)
    assert (
        caught.value.message
        == "Batas permintaan Facebook tercapai; Humas menunggu sampai 2026-11-28 04:07:00 UTC."
    )


@pytest.mark.parametrize(
    ("code", "minutes"), [(4, 15), (17, 15), (32, 15), (613, 5), (341, 60), (368, 60), (80001, 15)]
)
def test_throttle_codes_without_a_regain_header_use_the_default_wait(facebook, fakes, code, minutes):
    fakes.hub.add_fault(platform="facebook", kind="error", code=code, status=400)

    with pytest.raises(RateLimited) as caught:
        facebook.metrics(facebook.page_id + "_1")

    assert caught.value.until == NOW + timedelta(minutes=minutes)


def test_after_a_throttle_the_next_call_waits_without_reaching_the_platform(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="throttle", code=32, retry_after=3)
    with pytest.raises(RateLimited):
        facebook.publish(PublishRequest(text="Pertama"))

    with pytest.raises(RateLimited) as caught:
        facebook.publish(PublishRequest(text="Kedua"))

    assert caught.value.until == NOW + timedelta(minutes=3)
    assert caught.value.scope == f"graph:buc:{facebook.page_id}"
    assert fakes.hub.posts("facebook") == []


def test_posting_too_fast_subcode_waits_a_minute(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="error", code=368, subcode=1390008, status=400)

    with pytest.raises(RateLimited) as caught:
        facebook.publish(PublishRequest(text="Cepat"))

    assert caught.value.until == NOW + timedelta(minutes=1)
    assert caught.value.subcode == 1390008


@pytest.mark.parametrize(
    ("usage", "regain", "wait"),
    [
        (89, 0, None),
        (90, 0, timedelta(minutes=1)),
        (96, 0, timedelta(minutes=5)),
        (100, 0, timedelta(minutes=15)),
        (40, 12, timedelta(minutes=12)),
    ],
)
def test_usage_headers_back_off_before_100_percent(facebook, fakes, usage, regain, wait):
    fakes.hub.add_fault(platform="facebook", kind="usage", usage=usage, retry_after=regain)

    facebook.debug_token()

    expected = NOW + wait if wait else None
    assert facebook.rate_store.blocked_until(f"graph:buc:{facebook.page_id}") == expected
    if regain == 0:
        assert facebook.rate_store.blocked_until(facebook.app_key) == expected


def test_usage_block_stops_the_next_call_before_sending(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="usage", usage=97, retry_after=0)
    facebook.debug_token()

    with pytest.raises(RateLimited) as caught:
        facebook.publish(PublishRequest(text="Nanti dulu"))

    assert caught.value.until == NOW + timedelta(minutes=5)
    assert fakes.hub.posts("facebook") == []


def test_real_page_limit_in_the_fake_reports_usage_then_throttles(fakes, facebook, account, clock):
    fakes.hub.limits.graph_page_calls = 2
    facebook.verify()  # /me at 50 %, then debug_token at 100 % with an hour to regain

    with pytest.raises(RateLimited) as backed_off:
        facebook.publish(PublishRequest(text="Sudah 100 persen"))
    fresh = _connector(fakes, clock, account["facebook"]["page_token"])  # a worker without that memory
    with pytest.raises(RateLimited) as refused:
        fresh.publish(PublishRequest(text="Tetap ditolak"))

    assert backed_off.value.until == NOW + timedelta(minutes=60)
    assert refused.value.code == 80001
    assert refused.value.until == NOW + timedelta(minutes=60)
    assert fakes.hub.posts("facebook") == []


def test_server_error_on_publish_is_an_ambiguous_retry(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="error", status=500, path="/feed")

    with pytest.raises(RetryLater) as caught:
        facebook.publish(PublishRequest(text="Mungkin terbit"))

    assert caught.value.ambiguous is True
    assert caught.value.code == 1
    assert caught.value.message.startswith("Jawaban Facebook tidak diterima; Humas akan memeriksa")


def test_server_error_on_a_read_is_a_plain_retry(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="error", status=503)

    with pytest.raises(RetryLater) as caught:
        facebook.verify()

    assert caught.value.ambiguous is False
    assert caught.value.code == 2


def test_html_error_page_is_retry_later_not_a_crash(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="html")

    with pytest.raises(RetryLater) as caught:
        facebook.publish(PublishRequest(text="Halaman HTML"))

    assert caught.value.template == T_GARBAGE
    assert caught.value.http_status == 502
    assert (
        caught.value.message == "Facebook mengirim jawaban yang tidak dapat dibaca; Humas akan mencoba lagi."
    )


def test_truncated_answer_after_posting_is_reconciled_with_find_published(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="truncated", path="/feed")
    request = PublishRequest(text="Terpotong di jalan")

    with pytest.raises(RetryLater) as caught:
        facebook.publish(request)
    found = facebook.find_published(request, since=NOW - timedelta(seconds=5))

    assert caught.value.ambiguous is True
    assert found is not None
    assert found.post_id == fakes.hub.posts("facebook")[0]["id"]


def test_timeout_after_posting_is_ambiguous_and_found_by_marker(facebook, fakes):
    fakes.hub.add_fault(platform="facebook", kind="timeout", seconds=1.5, commit=True, path="/feed")
    request = PublishRequest(text="Lambat sekali")

    with pytest.raises(RetryLater) as caught:
        facebook.publish(request)

    assert caught.value.ambiguous is True
    assert facebook.find_published(request, since=NOW).text == "Lambat sekali"


def test_find_published_is_none_when_nothing_matches(facebook):
    facebook.publish(PublishRequest(text="Yang lain"))

    assert facebook.find_published(PublishRequest(text="Belum pernah"), since=NOW) is None
    assert facebook.find_published(PublishRequest(text="Yang lain"), since=NOW + timedelta(seconds=1)) is None


def test_metrics_skip_deprecated_insights_and_count_reactions(facebook, fakes):
    post = facebook.publish(PublishRequest(text="Statistik"))
    fakes.hub.set_engagement(
        "facebook",
        post.post_id,
        {"reactions": 12, "shares": 3, "post_media_view": 400, "post_impressions_unique": 250},
    )
    fakes.hub.add_comment("facebook", post.post_id, "Mantap", "ani")

    metrics = facebook.metrics(post.post_id)

    assert (metrics.reactions, metrics.comments, metrics.shares) == (12, 1, 3)
    assert (metrics.views, metrics.reach, metrics.impressions) == (400, 250, None)
    assert metrics.unavailable == ("post_impressions",)


def test_metrics_keep_the_link_clicks_of_the_clicks_by_type(facebook, fakes):
    post = facebook.publish(PublishRequest(text="Cek DPT", link="https://cekdptonline.kpu.go.id"))
    quiet = facebook.publish(PublishRequest(text="Belum ada yang klik"))
    fakes.hub.set_engagement(
        "facebook", post.post_id, {"reactions": 5, "link_clicks": 37, "photo_views": 8, "other_clicks": 2}
    )

    clicked, unclicked = facebook.metrics(post.post_id), facebook.metrics(quiet.post_id)

    # Only the link's clicks, not a photo opened; Graph leaves out a type nobody clicked: 0, not None.
    assert (clicked.link_clicks, unclicked.link_clicks) == (37, 0)
    assert "post_clicks_by_type" not in clicked.unavailable


def test_link_clicks_are_none_when_graph_no_longer_gives_the_breakdown(facebook, fakes, monkeypatch):
    from humas.channels.fakes import graph

    post = facebook.publish(PublishRequest(text="Cek DPT"))
    monkeypatch.setattr(graph, "FB_POST_METRICS", graph.FB_POST_METRICS - {"post_clicks_by_type"})

    metrics = facebook.metrics(post.post_id)

    assert metrics.link_clicks is None
    assert "post_clicks_by_type" in metrics.unavailable


def test_comments_and_reply(facebook, fakes):
    post = facebook.publish(PublishRequest(text="Tanya jawab"))
    first = fakes.hub.add_comment("facebook", post.post_id, "Di mana TPS saya?", "budi")
    fakes.hub.add_comment("facebook", post.post_id, "Terima kasih", "siti")

    comments = facebook.comments(post.post_id)
    reply = facebook.reply(first, "Cek di cekdptonline.kpu.go.id")

    assert [(c.author_name, c.text) for c in comments] == [
        ("siti", "Terima kasih"),
        ("budi", "Di mana TPS saya?"),
    ]
    assert reply.parent_id == first
    assert fakes.hub.graph.objects[reply.comment_id].data["message"] == "Cek di cekdptonline.kpu.go.id"


def test_delete_is_idempotent(facebook, fakes):
    post = facebook.publish(PublishRequest(text="Ditarik"))

    facebook.delete(post.post_id)
    facebook.delete(post.post_id)

    assert fakes.hub.posts("facebook") == []


def test_appsecret_proof_is_sent_and_checked(fakes, account, clock):
    graph = fakes.hub.graph
    good = _connector(
        fakes, clock, account["facebook"]["page_token"], app_id=graph.app_id, app_secret=graph.app_secret
    )
    bad = _connector(fakes, clock, account["facebook"]["page_token"], app_id=graph.app_id, app_secret="salah")

    assert good.verify().credential_type == "page"
    with pytest.raises(BadRequest) as caught:
        bad.publish(PublishRequest(text="Proof salah"))
    assert caught.value.platform_message == "Invalid appsecret_proof provided in the API argument"


def test_connection_refused_is_a_safe_retry(clock, account):
    connector = FacebookConnector(
        page_id="1", access_token="EAAx", base_url="http://127.0.0.1:9", timeout=TIMEOUT, clock=clock
    )

    with pytest.raises(RetryLater) as caught:
        connector.publish(PublishRequest(text="Tidak ada server"))

    assert caught.value.ambiguous is False


@pytest.mark.parametrize(
    ("body", "call"),
    [
        ('["unexpected"]', "verify"),
        ('{"id": "1", "name": 5}', "verify"),
        ('{"data": "not a list"}', "comments"),
        ('{"data": [{"values": "x"}]}', "metrics"),
        ('{"data": [{"message": "tanpa id"}]}', "find_published"),
    ],
)
def test_answers_of_the_wrong_shape_are_retry_later(facebook, fakes, body, call):
    fakes.hub.add_fault(platform="facebook", kind="shape", body=body, times=None)
    action = {
        "verify": facebook.verify,
        "comments": lambda: facebook.comments("1_1"),
        "metrics": lambda: facebook.metrics("1_1"),
        "find_published": lambda: facebook.find_published(PublishRequest(text="tanpa id"), since=NOW),
    }[call]

    with pytest.raises(RetryLater) as caught:
        action()

    assert caught.value.ambiguous is False


def test_tokens_never_reach_the_httpx_log(facebook, account, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="httpx"):
        facebook.verify()  # debug_token carries the token as input_token

    assert "debug_token?input_token=<redacted>" in caplog.text
    assert account["facebook"]["page_token"] not in caplog.text
