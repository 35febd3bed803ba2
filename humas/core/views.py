from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.audit.sentences import audit_describe
from humas.offices import policy
from humas.offices.models import Membership, Office
from humas.offices.officecontext import SESSION_KEY, activate_office, office_view
from humas.offices.selectors import (
    office_descendant_count,
    office_get_for_user,
    office_match_for_switcher,
    office_search_for_switcher,
)

from .extensions import highlights_for, todos_for
from .health import health_report, may_see_detail
from .selectors import AUDIT_KINDS, audit_list_for_office, audit_recent_for_office


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
    context = {
        "office": office,
        "nav_active": "dashboard",
        "now": timezone.now(),
        "my_roles": sorted((Membership.Role(r).label for r in policy.roles_at(user, office)), key=str),
        "member_count": Membership.objects.filter(office=office).count(),
        "descendant_count": office_descendant_count(office=office),
        "children": list(office.children.order_by("name")[:12]) if office.depth < 2 else [],
        "recent_events": audit_describe(audit_recent_for_office(actor=user, office=office)),
        "todos": todos_for(user, office),
        "highlights": highlights_for(user, office),
        # The offices above, linked only where this person may open them.
        "ancestors": [
            (ancestor, policy.can(user, "office.view", ancestor))
            for ancestor in Office.objects.filter(code__in=office.ancestor_codes).order_by("depth")
        ],
    }
    return render(request, "core/dashboard.html", context)


@office_view()
def settings_index(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return render(request, "core/settings_index.html", {"office": office, "nav_active": "settings"})


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page the switcher was on (when it is ours), else the back office's home."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return redirect(parts.path + (f"?{parts.query}" if parts.query else ""))
    return redirect("core:home")


@login_required
@require_POST
def switch_office(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open the office the switcher names. What was typed wins over the <select> (which always
    holds an office, the current one unless changed), except when it is that office's name (a
    suggestion picked with the script). One office the person may open: there; none or several:
    the page that says so and lists them. Never a 404."""
    typed = " ".join(request.POST.get("q", "").split())[:80]
    slug = request.POST.get("office", "").strip()
    picked = Office.objects.filter(slug=slug).first() if slug else None
    if picked is not None and (not typed or typed.casefold() == picked.name.casefold()):
        office = office_get_for_user(actor=request.user, slug=picked.slug)  # 403 if out of reach
        return redirect("core:dashboard", office_slug=office.slug)
    if not typed:
        messages.error(request, _("Ketik nama kantor atau pilih dari daftar."))
        return _back(request)
    matches = office_match_for_switcher(actor=request.user, text=typed)
    if matches.chosen is not None:
        return redirect("core:dashboard", office_slug=matches.chosen.slug)
    return redirect(f"{reverse('core:office_find')}?{urlencode({'q': typed})}")


@login_required
@require_GET
def office_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The offices a typed name matches, to pick one (the switcher's answer to a name that names
    none or several). A plain GET form: it works without JavaScript."""
    query = " ".join(request.GET.get("q", "").split())[:80]
    current = request.session.get(SESSION_KEY)
    if current:
        office = Office.objects.filter(slug=current).first()
        if office is not None and policy.can(request.user, "office.view", office):
            activate_office(request, office)  # the shell keeps the office the person works in
    matches = office_match_for_switcher(actor=request.user, text=query)
    return render(request, "core/office_find.html", {"query": query, "matches": matches})


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
    """The back office's 404: inside the shell for a signed-in person (in the office they work
    in, when the address named none), the plain page otherwise."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in and getattr(request, "office", None) is None and hasattr(request, "session"):
        office = Office.objects.filter(slug=request.session.get(SESSION_KEY) or "").first()
        if office is not None and policy.can(user, "office.view", office):
            request.office = office  # type: ignore[attr-defined]
    context = {
        "message": _("Halaman yang Anda cari tidak ditemukan."),
        "base_template": "shell.html" if signed_in else "base.html",
        "home_url": reverse("core:home") if signed_in else "/",
    }
    return render(request, "404.html", context, status=404)


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
    kind = request.GET.get("kind", "").strip()[:16]
    events = audit_list_for_office(actor=request.user, office=office, action=action, kind=kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = {
        "office": office,
        "nav_active": "settings",
        "page": page,
        "events": audit_describe(page.object_list),
        "action": action,
        "kind": kind,
        "kinds": [(key, label) for key, (label, _prefixes) in AUDIT_KINDS.items()],
    }
    return render(request, "core/audit_list.html", context)
