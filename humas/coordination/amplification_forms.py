"""Forms of the amplification pages: asking (which URL, what is asked, instructions, scope,
deadline), the receiving office's answer (its result, a reason to decline, the channel to share
through in one click) and the board's filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Channel
from humas.offices.models import Office
from humas.publishing.models import Delivery
from humas.web.origins import public_url

from .account_urls import URL_MAX
from .amplification import DECLINE_REASON_MAX, INSTRUCTIONS_MAX
from .amplification_selectors import BOARD_STATUSES, SORTS, BoardFilters
from .models import AmplificationTarget, AmplificationTask

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PASTE = "tempel"  # the "sumber" choice of a URL pasted rather than one of the post's


class TaskForm(forms.Form):
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
    scope = forms.ChoiceField(
        label=_("Kantor tujuan"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih cakupan kantor tujuan."),
            "invalid_choice": _("Pilih cakupan kantor tujuan."),
        },
    )
    province = forms.ModelChoiceField(
        label=_("Provinsi"),
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
    deadline = forms.DateTimeField(label=_("Tenggat"), widget=LOCAL_INPUT)

    def __init__(
        self,
        *args: Any,
        office: Office,
        receiving: QuerySet[Office],
        deliveries: list[Delivery],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        self.deliveries = {str(d.pk): d for d in deliveries}
        self.fields["sumber"].choices = [  # type: ignore[attr-defined]
            *[(str(d.pk), f"{d.channel}: {public_url(d.url)}") for d in deliveries],
            (PASTE, _("Tautan lain dari akun resmi (tempel di bawah)")),
        ]
        if not deliveries:
            self.fields["sumber"].required = False
            self.fields["sumber"].widget = forms.HiddenInput()
            self.initial.setdefault("sumber", PASTE)
        scopes = [(AmplificationTask.Scope.BELOW, AmplificationTask.Scope.BELOW.label)]
        if office.level == Office.Level.PUSAT:
            scopes.append((AmplificationTask.Scope.PROVINCE, AmplificationTask.Scope.PROVINCE.label))
            self.fields["province"].queryset = receiving.filter(level=Office.Level.PROVINSI)  # type: ignore[attr-defined]
        else:
            del self.fields["province"]
        scopes.append((AmplificationTask.Scope.CHOSEN, AmplificationTask.Scope.CHOSEN.label))
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]
        self.fields["offices"].queryset = receiving  # type: ignore[attr-defined]
        self.fields["deadline"].help_text = _("Waktu %(zone)s, zona waktu kantor ini.") % {
            "zone": office.tz_abbreviation
        }

    def clean_deadline(self) -> datetime:
        # Entered as the sender's wall-clock time, whatever zone the request runs in.
        value: datetime = self.cleaned_data["deadline"]
        return value.replace(tzinfo=None).replace(tzinfo=self.office.zoneinfo)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("sumber") or PASTE
        data["sumber"] = source
        if source == PASTE and not (data.get("tautan") or "").strip():
            self.add_error("tautan", _("Tempel tautan unggahan akun resmi yang diamplifikasi."))
        if "ask_share" in data and not data.get("ask_share") and not data.get("ask_interact"):
            self.add_error("ask_share", _("Pilih yang diminta: bagikan ulang, interaksi, atau keduanya."))
        scope = data.get("scope")
        if scope == AmplificationTask.Scope.PROVINCE and not data.get("province"):
            self.add_error("province", _("Pilih provinsinya."))
        if scope == AmplificationTask.Scope.CHOSEN and not data.get("offices"):
            self.add_error("offices", _("Pilih setidaknya satu kantor tujuan."))
        return data

    def chosen_ids(self) -> set[int]:
        """The offices ticked (as sent, for redrawing the form), valid or not."""
        raw = self.data.getlist("offices") if hasattr(self.data, "getlist") else []
        return {int(value) for value in raw if str(value).isascii() and str(value).isdigit()}


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


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan menolak"),
        max_length=DECLINE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kantor pengirim membaca alasan ini di papan pemantauannya."),
        error_messages={"required": _("Tuliskan alasan menolak tugas ini.")},
    )


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


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    provinsi = forms.ChoiceField(label=_("Provinsi"), required=False)
    urut = forms.ChoiceField(
        label=_("Urutkan"),
        required=False,
        choices=[("kantor", _("Kantor")), ("status", _("Status")), ("dicatat", _("Terakhir dicatat"))],
    )

    def __init__(self, *args: Any, provinces: list[Office], **kwargs: Any) -> None:
        """Drawn after the board is read: ``provinces`` are those its rows belong to."""
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Semua status")),
            *[(status, AmplificationTarget.Status(status).label) for status in BOARD_STATUSES],
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
