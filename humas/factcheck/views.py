"""The knowledge base's pages under ``/app/<office>/klarifikasi/basis/``: the list with search and
filters, one claim, and the import of external fact-checks (upload → preview → confirm)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from humas.accounts.http import AuthenticatedHttpRequest
from humas.core import uploads
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web import paging

from .forms import ClaimFilterForm, ImportConfirmForm, ImportUploadForm
from .imports import ParsedFile, claims_file_parse
from .records import source_name_problem
from .selectors import claim_get_for_kb, claim_list_for_kb, claim_verdict_options
from .services import ClaimsInvalid, FactcheckError, claims_import

PAGE_SIZE = 30
# The previewed file travels back with the confirmation, signed with this (humas/core/uploads.py).
_SALT = "humas.factcheck.import"
NAV = "monitoring"


@office_view("factcheck.view")
def claim_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = ClaimFilterForm(request.GET or None, verdicts=claim_verdict_options())
    values = form.values()
    claims = claim_list_for_kb(
        actor=request.user, office=office, query=values["q"], kind=values["kind"], verdict=values["verdict"]
    )
    page = Paginator(claims, PAGE_SIZE).get_page(paging.page_number(request.GET.get("page")))
    return render(
        request,
        "factcheck/list.html",
        {
            "office": office,
            "form": form,
            "page": page,
            "filtered": any(values.values()),
            "can_manage": policy.can(request.user, "factcheck.manage", office),
            "nav_active": NAV,
        },
    )


@office_view("factcheck.view")
def claim_detail(request: AuthenticatedHttpRequest, office: Office, claim_id: int) -> HttpResponse:
    claim = claim_get_for_kb(actor=request.user, office=office, claim_id=claim_id)
    if claim is None:
        raise Http404
    article_link = ""
    article = claim.article
    if article is not None and policy.can(request.user, "content.view", article.office):
        article_link = reverse(
            "portal_admin:detail", kwargs={"office_slug": article.office.slug, "article_id": article.pk}
        )
    return render(
        request,
        "factcheck/detail.html",
        {"office": office, "claim": claim, "article_link": article_link, "nav_active": NAV},
    )


def _preview(
    request: AuthenticatedHttpRequest,
    office: Office,
    *,
    parsed: ParsedFile,
    token: str,
    filename: str,
    source_name: str,
    problem: str = "",
) -> HttpResponse:
    rows = [{"line": line, "record": record} for line, record in parsed.first(uploads.PREVIEW_ROWS)]
    return uploads.preview_render(
        request,
        "factcheck/import_preview.html",
        parsed=parsed,
        token=token,
        problem=problem,
        confirm_form=ImportConfirmForm,
        context={
            "office": office,
            "rows": rows,
            "filename": filename,
            "source_name": source_name,
            "nav_active": NAV,
        },
    )


def _upload_page(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    return render(
        request,
        "factcheck/import.html",
        {"office": office, "form": form, "nav_active": NAV},
        status=400 if form.errors else 200,
    )


def _upload(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    text = uploads.upload_read(form)
    if text is None:
        return _upload_page(request, office, form)
    source_name = form.cleaned_data["source_name"]
    refused = source_name_problem(source_name)
    if refused:
        form.add_error("source_name", refused)
        return _upload_page(request, office, form)
    parsed = claims_file_parse(content=text.content, fmt=text.fmt)
    token, problem = uploads.preview_token(text, source=source_name, salt=_SALT) if parsed.ok else ("", "")
    return _preview(
        request,
        office,
        parsed=parsed,
        token=token,
        filename=text.filename,
        source_name=source_name,
        problem=problem,
    )


def _confirm(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    payload = uploads.preview_load(request, ImportConfirmForm(request.POST), salt=_SALT)
    if payload is None:
        return redirect("factcheck:import", office_slug=office.slug)
    parsed = claims_file_parse(content=payload["content"], fmt=payload["format"])
    try:
        result = claims_import(
            actor=request.user,
            office=office,
            records=parsed.records,
            source_name=payload["source"],
            filename=payload["filename"],
        )
    except ClaimsInvalid:
        # The file was valid when previewed: only a newer version of the rules gets here. Show the
        # rows again with what is wrong now.
        return _preview(
            request,
            office,
            parsed=parsed,
            token="",
            filename=payload["filename"],
            source_name=payload["source"],
            problem=_("Ada cek fakta yang tidak sah; tidak ada yang disimpan."),
        )
    except FactcheckError as exc:
        upload_form = ImportUploadForm(initial={"source_name": payload["source"]})
        upload_form.add_error("source_name", str(exc))
        return _upload_page(request, office, upload_form)
    messages.success(
        request,
        _(
            "Impor selesai dari sumber “%(source)s”: %(created)d cek fakta baru, %(updated)d diperbarui, "
            "%(unchanged)d tidak berubah."
        )
        % {
            "source": payload["source"],
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    return redirect(reverse("factcheck:list", kwargs={"office_slug": office.slug}) + "?kind=external")


@office_view("factcheck.manage")
def claims_import_page(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """Upload a file → preview its first rows and every bad row → confirm → import."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, office)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            return _upload(request, office, form)
    else:
        form = ImportUploadForm()
    return _upload_page(request, office, form)
