from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from humas.core.http import AuthenticatedHttpRequest
from humas.core.officecontext import office_view
from humas.offices.models import Office

from .selectors import audit_list_for_office


@office_view("audit.view")
def audit_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    action = request.GET.get("action", "").strip()[:64]
    events = audit_list_for_office(actor=request.user, office=office, action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"office": office, "page": page, "action": action})
