"""Which 404 page an address gets: the public portal's look on the portal's addresses, the back
office's everywhere else (/app/, /accounts/, the API, the admin…). Here, at the top of the
layers, because the choice spans both apps."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from humas.core import views as core_views
from humas.portal.views import public as portal_views

# First path segments that are not the portal's (humas/portal/urls/public.py RESERVED_SLUGS).
NOT_PORTAL = frozenset({"app", "accounts", "admin", "api", "i18n", "healthz", "static", "media"})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    first = request.path.lstrip("/").split("/", 1)[0]
    if first in NOT_PORTAL:
        return core_views.error_404(request, exception)
    return portal_views.page_not_found(request, exception)
