"""Writes to blackout periods: declare, change and cancel a window (Administrators of the office
that declares it), and the rule every publishing path asks before content goes out.

A window blocks scheduling and publishing of non-exempt content at the office and, when
``includes_below``, at every office below it. What was already scheduled inside a window when it
is declared is held by the apps that own it (they answer ``signals.window_changed``), never lost.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.core.workflow import WorkflowError
from humas.offices import policy
from humas.offices.models import Office

from .models import Blackout
from .selectors import blocking_window, local_time, refusal_message
from .signals import window_changed

MAX_DAYS = 31  # longer is almost surely a typo (a year-long window would stop every office)
NOTE_MAX = 300
OVERRIDE_REASON_MAX = 500


class BlackoutError(WorkflowError):
    """A window that cannot be declared as asked; the message is translated and shown."""


def _clean(
    *, starts_at: datetime, ends_at: datetime, reason: str, note: str, now: datetime
) -> tuple[str, str]:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("blackout times must be timezone-aware")
    if reason not in Blackout.Reason.values:
        raise BlackoutError(_("Pilih alasan masa jeda."))
    note = note.replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise BlackoutError(_("Keterangan terlalu panjang (batas %(limit)s karakter).") % {"limit": NOTE_MAX})
    if reason == Blackout.Reason.LAINNYA and not note:
        raise BlackoutError(_("Tuliskan keterangan untuk alasan “Lainnya”."))
    if ends_at <= starts_at:
        raise BlackoutError(_("Waktu selesai harus sesudah waktu mulai."))
    if ends_at <= now:
        raise BlackoutError(_("Waktu selesai sudah lewat: masa jeda harus berlaku sekarang atau nanti."))
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise BlackoutError(_("Masa jeda paling lama %(days)s hari.") % {"days": MAX_DAYS})
    return reason, note


def _refuse_overlap(*, office: Office, starts_at: datetime, ends_at: datetime, exclude: int | None) -> None:
    clash = Blackout.objects.filter(
        office=office, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    other = clash.order_by("starts_at").first()
    if other is not None:
        raise BlackoutError(
            _(
                "Kantor ini sudah memiliki masa jeda yang bertumpang tindih (%(reason)s, %(start)s – "
                "%(end)s). Ubah masa jeda itu daripada membuat yang baru."
            )
            % {
                "reason": other.title,
                "start": local_time(other.starts_at, office),
                "end": local_time(other.ends_at, office),
            }
        )


def _snapshot(window: Blackout) -> dict[str, object]:
    return {
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
        "reason": window.reason,
        "note": window.note,
        "includes_below": window.includes_below,
        "clarifications_exempt": window.clarifications_exempt,
    }


def _announce(window_id: int) -> None:
    transaction.on_commit(lambda: window_changed.send(sender=Blackout, blackout_id=window_id))


def blackout_create(
    *,
    actor: User,
    office: Office,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    note: str = "",
    includes_below: bool = True,
    clarifications_exempt: bool = True,
) -> Blackout:
    """Declare a window at ``office`` (and below it when ``includes_below``). Needs
    blackout.manage there. What is already scheduled inside it is held after the commit."""
    policy.require(actor, "blackout.manage", office)
    reason, note = _clean(starts_at=starts_at, ends_at=ends_at, reason=reason, note=note, now=timezone.now())
    with transaction.atomic():
        Office.objects.select_for_update().filter(pk=office.pk).first()  # one declaration at a time
        _refuse_overlap(office=office, starts_at=starts_at, ends_at=ends_at, exclude=None)
        window = Blackout.objects.create(
            office=office,
            includes_below=includes_below and office.children.exists(),
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            note=note,
            clarifications_exempt=clarifications_exempt,
            created_by=actor,
        )
        audit_record(
            actor=actor, office=office, action="blackout.create", obj=window, changes=_snapshot(window)
        )
        _announce(window.pk)
    return window


def blackout_update(
    *,
    actor: User,
    blackout: Blackout,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    note: str = "",
    includes_below: bool = True,
    clarifications_exempt: bool = True,
) -> Blackout:
    """Change a window that is not over nor cancelled (extend a day of mourning, correct a time).
    Items it held stay held; items the new window covers are held too."""
    policy.require(actor, "blackout.manage", blackout.office)
    now = timezone.now()
    reason, note = _clean(starts_at=starts_at, ends_at=ends_at, reason=reason, note=note, now=now)
    with transaction.atomic():
        locked = Blackout.objects.select_for_update().select_related("office").get(pk=blackout.pk)
        if locked.cancelled_at is not None or locked.ends_at <= now:
            raise BlackoutError(_("Masa jeda yang sudah selesai atau dibatalkan tidak dapat diubah."))
        _refuse_overlap(office=locked.office, starts_at=starts_at, ends_at=ends_at, exclude=locked.pk)
        before = _snapshot(locked)
        locked.starts_at, locked.ends_at, locked.reason, locked.note = starts_at, ends_at, reason, note
        locked.includes_below = includes_below and locked.office.children.exists()
        locked.clarifications_exempt = clarifications_exempt
        locked.save()
        after = _snapshot(locked)
        changed = {
            name: {"before": before[name], "after": after[name]}
            for name in after
            if before[name] != after[name]
        }
        audit_record(actor=actor, office=locked.office, action="blackout.update", obj=locked, changes=changed)
        _announce(locked.pk)
    return locked


def blackout_cancel(*, actor: User, blackout: Blackout) -> Blackout:
    """End a window now or before it starts. What it held stays held until a person sends or
    reschedules it (the offices are told that they may)."""
    policy.require(actor, "blackout.manage", blackout.office)
    with transaction.atomic():
        locked = Blackout.objects.select_for_update().select_related("office").get(pk=blackout.pk)
        if locked.cancelled_at is not None:
            return locked
        if locked.ends_at <= timezone.now():
            raise BlackoutError(_("Masa jeda ini sudah selesai."))
        locked.cancelled_at, locked.cancelled_by = timezone.now(), actor
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        audit_record(
            actor=actor, office=locked.office, action="blackout.cancel", obj=locked, changes=_snapshot(locked)
        )
        _announce(locked.pk)
    return locked


def blackout_refusal(*, office: Office, at: datetime, clarification: bool = False) -> str | None:
    """Why nothing of ``office`` may be scheduled or published at ``at`` (translated, in the
    office's zone), or None when it may."""
    window = blocking_window(office=office, at=at, clarification=clarification)
    return None if window is None else refusal_message(window, office=office)


def override_reason(*, actor: User, office: Office, reason: str) -> str:
    """The reason an Administrator gives for publishing one item inside a window (audited by the
    caller with the item): checked against blackout.override at ``office``, required, bounded."""
    policy.require(actor, "blackout.override", office)
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise BlackoutError(_("Tuliskan alasan menerbitkan saat masa jeda."))
    if len(reason) > OVERRIDE_REASON_MAX:
        raise BlackoutError(
            _("Alasan terlalu panjang (batas %(limit)s karakter).") % {"limit": OVERRIDE_REASON_MAX}
        )
    return reason
