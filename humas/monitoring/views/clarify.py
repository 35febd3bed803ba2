""" "Buat Klarifikasi": a portal Klarifikasi drafted from a narrative."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.portal.models import Verdict
from humas.portal.services import WorkflowError

from ..clarify import narrative_clarification_draft
from ..selectors_triage import narrative_get_for_actor


class ClarifyForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Putusan"),
        choices=[c for c in Verdict.choices if c[0] != Verdict.BENAR],
        initial=Verdict.HOAKS,
        help_text=gettext_lazy("Putusan awal; dapat diubah di draf sebelum diajukan untuk ditinjau."),
    )


@office_view("monitoring.view")
@require_http_methods(["GET", "POST"])
def narrative_clarify(request: AuthenticatedHttpRequest, office: Office, narrative_id: int) -> HttpResponse:
    narrative = narrative_get_for_actor(actor=request.user, office=office, narrative_id=narrative_id)
    if narrative is None or narrative.merged_into_id is not None:
        raise Http404
    policy.require(request.user, "monitoring.triage", narrative.office)
    policy.require(request.user, "content.draft", narrative.office)
    if narrative.clarification_article_id is not None:
        return redirect(
            "portal_admin:edit",
            office_slug=narrative.office.slug,
            article_id=narrative.clarification_article_id,
        )
    form = ClarifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = narrative_clarification_draft(
                actor=request.user, narrative=narrative, verdict=form.cleaned_data["verdict"]
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Draf klarifikasi dibuat. Lengkapi penjelasannya lalu ajukan untuk ditinjau; "
                    "setelah terbit, narasi ini ditandai sudah diklarifikasi dan balasan disiapkan."
                ),
            )
            return redirect("portal_admin:edit", office_slug=narrative.office.slug, article_id=article.pk)
    return render(
        request,
        "monitoring/clarify.html",
        {"office": office, "narrative": narrative, "form": form, "nav_active": "monitoring"},
    )
