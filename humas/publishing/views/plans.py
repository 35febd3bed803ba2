"""Rencana konten massal under ``/app/<office>/content/rencana/``: upload a plan (CSV or XLSX, and
a ZIP of its images) → preview every row with its problems by row and column → confirm → one
draft per row (humas/publishing/plans.py). The templates with two example rows are downloads.

The plan file travels to the confirmation in a token the server signs (as the other imports,
humas/core/uploads.py), with the office, the person and the name of the ZIP kept in the private
storage meanwhile; the confirmation reads and checks it all again before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from humas.accounts.http import AuthenticatedHttpRequest
from humas.core import uploads
from humas.media.pipeline import ImageRejected
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..plans import (
    MAX_ROWS,
    PLAN_MAX_BYTES,
    ZIP_MAX_BYTES,
    Plan,
    PlanFileError,
    PlanInvalid,
    PlanProblem,
    column_guide,
    plan_commit,
    plan_file_decode,
    plan_file_encode,
    plan_format,
    plan_parse,
    plan_upload_delete,
    plan_upload_open,
    plan_upload_store,
    template_csv,
    template_rows,
    template_xlsx,
)
from ..portal_channel import channel_list_for_publishing
from ..selectors import POST_VIEW_DRAFTS, POST_VIEW_WAITING
from ..services import PublishingError

# The previewed plan travels back with the confirmation, signed with this.
_SALT = "humas.publishing.plan"
# Room left in a confirmation's form data for the other fields (as humas/core/uploads.py).
_FORM_MARGIN = 16 * 1024
NAV = "content"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas rencana (CSV atau XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"}),
    )
    images = forms.FileField(
        label=gettext_lazy("Gambar dalam satu berkas ZIP (opsional)"),
        required=False,
        help_text=gettext_lazy(
            "Tulis nama berkas gambarnya di kolom gambar. Gambar dari pustaka media ditulis pustaka: dan nomornya, misalnya pustaka:12."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class PlanConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, strip=False)
    submit_for_review = forms.BooleanField(
        label=gettext_lazy("Langsung kirim untuk ditinjau"),
        required=False,
        help_text=gettext_lazy("Tanpa centang, semua unggahan disimpan sebagai draf."),
    )


def _upload_page(request: AuthenticatedHttpRequest, office: Office, form: PlanUploadForm) -> HttpResponse:
    return render(
        request,
        "publishing/plan_upload.html",
        {
            "office": office,
            "form": form,
            "guide": column_guide(),
            "max_rows": MAX_ROWS,
            "nav_active": NAV,
        },
        status=400 if form.errors else 200,
    )


def _by_row(problems: Sequence[PlanProblem]) -> list[tuple[int, list[PlanProblem]]]:
    grouped: dict[int, list[PlanProblem]] = {}
    for problem in problems:
        grouped.setdefault(problem.row, []).append(problem)
    return sorted(grouped.items())


def _preview(
    request: AuthenticatedHttpRequest,
    office: Office,
    *,
    plan: Plan,
    filename: str,
    zip_name: str,
    token: str = "",
    problem: str = "",
    extra: Sequence[PlanProblem] = (),
) -> HttpResponse:
    problems = [*plan.all_problems, *(p for p in extra if p not in plan.all_problems)]
    ok = plan.ok and not extra and not problem and bool(token)
    return render(
        request,
        "publishing/plan_preview.html",
        {
            "office": office,
            "plan": plan,
            "rows": plan.rows,
            "problems": problems,
            "problems_by_row": _by_row(problems),
            "warnings_by_row": _by_row(plan.warnings),
            "problem": problem,
            "filename": filename,
            "zip_name": zip_name,
            "confirm": PlanConfirmForm(initial={"token": token}) if ok else None,
            "nav_active": NAV,
        },
        status=200 if ok else 400,
    )


def _token(
    *,
    request: AuthenticatedHttpRequest,
    office: Office,
    fmt: str,
    filename: str,
    content: bytes,
    zip_name: str,
    zip_filename: str,
) -> tuple[str, str]:
    token = signing.dumps(
        {
            "office": office.pk,
            "person": request.user.pk,
            "format": fmt,
            "filename": filename,
            "content": plan_file_encode(content=content, fmt=fmt),
            "zip": zip_name,
            "zip_filename": zip_filename,
        },
        salt=_SALT,
        compress=True,
    )
    if len(token) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE - _FORM_MARGIN:
        return "", _("Berkas ini terlalu besar untuk diimpor sekaligus; bagi menjadi beberapa berkas.")
    return token, ""


def _upload(request: AuthenticatedHttpRequest, office: Office, form: PlanUploadForm) -> HttpResponse:
    upload = form.cleaned_data["file"]
    filename = upload.name or ""
    fmt = plan_format(filename)
    if not fmt:
        form.add_error("file", _("Hanya berkas .csv atau .xlsx yang dapat diimpor."))
    elif upload.size > PLAN_MAX_BYTES:
        form.add_error(
            "file",
            _("Berkas rencana terlalu besar (batas %(limit)s MB).")
            % {"limit": PLAN_MAX_BYTES // (1024 * 1024)},
        )
    images = form.cleaned_data.get("images")
    if images:
        if not (images.name or "").lower().endswith(".zip"):
            form.add_error("images", _("Gambar diunggah dalam satu berkas .zip."))
        elif images.size > ZIP_MAX_BYTES:
            form.add_error(
                "images",
                _("Berkas ZIP terlalu besar (batas %(limit)s MB).")
                % {"limit": ZIP_MAX_BYTES // (1024 * 1024)},
            )
    if form.errors:
        return _upload_page(request, office, form)
    content = upload.read()
    channels = list(channel_list_for_publishing(office=office))
    plan = plan_parse(
        actor=request.user, office=office, content=content, fmt=fmt, channels=channels, images=images
    )
    zip_name = images.name if images else ""
    if not plan.ok:
        return _preview(request, office, plan=plan, filename=filename, zip_name=zip_name)
    kept = plan_upload_store(actor=request.user, office=office, file=images) if images else ""
    token, problem = _token(
        request=request,
        office=office,
        fmt=fmt,
        filename=filename,
        content=content,
        zip_name=kept,
        zip_filename=zip_name,
    )
    if problem:
        plan_upload_delete(actor=request.user, office=office, name=kept)
    return _preview(
        request, office, plan=plan, filename=filename, zip_name=zip_name, token=token, problem=problem
    )


def _expired(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    messages.error(request, _("Pratinjau impor sudah kedaluwarsa atau tidak sah; unggah berkasnya lagi."))
    return redirect("publishing:plan", office_slug=office.slug)


def _confirm(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = PlanConfirmForm(request.POST)
    payload: dict[str, Any] | None = uploads.preview_load(request, form, salt=_SALT)
    if payload is None:
        return redirect("publishing:plan", office_slug=office.slug)
    if payload.get("office") != office.pk or payload.get("person") != request.user.pk:
        return _expired(request, office)
    fmt, filename, kept = str(payload["format"]), str(payload["filename"]), str(payload.get("zip") or "")
    zip_filename = str(payload.get("zip_filename") or "")
    try:
        content = plan_file_decode(carried=str(payload["content"]), fmt=fmt)
    except PlanFileError:
        return _expired(request, office)
    images = plan_upload_open(actor=request.user, office=office, name=kept) if kept else None
    if kept and images is None:
        return _expired(request, office)
    try:
        # Read and checked again: a blackout declared or a channel switched off since the preview.
        channels = list(channel_list_for_publishing(office=office))
        plan = plan_parse(
            actor=request.user, office=office, content=content, fmt=fmt, channels=channels, images=images
        )
    finally:
        if images is not None:
            images.close()
    stale = _(
        "Sejak pratinjau, ada yang berubah; tidak ada draf yang dibuat. Perbaiki berkasnya lalu unggah lagi."
    )
    if not plan.ok:
        plan_upload_delete(actor=request.user, office=office, name=kept)
        return _preview(request, office, plan=plan, filename=filename, zip_name=zip_filename, problem=stale)
    submit = bool(form.cleaned_data.get("submit_for_review"))
    try:
        posts = plan_commit(
            actor=request.user, office=office, rows=plan.rows, submit=submit, filename=filename, fmt=fmt
        )
    except PlanInvalid as exc:
        plan_upload_delete(actor=request.user, office=office, name=kept)
        return _preview(
            request,
            office,
            plan=plan,
            filename=filename,
            zip_name=zip_filename,
            problem=stale,
            extra=exc.problems,
        )
    except (PublishingError, ImageRejected) as exc:
        plan_upload_delete(actor=request.user, office=office, name=kept)
        message = " ".join(exc.messages) if isinstance(exc, ImageRejected) else str(exc)
        return _preview(request, office, plan=plan, filename=filename, zip_name=zip_filename, problem=message)
    plan_upload_delete(actor=request.user, office=office, name=kept)
    count = len(posts)
    if submit:
        messages.success(
            request,
            ngettext(
                "%(count)d unggahan dibuat dan dikirim untuk ditinjau.",
                "%(count)d unggahan dibuat dan dikirim untuk ditinjau.",
                count,
            )
            % {"count": count},
        )
        view = POST_VIEW_WAITING
    else:
        messages.success(
            request, ngettext("%(count)d draf dibuat.", "%(count)d draf dibuat.", count) % {"count": count}
        )
        view = POST_VIEW_DRAFTS
    return redirect(reverse("publishing:list", kwargs={"office_slug": office.slug}) + f"?tampil={view}")


@office_view("content.draft")
def plan_import(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """Upload a plan → preview every row and every problem → confirm → drafts."""
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, office)
    if request.method == "POST":
        form = PlanUploadForm(request.POST, request.FILES)
        if form.is_valid():
            return _upload(request, office, form)
    else:
        form = PlanUploadForm()
    return _upload_page(request, office, form)


def _template(office: Office) -> list[list[str]]:
    return template_rows(office=office, channels=list(channel_list_for_publishing(office=office)))


def _download(content: str | bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@office_view("content.draft")
def plan_template_csv(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _download(
        template_csv(_template(office)),
        content_type="text/csv; charset=utf-8",
        filename=f"rencana-konten-{office.slug}.csv",
    )


@office_view("content.draft")
def plan_template_xlsx(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _download(
        template_xlsx(_template(office), guide=column_guide()),
        content_type=XLSX_TYPE,
        filename=f"rencana-konten-{office.slug}.xlsx",
    )
