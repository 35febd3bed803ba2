"""The news poller against feeds and article pages served locally: new entries become items with
their article's text, conditional GETs (ETag, Last-Modified) cost nothing when a feed has not
changed, only new entries are read, and a feed that answers garbage, an error or nothing marks
the source failing with the reason and backs off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from humas.monitoring import polling
from humas.monitoring.models import Item, Source
from humas.monitoring.pollers import _feeds, news
from humas.monitoring.polling import source_poll

from .feeds.server import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(settings):
    settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE = True  # the feeds are served on 127.0.0.1
    state, server = start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(web):
    """Warta Jepara: an RSS feed with an ETag, two readable articles and one link that is gone."""
    web.serve("/berita.xml", "berita.xml", etag='"v1"')
    web.serve("/artikel/1.html", "artikel1.html")
    web.serve("/artikel/2.html", "artikel2.html")
    web.serve("/artikel/3.html", "artikel3.html")
    return web


def news_source(offices, *urls, name="Berita daring"):
    return Source.objects.create(
        office=offices["33.20"], kind=Source.Kind.NEWS_FEED, name=name, config={"feeds": list(urls)}
    )


def items(source):
    return {i.external_id: i for i in Item.objects.filter(source=source)}


def poll(source):
    outcome = source_poll(source_id=source.pk)
    source.refresh_from_db()
    return outcome


def test_new_entries_become_news_items_with_their_article_text(offices, site):
    source = news_source(offices, site.url("/berita.xml"))

    outcome = poll(source)

    assert (outcome.status, outcome.created) == ("done", 3)
    stored = items(source)
    assert sorted(stored) == ["warta-jepara-0999", "warta-jepara-1000", "warta-jepara-1001"]
    dpt = stored["warta-jepara-1001"]
    assert dpt.platform == "news"
    assert dpt.url == site.url("/artikel/1.html")
    assert dpt.author_handle == "127.0.0.1"
    assert dpt.published_at == datetime(2024, 2, 12, 2, 15, tzinfo=UTC)
    assert dpt.text.startswith(
        "KPU Jepara tetapkan DPT Pemilu 2024\n\nKPU Kabupaten Jepara menetapkan daftar pemilih tetap "
        "Pemilu 2024 sebanyak 922.135 pemilih"
    )
    assert "membawa KTP elektronik" in dpt.text
    assert "Menu navigasi" not in dpt.text and "Hak cipta" not in dpt.text
    assert dpt.raw["text_from"] == "article"
    assert dpt.raw["feed"] == site.url("/berita.xml")
    # The article that is gone: the entry's summary, as text.
    gone = stored["warta-jepara-0999"]
    assert gone.raw["text_from"] == "summary"
    assert gone.text == (
        "Beredar kabar TPS di Jepara tutup pukul 11 siang\n\n"
        "Pesan berantai menyebut TPS di Jepara tutup pukul 11 siang. KPU menyatakan TPS buka sampai pukul 13.00."
    )
    assert source.health == Source.Health.HEALTHY
    assert source.item_count == 3
    feed_state = source.cursor["feeds"][site.url("/berita.xml")]
    assert feed_state["etag"] == '"v1"'
    assert len(feed_state["seen"]) == 3


def test_requests_say_who_is_asking(offices, site):
    poll(news_source(offices, site.url("/berita.xml")))

    agents = {r.headers["user-agent"] for r in site.requests}
    assert len(agents) == 1
    assert agents.pop().startswith("Humas/")


def test_an_unchanged_feed_answers_304_and_nothing_is_read_again(offices, site):
    source = news_source(offices, site.url("/berita.xml"))
    poll(source)
    site.requests.clear()

    outcome = poll(source)

    assert (outcome.status, outcome.created, outcome.batches) == ("done", 0, 0)
    [request] = site.requests
    assert request.headers["if-none-match"] == '"v1"'
    assert request.status == 304
    assert Item.objects.filter(source=source).count() == 3
    assert source.health == Source.Health.HEALTHY


def test_last_modified_is_sent_back_and_answered_with_304(offices, web):
    stamp = "Mon, 12 Feb 2024 03:00:00 GMT"
    web.serve("/atom.xml", "atom.xml", content_type="application/atom+xml", last_modified=stamp)
    web.serve("/artikel/1.html", "artikel1.html")
    source = news_source(offices, web.url("/atom.xml"))
    first = poll(source)
    web.requests.clear()

    second = poll(source)

    assert (first.created, second.created) == (1, 0)
    [request] = web.requests
    assert request.headers["if-modified-since"] == stamp
    assert request.status == 304
    [item] = Item.objects.filter(source=source)
    assert item.external_id == "tag:kabar-jateng,2024:sirekap"
    assert item.published_at == datetime(2024, 2, 12, 3, 0, tzinfo=UTC)


def test_when_the_feed_changes_only_its_new_entries_are_read(offices, site):
    source = news_source(offices, site.url("/berita.xml"))
    poll(source)
    site.serve("/berita.xml", "berita_baru.xml", etag='"v2"')
    site.requests.clear()

    outcome = poll(source)

    assert outcome.created == 1
    assert [r.path for r in site.requests] == ["/berita.xml", "/artikel/3.html"]
    assert "Bawaslu Kabupaten Jepara bersama Satpol PP" in items(source)["warta-jepara-1002"].text
    assert source.cursor["feeds"][site.url("/berita.xml")]["etag"] == '"v2"'


def test_a_restart_after_the_etag_was_lost_reads_nothing_twice(offices, site):
    source = news_source(offices, site.url("/berita.xml"))
    poll(source)
    feeds = source.cursor["feeds"]
    feeds[site.url("/berita.xml")]["etag"] = ""
    Source.objects.filter(pk=source.pk).update(cursor={"feeds": feeds})
    site.requests.clear()

    outcome = poll(source)

    assert outcome.created == 0
    assert [r.path for r in site.requests] == ["/berita.xml"]  # no article fetched again


def test_a_poller_killed_half_way_through_a_feed_loses_and_repeats_nothing(offices, site, monkeypatch):
    monkeypatch.setattr(news, "BATCH_SIZE", 1)
    source = news_source(offices, site.url("/berita.xml"))
    real_ingest = polling.items_ingest
    calls = {"n": 0}

    def dying(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_ingest(**kwargs)

    monkeypatch.setattr(polling, "items_ingest", dying)
    assert poll(source).status == "failed"
    assert sorted(items(source)) == ["warta-jepara-0999"]  # the oldest, stored first
    assert source.cursor["feeds"][site.url("/berita.xml")]["etag"] == ""  # the feed is read again
    monkeypatch.setattr(polling, "items_ingest", real_ingest)
    site.requests.clear()

    assert poll(source).created == 2

    assert sorted(items(source)) == ["warta-jepara-0999", "warta-jepara-1000", "warta-jepara-1001"]
    assert sorted(r.path for r in site.requests) == ["/artikel/1.html", "/artikel/2.html", "/berita.xml"]
    assert source.cursor["feeds"][site.url("/berita.xml")]["etag"] == '"v1"'


def test_a_feed_read_for_the_first_time_gives_only_its_newest_entries(offices, site, settings):
    settings.HUMAS_MONITORING_FEED_ENTRIES_MAX = 2
    source = news_source(offices, site.url("/berita.xml"))

    poll(source)
    site.serve("/berita.xml", "berita_baru.xml", etag='"v2"')
    poll(source)

    assert sorted(items(source)) == ["warta-jepara-1000", "warta-jepara-1001", "warta-jepara-1002"]


def test_a_feed_taken_off_the_list_leaves_the_cursor(offices, site):
    site.serve("/atom.xml", "atom.xml", content_type="application/atom+xml")
    source = news_source(offices, site.url("/berita.xml"), site.url("/atom.xml"))
    poll(source)
    assert set(source.cursor["feeds"]) == {site.url("/berita.xml"), site.url("/atom.xml")}
    Source.objects.filter(pk=source.pk).update(config={"feeds": [site.url("/atom.xml")]})

    poll(source)

    assert set(source.cursor["feeds"]) == {site.url("/atom.xml")}


BAD_FEEDS = [
    ("garbage", {"name_or_body": "bukan_umpan.html"}, "tidak berisi RSS atau Atom yang dapat dibaca"),
    (
        "binary",
        {"name_or_body": b"\x00\xff\xfe garbage \x89PNG"},
        "tidak berisi RSS atau Atom yang dapat dibaca",
    ),
    ("5xx", {"name_or_body": b"oops", "status": 500}, "sedang bermasalah (kode 500)"),
    ("gone", {"name_or_body": b"", "status": 404}, "menjawab kode 404; periksa alamatnya"),
]


@pytest.mark.parametrize(("case", "route", "reason"), BAD_FEEDS, ids=[c[0] for c in BAD_FEEDS])
def test_a_feed_that_answers_garbage_or_an_error_marks_the_source_failing(offices, web, case, route, reason):
    web.serve("/umpan.xml", **route)
    source = news_source(offices, web.url("/umpan.xml"))

    outcome = poll(source)

    assert outcome.status == "failed"
    assert source.health == Source.Health.FAILING
    assert reason in source.last_error
    assert "127.0.0.1" in source.last_error  # which feed
    assert source.consecutive_failures == 1
    assert source.next_run_at - source.last_run_at == timedelta(minutes=30)
    assert Item.objects.count() == 0


def test_a_feed_that_times_out_marks_the_source_failing(offices, web, settings):
    settings.HUMAS_MONITORING_FEED_TIMEOUT_SECONDS = 1
    web.serve("/lambat.xml", "berita.xml", stall=3)
    source = news_source(offices, web.url("/lambat.xml"))

    outcome = poll(source)

    assert outcome.status == "failed"
    assert source.last_error == "Waktu habis menunggu 127.0.0.1/lambat.xml."
    assert source.health == Source.Health.FAILING


def test_a_busy_feed_says_it_was_asked_to_wait(offices, web):
    web.serve("/sibuk.xml", b"", status=503, content_type="text/plain")
    source = news_source(offices, web.url("/sibuk.xml"))

    outcome = poll(source)

    assert outcome.status == "failed"
    assert source.last_error == "Umpan 127.0.0.1/sibuk.xml meminta Humas menunggu (kode 503)."


def test_retry_after_is_read_in_seconds_and_as_a_date():
    from humas.monitoring.pollers._feeds import _retry_after

    assert _retry_after("120") == 120.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no extra wait
    assert _retry_after("soon") is None


def test_one_failing_feed_does_not_hold_back_the_others(offices, site):
    site.serve("/rusak.xml", b"oops", status=502)
    source = news_source(offices, site.url("/rusak.xml"), site.url("/berita.xml"))

    outcome = poll(source)

    assert (outcome.status, outcome.created) == ("failed", 3)
    assert source.item_count == 3
    assert source.health == Source.Health.FAILING
    assert source.last_error == "Server umpan 127.0.0.1/rusak.xml sedang bermasalah (kode 502)."


def test_feeds_on_private_addresses_are_refused_unless_allowed(offices, site, settings):
    settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE = False
    source = news_source(offices, site.url("/berita.xml"))

    poll(source)

    assert site.requests == []
    assert source.last_error == "Alamat 127.0.0.1 ada di jaringan internal; Humas tidak mengambil dari sana."


def test_a_redirect_is_followed_and_each_hop_checked(offices, site, settings, monkeypatch):
    site.serve("/lama.xml", b"", status=301, location="/berita.xml")
    source = news_source(offices, site.url("/lama.xml"))
    assert poll(source).created == 3

    # This server counts as public; the address it redirects to does not (and is never contacted).
    settings.HUMAS_MONITORING_FEED_ALLOW_PRIVATE = False
    monkeypatch.setattr(_feeds, "_address_allowed", lambda host, port: host == "127.0.0.1")
    site.serve("/ke-dalam.xml", b"", status=302, location="http://10.0.0.1/rahasia.xml")
    inward = news_source(offices, site.url("/ke-dalam.xml"), name="Dialihkan")

    poll(inward)

    assert inward.last_error == "Alamat 10.0.0.1 ada di jaringan internal; Humas tidak mengambil dari sana."


def test_a_body_larger_than_the_cap_is_refused(offices, site, settings):
    settings.HUMAS_MONITORING_FEED_MAX_BYTES = 1024
    source = news_source(offices, site.url("/berita.xml"))

    poll(source)

    assert source.last_error.startswith("Jawaban 127.0.0.1/berita.xml lebih besar dari 1")


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/berita.xml", "file:///etc/passwd", "http://pengguna:sandi@127.0.0.1/berita.xml"],
)
def test_only_plain_http_addresses_are_fetched(offices, web, url):
    source = news_source(offices, url)

    poll(source)

    assert source.health == Source.Health.FAILING
    assert web.requests == []


def test_a_news_source_without_feeds_says_so(offices):
    source = news_source(offices)

    poll(source)

    assert source.last_error == "Sumber ini belum berisi alamat umpan berita."
