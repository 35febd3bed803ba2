"""The WSGI fast path serves stored pages exactly as the page cache rules say, and nothing else."""

from __future__ import annotations

import gzip
import io
import uuid

import pytest
from django.test import Client

from humas.portal import counter
from humas.portal.views.counter import BEACON_PREFIX, wsgi_beacon
from humas.web import pagecache
from humas.web.wsgi_cache import PageCacheApp
from tests.conftest import require_service
from tests.portal.test_counter import BROWSER, REDIS_URL, redis_available

pytestmark = pytest.mark.django_db


def call(app, path, **environ):
    captured = {}

    def start_response(status, headers):
        captured["status"], captured["headers"] = status, dict(headers)

    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_HOST": "testserver",
        **environ,
    }
    body = b"".join(app(env, start_response))
    return captured.get("status"), captured.get("headers", {}), body


@pytest.fixture
def app():
    def django_app(environ, start_response):
        start_response("599 Django", [("X-From", "django")])
        return [b"django"]

    return PageCacheApp(django_app)


def test_stored_page_and_its_gzip_copy_are_served_without_django(app, publish, settings):
    publish("33.20", title="Cepat")
    Client().get("/kab-jepara/")  # stores the page
    stored = settings.HUMAS_PAGECACHE_DIR / "testserver" / "kab-jepara" / "index.html"

    status, headers, body = call(app, "/kab-jepara/")
    status_gz, headers_gz, body_gz = call(app, "/kab-jepara/", HTTP_ACCEPT_ENCODING="gzip, br")

    assert status == "200 OK" and headers["X-Humas-Cache"] == "hit"
    assert body == stored.read_bytes()
    assert headers_gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(body_gz) == body
    assert "s-maxage=300" in headers["Cache-Control"]


@pytest.mark.parametrize(
    "environ",
    [
        {"QUERY_STRING": "page=2"},
        {"QUERY_STRING": "q=pemilu"},
        {"QUERY_STRING": "utm_source=x&page=2"},
        {"QUERY_STRING": "%70age=2"},  # Django decodes the name: it is "page"
        {"QUERY_STRING": "p=2"},
        {"REQUEST_METHOD": "POST"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "humas_language=en"},
        {"PATH_INFO": "/kab-jepara/../../etc/passwd"},
        {"HTTP_HOST": "../../etc"},
    ],
)
def test_everything_else_goes_to_django(app, publish, environ):
    publish("33.20")
    Client().get("/kab-jepara/")
    status, headers, body = call(app, environ.pop("PATH_INFO", "/kab-jepara/"), **environ)
    assert (status, body) == ("599 Django", b"django")


def test_invalidation_removes_the_gzip_copy_too(
    publish, member, settings, django_capture_on_commit_callbacks
):
    from humas.portal.services import ArticleInput, article_update

    article = publish("33.20", title="Versi lama")
    Client().get("/kab-jepara/")
    stored = settings.HUMAS_PAGECACHE_DIR / "testserver" / "kab-jepara" / "index.html"
    assert pagecache.gz_for(stored).is_file()
    with django_capture_on_commit_callbacks(execute=True):
        article_update(
            actor=member("33.20", "editor"), article=article, data=ArticleInput(title="Versi baru")
        )
    assert not stored.exists() and not pagecache.gz_for(stored).exists()


@pytest.mark.parametrize("query", ["utm_source=x", "x=8f3a9c1e27b4d605", "fbclid=IwAR0&utm_medium=social"])
def test_unknown_query_parameters_get_the_stored_page(app, publish, query):
    """A flood of ?x=<random> took the feeds to 12 requests/s: each one reached the database."""
    publish("33.20", title="Cepat")
    Client().get("/kab-jepara/")

    status, headers, body = call(app, "/kab-jepara/", QUERY_STRING=query)
    feed_status, feed_headers, _ = call(app, "/kab-jepara/feed/rss.xml", QUERY_STRING=query)

    assert (status, headers["X-Humas-Cache"]) == ("200 OK", "hit")
    assert b"Cepat" in body
    # Not stored yet: Django renders it once (below, the page cache stores it under its path).
    assert feed_status == "599 Django"


def test_page_rendered_for_an_unknown_query_parameter_is_stored_under_its_path(app, publish, settings):
    publish("33.20", title="Cepat")

    first = Client().get("/kab-jepara/feed/rss.xml?x=1a2b3c")
    status, headers, body = call(app, "/kab-jepara/feed/rss.xml", QUERY_STRING="x=9z8y7x")

    assert first["X-Humas-Cache"] == "miss"
    assert (settings.HUMAS_PAGECACHE_DIR / "testserver" / "kab-jepara" / "feed" / "rss.xml").is_file()
    assert (status, headers["X-Humas-Cache"]) == ("200 OK", "hit")
    assert body == first.content
    # A parameter the page reads is never answered from, nor stored as, the plain page.
    assert not pagecache.request_is_cacheable(_get("/kab-jepara/berita/", "page=2"))
    assert not pagecache.request_is_cacheable(_get("/kab-jepara/cari/", "q=pemilu"))
    assert pagecache.request_is_cacheable(_get("/kab-jepara/", "utm_source=x"))


def _get(path, query):
    from django.test import RequestFactory

    return RequestFactory().get(path, QUERY_STRING=query)


# The view-counter beacon, answered in the WSGI layer ---------------------------------------------


@pytest.fixture
def redis_counter(settings, monkeypatch, tmp_path):
    require_service(redis_available(), f"Redis is not reachable at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(counter, "REDIS_PREFIX", f"humas-test:views:{uuid.uuid4().hex}")
    yield
    client = counter.redis_client()
    keys = list(client.scan_iter(match=f"{counter.REDIS_PREFIX}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def beacon_app():
    def django_app(environ, start_response):
        start_response("599 Django", [("X-From", "django")])
        return [b"django"]

    return PageCacheApp(django_app, fast_paths={BEACON_PREFIX: wsgi_beacon})


def post_beacon(app, article_id, **environ):
    body = b"r="
    base = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": "application/x-www-form-urlencoded;charset=UTF-8",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_USER_AGENT": BROWSER,
        "HTTP_ORIGIN": "http://testserver",
        "REMOTE_ADDR": "203.0.113.5",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    return call(app, f"/_v/{article_id}", **{**base, **environ})


def test_beacon_is_counted_before_django_without_a_database_query(
    beacon_app, publish, redis_counter, django_assert_num_queries
):
    article = publish("33.20", title="Debat kandidat")
    # Redis does not know the article yet: Django answers (and looks it up once).
    assert post_beacon(beacon_app, article.pk)[0] == "599 Django"
    counter.article_views_remember(article_id=article.pk, views=7)

    with django_assert_num_queries(0):
        status, headers, body = post_beacon(beacon_app, article.pk)
        cookie = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
        again = post_beacon(beacon_app, article.pk, HTTP_COOKIE=f"hv={cookie}")

    assert (status, body) == ("200 OK", b'{"views": 8}')  # the 7 remembered and this one
    assert counter.visitor_id_valid(cookie)
    assert "Path=/_v/" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert (again[0], "Set-Cookie" in again[1]) == ("200 OK", False)
    assert counter.views_flush() == 1
    assert counter.article_views_total(article_id=article.pk) == 1


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_COOKIE": "sessionid=abc"},  # maybe staff: Django checks
        {"REQUEST_METHOD": "GET"},
        {"HTTP_HOST": "evil.example"},  # a host Django refuses
    ],
)
def test_beacons_that_need_django_go_to_django(beacon_app, publish, redis_counter, environ):
    article = publish("33.20", title="Debat kandidat")
    counter.article_views_remember(article_id=article.pk, views=0)

    status, _headers, body = post_beacon(beacon_app, article.pk, **environ)

    assert (status, body) == ("599 Django", b"django")
    assert counter.views_flush() == 0


def test_beacon_of_an_id_known_not_public_is_404_before_django(beacon_app, redis_counter):
    counter.article_views_remember(article_id=999_999, views=None)

    status, _headers, body = post_beacon(beacon_app, 999_999)

    assert (status, body) == ("404 Not Found", b'{"error": "not found"}')


def test_without_redis_every_beacon_goes_to_django(beacon_app, publish, settings, tmp_path):
    """The embedded shape counts with the database, which only Django's request cycle manages."""
    settings.REDIS_URL = ""
    settings.DATA_DIR = tmp_path
    article = publish("33.20", title="Debat kandidat")

    status, _headers, body = post_beacon(beacon_app, article.pk)

    assert (status, body) == ("599 Django", b"django")
    assert counter.views_flush() == 0
