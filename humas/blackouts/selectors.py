"""Reads of blackout periods: which window, if any, stops an office publishing at an instant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Left, Length
from django.db.models.lookups import Exact
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths

from .models import Blackout


def applying_to(office: Office) -> Q:
    """Windows that cover ``office``: its own, and those of the offices above it declared for
    everything below them. Cancelled windows are not excluded here."""
    return Q(office_id=office.pk) | Q(includes_below=True, office__path__in=ancestor_paths(office.path))


def _active() -> QuerySet[Blackout]:
    return Blackout.objects.filter(cancelled_at__isnull=True)


def blocking_window(*, office: Office, at: datetime, clarification: bool = False) -> Blackout | None:
    """The window that stops ``office`` publishing at ``at`` (the one ending last when several do),
    or None. A clarification passes windows that exempt clarifications."""
    windows = _active().filter(applying_to(office), starts_at__lte=at, ends_at__gt=at)
    if clarification:
        windows = windows.filter(clarifications_exempt=False)
    return windows.select_related("office").order_by("-ends_at", "pk").first()


def windows_ahead(*, now: datetime) -> list[Blackout]:
    """Every active window not over at ``now``, with its office: a handful (an election's masa
    tenang, a day of mourning), read once by a task that checks many offices
    (``blocking_among``)."""
    return list(_active().filter(ends_at__gt=now).select_related("office").order_by("-ends_at", "pk"))


def blocking_among(
    windows: Sequence[Blackout], *, office: Office, at: datetime, clarification: bool = False
) -> Blackout | None:
    """``blocking_window`` answered from ``windows`` (``windows_ahead`` of a moment up to ``at``)
    instead of a query: the same rule, the same window chosen."""
    above = set(ancestor_paths(office.path))
    for window in windows:  # ordered as blocking_window orders them
        covers = window.office_id == office.pk or (window.includes_below and window.office.path in above)
        if (
            covers
            and window.starts_at <= at < window.ends_at
            and not (clarification and window.clarifications_exempt)
        ):
            return window
    return None


def blocking_exists(*, office: str, clarification: str, at: datetime) -> Exists:
    """Whether a window stops, at ``at``, the office of each row of an outer query, as
    ``blocking_window`` answers it for one office (its own windows and those declared above it for
    everything below; a clarification passes the windows that exempt clarifications). ``office``
    and ``clarification`` name, from the outer model, its office and whether it is a
    clarification (``"publication__post__office"``, ``"publication__post__is_clarification"``).
    For an annotation: the delivery engine asks it in the query that claims a delivery."""
    above = Left(OuterRef(f"{office}__path"), Length("office__path"))
    windows = _active().filter(
        # Paths end with the separator, so a prefix is an office above (or the office itself).
        Q(office_id=OuterRef(f"{office}_id")) | (Q(includes_below=True) & Exact(above, F("office__path"))),
        Q(clarifications_exempt=False) | Exact(OuterRef(clarification), False),
        starts_at__lte=at,
        ends_at__gt=at,
    )
    return Exists(windows)


def windows_between(*, office: Office, start: datetime, end: datetime) -> list[Blackout]:
    """The active windows covering ``office`` that overlap [start, end), in time order (the
    calendar shades them)."""
    return list(
        _active()
        .filter(applying_to(office), starts_at__lt=end, ends_at__gt=start)
        .select_related("office")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class BlackoutPage:
    current: list[Blackout]
    upcoming: list[Blackout]
    past: list[Blackout]


def blackout_list_for_office(*, actor: User, office: Office, now: datetime | None = None) -> BlackoutPage:
    """Every window that covers ``office`` or was declared by it (cancelled ones included, as
    past), split into now, later and over. Needs office.view."""
    policy.require(actor, "office.view", office)
    now = now or timezone.now()
    windows = list(
        Blackout.objects.filter(applying_to(office))
        .select_related("office", "created_by", "cancelled_by")
        .order_by("starts_at", "pk")
    )
    current = [w for w in windows if w.cancelled_at is None and w.starts_at <= now < w.ends_at]
    upcoming = [w for w in windows if w.cancelled_at is None and w.starts_at > now]
    past = [w for w in windows if w.cancelled_at is not None or w.ends_at <= now]
    past.sort(key=lambda w: w.ends_at, reverse=True)
    return BlackoutPage(current=current, upcoming=upcoming, past=past)


def blackout_get_for_office(*, actor: User, office: Office, blackout_id: int) -> Blackout | None:
    """A window that covers ``office`` or that it declared, or None."""
    policy.require(actor, "office.view", office)
    return Blackout.objects.filter(applying_to(office), pk=blackout_id).select_related("office").first()


def local_time(moment: datetime, office: Office) -> str:
    """``moment`` as people of ``office`` read it: "11 Februari 2029 00.00 WIB"."""
    local = timezone.localtime(moment, office.zoneinfo)
    return f"{formats.date_format(local, 'j F Y H:i')} {office.tz_abbreviation}".strip()


def refusal_message(window: Blackout, *, office: Office) -> str:
    """Why scheduling or publishing at a moment inside ``window`` is refused at ``office``, and
    from when it is possible again, in ``office``'s zone."""
    values = {
        "reason": window.title,
        "start": local_time(window.starts_at, office),
        "end": local_time(window.ends_at, office),
        "office": window.office.name,
    }
    if window.office_id == office.pk:
        text = _("%(reason)s berlaku di kantor ini dari %(start)s sampai %(end)s.") % values
    else:
        text = _("%(reason)s ditetapkan %(office)s dari %(start)s sampai %(end)s.") % values
    return " ".join(
        [
            text,
            _(
                "Selama masa itu tidak ada konten yang dijadwalkan atau diterbitkan, kecuali yang dikecualikan."
            ),
            _("Pilih waktu sesudah %(end)s.") % values,
        ]
    )
