"""Public portal URLs. The national site lives at the root; every other office under its slug.

Which cached URLs show an article (for precise invalidation) is ``selectors.paths_showing_article``.
"""

from __future__ import annotations

from django.urls import path, re_path
from django.views.generic import RedirectView

from humas.offices.models import NATIONAL_SLUG

from .. import feeds, seo
from ..models import ArticleType
from ..views import counter as views_counter
from ..views import public as views
from ..views import search as views_search

app_name = "portal"

TYPES = "|".join(ArticleType.values)
# First path segments the national site uses; no office may take one of these as its slug.
RESERVED_SLUGS = frozenset(
    {
        *ArticleType.values,
        "cari",
        "feed",
        "app",
        "api",
        "accounts",
        "admin",
        "static",
        "media",
        "i18n",
        "healthz",
        "_v",
        "sitemap.xml",
        "sitemap-news.xml",
        "robots.txt",
        "akun-resmi",
        # The tipline's pages (humas/tipline/urls/public.py) on every portal.
        "cek-klaim",
        "lapor-hoaks",
    }
)

urlpatterns = [
    path("", views.home, name="national_home"),
    re_path(rf"^(?P<type>{TYPES})/$", views.article_list, name="national_list"),
    re_path(rf"^(?P<type>{TYPES})/(?P<slug>[-a-zA-Z0-9_]+)/$", views.article_detail, name="national_article"),
    path(f"{NATIONAL_SLUG}/", RedirectView.as_view(url="/", permanent=True)),
    path("akun-resmi/", views.official_accounts, name="national_official_accounts"),
    path("<slug:office_slug>/akun-resmi/", views.official_accounts, name="official_accounts"),
    # Feeds, sitemaps, robots.txt and search (above the office-slug patterns).
    path("robots.txt", seo.robots_view, name="robots"),
    path("sitemap.xml", seo.sitemap_view, name="sitemap"),
    path("sitemap-news.xml", seo.news_sitemap_view, name="news_sitemap"),
    path("cari/", views_search.search, name="national_search"),
    path("<slug:office_slug>/cari/", views_search.search, name="search"),
    path("feed/rss.xml", feeds.rss_feed, name="national_feed_rss"),
    path("feed/atom.xml", feeds.atom_feed, name="national_feed_atom"),
    re_path(rf"^feed/(?P<type>{TYPES})/rss\.xml$", feeds.rss_feed, name="national_type_feed_rss"),
    re_path(rf"^feed/(?P<type>{TYPES})/atom\.xml$", feeds.atom_feed, name="national_type_feed_atom"),
    re_path(r"^(?P<office_slug>[-a-z0-9]+)/feed/rss\.xml$", feeds.rss_feed, name="feed_rss"),
    re_path(r"^(?P<office_slug>[-a-z0-9]+)/feed/atom\.xml$", feeds.atom_feed, name="feed_atom"),
    re_path(
        rf"^(?P<office_slug>[-a-z0-9]+)/feed/(?P<type>{TYPES})/rss\.xml$",
        feeds.rss_feed,
        name="type_feed_rss",
    ),
    re_path(
        rf"^(?P<office_slug>[-a-z0-9]+)/feed/(?P<type>{TYPES})/atom\.xml$",
        feeds.atom_feed,
        name="type_feed_atom",
    ),
    path("_v/<str:raw_id>", views_counter.view_beacon, name="view_beacon"),
    path("<slug:office_slug>/", views.home, name="home"),
    re_path(rf"^(?P<office_slug>[-a-z0-9]+)/(?P<type>{TYPES})/$", views.article_list, name="list"),
    re_path(
        rf"^(?P<office_slug>[-a-z0-9]+)/(?P<type>{TYPES})/(?P<slug>[-a-zA-Z0-9_]+)/$",
        views.article_detail,
        name="article",
    ),
]
