"""The calendar's entries as the month and week views read them (FullCalendar event objects), and
which of them a person may drag.

Times go out as the calendar office's wall-clock time without an offset, and the views run
FullCalendar in UTC: a post at 09:00 WIB is drawn at 09:00 whatever the browser's own zone (and
no daylight-saving change of the browser's zone can move it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article
from humas.publishing.models import Post

from .selectors import CalendarEntry, Category, Kind, WindowMark

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from humas.accounts.models import User

WALL_FORMAT = "%Y-%m-%dT%H:%M:%S"
# What the reschedule services move (publishing/delivery.py post_reschedule, portal/services.py
# article_reschedule) and the permission each asks for.
_DRAFTING = frozenset({Post.Status.DRAFT, Post.Status.IN_REVIEW})


def wall_time(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as a wall-clock time in ``zone``, without an offset ("2026-03-14T09:00:00")."""
    return timezone.localtime(moment, zone).strftime(WALL_FORMAT)


def clock(moment: datetime, office: Office) -> str:
    """ "09.00 WIB": the time of day in ``office``'s zone, as Indonesians write it."""
    return f"{timezone.localtime(moment, office.zoneinfo):%H.%M} {office.tz_abbreviation}".strip()


def entry_movable(*, actor: User | AnonymousUser, entry: CalendarEntry, now: datetime) -> bool:
    """Whether the views let ``actor`` drag ``entry``: what the reschedule services accept apart
    from the new time (they check again). Anything already in the past stays put."""
    if entry.at <= now:
        return False
    if entry.kind == Kind.ARTICLE:
        return entry.status == Article.Status.SCHEDULED and policy.can(actor, "content.approve", entry.office)
    if entry.status in _DRAFTING:
        return policy.can(actor, "content.draft", entry.office)
    if entry.status == Post.Status.APPROVED or (
        entry.status == Post.Status.PUBLISHED
        and entry.pending
        and entry.category in (Category.SCHEDULED, Category.FAILED)
    ):
        return policy.can(actor, "content.publish", entry.office)
    return False


def entry_event(*, entry: CalendarEntry, office: Office, movable: bool, rolled_up: bool) -> dict[str, Any]:
    """One FullCalendar event of ``office``'s calendar. ``rolled_up``: entries of several offices
    are shown, so each names its own."""
    other_zone = entry.office.time_zone != office.time_zone
    return {
        "id": entry.key,
        "title": entry.title,
        "start": wall_time(entry.at, office.zoneinfo),
        "url": entry.url,
        "editable": movable,
        "classNames": ["cal-event", f"cal-{entry.category}"],
        "extendedProps": {
            "kind": entry.kind,
            "pk": entry.pk,
            "kindLabel": entry.kind_label,
            "category": entry.category,
            "categoryLabel": entry.category_label,
            "statusLabel": entry.status_label,
            "note": entry.note,
            "office": entry.office.name if rolled_up or entry.office.pk != office.pk else "",
            "time": clock(entry.at, office),
            "clock": f"{timezone.localtime(entry.at, office.zoneinfo):%H.%M}",
            "officeTime": clock(entry.at, entry.office) if other_zone else "",
            "stage": entry.stage,
            "channels": [{"mark": c.mark, "name": c.name, "platform": c.platform} for c in entry.channels],
        },
    }


@dataclass(frozen=True)
class EntryRow:
    """An entry as the list view shows it."""

    entry: CalendarEntry
    time: str  # "09.00 WIB", in the calendar office's zone
    office_time: str  # "11.00 WIT" when the entry's own office keeps another zone, else ""
    show_office: bool
    # The list view's "Pindahkan jadwal" form (the drag of the month and week views without a
    # mouse): shown when the person may move it, with its time as the calendar's wall clock.
    movable: bool = False
    wall_time: str = ""


def day_rows(
    days: list[tuple[date, list[CalendarEntry]]],
    *,
    office: Office,
    rolled_up: bool,
    actor: User | AnonymousUser | None = None,
    now: datetime | None = None,
) -> list[tuple[date, list[EntryRow]]]:
    """The list view's rows; with ``actor``, each says whether that person may move it."""
    now = now or timezone.now()
    return [
        (
            day,
            [
                EntryRow(
                    entry=entry,
                    time=clock(entry.at, office),
                    office_time=clock(entry.at, entry.office)
                    if entry.office.time_zone != office.time_zone
                    else "",
                    show_office=rolled_up or entry.office.pk != office.pk,
                    movable=actor is not None and entry_movable(actor=actor, entry=entry, now=now),
                    wall_time=wall_time(entry.at, office.zoneinfo)[:16],  # as <input type=datetime-local>
                )
                for entry in entries
            ],
        )
        for day, entries in days
    ]


def window_text(window: WindowMark, office: Office) -> str:
    """ "Masa tenang: 12 Maret 2031 00.00 – 15 Maret 2031 00.00 WIB (KPU Provinsi Jawa Tengah)"."""
    zone = office.zoneinfo
    return _("%(title)s: %(start)s – %(end)s %(zone)s (%(office)s)") % {
        "title": window.title,
        "start": formats.date_format(timezone.localtime(window.starts_at, zone), "j F Y H.i"),
        "end": formats.date_format(timezone.localtime(window.ends_at, zone), "j F Y H.i"),
        "zone": office.tz_abbreviation,
        "office": window.office.name,
    }


def window_event(*, window: WindowMark, office: Office) -> dict[str, Any]:
    """A blackout window as a shaded background of the month and week views."""
    return {
        "start": wall_time(window.starts_at, office.zoneinfo),
        "end": wall_time(window.ends_at, office.zoneinfo),
        "title": window.title,
        "text": window_text(window, office),
    }


def legend() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Category.choices]
