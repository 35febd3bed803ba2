"""Forms of the cascade pages: sending (scope, province, chosen offices, text, deadline), the
receiving office's answer (channels to adopt on, a reason to decline), the auto-publish setting
and the board's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from humas.channels.models import Channel
from humas.offices.models import Office
from humas.publishing.services import MAX_TEXT

from .cascade_selectors import BOARD_STATUSES, SORTS, BoardFilters, board_status_label
from .cascades import DECLINE_REASON_MAX
from .models import Cascade

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CascadeForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Kantor tujuan"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih cakupan kantor tujuan."),
            "invalid_choice": _("Pilih cakupan kantor tujuan."),
        },
    )
    province = forms.ModelChoiceField(
        label=pgettext_lazy("wilayah", "Provinsi"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("— pilih provinsi —"),
        help_text=_("Kantor provinsi itu dan semua kabupaten/kota di bawahnya."),
        error_messages={"invalid_choice": _("Provinsi itu berada di luar jangkauan kantor ini.")},
    )
    offices = forms.ModelMultipleChoiceField(
        label=_("Kantor yang dipilih"),
        queryset=Office.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "Kantor itu berada di luar jangkauan kantor ini: hanya kantor di bawahnya yang dapat dituju."
            ),
            "invalid_pk_value": _("Pilih kantor dari daftar."),
        },
    )
    text = forms.CharField(
        label=_("Teks"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Kolom isian diganti untuk tiap kantor: {nama_kantor} nama kantornya, {kontak} telepon dan "
            "e-mail dari profil kantornya, {url_portal} alamat portalnya, {akun_resmi} akun resminya."
        ),
    )
    deadline = forms.DateTimeField(label=_("Tenggat"), widget=LOCAL_INPUT)
    preview_office = forms.ModelChoiceField(
        label=_("Pratinjau untuk kantor"), queryset=Office.objects.none(), required=False, empty_label=None
    )

    def __init__(
        self, *args: Any, office: Office, receiving: QuerySet[Office], preview_url: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
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
        scopes = [(Cascade.Scope.BELOW, Cascade.Scope.BELOW.label)]
        if office.level == Office.Level.PUSAT:
            scopes.append((Cascade.Scope.PROVINCE, Cascade.Scope.PROVINCE.label))
            self.fields["province"].queryset = receiving.filter(level=Office.Level.PROVINSI)  # type: ignore[attr-defined]
        else:
            del self.fields["province"]
        scopes.append((Cascade.Scope.CHOSEN, Cascade.Scope.CHOSEN.label))
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]
        self.fields["offices"].queryset = receiving  # type: ignore[attr-defined]
        self.fields["preview_office"].queryset = receiving  # type: ignore[attr-defined]
        self.fields["deadline"].help_text = _("Waktu %(zone)s, zona waktu kantor ini.") % {
            "zone": office.tz_abbreviation
        }

    def clean_deadline(self) -> datetime:
        # Entered as the sender's wall-clock time, whatever zone the request runs in.
        value: datetime = self.cleaned_data["deadline"]
        return value.replace(tzinfo=None).replace(tzinfo=self.office.zoneinfo)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == Cascade.Scope.PROVINCE and not data.get("province"):
            self.add_error("province", _("Pilih provinsinya."))
        if scope == Cascade.Scope.CHOSEN and not data.get("offices"):
            self.add_error("offices", _("Pilih setidaknya satu kantor tujuan."))
        return data

    def chosen_ids(self) -> set[int]:
        """The offices ticked (as sent, for redrawing the form), valid or not."""
        raw = self.data.getlist("offices") if hasattr(self.data, "getlist") else []
        return {int(value) for value in raw if str(value).isascii() and str(value).isdigit()}


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


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan menolak"),
        max_length=DECLINE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kantor pengirim membaca alasan ini di papan pemantauannya."),
        error_messages={"required": _("Tuliskan alasan menolak konten ini.")},
    )


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    provinsi = forms.ChoiceField(label=pgettext_lazy("wilayah", "Provinsi"), required=False)
    urut = forms.ChoiceField(
        label=_("Urutkan"),
        required=False,
        choices=[
            ("kantor", _("Kantor")),
            ("status", _("Status")),
            ("diputuskan", _("Terakhir diputuskan")),
            ("terbit", _("Waktu terbit")),
        ],
    )

    def __init__(self, *args: Any, provinces: list[Office], **kwargs: Any) -> None:
        """Drawn after the board is read: ``provinces`` are those its rows belong to."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Semua status")),
            *[(status, board_status_label(status)) for status in BOARD_STATUSES],
        ]
        if provinces:
            self.fields["provinsi"].choices = [  # type: ignore[attr-defined]
                ("", _("Semua provinsi")),
                *[(o.code, o.name) for o in provinces],
            ]
        else:
            del self.fields["provinsi"]


def board_filters(query: Any) -> BoardFilters:
    """The board's filters from a query string; anything unknown is ignored rather than refused
    (a stale bookmark shows the whole board)."""
    status = str(query.get("status", ""))
    province = str(query.get("provinsi", ""))[:32]
    sort = str(query.get("urut", ""))
    return BoardFilters(
        status=status if status in BOARD_STATUSES else "",
        province=province if all(c.isdigit() or c == "." for c in province) else "",
        sort=sort if sort in SORTS else "kantor",
    )
