"""Recent re-authentication: a person proves again that they are at the keyboard (password, or
the second factor once enrolled) before the actions that hand over or take away the commission's
voice: connecting or removing a channel, withdrawing a post from every channel, changing roles,
creating an API token, turning off a second factor, adding or removing a passkey.

The time of the last proof is kept in the server-side session; it is set at sign-in and by the
confirmation page, and is valid for ``HUMAS_REAUTH_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "humas_auth_at"


def mark_authenticated(request: HttpRequest) -> None:
    """The person just proved who they are (sign-in, or the confirmation page)."""
    request.session[SESSION_KEY] = int(time.time())


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return isinstance(at, int) and time.time() - at <= settings.HUMAS_REAUTH_SECONDS


def return_path(request: HttpRequest) -> str:
    """Where to come back after confirming: the page itself for a GET; for a POST (a button on a
    page) the page the button was on, when it is ours, else the back office's home."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("core:home")


def reauth_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:reauth')}?{urlencode({'next': return_path(request)})}"


def recent_auth_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a person whose last proof is older than HUMAS_REAUTH_SECONDS to the confirmation page
    first; the action is not carried out (they repeat it after confirming)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not recently_authenticated(request):
            return redirect(reauth_url(request))
        return view(request, *args, **kwargs)

    return wrapper
