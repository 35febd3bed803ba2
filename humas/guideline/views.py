"""The public-relations guideline of an office (``/app/<office>/pedoman/``): every rule
with its examples and its severity here, the additions of the offices above and the office's
own (set by its Administrator), and a box to try a text against them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.textkit.contentpolicy import rule_examples

from .check import EXPLANATIONS, text_policy_report
from .models import GuidelineRules
from .rules import (
    GuidelineError,
    RulesInput,
    guideline_rules_set,
    layers_for,
    office_ruleset,
    rules_text,
    warn_rules,
)

FAMILY_LABELS = {
    "personal_data": gettext_lazy("Data pribadi"),
    "personal_greeting": gettext_lazy("Ucapan pribadi"),
    "partisan": gettext_lazy("Keberpihakan"),
    "unverified_figure": gettext_lazy("Angka tanpa sumber"),
    "non_official_link": gettext_lazy("Tautan tidak resmi"),
}
TRY_MAX = 5000


class RulesForm(forms.Form):
    candidates = forms.CharField(
        label=gettext_lazy("Calon di wilayah ini"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Satu per baris: Nama | nomor urut | nama lain, nama lain. Contoh: Budi Santoso | 1 | budi, mas budi"
        ),
    )
    parties = forms.CharField(
        label=gettext_lazy("Partai lokal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Satu per baris: Nama | nomor urut | nama lain. Contoh: Partai Aceh | 18 | pa"
        ),
    )
    support_phrases = forms.CharField(
        label=gettext_lazy("Frasa dukungan setempat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Satu per baris, dalam bahasa daerah pun boleh. Contoh: pilih ae"),
    )
    official_hosts = forms.CharField(
        label=gettext_lazy("Situs resmi lain"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Satu per baris. Contoh: jdih.kpu.go.id atau instagram.com/kpujepara"),
    )
    stricter = forms.MultipleChoiceField(
        label=gettext_lazy("Jadikan larangan (bukan hanya peringatan)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["stricter"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(rule, str(EXPLANATIONS.get(rule, rule))) for rule in warn_rules()]

    def data_input(self) -> RulesInput:
        data = self.cleaned_data
        return RulesInput(
            candidates=data["candidates"],
            parties=data["parties"],
            support_phrases=data["support_phrases"],
            official_hosts=data["official_hosts"],
            stricter=data["stricter"],
        )


class TryForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Coba teks"),
        max_length=TRY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Teks ini hanya diperiksa, tidak disimpan."),
    )


@office_view("content.view")
@require_http_methods(["GET", "POST"])
def guideline(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_manage = policy.can(request.user, "guideline.manage", office)
    own = GuidelineRules.objects.filter(office=office).first()
    initial = rules_text(own)
    rules_form = RulesForm(
        request.POST if request.method == "POST" and "save" in request.POST else None,
        initial=initial.__dict__ | {"stricter": list(initial.stricter)},
    )
    try_form = TryForm(request.POST if request.method == "POST" and "try" in request.POST else None)
    report = None
    if rules_form.is_bound:
        policy.require(request.user, "guideline.manage", office)
        if rules_form.is_valid():
            try:
                guideline_rules_set(actor=request.user, office=office, data=rules_form.data_input())
            except GuidelineError as exc:
                rules_form.add_error(None, str(exc))
            else:
                messages.success(request, _("Aturan pedoman kantor ini disimpan."))
                return redirect("guideline:page", office_slug=office.slug)
    if try_form.is_bound and try_form.is_valid():
        report = text_policy_report(
            office=office, texts=[(_("Teks yang dicoba"), "", try_form.cleaned_data["text"])]
        )
    ruleset = office_ruleset(office)
    examples = rule_examples()
    rules = [
        {
            "id": rule.id,
            "family": FAMILY_LABELS.get(rule.family, rule.family),
            "severity": rule.severity,
            "explanation": EXPLANATIONS.get(rule.id, ""),
            "flagged": examples.get(rule.id, {}).get("flagged", []),
            "innocent": examples.get(rule.id, {}).get("innocent", []),
        }
        for rule in ruleset.rules
    ]
    return render(
        request,
        "guideline/page.html",
        {
            "office": office,
            "rules": rules,
            "layers": layers_for(office, EXPLANATIONS),
            "rules_form": rules_form,
            "try_form": try_form,
            "guideline": report,
            "tried": report is not None,
            "can_manage": can_manage,
            "nav_active": "content",
        },
        status=400 if rules_form.errors or try_form.errors else 200,
    )
