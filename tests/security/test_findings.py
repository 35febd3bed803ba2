"""One test per finding of the security review: each failed on the code before its fix."""

from __future__ import annotations

import html.parser

import feedparser
import pytest
from django.test import Client

from humas.offices.models import Office
from humas.portal.models import Article
from humas.portal.services import ArticleInput, article_approve, article_create, article_submit
from humas.web import pagecache
from humas.web.paging import page_number
from humas.web.wsgi_cache import PageCacheApp

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HEALTH_TOKEN = "token-kesehatan-uji"


@pytest.fixture(autouse=True)
def _pagecache_dir(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    yield
    pagecache.clear()


@pytest.fixture
def write(member):
    """write("33.20", publish=True, title=...) -> an article by an operator, approved by an editor if asked."""
    people: dict[str, tuple[object, object]] = {}

    def make(code: str, *, publish: bool = True, **fields) -> Article:
        if code not in people:
            people[code] = (member(code, "operator"), member(code, "editor"))
        author, editor = people[code]
        fields.setdefault("title", "Rapat pleno rekapitulasi")
        fields.setdefault("body", "<p>Isi berita.</p>")
        office = Office.objects.get(code=code)
        article = article_create(actor=author, office=office, data=ArticleInput(**fields))
        if not publish:
            return article
        article_submit(actor=author, article=article)
        return article_approve(actor=editor, article=article)

    return make


class _Elements(html.parser.HTMLParser):
    """The elements and attributes a feed reader would build from an HTML description."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]


def _elements(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


# 1. Feeds carry author text as live HTML -------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_descriptions_are_plain_text_never_markup(client, write, kind):
    write("33.20", title="Sosialisasi", summary=f"Ringkas {HOSTILE} & selesai")

    # Unsanitised, as a reader that trusts the feed would take it.
    parsed = feedparser.parse(client.get(f"/kab-jepara/feed/{kind}.xml").content, sanitize_html=False)
    assert parsed.bozo == 0
    entry = parsed.entries[0]
    found = _elements(entry.summary)
    assert found.tags == []
    assert "onerror" not in found.attributes
    # The text itself survives, shown as text.
    assert entry.summary == (
        "Ringkas &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; selesai"
    )


# 2. 500s from input ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["①", "²", "٣", "99999999999", "-1", "", None, "0", "3"])
def test_page_number_accepts_only_bounded_ascii_digits(raw):
    assert page_number(raw) == (3 if raw == "3" else 1)


@pytest.mark.parametrize("page", ["①", "²"])
@pytest.mark.parametrize(
    "path",
    [
        "/berita/",
        "/kab-jepara/berita/",
        "/kab-jepara/klarifikasi/",
        "/cari/?q=pemilu",
        "/kab-jepara/cari/?q=pemilu",
        "/akun-resmi/",
        "/kab-jepara/akun-resmi/",
    ],
)
def test_unicode_digit_pages_of_public_lists_are_page_one_not_500(client, write, path, page):
    write("33.20", title="Pemilu damai")
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}page={page}")
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["①", "²"])
def test_unicode_digit_sitemap_page_is_404_not_500(client, page):
    assert client.get(f"/sitemap.xml?p={page}").status_code == 404


@pytest.mark.parametrize("page", ["①", "²"])
def test_unicode_digit_pages_of_back_office_lists_are_page_one(client, member, page):
    client.force_login(member("33.20", "admin"))
    for path in ("/app/kab-jepara/notifications/", "/app/kab-jepara/content/", "/app/kab-jepara/portal/"):
        assert client.get(f"{path}?page={page}").status_code == 200, path


def test_overlong_path_segment_is_404_not_500_and_never_cached(client, write, settings):
    write("33.20", title="Pemilu damai")
    # A stored page first: with the host's directory there, the file system is asked about the
    # long name itself (and answered "File name too long").
    assert client.get("/kab-jepara/")["X-Humas-Cache"] == "miss"
    long = "a" * 300
    for path in (f"/kab-jepara/berita/{long}/", f"/berita/{long}/", f"/{long}/", f"/{long}/berita/"):
        response = client.get(path)
        assert response.status_code == 404, path
    assert pagecache.file_for("testserver", f"/{long}/") is None
    assert pagecache.file_for("testserver", f"/kab-jepara/{long}.xml") is None
    # Multi-byte characters count as bytes: 100 × 3 bytes is over the file system's 255.
    assert pagecache.file_for("testserver", "/" + "é" * 100 + "x" * 60 + "/") is None
    assert pagecache.file_for("testserver", "/kab-jepara/berita/pendek/") is not None


def test_overlong_path_of_a_cacheable_page_is_served_not_stored(rf, settings):
    """An office home answered 200 on a path too long for a file name: sent, not stored."""
    from django.http import HttpResponse

    settings.HUMAS_PAGECACHE_ENABLED = True
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/" + "k" * 300 + "/")
    request.user = AnonymousUser()
    response = pagecache.finish(request, HttpResponse("beranda"))
    assert response.status_code == 200
    assert "X-Humas-Cache" not in response
    assert not settings.HUMAS_PAGECACHE_DIR.exists() or not any(settings.HUMAS_PAGECACHE_DIR.rglob("*"))

    def django_app(environ, start_response):
        start_response("404 Not Found", [])
        return [b"django"]

    captured = {}
    body = PageCacheApp(django_app)(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/" + "k" * 300 + "/",
            "QUERY_STRING": "",
            "HTTP_HOST": "testserver",
        },
        lambda status, headers: captured.update(status=status),
    )
    assert b"".join(body) == b"django"


# 3. /healthz tells anonymous callers the database, queue backend and backlog -----------------------


def test_healthz_gives_anonymous_callers_only_the_status(client, settings):
    settings.HUMAS_HEALTH_TOKEN = HEALTH_TOKEN
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    wrong = client.get("/healthz", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.json() == {"status": "ok"}


def test_healthz_failure_gives_anonymous_callers_only_the_status(client, monkeypatch):
    from humas.core import views as core_views

    monkeypatch.setattr(core_views, "health_report", lambda: (False, {"database": {"ok": False}}))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_healthz_detail_for_the_token_and_for_superusers_only(client, settings, member):
    settings.HUMAS_HEALTH_TOKEN = HEALTH_TOKEN
    detailed = client.get("/healthz", HTTP_AUTHORIZATION=f"Bearer {HEALTH_TOKEN}").json()
    assert detailed["status"] == "ok"
    assert set(detailed["checks"]) == {"database", "queue", "worker"}

    client.force_login(member("33", "admin"))
    assert client.get("/healthz").json() == {"status": "ok"}
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert set(client.get("/healthz").json()["checks"]) == {"database", "queue", "worker"}


def test_healthz_empty_token_never_matches(client, settings):
    settings.HUMAS_HEALTH_TOKEN = ""
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}
    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer").json() == {"status": "ok"}


# 4. Back-office pages have no Cache-Control: private, no-store -----------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/app/",
        "/app/kab-jepara/",
        "/app/kab-jepara/portal/",
        "/accounts/password-reset/",
        "/api/v1/me",
        "/api/v1/offices?level=provinsi",
    ],
)
def test_back_office_responses_to_signed_in_people_are_private_no_store(client, member, path):
    client.force_login(member("33.20", "admin"))
    response = client.get(path, follow=False)
    assert response.status_code < 500
    assert response["Cache-Control"] == "private, no-store", path


def test_django_admin_responses_to_signed_in_people_are_private_no_store(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_anonymous_public_pages_keep_their_shared_caching(client, write):
    write("33.20", title="Pemilu damai")
    first = client.get("/kab-jepara/")
    second = client.get("/kab-jepara/")
    assert first["X-Humas-Cache"] == "miss" and second["X-Humas-Cache"] == "hit"
    for response in (first, second):
        assert "public" in response["Cache-Control"] and "s-maxage=300" in response["Cache-Control"]
        assert "no-store" not in response["Cache-Control"]


@pytest.mark.parametrize(
    "path", ["/", "/kab-jepara/", "/healthz", "/app/", "/accounts/login/", "/tidak-ada/"]
)
def test_every_response_has_a_permissions_policy(client, path, settings):
    assert client.get(path)["Permissions-Policy"] == PERMISSIONS_POLICY
    # Also the stored pages: from the middleware and from the WSGI fast path.
    if path == "/kab-jepara/":
        assert client.get(path)["X-Humas-Cache"] == "hit"
        assert client.get(path)["Permissions-Policy"] == PERMISSIONS_POLICY
        captured = {}

        def start_response(status, headers):
            captured.update(status=status, headers=dict(headers))

        PageCacheApp(lambda e, s: [b""])(
            {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": "testserver"},
            start_response,
        )
        assert captured["headers"]["X-Humas-Cache"] == "hit"
        assert captured["headers"]["Permissions-Policy"] == PERMISSIONS_POLICY


# 5. The article edit form opens (GET) for roles that cannot save it ---------------------------------


def test_edit_form_is_refused_on_get_to_those_who_cannot_save_it(client, member, write):
    draft = write("33.20", publish=False, title="Masih draf")
    published = write("33.20", title="Sudah terbit")

    client.force_login(member("33.20", "viewer"))
    assert client.get(f"/app/kab-jepara/portal/{draft.pk}/edit/").status_code == 403
    assert client.get(f"/app/kab-jepara/portal/{published.pk}/edit/").status_code == 403

    # An operator edits drafts, but a published article only through an editor.
    client.force_login(member("33.20", "operator"))
    assert client.get(f"/app/kab-jepara/portal/{draft.pk}/edit/").status_code == 200
    assert client.get(f"/app/kab-jepara/portal/{published.pk}/edit/").status_code == 403

    client.force_login(member("33.20", "editor"))
    assert client.get(f"/app/kab-jepara/portal/{published.pk}/edit/").status_code == 200


def test_anonymous_client_is_sent_to_sign_in_for_the_edit_form(write):
    draft = write("33.20", publish=False)
    response = Client().get(f"/app/kab-jepara/portal/{draft.pk}/edit/")
    assert response.status_code == 302


def test_public_searches_are_limited_per_address_with_retry_after(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.HUMAS_SEARCHES_PER_MINUTE = 3
    answers = [
        client.get("/cari/", {"q": f"pemilu {n}"}, REMOTE_ADDR="203.0.113.7").status_code for n in range(3)
    ]

    refused = client.get("/cari/", {"q": "pemilu"}, REMOTE_ADDR="203.0.113.7")
    elsewhere = client.get("/cari/", {"q": "pemilu"}, REMOTE_ADDR="198.51.100.7")
    empty_form = client.get("/cari/", REMOTE_ADDR="203.0.113.7")

    assert answers == [200, 200, 200]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Terlalu banyak permintaan" in refused.content.decode()
    assert elsewhere.status_code == 200
    assert empty_form.status_code == 200
    cache.clear()
