"""What every request down the hierarchy shares, whatever it asks (a cascade of content, an
amplification task): which offices ask and which are asked, the offices a scope reaches, the
checks of a deadline, the people of an office who act on what arrives and how they are told and
reminded, how a receiving office's answer is locked and its reason to decline checked, and how a
time and a text read in what they are told.

The checks raise the caller's own error (``error=``), so each feature keeps its exception, and
the sentences that name what is asked come from the caller (``ScopeWords``): a person reads what
they were doing ("meneruskan", "meminta"), never a neighbour's word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.notifications.services import notification_send
from humas.offices.models import Membership, Office
from humas.offices.tree import subtree
from humas.publishing.services import PublishingError, clean_reason

# Offices that ask the offices below them, and the offices asked (ad-hoc PPK and PPS bodies do
# not run public channels).
SENDING_LEVELS = frozenset({Office.Level.PUSAT, Office.Level.PROVINSI})
RECEIVING_LEVELS = (Office.Level.PROVINSI, Office.Level.KABKOTA)
DEADLINE_MAX_DAYS = 90
# The longest reason an office gives when it declines what came from above.
DECLINE_REASON_MAX = 500
# The scopes of a request (the values of ``Cascade.Scope`` and ``AmplificationTask.Scope``).
SCOPE_BELOW = "below"
SCOPE_PROVINCE = "province"
SCOPE_CHOSEN = "chosen"
# A receiving office's row that has not been answered (the same value in every feature).
PENDING = "pending"
ModelT = TypeVar("ModelT", bound=Model)


@dataclass(frozen=True)
class ScopeWords:
    """The two refusals of a scope that name what is asked: KPU RI alone reaches one province's
    offices (``national_only``), and an office chosen that does not take part (``not_receiving``,
    with ``%(office)s``)."""

    national_only: Promise | str
    not_receiving: Promise | str


def receiving_offices(*, office: Office) -> QuerySet[Office]:
    """The active offices below ``office`` that are asked (provinces, regencies/cities)."""
    return (
        Office.objects.filter(subtree(office.path), is_active=True, level__in=RECEIVING_LEVELS)
        .exclude(pk=office.pk)
        .order_by("path")
    )


def deadline_clean(deadline: datetime, *, now: datetime, office: Office, error: type[Exception]) -> datetime:
    """``deadline`` (aware) when it is in the future and at most DEADLINE_MAX_DAYS away; else
    ``error`` saying so, with the time in ``office``'s zone as it was entered."""
    if timezone.is_naive(deadline):
        raise ValueError("deadline must be timezone-aware")
    if deadline <= now:
        local = timezone.localtime(deadline, office.zoneinfo)
        raise error(
            _("Tenggat %(when)s %(zone)s sudah lewat. Pilih waktu yang akan datang.")
            % {"when": local.strftime("%d-%m-%Y %H.%M"), "zone": office.tz_abbreviation}
        )
    if deadline - now > timedelta(days=DEADLINE_MAX_DAYS):
        raise error(_("Tenggat paling lama %(days)s hari dari sekarang.") % {"days": DEADLINE_MAX_DAYS})
    return deadline


def target_office_ids(
    *,
    office: Office,
    scope: str,
    province: Office | None,
    chosen: Sequence[Office],
    error: type[Exception],
    words: ScopeWords,
) -> list[int]:
    """The ids of the offices a request of ``office`` reaches: every office below it
    (``SCOPE_BELOW``), one province's (``SCOPE_PROVINCE``, from KPU RI only) or those ``chosen``
    (each below ``office``, active and of a level that is asked). ``error`` for anything else."""
    below = receiving_offices(office=office)
    if scope == SCOPE_BELOW:
        return list(below.values_list("pk", flat=True))
    if scope == SCOPE_PROVINCE:
        if office.level != Office.Level.PUSAT:
            raise error(str(words.national_only))
        if province is None or province.level != Office.Level.PROVINSI:
            raise error(_("Pilih provinsinya."))
        if not province.path.startswith(office.path) or province.pk == office.pk:
            raise error(_("%(office)s berada di luar jangkauan kantor ini.") % {"office": province.name})
        return list(below.filter(subtree(province.path)).values_list("pk", flat=True))
    if scope == SCOPE_CHOSEN:
        if not chosen:
            raise error(_("Pilih setidaknya satu kantor tujuan."))
        ids: dict[int, None] = {}
        for target in chosen:
            if target.pk == office.pk or not target.path.startswith(office.path):
                raise error(
                    _(
                        "%(office)s berada di luar jangkauan kantor ini: hanya kantor di bawahnya yang dapat dituju."
                    )
                    % {"office": target.name}
                )
            if not target.is_active or target.level not in RECEIVING_LEVELS:
                raise error(str(words.not_receiving) % {"office": target.name})
            ids[target.pk] = None
        return list(ids)
    raise error(_("Pilih cakupan kantor tujuan."))


def office_staff(office_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active Editors and Operators of each office (its own members: they act on what
    arrives there), by office id."""
    found: dict[int, list[User]] = {}
    memberships = (
        Membership.objects.filter(
            office_id__in=list(office_ids),
            role__in=(Membership.Role.EDITOR, Membership.Role.OPERATOR),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("office_id", "user_id")
    )
    for membership in memberships:
        found.setdefault(membership.office_id, []).append(membership.user)
    return found


def reminder_window() -> timedelta:
    """How long before its deadline an office that has not answered a request is reminded, once:
    ``HUMAS_CASCADE_REMINDER_HOURS``, for cascades and amplification tasks alike."""
    return timedelta(hours=settings.HUMAS_CASCADE_REMINDER_HOURS)


def staff_tell(
    targets: Iterable[Any],
    *,
    people: dict[int, list[User]],
    kind: str,
    key: str,
    link: Callable[[Any], str],
    notice: Callable[[Any], tuple[str, str]],
) -> int:
    """Tell the staff of each target's office (``people``, from ``office_staff``) the title and
    body ``notice`` writes for it, in the site's language, once per person (``key``). An office
    with nobody to tell is skipped. Returns how many people were told now."""
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        for target in targets:
            users = people.get(target.office_id)
            if not users:
                continue
            title, body = notice(target)
            told += len(
                notification_send(
                    users=users,
                    office=target.office,
                    kind=kind,
                    title=title,
                    body=body,
                    link=link(target),
                    key=key,
                )
            )
    return told


def reminders_due(targets: QuerySet[ModelT], *, parent: str, now: datetime) -> list[ModelT]:
    """The rows of ``targets`` still waiting and not reminded whose request (``parent``: their
    foreign key to it) is due within the reminder window. A request sent with less time than that
    left is not reminded of (the notice of its arrival gave the deadline)."""
    window = reminder_window()
    found = targets.filter(
        status=PENDING,
        reminded_at__isnull=True,
        **{f"{parent}__deadline__gt": now, f"{parent}__deadline__lte": now + window},
    )
    return [t for t in found if getattr(t, parent).created_at <= getattr(t, parent).deadline - window]


def staff_remind(
    due: Sequence[Any],
    *,
    model: type[Model],
    kind: str,
    key: Callable[[Any], str],
    link: Callable[[Any], str],
    notice: Callable[[Any], tuple[str, str]],
    now: datetime,
) -> int:
    """Remind the staff of each office of ``due`` (``reminders_due``), once, with the title and
    body ``notice`` writes, in the site's language; each row is marked reminded as it is done
    (``model``: their table). Returns how many offices were reminded now."""
    people = office_staff(t.office_id for t in due)
    reminded = 0
    with translation.override(settings.LANGUAGE_CODE):
        for target in due:
            title, body = notice(target)
            notification_send(
                users=people.get(target.office_id, []),
                office=target.office,
                kind=kind,
                title=title,
                body=body,
                link=link(target),
                key=key(target),
                now=now,
            )
            reminded += model._default_manager.filter(pk=target.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
    return reminded


def pending_locked(
    model: type[ModelT],
    pk: int,
    *,
    by: str,
    error: type[Exception],
    missing: str,
    answered: str,
    nobody: str,
) -> ModelT:
    """The receiving office's row ``pk``, locked, while it still waits; else ``error``:
    ``missing`` when it is gone, or ``answered`` (with ``%(status)s`` and ``%(person)s``) naming
    how and by whom it was answered (``by``: the field of the person; ``nobody`` when none)."""
    locked = model._default_manager.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise error(missing)
    row: Any = locked  # a target: its status, and the person who answered it
    if row.status != PENDING:
        person_id = getattr(row, f"{by}_id")
        person = User.objects.filter(pk=person_id).first() if person_id else None
        raise error(
            answered
            % {
                "status": row.get_status_display().lower(),
                "person": person.get_full_name() if person else nobody,
            }
        )
    return locked


def reason_clean(reason: str, *, missing: str, error: type[Exception]) -> str:
    """A reason to decline, required (``missing`` says so) and at most DECLINE_REASON_MAX
    characters; else ``error``."""
    try:
        return clean_reason(reason, limit=DECLINE_REASON_MAX, missing=missing)
    except PublishingError as exc:
        raise error(str(exc)) from exc


def local_time(moment: datetime, office: Office) -> str:
    """``moment`` as ``office`` reads it: "08-03-2031 17.00 WIB"."""
    local = timezone.localtime(moment, office.zoneinfo)
    return f"{local.strftime('%d-%m-%Y %H.%M')} {office.tz_abbreviation}"


def excerpt(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut at a word within ``limit`` characters (with "…")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-—") + "…"


def offices_by_province(offices: list[Office]) -> list[tuple[Office | None, list[Office]]]:
    """The offices asked, by province: each province with the offices below it (a province's own
    regencies, with no group of their own, come first under ``None``)."""
    groups: dict[int, tuple[Office | None, list[Office]]] = {}
    loose: list[Office] = []
    for office in offices:
        if office.level == Office.Level.PROVINSI:
            groups.setdefault(office.pk, (office, []))
    for office in offices:
        if office.level == Office.Level.PROVINSI:
            continue
        if office.parent_id in groups:
            groups[office.parent_id][1].append(office)
        else:
            loose.append(office)
    found = list(groups.values())
    return [(None, loose), *found] if loose else found
