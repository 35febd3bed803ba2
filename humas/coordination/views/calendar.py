"""The calendar (Kalender): a list of a month that works without JavaScript, the month and week
views (FullCalendar) fed by a JSON endpoint, and a drag to another time."""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.core.workflow import WorkflowError
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.offices.policy import PolicyDenied
from humas.publishing.selectors import campaign_names
from humas.web import paging

from ..events import day_rows, entry_event, entry_movable, legend, window_event, window_text
from ..forms import (
    LOCAL_FORMAT,
    CalendarFilterForm,
    MoveForm,
    RangeForm,
    grid_date,
    month_start,
    next_month,
    previous_month,
)
from ..selectors import (
    CalendarFilters,
    calendar_days,
    calendar_entry_list,
    calendar_office_choices,
    calendar_windows,
)
from ..services import EntryNotFound, calendar_entry_move

LIST_PAGE_SIZE = 200
# The month and week views draw at most this many entries of one range; past it they say how many
# there are and ask for a filter (a month grid cannot show ten thousand posts anyway).
EVENT_LIMIT = 1500
# What FullCalendar needs beyond the project's policy, on the month and week views only. It
# injects its stylesheet through the CSSOM into an empty <style> element it adds: the hash of the
# empty text lets that one element exist under style-src (no inline style text can match it). Its
# icons (the arrows, a popover's close button) are a font in a data: URL, which Chrome decodes as
# soon as the stylesheet is inserted: font-src allows data: fonts (a font cannot run script).
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
GRID_CSP = {"style-src": [EMPTY_STYLE_HASH], "font-src": ["'self'", "data:"]}


def _local_midnight(day: date, office: Office) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=office.zoneinfo)


def _header(
    request: AuthenticatedHttpRequest, office: Office, view: str
) -> tuple[CalendarFilterForm, dict[str, Any]]:
    """The filters and what every calendar page shows above its entries."""
    form = CalendarFilterForm(
        request.GET or None, offices=calendar_office_choices(actor=request.user, office=office)
    )
    query = form.query()
    return form, {
        "office": office,
        "form": form,
        "view": view,
        "query": query,
        # Entries of several offices are shown: each names its own.
        "rolled_up": form.filters().include_below and form.has_offices_below,
        "legend": legend(),
        "campaigns": campaign_names(office=office),
        "can_draft": policy.can(request.user, "content.draft", office),
        "nav_active": "calendar",
    }


@office_view("content.view")
@require_GET
def calendar_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    form, context = _header(request, office, "list")
    today = timezone.localdate(timezone.now(), office.zoneinfo)
    first = month_start(request.GET.get("bulan"), today=today)
    page = paging.page_number(request.GET.get("page"))
    start, end = _local_midnight(first, office), _local_midnight(next_month(first), office)
    entries = calendar_entry_list(
        actor=request.user,
        office=office,
        start=start,
        end=end,
        filters=form.filters(),
        offset=(page - 1) * LIST_PAGE_SIZE,
        limit=LIST_PAGE_SIZE,
    )
    pages = max(1, math.ceil(entries.total / LIST_PAGE_SIZE))
    return render(
        request,
        "coordination/list.html",
        {
            **context,
            "month": first,
            "month_param": first.strftime("%Y-%m"),
            "previous_month": previous_month(first).strftime("%Y-%m"),
            "next_month": next_month(first).strftime("%Y-%m"),
            "this_month": today.replace(day=1).strftime("%Y-%m"),
            "is_this_month": first == today.replace(day=1),
            "today": today,
            "days": day_rows(
                calendar_days(entries.entries, office.zoneinfo),
                office=office,
                rolled_up=context["rolled_up"],
                actor=request.user,
            ),
            "here": request.get_full_path(),
            "total": entries.total,
            "windows": [
                window_text(w, office) for w in calendar_windows(office=office, start=start, end=end)
            ],
            "page": page,
            "pages": pages,
            "view_query": urlencode({**context["query"], "bulan": first.strftime("%Y-%m")}),
        },
    )


def _grid(request: AuthenticatedHttpRequest, office: Office, view: str) -> HttpResponse:
    _form, context = _header(request, office, view)
    today = timezone.localdate(timezone.now(), office.zoneinfo)
    initial = grid_date(request.GET.get("tanggal"), request.GET.get("bulan"), today=today)
    offset = timezone.localtime(timezone.now(), office.zoneinfo).utcoffset()
    response = render(
        request,
        "coordination/grid.html",
        {
            **context,
            "initial_date": initial.isoformat(),
            "month_param": initial.strftime("%Y-%m"),
            "view_query": urlencode({**context["query"], "bulan": initial.strftime("%Y-%m")}),
            "events_query": urlencode(context["query"]),
            "offset_minutes": int(offset.total_seconds() // 60) if offset else 0,
            "data_url": reverse("coordination:data", kwargs={"office_slug": office.slug}),
            "move_url": reverse("coordination:move", kwargs={"office_slug": office.slug}),
            "compose_url": (
                reverse("publishing:new", kwargs={"office_slug": office.slug}) if context["can_draft"] else ""
            ),
        },
    )
    # Read by humas/web/csp.py's middleware (django-csp's per-response update), enforced or
    # report-only as the installation sends its policy.
    for attribute in ("_csp_update", "_csp_update_ro"):
        setattr(response, attribute, {name: list(sources) for name, sources in GRID_CSP.items()})
    return response


@office_view("content.view")
@require_GET
def calendar_month(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _grid(request, office, "month")


@office_view("content.view")
@require_GET
def calendar_week(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    return _grid(request, office, "week")


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


@office_view("content.view")
@require_GET
def calendar_data(request: AuthenticatedHttpRequest, office: Office) -> JsonResponse:
    """The entries of a range for the month and week views: ``start`` and ``end`` are office-local
    wall times (exclusive end; neither: this month), the filters those of the pages."""
    if "start" not in request.GET and "end" not in request.GET:
        # No range asked for: this month in the office's zone (what the month view opens at).
        first = timezone.localdate(timezone.now(), office.zoneinfo).replace(day=1)
        span = RangeForm({"start": first.isoformat(), "end": next_month(first).isoformat()})
    else:
        span = RangeForm(request.GET)
    if not span.is_valid():
        return _refusal(" ".join(str(m) for errors in span.errors.values() for m in errors), 400)
    start, end = (
        moment if moment.tzinfo is not None else moment.replace(tzinfo=office.zoneinfo)
        for moment in (span.cleaned_data["start_at"], span.cleaned_data["end_at"])
    )
    form = CalendarFilterForm(request.GET, offices=calendar_office_choices(actor=request.user, office=office))
    filters: CalendarFilters = form.filters()
    entries = calendar_entry_list(
        actor=request.user, office=office, start=start, end=end, filters=filters, limit=EVENT_LIMIT
    )
    now = timezone.now()
    rolled_up = filters.include_below and form.has_offices_below
    return JsonResponse(
        {
            "ok": True,
            "events": [
                entry_event(
                    entry=entry,
                    office=office,
                    movable=entry_movable(actor=request.user, entry=entry, now=now),
                    rolled_up=rolled_up,
                )
                for entry in entries.entries
            ],
            "windows": [
                window_event(window=window, office=office)
                for window in calendar_windows(office=office, start=start, end=end)
            ],
            "total": entries.total,
            "truncated": entries.truncated,
            "message": (
                _(
                    "Menampilkan %(shown)s dari %(total)s jadwal. Saring per kantor, kanal atau status "
                    "untuk melihat sisanya."
                )
                % {"shown": len(entries.entries), "total": entries.total}
                if entries.truncated
                else ""
            ),
        }
    )


def _move(request: AuthenticatedHttpRequest, office: Office) -> tuple[datetime | None, str, int]:
    """The move a drag or the list view's form asks for: (the new instant, "", 200), or (None,
    the reason it was refused, the status)."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return None, " ".join(str(m) for errors in form.errors.values() for m in errors), 400
    try:
        at = calendar_entry_move(
            actor=request.user,
            office=office,
            kind=form.cleaned_data["kind"],
            entry_id=form.cleaned_data["id"],
            local=form.cleaned_data["waktu"],
        )
    except EntryNotFound:
        return None, _("Jadwal itu tidak ditemukan di kalender kantor ini."), 404
    except PolicyDenied as exc:
        return None, str(exc) or _("Anda tidak memiliki izin untuk tindakan ini di kantor ini."), 403
    except WorkflowError as exc:
        return None, str(exc), 400
    return at, "", 200


def _moved(at: datetime, office: Office) -> str:
    local = timezone.localtime(at, office.zoneinfo)
    return _("Dipindahkan ke %(when)s %(zone)s.") % {
        "when": formats.date_format(local, "j F Y H.i"),
        "zone": office.tz_abbreviation,
    }


@office_view("content.view")
@require_POST
def calendar_move(request: AuthenticatedHttpRequest, office: Office) -> JsonResponse:
    """A drag to another time: ``kind``, ``id`` and ``waktu`` (office-local YYYY-MM-DDTHH:MM).
    Answers {"ok": true} or {"ok": false, "message": ...} with 400, 403 or 404."""
    at, refusal, status = _move(request, office)
    if at is None:
        return _refusal(refusal, status)
    return JsonResponse(
        {
            "ok": True,
            "message": _moved(at, office),
            "waktu": timezone.localtime(at, office.zoneinfo).strftime(LOCAL_FORMAT),
        }
    )


@office_view("content.view")
@require_POST
def calendar_move_form(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The list view's "Pindahkan jadwal": the drag of the month and week views for a keyboard,
    a phone or a browser without JavaScript. Back to the page it came from (``next``, on this
    site only) with what happened."""
    at, refusal, _status = _move(request, office)
    if at is None:
        messages.error(request, refusal)
    else:
        messages.success(request, _moved(at, office))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = reverse("coordination:calendar", kwargs={"office_slug": office.slug})
    return redirect(back)
