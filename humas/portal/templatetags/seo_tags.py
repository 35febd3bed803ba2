"""Head tags of public pages: canonical link, OpenGraph and Twitter-card meta, feed links and
schema.org JSON-LD (NewsArticle on articles, ClaimReview on clarifications)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from humas.offices.models import Office, office_prefix
from humas.portal.models import Article, ArticleType
from humas.portal.seo import (
    OG_IMAGE_SIZE,
    absolute_for,
    claim_review_data,
    description_of,
    jsonld_script,
    local_iso,
    meta_tags,
    news_article_data,
    office_description,
    og_image,
)

register = template.Library()


def _absolute(context: template.Context) -> Any:
    return absolute_for(context.get("request"))


def _canonical(context: template.Context) -> str:
    """The article's canonical URL, or the home/list URL (with ?page=N past the first page)."""
    if context.get("canonical"):
        return str(context["canonical"])
    office: Office = context["office"]
    path = office_prefix(office.slug)
    if context.get("type") in ArticleType.values:
        path += f"{context['type']}/"
    page = context.get("page")
    number = getattr(page, "number", 1)
    suffix = f"?page={number}" if isinstance(number, int) and number > 1 else ""
    return _absolute(context)(path) + suffix


@register.simple_tag(takes_context=True)
def seo_meta(context: template.Context) -> SafeString:
    """Canonical link, OpenGraph and Twitter-card meta of the page in ``context``."""
    office: Office | None = context.get("office")
    if office is None:
        return mark_safe("")  # noqa: S308 - empty
    absolute = _absolute(context)
    canonical = _canonical(context)
    article: Article | None = context.get("article") if isinstance(context.get("article"), Article) else None
    pairs: list[tuple[str, str, str]] = [
        ("property", "og:site_name", office.name),
        ("property", "og:locale", "id_ID"),
    ]
    image = None
    if article is not None:
        title, description = article.title, description_of(article)
        pairs += [("property", "og:type", "article")]
        image = og_image(article.cover)
    else:
        type_label = context.get("type_label")
        title = f"{type_label} — {office.name}" if type_label else office.name
        description = office_description(office)
        pairs += [("property", "og:type", "website")]
    pairs += [
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", canonical),
    ]
    if image is not None:
        width, height = OG_IMAGE_SIZE
        pairs += [
            ("property", "og:image", absolute(image[0])),
            ("property", "og:image:type", "image/jpeg"),
            ("property", "og:image:width", str(width)),
            ("property", "og:image:height", str(height)),
            ("property", "og:image:alt", image[1]),
        ]
    if article is not None and article.published_at is not None:
        pairs += [
            ("property", "article:published_time", local_iso(article.published_at, office)),
            ("property", "article:modified_time", local_iso(article.updated_at, office)),
            ("property", "article:section", str(ArticleType(article.type).label)),
        ]
        pairs += [("property", "article:tag", tag.name) for tag in article.tags.all()]
    pairs += [
        ("name", "twitter:card", "summary_large_image" if image is not None else "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if image is not None:
        pairs += [("name", "twitter:image", absolute(image[0])), ("name", "twitter:image:alt", image[1])]
    return format_html('<link rel="canonical" href="{}">\n{}', canonical, meta_tags(pairs))


@register.simple_tag(takes_context=True)
def structured_data(context: template.Context, article: Article) -> SafeString:
    """JSON-LD scripts of an article page: NewsArticle, plus ClaimReview for a clarification."""
    absolute = _absolute(context)
    canonical = _canonical(context)
    found = (
        news_article_data(article=article, canonical=canonical, absolute=absolute),
        claim_review_data(article=article, canonical=canonical, absolute=absolute),
    )
    scripts = [jsonld_script(data) for data in found if data is not None]
    return mark_safe("\n".join(scripts))  # noqa: S308 - each script is escaped by jsonld_script


@register.simple_tag(takes_context=True)
def feed_links(context: template.Context) -> SafeString:
    """<link rel="alternate"> to the office's feeds and, on a list or article, the type's feeds."""
    office: Office | None = context.get("office")
    if office is None:
        return mark_safe("")  # noqa: S308 - empty
    prefix = office_prefix(office.slug)
    links = [
        (f"{prefix}feed/rss.xml", "application/rss+xml", office.name + " (RSS)"),
        (f"{prefix}feed/atom.xml", "application/atom+xml", office.name + " (Atom)"),
    ]
    article = context.get("article")
    type_value = context.get("type") or (article.type if isinstance(article, Article) else "")
    if type_value in ArticleType.values:
        label = f"{ArticleType(type_value).label} — {office.name}"
        links += [
            (f"{prefix}feed/{type_value}/rss.xml", "application/rss+xml", label + " (RSS)"),
            (f"{prefix}feed/{type_value}/atom.xml", "application/atom+xml", label + " (Atom)"),
        ]
    return format_html_join(
        "\n",
        '<link rel="alternate" type="{}" href="{}" title="{}">',
        ((t, h, title) for h, t, title in links),
    )


@register.simple_tag
def office_search_url(office: Office) -> str:
    return f"{office_prefix(office.slug)}cari/"
