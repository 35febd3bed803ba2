"""The monitoring sources of an office: the list (everyone who monitors), and for those who manage
sources the forms to add and change them, switch them on and off, and run them now."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..forms_sources import KIND_HELP, SourceForm
from ..models import Source
from ..polling import polled_kinds
from ..selectors import source_get_for_office, source_list_for_office
from ..services import MonitoringError
from ..sources import (
    POLLED_KINDS,
    source_activate,
    source_create,
    source_deactivate,
    source_run_now,
    source_update,
)

KIND_PARAM = "jenis"


def _back(office: Office) -> HttpResponse:
    return redirect("monitoring:source_list", office_slug=office.slug)


def _source_of(request: AuthenticatedHttpRequest, office: Office, source_id: int) -> Source:
    source = source_get_for_office(actor=request.user, office=office, source_id=source_id)
    if source is None:
        raise Http404("source")
    return source


@office_view("monitoring.view")
def source_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_manage = policy.can(request.user, "monitoring.manage_sources", office)
    return render(
        request,
        "monitoring/sources.html",
        {
            "office": office,
            "sources": source_list_for_office(actor=request.user, office=office),
            "can_import": policy.can(request.user, "monitoring.ingest", office),
            "can_manage": can_manage,
            # Kinds whose poller is installed: only these can be run now or edited here.
            "polled": set(polled_kinds()) & set(POLLED_KINDS),
            "now": timezone.now(),
            "nav_active": "monitoring",
        },
    )


def _form_page(
    request: AuthenticatedHttpRequest, office: Office, form: SourceForm, *, source: Source | None = None
) -> HttpResponse:
    kind_label = Source.Kind(form.kind).label
    return render(
        request,
        "monitoring/source_form.html",
        {
            "office": office,
            "form": form,
            "source": source,
            "kind_label": kind_label,
            "kind_help": KIND_HELP.get(Source.Kind(form.kind), ""),
            "nav_active": "monitoring",
        },
        status=400 if form.errors else 200,
    )


@office_view("monitoring.manage_sources")
def source_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """Without ``?jenis=``: the kinds to choose from; with it, that kind's form."""
    kind = request.GET.get(KIND_PARAM, "")
    if kind not in POLLED_KINDS:
        base = reverse("monitoring:source_new", kwargs={"office_slug": office.slug})
        kinds = [
            {
                "label": Source.Kind(k).label,
                "help": KIND_HELP[Source.Kind(k)],
                "url": f"{base}?{KIND_PARAM}={k}",
            }
            for k in POLLED_KINDS
        ]
        return render(
            request,
            "monitoring/source_new.html",
            {"office": office, "kinds": kinds, "nav_active": "monitoring"},
        )
    if request.method == "POST":
        form = SourceForm(request.POST, office=office, kind=kind)
        if form.is_valid():
            try:
                source = source_create(
                    actor=request.user,
                    office=office,
                    kind=kind,
                    name=form.cleaned_data["name"],
                    config=form.config(),
                    poll_interval_minutes=form.cleaned_data["poll_interval_minutes"],
                )
            except MonitoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Sumber “%(name)s” ditambahkan; pengambilan pertama berjalan dalam satu menit.")
                    % {"name": source.name},
                )
                return _back(office)
    else:
        form = SourceForm(office=office, kind=kind)
    return _form_page(request, office, form)


@office_view("monitoring.manage_sources")
def source_edit(request: AuthenticatedHttpRequest, office: Office, source_id: int) -> HttpResponse:
    source = _source_of(request, office, source_id)
    if source.kind not in POLLED_KINDS:
        raise Http404("a source filled by files or the API has nothing to set")
    if request.method == "POST":
        form = SourceForm(request.POST, office=office, kind=source.kind, source=source)
        if form.is_valid():
            try:
                source_update(
                    actor=request.user,
                    source=source,
                    name=form.cleaned_data["name"],
                    config=form.config(),
                    poll_interval_minutes=form.cleaned_data["poll_interval_minutes"],
                )
            except MonitoringError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Sumber “%(name)s” disimpan.") % {"name": source.name})
                return _back(office)
    else:
        form = SourceForm(office=office, kind=source.kind, source=source)
    return _form_page(request, office, form, source=source)


@require_POST
@office_view("monitoring.manage_sources")
def source_run(request: AuthenticatedHttpRequest, office: Office, source_id: int) -> HttpResponse:
    source = _source_of(request, office, source_id)
    try:
        queued = source_run_now(actor=request.user, source=source)
    except MonitoringError as exc:
        messages.error(request, str(exc))
        return _back(office)
    if queued:
        messages.success(
            request,
            _("Sumber “%(name)s” sedang diambil; muat ulang halaman ini sebentar lagi.")
            % {"name": source.name},
        )
    else:
        messages.info(
            request, _("Sumber “%(name)s” sedang berjalan; tunggu sampai selesai.") % {"name": source.name}
        )
    return _back(office)


@require_POST
@office_view("monitoring.manage_sources")
def source_activate_view(request: AuthenticatedHttpRequest, office: Office, source_id: int) -> HttpResponse:
    source = source_activate(actor=request.user, source=_source_of(request, office, source_id))
    messages.success(request, _("Sumber “%(name)s” diaktifkan.") % {"name": source.name})
    return _back(office)


@require_POST
@office_view("monitoring.manage_sources")
def source_deactivate_view(request: AuthenticatedHttpRequest, office: Office, source_id: int) -> HttpResponse:
    source = source_deactivate(actor=request.user, source=_source_of(request, office, source_id))
    messages.success(
        request,
        _("Sumber “%(name)s” dinonaktifkan; item yang sudah masuk tetap tersimpan.") % {"name": source.name},
    )
    return _back(office)
