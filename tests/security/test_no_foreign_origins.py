"""Nothing on the main pages loads from another origin: scripts, stylesheets, icons, images and
frames all come from Humas itself (Swagger UI included, at the version pinned in package.json).
Links in an article's body to other sites are content, and fine."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD
from tests.portal.conftest import publish  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

OWN_HOSTS = {"", "testserver"}
LOADED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}


class LoadedResources(HTMLParser):
    """Every URL the browser fetches to render the page (not the links a reader may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("script", "img", "iframe", "source", "video", "audio", "embed") and values.get("src"):
            self.urls.append(values["src"])
        if tag in ("img", "source") and values.get("srcset"):
            self.urls.extend(part.split()[0] for part in values["srcset"].split(",") if part.strip())
        if tag == "object" and values.get("data"):
            self.urls.append(values["data"])
        if tag == "link" and LOADED_LINKS & set(values.get("rel", "").lower().split()):
            self.urls.append(values.get("href", ""))


def foreign(html: str) -> list[str]:
    parser = LoadedResources()
    parser.feed(html)
    return [
        url for url in parser.urls if urlsplit(url).netloc.lower() not in OWN_HOSTS or url.startswith("//")
    ]


@pytest.fixture(autouse=True)
def _pagecache(settings, tmp_path):
    # Stored pages go to this test's own directory, never to the shared one.
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


@pytest.fixture
def article(publish):  # noqa: F811 - the imported fixture
    return publish(
        "33.20",
        title="Coklit serentak di Jepara",
        body='<p>Petugas datang. <a href="https://www.kpu.go.id/">Situs KPU</a></p>',
    )


def test_public_pages_and_api_docs_load_nothing_from_another_origin(client, article):
    pages = {
        "portal home": "/kab-jepara/",
        "article": f"/kab-jepara/berita/{article.slug}/",
        "search": "/kab-jepara/cari/?q=coklit",
        "official accounts": "/kab-jepara/akun-resmi/",
        "api docs": "/api/v1/docs",
    }
    html = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
        assert foreign(html[name]) == [], name
    # The link in the article's body to another site is there, as content.
    assert 'href="https://www.kpu.go.id/"' in html["article"]


def test_api_docs_use_the_pinned_swagger_ui_from_static_files(client):
    html = client.get("/api/v1/docs").content.decode()

    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>' in html
    assert '<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">' in html
    assert "cdn.jsdelivr.net" not in html
    bundle = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_back_office_pages_load_nothing_from_another_origin(client, member):
    member("33.20", "operator", email="op@kpu.test")
    client.post("/accounts/login/", {"email": "op@kpu.test", "password": PASSWORD})
    pages = {
        "dashboard": "/app/kab-jepara/",
        "content list": "/app/kab-jepara/content/",
        "post editor": "/app/kab-jepara/content/new/",
        "article editor": "/app/kab-jepara/portal/new/",
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert foreign(response.content.decode()) == [], name


def test_a_script_from_a_cdn_is_found():
    # The check itself: a page loading Swagger UI from a CDN (as Ninja's own docs page does) fails.
    html = (
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">'
        '<script src="//cdn.example/x.js"></script><a href="https://www.kpu.go.id/">KPU</a>'
        '<img src="/media/a.jpg">'
    )
    assert foreign(html) == [
        "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css",
        "//cdn.example/x.js",
    ]
