"""A delivery the engine could not settle ("perlu perhatian"): a person finds the post on the
channel and records its link — never a second post — or sends it again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.offices.policy import PolicyDenied
from humas.publishing.assisted import delivery_confirm_published, found_url_check
from humas.publishing.delivery import publication_create, publication_withdraw
from humas.publishing.models import Delivery
from humas.publishing.selectors import publication_summary
from humas.publishing.services import PublishingError

pytestmark = pytest.mark.django_db
State = Delivery.State


def ambiguous_telegram(fakes, connected, approved_post, operator, capture):
    """A Telegram post that went out while its answer was lost: the engine asks a person."""
    channel = connected("telegram")
    fakes.hub.add_fault(platform="telegram", kind="timeout", commit=True, seconds=2, times=1)
    with capture(execute=True):
        publication = publication_create(actor=operator, post=approved_post(), channels=[channel])
    delivery = publication.deliveries.select_related("channel", "publication__post__office").get()
    assert delivery.state == State.NEEDS_ATTENTION
    [posted] = fakes.hub.posts("telegram")
    message_id = posted["id"].rpartition(":")[2]
    username = posted["account"].lstrip("@")
    return delivery, f"https://t.me/{username}/{message_id}"


def test_a_person_records_the_telegram_post_found_and_nothing_is_sent_again(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    delivery, url = ambiguous_telegram(
        fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
    )

    confirmed = delivery_confirm_published(actor=operator, delivery=delivery, url=url + "?single")

    assert (confirmed.state, confirmed.url, confirmed.marked_by) == (State.SENT, url + "?single", operator)
    assert confirmed.platform_post_id == f"{delivery.channel.account_id}:{url.rsplit('/', 1)[1]}"
    assert publication_summary(publication=delivery.publication) == "Terbit di 1 dari 1 kanal"
    assert len(fakes.hub.posts("telegram")) == 1
    event = AuditEvent.objects.get(action="delivery.confirm_published")
    assert event.changes["url"] == url + "?single"
    with pytest.raises(PublishingError, match="tidak sedang perlu perhatian"):
        delivery_confirm_published(actor=operator, delivery=delivery, url=url)

    # The recorded id is one the connector can delete: the withdrawal takes it down.
    [result] = publication_withdraw(actor=editor, publication=delivery.publication, reason="Salah tanggal")
    assert (result.ok, result.message) == (True, "Dihapus dari Telegram.")
    assert fakes.hub.posts("telegram") == []


@pytest.mark.parametrize(
    ("platform", "url", "message"),
    [
        ("telegram", "https://t.me/lain_kanal/5", "bukan akun kanal ini"),
        ("telegram", "https://t.me/", "harus menunjuk ke satu pesan"),
        ("telegram", "https://example.com/kanal/5", "bukan alamat Telegram"),
        ("x", "https://x.com/orang_lain/status/1860000000000000001", "bukan akun kanal ini"),
        ("x", "https://x.com/home", "harus menunjuk ke satu unggahan"),
        ("x", "https://x.com:8443/a/status/123456", "bukan alamat X"),
        ("facebook", "https://www.facebook.com/", "halaman utama"),
        ("facebook", "javascript:alert(1)", "bukan alamat Facebook"),
        ("instagram", "https://www.instagram.com/kpu/", "harus menunjuk ke satu unggahan"),
        ("x", "", "Masukkan tautan"),
    ],
)
def test_links_that_are_not_one_post_of_this_channel_are_refused(fakes, connected, platform, url, message):
    channel = connected(platform)
    with pytest.raises(PublishingError, match=message):
        found_url_check(channel=channel, url=url)


def test_x_and_facebook_links(fakes, connected):
    x = connected("x")
    handle = x.authorised_handle  # the connected account (the declared one is not filled in by connecting)
    assert found_url_check(channel=x, url=f"https://twitter.com/{handle}/status/1860000000000000001") == (
        f"https://twitter.com/{handle}/status/1860000000000000001",
        "1860000000000000001",
    )
    facebook = connected("facebook")
    # A Facebook link carries no Graph post id: kept as the link; withdrawal asks for a deletion by hand.
    assert found_url_check(channel=facebook, url="http://m.facebook.com/story.php?story_fbid=1&id=2") == (
        "https://m.facebook.com/story.php?story_fbid=1&id=2",
        "",
    )


def test_post_page_offers_the_check_and_records_the_link(
    client, fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    delivery, url = ambiguous_telegram(
        fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
    )
    post = delivery.publication.post
    client.force_login(operator)
    detail = reverse("publishing:detail", kwargs={"office_slug": "kab-jepara", "post_id": post.pk})
    page = client.get(detail).content.decode()
    assert "Perlu diperiksa" in page and "Sudah ada di kanal" in page
    action = reverse(
        "publishing:delivery_found",
        kwargs={"office_slug": "kab-jepara", "post_id": post.pk, "delivery_id": delivery.pk},
    )

    bad = client.post(action, {"url": "https://t.me/orang_lain/9"})
    assert bad.status_code == 400
    assert "bukan akun kanal ini" in bad.content.decode()

    good = client.post(action, {"url": url})
    assert good.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.url) == (State.SENT, url)
    assert "Perlu diperiksa" not in client.get(detail).content.decode()


def test_another_office_cannot_record_a_link(
    client, member, fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
):
    delivery, url = ambiguous_telegram(
        fakes, connected, approved_post, operator, django_capture_on_commit_callbacks
    )
    outsider = member("33.74", "admin", email="admin.semarang@kpu.test")
    client.force_login(outsider)
    response = client.post(
        reverse(
            "publishing:delivery_found",
            kwargs={
                "office_slug": "kota-semarang",
                "post_id": delivery.publication.post_id,
                "delivery_id": delivery.pk,
            },
        ),
        {"url": url},
    )
    assert response.status_code == 404
    with pytest.raises(PolicyDenied):
        delivery_confirm_published(actor=outsider, delivery=delivery, url=url)
    delivery.refresh_from_db()
    assert delivery.state == State.NEEDS_ATTENTION


def test_a_facebook_post_recorded_by_its_link_is_deleted_by_hand_after_a_withdrawal(
    fakes, connected, approved_post, operator, editor, django_capture_on_commit_callbacks
):
    from humas.publishing.assisted import delivery_mark_deleted
    from humas.publishing.metrics import metrics_start

    channel = connected("facebook")
    with django_capture_on_commit_callbacks(execute=False):
        publication = publication_create(actor=operator, post=approved_post(), channels=[channel])
    Delivery.objects.filter(publication=publication).update(
        state=State.NEEDS_ATTENTION, error_message="Humas tidak dapat memastikan …"
    )
    delivery = publication.deliveries.select_related("channel", "publication__post__office").get()
    link = "https://www.facebook.com/kpujepara/posts/pfbid0abc"
    delivery_confirm_published(actor=operator, delivery=delivery, url=link)
    # No post id in a Facebook link: its statistics cannot be read, and the schedule says so.
    metrics_start()
    delivery.refresh_from_db()
    assert delivery.metrics_state == "unavailable"

    [result] = publication_withdraw(actor=editor, publication=publication, reason="Salah tanggal")

    assert (result.ok, result.message) == (
        False,
        f"Facebook tidak dapat dihapus oleh Humas; hapus manual: {link}",
    )
    publication.refresh_from_db()
    assert publication_summary(publication=publication).endswith("Facebook perlu dihapus manual")
    delivery_mark_deleted(actor=operator, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.state == State.WITHDRAWN
