"""Images and per-platform variants in the Konten module: the editor's extra forms, the images
shown in the back office (office members only) and the public image URL platforms fetch.

Where images can be seen:

* ``image_view`` (``/app/<office>/content/<post>/images/<id>/<kind>/``): signed-in members of
  the office (content.view); another office's image is a 404. Never cached by shared caches.
* ``public_image`` (``/app/media/posts/<key>/<kind>.jpg``): anyone with the URL, but only while
  the post is published and not withdrawn, and only the kinds a platform fetches (Instagram).
  A draft's image is a 404 even to someone who learnt its random key.
"""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from humas.accounts.http import AuthenticatedHttpRequest
from humas.library.models import Asset
from humas.library.selectors import asset_usable, assets_recent_usable
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..forms_media import ImagesForm, VariantsForm, variant_field_name
from ..images import MAX_IMAGES, PUBLIC_KINDS, image_adjustments, image_rendition
from ..models import Post, PostImage
from ..variants import LIMITS, VARIANT_PLATFORMS, counts, post_channel_problems

BACK_OFFICE_KINDS = frozenset({"thumb", "instagram"})


def library_offered(request: AuthenticatedHttpRequest, office: Office) -> tuple[list[Asset], list[str]]:
    """The library images the editor offers (the newest the office may use, and any asked for
    with ``?pustaka=<id>`` or ticked in the form sent), and those to tick at first."""
    asked = [
        value
        for value in [*request.GET.getlist("pustaka"), *request.POST.getlist("pustaka")][:MAX_IMAGES]
        if value.isascii() and value.isdigit() and len(value) < 12
    ]
    offered = {asset.pk: asset for asset in assets_recent_usable(actor=request.user, office=office)}
    for value in asked:
        if int(value) not in offered and (
            asset := asset_usable(actor=request.user, office=office, asset_id=int(value))
        ):
            offered[asset.pk] = asset
    return list(offered.values()), [value for value in request.GET.getlist("pustaka") if value.isdigit()]


def media_forms(
    request: AuthenticatedHttpRequest, post: Post | None, office: Office
) -> tuple[VariantsForm, ImagesForm]:
    """The variants and images forms of the editor, bound on POST."""
    existing = list(post.images.all()) if post is not None else []
    library, ticked = library_offered(request, office)
    if request.method == "POST":
        return (
            VariantsForm(request.POST),
            ImagesForm(request.POST, request.FILES, existing=existing, library=library),
        )
    initial = {variant_field_name(v.platform): v.text for v in post.variants.all()} if post else None
    return VariantsForm(initial=initial), ImagesForm(
        existing=existing, library=library, initial={"pustaka": ticked}
    )


def _value(form: Any, name: str) -> str:
    if form.is_bound:
        return str(form.data.get(name, "") or "")
    return str(form.initial.get(name, "") or form.fields[name].initial or "")


def media_context(*, form: Any, variants_form: VariantsForm, images_form: ImagesForm) -> dict[str, Any]:
    """What the editor template needs for the variants (with their counts) and the images."""
    text, link = _value(form, "text"), _value(form, "link")
    texts = {str(p): _value(variants_form, variant_field_name(p)) for p in VARIANT_PLATFORMS}
    image_count = len(images_form.existing)
    platform_counts = {
        c.platform: c for c in counts(text=text, link=link, variants=texts, image_count=image_count)
    }
    return {
        "variants_form": variants_form,
        "images_form": images_form,
        "variant_rows": [
            (variants_form[variant_field_name(p)], platform_counts[p], LIMITS.get(p))
            for p in VARIANT_PLATFORMS
        ],
        "max_images": MAX_IMAGES,
    }


def post_media_context(*, post: Post) -> dict[str, Any]:
    """What the post's page shows: its variants, its images, what Humas adapts for a platform,
    and what the office's channels would refuse (before submit, approve and publish)."""
    prefetch_related_objects([post], "images", "variants")  # read again per platform below
    images = list(post.images.all())
    return {
        "post_images": images,
        "post_variants": list(post.variants.all()),
        "image_notes": image_adjustments(images=images),
        "channel_problems": post_channel_problems(post=post)
        if post.status in (Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.APPROVED)
        else [],
    }


def _image_response(data: bytes, mime: str, *, public: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=mime)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400" if public else "private, max-age=3600"
    return response


@require_GET
@office_view("content.view")
def image_view(
    request: AuthenticatedHttpRequest, office: Office, post_id: int, image_id: int, kind: str
) -> HttpResponse:
    """A post image for the office's own people: a thumbnail or the Instagram rendition."""
    if kind not in BACK_OFFICE_KINDS:
        raise Http404("kind")
    image = PostImage.objects.filter(pk=image_id, post_id=post_id, post__office=office).first()
    if image is None:
        raise Http404("image")
    data, mime = image_rendition(image=image, kind=kind)
    return _image_response(data, mime, public=False)


@require_GET
def public_image(request: HttpRequest, key: str, kind: str) -> HttpResponse:
    """The image a platform fetches (Instagram), only while its post is published."""
    if kind not in PUBLIC_KINDS:
        raise Http404("kind")
    image = (
        PostImage.objects.filter(
            key=key,
            post__status=Post.Status.PUBLISHED,
            post__publications__withdrawn_at__isnull=True,
        )
        .distinct()
        .first()
    )
    if image is None:
        raise Http404("image")
    data, mime = image_rendition(image=image, kind=kind)
    return _image_response(data, mime, public=True)
