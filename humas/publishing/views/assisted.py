"""Assisted channels on the post's page: mark posted by hand (with the public URL), undo, deleted."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..assisted import (
    AssistedPanel,
    FoundPanel,
    assisted_panels,
    delivery_confirm_published,
    delivery_mark_deleted,
    delivery_mark_published,
    delivery_unmark_published,
    found_panels,
)
from ..models import Delivery, PostImage
from ._flow import DeliveryRefused, Done, Outcome, delivery_step, to_detail


def _panel_again(
    panels_of: Callable[..., Sequence[AssistedPanel | FoundPanel]], context_name: str
) -> DeliveryRefused:
    """A refused URL: the delivery's panel again with the reason and what was typed (400); when
    the delivery has no panel any more (no longer waiting for a URL), the reason on the post's page."""

    def refused(
        request: AuthenticatedHttpRequest, office: Office, delivery: Delivery, exc: Exception
    ) -> HttpResponse:
        post = delivery.publication.post
        panels = panels_of(post=post, actor=request.user, deliveries=[delivery])
        if not panels:
            messages.error(request, str(exc))
            return to_detail(office, post.pk)
        panel = panels[0]
        panel.error, panel.value = str(exc), request.POST.get("url", "")[:500]
        return render(
            request,
            "publishing/assisted_mark.html",
            {"office": office, "post": post, context_name: [panel], "nav_active": "content"},
            status=400,
        )

    return refused


# The steps below look alike by design (see _flow.py): each differs only in its service and message.


@require_POST
@office_view("content.publish")
# No panel: no longer waiting (marked by someone else, withdrawn).
@delivery_step(refused=_panel_again(assisted_panels, "assisted_panels"))
def assisted_mark(request: AuthenticatedHttpRequest, office: Office, delivery: Delivery) -> Outcome:
    delivery_mark_published(actor=request.user, delivery=delivery, url=request.POST.get("url", ""))
    return Done(_("%(channel)s ditandai sudah terbit.") % {"channel": delivery.channel})


@require_POST
@office_view("content.publish")
# No panel: no longer needs attention (retried, recorded by someone else).
@delivery_step(refused=_panel_again(found_panels, "found_panels"))
def delivery_found(request: AuthenticatedHttpRequest, office: Office, delivery: Delivery) -> Outcome:
    """A person found on the channel the post the engine could not be sure about: record it."""
    delivery_confirm_published(actor=request.user, delivery=delivery, url=request.POST.get("url", ""))
    return Done(_("%(channel)s dicatat sudah terbit.") % {"channel": delivery.channel})


@require_POST
@office_view("content.approve")
@delivery_step()
def assisted_unmark(request: AuthenticatedHttpRequest, office: Office, delivery: Delivery) -> Outcome:
    delivery_unmark_published(actor=request.user, delivery=delivery)
    return Done(
        _("Tanda terbit %(channel)s dibatalkan; masukkan tautan yang benar.") % {"channel": delivery.channel},
        anchor=f"assisted-{delivery.pk}",
    )


@require_POST
@office_view("content.publish")
@delivery_step()
def assisted_deleted(request: AuthenticatedHttpRequest, office: Office, delivery: Delivery) -> Outcome:
    delivery_mark_deleted(actor=request.user, delivery=delivery)
    return Done(_("%(channel)s ditandai sudah dihapus.") % {"channel": delivery.channel})


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


@require_GET
@office_view("content.view")
def assisted_image(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, image_id: int
) -> HttpResponse:
    """A post image as uploaded (cleaned), to download and post by hand on an assisted channel.
    Only the office's own people: post images stay private until a platform publishes them."""
    image = PostImage.objects.filter(pk=image_id, post_id=post_id, post__office=office).first()
    if image is None or not image.file:
        raise Http404("image")
    try:
        with image.file.open("rb") as handle:
            data = handle.read()  # at most HUMAS_IMAGE_MAX_BYTES
    except OSError:
        raise Http404("image") from None
    name = f"unggahan-{post_id}-{image.position + 1}.{EXTENSIONS.get(image.mime, 'jpg')}"
    response = HttpResponse(data, content_type=image.mime or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name) or ""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
