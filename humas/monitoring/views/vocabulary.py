"""The election vocabulary of an office: what it inherits, what it adds, what it excludes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..models import RelevanceRule
from ..vocabulary import (
    COMMISSION_TERMS,
    ELECTION_TERMS,
    PHRASE_MAX,
    relevance_rule_add,
    relevance_rule_remove,
    relevance_rules_for_office,
)


class RuleForm(forms.Form):
    phrase = forms.CharField(
        label=gettext_lazy("Kata atau frasa"),
        max_length=PHRASE_MAX,
        help_text=gettext_lazy("Misalnya nama calon, nama kecamatan, atau singkatan yang dipakai warga."),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Aturan"), choices=RelevanceRule.Action.choices, initial=RelevanceRule.Action.ADD
    )


@office_view("monitoring.view")
@require_http_methods(["GET", "POST"])
def vocabulary(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_manage = policy.can(request.user, "monitoring.manage_sources", office)
    form = RuleForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "monitoring.manage_sources", office)
        if form.is_valid():
            try:
                relevance_rule_add(
                    actor=request.user,
                    office=office,
                    phrase=form.cleaned_data["phrase"],
                    action=form.cleaned_data["action"],
                )
            except ValueError as error:
                form.add_error("phrase", str(error))
            else:
                messages.success(request, _("Aturan disimpan. Item baru dinilai dengan istilah ini."))
                return redirect("monitoring:vocabulary", office_slug=office.slug)
    rules = relevance_rules_for_office(actor=request.user, office=office)
    return render(
        request,
        "monitoring/vocabulary.html",
        {
            "office": office,
            "form": form,
            "own": [r for r in rules if not r.inherited],
            "inherited": [r for r in rules if r.inherited],
            "defaults": ELECTION_TERMS,
            "commission": COMMISSION_TERMS,
            "can_manage": can_manage,
            "nav_active": "monitoring",
        },
    )


@office_view("monitoring.manage_sources")
@require_POST
def vocabulary_remove(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    if relevance_rule_remove(actor=request.user, office=office, phrase=request.POST.get("phrase", "")):
        messages.success(request, _("Aturan dihapus."))
    return redirect("monitoring:vocabulary", office_slug=office.slug)
