from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..forms import ImportConfirmForm, ImportUploadForm
from ..imports import ParsedFile, format_of, items_file_parse
from ..models import ItemPlatform, Source
from ..services import (
    ItemsInvalid,
    MonitoringError,
    items_ingest,
    source_get_or_create_pushed,
    source_name_problem,
)

PREVIEW_ROWS = 20
# The previewed file travels back with the confirmation, compressed and signed by the server, so
# what is imported is exactly what was previewed and no server keeps a half-finished import.
_SALT = "humas.monitoring.import"
_TOKEN_MAX_AGE = 60 * 60
# Room left in a confirmation's form data for the other fields.
_FORM_MARGIN = 16 * 1024


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
    platforms = dict(ItemPlatform.choices)
    rows = [
        {"line": line, "record": record, "platform": platforms.get(record.platform, record.platform)}
        for line, record in zip(parsed.line_of[:PREVIEW_ROWS], parsed.cleaned[:PREVIEW_ROWS], strict=True)
    ]
    ok = parsed.ok and not problem
    return render(
        request,
        "monitoring/import_preview.html",
        {
            "office": office,
            "parsed": parsed,
            "rows": rows,
            "problem": problem,
            "confirm": ImportConfirmForm(initial={"token": token}) if ok else None,
            "filename": filename,
            "source_name": source_name,
            "nav_active": "monitoring",
        },
        status=200 if ok else 400,
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
    parsed = items_file_parse(content=content, fmt=fmt, max_rows=settings.HUMAS_MONITORING_IMPORT_MAX_ROWS)
    source_name = form.cleaned_data["source_name"]
    refused = source_name_problem(office=office, kind=Source.Kind.FILE_IMPORT, name=source_name)
    if refused:
        form.add_error("source_name", refused)
        return _upload_page(request, office, form)
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


def _upload_page(request: AuthenticatedHttpRequest, office: Office, form: ImportUploadForm) -> HttpResponse:
    return render(
        request,
        "monitoring/import.html",
        {"office": office, "form": form, "nav_active": "monitoring"},
        status=400 if form.errors else 200,
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
