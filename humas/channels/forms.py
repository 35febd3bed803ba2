from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Platform
from .services import ChannelInput


class OfficialAccountForm(forms.Form):
    # The office's own portal is a channel Humas creates itself (publishing.portal_channel).
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[c for c in Platform.choices if c[0] != Platform.PORTAL]
    )
    name = forms.CharField(label=_("Nama akun"), max_length=150)
    handle = forms.CharField(label=_("Nama pengguna (tanpa @)"), max_length=100, required=False)
    url = forms.URLField(label=_("Tautan akun"), max_length=300, assume_scheme="https")
    decree_reference = forms.CharField(
        label=_("Nomor keputusan penetapan akun resmi"),
        max_length=150,
        required=False,
        help_text=_("Mis. Keputusan KPU Kabupaten Jepara Nomor 12 Tahun 2026"),
    )
    decree_date = forms.DateField(
        label=_("Tanggal keputusan"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def to_input(self) -> ChannelInput:
        d = self.cleaned_data
        return ChannelInput(
            platform=d["platform"],
            name=d["name"],
            handle=d.get("handle", ""),
            url=d["url"],
            decree_reference=d.get("decree_reference", ""),
            decree_date=d.get("decree_date"),
        )


class ConnectForm(forms.Form):
    account_id = forms.CharField(label=_("ID akun / halaman / kanal"), max_length=100, required=False)
    token = forms.CharField(
        label=_("Token akses"),
        max_length=4096,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
