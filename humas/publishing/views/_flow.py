"""One flow for the views that act on a post or on one of its deliveries.

Load it for the office through the selectors, call one service, show the service's refusal as a
message, then go back to the post's page (or, for a refused URL, show the panel it was typed in
again). A view decorated with :func:`post_step` or :func:`delivery_step` states only what differs:
the input it reads, the service it calls and what it tells the person. Permission checks stay in
the selectors and services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office

from ..models import Delivery, Post
from ..selectors import delivery_get_for_office, post_get_for_actor
from ..services import PublishingError


@dataclass(frozen=True)
class Done:
    """The service did it: the success message, and where on the post's page to land."""

    message: str
    anchor: str = ""


@dataclass(frozen=True)
class Invalid:
    """The input was refused before any service ran: the reason, shown on the post's page."""

    message: str


Outcome = Done | Invalid
PostStep = Callable[[AuthenticatedHttpRequest, Office, Post], Outcome]
DeliveryStep = Callable[[AuthenticatedHttpRequest, Office, Delivery], Outcome]
# What to show instead of the post's page when the service refuses (e.g. the URL panel again).
DeliveryRefused = Callable[[AuthenticatedHttpRequest, Office, Delivery, Exception], HttpResponse]
View = Callable[..., HttpResponse]


def to_detail(office: Office, post_id: int, anchor: str = "") -> HttpResponse:
    """Redirect to the post's page, at ``anchor`` when given."""
    response = redirect("publishing:detail", office_slug=office.slug, post_id=post_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _finish(
    request: AuthenticatedHttpRequest,
    office: Office,
    post_id: int,
    step: Callable[[], Outcome],
    *,
    errors: tuple[type[Exception], ...],
    refused: Callable[[Exception], HttpResponse] | None = None,
) -> HttpResponse:
    try:
        outcome = step()
    except errors as exc:
        if refused is not None:
            return refused(exc)
        messages.error(request, str(exc))
        return to_detail(office, post_id)
    if isinstance(outcome, Invalid):
        messages.error(request, outcome.message)
        return to_detail(office, post_id)
    messages.success(request, outcome.message)
    return to_detail(office, post_id, outcome.anchor)


def post_step(*, errors: tuple[type[Exception], ...] = (PublishingError,)) -> Callable[[PostStep], View]:
    """A view ``(request, office, post) -> Done | Invalid`` on the office's post ``post_id``.

    ``errors`` are the service's refusals shown as a message; any other error propagates (a
    ``PolicyDenied`` not listed is a 403).
    """

    def decorate(view: PostStep) -> View:
        @wraps(view)
        def wrapper(request: AuthenticatedHttpRequest, office: Office, post_id: int) -> HttpResponse:
            post = post_get_for_actor(actor=request.user, office=office, post_id=post_id)
            return _finish(request, office, post.pk, lambda: view(request, office, post), errors=errors)

        return wrapper

    return decorate


def delivery_step(*, refused: DeliveryRefused | None = None) -> Callable[[DeliveryStep], View]:
    """A view ``(request, office, delivery) -> Done | Invalid`` on delivery ``delivery_id`` of
    the office's post ``post_id``. A ``PublishingError`` is shown as a message on the post's page,
    or by ``refused`` when given."""

    def decorate(view: DeliveryStep) -> View:
        @wraps(view)
        def wrapper(
            request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
        ) -> HttpResponse:
            delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
            return _finish(
                request,
                office,
                post_id,
                lambda: view(request, office, delivery),
                errors=(PublishingError,),
                refused=None if refused is None else partial(refused, request, office, delivery),
            )

        return wrapper

    return decorate
