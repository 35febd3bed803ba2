"""The impersonation watch of an office: the accounts seen imitating its official accounts (and
those of the offices below it), for an Editor or Administrator to declare fake — listed publicly
beside the official accounts — or not."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.channels.lookalikes import (
    lookalike_confirm,
    lookalike_dismiss,
    lookalike_get_for_office,
    lookalike_list_for_office,
)
from humas.channels.models import Lookalike
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web.paging import page_number

from ..evidence import lookalike_evidence_write
from ..models import EvidenceExport, Item
from .downloads import evidence_download_response

STATUS_PARAM = "status"
# What the scorer saw, as people read it (humas/textkit/lookalike.py's reason codes).
REASONS = {
    "display_name": gettext_lazy("nama tampilan meniru"),
    "decoration": gettext_lazy("ditambah kata seperti “official”/“resmi”"),
    "separator": gettext_lazy("tanda pemisah diubah"),
    "homoglyph": gettext_lazy("huruf yang mirip rupanya"),
    "digit_swap": gettext_lazy("angka menggantikan huruf"),
    "letter_edit": gettext_lazy("huruf ditambah, dihapus atau ditukar"),
    "edit_distance": gettext_lazy("ejaan nyaris sama"),
    "reorder": gettext_lazy("urutan kata ditukar"),
    "name_variant": gettext_lazy("nama tempat disingkat"),
    "type_word": gettext_lazy("kata kabupaten/kota/provinsi diubah"),
    "unknown_words": gettext_lazy("ada kata lain (bisa akun orang lain)"),
    "negative_word": gettext_lazy("kata parodi atau pemantau"),
    "other_body": gettext_lazy("nama lembaga lain"),
    "name_differs": gettext_lazy("nama tampilan menyebut orang lain"),
}


@office_view("monitoring.view")
def lookalike_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    status = request.GET.get(STATUS_PARAM, Lookalike.Status.FLAGGED)
    status = status if status in Lookalike.Status.values else Lookalike.Status.FLAGGED
    rows = lookalike_list_for_office(actor=request.user, office=office, status=status)
    page = Paginator(rows, 25).get_page(page_number(request.GET.get("page")))
    items = {
        i.pk: i
        for i in Item.objects.filter(pk__in=[pk for row in page for pk in row.item_ids[:3]])
        .defer("raw")
        .select_related("narrative")
    }
    exports: dict[int, EvidenceExport] = {}
    for export in EvidenceExport.objects.filter(lookalike__in=[row.pk for row in page]).order_by(
        "created_at"
    ):
        exports[export.lookalike_id or 0] = export  # the latest of each
    return render(
        request,
        "monitoring/lookalikes.html",
        {
            "office": office,
            "page": page,
            "rows": [
                (
                    row,
                    [str(REASONS.get(r, r)) for r in row.reasons],
                    [items[pk] for pk in row.item_ids[:3] if pk in items],
                    policy.can(request.user, "lookalike.decide", row.office),
                    exports.get(row.pk),
                )
                for row in page
            ],
            "status": status,
            "statuses": Lookalike.Status.choices,
            "can_triage": policy.can(request.user, "monitoring.triage", office),
            "nav_active": "monitoring",
        },
    )


@office_view("monitoring.view")
@require_POST
def lookalike_decide(request: AuthenticatedHttpRequest, office: Office, lookalike_id: int) -> HttpResponse:
    found = lookalike_get_for_office(actor=request.user, office=office, lookalike_id=lookalike_id)
    if found is None:
        raise Http404("lookalike")
    note = request.POST.get("catatan", "")
    if request.POST.get("keputusan") == "palsu":
        lookalike_confirm(actor=request.user, lookalike=found, note=note)
        messages.success(
            request,
            _("@%(handle)s ditandai akun palsu dan kini tercantum di portal.") % {"handle": found.handle},
        )
    elif request.POST.get("keputusan") == "bukan":
        lookalike_dismiss(actor=request.user, lookalike=found, note=note)
        messages.success(request, _("@%(handle)s dinyatakan bukan akun palsu.") % {"handle": found.handle})
    else:
        messages.error(request, _("Pilih keputusannya: akun palsu atau bukan."))
    back = request.POST.get(STATUS_PARAM, "")
    suffix = f"?{STATUS_PARAM}={back}" if back in Lookalike.Status.values else ""
    return redirect(reverse("monitoring:lookalikes", kwargs={"office_slug": office.slug}) + suffix)


@require_POST
@office_view("monitoring.triage")
def lookalike_evidence(request: AuthenticatedHttpRequest, office: Office, lookalike_id: int) -> HttpResponse:
    """The evidence ZIP of an account (the items it was seen in, the decision); recorded with its hash."""
    found = lookalike_get_for_office(actor=request.user, office=office, lookalike_id=lookalike_id)
    if found is None:
        raise Http404("lookalike")
    return evidence_download_response(
        lambda out: lookalike_evidence_write(actor=request.user, lookalike=found, out=out)
    )
