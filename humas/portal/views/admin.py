"""The Portal module of the back office: write, review, schedule, publish and withdraw articles."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.blackouts.services import blackout_refusal
from humas.core import workflow
from humas.library.cardpage import portal_address
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..forms import ApproveForm, ArticleForm, ReasonForm, initial_from
from ..images import ImageRejected
from ..models import Article, ArticleType, ArticleVersion, Verdict
from ..selectors import article_get_for_actor, article_list_for_office, article_view_count
from ..seo import absolute_for
from ..services import (
    EDITABLE_BY_AUTHOR,
    WorkflowError,
    article_actions,
    article_approve,
    article_create,
    article_policy_report,
    article_reject,
    article_submit,
    article_unpublish,
    article_update,
)


@office_view("content.view")
def article_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    status = request.GET.get("status", "")
    articles = article_list_for_office(actor=request.user, office=office, status=status)
    page = Paginator(articles, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/admin/list.html",
        {
            "office": office,
            "page": page,
            "status": status,
            "statuses": Article.Status.choices,
            "can_draft": policy.can(request.user, "content.draft", office),
            "nav_active": "portal",
        },
    )


@office_view("content.draft")
def article_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        zone=office.zoneinfo,
        office=office,
        initial={"type": request.GET.get("type", "berita")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: an uploaded cover is stored only if the article is saved too.
            with transaction.atomic():
                data = form.to_input()
                data.cover = form.cover_for(actor=request.user)
                article = article_create(actor=request.user, office=office, data=data)
        except WorkflowError as exc:
            form.add_error(None, str(exc))
        except ImageRejected as exc:
            form.add_error("cover_file", exc)
        else:
            messages.success(request, _("Draf disimpan."))
            return redirect("portal_admin:detail", office_slug=office.slug, article_id=article.pk)
    return render(
        request,
        "portal/admin/edit.html",
        {"office": office, "form": form, "nav_active": "portal"},
        status=400 if form.errors else 200,
    )


@office_view("content.view")
def article_edit(request: AuthenticatedHttpRequest, office: Office, article_id: int) -> HttpResponse:
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    if request.method == "POST":
        form = ArticleForm(
            request.POST,
            request.FILES,
            zone=office.zoneinfo,
            office=office,
            current_cover_id=article.cover_id,
            published=article.status == Article.Status.PUBLISHED,
        )
        if form.is_valid():
            try:
                with transaction.atomic():
                    data = form.to_input()
                    data.cover = form.cover_for(actor=request.user)
                    article_update(
                        actor=request.user,
                        article=article,
                        data=data,
                        typo_correction=bool(form.cleaned_data.get("typo_correction")),
                    )
            except WorkflowError as exc:
                form.add_error(None, str(exc))
            except ImageRejected as exc:
                form.add_error("cover_file", exc)
            else:
                messages.success(request, _("Perubahan disimpan sebagai versi baru."))
                return redirect("portal_admin:detail", office_slug=office.slug, article_id=article.pk)
    else:
        # Refuse the form (403, as the save would) to whoever article_update would refuse.
        action = workflow.edit_permission(article.status, EDITABLE_BY_AUTHOR)
        policy.require(request.user, action, article.office)
        form = ArticleForm(
            initial=initial_from(article, office.zoneinfo),
            zone=office.zoneinfo,
            office=office,
            current_cover_id=article.cover_id,
            published=article.status == Article.Status.PUBLISHED,
        )
    return render(
        request,
        "portal/admin/edit.html",
        {"office": office, "form": form, "article": article, "nav_active": "portal"},
        status=400 if form.errors else 200,
    )


@office_view("content.view")
def article_detail(request: AuthenticatedHttpRequest, office: Office, article_id: int) -> HttpResponse:
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    # A blackout window that stops publishing this article now (the approver may schedule it after).
    refusal = blackout_refusal(
        office=office, at=timezone.now(), clarification=article.type == ArticleType.KLARIFIKASI
    )
    # The guideline's findings while the article is being written or reviewed.
    report = article_policy_report(article=article) if article.status in GUIDELINE_STATUSES else None
    can_override = policy.can(request.user, "content.policy_override", office)
    ask = ""
    if report is not None and report.findings:
        ask = "block" if report.blocks else "warn"
        if ask == "block" and not can_override:
            ask = ""
    return render(
        request,
        "portal/admin/detail.html",
        {
            "office": office,
            "article": article,
            "nav_active": "portal",
            "versions": article.versions.select_related("created_by", "approved_by")[:50],
            # The buttons shown are the actions the services would let this person perform.
            "actions": article_actions(actor=request.user, article=article),
            # "Bagikan ke kanal" (publishing:from_article) drafts a post of this office from it.
            "can_share": article.status == Article.Status.PUBLISHED
            and policy.can(request.user, "content.draft", office),
            "approve_form": ApproveForm(
                zone=office.zoneinfo,
                override=bool(refusal) and policy.can(request.user, "blackout.override", office),
                guideline=ask,
            ),
            "guideline": report,
            "can_override_guideline": can_override,
            "blackout_refusal": refusal,
            "reason_form": ReasonForm(),
            "views": article_view_count(article=article),
            # "Buat kartu klarifikasi": the media library's card maker, filled in from the article.
            "card_query": _card_query(article) if article.type == ArticleType.KLARIFIKASI else "",
        },
    )


GUIDELINE_STATUSES = frozenset(
    {Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.REJECTED, Article.Status.UNPUBLISHED}
)


def _card_query(article: Article) -> str:
    """The card maker's query string for a clarification card of ``article``."""
    claim = " ".join((article.claim or article.title).split())
    values = {
        "template": "klarifikasi",
        "size": "1080x1080",
        "title": claim[:200].rsplit(" ", 1)[0] if len(claim) > 200 else claim,
        "body": " ".join(article.summary.split())[:600],
        "verdict": article.verdict,
        "stage": article.election_stage,
        "footer": portal_address(article.office),
    }
    return urlencode({key: value for key, value in values.items() if value})


@office_view("content.view")
def article_preview(request: AuthenticatedHttpRequest, office: Office, article_id: int) -> HttpResponse:
    """The public page as it will look, for staff only; never cached, never counted."""
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    response = render(
        request,
        "portal/article.html",
        {
            "office": office,
            "article": article,
            "type_label": article.get_type_display(),
            "preview": True,
            "related": [],
            "tags": list(article.tags.all()),
            "article_views": article_view_count(article=article),
            "verdict_label": Verdict(article.verdict).label if article.verdict else "",
            "canonical": absolute_for(request)(article.get_absolute_url()),
        },
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@office_view("content.view")
def article_version(
    request: AuthenticatedHttpRequest, office: Office, article_id: int, number: int
) -> HttpResponse:
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    version = (
        ArticleVersion.objects.filter(article=article, number=number).select_related("created_by").first()
    )
    if version is None:
        raise Http404("version")
    return render(
        request,
        "portal/admin/version.html",
        {"office": office, "article": article, "version": version, "nav_active": "portal"},
    )


def _act(request: AuthenticatedHttpRequest, office: Office, article_id: int, action: str) -> HttpResponse:
    article = article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    try:
        if action == "submit":
            article_submit(
                actor=request.user, article=article, policy_reason=request.POST.get("policy_reason", "")
            )
            messages.success(request, _("Dikirim untuk ditinjau."))
        elif action == "approve":
            form = ApproveForm(request.POST, zone=office.zoneinfo, guideline="warn")
            if not form.is_valid():
                messages.error(request, " ".join(str(e) for e in form.errors.get("publish_at", [])))
            else:
                result = article_approve(
                    actor=request.user,
                    article=article,
                    publish_at=form.cleaned_data["publish_at"],
                    blackout_override=form.cleaned_data.get("blackout_override", ""),
                    policy_reason=form.cleaned_data.get("policy_reason", ""),
                )
                messages.success(
                    request, _("Terjadwal.") if result.status == Article.Status.SCHEDULED else _("Terbit.")
                )
        elif action in ("reject", "unpublish"):
            reason_form = ReasonForm(request.POST)
            reason = reason_form.cleaned_data["reason"] if reason_form.is_valid() else ""
            if action == "reject":
                article_reject(actor=request.user, article=article, reason=reason)
                messages.success(request, _("Ditolak dan dikembalikan ke penulis."))
            else:
                article_unpublish(actor=request.user, article=article, reason=reason)
                messages.success(request, _("Artikel ditarik dari portal."))
    except WorkflowError as exc:
        messages.error(request, str(exc))
    except policy.PolicyDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    return redirect("portal_admin:detail", office_slug=office.slug, article_id=article.pk)


@require_POST
@office_view("content.view")
def article_action(
    request: AuthenticatedHttpRequest, office: Office, article_id: int, action: str
) -> HttpResponse:
    if action not in ("submit", "approve", "reject", "unpublish"):
        raise Http404(action)
    return _act(request, office, article_id, action)
