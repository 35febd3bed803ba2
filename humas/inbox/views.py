"""The inbox's saved replies in the back office: ``/app/<office>/kotak-masuk/balasan/``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from .forms import SavedReplyForm, TryForm
from .models import SavedReply
from .placeholders import PLACEHOLDERS
from .selectors import saved_replies_archived, saved_replies_filled, saved_reply_get_own
from .services import (
    InboxError,
    saved_reply_archive,
    saved_reply_create,
    saved_reply_restore,
    saved_reply_update,
)
from .suggest import suggest_replies


@office_view("inbox.view")
@require_GET
def saved_replies(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    usable = saved_replies_filled(actor=request.user, office=office)
    can_manage = policy.can(request.user, "inbox.manage_replies", office)
    trial = TryForm(request.GET if "pesan" in request.GET else None)
    suggestions = suggest_replies(trial.cleaned_data["pesan"], usable) if trial.is_valid() else None
    missing = sorted({name for item in usable for name in item.filled.missing})
    return render(
        request,
        "inbox/saved_replies.html",
        {
            "office": office,
            "nav_active": "settings",
            "own": [item for item in usable if item.own],
            "inherited": [item for item in usable if not item.own],
            "archived": saved_replies_archived(actor=request.user, office=office) if can_manage else [],
            "can_manage": can_manage,
            "can_edit_profile": policy.can(request.user, "office.update", office),
            "trial": trial,
            "suggestions": suggestions,
            "missing": [(name, PLACEHOLDERS[name][0]) for name in missing],
        },
    )


def _own(request: AuthenticatedHttpRequest, office: Office, reply_id: int) -> SavedReply:
    reply = saved_reply_get_own(actor=request.user, office=office, reply_id=reply_id)
    if reply is None:
        raise Http404("saved reply")
    return reply


@office_view("inbox.manage_replies")
@require_http_methods(["GET", "POST"])
def saved_reply_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = SavedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved_reply_create(actor=request.user, office=office, **form.values())
        except InboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Balasan tersimpan. Kantor di bawah kantor ini juga dapat memakainya.")
            )
            return redirect("inbox:saved_replies", office_slug=office.slug)
    return render(
        request,
        "inbox/saved_reply_form.html",
        {"office": office, "form": form, "reply": None, "nav_active": "settings"},
    )


@office_view("inbox.manage_replies")
@require_http_methods(["GET", "POST"])
def saved_reply_edit(request: AuthenticatedHttpRequest, office: Office, reply_id: int) -> HttpResponse:
    reply = _own(request, office, reply_id)
    form = SavedReplyForm(request.POST or None, initial=SavedReplyForm.initial_for(reply))
    if request.method == "POST" and form.is_valid():
        try:
            saved_reply_update(actor=request.user, reply=reply, **form.values())
        except InboxError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Balasan diperbarui."))
            return redirect("inbox:saved_replies", office_slug=office.slug)
    return render(
        request,
        "inbox/saved_reply_form.html",
        {"office": office, "form": form, "reply": reply, "nav_active": "settings"},
    )


@office_view("inbox.manage_replies")
@require_POST
def saved_reply_archive_view(
    request: AuthenticatedHttpRequest, office: Office, reply_id: int
) -> HttpResponse:
    reply = saved_reply_archive(actor=request.user, reply=_own(request, office, reply_id))
    messages.success(request, _("Balasan “%(title)s” diarsipkan.") % {"title": reply.title})
    return redirect("inbox:saved_replies", office_slug=office.slug)


@office_view("inbox.manage_replies")
@require_POST
def saved_reply_restore_view(
    request: AuthenticatedHttpRequest, office: Office, reply_id: int
) -> HttpResponse:
    try:
        reply = saved_reply_restore(actor=request.user, reply=_own(request, office, reply_id))
    except InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Balasan “%(title)s” dipakai lagi.") % {"title": reply.title})
    return redirect("inbox:saved_replies", office_slug=office.slug)
