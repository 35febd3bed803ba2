"""Meta's webhooks (/hooks/meta/): the subscription check, the signature over the raw body (bad
or missing → 403 and nothing stored), a comment stored once however often it is announced, and
the limits on size and rate."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

from humas.channels.connectors import FacebookConnector
from humas.monitoring.models import Item, Source
from humas.monitoring.polling import source_poll
from tests.channels.conftest import connected_channel, serving_fakes

pytestmark = pytest.mark.django_db

URL = "/hooks/meta/"


@pytest.fixture
def fakes(settings):
    with serving_fakes(settings) as running:
        settings.HUMAS_META_WEBHOOK_VERIFY_TOKEN = "token-verifikasi-meta"
        yield running


@pytest.fixture
def meta() -> Client:
    return Client(enforce_csrf_checks=True)  # Meta has no CSRF token: the endpoint must not need one


@pytest.fixture
def page(fakes, account, offices):
    """Jepara's Facebook Page with a channel-comments source, and a post on it."""
    jepara = offices["33.20"]
    channel = connected_channel(office=jepara, platform="facebook", account=account)
    source = Source.objects.create(
        office=jepara,
        kind=Source.Kind.CHANNEL_COMMENTS,
        name="Komentar Facebook",
        config={"channel_id": channel.pk},
    )
    post = fakes.hub.graph.add_post(account["facebook"]["page_id"], "Jadwal coklit")
    return source, post


def post_signed(client: Client, fakes, comment_id: str, **kwargs):
    body, headers = fakes.hub.signed_webhook(comment_id, **kwargs)
    return client.post(
        URL, body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=headers["X-Hub-Signature-256"]
    )


def test_meta_subscription_check_echoes_the_challenge_for_the_right_token(fakes, meta):
    good = meta.get(
        URL,
        {"hub.mode": "subscribe", "hub.verify_token": "token-verifikasi-meta", "hub.challenge": "1158201444"},
    )
    wrong = meta.get(
        URL, {"hub.mode": "subscribe", "hub.verify_token": "salah", "hub.challenge": "1158201444"}
    )
    bare = meta.get(URL)

    assert (good.status_code, good.content, good["Content-Type"]) == (
        200,
        b"1158201444",
        "text/plain; charset=utf-8",
    )
    assert good["Cache-Control"] == "no-store"
    assert (wrong.status_code, bare.status_code) == (403, 403)


def test_without_a_configured_verify_token_nothing_subscribes(fakes, meta, settings):
    settings.HUMAS_META_WEBHOOK_VERIFY_TOKEN = ""

    answer = meta.get(URL, {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"})

    assert answer.status_code == 403


def test_a_signed_comment_is_stored_once_however_often_it_comes(fakes, meta, page):
    source, post = page
    comment = fakes.hub.graph.add_public_comment(post, "Benarkah TPS tutup jam 11?", "warga_jepara")

    first = post_signed(meta, fakes, comment)
    second = post_signed(meta, fakes, comment)
    polled = source_poll(source_id=source.pk)

    assert (first.status_code, first.json()) == (200, {"created": 1, "duplicates": 0, "ignored": 0})
    assert (second.status_code, second.json()) == (200, {"created": 0, "duplicates": 1, "ignored": 0})
    assert polled.created == 0  # the poller reads the same comment: still one item
    item = Item.objects.get(source=source)
    assert (item.external_id, item.platform, item.author_handle, item.text) == (
        comment,
        "facebook",
        "warga_jepara",
        "Benarkah TPS tutup jam 11?",
    )
    assert item.raw["comment_id"] == comment
    assert item.url == f"https://www.facebook.com/{post}?comment_id={comment.rsplit('_', 1)[-1]}"


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=", "sha1=abcdef", "sha256=" + "0" * 64, "wrong-secret"],
    ids=["missing", "empty", "no-digest", "other-algorithm", "zeros", "wrong-secret"],
)
def test_unsigned_or_badly_signed_is_403_and_stores_nothing(fakes, meta, page, signature):
    source, post = page
    comment = fakes.hub.graph.add_public_comment(post, "Hoaks!", "warga")
    body, headers = fakes.hub.signed_webhook(comment, secret="bukan-rahasia-aplikasi")
    extra = {}
    if signature == "wrong-secret":
        extra["HTTP_X_HUB_SIGNATURE_256"] = headers["X-Hub-Signature-256"]
    elif signature is not None:
        extra["HTTP_X_HUB_SIGNATURE_256"] = signature

    answer = meta.post(URL, body, content_type="application/json", **extra)

    assert answer.status_code == 403
    assert Item.objects.count() == 0
    source.refresh_from_db()
    assert source.item_count == 0


def test_a_body_changed_after_signing_is_refused(fakes, meta, page):
    _source, post = page
    comment = fakes.hub.graph.add_public_comment(post, "Hoaks!", "warga")
    body, headers = fakes.hub.signed_webhook(comment)

    answer = meta.post(
        URL,
        body.replace(b"Hoaks!", b"Klik ini"),
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=headers["X-Hub-Signature-256"],
    )

    assert answer.status_code == 403
    assert Item.objects.count() == 0


def test_an_instagram_comment_goes_to_the_instagram_source(fakes, meta, account, offices):
    jepara = offices["33.20"]
    channel = connected_channel(office=jepara, platform="instagram", account=account)
    source = Source.objects.create(
        office=jepara,
        kind=Source.Kind.CHANNEL_COMMENTS,
        name="Komentar IG",
        config={"channel_id": channel.pk},
    )
    media = fakes.hub.graph.add_media(account["instagram"]["ig_user_id"], "Tahapan")
    comment = fakes.hub.graph.add_public_comment(media, "DPT ganda?", "warga_ig")

    answer = post_signed(meta, fakes, comment)

    assert answer.json() == {"created": 1, "duplicates": 0, "ignored": 0}
    assert list(
        Item.objects.filter(source=source).values_list("platform", "external_id", "author_handle")
    ) == [("instagram", comment, "warga_ig")]


def test_a_page_humas_does_not_watch_and_the_pages_own_reply_are_ignored(fakes, meta, account, page):
    source, post = page
    comment = fakes.hub.graph.add_public_comment(post, "Benarkah?", "warga")
    connector = FacebookConnector(
        page_id=account["facebook"]["page_id"],
        access_token=account["facebook"]["page_token"],
        base_url=fakes.base_url,
    )
    own = connector.reply(comment, "Sudah diklarifikasi.").comment_id
    connector.close()
    fakes.hub.seed(1)  # a second Page, which no office connected
    stranger_post = fakes.hub.graph.add_post(fakes.hub.accounts[1]["facebook"]["page_id"], "Unggahan lain")
    stranger = fakes.hub.graph.add_public_comment(stranger_post, "Komentar di Halaman lain", "warga")

    mine = post_signed(meta, fakes, own)
    elsewhere = post_signed(meta, fakes, stranger)

    assert (mine.status_code, mine.json()) == (200, {"created": 0, "duplicates": 0, "ignored": 0})
    assert (elsewhere.status_code, elsewhere.json()) == (200, {"created": 0, "duplicates": 0, "ignored": 1})
    assert Item.objects.count() == 0


def signed(settings, body: bytes) -> str:
    return "sha256=" + hmac.new(settings.HUMAS_META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_too_large_and_garbage_bodies(fakes, meta, page, settings):
    _source, post = page
    comment = fakes.hub.graph.add_public_comment(post, "x" * 200, "warga")
    garbage = b"{not json"
    strange = json.dumps({"object": "page", "entry": "no"}).encode()

    settings.HUMAS_WEBHOOK_MAX_BYTES = 100
    large = post_signed(meta, fakes, comment)
    settings.HUMAS_WEBHOOK_MAX_BYTES = 256 * 1024
    broken = meta.post(
        URL, garbage, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signed(settings, garbage)
    )
    other = meta.post(
        URL, strange, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signed(settings, strange)
    )

    assert large.status_code == 413
    assert broken.status_code == 400
    assert (other.status_code, other.json()) == (200, {"created": 0, "duplicates": 0, "ignored": 0})
    assert Item.objects.count() == 0


def test_each_address_is_rate_limited(fakes, meta, settings):
    settings.HUMAS_WEBHOOK_RATE_PER_MINUTE = 2

    statuses = [meta.get(URL).status_code for _ in range(3)]

    assert statuses == [403, 403, 429]


def test_only_get_and_post(fakes, meta):
    assert meta.put(URL, b"{}").status_code == 405
