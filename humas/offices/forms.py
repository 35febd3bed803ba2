from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Membership, Office


class OfficeProfileForm(forms.ModelForm):
    website = forms.URLField(label=_("Situs web"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Office
        fields = ["address", "phone", "email", "website"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    full_name = forms.CharField(label=_("Nama lengkap"), max_length=150, required=False)
    office = forms.ChoiceField(label=_("Kantor"))
    role = forms.ChoiceField(label=_("Peran"))

    def __init__(self, *args: Any, offices: list[Office], roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["office"]).choices = [(o.slug, o.name) for o in offices]
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r, Membership.Role(r).label) for r in roles]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r, Membership.Role(r).label) for r in roles]
