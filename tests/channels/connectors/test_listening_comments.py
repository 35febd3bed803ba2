"""Listening through the connectors against the fakes over HTTP: comments, mentions and search
results paged exactly as the platforms page them, cursors that resume without skipping or
repeating, rate limits, and replies the fakes record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from humas.channels.connectors import BadRequest, MemoryRateLimitStore, RateLimited, Unsupported, XConnector
from humas.channels.connectors.base import Capability, Incoming, IncomingPage

from .conftest import NOW, TIMEOUT


def _ids(pages: list[IncomingPage]) -> list[str]:
    return [item.item_id for page in pages for item in page.items]


def _texts(pages: list[IncomingPage]) -> list[str]:
    return [item.text for page in pages for item in page.items]


# --------------------------------------------------------------------------------------------
# Facebook


@pytest.fixture
def page_post(fakes, account, clock):
    return fakes.hub.graph.add_post(
        account["facebook"]["page_id"], "Jadwal coklit", created=clock.epoch() - 3600
    )


def test_facebook_comments_come_a_page_at_a_time_oldest_first(facebook, fakes, page_post):
    made = [fakes.hub.graph.add_public_comment(page_post, f"komentar {n}", f"warga{n}") for n in range(250)]

    pages = list(facebook.incoming({}, page_size=100))

    assert [len(page.items) for page in pages] == [100, 100, 50]
    assert _ids(pages) == made
    assert pages[-1].cursor == {"posts": {page_post: pages[-1].cursor["posts"][page_post]}}


def test_facebook_resumes_after_its_cursor_with_only_the_new_comments(facebook, fakes, page_post):
    for n in range(5):
        fakes.hub.graph.add_public_comment(page_post, f"lama {n}", "warga")
    first = list(facebook.incoming({}, page_size=2))
    newer = [fakes.hub.graph.add_public_comment(page_post, f"baru {n}", "warga") for n in range(3)]

    again = list(facebook.incoming(first[-1].cursor, page_size=2))

    assert _texts(first) == [f"lama {n}" for n in range(5)]
    assert _ids(again) == newer


def test_facebook_cut_short_resumes_from_the_page_it_stopped_at(facebook, fakes, page_post):
    made = [fakes.hub.graph.add_public_comment(page_post, f"k{n}", "warga") for n in range(7)]

    first = list(facebook.incoming({}, page_size=3, max_pages=1))
    rest = list(facebook.incoming(first[-1].cursor, page_size=3))

    assert _ids(first) == made[:3]
    assert _ids(rest) == made[3:]


def test_facebook_stream_has_replies_but_not_the_pages_own(facebook, fakes, page_post, account):
    comment = fakes.hub.graph.add_public_comment(page_post, "Benarkah TPS tutup jam 11?", "warga_a")
    answer = fakes.hub.graph.add_public_comment(comment, "Saya juga dengar begitu", "warga_b")
    facebook.reply(comment, "TPS buka sampai 13.00 WIB.")

    items = [item for page in facebook.incoming({}) for item in page.items]

    assert [(i.item_id, i.parent_id, i.author_handle) for i in items] == [
        (comment, page_post, "warga_a"),
        (answer, comment, "warga_b"),
    ]
    first = items[0]
    assert first.raw["message"] == "Benarkah TPS tutup jam 11?"
    assert set(first.raw) == {
        "id",
        "message",
        "from",
        "created_time",
        "like_count",
        "comment_count",
        "permalink_url",
    }
    assert (first.reactions, first.comments) == (0, 2)  # the answer and the Page's reply
    assert first.url.startswith("https://www.facebook.com/kpudemo1/posts/")


def test_facebook_posts_older_than_the_window_are_not_read(facebook, fakes, account, clock):
    old = fakes.hub.graph.add_post(account["facebook"]["page_id"], "lama", created=clock.epoch() - 8 * 86400)
    fakes.hub.graph.add_public_comment(old, "komentar di unggahan lama", "warga")

    pages = list(facebook.incoming({}, recent_days=7))

    assert _ids(pages) == []


def test_facebook_reply_is_recorded_and_found_again(facebook, fakes, page_post):
    comment = fakes.hub.graph.add_public_comment(page_post, "Hoaks?", "warga")

    sent = facebook.reply(comment, "Ini klarifikasinya: https://kpu.go.id/klarifikasi/1")
    found = facebook.find_reply(comment, "Ini klarifikasinya: https://kpu.go.id/klarifikasi/1", since=NOW)

    assert fakes.hub.replies("facebook") == [
        {
            "id": sent.comment_id,
            "parent_id": comment,
            "text": "Ini klarifikasinya: https://kpu.go.id/klarifikasi/1",
        }
    ]
    assert found is not None and found.comment_id == sent.comment_id
    assert facebook.find_reply(comment, "teks lain", since=NOW) is None


# --------------------------------------------------------------------------------------------
# Instagram


@pytest.fixture
def media(fakes, account, clock):
    return fakes.hub.graph.add_media(
        account["instagram"]["ig_user_id"], "Tahapan", created=clock.epoch() - 3600
    )


def test_instagram_comments_and_their_replies_then_only_new_ones(instagram, fakes, media):
    first = fakes.hub.graph.add_public_comment(media, "Kapan DPT diumumkan?", "warga_a")
    reply = fakes.hub.graph.add_public_comment(first, "Ikut tanya", "warga_b")
    pages = list(instagram.incoming({}))
    newer = fakes.hub.graph.add_public_comment(media, "Sirekap error?", "warga_c")

    again = list(instagram.incoming(pages[-1].cursor))
    quiet = list(instagram.incoming(again[-1].cursor))

    items = [i for page in pages for i in page.items]
    assert [(i.item_id, i.parent_id, i.author_handle) for i in items] == [
        (first, media, "warga_a"),
        (reply, first, "warga_b"),
    ]
    assert items[0].url.endswith(f"/c/{first}/")
    assert _ids(again) == [newer]
    assert _ids(quiet) == []


def test_instagram_read_cut_short_resumes_without_skipping(instagram, fakes, media):
    made = [fakes.hub.graph.add_public_comment(media, f"k{n}", "warga") for n in range(5)]

    first = list(instagram.incoming({}, page_size=2, max_pages=2))
    later = fakes.hub.graph.add_public_comment(media, "di tengah jalan", "warga")
    rest = list(instagram.incoming(first[-1].cursor, page_size=2))

    assert _ids(first) == made[:4]
    assert _ids(rest) == [made[4], later]


def test_instagram_reply_uses_the_replies_edge(instagram, fakes, media):
    comment = fakes.hub.graph.add_public_comment(media, "Hoaks ya?", "warga")

    sent = instagram.reply(comment, "Klarifikasi: https://kpu.go.id/k/2")

    assert fakes.hub.replies("instagram") == [
        {"id": sent.comment_id, "parent_id": comment, "text": "Klarifikasi: https://kpu.go.id/k/2"}
    ]
    assert instagram.find_reply(comment, "Klarifikasi: https://kpu.go.id/k/2", since=NOW) is not None


# --------------------------------------------------------------------------------------------
# X


def _mention(fakes, n: int, *, created: float) -> str:
    return fakes.hub.x.add_public_tweet(f"@kpu_demo1 pertanyaan {n}", f"warga{n}", created=created)


def test_x_mentions_newest_first_down_to_since_id(x, fakes, clock):
    made = [_mention(fakes, n, created=clock.epoch() - 100 + n) for n in range(25)]
    fakes.hub.x.add_public_tweet("tidak menyebut siapa pun", "warga")

    pages = list(x.incoming({}, page_size=10))
    newer = _mention(fakes, 99, created=clock.epoch())
    again = list(x.incoming(pages[-1].cursor, page_size=10))

    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert _ids(pages) == list(reversed(made))
    assert pages[-1].cursor == {"since_id": made[-1]}
    assert _ids(again) == [newer]
    item = again[0].items[0]
    assert (item.author_handle, item.url) == ("warga99", f"https://x.com/warga99/status/{newer}")
    assert item.raw["text"] == "@kpu_demo1 pertanyaan 99"


def test_x_mentions_cut_short_resume_and_keep_posts_that_came_meanwhile(x, fakes, clock):
    made = [_mention(fakes, n, created=clock.epoch() - 100 + n) for n in range(6)]

    first = list(x.incoming({}, page_size=5, max_pages=1))
    meanwhile = _mention(fakes, 50, created=clock.epoch())
    rest = list(x.incoming(first[-1].cursor, page_size=5))
    after = list(x.incoming(rest[-1].cursor, page_size=5))

    assert "scan" in first[-1].cursor
    assert _ids(first) == list(reversed(made))[:5]
    assert _ids(rest) == [made[0]]
    assert _ids(after) == [meanwhile]


def test_x_search_matches_the_query_and_skips_retweets(x, fakes, clock):
    now = clock.epoch()
    hit = fakes.hub.x.add_public_tweet("Sirekap di TPS 5 error", "warga_a", created=now - 60)
    phrase = fakes.hub.x.add_public_tweet("Kab. Jepara: DPT sudah final", "warga_b", created=now - 50)
    fakes.hub.x.add_public_tweet("RT @warga_a: Sirekap di TPS 5 error", "warga_c", created=now - 40)
    fakes.hub.x.add_public_tweet("cuaca cerah hari ini", "warga_d", created=now - 30)
    fakes.hub.x.add_public_tweet("Sirekap lama sekali", "warga_e", created=now - 8 * 86400)

    pages = list(x.search_recent('("Sirekap" OR "Kab. Jepara") -is:retweet', {}))

    assert _ids(pages) == [phrase, hit]
    assert pages[-1].cursor == {"since_id": phrase}


def test_x_search_limit_is_obeyed_before_and_when_x_says_429(x, fakes, account, clock):
    fakes.hub.limits.update({"x_search_per_user": 1})
    list(x.search_recent('("pemilu")', {}))

    with pytest.raises(RateLimited) as held_back:
        list(x.search_recent('("pemilu")', {}))  # the answer said 0 remaining: not even sent
    other_worker = XConnector(
        access_token=account["x"]["access_token"],
        base_url=fakes.base_url,
        timeout=TIMEOUT,
        clock=clock,
        rate_store=MemoryRateLimitStore(clock),
    )
    with pytest.raises(RateLimited) as refused:
        list(other_worker.search_recent('("pemilu")', {}))
    other_worker.close()

    assert (held_back.value.until, held_back.value.http_status) == (NOW + timedelta(seconds=901), None)
    assert (refused.value.until, refused.value.http_status) == (NOW + timedelta(seconds=901), 429)


def test_x_search_query_longer_than_the_limit_is_refused_before_sending(x, fakes):
    with pytest.raises(BadRequest):
        list(x.search_recent('"' + "a" * 600 + '"', {}))


def test_x_reply_to_a_mention_is_recorded_and_found(x, fakes, clock):
    mention = _mention(fakes, 1, created=clock.epoch() - 10)

    sent = x.reply(mention, "Sudah diklarifikasi: https://kpu.go.id/k/3")

    assert fakes.hub.replies("x") == [
        {
            "id": sent.comment_id,
            "parent_id": mention,
            "text": "Sudah diklarifikasi: https://kpu.go.id/k/3",
            "account": "kpu_demo1",
        }
    ]
    assert (
        x.find_reply(mention, "Sudah diklarifikasi: https://kpu.go.id/k/3", since=NOW - timedelta(minutes=1))
        is not None
    )


# --------------------------------------------------------------------------------------------
# Telegram


@pytest.fixture
def group(fakes, account):
    return fakes.hub.telegram.add_discussion_group(int(account["telegram"]["chat_id"]))


def test_telegram_reads_its_discussion_group_and_confirms_by_offset(telegram, fakes, group):
    from humas.channels.connectors import PublishRequest

    telegram.publish(PublishRequest(text="Rapat pleno hari ini"))  # mirrored into the group: no comment
    made = [
        fakes.hub.telegram.add_group_message(group["chat_id"], f"pesan {n}", f"warga{n}") for n in range(3)
    ]

    pages = list(telegram.incoming({}, page_size=2))
    quiet = list(telegram.incoming(pages[-1].cursor))
    later = fakes.hub.telegram.add_group_message(group["chat_id"], "pesan baru", "warga9")
    again = list(telegram.incoming(pages[-1].cursor))

    assert _ids(pages) == [f"{group['chat_id']}:{m}" for m in made]
    assert pages[-1].cursor["offset"] > 0
    assert quiet == []
    assert _ids(again) == [f"{group['chat_id']}:{later}"]
    assert again[0].items[0].author_handle == "warga9"


def test_telegram_without_a_discussion_group_says_so(telegram):
    with pytest.raises(BadRequest) as caught:
        list(telegram.incoming({}))

    assert "grup diskusi" in caught.value.message


def test_telegram_reply_quotes_the_message_and_cannot_be_looked_up(telegram, fakes, group):
    message = fakes.hub.telegram.add_group_message(group["chat_id"], "Hoaks?", "warga")
    comment_id = f"{group['chat_id']}:{message}"

    sent = telegram.reply(comment_id, "Klarifikasi: https://kpu.go.id/k/4")

    assert fakes.hub.replies("telegram") == [
        {"id": sent.comment_id, "parent_id": comment_id, "text": "Klarifikasi: https://kpu.go.id/k/4"}
    ]
    with pytest.raises(Unsupported):
        telegram.find_reply(comment_id, "Klarifikasi: https://kpu.go.id/k/4", since=NOW)
    with pytest.raises(BadRequest):
        telegram.reply(f"{group['chat_id']}:999999", "tidak ada")


def test_capabilities_say_who_listens_and_who_searches(facebook, instagram, x, telegram):
    assert [Capability.MENTIONS in c.capabilities for c in (facebook, instagram, x, telegram)] == [True] * 4
    assert [Capability.SEARCH in c.capabilities for c in (facebook, instagram, x, telegram)] == [
        False,
        False,
        True,
        False,
    ]
    with pytest.raises(Unsupported):
        facebook.search_recent("pemilu")


def test_incoming_is_a_plain_record_of_the_platform(x, fakes, clock):
    tweet = _mention(fakes, 7, created=datetime(2026, 11, 28, 3, 0, tzinfo=UTC).timestamp())

    item = next(iter(x.incoming({}))).items[0]

    assert isinstance(item, Incoming)
    assert (item.item_id, item.created_at, item.reactions, item.comments, item.shares, item.views) == (
        tweet,
        datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
        0,
        0,
        0,
        0,
    )
