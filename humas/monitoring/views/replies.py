"""The replies page of an office (and the offices below it): the replies Humas prepared for
comments on the offices' own channels, sent only when a person confirms them — all at once or
one by one — or discarded; and what became of those already sent."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web import paging

from ..models import Reply
from ..replies import ReplyError, replies_confirm, reply_discard, reply_get_for_office, reply_list_for_office

# Prepared replies are all shown (up to this many), so "send all" sends what the person saw.
PREPARED_SHOWN = 200
HISTORY_PAGE_SIZE = 50


@office_view("monitoring.view")
def reply_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    replies = reply_list_for_office(actor=request.user, office=office)
    prepared = list(replies.filter(status=Reply.Status.PREPARED)[:PREPARED_SHOWN])
    history = Paginator(replies.exclude(status=Reply.Status.PREPARED), HISTORY_PAGE_SIZE).get_page(
        paging.page_number(request.GET.get("page"))
    )
    return render(
        request,
        "monitoring/replies.html",
        {
            "office": office,
            "prepared": prepared,
            "prepared_more": len(prepared) == PREPARED_SHOWN,
            "page": history,
            "can_triage": policy.can(request.user, "monitoring.triage", office),
            "nav_active": "monitoring",
        },
    )


def _to_list(office: Office) -> HttpResponse:
    return redirect("monitoring:replies", office_slug=office.slug)


def _confirm(request: AuthenticatedHttpRequest, office: Office, ids: list[int]) -> HttpResponse:
    count = replies_confirm(actor=request.user, office=office, reply_ids=ids)
    if count:
        messages.success(
            request,
            ngettext("%(n)d balasan sedang dikirim.", "%(n)d balasan sedang dikirim.", count) % {"n": count},
        )
    else:
        messages.info(
            request, _("Tidak ada balasan yang dapat dikirim; mungkin sudah dikirim atau dibatalkan.")
        )
    return _to_list(office)


@require_POST
@office_view("monitoring.triage")
def replies_send(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """ "Kirim semua yang disiapkan": the prepared replies the page listed."""
    ids = [
        int(raw) for raw in request.POST.getlist("reply") if raw.isascii() and raw.isdigit() and len(raw) < 19
    ]
    return _confirm(request, office, ids)


@require_POST
@office_view("monitoring.triage")
def reply_send_one(request: AuthenticatedHttpRequest, office: Office, reply_id: int) -> HttpResponse:
    return _confirm(request, office, [reply_id])


@require_POST
@office_view("monitoring.triage")
def reply_discard_one(request: AuthenticatedHttpRequest, office: Office, reply_id: int) -> HttpResponse:
    try:
        reply = reply_get_for_office(actor=request.user, office=office, reply_id=reply_id)
        reply_discard(actor=request.user, reply=reply)
    except ReplyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Balasan dibatalkan; tidak akan dikirim."))
    return _to_list(office)
