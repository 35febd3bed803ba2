"""The knowledge base's pages under ``/app/<office>/klarifikasi/basis/``: the list with search and
filters, one claim, and the import of external fact-checks (upload → preview → confirm)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web import paging

from .forms import ClaimFilterForm, ImportConfirmForm, ImportUploadForm
from .imports import ParsedFile, claims_file_parse, format_of
from .records import source_name_problem
from .selectors import claim_get_for_kb, claim_list_for_kb, claim_verdict_options
from .services import ClaimsInvalid, FactcheckError, claims_import

PAGE_SIZE = 30
PREVIEW_ROWS = 20
# The previewed file travels back with the confirmation, compressed and signed by the server, so
# what is imported is exactly what was previewed and no server keeps a half-finished import.
_SALT = "humas.factcheck.import"
_TOKEN_MAX_AGE = 60 * 60
# Room left in a confirmation's form data for the other fields.
_FORM_MARGIN = 16 * 1024
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


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


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
    rows = [
        {"line": line, "record": record}
        for line, record in zip(parsed.line_of[:PREVIEW_ROWS], parsed.cleaned[:PREVIEW_ROWS], strict=True)
    ]
    ok = parsed.ok and not problem
    return render(
        request,
        "factcheck/import_preview.html",
        {
            "office": office,
            "parsed": parsed,
            "rows": rows,
            "problem": problem,
            "confirm": ImportConfirmForm(initial={"token": token}) if ok else None,
            "filename": filename,
            "source_name": source_name,
            "nav_active": NAV,
        },
        status=200 if ok else 400,
    )


def _upload_page(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    return render(
        request,
        "factcheck/import.html",
        {"office": office, "form": form, "nav_active": NAV},
        status=400 if form.errors else 200,
    )


def _upload(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    upload = form.cleaned_data["file"]
    filename = upload.name or ""
    fmt = format_of(filename)
    if not fmt:
        form.add_error("file", _("Hanya berkas .csv atau .jsonl yang dapat diimpor."))
        return _upload_page(request, office, form)
    content = _decode(upload.read())
    if content is None:
        form.add_error("file", _("Berkas harus berupa teks UTF-8."))
        return _upload_page(request, office, form)
    source_name = form.cleaned_data["source_name"]
    refused = source_name_problem(source_name)
    if refused:
        form.add_error("source_name", refused)
        return _upload_page(request, office, form)
    parsed = claims_file_parse(content=content, fmt=fmt)
    token = ""
    problem = ""
    if parsed.ok:
        token = signing.dumps(
            {"content": content, "format": fmt, "filename": filename, "source": source_name},
            salt=_SALT,
            compress=True,
        )
        if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - _FORM_MARGIN:
            problem = _("Berkas ini terlalu besar untuk diimpor sekaligus; bagi menjadi beberapa berkas.")
    return _preview(
        request,
        office,
        parsed=parsed,
        token=token,
        filename=filename,
        source_name=source_name,
        problem=problem,
    )


def _confirm(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    payload: dict[str, Any] | None = None
    if form.is_valid():
        try:
            payload = signing.loads(form.cleaned_data["token"], salt=_SALT, max_age=_TOKEN_MAX_AGE)
        except signing.BadSignature:
            payload = None
    if not isinstance(payload, dict):
        messages.error(request, _("Pratinjau impor sudah kedaluwarsa atau tidak sah; unggah berkasnya lagi."))
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
