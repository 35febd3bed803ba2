"""Search-engine facing output of the public portal: sitemaps, the Google News sitemap,
robots.txt, and the data behind canonical links, OpenGraph/Twitter meta and schema.org JSON-LD.

The XML is written directly (not with django.contrib.sitemaps) so one query streams the rows
of even the largest sitemap page, and text that XML 1.0 cannot carry is dropped instead of
failing the whole document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from humas.offices.models import Office, office_prefix
from humas.offices.tree import subtree
from humas.web import pagecache
from humas.web.origins import public_url
from humas.web.paging import page_number

from .models import VERDICT_RATING, Article, ArticleImage, ArticleType, ElectionStage, Verdict
from .selectors import site_office_get

# The sitemap protocol allows 50,000 URLs per file; bigger sites get an index of pages.
SITEMAP_PAGE_SIZE = 50_000
NEWS_WINDOW = timedelta(days=2)
# Google News reads at most 1,000 URLs per news sitemap.
NEWS_LIMIT = 1000
LANGUAGE = "id"
OG_IMAGE_SIZE = (1200, 630)
XML_CONTENT_TYPE = "application/xml; charset=utf-8"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
DISALLOWED_PREFIXES = ("/app/", "/admin/", "/api/", "/accounts/", "/i18n/", "/_v/", "/cari/", "/*/cari/")


def xml_text(value: object) -> str:
    """``value`` as text XML 1.0 can carry (control characters and lone surrogates removed)."""
    return _NOT_XML.sub("", str(value))


def site_office(request: HttpRequest) -> Office:
    """The office whose site this host serves (the national office unless HUMAS_SITE_HOSTS says so)."""
    return site_office_get(slug=getattr(request, "site_office_slug", None))


def absolute_for(request: HttpRequest | None) -> Callable[[str], str]:
    """Absolute URLs of the site this request shows, on its configured origin (never the Host
    header: what is rendered here is stored and served to every later visitor)."""
    host_slug = getattr(request, "site_office_slug", None)
    return lambda path: public_url(path, host_slug=host_slug)


def article_path(*, office_slug: str, type: str, slug: str) -> str:
    """Same as Article.get_absolute_url() without a reverse() per row (sitemaps list every article)."""
    return f"{office_prefix(office_slug)}{type}/{slug}/"


def local_iso(value: datetime, office: Office) -> str:
    return timezone.localtime(value, office.zoneinfo).replace(microsecond=0).isoformat()


# --- sitemaps -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    lastmod: datetime | None = None


def _published_below(site: Office) -> Any:
    return Article.objects.filter(status=Article.Status.PUBLISHED).filter(
        subtree(site.path, field="office__path"), office__is_active=True
    )


def sitemap_size(*, site: Office) -> int:
    offices = Office.objects.filter(subtree(site.path), is_active=True).count()
    return offices + _published_below(site).count()


def sitemap_entries(*, site: Office, start: int = 0, stop: int | None = None) -> list[SitemapEntry]:
    """Office homes (tree order), then published articles (newest first), rows [start, stop)."""
    offices = Office.objects.filter(subtree(site.path), is_active=True).order_by("path")
    office_count = offices.count()
    entries: list[SitemapEntry] = []
    if start < office_count:
        office_stop = office_count if stop is None else min(stop, office_count)
        entries += [
            SitemapEntry(office_prefix(slug))
            for slug in offices.values_list("slug", flat=True)[start:office_stop]
        ]
    article_start = max(0, start - office_count)
    article_stop = None if stop is None else max(0, stop - office_count)
    if article_stop is None or article_stop > article_start:
        rows = (
            _published_below(site)
            .order_by("-published_at", "-id")
            .values_list("office__slug", "type", "slug", "updated_at")[article_start:article_stop]
        )
        entries += [
            SitemapEntry(article_path(office_slug=o, type=t, slug=s), updated) for o, t, s, updated in rows
        ]
    return entries


def _urlset(entries: Iterable[SitemapEntry], absolute: Callable[[str], str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for entry in entries:
        lastmod = (
            f"<lastmod>{entry.lastmod.astimezone(UTC).replace(microsecond=0).isoformat()}</lastmod>"
            if entry.lastmod
            else ""
        )
        lines.append(f"<url><loc>{xml_escape(absolute(entry.path))}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _sitemap_index(pages: int, absolute: Callable[[str], str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for number in range(1, pages + 1):
        lines.append(f"<sitemap><loc>{xml_escape(absolute(f'/sitemap.xml?p={number}'))}</loc></sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def sitemap_xml(*, site: Office, page: str | None, absolute: Callable[[str], str]) -> str:
    """The sitemap of ``site``: one urlset, or past SITEMAP_PAGE_SIZE an index plus ``?p=N`` pages.

    Raises Http404 for a page that does not exist."""
    size = sitemap_size(site=site)
    pages = max(1, -(-size // SITEMAP_PAGE_SIZE))
    if page is None:
        if pages == 1:
            return _urlset(sitemap_entries(site=site), absolute)
        return _sitemap_index(pages, absolute)
    if not 1 <= page_number(page, default=0) <= pages:
        raise Http404("sitemap page")
    start = (int(page) - 1) * SITEMAP_PAGE_SIZE
    return _urlset(sitemap_entries(site=site, start=start, stop=start + SITEMAP_PAGE_SIZE), absolute)


def news_sitemap_articles(*, site: Office, now: datetime | None = None) -> list[Article]:
    """Published articles of the last two days (Google News reads no older ones), newest first."""
    since = (now or timezone.now()) - NEWS_WINDOW
    return list(
        _published_below(site)
        .filter(published_at__gte=since)
        .select_related("office")
        .order_by("-published_at", "-id")[:NEWS_LIMIT]
    )


def news_sitemap_xml(*, site: Office, absolute: Callable[[str], str], now: datetime | None = None) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for article in news_sitemap_articles(site=site, now=now):
        if article.published_at is None:  # impossible for published articles; keeps mypy honest
            continue
        loc = absolute(article_path(office_slug=article.office.slug, type=article.type, slug=article.slug))
        lines.append(
            "<url>"
            f"<loc>{xml_escape(loc)}</loc>"
            "<news:news><news:publication>"
            f"<news:name>{xml_escape(xml_text(article.office.name))}</news:name>"
            f"<news:language>{LANGUAGE}</news:language>"
            "</news:publication>"
            f"<news:publication_date>{local_iso(article.published_at, article.office)}</news:publication_date>"
            f"<news:title>{xml_escape(xml_text(article.title))}</news:title>"
            "</news:news></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(*, absolute: Callable[[str], str]) -> str:
    """Everything public may be crawled; the back office, the API and search result pages not."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}" for prefix in DISALLOWED_PREFIXES]
    lines += ["", f"Sitemap: {absolute('/sitemap.xml')}", f"Sitemap: {absolute('/sitemap-news.xml')}"]
    return "\n".join(lines) + "\n"


def sitemap_view(request: HttpRequest) -> HttpResponse:
    xml = sitemap_xml(site=site_office(request), page=request.GET.get("p"), absolute=absolute_for(request))
    return pagecache.finish(request, HttpResponse(xml, content_type=XML_CONTENT_TYPE))


def news_sitemap_view(request: HttpRequest) -> HttpResponse:
    xml = news_sitemap_xml(site=site_office(request), absolute=absolute_for(request))
    return pagecache.finish(request, HttpResponse(xml, content_type=XML_CONTENT_TYPE))


def robots_view(request: HttpRequest) -> HttpResponse:
    text = robots_txt(absolute=absolute_for(request))
    return pagecache.finish(request, HttpResponse(text, content_type="text/plain; charset=utf-8"))


# --- page meta and structured data --------------------------------------------------------------


def og_image(image: ArticleImage | None) -> tuple[str, str] | None:
    """(storage URL, alt text) of the 1200×630 OpenGraph rendition, when it has been made."""
    if image is None or image.state != ArticleImage.State.READY:
        return None
    name = image.renditions.get("og") if isinstance(image.renditions, dict) else None
    if not name or not isinstance(name, str):
        return None
    return default_storage.url(name), image.alt_text


def description_of(article: Article, words: int = 40) -> str:
    return Truncator(article.summary or article.body_text).words(words, truncate=" …")


def office_description(office: Office) -> str:
    # Same text as the description block of portal/base.html (one translation for both).
    return _("Informasi resmi %(name)s: berita, pengumuman, siaran pers, dan klarifikasi hoaks.") % {
        "name": office.name
    }


def office_organization(*, office: Office, absolute: Callable[[str], str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "name": office.name,
        "url": absolute(office_prefix(office.slug)),
    }
    if office.logo:
        data["logo"] = {"@type": "ImageObject", "url": absolute(office.logo.url)}
    return data


def news_article_data(
    *, article: Article, canonical: str, absolute: Callable[[str], str]
) -> dict[str, Any] | None:
    """schema.org NewsArticle of a published article; None for anything unpublished (previews)."""
    if not article.is_public or article.published_at is None:
        return None
    office = article.office
    organization = office_organization(office=office, absolute=absolute)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(110),
        "description": description_of(article),
        "datePublished": local_iso(article.published_at, office),
        "dateModified": local_iso(max(article.updated_at, article.published_at), office),
        "inLanguage": LANGUAGE,
        "url": canonical,
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "articleSection": str(ArticleType(article.type).label),
        "author": organization,
        "publisher": organization,
    }
    image = og_image(article.cover)
    if image is not None:
        width, height = OG_IMAGE_SIZE
        data["image"] = [
            {"@type": "ImageObject", "url": absolute(image[0]), "width": width, "height": height}
        ]
    keywords = [t.name for t in article.tags.all()]
    if article.election_stage:
        keywords.append(str(ElectionStage(article.election_stage).label))
    if keywords:
        data["keywords"] = keywords
    return data


def claim_review_data(
    *, article: Article, canonical: str, absolute: Callable[[str], str]
) -> dict[str, Any] | None:
    """schema.org ClaimReview of a clarification; None for other types or without a verdict."""
    if article.type != ArticleType.KLARIFIKASI or article.verdict not in Verdict.values or not article.claim:
        return None
    if not article.is_public or article.published_at is None:
        return None
    office = article.office
    appearances = [u for u in article.claim_appearances if isinstance(u, str) and u]
    claim: dict[str, Any] = {"@type": "Claim"}
    if appearances:
        claim["appearance"] = [{"@type": "CreativeWork", "url": u} for u in appearances]
        claim["firstAppearance"] = {"@type": "CreativeWork", "url": appearances[0]}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": canonical,
        "claimReviewed": " ".join(article.claim.split()),
        "datePublished": local_iso(article.published_at, office),
        "inLanguage": LANGUAGE,
        "author": office_organization(office=office, absolute=absolute),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": VERDICT_RATING[article.verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": str(Verdict(article.verdict).label),
        },
        "itemReviewed": claim,
    }


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> that no text inside ``data`` can close early."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308 - escaped above


def meta_tags(pairs: Iterable[tuple[str, str, str]]) -> SafeString:
    """<meta> tags from (attribute, name, content) triples, every value escaped."""
    return format_html_join("\n", '<meta {}="{}" content="{}">', pairs)
