"""Forms of the amplification pages: asking (which URL, what is asked, instructions; the scope and
deadline of reach_forms.py), the receiving office's answer (its result, a reason to decline, the
channel to share through in one click)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Channel
from humas.offices.models import Office
from humas.publishing.models import Delivery
from humas.web.origins import public_url

from . import reach_forms
from .account_urls import URL_MAX
from .amplification import INSTRUCTIONS_MAX
from .models import AmplificationTarget, AmplificationTask
from .reach_forms import ScopeForm

PASTE = "tempel"  # the "sumber" choice of a URL pasted rather than one of the post's


class TaskForm(ScopeForm):
    Scope = AmplificationTask.Scope
    field_order = ["sumber", "tautan", "ask_share", "ask_interact", "instructions"]

    sumber = forms.ChoiceField(
        label=_("Tautan yang diamplifikasi"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih tautan yang diamplifikasi."),
            "invalid_choice": _("Pilih salah satu tautan unggahan ini yang sudah terbit."),
        },
    )
    tautan = forms.CharField(
        label=_("Tautan unggahan akun resmi"),
        max_length=URL_MAX,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://x.com/KPU_ID/status/…"}),
        help_text=_(
            "Tautan publik satu unggahan dari akun resmi kantor KPU yang terdaftar di Humas (X, Facebook, "
            "Instagram, TikTok, Telegram, YouTube, Saluran WhatsApp)."
        ),
    )
    ask_share = forms.BooleanField(label=_("Bagikan ulang (repost, bagikan, teruskan)"), required=False)
    ask_interact = forms.BooleanField(label=_("Interaksi (suka, komentar)"), required=False)
    instructions = forms.CharField(
        label=_("Petunjuk"),
        max_length=INSTRUCTIONS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Misalnya kalimat pengantar atau tagar yang dipakai. Bila kantor membagikan lewat Humas, "
            "petunjuk ini menjadi teks unggahannya."
        ),
    )

    def __init__(
        self,
        *args: Any,
        office: Office,
        receiving: QuerySet[Office],
        deliveries: list[Delivery],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, office=office, receiving=receiving, **kwargs)
        self.deliveries = {str(d.pk): d for d in deliveries}
        self.fields["sumber"].choices = [  # type: ignore[attr-defined]
            *[(str(d.pk), f"{d.channel}: {public_url(d.url)}") for d in deliveries],
            (PASTE, _("Tautan lain dari akun resmi (tempel di bawah)")),
        ]
        if not deliveries:
            self.fields["sumber"].required = False
            self.fields["sumber"].widget = forms.HiddenInput()
            self.initial.setdefault("sumber", PASTE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("sumber") or PASTE
        data["sumber"] = source
        if source == PASTE and not (data.get("tautan") or "").strip():
            self.add_error("tautan", _("Tempel tautan unggahan akun resmi yang diamplifikasi."))
        if "ask_share" in data and not data.get("ask_share") and not data.get("ask_interact"):
            self.add_error("ask_share", _("Pilih yang diminta: bagikan ulang, interaksi, atau keduanya."))
        return data


class RecordForm(forms.Form):
    url = forms.CharField(
        label=_("Tautan hasil di akun kantor ini"),
        max_length=URL_MAX,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    shared = forms.BooleanField(label=_("Sudah dibagikan ulang"), required=False)
    interacted = forms.BooleanField(label=_("Sudah berinteraksi (suka, komentar)"), required=False)

    def __init__(self, *args: Any, target: AmplificationTarget, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task = target.task
        self.fields["url"].help_text = _(
            "Tautan unggahan di akun resmi %(office)s di %(platform)s: hasil bagikan ulang, atau komentar "
            "Anda. Boleh kosong bila hanya menyukai."
        ) % {"office": target.office.name, "platform": task.get_platform_display()}
        if not self.is_bound:
            self.initial.setdefault("shared", task.ask_share)
            self.initial.setdefault("interacted", task.ask_interact and not task.ask_share)


class DeclineForm(reach_forms.DeclineForm):
    missing = _("Tuliskan alasan menolak tugas ini.")


class ShareForm(forms.Form):
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.none(),
        error_messages={
            "required": _("Pilih kanal untuk membagikannya."),
            "invalid_choice": _("Kanal itu tidak dapat dipakai untuk membagikan tugas ini."),
        },
    )

    def __init__(self, *args: Any, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])  # type: ignore[attr-defined]
