"""Writes of the triage desk: assign a narrative to a person, set its status, route it to another
office, merge narratives and split one.

Each service checks ``monitoring.triage`` in every office it touches, locks the narratives it
changes, records an audit event about each of them in the same transaction and leaves the
pipeline's counters (items, variants, reach, platforms, regions, hours) in agreement with the
items: a merge adds them up, a split counts what it moves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncHour
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices import policy
from humas.offices.models import Membership, Office

from .models import NARRATIVE_COUNTERS, Item, Narrative, NarrativeHour, NarrativeTerm, Reply, Stance, Variant
from .pipeline import narratives_recentre
from .selectors_triage import triage_people

Status = Narrative.Status

NOTE_MAX = 1000
ROUTED_KIND = Notification.Kind.NARRATIVE_ROUTED
# Suggestions kept on a merged narrative, best first.
SUGGESTIONS_KEPT = 10
# Hours looked up per query when adding hours up (SQLite caps a statement's parameters).
_CHUNK = 500
# How much of a text an audit event keeps.
_TEXT_IN_AUDIT = 80


class TriageError(Exception):
    """A triage action refused, with a sentence for people."""


def _lock(narrative_id: int) -> Narrative:
    """The narrative's row, locked until the transaction ends; a merged one is refused (it has
    no items left: the narrative it went into is the one to act on)."""
    locked = Narrative.objects.select_for_update().get(pk=narrative_id)
    if locked.merged_into_id is not None:
        raise TriageError(_("Narasi ini sudah digabungkan ke narasi lain."))
    return locked


def _name(user: User | None) -> str | None:
    return user.get_full_name() if user is not None else None


def _cut(text: str) -> str:
    return Truncator(" ".join(text.split())).chars(_TEXT_IN_AUDIT)


def narrative_assign(*, actor: User, narrative: Narrative, assignee: User | None) -> Narrative:
    """Make ``assignee`` responsible for the narrative (None: nobody). The assignee must be able to
    triage in the narrative's office (a membership there or above it)."""
    policy.require(actor, "monitoring.triage", narrative.office)
    if assignee is not None and not triage_people(office=narrative.office).filter(pk=assignee.pk).exists():
        raise TriageError(
            _("%(person)s tidak dapat menangani narasi di kantor ini.") % {"person": assignee.get_full_name()}
        )
    with transaction.atomic():
        locked = _lock(narrative.pk)
        if locked.assignee_id == (assignee.pk if assignee is not None else None):
            return locked
        before = locked.assignee
        locked.assignee = assignee
        locked.updated_at = timezone.now()
        locked.save(update_fields=["assignee", "updated_at"])
        audit_record(
            actor=actor,
            office=locked.office,
            action="monitoring.narrative_assign" if assignee is not None else "monitoring.narrative_unassign",
            obj=locked,
            changes={"assignee": {"before": _name(before), "after": _name(assignee)}},
        )
    return locked


def narrative_status_set(*, actor: User, narrative: Narrative, status: str) -> Narrative:
    """Set the narrative's status (baru, perlu klarifikasi, sudah diklarifikasi, bukan isu)."""
    policy.require(actor, "monitoring.triage", narrative.office)
    if status not in Status.values:
        raise TriageError(_("Status narasi tidak dikenal."))
    with transaction.atomic():
        locked = _lock(narrative.pk)
        if locked.status == status:
            return locked
        before = locked.status
        locked.status = status
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            office=locked.office,
            action="monitoring.narrative_status",
            obj=locked,
            changes={"status": {"before": before, "after": status}},
        )
    return locked


def narrative_route(*, actor: User, narrative: Narrative, office: Office, note: str) -> Narrative:
    """Hand the narrative to ``office`` with a note saying why; the actor must be able to triage in
    both offices. The office's people who may triage are notified after commit. An assignee who
    cannot triage in the new office is let go."""
    policy.require(actor, "monitoring.triage", narrative.office)
    policy.require(actor, "monitoring.triage", office)
    note = note.replace("\x00", "").strip()
    if not note:
        raise TriageError(_("Tulis catatan untuk kantor tujuan."))
    if len(note) > NOTE_MAX:
        raise TriageError(_("Catatan paling panjang %(max)d karakter.") % {"max": NOTE_MAX})
    if not office.is_active:
        raise TriageError(_("Kantor tujuan sudah tidak aktif."))
    with transaction.atomic():
        locked = _lock(narrative.pk)
        before = locked.office
        if before.pk == office.pk:
            raise TriageError(_("Narasi ini sudah berada di %(office)s.") % {"office": office.name})
        policy.require(actor, "monitoring.triage", before)  # it may have been routed meanwhile
        changes: dict[str, Any] = {"office": {"before": before.name, "after": office.name}, "reason": note}
        locked.office = office
        locked.office_path = office.path
        fields = ["office", "office_path", "updated_at"]
        if locked.assignee is not None and not policy.can(locked.assignee, "monitoring.triage", office):
            changes["assignee"] = {"before": _name(locked.assignee), "after": None}
            locked.assignee = None
            fields.append("assignee")
        locked.updated_at = timezone.now()
        locked.save(update_fields=fields)
        event = audit_record(
            actor=actor, office=before, action="monitoring.narrative_route", obj=locked, changes=changes
        )
        transaction.on_commit(
            lambda: _notify_routed(narrative=locked, before=before, actor=actor, note=note, key=event.pk)
        )
    return locked


def route_recipients(*, office: Office) -> list[User]:
    """Who hears of a narrative routed to ``office``: its own people who may triage there."""
    roles = policy.ACTIONS["monitoring.triage"]
    return list(
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(office=office, role__in=roles).values("user_id"),
        ).order_by("pk")
    )


def _notify_routed(*, narrative: Narrative, before: Office, actor: User, note: str, key: int) -> None:
    office = narrative.office
    people = [person for person in route_recipients(office=office) if person.pk != actor.pk]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Narasi diteruskan dari %(office)s") % {"office": before.name}
        body = "\n".join(
            [
                _("Narasi: “%(text)s”") % {"text": Truncator(narrative.title).chars(120)},
                _("Catatan dari %(person)s: %(note)s") % {"person": actor.get_full_name(), "note": note},
            ]
        )
    notification_send(
        users=people,
        office=office,
        kind=ROUTED_KIND,
        title=title,
        body=body,
        link=reverse(
            "monitoring:narrative", kwargs={"office_slug": office.slug, "narrative_id": narrative.pk}
        ),
        key=f"narrative:{narrative.pk}:routed:{key}",
    )


# --------------------------------------------------------------------------------------------
# Merge and split


def _add(total: dict[str, int], more: Any) -> dict[str, int]:
    counted = Counter({k: v for k, v in total.items() if isinstance(v, int)})
    if isinstance(more, dict):
        counted.update({str(k): v for k, v in more.items() if isinstance(v, int) and not isinstance(v, bool)})
    return dict(counted)


def _subtract(total: Any, less: dict[str, int]) -> dict[str, int]:
    left = {str(k): v for k, v in (total if isinstance(total, dict) else {}).items() if isinstance(v, int)}
    for key, n in less.items():
        left[key] = left.get(key, 0) - n
    return {k: v for k, v in left.items() if v > 0}


def _hours_add(narrative: Narrative, counts: dict[datetime, int], *, sign: int = 1) -> None:
    """Add (or with sign -1 take away) ``counts`` to the narrative's hours; an hour left with no
    items is removed."""
    hours = sorted(counts)
    for start in range(0, len(hours), _CHUNK):
        chunk = hours[start : start + _CHUNK]
        existing = {h.hour: h for h in NarrativeHour.objects.filter(narrative=narrative, hour__in=chunk)}
        new: list[NarrativeHour] = []
        changed: list[NarrativeHour] = []
        empty: list[NarrativeHour] = []
        for hour in chunk:
            row = existing.get(hour)
            if row is None:
                if sign > 0 and counts[hour] > 0:
                    new.append(NarrativeHour(narrative=narrative, hour=hour, count=counts[hour]))
                continue
            row.count = max(0, row.count + sign * counts[hour])
            (changed if row.count > 0 else empty).append(row)
        NarrativeHour.objects.bulk_create(new)
        NarrativeHour.objects.bulk_update(changed, ["count"])
        NarrativeHour.objects.filter(pk__in=[row.pk for row in empty]).delete()


def _suggestions(narratives: Iterable[Narrative]) -> list[dict[str, Any]]:
    best: dict[int, float] = {}
    for narrative in narratives:
        for entry in narrative.suggestions if isinstance(narrative.suggestions, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("claim"), int):
                score = entry.get("score")
                value = float(score) if isinstance(score, int | float) else 0.0
                best[entry["claim"]] = max(value, best.get(entry["claim"], value))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))[:SUGGESTIONS_KEPT]
    return [{"claim": claim, "score": score} for claim, score in ranked]


def narratives_merge(*, actor: User, target: Narrative, others: Sequence[Narrative]) -> Narrative:
    """Merge ``others`` into ``target``: their items, variants (one per exact key: counts added),
    hours (added), counters, platforms, regions and replies move to ``target``; each of them keeps
    ``merged_into`` and leaves the queue. The actor must be able to triage in every office."""
    policy.require(actor, "monitoring.triage", target.office)
    other_ids = sorted({n.pk for n in others} - {target.pk})
    if not other_ids:
        raise TriageError(_("Pilih setidaknya satu narasi lain untuk digabungkan."))
    with transaction.atomic():
        locked = {
            n.pk: n
            for n in Narrative.objects.select_for_update()
            .filter(pk__in=[target.pk, *other_ids])
            .order_by("pk")
        }
        if len(locked) != len(other_ids) + 1:
            raise TriageError(_("Ada narasi yang tidak ditemukan."))
        if any(n.merged_into_id is not None for n in locked.values()):
            raise TriageError(_("Narasi yang sudah digabungkan tidak dapat digabungkan lagi."))
        into = locked[target.pk]
        absorbed = [locked[pk] for pk in other_ids]
        offices = {o.pk: o for o in Office.objects.filter(pk__in={n.office_id for n in locked.values()})}
        for narrative in locked.values():
            policy.require(actor, "monitoring.triage", offices[narrative.office_id])
        before_count = into.item_count
        _merge_variants(into, other_ids)
        Item.objects.filter(narrative_id__in=other_ids).update(narrative=into)
        Reply.objects.filter(narrative_id__in=other_ids).update(narrative=into)
        hours: Counter[datetime] = Counter()
        for hour, count in NarrativeHour.objects.filter(narrative_id__in=other_ids).values_list(
            "hour", "count"
        ):
            hours[hour] += count
        _hours_add(into, dict(hours))
        NarrativeHour.objects.filter(narrative_id__in=other_ids).delete()
        # Clustering looks narratives up by their terms: a merged one must not gather items again,
        # and the one it went into is found by every wording it holds now.
        NarrativeTerm.objects.filter(narrative_id__in=other_ids).delete()
        narratives_recentre([into])
        Narrative.objects.filter(merged_into_id__in=other_ids).update(merged_into=into)

        now = timezone.now()
        everyone = [into, *absorbed]
        into.item_count = sum(n.item_count for n in everyone)
        into.denial_count = sum(n.denial_count for n in everyone)
        into.reach = sum(n.reach for n in everyone)
        into.variant_count = Variant.objects.filter(narrative=into).count()
        platforms: dict[str, int] = {}
        regions: dict[str, int] = {}
        for narrative in everyone:
            platforms = _add(platforms, narrative.platforms)
            regions = _add(regions, narrative.regions)
        into.platforms, into.regions = platforms, regions
        into.first_seen_at = min(n.first_seen_at for n in everyone)
        into.last_seen_at = max(n.last_seen_at for n in everyone)
        into.targets_commission = any(n.targets_commission for n in everyone)
        into.risk = max(n.risk for n in everyone)
        if into.claim_id is None:
            into.claim_id = next((n.claim_id for n in absorbed if n.claim_id is not None), None)
        if into.assignee_id is None:
            into.assignee_id = next((n.assignee_id for n in absorbed if n.assignee_id is not None), None)
        into.suggestions = _suggestions(everyone)
        into.updated_at = now
        into.save()
        for narrative in absorbed:
            narrative.merged_into = into
            narrative.item_count = narrative.denial_count = narrative.variant_count = narrative.reach = 0
            narrative.platforms, narrative.regions = {}, {}
            narrative.updated_at = now
        Narrative.objects.bulk_update(absorbed, ["merged_into", *NARRATIVE_COUNTERS, "updated_at"])
        audit_record(
            actor=actor,
            office=offices[into.office_id],
            action="monitoring.narrative_merge",
            obj=into,
            changes={
                "merged": [_cut(n.title) for n in absorbed],
                "item_count": {"before": before_count, "after": into.item_count},
            },
        )
        for narrative in absorbed:
            audit_record(
                actor=actor,
                office=offices[narrative.office_id],
                action="monitoring.narrative_merged",
                obj=narrative,
                changes={"merged_into": _cut(into.title)},
            )
    return into


def _merge_variants(into: Narrative, other_ids: list[int]) -> None:
    """Variants of the merged narratives join ``into``; two with the same exact key become one."""
    by_key = {v.exact_key: v for v in Variant.objects.select_for_update().filter(narrative=into)}
    changed: dict[int, Variant] = {}
    gone: list[int] = []
    for variant in (
        Variant.objects.select_for_update().filter(narrative_id__in=other_ids).order_by("first_seen_at", "pk")
    ):
        kept = by_key.get(variant.exact_key)
        if kept is None:
            variant.narrative = into
            by_key[variant.exact_key] = changed[variant.pk] = variant
            continue
        kept.item_count += variant.item_count
        kept.reach += variant.reach
        kept.first_seen_at = min(kept.first_seen_at, variant.first_seen_at)
        changed[kept.pk] = kept
        Item.objects.filter(variant=variant).update(variant=kept)
        gone.append(variant.pk)
    Variant.objects.filter(pk__in=gone).delete()
    Variant.objects.bulk_update(list(changed.values()), ["narrative", "item_count", "reach", "first_seen_at"])


def narrative_split(*, actor: User, narrative: Narrative, variants: Sequence[Variant]) -> Narrative:
    """Move the chosen ``variants`` of the narrative (with their items, hours and replies) into a
    new narrative of the same office, status "baru"; both narratives' counters are counted again
    from what moved. At least one variant must stay."""
    policy.require(actor, "monitoring.triage", narrative.office)
    ids = sorted({v.pk for v in variants})
    if not ids:
        raise TriageError(_("Pilih setidaknya satu variasi untuk dipisahkan."))
    with transaction.atomic():
        source = _lock(narrative.pk)
        chosen = list(
            Variant.objects.select_for_update()
            .filter(narrative=source, pk__in=ids)
            .order_by("-item_count", "-reach", "pk")
        )
        if len(chosen) != len(ids):
            raise TriageError(_("Ada variasi yang bukan bagian dari narasi ini."))
        remaining = Variant.objects.filter(narrative=source).exclude(pk__in=ids).order_by("-item_count", "pk")
        biggest_left = remaining.first()
        if biggest_left is None:
            raise TriageError(_("Sisakan setidaknya satu variasi di narasi ini."))
        moving = Item.objects.filter(narrative=source, variant_id__in=ids)
        totals = moving.aggregate(
            n=Count("pk"),
            denials=Count("pk", filter=Q(stance=Stance.DENIES)),
            reach=Sum("reach"),
            first=Min("published_at"),
            last=Max("published_at"),
        )
        moved_count, moved_reach = totals["n"] or 0, totals["reach"] or 0
        moved_denials = totals["denials"] or 0
        platforms = {
            row["platform"]: row["n"] for row in moving.order_by().values("platform").annotate(n=Count("pk"))
        }
        regions: Counter[str] = Counter()
        for found in moving.values_list("regions", flat=True).iterator(chunk_size=2000):
            if isinstance(found, dict):
                regions.update(str(code) for code in found)
        hours = {
            row["hour"]: row["n"]
            for row in moving.order_by()
            .annotate(hour=TruncHour("published_at", tzinfo=UTC))
            .values("hour")
            .annotate(n=Count("pk"))
        }
        first_seen = totals["first"] or min(v.first_seen_at for v in chosen)
        now = timezone.now()
        new = Narrative.objects.create(
            office=source.office,
            office_path=source.office_path,
            status=Status.NEW,
            title=chosen[0].text[:500],
            item_count=moved_count,
            denial_count=moved_denials,
            variant_count=len(chosen),
            reach=moved_reach,
            platforms=platforms,
            regions=dict(regions),
            targets_commission=source.targets_commission,
            risk=source.risk,
            first_seen_at=first_seen,
            last_seen_at=totals["last"] or first_seen,
            created_at=now,
            updated_at=now,
        )
        Reply.objects.filter(narrative=source, item__variant_id__in=ids).update(narrative=new)
        moving.update(narrative=new)
        Variant.objects.filter(pk__in=ids).update(narrative=new)
        narratives_recentre([source, new])
        NarrativeHour.objects.bulk_create(
            [NarrativeHour(narrative=new, hour=hour, count=n) for hour, n in sorted(hours.items())]
        )
        _hours_add(source, hours, sign=-1)

        before_count = source.item_count
        source.item_count = max(0, source.item_count - moved_count)
        source.denial_count = max(0, source.denial_count - moved_denials)
        source.reach = max(0, source.reach - moved_reach)
        source.variant_count = remaining.count()
        source.platforms = _subtract(source.platforms, platforms)
        source.regions = _subtract(source.regions, dict(regions))
        left = Item.objects.filter(narrative=source).aggregate(
            first=Min("published_at"), last=Max("published_at")
        )
        if left["first"] is not None:
            source.first_seen_at, source.last_seen_at = left["first"], left["last"]
        if source.title in {v.text[:500] for v in chosen}:
            source.title = biggest_left.text[:500]
        source.updated_at = now
        source.save()
        audit_record(
            actor=actor,
            office=source.office,
            action="monitoring.narrative_split",
            obj=source,
            changes={
                "variants": [_cut(v.text) for v in chosen],
                "item_count": {"before": before_count, "after": source.item_count},
            },
        )
        audit_record(
            actor=actor,
            office=source.office,
            action="monitoring.narrative_split_from",
            obj=new,
            changes={"split_from": _cut(source.title)},
        )
    return new
