"""The media library in the back office: ``/app/<office>/pustaka/``.

Images are private: they are served only through :func:`asset_file` to the people of an office
that may use them (its own, and those an office above shares), never by a web server directly.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.media import cards
from humas.media.pipeline import ImageRejected
from humas.media.storage import read_bytes
from humas.media.variants import encode_jpeg, fit_within, open_stored
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from .cardpage import card_context, card_form_for, card_save
from .forms import BrandForm, CardForm, DescriptionForm, UploadForm
from .models import Asset, asset_storage
from .selectors import asset_get, asset_list, asset_tags
from .services import (
    LibraryError,
    asset_archive,
    asset_update,
    asset_upload,
    card_brand_clear,
    card_brand_for,
    card_brand_set,
    card_preview_jpeg,
    card_spec,
)

THUMB_WIDTH = 480
KINDS = frozenset({"thumb", "full"})


def _may_change(request: AuthenticatedHttpRequest, asset: Asset) -> bool:
    """Whether the person may describe, share or archive ``asset`` (of the office viewed)."""
    return policy.can(request.user, "media.manage", asset.office) or (
        asset.created_by_id == request.user.pk and policy.can(request.user, "media.upload", asset.office)
    )


@office_view("media.view")
def library(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    archived = request.GET.get("arsip") == "1"
    page = asset_list(
        actor=request.user,
        office=office,
        query=request.GET.get("q", "")[:200],
        tag=request.GET.get("label", "")[:40],
        origin=request.GET.get("asal", ""),
        scope=request.GET.get("milik", ""),
        archived=archived,
        page=request.GET.get("page"),
    )
    return render(
        request,
        "library/list.html",
        {
            "office": office,
            "page": page,
            "tags": asset_tags(office=office),
            "archived": archived,
            "query": request.GET.get("q", "")[:200],
            "tag": request.GET.get("label", "")[:40],
            "origin": request.GET.get("asal", ""),
            "scope": request.GET.get("milik", ""),
            "origins": Asset.Origin.choices,
            "can_upload": policy.can(request.user, "media.upload", office),
            "nav_active": "library",
        },
    )


@office_view("media.upload")
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = asset_upload(
                actor=request.user,
                office=office,
                file=form.cleaned_data["file"],
                description=form.description(),
            )
        except ImageRejected as exc:
            form.add_error("file", exc.messages)
        except LibraryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Gambar disimpan di pustaka."))
            return redirect("library:detail", office_slug=office.slug, asset_id=asset.pk)
    return render(
        request,
        "library/upload.html",
        {"office": office, "form": form, "nav_active": "library"},
        status=400 if form.errors else 200,
    )


def _asset(request: AuthenticatedHttpRequest, office: Office, asset_id: int) -> Asset:
    asset = asset_get(actor=request.user, office=office, asset_id=asset_id)
    if asset is None:
        raise Http404("asset")
    return asset


@office_view("media.view")
@require_http_methods(["GET", "POST"])
def detail(request: AuthenticatedHttpRequest, office: Office, asset_id: int) -> HttpResponse:
    asset = _asset(request, office, asset_id)
    own = asset.office_id == office.pk
    may_change = own and _may_change(request, asset)
    form = DescriptionForm(request.POST or None, initial=DescriptionForm.initial_for(asset))
    if request.method == "POST":
        if not may_change:
            policy.require(request.user, "media.manage", asset.office)
        if form.is_valid():
            try:
                changed = asset_update(actor=request.user, asset=asset, description=form.description())
            except (LibraryError, ImageRejected) as exc:
                form.add_error(None, exc.messages if isinstance(exc, ImageRejected) else str(exc))
            else:
                messages.success(
                    request, _("Keterangan gambar disimpan.") if changed else _("Tidak ada yang berubah.")
                )
                return redirect("library:detail", office_slug=office.slug, asset_id=asset.pk)
    return render(
        request,
        "library/detail.html",
        {
            "office": office,
            "asset": asset,
            "own": own,
            "form": form,
            "may_change": may_change,
            "can_draft": policy.can(request.user, "content.draft", office),
            "can_card": policy.can(request.user, "media.upload", office),
            "nav_active": "library",
        },
        status=400 if form.errors else 200,
    )


@office_view("media.view")
@require_POST
def archive(request: AuthenticatedHttpRequest, office: Office, asset_id: int) -> HttpResponse:
    asset = _asset(request, office, asset_id)
    if asset.office_id != office.pk:
        raise Http404("asset")
    restore = request.POST.get("kembalikan") == "1"
    asset_archive(actor=request.user, asset=asset, archived=not restore)
    messages.success(
        request,
        _("Gambar dikembalikan ke pustaka.") if restore else _("Gambar diarsipkan: tidak ditawarkan lagi."),
    )
    return redirect("library:detail", office_slug=office.slug, asset_id=asset.pk)


@require_GET
@office_view("media.view")
def asset_file(request: AuthenticatedHttpRequest, office: Office, asset_id: int, kind: str) -> HttpResponse:
    """The image for the office's people: a thumbnail (JPEG, 480 wide) or the stored file."""
    if kind not in KINDS:
        raise Http404("kind")
    asset = _asset(request, office, asset_id)
    try:
        if kind == "full":
            data, mime = read_bytes(storage=asset_storage(), name=str(asset.file.name)), asset.mime
        else:
            image = open_stored(storage=asset_storage(), name=str(asset.file.name), at_least=(THUMB_WIDTH, 1))
            data, mime = (
                encode_jpeg(image=fit_within(image=image, max_width=THUMB_WIDTH), quality=82),
                "image/jpeg",
            )
    except OSError:
        raise Http404("file") from None
    return _image_response(data, mime)


def _image_response(data: bytes, mime: str) -> HttpResponse:
    response = HttpResponse(data, content_type=mime)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --------------------------------------------------------------------------------------------
# Cards


@office_view("media.upload")
@require_http_methods(["GET", "POST"])
def card_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    if request.method == "POST":
        saved = card_save(request, office)
        if saved.asset is not None:
            messages.success(request, _("Kartu dibuat dan disimpan di pustaka."))
            return redirect("library:detail", office_slug=office.slug, asset_id=saved.asset.pk)
        context = card_context(request, office, saved.form) | {"save_form": saved.save_form}
        return render(request, "library/card.html", context, status=400)
    return render(request, "library/card.html", card_context(request, office, card_form_for(request, office)))


@require_GET
@office_view("media.upload")
def card_preview(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The card the query string describes, in the office's brand, as a JPEG (stored nowhere)."""
    form = CardForm(request.GET)
    if not form.is_valid():
        raise Http404("card")
    try:
        data = card_preview_jpeg(card_spec(office=office, values=form.values()))
    except LibraryError:
        raise Http404("card") from None
    return _image_response(data, "image/jpeg")


@office_view("card.brand")
@require_http_methods(["GET", "POST"])
def brand(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    current = card_brand_for(office)
    own = current.set_at is not None and current.set_at.pk == office.pk
    form = BrandForm(
        request.POST or None,
        initial={
            "primary": current.primary,
            "accent": current.accent,
            "text_on_primary": current.text_on_primary,
        },
    )
    if request.method == "POST":
        if request.POST.get("hapus") == "1":
            card_brand_clear(actor=request.user, office=office)
            messages.success(request, _("Kantor ini kembali memakai warna kartu kantor di atasnya."))
            return redirect("library:brand", office_slug=office.slug)
        if form.is_valid():
            try:
                card_brand_set(actor=request.user, office=office, **form.cleaned_data)
            except LibraryError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Warna kartu disimpan."))
                return redirect("library:brand", office_slug=office.slug)
    sample = {
        "template": str(cards.Template.ANNOUNCEMENT),
        "size": "1200x630",
        "title": _("Contoh judul pengumuman di kartu kantor ini"),
        "body": _("Warna, logo dan nama kantor dipakai pada setiap kartu yang dibuat."),
    }
    return render(
        request,
        "library/brand.html",
        {
            "office": office,
            "form": form,
            "brand": current,
            "own": own,
            "sample_query": urlencode(sample),
            "nav_active": "settings",
        },
        status=400 if form.errors else 200,
    )
