"""The WSGI fast path serves stored pages exactly as the page cache rules say, and nothing else."""

from __future__ import annotations

import gzip

import pytest
from django.test import Client

from humas.web import pagecache
from humas.web.wsgi_cache import PageCacheApp

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
