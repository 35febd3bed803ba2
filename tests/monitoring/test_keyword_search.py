"""Keyword searches on X: the watch list as X queries within its length limit, each query with
its own position, X's rate limit obeyed (the source waits until X's reset)."""

from __future__ import annotations

import pytest

from humas.monitoring.models import Item, Source
from humas.monitoring.pollers.keyword_search import search_queries
from humas.monitoring.polling import poller_for, source_poll
from tests.channels.conftest import connected_channel

pytestmark = pytest.mark.django_db


def search_source(office, channel, terms, name: str = "Pencarian X") -> Source:
    return Source.objects.create(
        office=office,
        kind=Source.Kind.KEYWORD_SEARCH,
        name=name,
        config={"platform": "x", "channel_id": channel.pk, "terms": terms},
    )


def test_terms_become_quoted_or_ed_queries_without_retweets():
    assert search_queries(["KPU", "pemilu", 'Kab. "Jepara"', "kpu", "  "], max_length=512) == [
        '("KPU" OR "pemilu" OR "Kab. Jepara") -is:retweet'
    ]


def test_a_long_watch_list_is_spread_over_queries_within_the_limit():
    terms = [f"istilah{n:02d}" for n in range(12)] + ["x" * 80]

    queries = search_queries(terms, max_length=60)

    assert queries == [
        '("istilah00" OR "istilah01" OR "istilah02") -is:retweet',
        '("istilah03" OR "istilah04" OR "istilah05") -is:retweet',
        '("istilah06" OR "istilah07" OR "istilah08") -is:retweet',
        '("istilah09" OR "istilah10" OR "istilah11") -is:retweet',
    ]
    assert all(len(q) <= 60 for q in queries)


def test_matching_posts_flow_in_once_and_only_new_ones_after(fakes, account, jepara):
    tweets = fakes.hub.x
    hits = [
        tweets.add_public_tweet("Sirekap di TPS 3 Jepara error", "warga_a"),
        tweets.add_public_tweet("DPT ganda di Mlonggo?", "warga_b"),
        tweets.add_public_tweet("kata siapa pemilu diundur", "warga_c"),
    ]
    tweets.add_public_tweet("RT @warga_a: Sirekap di TPS 3 Jepara error", "warga_d")
    tweets.add_public_tweet("cuaca Jepara cerah", "warga_e")
    channel = connected_channel(office=jepara, platform="x", account=account)
    source = search_source(jepara, channel, ["Sirekap", "DPT", "pemilu"])

    first = source_poll(source_id=source.pk)
    newer = tweets.add_public_tweet("pemilu ulang di TPS 7?", "warga_f")
    second = source_poll(source_id=source.pk)
    third = source_poll(source_id=source.pk)

    assert (first.created, second.created, third.created) == (3, 1, 0)
    assert set(Item.objects.filter(source=source).values_list("external_id", flat=True)) == {*hits, newer}
    source.refresh_from_db()
    assert source.cursor == {
        "channel_id": channel.pk,
        "queries": {'("Sirekap" OR "DPT" OR "pemilu") -is:retweet': {"since_id": newer}},
    }


def test_each_query_keeps_its_own_position_and_dropped_ones_are_forgotten(settings, fakes, account, jepara):
    settings.HUMAS_X_SEARCH_QUERY_MAX = 30
    a = fakes.hub.x.add_public_tweet("Sirekap lambat", "warga_a")
    b = fakes.hub.x.add_public_tweet("tahapan kampanye", "warga_b")
    channel = connected_channel(office=jepara, platform="x", account=account)
    source = search_source(jepara, channel, ["Sirekap", "tahapan"])

    source_poll(source_id=source.pk)
    source.refresh_from_db()
    positions = source.cursor["queries"]
    source.config = {**source.config, "terms": ["tahapan"]}
    source.save(update_fields=["config"])
    batches = list(poller_for(source.kind)(source, dict(source.cursor)))

    assert positions == {
        '("Sirekap") -is:retweet': {"since_id": a},
        '("tahapan") -is:retweet': {"since_id": b},
    }
    assert [dict(batch.cursor) for batch in batches] == [
        {"channel_id": channel.pk, "queries": {'("tahapan") -is:retweet': {"since_id": b}}}
    ]
    assert [batch.records for batch in batches] == [[]]


@pytest.mark.parametrize("allowed", [0, 1])
def test_x_rate_limit_makes_the_source_wait_until_the_reset(fakes, account, jepara, allowed):
    # 0: X answers 429 at once; 1: the first answer says none remain, the next poll waits.
    fakes.hub.limits.update({"x_search_per_user": allowed})
    channel = connected_channel(office=jepara, platform="x", account=account)
    source = search_source(jepara, channel, ["pemilu"])

    outcomes = [source_poll(source_id=source.pk).status for _ in range(allowed + 1)]

    source.refresh_from_db()
    assert outcomes == ["done"] * allowed + ["failed"]
    assert source.health == Source.Health.FAILING
    assert source.last_error.startswith("Batas permintaan X tercapai")
    # X said 900 seconds (its 15-minute window): longer than the source's own backoff.
    assert (source.next_run_at - source.last_run_at).total_seconds() >= 899


def test_an_empty_watch_list_or_another_platform_is_refused(fakes, account, jepara):
    channel = connected_channel(office=jepara, platform="x", account=account)
    empty = search_source(jepara, channel, [], name="Kosong")
    other = Source.objects.create(
        office=jepara,
        kind=Source.Kind.KEYWORD_SEARCH,
        name="Facebook",
        config={"platform": "facebook", "channel_id": channel.pk, "terms": ["pemilu"]},
    )

    source_poll(source_id=empty.pk)
    source_poll(source_id=other.pk)

    empty.refresh_from_db()
    other.refresh_from_db()
    assert empty.last_error == "Daftar kata kunci sumber ini masih kosong."
    assert other.last_error == "Pencarian kata kunci hanya tersedia untuk X."
