"""The dashboard's period: the last 7, 30 or 90 days, or from/to dates, in the office's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))


class PeriodForm(forms.Form):
    periode = forms.TypedChoiceField(
        label=_("Periode"),
        # A callable: the labels are translated in the language of each request.
        choices=lambda: (
            [(str(n), _("%(n)s hari terakhir") % {"n": n}) for n in PRESETS] + [("", _("Tanggal pilihan"))]
        ),
        coerce=int,
        empty_value=None,
        required=False,
    )
    dari = forms.DateField(label=_("Dari"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sampai = forms.DateField(
        label=_("Sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any, *, today: date) -> None:
        super().__init__(data or None, initial={"periode": str(DEFAULT_DAYS)})
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("dari"), cleaned.get("sampai")
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Isi tanggal mulai dan tanggal selesai."))
            if end < start:
                raise forms.ValidationError(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Periode paling panjang %(n)s hari.") % {"n": MAX_DAYS})
        return cleaned

    def period(self) -> Period:
        """The chosen period; the last 30 days when nothing (valid) was chosen."""
        days = DEFAULT_DAYS
        if self.is_bound and self.is_valid():
            if self.cleaned_data.get("dari"):
                return Period(start=self.cleaned_data["dari"], end=self.cleaned_data["sampai"])
            days = self.cleaned_data.get("periode") or DEFAULT_DAYS
        return Period(start=self.today - timedelta(days=days - 1), end=self.today)


def last_month(today: date) -> Period:
    """The calendar month before the one ``today`` is in."""
    end = today.replace(day=1) - timedelta(days=1)
    return Period(start=end.replace(day=1), end=end)


class ReportRequestForm(forms.Form):
    """A report for any period (the office's days) in either language; the rules on the period
    are the service's (reports.report_period_check), which says what is wrong."""

    # A date input takes its value as YYYY-MM-DD whatever the language of the page.
    dari = forms.DateField(label=_("Dari"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sampai = forms.DateField(
        label=_("Sampai"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    bahasa = forms.ChoiceField(label=_("Bahasa laporan"), choices=settings.LANGUAGES)

    def __init__(self, data: Any, *, today: date, language: str) -> None:
        month = last_month(today)
        super().__init__(data or None, initial={"dari": month.start, "sampai": month.end, "bahasa": language})


class FollowerCountForm(forms.Form):
    """Today's followers of an assisted channel, as a person reads them on the platform."""

    jumlah = forms.IntegerField(
        label=_("Jumlah pengikut hari ini"),
        min_value=0,
        max_value=10**12,
        error_messages={
            "required": _("Isi jumlah pengikut."),
            "invalid": _("Isi jumlah pengikut dengan bilangan bulat."),
            "min_value": _("Jumlah pengikut tidak boleh negatif."),
            "max_value": _("Jumlah pengikut terlalu besar."),
        },
        widget=forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"}),
    )
