"""The "Telah dilihat N kali" view counter: beacon, rules, buffers and the flush (humas/portal/counter.py)."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client

from humas.portal import counter
from humas.portal.models import ArticleViewBuffer, ArticleViewDaily, ArticleViewTotal, OfficeVisitorDaily
from humas.portal.services import ArticleInput, article_create, article_unpublish
from tests.conftest import require_service

REDIS_URL = os.environ.get("HUMAS_REDIS_URL", "redis://127.0.0.1:6379/15")
BROWSER = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    """Without Redis the "seen" keys live in a file under DATA_DIR: one per test; so do the
    per-address ceilings in the (local memory) cache."""
    settings.DATA_DIR = tmp_path
    cache.clear()


@pytest.fixture(params=["database", "redis"])
def buffer(request, settings, monkeypatch) -> str:
    """Run the test with the embedded buffer (ArticleViewBuffer rows) and with the Redis buffer."""
    if request.param == "database":
        settings.REDIS_URL = ""
        yield "database"
        return
    require_service(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    # Each test gets its own keys in the shared Redis database.
    monkeypatch.setattr(counter, "REDIS_PREFIX", f"humas-test:views:{uuid.uuid4().hex}")
    yield "redis"
    client = counter.redis_client()
    keys = list(client.scan_iter(match=f"{counter.REDIS_PREFIX}:*"))
    if keys:
        client.delete(*keys)


def beacon(client: Client, article_id: int | str, *, user_agent: str = BROWSER, referrer: str = "", **extra):
    """POST the beacon the way article.js does (form-encoded, the page's referrer in ``r``)."""
    if referrer:
        extra.update(data=urlencode({"r": referrer}), content_type="application/x-www-form-urlencoded")
    return client.post(f"/_v/{article_id}", HTTP_USER_AGENT=user_agent, **extra)


def total(article) -> int:
    return int(ArticleViewTotal.objects.filter(article=article).values_list("count", flat=True).first() or 0)


def daily(article) -> dict[date, int]:
    return dict(ArticleViewDaily.objects.filter(article=article).values_list("day", "count"))


def buffered(kind: str) -> int:
    """The views waiting for the flush (the Redis buffer's visitor fields are not views)."""
    if kind == "database":
        return ArticleViewBuffer.objects.count()
    raw = counter.redis_client().hgetall(f"{counter.REDIS_PREFIX}:buffer")
    return sum(int(v) for k, v in raw.items() if not k.startswith(b"v:"))


# Counting rules ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeat_visitor_inside_the_window_is_counted_once(client, publish, buffer):
    article = publish("33.20", title="Debat kandidat")

    first = beacon(client, article.pk)
    second = beacon(client, article.pk)
    third = beacon(client, article.pk)

    assert first.status_code == second.status_code == third.status_code == 200
    assert counter.VISITOR_COOKIE in first.cookies
    assert counter.VISITOR_COOKIE not in second.cookies  # the browser already has its id
    assert buffered(buffer) == 1
    assert counter.views_flush() == 1
    assert total(article) == 1
    assert beacon(client, article.pk).json() == {"views": 1}


@pytest.mark.django_db
def test_visitor_is_counted_again_after_the_window(client, publish, buffer, settings):
    settings.HUMAS_VIEW_WINDOW_SECONDS = 1
    article = publish("33.20", title="Debat kandidat")

    beacon(client, article.pk)
    beacon(client, article.pk)
    time.sleep(1.2)
    beacon(client, article.pk)

    assert counter.views_flush() == 2
    assert total(article) == 2


@pytest.mark.django_db
def test_window_is_per_article_and_per_visitor(publish, buffer):
    one = publish("33.20", title="Debat kandidat")
    two = publish("33.20", title="Rapat pleno")
    ani, budi = Client(), Client()

    for visitor in (ani, budi):
        beacon(visitor, one.pk)
        beacon(visitor, two.pk)
        beacon(visitor, one.pk)

    assert counter.views_flush() == 4
    assert (total(one), total(two)) == (2, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_agent", "headers"),
    [
        ("", {}),
        ("   ", {}),
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", {}),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", {}),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", {}),
        ("WhatsApp/2.23.20.0 A", {}),
        ("TelegramBot (like TwitterBot)", {}),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0.0.0 Safari/537.36", {}),
        ("curl/8.5.0", {}),
        ("python-requests/2.32.3", {}),
        ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0)", {}),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", {}),
        (
            "Mozilla/5.0 (Linux; Android 6.0.1) Chrome/124.0 Mobile Safari/537.36 (compatible; Googlebot/2.1)",
            {},
        ),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", {}),
        (BROWSER, {"HTTP_SEC_PURPOSE": "prefetch"}),
        (BROWSER, {"HTTP_SEC_PURPOSE": "prefetch;prerender"}),
        (BROWSER, {"HTTP_PURPOSE": "prefetch"}),
        (BROWSER, {"HTTP_X_MOZ": "prefetch"}),
    ],
)
def test_bots_empty_agents_and_prefetches_are_not_counted(client, publish, buffer, user_agent, headers):
    article = publish("33.20", title="Debat kandidat")

    response = beacon(client, article.pk, user_agent=user_agent, **headers)

    assert response.status_code == 200
    assert response.json() == {"views": 0}
    assert buffered(buffer) == 0
    assert counter.views_flush() == 0
    assert total(article) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        # The browsers inside the Facebook and Instagram apps are people, not crawlers.
        "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 "
        "Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/460.0.0.0;]",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Mobile/15E148 Instagram 326.0.3.30.91",
        # A phone brand with "bot" in its name.
        "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
    ],
)
def test_people_browsers_are_counted(client, publish, buffer, user_agent):
    article = publish("33.20", title="Debat kandidat")

    beacon(client, article.pk, user_agent=user_agent)

    assert counter.views_flush() == 1


@pytest.mark.django_db
def test_signed_in_staff_and_back_office_referrers_are_not_counted(client, publish, member, buffer):
    article = publish("33.20", title="Debat kandidat")

    beacon(client, article.pk, HTTP_REFERER="http://testserver/app/portal/artikel/1/pratinjau/")
    beacon(Client(), article.pk, referrer="http://testserver/app/portal/artikel/")
    staff = Client()
    staff.force_login(member("33.20", "operator"))
    beacon(staff, article.pk)

    assert buffered(buffer) == 0
    # A reader who came from elsewhere on the site, or from another site, is counted.
    beacon(Client(), article.pk, referrer="http://testserver/kab-jepara/")
    beacon(Client(), article.pk, referrer="https://www.google.com/app/x")
    assert counter.views_flush() == 2


@pytest.mark.django_db
def test_beacon_posted_from_another_site_is_not_counted(publish, buffer):
    article = publish("33.20", title="Debat kandidat")

    beacon(Client(), article.pk, HTTP_ORIGIN="https://contoh-penipu.example")
    beacon(Client(), article.pk, HTTP_ORIGIN="null")
    beacon(Client(), article.pk, HTTP_ORIGIN="http://testserver.example")
    beacon(Client(), article.pk, HTTP_ORIGIN="http://testserver")
    # A proxy may pass the Host on without the port the page was loaded from.
    beacon(Client(), article.pk, HTTP_ORIGIN="http://testserver:8080")

    assert counter.views_flush() == 2


@pytest.mark.django_db
def test_beacon_sets_a_first_party_visitor_cookie_and_is_never_cached(client, publish):
    article = publish("33.20", title="Debat kandidat")

    response = beacon(client, article.pk)

    cookie = response.cookies[counter.VISITOR_COOKIE]
    assert counter.visitor_id_valid(cookie.value)
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/_v/"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "short", "x" * 65, "a b c d e f g h i j", "ab;cd=ef.gh/ijklmnopq"])
def test_malformed_visitor_cookie_is_replaced_and_counted(client, publish, buffer, value):
    article = publish("33.20", title="Debat kandidat")
    client.cookies[counter.VISITOR_COOKIE] = value

    response = beacon(client, article.pk)

    assert response.status_code == 200
    assert counter.visitor_id_valid(response.cookies[counter.VISITOR_COOKIE].value)
    assert counter.views_flush() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "simulated-visitor-0001",  # an id of the old kind, chosen by the client
        "A" * 36,  # the right length and alphabet, no valid signature
    ],
)
def test_visitor_ids_the_server_did_not_sign_are_new_visitors(publish, buffer, value):
    article = publish("33.20", title="Debat kandidat")
    visitor = Client()
    visitor.cookies[counter.VISITOR_COOKIE] = value

    first = beacon(visitor, article.pk)
    again = Client()
    again.cookies[counter.VISITOR_COOKIE] = value
    second = beacon(again, article.pk)

    # Each time a new visitor with an id of the server's own: the invented id counts for nothing.
    issued = {first.cookies[counter.VISITOR_COOKIE].value, second.cookies[counter.VISITOR_COOKIE].value}
    assert len(issued) == 2 and value not in issued
    assert all(counter.visitor_id_valid(v) for v in issued)
    assert not counter.visitor_id_valid(value)
    assert counter.views_flush() == 2


def test_visitor_ids_are_signed_with_a_key_derived_from_the_secret_key(settings):
    visitor = counter.visitor_id_new()

    assert counter.visitor_id_valid(visitor)
    assert not counter.visitor_id_valid(visitor[:-1] + ("A" if visitor[-1] != "A" else "B"))
    assert not counter.visitor_id_valid(visitor[:16] + counter.visitor_id_new()[16:])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert counter.visitor_id_valid(visitor)  # still valid while the old key is a fallback
    settings.SECRET_KEY_FALLBACKS = []
    assert not counter.visitor_id_valid(visitor)


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["none", "invented"])
def test_a_flood_from_one_address_adds_at_most_the_ceiling(publish, buffer, settings, cookie):
    """One client took an article from 1 to 3,351 views in 80 s by dropping or inventing its cookie."""
    settings.HUMAS_VIEWS_PER_ADDRESS = 5
    # The ceiling counts per window slot (time // window): a long window keeps the 40 beacons in one
    # slot however slowly a loaded machine sends them (a boundary crossed mid-flood counted 5 + 5).
    settings.HUMAS_VIEW_WINDOW_SECONDS = 10**9
    article = publish("33.20", title="Debat kandidat")

    for n in range(40):
        flooder = Client()
        if cookie == "invented":
            flooder.cookies[counter.VISITOR_COOKIE] = f"invented-visitor-{n:06d}"
        assert beacon(flooder, article.pk, REMOTE_ADDR="203.0.113.9").status_code == 200

    # Another address is not held back by the flood.
    beacon(Client(), article.pk, REMOTE_ADDR="198.51.100.7")
    assert counter.views_flush() == 6
    assert total(article) == 6


@pytest.mark.django_db
def test_sixty_signed_visitors_behind_one_shared_address_are_all_counted(publish, buffer, settings):
    """A school's or an office's readers share one address; the default ceiling leaves them be."""
    assert settings.HUMAS_VIEWS_PER_ADDRESS == 100
    article = publish("33.20", title="Debat kandidat")
    readers = [Client() for _ in range(60)]

    for reader in readers:  # the first beacon gives each reader its signed id
        assert beacon(reader, article.pk, REMOTE_ADDR="203.0.113.20").status_code == 200
    for reader in readers:  # reloads within the window count for nothing
        assert counter.VISITOR_COOKIE not in beacon(reader, article.pk, REMOTE_ADDR="203.0.113.20").cookies

    assert counter.views_flush() == 60
    assert total(article) == 60


@pytest.mark.django_db
def test_every_visitor_of_a_busy_window_stays_remembered(publish, buffer):
    """More visitors than a small cache holds (the file cache keeps 300) are still counted once each."""
    article = publish("33.20", title="Debat kandidat")
    visitors = [(counter.visitor_id_new(), f"10.0.{n // 250}.{n % 250}") for n in range(1000)]

    def record(visitor: tuple[str, str]) -> bool:
        return counter.beacon_record(
            article_id=article.pk, visitor_id=visitor[0], address=visitor[1], counts=True
        ).counted

    assert all(record(v) for v in visitors)
    assert not any(record(v) for v in visitors)
    assert counter.views_flush() == 1000


def test_seen_keys_are_added_atomically_across_threads(settings):
    """Without Redis: 16 threads racing to mark the same 100 keys see each key new exactly once."""
    keys = [f"race:{n}" for n in range(100)]

    def mark_all(_: int) -> int:
        return sum(counter._seen_add(key, window=60) for key in keys)

    with ThreadPoolExecutor(max_workers=16) as pool:
        firsts = list(pool.map(mark_all, range(16)))

    assert sum(firsts) == 100


@pytest.mark.django_db
def test_a_beacon_costs_no_query_once_redis_knows_the_article(
    client, publish, buffer, django_assert_num_queries
):
    article = publish("33.20", title="Debat kandidat")

    # Redis: the first beacon asks the database whether the article is public, later ones never
    # (the view goes to Redis); the embedded shape: the lookup and one buffer INSERT.
    with django_assert_num_queries(1 if buffer == "redis" else 2):
        assert beacon(client, article.pk).status_code == 200
    with django_assert_num_queries(0 if buffer == "redis" else 2):
        assert beacon(Client(), article.pk).status_code == 200
    with django_assert_num_queries(0 if buffer == "redis" else 1):
        assert beacon(client, article.pk).status_code == 200  # already counted: no write
    assert counter.views_flush() == 2


@pytest.mark.django_db
def test_withdrawn_article_stops_counting_at_once_and_flush_refreshes_the_shown_total(
    client, publish, member, buffer, django_capture_on_commit_callbacks
):
    article = publish("33.20", title="Debat kandidat")
    beacon(client, article.pk)
    assert beacon(Client(), article.pk).json() == {"views": 2}  # the views waiting for the flush too
    counter.views_flush()

    assert beacon(Client(), article.pk).json() == {"views": 3}  # the flush renewed the shown total
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=member("33.20", "editor"), article=article)

    assert beacon(Client(), article.pk).status_code == 404
    assert counter.views_flush() == 1
    assert total(article) == 3


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unpublished_draft_and_unknown_articles_are_404_and_not_counted(
    client, publish, member, offices, buffer
):
    withdrawn = publish("33.20", title="Debat kandidat")
    editor = member("33.20", "editor")
    article_unpublish(actor=editor, article=withdrawn)
    draft = article_create(
        actor=member("33.20", "operator"), office=offices["33.20"], data=ArticleInput(title="Draf rahasia")
    )

    for article_id in (withdrawn.pk, draft.pk, draft.pk + 1000):
        assert beacon(client, article_id).status_code == 404

    assert buffered(buffer) == 0
    assert counter.views_flush() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw",
    ["abc", "-1", "1.5", "0", "9" * 19, "99999999999999999", "%00", "%E2%80%8B1", "١٢", "1%20", "1;drop"],
)
def test_garbage_article_ids_are_404(client, raw):
    response = beacon(client, raw)

    assert response.status_code == 404
    assert response.json() == {"error": "not found"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/_v/1/2", "/_v/1/", "/_v/"])
def test_beacon_paths_that_match_no_url_are_404(client, path):
    assert client.post(path, HTTP_USER_AGENT=BROWSER).status_code == 404


@pytest.mark.django_db
def test_get_is_405(client, publish):
    article = publish("33.20", title="Debat kandidat")

    assert client.get(f"/_v/{article.pk}", HTTP_USER_AGENT=BROWSER).status_code == 405


@pytest.mark.django_db
def test_garbage_bodies_never_fail_and_big_ones_are_refused(client, publish, buffer):
    article = publish("33.20", title="Debat kandidat")

    big = beacon(client, article.pk, data="r=" + "x" * 5000, content_type="application/x-www-form-urlencoded")
    assert big.status_code == 413
    assert buffered(buffer) == 0
    for body, content_type in [
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (b"r=%ZZ%zz&&&===", "application/x-www-form-urlencoded"),
        (b"--boundary\r\nnonsense", "multipart/form-data; boundary=boundary"),
        (b'{"views": 99999}', "application/json"),
    ]:
        response = beacon(Client(), article.pk, data=body, content_type=content_type)
        assert response.status_code == 200, body
    assert counter.views_flush() == 4
    assert total(article) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("store", ["redis", "seen-file"])
def test_beacon_answers_even_when_the_counter_store_is_down(client, publish, settings, tmp_path, store):
    if store == "redis":
        settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    else:
        settings.REDIS_URL = ""
        (tmp_path / "not-a-directory").write_text("")
        settings.DATA_DIR = tmp_path / "not-a-directory" / "data"
    article = publish("33.20", title="Debat kandidat")

    response = beacon(client, article.pk)

    assert response.status_code == 200
    assert response.json() == {"views": 0}


@pytest.mark.django_db
@pytest.mark.parametrize("buffer", ["redis"], indirect=True)
def test_beacons_count_after_redis_forgets_the_script_or_drops_the_connection(client, publish, buffer):
    """The beacon's hand-written EVALSHA (counter._evalsha) loads the script again when Redis
    forgot it (a restart, SCRIPT FLUSH), and a connection Redis closed is made again."""
    article = publish("33.20", title="Debat kandidat")
    beacon(client, article.pk)
    redis = counter.redis_client()

    redis.script_flush()
    second = beacon(Client(), article.pk)
    redis.client_kill_filter(_type="normal", skipme=True)  # every connection but this one
    third = beacon(Client(), article.pk)
    fourth = beacon(Client(), article.pk)

    assert [r.status_code for r in (second, third, fourth)] == [200, 200, 200]
    assert buffered(buffer) == 4


# Flush ---------------------------------------------------------------------------------------


def _seed(kind: str, rows: list[tuple[int, date]]) -> None:
    if kind == "database":
        ArticleViewBuffer.objects.bulk_create([ArticleViewBuffer(article_id=a, day=d) for a, d in rows])
        return
    client = counter.redis_client()
    for article_id, day in rows:
        client.hincrby(f"{counter.REDIS_PREFIX}:buffer", f"{article_id}:{day.isoformat()}", 1)


@pytest.mark.django_db
def test_flush_folds_the_buffer_into_daily_rows_and_totals_exactly(publish, buffer):
    one = publish("33.20", title="Debat kandidat")
    two = publish("33.20", title="Rapat pleno")
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    ArticleViewDaily.objects.create(article=one, day=monday, count=10)
    ArticleViewTotal.objects.create(article=one, count=12)
    _seed(buffer, [(one.pk, monday)] * 3 + [(one.pk, tuesday)] * 2 + [(two.pk, monday)])

    assert counter.views_flush() == 6

    assert daily(one) == {monday: 13, tuesday: 2}
    assert daily(two) == {monday: 1}
    assert (total(one), total(two)) == (17, 1)
    assert buffered(buffer) == 0
    # Nothing is applied twice.
    assert counter.views_flush() == 0
    assert (total(one), total(two)) == (17, 1)
    assert counter.article_views_total(article_id=one.pk) == 17


@pytest.mark.django_db
def test_flush_drops_views_of_deleted_articles_and_keeps_the_rest(publish, buffer):
    article = publish("33.20", title="Debat kandidat")
    today = date(2026, 11, 28)
    _seed(buffer, [(article.pk, today), (article.pk + 10_000, today)])

    assert counter.views_flush() == 1
    assert total(article) == 1
    assert not ArticleViewTotal.objects.exclude(article=article).exists()


@pytest.mark.django_db
def test_a_flush_that_dies_midway_loses_nothing_and_the_next_one_applies_it_once(
    publish, buffer, monkeypatch
):
    article = publish("33.20", title="Debat kandidat")
    today = date(2026, 11, 28)
    _seed(buffer, [(article.pk, today)] * 4)
    real_upsert = counter._upsert
    calls = []

    def dies_after_the_daily_upsert(table, key, rows):
        calls.append(table)
        if table == ArticleViewTotal._meta.db_table:
            raise ConnectionError("worker killed")
        real_upsert(table, key, rows)

    monkeypatch.setattr(counter, "_upsert", dies_after_the_daily_upsert)
    with pytest.raises(ConnectionError):
        counter.views_flush()
    assert calls == [ArticleViewDaily._meta.db_table, ArticleViewTotal._meta.db_table]
    assert (daily(article), total(article)) == ({}, 0)  # the daily upsert was rolled back too
    _seed(buffer, [(article.pk, today)])  # views keep arriving meanwhile

    monkeypatch.setattr(counter, "_upsert", real_upsert)
    assert counter.views_flush() == 5
    assert (daily(article), total(article)) == ({today: 5}, 5)
    assert counter.views_flush() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("buffer", ["redis"], indirect=True)
def test_redis_flush_skips_while_another_flush_holds_the_lock(publish, buffer):
    article = publish("33.20", title="Debat kandidat")
    _seed(buffer, [(article.pk, date(2026, 11, 28))] * 2)
    lock = counter.redis_client().lock(f"{counter.REDIS_PREFIX}:flush-lock", timeout=30)
    assert lock.acquire(blocking=False)

    assert counter.views_flush() == 0
    lock.release()
    assert counter.views_flush() == 2


@pytest.mark.django_db
def test_periodic_task_flushes_the_buffer(client, publish, buffer):
    from humas.portal.tasks import flush_views_task

    article = publish("33.20", title="Debat kandidat")
    beacon(client, article.pk)

    flush_views_task()  # Huey runs tasks immediately in the test settings

    assert total(article) == 1


# The page -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_article_page_carries_the_beacon_wiring_and_counts_when_served_from_the_cache(
    client, publish, buffer
):
    article = publish("33.20", title="Debat kandidat")
    url = article.get_absolute_url()

    first = client.get(url)
    cached = client.get(url)
    html = b"".join(cached.streaming_content).decode()

    assert first["X-Humas-Cache"] == "miss"
    assert cached["X-Humas-Cache"] == "hit"
    assert f'data-article-id="{article.pk}" data-beacon="/_v/{article.pk}"' in html
    assert 'data-template="Telah dilihat __N__ kali"' in html
    assert 'data-template-one="Telah dilihat __N__ kali"' in html
    assert '<script src="/static/portal/article.js" defer></script>' in html
    assert ">Telah dilihat 0 kali</span>" in html
    script = (Path(counter.__file__).parent / "static" / "portal" / "article.js").read_text()
    for wiring in (
        '".views[data-beacon]"',
        "keepalive: true",
        "document.prerendering",
        "visibilityState",
        "__N__",
    ):
        assert wiring in script

    # The page came from the cache; the beacon still counts, and the next render shows it.
    assert beacon(client, article.pk).status_code == 200
    counter.views_flush()
    assert total(article) == 1


# Concurrency against the real servers ---------------------------------------------------------


def _fire_concurrent_views(article_id: int, visitors: int, *, flush_meanwhile: bool) -> list[int]:
    """Every visitor sends its beacon twice, all from 16 threads; returns the status codes."""
    ids = [counter.visitor_id_new() for _ in range(visitors)]

    def visit(n: int) -> int:
        try:
            visitor = Client()
            visitor.cookies[counter.VISITOR_COOKIE] = ids[n]
            return beacon(visitor, article_id, REMOTE_ADDR=f"10.1.{n // 250}.{n % 250}").status_code
        finally:
            connection.close()

    stop = threading.Event()
    flushed: list[int] = []

    def flush_loop() -> None:
        try:
            while not stop.is_set():
                flushed.append(counter.views_flush())
        finally:
            connection.close()

    flusher = threading.Thread(target=flush_loop) if flush_meanwhile else None
    if flusher:
        flusher.start()
    try:
        order = [n % visitors for n in range(2 * visitors)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(visit, order[:visitors]))
            # Beacons without the database are quick: let a flush finish before the second half,
            # so that the next one runs while those beacons arrive.
            while flusher and flusher.is_alive() and not flushed:
                time.sleep(0.01)
            codes += list(pool.map(visit, order[visitors:]))
    finally:
        stop.set()
        if flusher:
            flusher.join()
    if flush_meanwhile:
        assert len(flushed) > 1
    return codes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("flush_meanwhile", [False, True], ids=["flush-after", "flush-during"])
def test_concurrent_unique_views_are_counted_exactly_on_postgresql(publish, buffer, flush_meanwhile):
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )
    visitors = 200
    article = publish("33.20", title="Debat kandidat")

    codes = _fire_concurrent_views(article.pk, visitors, flush_meanwhile=flush_meanwhile)
    counter.views_flush()
    connections.close_all()

    assert codes == [200] * (2 * visitors)
    assert total(article) == visitors
    assert sum(daily(article).values()) == visitors
    assert buffered(buffer) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("buffer", ["redis"], indirect=True)
@pytest.mark.parametrize("dies", ["before-commit", "after-commit"])
def test_redis_batch_of_a_dead_flush_is_applied_exactly_once_on_postgresql(
    publish, buffer, monkeypatch, dies
):
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )
    article = publish("33.20", title="Debat kandidat")
    today = date(2026, 11, 28)
    _seed(buffer, [(article.pk, today)] * 3)
    real_upsert, real_forget = counter._upsert, counter._forget

    def upsert_then_die(table, key, rows):
        real_upsert(table, key, rows)
        raise ConnectionError("worker killed before COMMIT")

    def die_before_forgetting(client, batches):
        raise ConnectionError("worker killed after COMMIT, before deleting the batch")

    if dies == "before-commit":
        monkeypatch.setattr(counter, "_upsert", upsert_then_die)
    else:
        monkeypatch.setattr(counter, "_forget", die_before_forgetting)
    with pytest.raises(ConnectionError):
        counter.views_flush()
    monkeypatch.setattr(counter, "_upsert", real_upsert)
    monkeypatch.setattr(counter, "_forget", real_forget)
    assert total(article) == (0 if dies == "before-commit" else 3)
    assert len(list(counter.redis_client().scan_iter(match=f"{counter.REDIS_PREFIX}:batch:*"))) == 1
    _seed(buffer, [(article.pk, today)] * 2)  # views keep arriving meanwhile

    counter.views_flush()

    assert total(article) == 5
    assert daily(article) == {today: 5}
    assert list(counter.redis_client().scan_iter(match=f"{counter.REDIS_PREFIX}:batch*")) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("buffer", ["redis"], indirect=True)
def test_redis_batch_of_a_flush_still_running_is_left_to_it_on_postgresql(publish, buffer):
    """A flush that outlived its lock still owns its batch: the next flush neither applies nor deletes it."""
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )
    import psycopg

    article = publish("33.20", title="Debat kandidat")
    today = date(2026, 11, 28)
    redis = counter.redis_client()
    batch = f"{counter.REDIS_PREFIX}:batch:slow"
    redis.hset(batch, f"{article.pk}:{today.isoformat()}", 4)
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"]
    ) as slow:
        xid = slow.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
        redis.hset(f"{counter.REDIS_PREFIX}:batch-xids", batch, xid)

        assert counter.views_flush() == 0
        assert redis.exists(batch) == 1
        slow.rollback()  # the slow flush dies without committing

    assert counter.views_flush() == 4
    assert total(article) == 4
    assert redis.exists(batch) == 0


# In a real browser ----------------------------------------------------------------------------


def in_own_chromium(work):
    """Run ``work(browser)`` with a Chromium of its own, in a thread of its own.

    Other modules keep a session-wide Playwright running in the test thread, and a second sync
    Playwright cannot start in a thread that already runs one; a fresh thread can.
    """
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    require_service(
        bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "playwright is not installed")

    def run():
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return work(chromium)
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_sends_one_beacon_per_visitor_and_shows_the_returned_count(live_server, publish, settings):
    settings.REDIS_URL = ""
    article = publish("33.20", title="Debat kandidat")
    url = f"{live_server.url}{article.get_absolute_url()}"
    beacons: list[str] = []

    def visit(reloads: int = 0):
        def work(chromium) -> str:
            # Headless Chromium calls itself HeadlessChrome, which the counter takes for a bot.
            context = chromium.new_context(user_agent=BROWSER)
            page = context.new_page()
            page.on(
                "request", lambda request: beacons.append(request.method) if "/_v/" in request.url else None
            )
            try:
                for _ in range(reloads + 1):
                    with page.expect_response(lambda response: "/_v/" in response.url):
                        page.goto(url)
                page.wait_for_function("!document.querySelector('.views').textContent.includes('__N__')")
                cookies = {c["name"]: c for c in context.cookies()}
                assert cookies[counter.VISITOR_COOKIE]["httpOnly"] is True
                return page.locator(".views").inner_text()
            finally:
                context.close()

        return in_own_chromium(work)

    # This visit rendered and stored the page (which says 0); the beacon shows the reader's view.
    assert visit(reloads=2) == "Telah dilihat 1 kali"
    ArticleViewTotal.objects.create(article=article, count=41)
    # The next visitor gets the stored page (which says 0) and the beacon's fresher number: the
    # total, the first visitor's view waiting for the flush, and their own.
    shown = visit()

    assert shown == "Telah dilihat 43 kali"
    assert beacons == ["POST"] * 4
    assert counter.views_flush() == 2
    assert total(article) == 43


# Distinct visitors per office and UTC day ----------------------------------------------------

DAY = date(2026, 11, 28)
NEXT_DAY = date(2026, 11, 29)


@pytest.fixture
def clock(monkeypatch):
    """The counter's clock (the day a view and a visitor count on), set by the test: ``clock.at``."""
    fake = SimpleNamespace(at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    monkeypatch.setattr(counter, "timezone", SimpleNamespace(now=lambda: fake.at))
    return fake


def visitors_of(office) -> dict[date, int]:
    return dict(OfficeVisitorDaily.objects.filter(office=office).values_list("day", "count"))


def buffered_visitors(kind: str) -> int:
    if kind == "database":
        return ArticleViewBuffer.objects.exclude(visitor_office_id=None).count()
    raw = counter.redis_client().hgetall(f"{counter.REDIS_PREFIX}:buffer")
    return sum(int(v) for k, v in raw.items() if k.startswith(b"v:"))


@pytest.mark.django_db
def test_one_visitor_reading_three_articles_of_an_office_is_one_visitor_and_three_views(
    client, publish, offices, buffer, clock
):
    articles = [publish("33.20", title=title) for title in ("Debat kandidat", "Rapat pleno", "Jadwal coklit")]

    for article in articles:
        assert beacon(client, article.pk).status_code == 200
    for article in articles:  # read again inside the window: no view, so no visitor either
        beacon(client, article.pk)

    assert (buffered(buffer), buffered_visitors(buffer)) == (3, 1)
    assert counter.views_flush() == 3
    assert [daily(article) for article in articles] == [{DAY: 1}] * 3
    assert visitors_of(offices["33.20"]) == {DAY: 1}
    assert OfficeVisitorDaily.objects.count() == 1


@pytest.mark.django_db
def test_a_visitor_counts_once_for_each_office_they_read(publish, offices, buffer, clock):
    jepara = publish("33.20", title="Debat kandidat")
    jepara_again = publish("33.20", title="Rapat pleno")
    province = publish("33", title="Rapat pleno provinsi")
    ani, budi = Client(), Client()

    for article in (jepara, province, jepara_again):
        beacon(ani, article.pk)
    beacon(budi, jepara.pk)

    assert counter.views_flush() == 4
    assert visitors_of(offices["33.20"]) == {DAY: 2}
    assert visitors_of(offices["33"]) == {DAY: 1}
    # The province's portal is its own: its regencies' readers are not its visitors.
    assert OfficeVisitorDaily.objects.count() == 2


@pytest.mark.django_db
def test_the_next_utc_day_counts_the_visitor_again(client, publish, offices, buffer, clock):
    one = publish("33.20", title="Debat kandidat")
    two = publish("33.20", title="Rapat pleno")
    three = publish("33.20", title="Jadwal coklit")

    clock.at = datetime(2026, 11, 28, 23, 58, tzinfo=UTC)
    beacon(client, one.pk)
    beacon(client, two.pk)
    clock.at = datetime(2026, 11, 29, 0, 1, tzinfo=UTC)  # 07:01 WIB: the portal counts UTC days
    beacon(client, three.pk)
    beacon(client, one.pk)  # inside the window: not a view again, so not a visitor of it either

    assert counter.views_flush() == 3
    assert (daily(one), daily(two), daily(three)) == ({DAY: 1}, {DAY: 1}, {NEXT_DAY: 1})
    assert visitors_of(offices["33.20"]) == {DAY: 1, NEXT_DAY: 1}


@pytest.mark.django_db
def test_beacons_not_counted_as_views_are_no_visitors(publish, member, offices, buffer, settings, clock):
    settings.HUMAS_VIEWS_PER_ADDRESS = 2
    settings.HUMAS_VIEW_WINDOW_SECONDS = 10**9  # one ceiling slot however slow the machine
    article = publish("33.20", title="Debat kandidat")
    staff = Client()
    staff.force_login(member("33.20", "operator"))

    beacon(
        Client(),
        article.pk,
        user_agent="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    )
    beacon(Client(), article.pk, user_agent="")
    beacon(Client(), article.pk, HTTP_SEC_PURPOSE="prefetch")
    beacon(staff, article.pk)
    beacon(Client(), article.pk, referrer="http://testserver/app/portal/artikel/")
    beacon(Client(), article.pk, HTTP_ORIGIN="https://contoh-penipu.example")
    assert (buffered(buffer), buffered_visitors(buffer)) == (0, 0)
    # Six new visitors behind one address: the ceiling's two views are two visitors, the rest neither.
    for _ in range(6):
        beacon(Client(), article.pk, REMOTE_ADDR="203.0.113.9")

    assert counter.views_flush() == 2
    assert visitors_of(offices["33.20"]) == {DAY: 2}


def _seed_visitors(kind: str, rows: list[tuple[int, int, date]]) -> None:
    """Buffer views (article, office, day) that were also their visitor's first of the office that day."""
    if kind == "database":
        ArticleViewBuffer.objects.bulk_create(
            [ArticleViewBuffer(article_id=a, day=d, visitor_office_id=o) for a, o, d in rows]
        )
        return
    client = counter.redis_client()
    for article_id, office_id, day in rows:
        client.hincrby(f"{counter.REDIS_PREFIX}:buffer", f"{article_id}:{day.isoformat()}", 1)
        client.hincrby(f"{counter.REDIS_PREFIX}:buffer", f"v:{office_id}:{day.isoformat()}", 1)


@pytest.mark.django_db
def test_flush_folds_buffered_visitors_into_the_offices_days_exactly(publish, offices, buffer):
    jepara, province = offices["33.20"], offices["33"]
    article = publish("33.20", title="Debat kandidat")
    provincial = publish("33", title="Rapat pleno provinsi")
    monday, tuesday = date(2026, 11, 23), date(2026, 11, 24)
    OfficeVisitorDaily.objects.create(office=jepara, day=monday, count=10)
    _seed_visitors(
        buffer,
        [(article.pk, jepara.pk, monday)] * 3
        + [(article.pk, jepara.pk, tuesday), (provincial.pk, province.pk, monday)]
        + [(article.pk, 10_000_000, monday)],  # an office deleted since: dropped, not failing the flush
    )
    _seed(buffer, [(article.pk, monday)] * 2)  # views of visitors already counted that day

    assert counter.views_flush() == 8

    assert visitors_of(jepara) == {monday: 13, tuesday: 1}
    assert visitors_of(province) == {monday: 1}
    assert OfficeVisitorDaily.objects.count() == 3
    assert buffered_visitors(buffer) == 0
    # Nothing is applied twice.
    assert counter.views_flush() == 0
    assert visitors_of(jepara) == {monday: 13, tuesday: 1}


@pytest.mark.django_db
def test_a_flush_that_dies_at_the_visitors_loses_nothing_and_the_next_one_applies_them_once(
    publish, offices, buffer, monkeypatch, clock
):
    article = publish("33.20", title="Debat kandidat")
    beacon(Client(), article.pk)
    beacon(Client(), article.pk)
    real_upsert = counter._upsert

    def dies_at_the_visitors(table, key, rows):
        if table == OfficeVisitorDaily._meta.db_table:
            raise ConnectionError("worker killed")
        real_upsert(table, key, rows)

    monkeypatch.setattr(counter, "_upsert", dies_at_the_visitors)
    with pytest.raises(ConnectionError):
        counter.views_flush()
    assert (total(article), visitors_of(offices["33.20"])) == (0, {})  # the views' upserts rolled back too
    beacon(Client(), article.pk)  # visitors keep arriving meanwhile

    monkeypatch.setattr(counter, "_upsert", real_upsert)
    assert counter.views_flush() == 3
    assert (total(article), visitors_of(offices["33.20"])) == (3, {DAY: 3})
    assert counter.views_flush() == 0
    assert visitors_of(offices["33.20"]) == {DAY: 3}


@pytest.mark.django_db
@pytest.mark.parametrize("buffer", ["redis"], indirect=True)
def test_an_article_entry_without_its_office_is_asked_again_and_its_visitor_counted(
    client, publish, offices, buffer, clock
):
    """An entry holding a total alone (written before entries kept the office) counts no visitor:
    the script takes it for unknown, the database is asked once and the entry written whole."""
    article = publish("33.20", title="Debat kandidat")
    ArticleViewTotal.objects.create(article=article, count=5)
    redis = counter.redis_client()
    redis.set(counter._article_key(article.pk), "5", ex=60)

    assert beacon(client, article.pk).json() == {"views": 6}

    assert redis.get(counter._article_key(article.pk)) == f"5:{offices['33.20'].pk}".encode()
    assert (buffered(buffer), buffered_visitors(buffer)) == (1, 1)
    counter.views_flush()
    assert visitors_of(offices["33.20"]) == {DAY: 1}
    assert redis.get(counter._article_key(article.pk)) == f"6:{offices['33.20'].pk}".encode()


@pytest.mark.django_db
def test_visitors_leave_no_address_or_cookie_in_the_database(client, publish, buffer, clock):
    article = publish("33.20", title="Debat kandidat")

    response = beacon(client, article.pk, REMOTE_ADDR="203.0.113.77")
    visitor = response.cookies[counter.VISITOR_COOKIE].value
    buffered_rows = list(ArticleViewBuffer.objects.values())
    counter.views_flush()

    stored = repr(buffered_rows) + repr(list(OfficeVisitorDaily.objects.values()))
    assert visitor not in stored and "203.0.113.77" not in stored
    assert [sorted(row) for row in OfficeVisitorDaily.objects.values()] == [
        ["count", "day", "id", "office_id"]
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_visitor_upserts_lose_no_increment(offices):
    """Eight flushes adding to the same offices' rows at once: every increment lands (the upsert
    adds to the row a concurrent flush just wrote, it never overwrites it)."""
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )
    jepara, province = offices["33.20"].pk, offices["33"].pk

    def flush_many(_: int) -> None:
        try:
            for _round in range(25):
                with transaction.atomic():
                    counter._apply({}, {(jepara, DAY): 1, (province, DAY): 2})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(flush_many, range(8)))

    assert visitors_of(offices["33.20"]) == {DAY: 8 * 25}
    assert visitors_of(offices["33"]) == {DAY: 2 * 8 * 25}


def _fire_concurrent_visits(article_ids: list[int], visitors: int, *, flushers: int) -> list[int]:
    """Every visitor reads every article of ``article_ids`` (each twice), from 16 threads, while
    ``flushers`` threads flush in a loop; returns the status codes."""
    ids = [counter.visitor_id_new() for _ in range(visitors)]

    def visit(job: tuple[int, int]) -> int:
        n, article_id = job
        try:
            visitor = Client()
            visitor.cookies[counter.VISITOR_COOKIE] = ids[n]
            return beacon(visitor, article_id, REMOTE_ADDR=f"10.2.{n // 250}.{n % 250}").status_code
        finally:
            connection.close()

    stop = threading.Event()
    flushed: list[int] = []

    def flush_loop() -> None:
        try:
            while not stop.is_set():
                flushed.append(counter.views_flush())
        finally:
            connection.close()

    threads = [threading.Thread(target=flush_loop) for _ in range(flushers)]
    for thread in threads:
        thread.start()
    try:
        jobs = [(n, article_id) for article_id in article_ids for n in range(visitors)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(visit, jobs))
            while threads and not any(flushed):
                time.sleep(0.01)
            codes += list(pool.map(visit, list(reversed(jobs))))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return codes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("flushers", [0, 2], ids=["flush-after", "two-flushes-during"])
def test_concurrent_visitors_are_counted_exactly_on_postgresql(publish, offices, buffer, clock, flushers):
    require_service(
        connection.vendor == "postgresql",
        "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/humas",
    )
    visitors = 120
    one = publish("33.20", title="Debat kandidat")
    two = publish("33.20", title="Rapat pleno")
    provincial = publish("33", title="Rapat pleno provinsi")

    codes = _fire_concurrent_visits([one.pk, two.pk, provincial.pk], visitors, flushers=flushers)
    counter.views_flush()
    connections.close_all()

    assert codes == [200] * (2 * 3 * visitors)
    assert (total(one), total(two), total(provincial)) == (visitors, visitors, visitors)
    assert visitors_of(offices["33.20"]) == {DAY: visitors}
    assert visitors_of(offices["33"]) == {DAY: visitors}
    assert (buffered(buffer), buffered_visitors(buffer)) == (0, 0)
