"""Blackout periods in the back office: ``/app/<office>/masa-jeda/``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from .forms import BlackoutForm
from .models import Blackout
from .selectors import blackout_get_for_office, blackout_list_for_office
from .services import BlackoutError, blackout_cancel, blackout_create, blackout_update


@office_view("office.view")
def blackout_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    page = blackout_list_for_office(actor=request.user, office=office)
    return render(
        request,
        "blackouts/list.html",
        {
            "office": office,
            "page": page,
            "can_manage": policy.can(request.user, "blackout.manage", office),
            "nav_active": "settings",
        },
    )


def _own_window(request: AuthenticatedHttpRequest, office: Office, blackout_id: int) -> Blackout:
    window = blackout_get_for_office(actor=request.user, office=office, blackout_id=blackout_id)
    if window is None or window.office_id != office.pk:
        raise Http404("blackout")
    policy.require(request.user, "blackout.manage", office)
    return window


@office_view("blackout.manage")
@require_http_methods(["GET", "POST"])
def blackout_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = BlackoutForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            blackout_create(actor=request.user, office=office, **form.values())
        except BlackoutError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Masa jeda disimpan. Konten terjadwal di dalamnya ditahan dan kantornya diberi tahu."),
            )
            return redirect("blackouts:list", office_slug=office.slug)
    return render(
        request,
        "blackouts/form.html",
        {"office": office, "form": form, "window": None, "nav_active": "settings"},
    )


@office_view("blackout.manage")
@require_http_methods(["GET", "POST"])
def blackout_edit(request: AuthenticatedHttpRequest, office: Office, blackout_id: int) -> HttpResponse:
    window = _own_window(request, office, blackout_id)
    form = BlackoutForm(request.POST or None, office=office, initial=BlackoutForm.initial_for(window))
    if request.method == "POST" and form.is_valid():
        try:
            blackout_update(actor=request.user, blackout=window, **form.values())
        except BlackoutError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Masa jeda diperbarui."))
            return redirect("blackouts:list", office_slug=office.slug)
    return render(
        request,
        "blackouts/form.html",
        {"office": office, "form": form, "window": window, "nav_active": "settings"},
    )


@office_view("blackout.manage")
@require_POST
def blackout_cancel_view(request: AuthenticatedHttpRequest, office: Office, blackout_id: int) -> HttpResponse:
    window = _own_window(request, office, blackout_id)
    try:
        blackout_cancel(actor=request.user, blackout=window)
    except BlackoutError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Masa jeda dibatalkan. Konten yang ditahan dapat diterbitkan lagi."))
    return redirect("blackouts:list", office_slug=office.slug)
