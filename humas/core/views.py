from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.audit.models import AuditEvent
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.offices.officecontext import SESSION_KEY, office_view
from humas.offices.selectors import office_descendant_count, office_get_for_user, office_search_for_switcher
from humas.offices.tree import subtree

from .health import health_report, may_see_detail
from .selectors import audit_list_for_office


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send the user to the office they last worked in, or their first membership."""
    slug = request.session.get(SESSION_KEY)
    if slug:
        office = Office.objects.filter(slug=slug).first()
        if office is not None and policy.can(request.user, "office.view", office):
            return redirect("core:dashboard", office_slug=office.slug)
    first = policy.entry_offices(request.user).first()
    if first is None:
        return render(request, "core/no_office.html", status=403)
    return redirect("core:dashboard", office_slug=first.slug)


@office_view()
def dashboard(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    user = request.user
    recent_events = []
    if policy.can(user, "audit.view", office):
        recent_events = list(
            AuditEvent.objects.filter(subtree(office.path, field="office_path")).select_related("office")[:8]
        )
    context = {
        "office": office,
        "nav_active": "dashboard",
        "now": timezone.now(),
        "my_roles": sorted((Membership.Role(r).label for r in policy.roles_at(user, office)), key=str),
        "member_count": Membership.objects.filter(office=office).count(),
        "descendant_count": office_descendant_count(office=office),
        "children": list(office.children.order_by("name")[:12]) if office.depth < 2 else [],
        "recent_events": recent_events,
        "ancestors": list(Office.objects.filter(code__in=office.ancestor_codes).order_by("depth")),
    }
    return render(request, "core/dashboard.html", context)


@office_view()
def settings_index(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return render(request, "core/settings_index.html", {"office": office, "nav_active": "settings"})


@login_required
@require_POST
def switch_office(request: AuthenticatedHttpRequest) -> HttpResponse:
    slug = request.POST.get("office", "")
    office = office_get_for_user(actor=request.user, slug=slug)
    return redirect("core:dashboard", office_slug=office.slug)


@login_required
@require_GET
def office_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:80]
    offices = office_search_for_switcher(actor=request.user, query=query)
    return render(request, "core/_office_options.html", {"offices": offices, "query": query})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The overall status for anyone (load balancers); the checks only for superusers and monitors
    with the health token (they name the database, the queue backend and its backlog)."""
    ok, checks = health_report()
    body: dict[str, object] = {"status": "ok" if ok else "error"}
    if may_see_detail(
        user=getattr(request, "user", None), authorization=request.headers.get("Authorization", "")
    ):
        body["checks"] = checks
    response = JsonResponse(body, status=200 if ok else 503)
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _("Halaman yang Anda cari tidak ditemukan.")}, status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = (
        str(exception) if exception and str(exception) else _("Anda tidak memiliki akses ke halaman ini.")
    )
    return render(request, "403.html", {"message": message}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)


@require_GET
def language_link(request: HttpRequest, code: str) -> HttpResponse:
    """Switch language with a plain link, for public pages that may come from a shared cache
    (a POST form there would carry one visitor's CSRF token to everyone)."""
    if code not in {c for c, _label in settings.LANGUAGES}:
        raise Http404(code)
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=False,
    )
    return response


@office_view("audit.view")
def audit_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    action = request.GET.get("action", "").strip()[:64]
    events = audit_list_for_office(actor=request.user, office=office, action=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"office": office, "page": page, "action": action})
