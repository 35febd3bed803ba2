from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from humas.accounts.models import ApiToken


def _lifetime_choices() -> list[tuple[int, str]]:
    return [
        (days, ngettext_lazy("%(n)d hari", "%(n)d hari", days) % {"n": days})
        for days in ApiToken.LIFETIME_DAYS
    ]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nama"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("Untuk apa token ini, misalnya “skrip laporan mingguan”."),
    )
    scope = forms.ChoiceField(label=_("Cakupan"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.TypedChoiceField(
        label=_("Berlaku selama"), choices=_lifetime_choices, coerce=int, initial=ApiToken.LIFETIME_DAYS[1]
    )
