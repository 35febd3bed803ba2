from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from humas.accounts import twofactor
from humas.offices import policy


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


# The back office, where a signed-in person who owes a second factor is stopped.
TWO_FACTOR_GUARDED_PREFIXES = ("/app/", "/admin/", "/api/")


class TwoFactorMiddleware:
    """A signed-in person whose session has not passed the second factor, and who owes one (the
    policy requires it, or they enrolled one, or the page is the Django admin), reaches only the
    second-factor pages, sign-out, the language switch and static files: every other back-office
    page redirects to the code page (a confirmed device) or to enrolment, and the session API
    answers 403 JSON. Placed after django-otp's OTPMiddleware, which marks verified sessions.

    It also leaves the policy's answer on the request for the second-factor pages in accounts,
    which sit below the policy and cannot ask it themselves.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        path = request.path_info
        guarded = path.startswith(TWO_FACTOR_GUARDED_PREFIXES)
        if not (guarded or path.startswith("/accounts/")):
            return self.get_response(request)  # the public portal: nothing to ask the policy
        required = policy.two_factor_required(user)
        setattr(request, twofactor.REQUIRED_ATTRIBUTE, required)
        if not guarded or twofactor.is_verified(user):
            return self.get_response(request)
        enrolled = twofactor.has_device(user)
        # The Django admin changes anything: its staff need a verified session whatever their role.
        if not (required or enrolled or (path.startswith("/admin/") and user.is_staff)):
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("Verifikasi dua langkah diperlukan.")}, status=403)
        target = reverse("accounts:two_factor_verify" if enrolled else "accounts:two_factor_setup")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return redirect(target)
