"""Back-office views of article images: the processing state of one image (polled by the form),
and the image files themselves for the office's people (an unpublished article's images are in
the private storage, which no web server serves)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..images import image_file as image_file_bytes
from ..images import image_get_for_office


@office_view("content.view")
def image_state(request: AuthenticatedHttpRequest, office: Office, image_id: int) -> HttpResponse:
    """The state block of an image of this office; another office's image is a 404."""
    image = image_get_for_office(actor=request.user, office=office, image_id=image_id)
    if image is None:
        raise Http404("image")
    response = render(request, "portal/admin/_image_state.html", {"office": office, "image": image})
    response["Cache-Control"] = "private, no-store"
    return response


@office_view("content.view")
def image_file(request: AuthenticatedHttpRequest, office: Office, image_id: int, name: str) -> HttpResponse:
    """One rendition of an image of this office ("480.jpg", "og.jpg"); anything else is a 404."""
    image = image_get_for_office(actor=request.user, office=office, image_id=image_id)
    data = image_file_bytes(image=image, name=name) if image is not None else None
    if data is None:
        raise Http404("image")
    response = HttpResponse(data, content_type="image/webp" if name.endswith(".webp") else "image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
