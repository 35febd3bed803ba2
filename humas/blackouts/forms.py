from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from humas.offices.models import Office

from .models import Blackout
from .services import NOTE_MAX

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BlackoutForm(forms.Form):
    reason = forms.ChoiceField(label=_("Alasan"), choices=Blackout.Reason.choices)
    note = forms.CharField(
        label=_("Keterangan"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("Misalnya nomor keputusan atau nama tokoh yang wafat. Wajib untuk alasan “Lainnya”."),
    )
    starts_at = forms.DateTimeField(label=_("Mulai"), widget=LOCAL_INPUT)
    ends_at = forms.DateTimeField(label=_("Selesai"), widget=LOCAL_INPUT)
    includes_below = forms.BooleanField(
        label=_("Berlaku juga untuk semua kantor di bawah kantor ini"), required=False, initial=True
    )
    clarifications_exempt = forms.BooleanField(
        label=_("Klarifikasi hoaks tetap boleh terbit"),
        required=False,
        initial=True,
        help_text=_("Artikel Klarifikasi dan unggahan yang ditandai sebagai klarifikasi hoaks."),
    )

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        zone = office.tz_abbreviation
        self.fields["starts_at"].help_text = _("Waktu %(zone)s.") % {"zone": zone}
        self.fields["ends_at"].help_text = _("Waktu %(zone)s; masa jeda berakhir tepat pada waktu ini.") % {
            "zone": zone
        }
        if not office.children.exists():
            del self.fields["includes_below"]

    def clean_starts_at(self) -> datetime:
        return self._aware(self.cleaned_data["starts_at"])

    def clean_ends_at(self) -> datetime:
        return self._aware(self.cleaned_data["ends_at"])

    def _aware(self, value: datetime) -> datetime:
        # Entered as the office's wall-clock time, whatever zone the request runs in.
        return value.replace(tzinfo=None).replace(tzinfo=self.office.zoneinfo)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "reason": data["reason"],
            "note": data["note"],
            "includes_below": data.get("includes_below", False),
            "clarifications_exempt": data["clarifications_exempt"],
        }

    @classmethod
    def initial_for(cls, window: Blackout) -> dict[str, Any]:
        zone = window.office.zoneinfo
        return {
            "reason": window.reason,
            "note": window.note,
            "starts_at": window.starts_at.astimezone(zone).replace(tzinfo=None),
            "ends_at": window.ends_at.astimezone(zone).replace(tzinfo=None),
            "includes_below": window.includes_below,
            "clarifications_exempt": window.clarifications_exempt,
        }
