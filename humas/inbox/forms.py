from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX, KEYWORDS_MAX, TITLE_MAX, SavedReply
from .placeholders import PLACEHOLDERS

MESSAGE_MAX = 2000


class SavedReplyForm(forms.Form):
    title = forms.CharField(
        label=_("Judul"), max_length=TITLE_MAX, help_text=_("Misalnya “Cek DPT” atau “Lokasi TPS”.")
    )
    keywords = forms.CharField(
        label=_("Kata kunci"),
        max_length=KEYWORDS_MAX,
        required=False,
        help_text=_(
            "Kata yang dipakai warga saat bertanya, dipisah koma (misalnya: dpt, terdaftar, nik). "
            "Dipakai untuk menyarankan balasan ini."
        ),
    )
    body = forms.CharField(
        label=_("Isi balasan"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _("Isian yang dapat dipakai: %(fields)s.") % {
            "fields": ", ".join(f"{{{name}}} ({label})" for name, (label, _value) in PLACEHOLDERS.items())
        }

    @staticmethod
    def initial_for(reply: SavedReply) -> dict[str, str]:
        return {"title": reply.title, "keywords": reply.keywords, "body": reply.body}

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("title", "keywords", "body")}


class TryForm(forms.Form):
    """A message as a person of the public would write it, to see which saved replies answer it."""

    pesan = forms.CharField(
        label=_("Pesan warga"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tempel pertanyaan dari warga untuk melihat balasan yang paling cocok."),
    )
