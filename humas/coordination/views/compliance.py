"""The posting-activity report: ``/app/<office>/koordinasi/keaktifan/`` (+ ``.csv``, ``.xlsx``)."""

from __future__ import annotations

import csv
import io
from datetime import date

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..compliance import (
    MAX_DAYS,
    MIN_SETTING_DAYS,
    ComplianceReport,
    ComplianceRule,
    ComplianceSettingError,
    compliance_report,
    compliance_rule_for,
    compliance_rule_set,
    default_period,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    dari = forms.DateField(label=gettext_lazy("Dari"), required=False, widget=DATE_INPUT)
    sampai = forms.DateField(label=gettext_lazy("Sampai"), required=False, widget=DATE_INPUT)
    ambang = forms.IntegerField(
        label=gettext_lazy("Ambang keaktifan (%)"), required=False, min_value=1, max_value=100
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("dari"), data.get("sampai")
        if isinstance(start, date) and isinstance(end, date):
            if end < start:
                raise forms.ValidationError(_("Tanggal “sampai” harus sesudah tanggal “dari”."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(_("Periode paling lama %(days)s hari.") % {"days": MAX_DAYS})
        return data


class RuleForm(forms.Form):
    """How this office judges the offices below it (compliance.manage: its Administrator)."""

    period_days = forms.IntegerField(
        label=gettext_lazy("Periode bawaan (hari)"), min_value=MIN_SETTING_DAYS, max_value=MAX_DAYS
    )
    threshold = forms.IntegerField(label=gettext_lazy("Ambang keaktifan (%)"), min_value=1, max_value=100)


def _report(
    request: AuthenticatedHttpRequest, office: Office, rule: ComplianceRule | None = None
) -> tuple[PeriodForm, ComplianceReport]:
    form = PeriodForm(request.GET or None)
    rule = rule or compliance_rule_for(office=office)
    start, end = default_period(office=office, days=rule.period_days)
    threshold = rule.threshold
    if form.is_valid():
        start = form.cleaned_data["dari"] or start
        end = form.cleaned_data["sampai"] or end
        threshold = form.cleaned_data["ambang"] or threshold
    report = compliance_report(actor=request.user, office=office, start=start, end=end, threshold=threshold)
    return form, report


def _page(
    request: AuthenticatedHttpRequest, office: Office, rule_form: RuleForm | None = None
) -> HttpResponse:
    rule = compliance_rule_for(office=office)
    form, report = _report(request, office, rule)
    if not form.is_bound:
        form = PeriodForm(initial={"dari": report.start, "sampai": report.end, "ambang": report.threshold})
    can_manage = policy.can(request.user, "compliance.manage", office)
    if can_manage and rule_form is None:
        rule_form = RuleForm(initial={"period_days": rule.period_days, "threshold": rule.threshold})
    return render(
        request,
        "coordination/compliance.html",
        {
            "office": office,
            "form": form,
            "report": report,
            "rule": rule,
            "rule_form": rule_form if can_manage else None,
            "summary": summary_sentence(report),
            "query": request.GET.urlencode(),
            "nav_active": "calendar",
        },
        status=400 if rule_form is not None and rule_form.errors else 200,
    )


@office_view("content.view")
def compliance_page(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _page(request, office)


@office_view("compliance.manage")
@require_POST
def compliance_rule_view(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """Save the period and threshold this office's report (and those of the offices below it
    without their own) uses by default."""
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            compliance_rule_set(
                actor=request.user,
                office=office,
                period_days=form.cleaned_data["period_days"],
                threshold=form.cleaned_data["threshold"],
            )
        except ComplianceSettingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Periode dan ambang keaktifan disimpan."))
            return redirect("compliance:page", office_slug=office.slug)
    return _page(request, office, form)


def _table(report: ComplianceReport) -> tuple[list[str], list[list[object]]]:
    head = [
        _("Peringkat"),
        _("Kode"),
        _("Kantor"),
        _("Keaktifan (%)"),
        _("Hari aktif"),
        _("Hari dalam periode"),
        _("Unggahan"),
        _("Unggahan per minggu"),
        *[_("Hari aktif %(channel)s") % {"channel": label} for _p, label in report.platforms],
        _("Tugas amplifikasi diminta"),
        _("Tugas amplifikasi selesai"),
        _("Tugas amplifikasi selesai (%)"),
        _("Konten dari atasan diterima"),
        _("Konten dari atasan diadopsi atau diadaptasi"),
        _("Konten dari atasan diadopsi (%)"),
        _("Median jeda adopsi (jam)"),
        _("Memenuhi ambang %(threshold)s %%") % {"threshold": report.threshold},
    ]
    rows: list[list[object]] = [
        [
            rank,
            row.office.code,
            row.office.name,
            round(row.activity, 1),
            row.active_days,
            row.days,
            row.posts,
            round(row.posts_per_week, 1),
            *[channel.active_days for channel in row.channels],
            row.amplification_asked,
            row.amplification_done,
            "" if row.amplification_share is None else round(row.amplification_share, 1),
            row.cascades_asked,
            row.cascades_adopted,
            "" if row.cascade_share is None else round(row.cascade_share, 1),
            "" if row.median_delay_hours is None else round(row.median_delay_hours, 1),
            _("ya") if row.activity >= report.threshold else _("tidak"),
        ]
        for rank, row in enumerate(report.rows, start=1)
    ]
    return head, rows


def _filename(report: ComplianceReport, extension: str) -> str:
    return f"keaktifan-{report.office.slug}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.{extension}"


@office_view("content.view")
def compliance_csv(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    _form, report = _report(request, office)
    head, rows = _table(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(head)
    writer.writerows(rows)
    # A byte-order mark so spreadsheet programs read the Indonesian text as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@office_view("content.view")
def compliance_xlsx(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    _form, report = _report(request, office)
    head, rows = _table(report)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Keaktifan")[:31]
    sheet.append([f"{report.office.name}: {summary_sentence(report)}"])
    sheet.append([_("Periode %(start)s – %(end)s") % {"start": report.start, "end": report.end}])
    sheet.append([])
    sheet.append(head)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["C"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response


def summary_sentence(report: ComplianceReport) -> str:
    """ "35 kantor, rata-rata keaktifan 96,0 %; 33 memenuhi ambang 80 %"."""
    return _(
        "%(n)s kantor, rata-rata keaktifan %(average)s %%; %(meeting)s memenuhi ambang %(threshold)s %%"
    ) % {
        "n": len(report.rows),
        "average": formats.number_format(round(report.average, 1), 1),
        "meeting": report.meeting,
        "threshold": report.threshold,
    }
