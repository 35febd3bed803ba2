"""The verification checklist an approver ticks before approving a post.

An office's Administrator sets the items ("Sumber informasi sudah diperiksa", "Angka sesuai
keputusan resmi", "Tidak ada data pribadi", ...); an office without its own uses the nearest one
above it, so KPU RI's checklist reaches all 553 offices until a province or a regency sets its
own. An office with no checklist anywhere above approves as before. The approval stores what was
ticked and the number of the official decision its figures come from, shown in the post's
history and kept in the approval's audit event.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import ancestor_paths

from .errors import PublishingError
from .models import ApprovalChecklist

ITEM_MAX = 200
ITEMS_MAX = 15
DECISION_MAX = 120


@dataclass(frozen=True)
class Checklist:
    """The items an office's approvers tick, and the office that set them (None: nobody did)."""

    items: list[str]
    set_at: Office | None


def checklist_for(*, office: Office) -> Checklist:
    """``office``'s checklist: its own, else the nearest office's above it; none: no items."""
    rows = {
        row.office.path: row
        for row in ApprovalChecklist.objects.select_related("office").filter(
            office__path__in=[*ancestor_paths(office.path), office.path]
        )
    }
    for path in sorted(rows, key=len, reverse=True):
        return Checklist(items=[item["label"] for item in rows[path].items], set_at=rows[path].office)
    return Checklist(items=[], set_at=None)


def checklist_items_clean(text: str) -> list[str]:
    """The items an Administrator typed, one a line: blank lines dropped, repeats once, each at
    most ITEM_MAX characters, at most ITEMS_MAX of them."""
    items = list(dict.fromkeys(" ".join(line.replace("\x00", "").split()) for line in text.splitlines()))
    items = [item for item in items if item]
    if len(items) > ITEMS_MAX:
        raise PublishingError(_("Paling banyak %(limit)s butir periksa.") % {"limit": ITEMS_MAX})
    long = [item for item in items if len(item) > ITEM_MAX]
    if long:
        raise PublishingError(
            _("Butir periksa terlalu panjang (batas %(limit)s karakter): %(item)s")
            % {"limit": ITEM_MAX, "item": long[0][:40] + "…"}
        )
    return items


def checklist_set(*, actor: User, office: Office, text: str) -> Checklist:
    """Set ``office``'s own checklist from ``text`` (one item a line; empty: the office uses the
    one above again). Needs checklist.manage there (an Administrator). Audited."""
    policy.require(actor, "checklist.manage", office)
    items = checklist_items_clean(text)
    before = checklist_for(office=office).items
    with transaction.atomic():
        if items:
            ApprovalChecklist.objects.update_or_create(
                office=office, defaults={"items": [{"label": item} for item in items], "set_by": actor}
            )
        else:
            ApprovalChecklist.objects.filter(office=office).delete()
        audit_record(
            actor=actor,
            office=office,
            action="checklist.set",
            obj=office,
            changes={"before": before, "after": items},
        )
    return checklist_for(office=office)


def checklist_answer(*, office: Office, ticked: Collection[str], decision: str) -> dict[str, object]:
    """What an approval records of ``office``'s checklist: every item must be ticked (``ticked``
    holds the items' labels), else PublishingError naming those left. ``decision``: the number of
    the official decision the post's figures come from, if any. {} when the office has none."""
    checklist = checklist_for(office=office)
    if not checklist.items:
        return {}
    left = [item for item in checklist.items if item not in set(ticked)]
    if left:
        raise PublishingError(
            _("Centang dulu daftar periksa sebelum menyetujui: %(items)s.") % {"items": "; ".join(left)}
        )
    decision = " ".join(decision.replace("\x00", "").split())[:DECISION_MAX]
    return {"items": checklist.items, **({"decision": decision} if decision else {})}
