"""Forms of the cascade pages: sending (the scope and deadline of reach_forms.py, the text and
its preview), the receiving office's answer (channels to adopt on, a reason to decline) and the
auto-publish setting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Channel
from humas.offices.models import Office
from humas.publishing.services import MAX_TEXT

from . import reach_forms
from .models import Cascade
from .reach_forms import ScopeForm


class CascadeForm(ScopeForm):
    Scope = Cascade.Scope
    field_order = ["scope", "province", "offices", "text", "deadline", "preview_office"]

    text = forms.CharField(
        label=_("Teks"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Kolom isian diganti untuk tiap kantor: {nama_kantor} nama kantornya, {kontak} telepon dan "
            "e-mail dari profil kantornya, {url_portal} alamat portalnya, {akun_resmi} akun resminya."
        ),
    )
    preview_office = forms.ModelChoiceField(
        label=_("Pratinjau untuk kantor"), queryset=Office.objects.none(), required=False, empty_label=None
    )

    def __init__(
        self, *args: Any, office: Office, receiving: QuerySet[Office], preview_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, office=office, receiving=receiving, **kwargs)
        if preview_url:
            # The preview follows the text and the office chosen (htmx); without JavaScript the
            # "Tampilkan pratinjau" button does the same.
            live = {"hx-post": preview_url, "hx-target": "#cascade-preview", "hx-swap": "innerHTML"}
            self.fields["text"].widget.attrs.update(
                live,
                **{
                    "hx-trigger": "input changed delay:500ms",
                    "hx-include": "[name='csrfmiddlewaretoken'],[name='preview_office']",
                    "aria-describedby": "fields-help",
                },
            )
            self.fields["preview_office"].widget.attrs.update(
                live,
                **{"hx-trigger": "change", "hx-include": "[name='csrfmiddlewaretoken'],[name='text']"},
            )
        self.fields["preview_office"].queryset = receiving  # type: ignore[attr-defined]


class PreviewForm(forms.Form):
    """The live preview: the text as it is being written, for one receiving office."""

    text = forms.CharField(max_length=MAX_TEXT, required=False, strip=False)
    preview_office = forms.ModelChoiceField(queryset=Office.objects.none(), required=False)

    def __init__(self, *args: Any, receiving: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preview_office"].queryset = receiving  # type: ignore[attr-defined]


class ChannelsForm(forms.Form):
    channels = forms.ModelMultipleChoiceField(
        label=_("Kanal"),
        queryset=Channel.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pilih setidaknya satu kanal untuk menerbitkannya.")},
    )

    def __init__(self, *args: Any, channels: QuerySet[Channel], required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = channels  # type: ignore[attr-defined]
        self.fields["channels"].required = required


class DeclineForm(reach_forms.DeclineForm):
    missing = _("Tuliskan alasan menolak konten ini.")
