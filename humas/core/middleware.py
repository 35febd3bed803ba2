from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Indonesian unless the person chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in
    Indonesia are set to English; the commission's staff and public expect Indonesian first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # Do not leak this visitor's language into whatever the thread runs next.
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Pages of the back office show one person's data: no cache, shared or the browser's, keeps them.
BACK_OFFICE_PREFIXES = ("/app/", "/accounts/", "/admin/", "/api/")
PRIVATE_NO_STORE = "private, no-store"


def _cache_directives(value: str) -> dict[str, str]:
    directives = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.lower()] = argument.strip()
    return directives


def _keeps_own_private_cache(response: HttpResponseBase) -> bool:
    """A view that chose a private browser cache itself (the back office's image thumbnails, for
    an hour) keeps it: "private" already keeps them out of shared caches."""
    directives = _cache_directives(response.headers.get("Cache-Control", ""))
    max_age = directives.get("max-age", "")
    return "private" in directives and max_age.isascii() and max_age.isdigit() and int(max_age) > 0


class ResponseHeadersMiddleware:
    """``Permissions-Policy`` on every response, and ``Cache-Control: private, no-store`` on every
    back-office response (``/app/``, ``/accounts/``, ``/admin/``, ``/api/``) to a signed-in person.

    Placed before the page cache in MIDDLEWARE, so pages served from stored files get the policy
    too; it reads ``request.user`` only after the inner middleware (authentication) has set it.
    Public pages for anonymous visitors keep the page cache's headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.permissions_policy = settings.HUMAS_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        if (
            request.path_info.startswith(BACK_OFFICE_PREFIXES)
            and _signed_in(request)
            and not _keeps_own_private_cache(response)
        ):
            response.headers["Cache-Control"] = PRIVATE_NO_STORE
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
