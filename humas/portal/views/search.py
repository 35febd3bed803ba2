"""Public search pages: ``/cari/`` (the whole site) and ``/<office-slug>/cari/`` (an office and below)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from humas.web import limits, pagecache
from humas.web.paging import page_number
from humas.web.requestcontext import request_client_ip

from ..search import SearchForm, article_search, result_snippet
from ..selectors import shows_offices_below, site_office_get

RESULTS_PER_PAGE = 10


def search(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    site = site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))
    form = SearchForm(request.GET or None, site=site)
    context: dict[str, object] = {"office": site, "form": form, "query": "", "page": None, "results": []}
    status = 200
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        # A query runs a full-text search (the page cache cannot answer it): limited per address.
        wait = limits.hit(
            limits.Limit("search", settings.HUMAS_SEARCHES_PER_MINUTE, 60), request_client_ip(request) or ""
        )
        if wait is not None:
            return limits.too_many(request, wait)
        params = form.params()
        page = Paginator(article_search(params=params), RESULTS_PER_PAGE).get_page(
            page_number(request.GET.get("page"))
        )
        context.update(
            query=params.query,
            page=page,
            results=[(a, result_snippet(article=a, query=params.query)) for a in page],
            show_office=shows_offices_below(params.office),
        )
    elif form.is_bound and form.errors:
        status = 400
    response = render(request, "portal/search.html", context, status=status)
    return pagecache.finish(request, response)
