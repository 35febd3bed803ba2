from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PATH_SEPARATOR, Membership, Office


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
        cast(forms.ChoiceField, self.fields["office"]).choices = office_choices(offices)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r, Membership.Role(r).label) for r in roles]


Choices = list[tuple[str, Any]]


def office_choices(offices: list[Office]) -> Choices:
    """``offices`` (in tree order) as choices grouped by province: the offices above any province
    first on their own, then one group per province, named after it, with the province first and
    every office below it. A single office needs no group."""
    if len(offices) < 2:
        return [(o.slug, o.name) for o in offices]
    top: Choices = []
    groups: dict[str, Choices] = {}
    names: dict[str, str] = {}
    for office in offices:
        codes = [part for part in office.path.split(PATH_SEPARATOR) if part]
        if len(codes) < 2:
            top.append((office.slug, office.name))
            continue
        province = codes[1]
        groups.setdefault(province, []).append((office.slug, office.name))
        if len(codes) == 2:
            names[province] = office.name
    missing = [code for code in groups if code not in names]
    if missing:  # an inviter below a province: its name from the tree
        names.update(Office.objects.filter(code__in=missing).values_list("code", "name"))
    return top + [(names.get(code, code), choices) for code, choices in groups.items()]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Peran"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r, Membership.Role(r).label) for r in roles]
