from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from humas.accounts.http import AuthenticatedHttpRequest
from humas.core import uploads
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..forms import ImportConfirmForm, ImportUploadForm
from ..imports import ParsedFile, items_file_parse
from ..models import ItemPlatform, Source
from ..services import (
    ItemsInvalid,
    MonitoringError,
    items_ingest,
    source_get_or_create_pushed,
    source_name_problem,
)

# The previewed file travels back with the confirmation, signed with this (humas/core/uploads.py).
_SALT = "humas.monitoring.import"


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
    platforms = dict(ItemPlatform.choices)
    rows = [
        {"line": line, "record": record, "platform": platforms.get(record.platform, record.platform)}
        for line, record in parsed.first(uploads.PREVIEW_ROWS)
    ]
    return uploads.preview_render(
        request,
        "monitoring/import_preview.html",
        parsed=parsed,
        token=token,
        problem=problem,
        confirm_form=ImportConfirmForm,
        context={
            "office": office,
            "rows": rows,
            "filename": filename,
            "source_name": source_name,
            "nav_active": "monitoring",
        },
    )


def _upload(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    text = uploads.upload_read(form)
    if text is None:
        return _upload_page(request, office, form)
    parsed = items_file_parse(
        content=text.content, fmt=text.fmt, max_rows=settings.HUMAS_MONITORING_IMPORT_MAX_ROWS
    )
    source_name = form.cleaned_data["source_name"]
    refused = source_name_problem(office=office, kind=Source.Kind.FILE_IMPORT, name=source_name)
    if refused:
        form.add_error("source_name", refused)
        return _upload_page(request, office, form)
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


def _upload_page(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    return render(
        request,
        "monitoring/import.html",
        {"office": office, "form": form, "nav_active": "monitoring"},
        status=400 if form.errors else 200,
    )


def _confirm(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    payload = uploads.preview_load(request, ImportConfirmForm(request.POST), salt=_SALT)
    if payload is None:
        return redirect("monitoring:import", office_slug=office.slug)
    parsed = items_file_parse(
        content=payload["content"], fmt=payload["format"], max_rows=settings.HUMAS_MONITORING_IMPORT_MAX_ROWS
    )
    try:
        source = source_get_or_create_pushed(
            actor=request.user, office=office, kind=Source.Kind.FILE_IMPORT, name=payload["source"]
        )
        result = items_ingest(
            actor=request.user, source=source, records=parsed.records, filename=payload["filename"]
        )
    except ItemsInvalid:
        # The file was valid when previewed and the rules have not changed since: only a newer
        # version of the rules gets here. Show the rows again with what is wrong now.
        return _preview(
            request,
            office,
            parsed=parsed,
            token="",
            filename=payload["filename"],
            source_name=payload["source"],
            problem=_("Ada item yang tidak sah; tidak ada yang disimpan."),
        )
    except MonitoringError as exc:
        upload_form = ImportUploadForm(initial={"source_name": payload["source"]})
        upload_form.add_error("source_name", str(exc))
        return _upload_page(request, office, upload_form)
    messages.success(
        request,
        _("Impor selesai ke sumber “%(source)s”: %(created)d item baru, %(duplicates)d sudah ada sebelumnya.")
        % {"source": source.name, "created": result.created, "duplicates": result.duplicates},
    )
    return redirect("monitoring:sources", office_slug=office.slug)


@office_view("monitoring.ingest")
def items_import(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
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
