from __future__ import annotations

import pytest
from django.test import Client

from humas.portal.services import (
    ArticleInput,
    article_approve,
    article_create,
    article_unpublish,
    article_update,
)

pytestmark = pytest.mark.django_db


def test_office_home_lists_news_and_clarifications(client, publish):
    publish("33.20", title="Coklit di Jepara")
    publish(
        "33.20",
        title="Video surat suara tercoblos",
        type="klarifikasi",
        claim="Surat suara sudah dicoblos",
        verdict="hoaks",
    )

    html = client.get("/kab-jepara/").content.decode()

    assert "Coklit di Jepara" in html
    assert "Video surat suara tercoblos" in html
    assert "HOAKS" in html
    assert "KPU Kabupaten Jepara" in html


def test_province_and_national_homes_show_news_from_below_but_regency_does_not(client, publish):
    publish("33.20", title="Kabar dari Jepara")
    assert "Kabar dari Jepara" in client.get("/jateng/").content.decode()
    assert "Kabar dari Jepara" in client.get("/").content.decode()
    assert "Kabar dari Jepara" not in client.get("/kota-semarang/").content.decode()
    assert "Kabar dari Jepara" not in client.get("/jatim/").content.decode()


def test_article_page_has_share_links_counter_and_breadcrumbs(client, publish):
    article = publish("33.20", title="Debat kandidat", body="<p>Debat digelar Sabtu.</p>")

    response = client.get("/kab-jepara/berita/debat-kandidat/")
    html = response.content.decode()

    assert response.status_code == 200
    assert article.get_absolute_url() == "/kab-jepara/berita/debat-kandidat/"
    assert "Telah dilihat 0 kali" in html
    for share in (
        "facebook.com/sharer/sharer.php?u=http%3A%2F%2Ftestserver%2Fkab-jepara%2Fberita%2Fdebat-kandidat%2F",
        "twitter.com/intent/tweet",
        "wa.me/?text=",
        "t.me/share/url",
    ):
        assert share in html
    assert '<script src="https://' not in html  # no third-party scripts
    assert '<link rel="canonical" href="http://testserver/kab-jepara/berita/debat-kandidat/">' in html


def test_national_articles_live_at_the_root(client, publish):
    publish("00", title="Penetapan DPT nasional")
    assert client.get("/berita/penetapan-dpt-nasional/").status_code == 200
    assert client.get("/ri/").status_code == 301


@pytest.mark.parametrize(
    "path",
    [
        "/kab-atlantis/",
        "/kab-jepara/berita/tidak-ada/",
        "/kab-jepara/opini/",
        "/kab-jepara/berita/../../etc/passwd",
    ],
)
def test_unknown_pages_are_indonesian_404(client, offices, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_drafts_and_withdrawn_articles_are_404_not_leaked(client, offices, member, publish):
    draft = article_create(
        actor=member("33.20", "operator"), office=offices["33.20"], data=ArticleInput(title="Rahasia draf")
    )
    withdrawn = publish("33.20", title="Sudah ditarik")
    article_unpublish(actor=member("33.20", "editor"), article=withdrawn)

    assert client.get(f"/kab-jepara/berita/{draft.slug}/").status_code == 404
    assert client.get("/kab-jepara/berita/sudah-ditarik/").status_code == 404
    home = client.get("/kab-jepara/").content.decode()
    assert "Rahasia draf" not in home and "Sudah ditarik" not in home


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=99999999999", "page=%E2%80%8B"])
def test_malformed_page_parameter_is_ignored(client, publish, query):
    publish("33.20")
    assert client.get(f"/kab-jepara/berita/?{query}").status_code == 200


@pytest.mark.parametrize(
    ("url", "status"),
    [("/kab-jepara/berita/?page=%00", 200), ("/cari/?q=%00", 400), ("/kab-%00jepara/", 404)],
)
def test_nul_characters_never_reach_the_database(client, offices, url, status):
    assert client.get(url).status_code == status
    login = client.post("/accounts/login/", {"email": "a\x00@kpu.test", "password": "x"})
    assert login.status_code == 200
    assert login.context["form"].errors


def test_anonymous_page_is_stored_then_served_from_cache(client, publish, settings):
    publish("33.20", title="Pertama")
    first = client.get("/kab-jepara/")
    second = client.get("/kab-jepara/")

    assert first["X-Humas-Cache"] == "miss"
    assert second["X-Humas-Cache"] == "hit"
    assert (
        "s-maxage=300" in second["Cache-Control"] and "stale-while-revalidate=600" in second["Cache-Control"]
    )
    assert (settings.HUMAS_PAGECACHE_DIR / "testserver" / "kab-jepara" / "index.html").is_file()


def test_publish_edit_and_unpublish_invalidate_exactly_the_pages_showing_it(
    client, member, publish, settings, django_capture_on_commit_callbacks
):
    root = settings.HUMAS_PAGECACHE_DIR / "testserver"
    article = publish("33.20", title="Asli")
    for path in ("/kab-jepara/", "/kab-jepara/berita/asli/", "/jateng/", "/", "/kota-semarang/", "/jatim/"):
        client.get(path)
    assert (root / "kota-semarang" / "index.html").is_file()

    with django_capture_on_commit_callbacks(execute=True):
        article_update(
            actor=member("33.20", "editor"), article=article, data=ArticleInput(title="Diperbarui")
        )

    for gone in (
        "kab-jepara/index.html",
        "kab-jepara/berita/asli/index.html",
        "jateng/index.html",
        "index.html",
    ):
        assert not (root / gone).exists(), gone
    for kept in ("kota-semarang/index.html", "jatim/index.html"):
        assert (root / kept).is_file(), kept
    # The change went back to review (two-person rule): off the portal until approved again.
    assert client.get("/kab-jepara/berita/asli/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        article_approve(actor=member("33", "editor"), article=article)
    assert "Diperbarui" in client.get("/kab-jepara/berita/asli/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=member("33.20", "editor"), article=article)
    assert client.get("/kab-jepara/berita/asli/").status_code == 404


def test_logged_in_visitors_are_never_served_or_stored_in_the_page_cache(client, publish, member, settings):
    publish("33.20", title="Untuk semua")
    client.force_login(member("33.20", "editor"))
    response = client.get("/kab-jepara/")
    assert "X-Humas-Cache" not in response
    assert "private" in response["Cache-Control"]
    assert not (settings.HUMAS_PAGECACHE_DIR / "testserver" / "kab-jepara" / "index.html").exists()
    anonymous = Client()
    anonymous.get("/kab-jepara/")
    assert client.get("/kab-jepara/").get("X-Humas-Cache") is None


def test_english_visitors_get_uncached_english_pages(publish, settings):
    publish("33.20")
    visitor = Client()
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = visitor.get("/kab-jepara/")
    assert "Latest news" in response.content.decode()
    assert "X-Humas-Cache" not in response


def test_office_site_on_its_own_host_name(publish, settings):
    settings.HUMAS_SITE_HOSTS = {"kab-jepara.pemilu.test": "kab-jepara"}
    settings.ALLOWED_HOSTS = ["testserver", "kab-jepara.pemilu.test"]
    publish("33.20", title="Di domain sendiri")
    publish("00", title="Berita nasional")
    site = Client(HTTP_HOST="kab-jepara.pemilu.test")

    home = site.get("/").content.decode()
    assert "KPU Kabupaten Jepara" in home and "Di domain sendiri" in home and "Berita nasional" not in home
    assert site.get("/berita/di-domain-sendiri/").status_code == 200
    assert site.get("/kab-jepara/berita/di-domain-sendiri/").status_code == 200
    assert site.get("/berita/berita-nasional/").status_code == 404
    assert "Berita nasional" in Client().get("/").content.decode()


def test_publishing_invalidates_the_office_host_pages_too(
    publish, member, settings, django_capture_on_commit_callbacks
):
    settings.HUMAS_SITE_HOSTS = {"kab-jepara.pemilu.test": "kab-jepara"}
    settings.ALLOWED_HOSTS = ["testserver", "kab-jepara.pemilu.test"]
    first = publish("33.20", title="Lama")
    site = Client(HTTP_HOST="kab-jepara.pemilu.test")
    site.get("/")
    site.get("/berita/lama/")
    cached = settings.HUMAS_PAGECACHE_DIR / "kab-jepara.pemilu.test"
    assert (cached / "index.html").is_file() and (cached / "berita" / "lama" / "index.html").is_file()

    with django_capture_on_commit_callbacks(execute=True):
        article_update(actor=member("33.20", "editor"), article=first, data=ArticleInput(title="Baru"))

    assert not (cached / "index.html").exists()
    assert not (cached / "berita" / "lama" / "index.html").exists()
    with django_capture_on_commit_callbacks(execute=True):
        article_approve(actor=member("33", "editor"), article=first)  # the change needs a second person
    assert "Baru" in site.get("/").content.decode()
