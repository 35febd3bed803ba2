"""The tips an office received, for its monitoring desk: ``/app/<office>/monitoring/laporan-warga/``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render

from humas.accounts.http import AuthenticatedHttpRequest
from humas.media.storage import private_storage, read_bytes
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web.paging import page_number

from ..models import Tip
from ..selectors import tip_get_for_office, tip_item, tip_list_for_office

STATUS_PARAM = "status"


@office_view("monitoring.view")
def tip_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    status = request.GET.get(STATUS_PARAM, "")
    tips = tip_list_for_office(actor=request.user, office=office, status=status)
    page = Paginator(tips, 25).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "tipline/admin/tips.html",
        {
            "office": office,
            "page": page,
            "status": status if status in Tip.Status.values else "",
            "statuses": Tip.Status.choices,
            "nav_active": "monitoring",
        },
    )


def _tip(request: AuthenticatedHttpRequest, office: Office, reference: str) -> Tip:
    tip = tip_get_for_office(actor=request.user, office=office, reference=reference)
    if tip is None:
        raise Http404("tip")
    return tip


@office_view("monitoring.view")
def tip_detail(request: AuthenticatedHttpRequest, office: Office, reference: str) -> HttpResponse:
    tip = _tip(request, office, reference)
    return render(
        request,
        "tipline/admin/tip.html",
        {"office": office, "tip": tip, "item": tip_item(tip=tip), "nav_active": "monitoring"},
    )


@office_view("monitoring.view")
def tip_screenshot(
    request: AuthenticatedHttpRequest, office: Office, reference: str, number: int
) -> HttpResponse:
    tip = _tip(request, office, reference)
    shots = list(tip.screenshots.all())
    if not 1 <= number <= len(shots):
        raise Http404("screenshot")
    shot = shots[number - 1]
    response = HttpResponse(read_bytes(storage=private_storage(), name=shot.file), content_type=shot.mime)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{tip.reference}-{number}"'
    return response
