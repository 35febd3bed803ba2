"""Comments and mentions on an office's own channels flow in as items, end to end against the
fakes: the channel's credential, every page of the platform, cursors that survive a poller
killed half-way (nothing lost, nothing twice), and failures that say what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from humas.channels.fakes.feed import read_rows
from humas.channels.models import ChannelCredential
from humas.monitoring.models import Item, Source
from humas.monitoring.polling import PollError, poller_for, source_poll
from humas.monitoring.services import items_ingest
from tests.channels.conftest import connected_channel

pytestmark = pytest.mark.django_db

POSTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "posts" / "pilpres2024_tweets.csv"


@pytest.fixture
def posts_csv() -> Path:
    if not POSTS.is_file():
        pytest.skip(f"shared data not found at {POSTS.resolve()}")
    return POSTS


def comments_source(office, channel, name: str = "Komentar kanal") -> Source:
    return Source.objects.create(
        office=office, kind=Source.Kind.CHANNEL_COMMENTS, name=name, config={"channel_id": channel.pk}
    )


def store(source: Source, batches) -> tuple[int, int]:
    """Store batches as the runner does; (created, duplicates)."""
    created = duplicates = 0
    for batch in batches:
        source.refresh_from_db()
        result = items_ingest(
            actor=None, source=source, records=batch.records, cursor=batch.cursor, skip_invalid=True
        )
        created += result.created
        duplicates += result.duplicates
    return created, duplicates


def poll(source: Source):
    source.refresh_from_db()
    return poller_for(source.kind)(source, dict(source.cursor))


def test_every_comment_of_the_posts_file_flows_in_once(settings, fakes, account, jepara, posts_csv):
    settings.HUMAS_LISTEN_MAX_PAGES = 100
    fed = fakes.hub.feed_file(posts_csv, platform="facebook")
    channel = connected_channel(office=jepara, platform="facebook", account=account)
    source = comments_source(jepara, channel)

    outcome = source_poll(source_id=source.pk)
    again = source_poll(source_id=source.pk)

    source.refresh_from_db()
    rows = read_rows(posts_csv)
    assert len(rows) == 4043
    assert (outcome.status, outcome.batches, outcome.created) == ("done", 41, 4043)
    assert (again.status, again.created) == ("done", 0)
    assert Item.objects.filter(source=source).count() == 4043
    assert source.item_count == 4043
    assert (source.health, source.last_error) == (Source.Health.HEALTHY, "")
    first = Item.objects.get(source=source, external_id=fed["ids"][0])
    assert (first.platform, first.text, first.office) == ("facebook", rows[0]["text"], jepara)
    assert first.published_at.isoformat() == "2023-10-25T20:20:55+00:00"
    assert first.reactions == int(rows[0]["favorite_count"])
    assert first.raw["id"] == fed["ids"][0]
    assert first.raw["message"] == rows[0]["text"]
    assert first.url.startswith("https://www.facebook.com/kpudemo1/posts/")


def test_a_poller_killed_mid_run_loses_and_repeats_nothing(fakes, account, jepara):
    post = fakes.hub.graph.add_post(account["facebook"]["page_id"], "Jadwal coklit")
    made = [fakes.hub.graph.add_public_comment(post, f"komentar {n}", f"warga{n}") for n in range(250)]
    channel = connected_channel(office=jepara, platform="facebook", account=account)
    source = comments_source(jepara, channel)

    running = poll(source)
    stored = [next(running), next(running)]
    next(running)  # the third page was fetched, then the worker died before storing it
    running.close()
    first = store(source, stored)
    second = store(source, poll(source))

    assert first == (200, 0)
    assert second == (50, 0)
    assert sorted(Item.objects.filter(source=source).values_list("external_id", flat=True)) == sorted(made)


def test_x_mentions_killed_mid_read_keep_what_came_meanwhile(fakes, account, jepara, posts_csv):
    fed = fakes.hub.feed_file(posts_csv, platform="x", target="mentions", limit=150)
    channel = connected_channel(office=jepara, platform="x", account=account)
    source = comments_source(jepara, channel, "Sebutan X")

    running = poll(source)
    first = store(source, [next(running)])
    running.close()
    meanwhile = fakes.hub.x.add_public_tweet("@kpu_demo1 TPS saya pindah?", "warga_baru")
    rest = store(source, poll(source))
    last = store(source, poll(source))

    assert (first, rest, last) == ((100, 0), (50, 0), (1, 0))
    stored = set(Item.objects.filter(source=source).values_list("external_id", flat=True))
    assert stored == {*fed["ids"], meanwhile}
    item = Item.objects.get(source=source, external_id=meanwhile)
    assert (item.platform, item.author_handle, item.url) == (
        "x",
        "warga_baru",
        f"https://x.com/warga_baru/status/{meanwhile}",
    )


def test_instagram_and_telegram_comments_flow_in(fakes, account, jepara):
    media = fakes.hub.graph.add_media(account["instagram"]["ig_user_id"], "Tahapan")
    fakes.hub.graph.add_public_comment(media, "DPT kapan diumumkan?", "warga_ig")
    group = fakes.hub.telegram.add_discussion_group(int(account["telegram"]["chat_id"]))
    fakes.hub.telegram.add_group_message(group["chat_id"], "Sirekap error lagi?", "warga_tg")
    instagram = comments_source(
        jepara, connected_channel(office=jepara, platform="instagram", account=account), "IG"
    )
    telegram = comments_source(
        jepara, connected_channel(office=jepara, platform="telegram", account=account), "TG"
    )

    assert source_poll(source_id=instagram.pk).created == 1
    assert source_poll(source_id=telegram.pk).created == 1

    assert list(Item.objects.filter(source=instagram).values_list("platform", "author_handle", "text")) == [
        ("instagram", "warga_ig", "DPT kapan diumumkan?")
    ]
    assert list(Item.objects.filter(source=telegram).values_list("platform", "author_handle", "text")) == [
        ("telegram", "warga_tg", "Sirekap error lagi?")
    ]


def test_a_channel_of_another_office_is_not_read(fakes, account, jepara, offices):
    kudus = offices["33.19"]
    channel = connected_channel(office=kudus, platform="facebook", account=account)
    source = comments_source(jepara, channel)

    with pytest.raises(PollError) as caught:
        list(poll(source))
    outcome = source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert "tidak ada lagi di kantor ini" in str(caught.value)
    assert outcome.status == "failed"
    assert source.health == Source.Health.FAILING
    assert Item.objects.filter(source=source).count() == 0


def test_a_disconnected_channel_says_so(fakes, account, jepara):
    channel = connected_channel(office=jepara, platform="facebook", account=account)
    ChannelCredential.objects.filter(channel=channel).delete()
    source = comments_source(jepara, channel)

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert source.health == Source.Health.FAILING
    assert source.last_error == "Kanal ini belum dihubungkan."


def test_an_expired_token_fails_the_source_with_the_platform_reason(fakes, account, jepara):
    channel = connected_channel(office=jepara, platform="facebook", account=account)
    fakes.hub.expire_token("facebook", account["facebook"]["page_token"])
    source = comments_source(jepara, channel)

    source_poll(source_id=source.pk)

    source.refresh_from_db()
    assert source.health == Source.Health.FAILING
    assert "Kanal perlu dihubungkan ulang" in source.last_error
