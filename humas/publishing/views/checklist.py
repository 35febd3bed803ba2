"""The office's verification checklist, as its Administrator sets it (publishing/checklist.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..checklist import ITEMS_MAX, checklist_for, checklist_set
from ..errors import PublishingError


class ChecklistForm(forms.Form):
    items = forms.CharField(
        label=gettext_lazy("Butir daftar periksa, satu per baris"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy(
            "Penyetuju mencentang semuanya sebelum menyetujui unggahan. Kosongkan untuk memakai daftar "
            "kantor di atas."
        ),
    )


@office_view("checklist.manage")
def checklist_settings(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    current = checklist_for(office=office)
    own = current.set_at is not None and current.set_at.pk == office.pk
    form = ChecklistForm(request.POST or None, initial={"items": "\n".join(current.items) if own else ""})
    if request.method == "POST" and form.is_valid():
        try:
            checklist_set(actor=request.user, office=office, text=form.cleaned_data["items"])
        except PublishingError as exc:
            form.add_error("items", str(exc))
        else:
            messages.success(request, _("Daftar periksa disimpan."))
            return redirect("publishing:checklist", office_slug=office.slug)
    return render(
        request,
        "publishing/checklist.html",
        {
            "office": office,
            "form": form,
            "checklist": current,
            "own": own,
            "items_max": ITEMS_MAX,
            "can_manage": policy.can(request.user, "checklist.manage", office),
            "nav_active": "settings",
        },
    )
