"""One installation serving every office's own domain (HUMAS_SITE_HOSTS="kab-jepara.example.org=kab-jepara").

On a mapped host the root shows that office's site ("/", "/berita/…", "/klarifikasi/…"); every
URL of the main site keeps working there too, so links rendered with office prefixes stay valid.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


class SiteHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        host = request.get_host().split(":")[0].lower()
        slug = settings.HUMAS_SITE_HOSTS.get(host)
        if slug:
            request.site_office_slug = slug  # type: ignore[attr-defined]
        return self.get_response(request)
