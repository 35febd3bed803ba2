"""Where a post goes out is part of what is approved: a publication uses only the channels
approved with the post, and changing them needs a second person again (#13)."""

from __future__ import annotations

import pytest

from humas.audit.models import AuditEvent
from humas.channels.models import Channel
from humas.channels.services import ChannelInput, channel_create
from humas.offices.policy import PolicyDenied
from humas.publishing.delivery import publication_create
from humas.publishing.models import Delivery, Post, Publication
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import (
    NO_CHANNELS,
    PublishingError,
    post_approve,
    post_create,
    post_submit,
    post_update,
)

from .conftest import JEPARA

pytestmark = pytest.mark.django_db
BASE = "/app/kab-jepara/content/"


@pytest.fixture
def tiktok(admin, offices) -> Channel:
    """An assisted channel (posted by hand): publishable without any platform API."""
    return channel_create(
        actor=admin, office=offices[JEPARA], data=ChannelInput(platform="tiktok", name="KPU Jepara TikTok")
    )


@pytest.fixture
def portal(offices) -> Channel:
    return portal_channel_ensure(office=offices[JEPARA])


def test_a_post_cannot_be_sent_for_review_or_approved_without_channels(operator, editor, offices):
    post = post_create(actor=operator, office=offices[JEPARA], text="Pendaftaran pemantau dibuka.")

    with pytest.raises(PublishingError) as refused:
        post_submit(actor=operator, post=post)

    assert str(refused.value) == str(NO_CHANNELS)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT


def test_publishing_to_a_channel_that_was_not_approved_is_refused_and_creates_nothing(
    approved_post, operator, tiktok, portal
):
    post = approved_post(channels=[tiktok])

    with pytest.raises(PublishingError) as refused:
        publication_create(actor=operator, post=post, channels=[tiktok, portal])

    assert "bukan kanal tujuan yang disetujui" in str(refused.value)
    assert not Publication.objects.exists() and not Delivery.objects.exists()
    post.refresh_from_db()
    assert post.status == Post.Status.APPROVED


def test_publishing_to_the_approved_channels_or_fewer_goes_ahead(approved_post, operator, tiktok, portal):
    post = approved_post(channels=[tiktok, portal])

    publication = publication_create(actor=operator, post=post, channels=[tiktok])

    assert [d.channel for d in publication.deliveries.all()] == [tiktok]


@pytest.mark.parametrize("change", ["add", "remove"])
def test_changing_the_channels_of_an_approved_post_needs_another_approval(
    approved_post, operator, editor, member, tiktok, portal, change
):
    post = approved_post(channels=[tiktok] if change == "add" else [tiktok, portal])
    after = [tiktok, portal] if change == "add" else [portal]

    post = post_update(actor=editor, post=post, text=post.text, link=post.link, channels=after)

    post.refresh_from_db()
    assert (post.status, post.approved_by, post.last_changed_by) == (Post.Status.DRAFT, None, editor)
    assert set(post.channels.all()) == set(after)
    event = AuditEvent.objects.filter(action="post.update").latest("pk")
    assert event.changes["fields"] == ["channels"]
    assert event.changes["channels"]["after"] == sorted(c.pk for c in after)
    assert event.changes["status"] == {"before": "approved", "after": "draft"}
    post_submit(actor=editor, post=post)
    with pytest.raises(PolicyDenied):
        post_approve(actor=editor, post=post)  # the editor changed where it goes: another must approve
    approved = post_approve(actor=member(JEPARA, "editor", email="editor.dua@kpu.test"), post=post)
    assert approved.status == Post.Status.APPROVED


def test_keeping_the_channels_keeps_the_approval(approved_post, operator, editor, tiktok, portal):
    post = approved_post(channels=[tiktok, portal])

    post = post_update(actor=operator, post=post, text=post.text, link=post.link, channels=[portal, tiktok])

    assert (post.status, post.approved_by) == (Post.Status.APPROVED, editor)


def test_another_offices_channel_cannot_be_a_target(operator, offices, member):
    semarang = portal_channel_ensure(office=offices["33.74"])

    with pytest.raises(PublishingError):
        post_create(actor=operator, office=offices[JEPARA], text="Teks.", channels=[semarang])
    assert not Post.objects.exists()


def test_each_approved_version_records_its_channels(approved_post, tiktok, portal):
    post = approved_post(channels=[tiktok, portal])

    by_platform = sorted([tiktok, portal], key=lambda c: (c.platform, c.name))
    assert list(post.versions.values_list("channels", flat=True)) == [[str(c) for c in by_platform]]


def test_the_form_ticks_every_channel_for_a_new_post_and_the_page_shows_them(
    client, operator, tiktok, portal
):
    client.force_login(operator)

    form = client.get(BASE + "new/").content.decode()
    assert form.count('name="channels"') == 2 and form.count("checked") >= 2
    response = client.post(BASE + "new/", {"text": "Debat kandidat malam ini.", "channels": [tiktok.pk]})

    post = Post.objects.get()
    assert response.status_code == 302
    assert list(post.channels.all()) == [tiktok]
    page = client.get(f"{BASE}{post.pk}/").content.decode()
    assert "Kanal tujuan" in page and str(tiktok) in page


def test_the_publish_form_offers_only_the_approved_channels(client, approved_post, operator, tiktok, portal):
    post = approved_post(channels=[tiktok])
    client.force_login(operator)

    page = client.get(f"{BASE}{post.pk}/").content.decode()
    publish = page[page.index('id="publish-title"') :]

    assert f'value="{tiktok.pk}"' in publish and f'value="{portal.pk}"' not in publish
    # A forged choice is refused with the reason, and nothing goes out.
    response = client.post(f"{BASE}{post.pk}/publish/", {"channels": [portal.pk]}, follow=True)
    assert "bukan kanal tujuan yang disetujui" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_api_creates_a_draft_for_the_chosen_channels(client, operator, offices, tiktok):
    client.force_login(operator)
    semarang = portal_channel_ensure(office=offices["33.74"])

    created = client.post(
        "/api/v1/posts",
        {"office": JEPARA, "text": "Jadwal debat.", "channels": [tiktok.pk]},
        content_type="application/json",
    )
    foreign = client.post(
        "/api/v1/posts",
        {"office": JEPARA, "text": "Jadwal debat.", "channels": [semarang.pk]},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["channels"] == [tiktok.pk]
    assert list(Post.objects.get(pk=created.json()["id"]).channels.all()) == [tiktok]
    assert foreign.status_code == 400
    assert Post.objects.count() == 1


def test_the_page_warns_only_about_what_the_chosen_channels_would_refuse(
    client, admin, offices, approved_post, operator, tiktok
):
    # Instagram needs an image; this post goes to TikTok only, so nothing is refused.
    channel_create(
        actor=admin, office=offices[JEPARA], data=ChannelInput(platform="instagram", name="KPU Jepara IG")
    )
    post = approved_post(channels=[tiktok])
    draft = post_create(actor=operator, office=offices[JEPARA], text="Draf tanpa kanal.")
    client.force_login(operator)

    assert "Instagram memerlukan" not in client.get(f"{BASE}{post.pk}/").content.decode()
    # Without a choice yet, every channel of the office is what it would meet.
    assert "Instagram memerlukan" in client.get(f"{BASE}{draft.pk}/").content.decode()
