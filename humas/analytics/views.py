"""The analytics pages of an office: ``/app/<office>/analitik/``, the offices below it and the
exports. The figures are rolled up over the office's subtree (selectors.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.channels.models import Channel
from humas.core.spreadsheets import csv_cell
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web.paging import page_number

from .followers import FollowersError, channel_followers_list, follower_count_record
from .forms import FollowerCountForm, Period, PeriodForm, ReportRequestForm
from .models import Report
from .reports import (
    ReportRefused,
    report_content,
    report_file_name,
    report_get,
    report_list,
    report_request,
)
from .selectors import (
    SORTS,
    BelowTable,
    Figures,
    Series,
    channel_totals,
    followers_by_channel,
    office_series,
    offices_below_table,
)
from .sparklines import daily_posts_below, sparkline
from .top import top_articles, top_posts
from .work import leaderboard, levels_below, office_work, silent_offices

# Every column the tables and the exports show, in this order.
COLUMNS: list[tuple[str, Any]] = [
    ("posts", gettext_lazy("Unggahan")),
    ("reactions", gettext_lazy("Reaksi")),
    ("comments", gettext_lazy("Komentar")),
    ("shares", gettext_lazy("Dibagikan")),
    ("link_clicks", gettext_lazy("Klik tautan")),
    ("engagement", gettext_lazy("Interaksi")),
    ("reach", gettext_lazy("Jangkauan")),
    ("impressions", gettext_lazy("Impresi")),
    ("views", gettext_lazy("Ditonton (video)")),
    ("followers", gettext_lazy("Pengikut")),
    ("followers_growth", gettext_lazy("Pertumbuhan pengikut")),
    ("portal_views", gettext_lazy("Dilihat di portal")),
    ("visitors", gettext_lazy("Pengunjung unik harian (dijumlahkan)")),
    ("articles", gettext_lazy("Artikel terbit")),
    ("clarifications", gettext_lazy("Klarifikasi terbit")),
]
# A platform has no portal figures.
PLATFORM_COLUMNS = [
    column
    for column in COLUMNS
    if column[0] not in ("portal_views", "visitors", "articles", "clarifications")
]
# A day has a followers count but no growth of its own (the growth is a period's).
DAY_COLUMNS = [column for column in COLUMNS if column[0] != "followers_growth"]
# The few numbers that matter, against the previous period.
HEADLINE = (
    "posts",
    "engagement",
    "reach",
    "followers",
    "followers_growth",
    "portal_views",
    "visitors",
    "clarifications",
)
# The table below's sortable columns: ?urut= key -> figure.
SORT_COLUMNS: list[tuple[str, str]] = [
    ("unggahan", "posts"),
    ("interaksi", "engagement"),
    ("jangkauan", "reach"),
    ("impresi", "impressions"),
    ("dilihat", "portal_views"),
    ("pengunjung", "visitors"),
    ("artikel", "articles"),
    ("klarifikasi", "clarifications"),
    ("pengikut", "followers"),
    ("pertumbuhan-pengikut", "followers_growth"),
]
assert {key for key, _figure in SORT_COLUMNS} | {"kantor"} == set(SORTS)


def _period(request: AuthenticatedHttpRequest, office: Office) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET, today=timezone.localdate(timezone=office.zoneinfo))
    return form, form.period()


def _labels() -> dict[str, str]:
    return {key: str(label) for key, label in COLUMNS}


def _values(figures: Figures, columns: Sequence[tuple[str, Any]] = COLUMNS) -> list[tuple[str, int | None]]:
    """(column label, value) of each column: a table's cells, labelled for narrow screens."""
    values = figures.as_dict()
    return [(str(label), values[key]) for key, label in columns]


def _rows_values(
    rows: Iterable[tuple[Any, Figures]], columns: Sequence[tuple[str, Any]]
) -> list[tuple[Any, list[tuple[str, int | None]]]]:
    """``_values`` of many rows (a year is 365 days): each label translated once."""
    named = [(key, str(label)) for key, label in columns]
    result = []
    for head, figures in rows:
        values = figures.as_dict()
        result.append((head, [(label, values[key]) for key, label in named]))
    return result


def _change(current: int | None, previous: int | None) -> int | None:
    """Percent change, None when it means nothing (unknown, or nothing before)."""
    if current is None or not previous:
        return None
    return round((current - previous) * 100 / previous)


def _headline(now: Figures, before: Figures) -> list[dict[str, Any]]:
    labels = _labels()
    cards = []
    for key in HEADLINE:
        current, previous = now.as_dict()[key], before.as_dict()[key]
        cards.append(
            {
                "key": key,
                "label": labels[key],
                "value": current,
                "previous": previous,
                "change": _change(current, previous),
            }
        )
    return cards


def _chart_data(series: Series, platforms: Sequence[Any]) -> dict[str, Any]:
    labels = _labels()
    days = [formats.date_format(row.day, "j M") for row in series.days]
    daily = [row.figures.as_dict() for row in series.days]
    return {
        "days": {
            "labels": days,
            "datasets": [
                {"key": key, "label": labels[key], "data": [values[key] for values in daily]}
                for key in ("posts", "engagement", "portal_views", "visitors")
            ],
        },
        "platforms": {
            "labels": [item.label for item in platforms],
            "datasets": [
                {
                    "key": key,
                    "label": labels[key],
                    "data": [item.figures.as_dict()[key] for item in platforms],
                }
                for key in ("posts", "engagement")
            ],
        },
        # Followers count in thousands where posts count in ones: a chart of their own.
        "followers": {
            "labels": days,
            "datasets": [
                {
                    "key": "followers",
                    "label": labels["followers"],
                    "data": [row.figures.followers for row in series.days],
                }
            ],
        },
    }


@office_view("report.view")
@require_GET
def dashboard(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form, period = _period(request, office)
    followers = followers_by_channel(office=office, start=period.start, end=period.end)
    series = office_series(
        actor=request.user, office=office, start=period.start, end=period.end, followers=followers
    )
    before = office_series(
        actor=request.user, office=office, start=period.previous.start, end=period.previous.end
    )
    platforms = channel_totals(
        actor=request.user, office=office, start=period.start, end=period.end, followers=followers
    )
    return render(
        request,
        "analytics/dashboard.html",
        {
            "office": office,
            "nav_active": "analytics",
            "form": form,
            "period": period,
            "query": request.GET.urlencode(),
            "series": series,
            "headline": _headline(series.total, before.total),
            "platforms": platforms,
            "columns": DAY_COLUMNS,
            "chart_data": _chart_data(series, platforms),
            "day_rows": _rows_values(((row.day, row.figures) for row in reversed(series.days)), DAY_COLUMNS),
            "platform_columns": PLATFORM_COLUMNS,
            "platform_rows": [(item.label, _values(item.figures, PLATFORM_COLUMNS)) for item in platforms],
            "total_values": _values(series.total, DAY_COLUMNS),
            "followers": channel_followers_list(actor=request.user, office=office),
            "has_below": Office.objects.filter(parent=office).exists(),
            "work": office_work(
                actor=request.user, office=office, start=period.start, end=period.end, rows=False
            ),
            "top_posts": top_posts(
                actor=request.user, office=office, start=period.start, end=period.end, limit=5
            ),
            "top_articles": top_articles(
                actor=request.user, office=office, start=period.start, end=period.end, limit=5
            ),
        },
    )


@office_view("report.view")
@require_GET
def offices_below(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form, period = _period(request, office)
    table = offices_below_table(
        actor=request.user, office=office, start=period.start, end=period.end, sort=request.GET.get("urut")
    )
    keep = request.GET.copy()
    keep.pop("urut", None)
    labels = _labels()
    headers = [
        {
            "label": labels[figure],
            "key": key,
            "sorted": table.sort.lstrip("-") == key,
            "descending": table.sort == f"-{key}",
            # The first click sorts the biggest first; a second one reverses.
            "next": key if table.sort == f"-{key}" else f"-{key}",
            "figure": figure,
        }
        for key, figure in SORT_COLUMNS
    ]

    def cells(figures: Figures) -> list[tuple[str, int | None]]:
        values = figures.as_dict()
        return [(str(header["label"]), values[str(header["figure"])]) for header in headers]

    daily = daily_posts_below(actor=request.user, office=office, start=period.start, end=period.end)
    rows = [
        {
            "office": row.office,
            "values": cells(row.figures),
            "sparkline": sparkline(daily.get(row.office.pk, []), start=period.start),
        }
        for row in table.rows
    ]
    return render(
        request,
        "analytics/below.html",
        {
            "office": office,
            "nav_active": "analytics",
            "form": form,
            "period": period,
            "query": request.GET.urlencode(),
            "period_query": keep.urlencode(),
            "headers": headers,
            "rows": rows,
            "own": cells(table.own),
            "total": cells(table.total),
            "table": table,
            "name_next": "-kantor" if table.sort == "kantor" else "kantor",
        },
    )


def _series_rows(series: Series) -> tuple[list[str], list[list[object]]]:
    header = [_("Tanggal"), *[str(label) for _key, label in DAY_COLUMNS]]
    rows: list[list[object]] = [
        [day, *[value for _label, value in values]]
        for day, values in _rows_values(
            ((row.day.isoformat(), row.figures) for row in series.days), DAY_COLUMNS
        )
    ]
    return header, rows


def _below_rows(table: BelowTable) -> tuple[list[str], list[list[object]]]:
    header = [_("Kode"), _("Kantor"), *[str(label) for _key, label in COLUMNS]]
    rows: list[list[object]] = [
        [office.code, office.name, *[value for _label, value in values]]
        for office, values in _rows_values(((row.office, row.figures) for row in table.rows), COLUMNS)
    ]
    own = table.own.as_dict()
    rows.append(
        [table.office.code, _("%(office)s sendiri") % {"office": table.office.name}]
        + [own[key] for key, _label in COLUMNS]
    )
    return header, rows


def _csv(filename: str, header: list[str], rows: list[list[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheet programs then read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        # A number is never a formula: a negative one (a fall in followers) stays a number.
        writer.writerow([cell if isinstance(cell, int) else csv_cell(cell) for cell in row])
    return response


def _filename(office: Office, period: Period, what: str) -> str:
    return f"analitik-{what}-{office.slug}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


@office_view("report.view")
@require_GET
def export_series_csv(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    _form, period = _period(request, office)
    series = office_series(actor=request.user, office=office, start=period.start, end=period.end)
    return _csv(_filename(office, period, "harian") + ".csv", *_series_rows(series))


@office_view("report.view")
@require_GET
def export_below_csv(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    _form, period = _period(request, office)
    table = offices_below_table(
        actor=request.user, office=office, start=period.start, end=period.end, sort=request.GET.get("urut")
    )
    return _csv(_filename(office, period, "kantor-bawah") + ".csv", *_below_rows(table))


@office_view("report.view")
@require_GET
def export_xlsx(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The daily series and, when the office has offices below it, their table: one sheet each.
    Text cells go through ``csv_cell`` as in the CSV files (openpyxl would store "=…" as a
    formula)."""
    from openpyxl import Workbook  # a large import, needed only here

    _form, period = _period(request, office)
    series = office_series(actor=request.user, office=office, start=period.start, end=period.end)
    sheets = [(_("Harian"), *_series_rows(series))]
    if Office.objects.filter(parent=office).exists():
        table = offices_below_table(actor=request.user, office=office, start=period.start, end=period.end)
        sheets.append((_("Kantor di bawah"), *_below_rows(table)))
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append([csv_cell(cell) for cell in header])
        for row in rows:
            sheet.append([cell if isinstance(cell, int) else csv_cell(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(office, period, "laporan")}.xlsx"'
    return response


RANKING_TITLES = {
    "aktif": (
        gettext_lazy("Paling aktif"),
        gettext_lazy("Hari dengan sedikitnya satu unggahan terkirim, dari semua hari periode."),
    ),
    "kaskade": (
        gettext_lazy("Paling sigap meneruskan kiriman atasan"),
        gettext_lazy("Bagian kiriman kantor atasan yang diadopsi atau diadaptasi."),
    ),
    "klarifikasi": (
        gettext_lazy("Paling cepat mengklarifikasi"),
        gettext_lazy("Median waktu dari item pertama sebuah narasi hingga klarifikasinya terbit."),
    ),
}


def _ranking_value(key: str, value: Any) -> str:
    if key == "klarifikasi":
        return _("%(hours)s jam") % {"hours": floatformat(value, -1)}
    return f"{value}%"


@office_view("report.view")
@require_GET
def leaderboard_page(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The offices below ranked on how they work, at one level of the tree (``?tingkat=``)."""
    form, period = _period(request, office)
    work = office_work(actor=request.user, office=office, start=period.start, end=period.end)
    levels = levels_below(work)
    level = request.GET.get("tingkat")
    if level not in levels:
        level = levels[0] if levels else None
    keep = request.GET.copy()
    keep.pop("tingkat", None)
    level_labels = dict(Office.Level.choices)
    rankings = []
    if level:
        for ranking in leaderboard(work, level=level):
            title, definition = RANKING_TITLES[ranking.key]
            rankings.append(
                {
                    "key": ranking.key,
                    "title": title,
                    "definition": definition,
                    "rows": [(row.office, _ranking_value(ranking.key, value)) for row, value in ranking.rows],
                }
            )
    lowest = levels[-1] if levels else None
    return render(
        request,
        "analytics/leaderboard.html",
        {
            "office": office,
            "nav_active": "analytics",
            "form": form,
            "period": period,
            "query": request.GET.urlencode(),
            "period_query": keep.urlencode(),
            "levels": [(value, level_labels[value]) for value in levels],
            "level": level,
            "rankings": rankings,
            "silent": silent_offices(work, level=lowest) if lowest else [],
            "lowest_label": level_labels.get(lowest or "", ""),
            "work": work,
        },
    )


@require_POST
@office_view("content.publish")
def followers_record(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    """Catat jumlah pengikut: today's followers of one of the office's assisted channels, then
    back to the dashboard (with the period it showed) and a message saying what happened."""
    channel = Channel.objects.select_related("office").filter(pk=channel_id, office=office).first()
    if channel is None:
        raise Http404("channel")
    form = FollowerCountForm(request.POST)
    if form.is_valid():
        try:
            follower_count_record(actor=request.user, channel=channel, count=form.cleaned_data["jumlah"])
        except FollowersError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Jumlah pengikut %(channel)s hari ini dicatat: %(count)s.")
                % {
                    "channel": channel,
                    "count": formats.number_format(form.cleaned_data["jumlah"], force_grouping=True),
                },
            )
    else:
        for error in form.errors.get("jumlah", []):
            messages.error(request, f"{channel}: {error}")
    back = reverse("analytics:dashboard", kwargs={"office_slug": office.slug})
    query = request.GET.urlencode()
    return redirect(f"{back}?{query}#pengikut" if query else f"{back}#pengikut")


# --- PDF reports ------------------------------------------------------------------------------

REPORTS_PER_PAGE = 25


@office_view("report.view")
@require_http_methods(["GET", "POST"])
def reports_page(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The office's PDF reports, newest first, and the form to ask for one (the last month in
    the person's language unless they choose otherwise)."""
    today = timezone.localdate(timezone=office.zoneinfo)
    language = getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or "id"
    form = ReportRequestForm(request.POST or None, today=today, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            report_request(
                actor=request.user,
                office=office,
                start=form.cleaned_data["dari"],
                end=form.cleaned_data["sampai"],
                language=form.cleaned_data["bahasa"],
            )
        except ReportRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("Laporan sedang dibuat. Halaman ini dimuat ulang sendiri sampai laporan siap.")
            )
            return redirect("analytics:reports", office_slug=office.slug)
    page = Paginator(report_list(actor=request.user, office=office), REPORTS_PER_PAGE).get_page(
        page_number(request.GET.get("page"))
    )
    waiting = any(report.status == Report.Status.WAITING for report in page.object_list)
    return render(
        request,
        "analytics/reports.html",
        {
            "office": office,
            "nav_active": "analytics",
            "form": form,
            "page": page,
            "waiting": waiting,
            "refresh_seconds": 10,
        },
        status=400 if form.errors else 200,
    )


@office_view("report.view")
@require_GET
def report_download(request: AuthenticatedHttpRequest, office: Office, report_id: int) -> HttpResponse:
    """The PDF of a ready report of this office, as an attachment; 404 for another office's
    report, or one not ready."""
    report = report_get(actor=request.user, office=office, report_id=report_id)
    if report is None:
        raise Http404("report")
    content = report_content(actor=request.user, report=report)
    if content is None:
        raise Http404("report file")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_file_name(report)}"'
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response
