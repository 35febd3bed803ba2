"""Feeds, sitemaps, robots.txt, page meta, structured data and search of the public portal."""

from __future__ import annotations

import os
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import extruct
import feedparser
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone

from humas.offices.models import Office
from humas.portal import seo
from humas.portal.models import Article, ArticleImage
from humas.portal.search import SearchParams, article_search, parse_query
from humas.portal.services import ArticleInput, article_create, article_unpublish, article_update
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture
def cover(member, offices):
    """cover("33.20") -> a processed image with its 1200×630 OpenGraph rendition stored."""

    def make(code: str, alt: str = "Petugas menghitung surat suara") -> ArticleImage:
        og_name = default_storage.save(
            f"portal/renditions/og-{code}.jpg", ContentFile(b"\xff\xd8" + b"0" * 998)
        )
        return ArticleImage.objects.create(
            office=offices[code],
            file="portal/originals/foto.jpg",
            alt_text=alt,
            width=2400,
            height=1600,
            renditions={"jpeg": {"480": "portal/renditions/foto-480.jpg"}, "webp": {}, "og": og_name},
            state=ArticleImage.State.READY,
            created_by=member(code, "operator"),
        )

    return make


@pytest.fixture
def content(publish, member, offices):
    """A small portal: news and a clarification in Jepara, news in Semarang and Surabaya,
    plus a draft and a withdrawn article that must never leak."""
    jepara_news = publish(
        "33.20", title="Coklit serentak di Jepara", summary="Petugas mendatangi warga.", body="<p>Pemilu.</p>"
    )
    jepara_clar = publish(
        "33.20",
        title="Video surat suara tercoblos",
        type="klarifikasi",
        claim="Surat suara sudah dicoblos sebelum hari pemungutan",
        claim_appearances=["https://facebook.com/p/1", "https://x.com/a/status/2"],
        verdict="hoaks",
        body="<p>Video itu rekaman simulasi pemilu 2019.</p>",
    )
    semarang = publish("33.74", title="Bimtek KPPS Kota Semarang", body="<p>Pemilu.</p>")
    surabaya = publish("35.78", title="Debat publik di Surabaya", body="<p>Pemilu.</p>")
    article_create(
        actor=member("33.20", "operator"),
        office=offices["33.20"],
        data=ArticleInput(title="Draf rahasia Jepara"),
    )
    withdrawn = publish("33.20", title="Berita ditarik Jepara")
    article_unpublish(actor=member("33.20", "editor"), article=withdrawn)
    return {
        "jepara_news": jepara_news,
        "jepara_clar": jepara_clar,
        "semarang": semarang,
        "surabaya": surabaya,
    }


def _titles(url: str, client: Client) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    return [entry.title for entry in parsed.entries]


# --- feeds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/kab-jepara/feed/{kind}.xml", ["Video surat suara tercoblos", "Coklit serentak di Jepara"]),
        ("/kab-jepara/feed/berita/{kind}.xml", ["Coklit serentak di Jepara"]),
        ("/kab-jepara/feed/klarifikasi/{kind}.xml", ["Video surat suara tercoblos"]),
        ("/kab-jepara/feed/pengumuman/{kind}.xml", []),
        (
            "/jateng/feed/{kind}.xml",
            ["Bimtek KPPS Kota Semarang", "Video surat suara tercoblos", "Coklit serentak di Jepara"],
        ),
        ("/kota-semarang/feed/{kind}.xml", ["Bimtek KPPS Kota Semarang"]),
        (
            "/feed/{kind}.xml",
            [
                "Debat publik di Surabaya",
                "Bimtek KPPS Kota Semarang",
                "Video surat suara tercoblos",
                "Coklit serentak di Jepara",
            ],
        ),
        (
            "/feed/berita/{kind}.xml",
            ["Debat publik di Surabaya", "Bimtek KPPS Kota Semarang", "Coklit serentak di Jepara"],
        ),
    ],
)
def test_feeds_are_well_formed_and_list_exactly_the_published_articles(client, content, path, expected, kind):
    assert _titles(path.format(kind=kind), client) == expected


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_entries_carry_link_guid_dates_author_summary_and_categories(client, content, kind):
    clar: Article = content["jepara_clar"]
    parsed = feedparser.parse(client.get(f"/kab-jepara/feed/klarifikasi/{kind}.xml").content)
    entry = parsed.entries[0]
    url = f"{BASE}/kab-jepara/klarifikasi/video-surat-suara-tercoblos/"

    assert parsed.bozo == 0
    assert parsed.feed.title == "Klarifikasi — KPU Kabupaten Jepara"
    assert parsed.feed.link == f"{BASE}/kab-jepara/klarifikasi/"
    assert entry.link == url
    assert entry.id == url
    assert entry.author == "KPU Kabupaten Jepara"
    assert entry.summary == "Video itu rekaman simulasi pemilu 2019."
    assert [t.term for t in entry.tags] == ["Klarifikasi"]
    assert entry.published_parsed[:6] == clar.published_at.astimezone(ZoneInfo("UTC")).timetuple()[:6]
    if kind == "atom":
        assert entry.updated_parsed is not None
    assert "enclosures" not in entry or entry.enclosures == []


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_items_enclose_the_opengraph_cover(client, publish, cover, kind):
    image = cover("33.20")
    publish("33.20", title="Rapat pleno terbuka", cover=image)

    parsed = feedparser.parse(client.get(f"/kab-jepara/feed/{kind}.xml").content)
    entry = parsed.entries[0]
    image_url = f"{BASE}{default_storage.url(image.renditions['og'])}"

    assert parsed.bozo == 0
    assert entry.enclosures[0].href == image_url
    assert entry.enclosures[0].type == "image/jpeg"
    if kind == "rss":
        assert entry.enclosures[0].length == "1000"
        assert entry.media_content[0]["url"] == image_url
        assert entry.media_content[0]["width"] == "1200"


def test_feed_survives_control_characters_and_markup_in_titles(client, publish):
    publish("33.20", title='Judul\x0b aneh <b>&amp; "kutip"', summary="Ringkas\x1b an")
    parsed = feedparser.parse(client.get("/kab-jepara/feed/rss.xml").content)
    assert parsed.bozo == 0
    assert parsed.entries[0].title == 'Judul aneh <b>&amp; "kutip"'


def test_feeds_are_cached_and_invalidated_by_publishing(client, publish, django_capture_on_commit_callbacks):
    publish("33.20", title="Pertama")
    assert client.get("/kab-jepara/feed/rss.xml")["X-Humas-Cache"] == "miss"
    assert client.get("/kab-jepara/feed/rss.xml")["X-Humas-Cache"] == "hit"
    for path in ("/jateng/feed/atom.xml", "/feed/rss.xml", "/kab-jepara/feed/berita/atom.xml"):
        client.get(path)

    with django_capture_on_commit_callbacks(execute=True):
        publish("33.20", title="Kedua")

    for path in (
        "/kab-jepara/feed/rss.xml",
        "/jateng/feed/atom.xml",
        "/feed/rss.xml",
        "/kab-jepara/feed/berita/atom.xml",
    ):
        assert _titles(path, client)[0] == "Kedua", path


@pytest.mark.parametrize(
    "path", ["/kab-atlantis/feed/rss.xml", "/kab-jepara/feed/opini/rss.xml", "/feed/rss"]
)
def test_unknown_feeds_are_404(client, offices, path):
    assert client.get(path).status_code == 404


def test_pages_link_their_feeds(client, content):
    home = client.get("/kab-jepara/").content.decode()
    listing = client.get("/kab-jepara/klarifikasi/").content.decode()
    assert (
        '<link rel="alternate" type="application/rss+xml" href="/kab-jepara/feed/rss.xml" '
        'title="KPU Kabupaten Jepara (RSS)">' in home
    )
    assert 'href="/kab-jepara/feed/atom.xml"' in home
    assert 'href="/kab-jepara/feed/klarifikasi/atom.xml"' not in home
    assert 'href="/kab-jepara/feed/klarifikasi/rss.xml"' in listing
    assert 'href="/feed/rss.xml"' in client.get("/").content.decode()


# --- sitemaps and robots.txt --------------------------------------------------------------------


def _locs(xml: bytes, tag: str = "url") -> list[str]:
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    return [el.findtext(f"{SM}loc") for el in root.findall(f"{SM}{tag}")]


def test_sitemap_lists_every_office_home_and_published_article_only(client, content):
    response = client.get("/sitemap.xml")
    locs = _locs(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert len(locs) == Office.objects.filter(is_active=True).count() + 4
    assert locs[0] == f"{BASE}/"
    assert f"{BASE}/kab-jepara/" in locs
    assert locs[-4:] == [
        f"{BASE}{content[k].get_absolute_url()}"
        for k in ("surabaya", "semarang", "jepara_clar", "jepara_news")
    ]
    assert not any("draf-rahasia" in loc or "ditarik" in loc for loc in locs)


def test_big_sitemaps_become_an_index_of_pages(client, content, monkeypatch):
    monkeypatch.setattr(seo, "SITEMAP_PAGE_SIZE", 300)
    full = Office.objects.filter(is_active=True).count() + 4
    index = client.get("/sitemap.xml")

    pages = _locs(index.content, "sitemap")
    assert pages == [f"{BASE}/sitemap.xml?p=1", f"{BASE}/sitemap.xml?p=2"]
    first, second = (_locs(client.get(f"/sitemap.xml?p={n}").content) for n in (1, 2))
    assert len(first) == 300 and len(first) + len(second) == full
    assert second[-1] == f"{BASE}/kab-jepara/berita/coklit-serentak-di-jepara/"
    for bad in ("3", "0", "abc", "1%00", "9" * 40):
        assert client.get(f"/sitemap.xml?p={bad}").status_code == 404


def test_news_sitemap_has_only_the_last_two_days(client, content):
    old = content["semarang"]
    Article.objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=2, minutes=1))
    clar = Article.objects.get(pk=content["jepara_clar"].pk)

    root = ET.fromstring(client.get("/sitemap-news.xml").content)  # noqa: S314 - our own output
    urls = root.findall(f"{SM}url")
    by_loc = {u.findtext(f"{SM}loc"): u for u in urls}

    assert sorted(by_loc) == sorted(
        f"{BASE}{content[k].get_absolute_url()}" for k in ("surabaya", "jepara_clar", "jepara_news")
    )
    news = by_loc[f"{BASE}{clar.get_absolute_url()}"].find(f"{NEWS}news")
    assert news.findtext(f"{NEWS}publication/{NEWS}name") == "KPU Kabupaten Jepara"
    assert news.findtext(f"{NEWS}publication/{NEWS}language") == "id"
    assert news.findtext(f"{NEWS}title") == "Video surat suara tercoblos"
    assert news.findtext(f"{NEWS}publication_date") == (
        clar.published_at.astimezone(ZoneInfo("Asia/Jakarta")).replace(microsecond=0).isoformat()
    )


def test_robots_txt_allows_the_portal_and_points_to_the_sitemaps(client, offices):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Allow: /\n"
        "Disallow: /app/\n"
        "Disallow: /admin/\n"
        "Disallow: /api/\n"
        "Disallow: /accounts/\n"
        "Disallow: /i18n/\n"
        "Disallow: /_v/\n"
        "Disallow: /cari/\n"
        "Disallow: /*/cari/\n"
        "\n"
        "Sitemap: http://testserver/sitemap.xml\n"
        "Sitemap: http://testserver/sitemap-news.xml\n"
    )


def test_sitemaps_and_robots_are_cached_and_invalidated(
    client, publish, settings, django_capture_on_commit_callbacks
):
    publish("33.20", title="Satu")
    for path in ("/sitemap.xml", "/sitemap-news.xml", "/robots.txt"):
        assert client.get(path)["X-Humas-Cache"] == "miss"
        assert client.get(path)["X-Humas-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        publish("33.20", title="Dua")
    root = settings.HUMAS_PAGECACHE_DIR / "testserver"
    assert not (root / "sitemap.xml").exists() and not (root / "sitemap-news.xml").exists()
    assert (root / "robots.txt").is_file()
    assert f"{BASE}/kab-jepara/berita/dua/" in _locs(client.get("/sitemap-news.xml").content)


# --- meta and structured data -------------------------------------------------------------------


def _extract(html: str, url: str) -> dict:
    return extruct.extract(html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True)


def test_article_has_newsarticle_jsonld_with_the_office_as_author(client, publish, cover):
    image = cover("33.20")
    article = publish(
        "33.20",
        title="Rapat pleno rekapitulasi",
        summary="Pleno tingkat kabupaten.",
        cover=image,
        tags=["Pleno"],
    )
    article.refresh_from_db()
    url = f"{BASE}/kab-jepara/berita/rapat-pleno-rekapitulasi/"
    data = _extract(client.get(url).content.decode(), url)

    [news] = [d for d in data["json-ld"] if d["@type"] == "NewsArticle"]
    jakarta = ZoneInfo("Asia/Jakarta")
    office = {"@type": "GovernmentOrganization", "name": "KPU Kabupaten Jepara", "url": f"{BASE}/kab-jepara/"}
    assert news == {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Rapat pleno rekapitulasi",
        "description": "Pleno tingkat kabupaten.",
        "datePublished": article.published_at.astimezone(jakarta).replace(microsecond=0).isoformat(),
        "dateModified": article.updated_at.astimezone(jakarta).replace(microsecond=0).isoformat(),
        "inLanguage": "id",
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "articleSection": "Berita",
        "author": office,
        "publisher": office,
        "image": [
            {
                "@type": "ImageObject",
                "url": f"{BASE}{default_storage.url(image.renditions['og'])}",
                "width": 1200,
                "height": 630,
            }
        ],
        "keywords": ["Pleno"],
    }
    assert not [d for d in data["json-ld"] if d["@type"] == "ClaimReview"]


def test_office_logo_is_the_publisher_logo(client, publish, offices):
    office = offices["33.20"]
    office.logo.save("jepara.png", ContentFile(b"png"), save=True)
    publish("33.20", title="Dengan logo")
    url = f"{BASE}/kab-jepara/berita/dengan-logo/"
    [news] = _extract(client.get(url).content.decode(), url)["json-ld"]
    assert news["publisher"]["logo"] == {"@type": "ImageObject", "url": f"{BASE}{office.logo.url}"}


def test_clarification_has_claimreview_jsonld(client, content):
    clar: Article = Article.objects.get(pk=content["jepara_clar"].pk)
    url = f"{BASE}/kab-jepara/klarifikasi/video-surat-suara-tercoblos/"
    data = _extract(client.get(url).content.decode(), url)

    [review] = [d for d in data["json-ld"] if d["@type"] == "ClaimReview"]
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": "Surat suara sudah dicoblos sebelum hari pemungutan",
        "datePublished": clar.published_at.astimezone(ZoneInfo("Asia/Jakarta"))
        .replace(microsecond=0)
        .isoformat(),
        "inLanguage": "id",
        "author": {
            "@type": "GovernmentOrganization",
            "name": "KPU Kabupaten Jepara",
            "url": f"{BASE}/kab-jepara/",
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "HOAKS",
        },
        "itemReviewed": {
            "@type": "Claim",
            "appearance": [
                {"@type": "CreativeWork", "url": "https://facebook.com/p/1"},
                {"@type": "CreativeWork", "url": "https://x.com/a/status/2"},
            ],
            "firstAppearance": {"@type": "CreativeWork", "url": "https://facebook.com/p/1"},
        },
    }
    assert [d["@type"] for d in data["json-ld"]] == ["NewsArticle", "ClaimReview"]


@pytest.mark.parametrize(
    ("verdict", "rating", "label"),
    [("benar", 5, "BENAR"), ("satire", 3, "SATIRE"), ("menyesatkan", 2, "MENYESATKAN")],
)
def test_claimreview_rating_follows_the_verdict(client, publish, verdict, rating, label):
    publish("33.20", title="Cek fakta", type="klarifikasi", claim="Klaim", verdict=verdict)
    url = f"{BASE}/kab-jepara/klarifikasi/cek-fakta/"
    [review] = [
        d for d in _extract(client.get(url).content.decode(), url)["json-ld"] if d["@type"] == "ClaimReview"
    ]
    assert (review["reviewRating"]["ratingValue"], review["reviewRating"]["alternateName"]) == (rating, label)
    assert review["itemReviewed"] == {"@type": "Claim"}


def test_jsonld_cannot_be_closed_by_article_text(client, publish):
    title = "</script><script>alert(1)</script> & <!-- x"
    publish("33.20", title=title, slug="skrip", type="klarifikasi", claim="</SCRIPT>klaim", verdict="salah")
    url = f"{BASE}/kab-jepara/klarifikasi/skrip/"
    html = client.get(url).content.decode()

    assert "<script>alert(1)" not in html
    news, review = _extract(html, url)["json-ld"]
    assert news["headline"] == title
    assert review["claimReviewed"] == "</SCRIPT>klaim"


def test_article_has_opengraph_and_twitter_meta_with_the_1200x630_image(client, publish, cover):
    image = cover("33.20", alt='Foto "pleno" <kab>')
    publish("33.20", title="Pleno terbuka", summary="Ringkasan pleno.", cover=image)
    url = f"{BASE}/kab-jepara/berita/pleno-terbuka/"
    html = client.get(url).content.decode()
    [og] = _extract(html, url)["opengraph"]
    image_url = f"{BASE}{default_storage.url(image.renditions['og'])}"

    assert og["og:title"] == "Pleno terbuka"
    assert og["@type"] == "article"
    assert og["og:url"] == url
    assert og["og:description"] == "Ringkasan pleno."
    assert og["og:site_name"] == "KPU Kabupaten Jepara"
    assert og["og:image"] == image_url
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    assert og["og:image:alt"] == 'Foto "pleno" <kab>'
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta name="twitter:image" content="{image_url}">' in html
    assert '<meta name="twitter:title" content="Pleno terbuka">' in html
    assert '<meta property="og:image:alt" content="Foto &quot;pleno&quot; &lt;kab&gt;">' in html


def test_article_without_cover_has_no_image_meta(client, publish):
    publish("33.20", title="Tanpa gambar")
    html = client.get("/kab-jepara/berita/tanpa-gambar/").content.decode()
    assert "og:image" not in html and "twitter:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html
    [news] = _extract(html, f"{BASE}/kab-jepara/berita/tanpa-gambar/")["json-ld"]
    assert "image" not in news


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/", f"{BASE}/"),
        ("/kab-jepara/", f"{BASE}/kab-jepara/"),
        ("/kab-jepara/berita/", f"{BASE}/kab-jepara/berita/"),
        ("/berita/", f"{BASE}/berita/"),
        ("/kab-jepara/berita/?page=2", f"{BASE}/kab-jepara/berita/?page=2"),
        ("/kab-jepara/berita/?page=abc&utm_source=x", f"{BASE}/kab-jepara/berita/"),
    ],
)
def test_home_and_lists_have_canonical_and_opengraph(client, publish, path, canonical):
    for n in range(13):
        publish("33.20", title=f"Berita {n}")
    html = client.get(path).content.decode()
    assert html.count('rel="canonical"') == 1
    assert f'<link rel="canonical" href="{canonical}">' in html
    [og] = _extract(html, canonical)["opengraph"]
    assert og["og:url"] == canonical and og["@type"] == "website"


def test_preview_of_a_draft_has_no_structured_data(client, member, offices):
    editor = member("33.20", "editor")
    draft = article_create(actor=editor, office=offices["33.20"], data=ArticleInput(title="Draf pratinjau"))
    client.force_login(editor)
    response = client.get(f"/app/kab-jepara/portal/{draft.pk}/preview/")
    if response.status_code == 404:
        pytest.skip("no preview URL in this checkout")
    assert "application/ld+json" not in response.content.decode()


# --- search -------------------------------------------------------------------------------------


def _results(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [a.title for a, _snippet in response.context["results"]]


def test_search_finds_published_content_only(client, content):
    assert _results(client, "/cari/?q=jepara") == ["Coklit serentak di Jepara"]
    assert _results(client, "/cari/?q=rahasia") == []
    assert _results(client, "/cari/?q=ditarik") == []


def test_search_ranks_title_matches_above_body_matches(client, publish):
    publish("33.20", title="Distribusi logistik pemilu", body="<p>Kotak suara dikirim.</p>")
    publish("33.20", title="Kabar hari ini", body="<p>Gudang logistik dibuka untuk umum.</p>")
    publish("33.20", title="Lain lagi", summary="Pengamanan logistik diperketat.")
    assert _results(client, "/cari/?q=logistik") == [
        "Distribusi logistik pemilu",
        "Lain lagi",
        "Kabar hari ini",
    ]


def test_search_requires_every_word(client, publish):
    publish("33.20", title="Rapat pleno rekapitulasi suara")
    publish("33.20", title="Rapat koordinasi")
    assert _results(client, "/cari/?q=rapat+pleno") == ["Rapat pleno rekapitulasi suara"]
    assert _results(client, "/cari/?q=RAPAT") == ["Rapat koordinasi", "Rapat pleno rekapitulasi suara"]


def test_search_on_an_office_site_covers_that_office_and_below(client, content):
    assert _results(client, "/kab-jepara/cari/?q=kota") == []
    assert _results(client, "/jateng/cari/?q=bimtek") == ["Bimtek KPPS Kota Semarang"]
    assert _results(client, "/jatim/cari/?q=bimtek") == []
    assert _results(client, "/jatim/cari/?q=debat") == ["Debat publik di Surabaya"]


def test_search_filters_by_office_type_and_date(client, content):
    two_days_ago = timezone.now() - timedelta(days=2)
    Article.objects.filter(pk=content["semarang"].pk).update(published_at=two_days_ago)
    today = timezone.localdate(timezone=ZoneInfo("Asia/Jakarta"))
    assert len(_results(client, "/cari/?q=pemilu")) == 4
    assert _results(client, "/cari/?q=pemilu&kantor=kab-jepara") == [
        "Video surat suara tercoblos",
        "Coklit serentak di Jepara",
    ]
    assert _results(client, "/cari/?q=pemilu&kantor=jateng&jenis=berita") == [
        "Coklit serentak di Jepara",
        "Bimtek KPPS Kota Semarang",
    ]
    assert _results(client, "/cari/?q=pemilu&jenis=klarifikasi") == ["Video surat suara tercoblos"]
    assert _results(client, f"/cari/?q=pemilu&kantor=jateng&sampai={today - timedelta(days=1)}") == [
        "Bimtek KPPS Kota Semarang"
    ]
    assert len(_results(client, f"/cari/?q=pemilu&dari={today}&sampai={today}")) == 3
    assert _results(client, f"/cari/?q=pemilu&dari={today + timedelta(days=1)}") == []


def test_search_page_shows_count_snippet_and_keeps_the_query_in_the_form(client, publish):
    publish("33.20", title="Sosialisasi", body="<p>Warga diajak memeriksa daftar pemilih tetap di TPS.</p>")
    html = client.get("/kab-jepara/cari/?q=daftar").content.decode()
    assert "1 hasil untuk “daftar”" in html
    assert "<mark>daftar</mark>" in html
    assert 'name="q" maxlength="200" value="daftar"' in html
    assert '<meta name="robots" content="noindex, follow">' in html


def test_search_results_paginate_keeping_the_filters(client, publish):
    for n in range(12):
        publish("33.20", title=f"Pemilu {n}")
    first = client.get("/cari/?q=pemilu&jenis=berita")
    second = client.get("/cari/?q=pemilu&jenis=berita&page=2")
    assert len(first.context["results"]) == 10 and len(second.context["results"]) == 2
    assert 'href="?q=pemilu&amp;jenis=berita&amp;page=2"' in first.content.decode()


def test_empty_search_is_a_helpful_page(client, content):
    for path in ("/cari/", "/cari/?q=", "/cari/?q=+++", "/kab-jepara/cari/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.context["results"] == []
    for path in ("/kab-jepara/cari/?q=", "/kab-jepara/cari/?q=+&jenis=berita"):
        assert "Cari informasi resmi" in client.get(path).content.decode()
    assert "dan kantor di bawahnya" not in client.get("/kab-jepara/cari/?q=").content.decode()
    assert "dan kantor di bawahnya" in client.get("/jateng/cari/?q=").content.decode()
    assert "Tidak ada konten yang cocok" in client.get("/cari/?q=%21%21%21").content.decode()


def test_every_public_page_has_a_search_form(client, content):
    html = client.get("/kab-jepara/berita/coklit-serentak-di-jepara/").content.decode()
    assert '<form class="search-form" role="search" method="get" action="/kab-jepara/cari/">' in html
    assert 'action="/cari/"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("q=" + "pemilu+" * 1500, 400),
        ("q=" + "%F0%9F%97%B3" * 3000, 400),
        ("q=%21%40%23%24%25%5E%26*()", 200),
        ("q=%27%3B+DROP+TABLE+portal_article%3B+--", 200),
        ("q=1%27+OR+%271%27%3D%271", 200),
        ("q=a%00b", 400),
        ("q=%22%22%22-", 200),
        ("q=-pemilu", 200),
        ("q=pemilu%20%26%20%7C%20%21%20%3A*", 200),
        ("q=%5C%5C%25_", 200),
        ("q=pemilu&dari=2026-13-45", 400),
        ("q=pemilu&dari=9999-12-31", 400),
        ("q=pemilu&sampai=0001-01-01", 400),
        ("q=pemilu&dari=2026-02-01&sampai=2026-01-01", 400),
        ("q=pemilu&dari=%00", 400),
        ("q=pemilu&jenis=opini", 400),
        ("q=pemilu&jenis=%00", 400),
        ("q=pemilu&kantor=kab-atlantis", 400),
        ("q=pemilu&kantor=..%2F..%2Fetc", 400),
        ("q=pemilu&kantor=" + "a" * 500, 400),
        ("q=pemilu&page=abc", 200),
        ("q=pemilu&page=999999999999", 200),
        ("q[]=pemilu&q=x&q=y", 200),
        ("jenis=berita", 200),
    ],
)
def test_absurd_search_input_is_answered_without_error(client, content, query, status):
    before = Article.objects.count()
    response = client.get(f"/cari/?{query}")
    assert response.status_code == status
    assert Article.objects.count() == before
    if status == 400:
        assert "errorlist" in response.content.decode() or "field-error" in response.content.decode()


def test_office_filter_outside_the_site_is_refused(client, content):
    assert client.get("/jateng/cari/?q=debat&kantor=jatim").status_code == 400
    assert client.get("/kab-atlantis/cari/?q=debat").status_code == 404


def test_portable_search_understands_phrases_and_exclusions(publish, offices):
    publish("33.20", title="Daftar pemilih tetap diumumkan")
    publish("33.20", title="Pemilih muda dan daftar kegiatan")
    publish("33.20", title="Pemilih pilkada")
    params = SearchParams(query='"daftar pemilih"', office=offices["00"])
    assert [a.title for a in article_search(params=params, backend="simple")] == [
        "Daftar pemilih tetap diumumkan"
    ]
    params = SearchParams(query="pemilih -daftar", office=offices["00"])
    assert [a.title for a in article_search(params=params, backend="simple")] == ["Pemilih pilkada"]
    assert parse_query('"Daftar  Pemilih" -pilkada surat-suara !!!') == (
        ["daftar pemilih", "surat", "suara"],
        ["pilkada"],
    )


def test_withdrawn_articles_leave_search_feeds_and_sitemaps(
    client, member, publish, django_capture_on_commit_callbacks
):
    article = publish("33.20", title="Pengumuman keliru")
    assert _results(client, "/cari/?q=keliru") == ["Pengumuman keliru"]
    client.get("/kab-jepara/feed/rss.xml")
    with django_capture_on_commit_callbacks(execute=True):
        article_unpublish(actor=member("33.20", "editor"), article=article)
    assert _results(client, "/cari/?q=keliru") == []
    assert _titles("/kab-jepara/feed/rss.xml", client) == []
    assert not [loc for loc in _locs(client.get("/sitemap.xml").content) if "keliru" in loc]
    assert _locs(client.get("/sitemap-news.xml").content) == []


# --- PostgreSQL full-text search ----------------------------------------------------------------


@pytest.fixture
def postgresql():
    require_service(
        connection.vendor == "postgresql", "DATABASE_URL is not PostgreSQL (full-text search tests)"
    )


def test_publishing_and_editing_fill_the_search_vector(postgresql, publish, member):
    article = publish(
        "33.20", title="Kampanye damai", summary="Ringkasan", body="<p>Isi tentang logistik.</p>"
    )
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    # Snowball's Indonesian stemmer: "damai" -> "dama", "ringkasan" -> "ringkas".
    assert vector == "'dama':2A 'isi':4C 'kampanye':1A 'logistik':6C 'ringkas':3B 'tentang':5C"

    article_update(
        actor=member("33.20", "editor"), article=article, data=ArticleInput(title="Debat kandidat")
    )
    vector = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    assert vector == "'debat':1A 'kandidat':2A"


def test_postgresql_search_stems_indonesian_words(postgresql, client, publish):
    publish("33.20", title="Warga memilih di TPS", body="<p>Pemungutan suara berjalan lancar.</p>")
    assert _results(client, "/cari/?q=pemilihan") == ["Warga memilih di TPS"]
    assert _results(client, "/cari/?q=dipungut") == ["Warga memilih di TPS"]  # same stem as pemungutan
    assert _results(client, "/cari/?q=coblos") == []


def test_postgresql_search_ranks_and_highlights(postgresql, client, publish):
    publish("33.20", title="Kampanye akbar", body="<p>Peserta kampanye memenuhi lapangan.</p>")
    publish("33.20", title="Jadwal", body="<p>Masa kampanye dimulai <b>besok</b> &amp; berakhir lusa.</p>")
    response = client.get("/cari/?q=kampanye")
    titles = [a.title for a, _s in response.context["results"]]
    snippets = [str(s) for _a, s in response.context["results"]]
    assert titles == ["Kampanye akbar", "Jadwal"]
    assert "<mark>kampanye</mark>" in snippets[1]
    assert "<b>" not in snippets[1]


def test_postgresql_websearch_syntax(postgresql, client, publish):
    publish("33.20", title="Daftar pemilih tetap")
    publish("33.20", title="Pemilih pindahan dan daftar hadir")
    assert _results(client, "/cari/?q=%22daftar+pemilih%22") == ["Daftar pemilih tetap"]
    assert _results(client, "/cari/?q=pemilih+-tetap") == ["Pemilih pindahan dan daftar hadir"]
    assert sorted(_results(client, "/cari/?q=tetap+or+hadir")) == [
        "Daftar pemilih tetap",
        "Pemilih pindahan dan daftar hadir",
    ]


# --- search pages in a real browser --------------------------------------------------------------


def _in_own_browser(work: Callable[[object], None]) -> None:
    """Run ``work(browser)`` with a Playwright of its own in a thread of its own: another module's
    session-wide Playwright may already hold this thread, and two sync Playwrights cannot share one."""
    require_service(
        bool(shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service(False, "playwright is not installed")
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    work(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive(), "browser check timed out"
    if failure:
        raise failure[0]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_search_pages_pass_axe_and_fit_the_screen(live_server, publish, settings, tmp_path, width):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"
    publish("33.20", title="Coklit serentak di Jepara", body="<p>Petugas coklit mendatangi rumah warga.</p>")
    publish("33.20", title="Hoaks coklit", type="klarifikasi", claim="Coklit memungut biaya", verdict="hoaks")
    pages = (
        ("/jateng/cari/", 200),
        ("/jateng/cari/?q=coklit", 200),
        ("/kab-jepara/cari/?q=tidakada", 200),
        ("/cari/?q=coklit&dari=2026-99-01&jenis=opini", 400),
    )

    def check(browser) -> None:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for path, status in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == status, path
                assert serious_violations(page) == [], path
                assert no_horizontal_scroll(page), path
        finally:
            context.close()

    _in_own_browser(check)


def test_feeds_sitemaps_and_search_use_a_constant_number_of_queries(client, publish, cover, settings):
    settings.HUMAS_PAGECACHE_ENABLED = False
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    def queries(paths: list[str]) -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(db) as captured:
                assert Client().get(path).status_code == 200, path
            counts.append(len(captured))
        return counts

    paths = [
        "/jateng/feed/rss.xml",
        "/jateng/feed/atom.xml",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/cari/?q=pemilu",
    ]
    publish("33.20", title="Pemilu satu", cover=cover("33.20"), tags=["A", "B"])
    publish("33.74", title="Pemilu dua", type="klarifikasi", claim="K", verdict="salah")
    few = queries(paths)
    for n in range(6):
        code = "33.20" if n % 2 else "33.74"
        publish(code, title=f"Pemilu lagi {n}", cover=cover(code), tags=[f"T{n}"])
    assert queries(paths) == few
