from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from humas.blackouts.services import OVERRIDE_REASON_MAX
from humas.channels.models import Channel
from humas.core.stages import ElectionStage

from .services import CAMPAIGN_MAX, MAX_TEXT, RETURN_REASON_MAX, WITHDRAWAL_REASON_MAX

CAMPAIGN_LIST_ID = "campaign-names"  # the <datalist> of campaigns already in use (edit.html)


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Teks"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}), strip=True
    )
    link = forms.URLField(label=_("Tautan (opsional)"), required=False, max_length=500, assume_scheme="https")
    scheduled_at = forms.DateTimeField(
        label=_("Jadwal terbit (opsional)"),
        required=False,
        help_text=_("Waktu kantor ini. Kosongkan untuk menerbitkan segera setelah disetujui."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    is_clarification = forms.BooleanField(
        label=_("Ini klarifikasi hoaks"),
        required=False,
        help_text=_(
            "Klarifikasi boleh terbit saat masa jeda yang mengecualikan klarifikasi. Termasuk yang "
            "disetujui: penyetuju memeriksanya."
        ),
    )
    channels = forms.ModelMultipleChoiceField(
        label=_("Kanal tujuan"),
        queryset=Channel.objects.none(),
        required=False,  # a draft may be saved without; sending it for review needs one
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kanal termasuk yang disetujui: menambah atau mengurangi kanal perlu persetujuan lagi."),
    )
    campaign = forms.CharField(
        label=_("Kampanye (opsional)"),
        required=False,
        max_length=CAMPAIGN_MAX + 1,  # a leading # is dropped by the service
        widget=forms.TextInput(attrs={"list": CAMPAIGN_LIST_ID, "autocomplete": "off"}),
        help_text=_(
            "Nama kampanye atau tagar tanpa #, misalnya AyoKeTPS. Pakai nama yang sama dengan kantor "
            "atasan agar kampanye bersama dapat diikuti di kalender. Tidak perlu persetujuan ulang."
        ),
    )
    election_stage = forms.ChoiceField(
        label=_("Tahapan pemilu (opsional)"),
        required=False,
        choices=[("", "—"), *ElectionStage.choices],
    )

    def __init__(self, *args: object, channels: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]


class PublishForm(forms.Form):
    channels = forms.ModelMultipleChoiceField(
        label=_("Kanal"), queryset=Channel.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    # Only offered to an Administrator while a blackout window would stop this post.
    blackout_override = forms.CharField(
        label=_("Alasan menerbitkan saat masa jeda"),
        required=False,
        max_length=OVERRIDE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Tercatat di log audit bersama nama Anda."),
    )

    def __init__(self, *args: object, channels: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan penarikan"),
        max_length=WITHDRAWAL_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tercatat di log audit dan tampil di halaman unggahan."),
        error_messages={"required": _("Tuliskan alasan penarikan.")},
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan dikembalikan"),
        max_length=RETURN_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Penulis menerima alasan ini dan melihatnya di halaman unggahan."),
        error_messages={"required": _("Tuliskan alasan pengembalian.")},
    )
