"""publishing 0006 gives a post published before channels were part of the approval the channels
it was published to, and a post not yet published none (it needs channels and a new approval)."""

from __future__ import annotations

import pytest

from humas.channels.models import Channel
from tests.factories import UserFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = [("publishing", "0005_two_person_rule")]
AFTER = [("publishing", "0006_approved_channels")]


@pytest.mark.django_db(transaction=True)
def test_published_posts_keep_the_channels_they_went_to_and_others_get_none(offices):
    author = UserFactory()
    office = offices["33.20"]
    try:
        old = migrate(BEFORE)
        # Channels as they are now: only publishing is migrated back, the channels app is not.
        Post = old.get_model("publishing", "Post")
        Publication = old.get_model("publishing", "Publication")
        Delivery = old.get_model("publishing", "Delivery")
        x = Channel.objects.create(office_id=office.pk, platform="x", name="KPU Jepara X")
        tg = Channel.objects.create(office_id=office.pk, platform="telegram", name="KPU Jepara Telegram")
        unused = Channel.objects.create(office_id=office.pk, platform="tiktok", name="KPU Jepara TikTok")
        published = Post.objects.create(
            office_id=office.pk, author_id=author.pk, text="Terbit.", status="published"
        )
        approved = Post.objects.create(
            office_id=office.pk, author_id=author.pk, text="Siap.", status="approved"
        )
        for channels in ([x, tg], [x]):  # published twice, x both times
            publication = Publication.objects.create(post=published, created_by_id=author.pk)
            for channel in channels:
                Delivery.objects.create(publication=publication, channel_id=channel.pk)

        new = migrate(AFTER)

        Post = new.get_model("publishing", "Post")
        assert set(Post.objects.get(pk=published.pk).channels.values_list("pk", flat=True)) == {x.pk, tg.pk}
        assert not Post.objects.get(pk=approved.pk).channels.exists()
        assert unused.pk not in Post.channels.through.objects.values_list("channel_id", flat=True)
    finally:
        migrate_to_latest()
