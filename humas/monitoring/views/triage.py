"""The triage desk: the narrative queue of an office, a narrative's page, the triage actions
(assign, status, route, merge, split) and the evidence download."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.portal.models import Article
from humas.web import paging

from ..evidence import evidence_write
from ..forms_triage import AssignForm, MergeForm, QueueFilterForm, RouteForm, SplitForm, StatusForm
from ..models import Narrative
from ..selectors_triage import (
    MERGE_CANDIDATES,
    QUEUE_PAGE_SIZE,
    SPLIT_VARIANTS,
    VARIANTS_PAGE_SIZE,
    VARIANTS_SHOWN,
    claim_link,
    merge_candidates,
    narrative_exports,
    narrative_get_for_actor,
    narrative_history,
    narrative_queue,
    narrative_regions,
    narrative_suggestions,
    narrative_timeline,
    narrative_top_items,
    narrative_variants,
    platforms_of,
    queue_offices,
    queue_rows,
    risk_level,
    route_targets,
    triage_people,
)
from ..triage import (
    TriageError,
    narrative_assign,
    narrative_route,
    narrative_split,
    narrative_status_set,
    narratives_merge,
)
from .downloads import evidence_download_response


def _narrative(request: AuthenticatedHttpRequest, office: Office, narrative_id: int) -> Narrative:
    """The narrative in the office's subtree, or 404 (a narrative of another office is not there)."""
    narrative = narrative_get_for_actor(actor=request.user, office=office, narrative_id=narrative_id)
    if narrative is None:
        raise Http404("narrative")
    return narrative


def _triage(request: AuthenticatedHttpRequest, office: Office, narrative_id: int) -> Narrative:
    """The narrative, which the person must be able to triage (403 otherwise), and not merged."""
    narrative = _narrative(request, office, narrative_id)
    policy.require(request.user, "monitoring.triage", narrative.office)
    if narrative.merged_into_id is not None:
        raise Http404("merged narrative")
    return narrative


def _to_detail(office: Office, narrative: Narrative) -> HttpResponse:
    return redirect("monitoring:narrative", office_slug=office.slug, narrative_id=narrative.pk)


def _replies_url(office: Office) -> str:
    try:
        return reverse("monitoring:replies", kwargs={"office_slug": office.slug})
    except NoReverseMatch:
        return ""


@office_view("monitoring.view")
def queue(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    offices = queue_offices(office=office)
    form = QueueFilterForm(request.GET or None, offices=offices)
    narratives = narrative_queue(actor=request.user, office=office, filters=form.filters(), offices=offices)
    page = Paginator(narratives, QUEUE_PAGE_SIZE).get_page(paging.page_number(request.GET.get("page")))
    return render(
        request,
        "monitoring/queue.html",
        {
            "office": office,
            "form": form,
            "page": page,
            "rows": queue_rows(list(page.object_list)),
            "nav_active": "monitoring",
        },
    )


def _shareable_clarification(user: User, narrative: Narrative) -> int | None:
    if not policy.can(user, "content.draft", narrative.office):
        return None
    wanted = [narrative.clarification_article_id]
    if narrative.claim_id is not None and narrative.claim is not None:
        wanted.append(narrative.claim.article_id)
    published = set(
        Article.objects.filter(
            pk__in=[pk for pk in wanted if pk], office=narrative.office, status=Article.Status.PUBLISHED
        ).values_list("pk", flat=True)
    )
    return next((pk for pk in wanted if pk in published), None)


@office_view("monitoring.view")
def narrative_detail(request: AuthenticatedHttpRequest, office: Office, narrative_id: int) -> HttpResponse:
    narrative = _narrative(request, office, narrative_id)
    if narrative.merged_into_id is not None:
        merged_into = narrative_get_for_actor(
            actor=request.user, office=office, narrative_id=narrative.merged_into_id
        )
        if merged_into is not None:
            messages.info(request, _("Narasi ini sudah digabungkan ke narasi berikut."))
            return _to_detail(office, merged_into)
    can_triage = narrative.merged_into_id is None and policy.can(
        request.user, "monitoring.triage", narrative.office
    )
    variants = list(narrative_variants(narrative=narrative)[: VARIANTS_SHOWN + 1])
    risk_key, risk_label = risk_level(narrative.risk)
    context = {
        "office": office,
        "narrative": narrative,
        "risk_key": risk_key,
        "risk_label": risk_label,
        "variants": variants[:VARIANTS_SHOWN],
        "more_variants": len(variants) > VARIANTS_SHOWN,
        "timeline": narrative_timeline(narrative=narrative),
        "platforms": platforms_of(narrative),
        "regions": narrative_regions(narrative=narrative),
        "top_items": narrative_top_items(narrative=narrative),
        "claim_link": claim_link(narrative.claim),
        "suggestions": narrative_suggestions(narrative=narrative) if narrative.claim_id is None else [],
        "history": narrative_history(narrative=narrative),
        "alerts": list(narrative.alerts.order_by("-created_at")[:5]),
        "exports": narrative_exports(narrative=narrative),
        "can_triage": can_triage,
        # "Buat klarifikasi" drafts a portal article in the narrative's office.
        "can_clarify": can_triage and policy.can(request.user, "content.draft", narrative.office),
        "replies_url": _replies_url(office) if can_triage else "",
        # "Bagikan klarifikasi ke kanal": a draft post of the narrative's office from its published
        # clarification (drafted from it, or the office's own one it matched).
        "share_article_id": _shareable_clarification(request.user, narrative),
        "nav_active": "monitoring",
    }
    if can_triage:
        context["assign_form"] = AssignForm(
            initial={"assignee": narrative.assignee_id}, people=triage_people(office=narrative.office)
        )
        context["status_form"] = StatusForm(initial={"status": narrative.status})
        # A regency's people reach no other office: routing is for the offices above.
        context["can_route"] = route_targets(actor=request.user, narrative=narrative).exists()
    return render(request, "monitoring/narrative.html", context)


@office_view("monitoring.view")
def narrative_variant_list(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _narrative(request, office, narrative_id)
    page = Paginator(narrative_variants(narrative=narrative), VARIANTS_PAGE_SIZE).get_page(
        paging.page_number(request.GET.get("page"))
    )
    return render(
        request,
        "monitoring/narrative_variants.html",
        {"office": office, "narrative": narrative, "page": page, "nav_active": "monitoring"},
    )


@require_POST
@office_view("monitoring.triage")
def narrative_assign_view(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _triage(request, office, narrative_id)
    form = AssignForm(request.POST, people=triage_people(office=narrative.office))
    if not form.is_valid():
        messages.error(request, _("Pilih orang yang dapat menangani narasi di kantor ini."))
        return _to_detail(office, narrative)
    assignee = form.cleaned_data["assignee"]
    try:
        narrative_assign(actor=request.user, narrative=narrative, assignee=assignee)
    except TriageError as exc:
        messages.error(request, str(exc))
    else:
        if assignee is None:
            messages.success(request, _("Narasi ini tidak lagi ditugaskan kepada siapa pun."))
        else:
            messages.success(
                request, _("Narasi ditugaskan kepada %(person)s.") % {"person": assignee.get_full_name()}
            )
    return _to_detail(office, narrative)


@require_POST
@office_view("monitoring.triage")
def narrative_status_view(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _triage(request, office, narrative_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Status narasi tidak dikenal."))
        return _to_detail(office, narrative)
    try:
        updated = narrative_status_set(
            actor=request.user, narrative=narrative, status=form.cleaned_data["status"]
        )
    except TriageError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Status narasi: %(status)s.") % {"status": updated.get_status_display()})
    return _to_detail(office, narrative)


@require_http_methods(["GET", "POST"])
@office_view("monitoring.triage")
def narrative_route_view(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _triage(request, office, narrative_id)
    targets = route_targets(actor=request.user, narrative=narrative)
    form = RouteForm(request.POST if request.method == "POST" else None, offices=targets)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["office"]
        try:
            routed = narrative_route(
                actor=request.user, narrative=narrative, office=target, note=form.cleaned_data["note"]
            )
        except TriageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Narasi diteruskan ke %(office)s.") % {"office": target.name})
            if routed.office.is_same_or_below(office):
                return _to_detail(office, routed)
            return redirect("monitoring:queue", office_slug=office.slug)
    return render(
        request,
        "monitoring/narrative_route.html",
        {
            "office": office,
            "narrative": narrative,
            "form": form,
            "has_targets": targets.exists(),
            "nav_active": "monitoring",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@office_view("monitoring.triage")
def narrative_merge_view(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _triage(request, office, narrative_id)
    query = " ".join(request.GET.get("q", "").split())[:100]
    form = MergeForm(
        request.POST if request.method == "POST" else None,
        candidates=merge_candidates(office=office, narrative=narrative),
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["narratives"])
        try:
            narratives_merge(actor=request.user, target=narrative, others=chosen)
        except TriageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d narasi digabungkan ke narasi ini.",
                    "%(n)d narasi digabungkan ke narasi ini.",
                    len(chosen),
                )
                % {"n": len(chosen)},
            )
            return _to_detail(office, narrative)
    shown = list(merge_candidates(office=office, narrative=narrative, query=query)[:MERGE_CANDIDATES])
    chosen_ids = {str(pk) for pk in request.POST.getlist("narratives")}
    return render(
        request,
        "monitoring/narrative_merge.html",
        {
            "office": office,
            "narrative": narrative,
            "form": form,
            "candidates": [(n, risk_level(n.risk)[1], str(n.pk) in chosen_ids) for n in shown],
            "query": query,
            "nav_active": "monitoring",
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@office_view("monitoring.triage")
def narrative_split_view(
    request: AuthenticatedHttpRequest, office: Office, narrative_id: int
) -> HttpResponse:
    narrative = _triage(request, office, narrative_id)
    variants = narrative_variants(narrative=narrative)
    form = SplitForm(request.POST if request.method == "POST" else None, variants=variants)
    if request.method == "POST" and form.is_valid():
        try:
            new = narrative_split(
                actor=request.user, narrative=narrative, variants=list(form.cleaned_data["variants"])
            )
        except TriageError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Variasi yang dipilih kini menjadi narasi baru ini."))
            return _to_detail(office, new)
    chosen_ids = {str(pk) for pk in request.POST.getlist("variants")}
    return render(
        request,
        "monitoring/narrative_split.html",
        {
            "office": office,
            "narrative": narrative,
            "form": form,
            "variants": [(v, str(v.pk) in chosen_ids) for v in variants[:SPLIT_VARIANTS]],
            "more_variants": narrative.variant_count > SPLIT_VARIANTS,
            "limit": SPLIT_VARIANTS,
            "nav_active": "monitoring",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@office_view("monitoring.triage")
def evidence_download(request: AuthenticatedHttpRequest, office: Office, narrative_id: int) -> HttpResponse:
    """Build the narrative's evidence ZIP and send it; the export is recorded with its hash."""
    narrative = _triage(request, office, narrative_id)
    return evidence_download_response(
        lambda out: evidence_write(actor=request.user, narrative=narrative, out=out)
    )
