"""The calendar's inputs: its filters and month (query string), the range the month and week views
ask for, and a drag to another time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Platform
from humas.core.stages import ElectionStage

from .selectors import MAX_RANGE_DAYS, CalendarFilters, Category, Kind, OfficeChoice

SCOPE_BELOW = "semua"
SCOPE_OFFICE = "kantor"
MONTH_FORMAT = "%Y-%m"
# The office-local wall time the month and week views send and the compose page takes.
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_INDENT = "\u2003"  # an em space per level below the calendar's office


class CalendarFilterForm(forms.Form):
    """The calendar's filters, read from the query string. A value that is not offered narrows
    nothing: a hand-edited address never fails."""

    cakupan = forms.ChoiceField(
        label=_("Cakupan"),
        required=False,
        choices=[
            (SCOPE_BELOW, _("Dengan kantor di bawahnya")),
            (SCOPE_OFFICE, _("Kantor ini saja")),
        ],
    )
    kantor = forms.ChoiceField(label=_("Kantor"), required=False)
    kanal = forms.ChoiceField(
        label=_("Kanal"), required=False, choices=[("", _("Semua kanal")), *Platform.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *Category.choices]
    )
    tahapan = forms.ChoiceField(
        label=_("Tahapan pemilu"),
        required=False,
        choices=[("", _("Semua tahapan")), *ElectionStage.choices],
    )
    kampanye = forms.CharField(
        label=_("Kampanye"),
        required=False,
        max_length=80,
        # The names in use are offered by the page's <datalist> (coordination/_filters.html).
        widget=forms.TextInput(attrs={"list": "calendar-campaigns", "autocomplete": "off"}),
        help_text=_(
            "Kampanye tercatat pada unggahan Konten: selama satu kampanye dipilih, artikel portal tidak ditampilkan."
        ),
    )

    def __init__(self, data: Any, *, offices: Sequence[OfficeChoice]) -> None:
        super().__init__(data)
        self.has_offices_below = bool(offices)
        cast(forms.ChoiceField, self.fields["kantor"]).choices = [
            ("", _("Semua kantor")),
            *((o.code, _INDENT * (o.depth - 1) + o.name) for o in offices),
        ]

    def clean_kampanye(self) -> str:
        # As the composer names it: spaces collapsed, no leading #; matched without regard to case.
        return " ".join(str(self.cleaned_data.get("kampanye") or "").split()).lstrip("#").strip()

    def _values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in self.fields}

    def filters(self) -> CalendarFilters:
        """The valid filters (an invalid field narrows nothing)."""
        values = self._values()
        return CalendarFilters(
            include_below=values["cakupan"] != SCOPE_OFFICE,
            office_code=values["kantor"],
            platform=values["kanal"],
            category=values["status"],
            stage=values["tahapan"],
            campaign=values["kampanye"],
        )

    @property
    def active(self) -> bool:
        return any(self._values().values())

    def query(self) -> dict[str, str]:
        """The chosen filters, to carry over to the other views and months."""
        return {name: value for name, value in self._values().items() if value}

    def selects(self) -> list[tuple[forms.BoundField, SafeString]]:
        """Each shown filter with its <option>s written at once: the national office's list of
        offices holds over 500 of them, too many for a widget template per option."""
        values = self._values()
        shown = []
        for name, field in self.fields.items():
            if name == "kampanye" or (name in ("cakupan", "kantor") and not self.has_offices_below):
                continue  # the campaign is typed (with suggestions), not chosen from a list
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, mark_safe(" selected") if str(value) == values[name] else "", label)  # noqa: S308
                    for value, label in cast("list[tuple[Any, Any]]", cast(forms.ChoiceField, field).choices)
                ),
            )
            shown.append((self[name], options))
        return shown


def month_start(raw: str | None, *, today: date) -> date:
    """The first day of the month ``raw`` names ("2026-03"), or of ``today``'s month."""
    if raw:
        try:
            chosen = datetime.strptime(raw, MONTH_FORMAT).date()
        except ValueError:
            chosen = None
        if chosen is not None and 2000 <= chosen.year <= 2100:
            return chosen
    return today.replace(day=1)


def grid_date(day: str | None, month: str | None, *, today: date) -> date:
    """The date the month and week views open at: ``day`` ("2026-03-09"), else the first of
    ``month`` ("2026-03"), else ``today``."""
    if day and len(day) == 10:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            chosen = None
        if chosen is not None and 2000 <= chosen.year <= 2100:
            return chosen
    return month_start(month, today=today) if month else today


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def parse_local(raw: str | None) -> datetime | None:
    """An office-local wall time ("2026-03-14T09:00") as a naive datetime, or None."""
    if not raw or len(raw) > 40:
        return None
    try:
        return datetime.strptime(raw, LOCAL_FORMAT)
    except ValueError:
        return None


class RangeForm(forms.Form):
    """The range the month and week views ask for: office-local wall times (an offset, when one
    is given, is honoured). ``end`` is exclusive and at most MAX_RANGE_DAYS after ``start``."""

    start = forms.CharField(max_length=40, error_messages={"required": _("Awal rentang wajib diisi.")})
    end = forms.CharField(max_length=40, error_messages={"required": _("Akhir rentang wajib diisi.")})

    def _moment(self, name: str) -> datetime:
        raw = self.cleaned_data[name]
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            try:
                return datetime.combine(date.fromisoformat(raw), time())
            except ValueError:
                raise forms.ValidationError(_("Tanggal tidak dikenali."), code="invalid") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            start, end = self._moment("start"), self._moment("end")
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        if (start.tzinfo is None) != (end.tzinfo is None):
            raise forms.ValidationError(_("Awal dan akhir rentang harus ditulis dengan cara yang sama."))
        if end <= start:
            raise forms.ValidationError(_("Akhir rentang harus setelah awalnya."))
        if end - start > timedelta(days=MAX_RANGE_DAYS):
            raise forms.ValidationError(_("Rentang paling panjang %(days)s hari.") % {"days": MAX_RANGE_DAYS})
        cleaned["start_at"], cleaned["end_at"] = start, end
        return cleaned


class MoveForm(forms.Form):
    """A drag in the month or week view: which entry, and its new office-local wall time (read
    here without any zone; the office's zone is applied by the service)."""

    kind = forms.ChoiceField(choices=Kind.choices)
    id = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    waktu = forms.CharField(max_length=40, error_messages={"required": _("Waktu baru wajib diisi.")})

    def clean_waktu(self) -> datetime:
        local = parse_local(self.cleaned_data["waktu"])
        if local is None:
            raise forms.ValidationError(_("Waktu baru tidak dikenali."), code="invalid")
        return local
