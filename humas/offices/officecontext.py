"""The active office of a back-office request: explicit in the URL, remembered in the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from humas.offices.models import Office
from humas.offices.selectors import office_get_for_user

SESSION_KEY = "humas_active_office"


def office_view(
    action: str = "office.view",
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve ``office_slug`` from the URL, check ``action`` there, and make it the active office.

    Unknown slug: 404. Office the user may not act in: 403. Dates render in the office's zone.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, office_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            office = office_get_for_user(actor=request.user, slug=office_slug, action=action)
            activate_office(request, office)
            return view(request, office, *args, **kwargs)

        return wrapper

    return decorate


def activate_office(request: HttpRequest, office: Office) -> None:
    request.office = office  # type: ignore[attr-defined]
    if request.session.get(SESSION_KEY) != office.slug:
        request.session[SESSION_KEY] = office.slug
    timezone.activate(office.zoneinfo)
