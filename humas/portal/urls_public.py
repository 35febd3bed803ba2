"""Public portal URLs. The national site lives at the root; every other office under its slug.

Also the single place that knows which URLs show an article, for precise cache invalidation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import path, re_path
from django.views.generic import RedirectView

from humas.channels import views as channel_views

from . import feeds, seo, views_counter, views_search
from . import views_public as views
from .models import NATIONAL_SLUG, ArticleType

if TYPE_CHECKING:
    from .models import Article

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
    }
)

urlpatterns = [
    path("", views.home, name="national_home"),
    re_path(rf"^(?P<type>{TYPES})/$", views.article_list, name="national_list"),
    re_path(rf"^(?P<type>{TYPES})/(?P<slug>[-a-zA-Z0-9_]+)/$", views.article_detail, name="national_article"),
    path(f"{NATIONAL_SLUG}/", RedirectView.as_view(url="/", permanent=True)),
    path("akun-resmi/", channel_views.official_accounts, name="national_official_accounts"),
    path("<slug:office_slug>/akun-resmi/", channel_views.official_accounts, name="official_accounts"),
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


def office_prefix(office_slug: str) -> str:
    return "/" if office_slug == NATIONAL_SLUG else f"/{office_slug}/"


def paths_showing_article(article: Article) -> list[str]:
    """Every cached URL whose content changes when ``article`` is published, edited or withdrawn."""
    office = article.office
    prefix = office_prefix(office.slug)
    paths = {
        article.get_absolute_url(),
        prefix,
        f"{prefix}{article.type}/",
        f"{prefix}feed/rss.xml",
        f"{prefix}feed/atom.xml",
        f"{prefix}feed/{article.type}/rss.xml",
        f"{prefix}feed/{article.type}/atom.xml",
        "/sitemap.xml",
        "/sitemap-news.xml",
    }
    # Homes, lists and feeds of the offices above show news from below.
    from humas.offices.models import Office

    for ancestor in Office.objects.filter(code__in=office.ancestor_codes):
        up = office_prefix(ancestor.slug)
        paths.update({up, f"{up}{article.type}/", f"{up}feed/rss.xml", f"{up}feed/atom.xml"})
    # Neighbours link to this article (previous/next, related).
    from .selectors import article_neighbours, article_related

    if article.published_at is not None:
        for neighbour in (*article_neighbours(article=article), *article_related(article=article)):
            if neighbour is not None:
                paths.add(neighbour.get_absolute_url())
    return sorted(paths)
