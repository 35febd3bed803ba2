from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Channel

from .services import MAX_TEXT


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


class PublishForm(forms.Form):
    channels = forms.ModelMultipleChoiceField(
        label=_("Kanal"), queryset=Channel.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, channels: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]
