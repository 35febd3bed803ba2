"""Public portal pages. Anonymous responses are stored by the page cache (see pagecache.finish)."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from humas.channels.lookalikes import lookalikes_public
from humas.channels.models import Platform
from humas.channels.selectors import official_accounts_public
from humas.offices.models import NATIONAL_SLUG, Office
from humas.web import pagecache
from humas.web.paging import page_number

from ..models import ArticleType, Verdict
from ..selectors import (
    article_get_public,
    article_list_public,
    article_neighbours,
    article_related,
    article_view_count,
    home_sections,
    shows_offices_below,
    site_office_get,
)
from ..seo import absolute_for


def _office(request: HttpRequest, office_slug: str | None) -> Office:
    return site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))


def _type_label(type: str) -> str:
    return str(ArticleType(type).label)


def home(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    office = _office(request, office_slug)
    context = {"office": office, **home_sections(office=office), "shows_below": shows_offices_below(office)}
    return pagecache.finish(request, render(request, "portal/home.html", context))


def article_list(request: HttpRequest, type: str, office_slug: str | None = None) -> HttpResponse:
    office = _office(request, office_slug)
    below = shows_offices_below(office)
    articles = article_list_public(office=office, type=type, include_below=below)
    page = Paginator(articles, 12).get_page(page_number(request.GET.get("page")))
    context = {
        "office": office,
        "type": type,
        "type_label": _type_label(type),
        "page": page,
        "shows_below": below,
    }
    return pagecache.finish(request, render(request, "portal/list.html", context))


def article_detail(
    request: HttpRequest, type: str, slug: str, office_slug: str | None = None
) -> HttpResponse:
    office = _office(request, office_slug)
    article = article_get_public(office=office, type=type, slug=slug)
    older, newer = article_neighbours(article=article)
    context = {
        "office": office,
        "article": article,
        "type_label": _type_label(type),
        "older": older,
        "newer": newer,
        "related": article_related(article=article),
        "verdict_label": Verdict(article.verdict).label if article.verdict else "",
        "canonical": absolute_for(request)(article.get_absolute_url()),
        "tags": list(article.tags.all()),
        "article_views": article_view_count(article=article),
    }
    return pagecache.finish(request, render(request, "portal/article.html", context))


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404


_SLUG = re.compile(r"[-a-z0-9]+")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The portal's 404 page, in the look of the site the address belongs to: the office of the
    host (HUMAS_SITE_HOSTS) or of the first path segment, else the national site. Without any
    office (an empty installation) the back office's plain page."""
    slug = getattr(request, "site_office_slug", None) or request.path.lstrip("/").split("/", 1)[0]
    # Only something shaped like a slug is looked up: a 404 answers any bytes (NUL included,
    # which PostgreSQL refuses in a text comparison).
    looked_up = slug if len(slug) <= 100 and _SLUG.fullmatch(slug) else NATIONAL_SLUG
    office = (
        Office.objects.filter(slug=looked_up, is_active=True).select_related("parent").first()
        or Office.objects.filter(slug=NATIONAL_SLUG, is_active=True).select_related("parent").first()
    )
    if office is None:
        return render(request, "404.html", status=404)
    return render(request, "portal/404.html", {"office": office}, status=404)


def official_accounts(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    """Public list of official accounts: an office's own (and those below), or all offices nationally."""
    office = site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))
    # NUL cannot reach PostgreSQL text comparisons; nobody types it.
    query = request.GET.get("q", "")[:80].replace("\x00", "")
    platform = request.GET.get("platform", "")
    platform = platform if platform in Platform.values else ""
    channels = official_accounts_public(office=office, query=query, platform=platform)
    page = Paginator(channels, 100).get_page(page_number(request.GET.get("page")))
    response = render(
        request,
        "portal/official_accounts.html",
        {
            "office": office,
            "page": page,
            "query": query,
            "platform": platform,
            "platforms": Platform.choices,
            # The fakes people reported and the office confirmed (at most the 50 latest).
            "fakes": list(lookalikes_public(office=office)[:50]),
        },
    )
    return pagecache.finish(request, response)
