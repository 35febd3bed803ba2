"""Assisted channels on the post's page: mark posted by hand (with the public URL), undo, deleted."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
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
from ..selectors import delivery_get_for_office
from ..services import PublishingError


def _to_detail(office: Office, post_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("publishing:detail", office_slug=office.slug, post_id=post_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _url_refused(
    request: AuthenticatedHttpRequest,
    office: Office,
    delivery: Delivery,
    exc: PublishingError,
    url: str,
    panels: Sequence[AssistedPanel | FoundPanel],
    context_name: str,
) -> HttpResponse:
    """A refused URL: the delivery's panel again with the reason and what was typed (400); when
    the delivery no longer waits for a URL, the reason on the post's page."""
    post = delivery.publication.post
    if not panels:
        messages.error(request, str(exc))
        return _to_detail(office, post.pk)
    panel = panels[0]
    panel.error, panel.value = str(exc), url[:500]
    return render(
        request,
        "publishing/assisted_mark.html",
        {"office": office, "post": post, context_name: [panel], "nav_active": "content"},
        status=400,
    )


@require_POST
@office_view("content.publish")
def assisted_mark(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
) -> HttpResponse:
    delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
    url = request.POST.get("url", "")
    try:
        delivery_mark_published(actor=request.user, delivery=delivery, url=url)
    except PublishingError as exc:
        panels = assisted_panels(post=delivery.publication.post, actor=request.user, deliveries=[delivery])
        # No panel: no longer waiting (marked by someone else, withdrawn).
        return _url_refused(request, office, delivery, exc, url, panels, "assisted_panels")
    messages.success(request, _("%(channel)s ditandai sudah terbit.") % {"channel": delivery.channel})
    return _to_detail(office, post_id)


@require_POST
@office_view("content.publish")
def delivery_found(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
) -> HttpResponse:
    """A person found on the channel the post the engine could not be sure about: record it."""
    delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
    url = request.POST.get("url", "")
    try:
        delivery_confirm_published(actor=request.user, delivery=delivery, url=url)
    except PublishingError as exc:
        panels = found_panels(post=delivery.publication.post, actor=request.user, deliveries=[delivery])
        # No panel: no longer needs attention (retried, recorded by someone else).
        return _url_refused(request, office, delivery, exc, url, panels, "found_panels")
    messages.success(request, _("%(channel)s dicatat sudah terbit.") % {"channel": delivery.channel})
    return _to_detail(office, post_id)


@require_POST
@office_view("content.approve")
def assisted_unmark(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
) -> HttpResponse:
    delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
    try:
        delivery_unmark_published(actor=request.user, delivery=delivery)
    except PublishingError as exc:
        messages.error(request, str(exc))
        return _to_detail(office, post_id)
    messages.success(
        request,
        _("Tanda terbit %(channel)s dibatalkan; masukkan tautan yang benar.") % {"channel": delivery.channel},
    )
    return _to_detail(office, post_id, anchor=f"assisted-{delivery.pk}")


@require_POST
@office_view("content.publish")
def assisted_deleted(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, delivery_id: int
) -> HttpResponse:
    delivery = delivery_get_for_office(office=office, post_id=post_id, delivery_id=delivery_id)
    try:
        delivery_mark_deleted(actor=request.user, delivery=delivery)
    except PublishingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(channel)s ditandai sudah dihapus.") % {"channel": delivery.channel})
    return _to_detail(office, post_id)


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
