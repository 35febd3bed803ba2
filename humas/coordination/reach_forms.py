"""The form pieces every request down the hierarchy shares (a cascade, an amplification task):
where it goes and by when, a reason to decline it, and its board's filters. The sentences that
name what is asked stay the feature's (``DeclineForm.missing``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from humas.offices.models import Office

from .boards import BoardSpec
from .reach import DECLINE_REASON_MAX, SCOPE_BELOW, SCOPE_CHOSEN, SCOPE_PROVINCE

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScopeForm(forms.Form):
    """Which offices below receive the request (all of them, one province's from KPU RI, or those
    chosen) and its deadline, entered in the sender's wall-clock time. ``Scope``: the feature's
    scope choices (the values of reach.py)."""

    Scope: ClassVar[type[TextChoices]]

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
    deadline = forms.DateTimeField(label=_("Tenggat"), widget=LOCAL_INPUT)

    def __init__(self, *args: Any, office: Office, receiving: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        scopes = [SCOPE_BELOW]
        if office.level == Office.Level.PUSAT:
            scopes.append(SCOPE_PROVINCE)
            self.fields["province"].queryset = receiving.filter(level=Office.Level.PROVINSI)  # type: ignore[attr-defined]
        else:
            del self.fields["province"]
        scopes.append(SCOPE_CHOSEN)
        self.fields["scope"].choices = [(scope, self.Scope(scope).label) for scope in scopes]  # type: ignore[attr-defined]
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
        scope = data.get("scope")
        if scope == SCOPE_PROVINCE and not data.get("province"):
            self.add_error("province", _("Pilih provinsinya."))
        if scope == SCOPE_CHOSEN and not data.get("offices"):
            self.add_error("offices", _("Pilih setidaknya satu kantor tujuan."))
        return data

    def chosen_ids(self) -> set[int]:
        """The offices ticked (as sent, for redrawing the form), valid or not."""
        raw = self.data.getlist("offices") if hasattr(self.data, "getlist") else []
        return {int(value) for value in raw if str(value).isascii() and str(value).isdigit()}


class DeclineForm(forms.Form):
    """A reason to decline what came from above; ``missing`` says it is required in the
    feature's words."""

    missing: ClassVar[StrPromise]

    reason = forms.CharField(
        label=_("Alasan menolak"),
        max_length=DECLINE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kantor pengirim membaca alasan ini di papan pemantauannya."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = self.missing


class BoardFilterForm(forms.Form):
    """A board's filters and sort, drawn after the board is read: ``provinces`` are those its
    rows belong to; ``spec`` the feature's statuses and sorts."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    provinsi = forms.ChoiceField(label=pgettext_lazy("wilayah", "Provinsi"), required=False)
    urut = forms.ChoiceField(label=_("Urutkan"), required=False)

    def __init__(self, *args: Any, spec: BoardSpec[Any], provinces: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Semua status")),
            *[(status, spec.label(status)) for status in spec.statuses],
        ]
        if provinces:
            self.fields["provinsi"].choices = [  # type: ignore[attr-defined]
                ("", _("Semua provinsi")),
                *[(o.code, o.name) for o in provinces],
            ]
        else:
            del self.fields["provinsi"]
        self.fields["urut"].choices = [  # type: ignore[attr-defined]
            ("kantor", _("Kantor")),
            ("status", _("Status")),
            *[(name, sort.label) for name, sort in spec.times.items()],
        ]
