"""Writes of the monitoring app: sources taken in by file or API, and items ingested into them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office

from .bulk import insert_ignoring
from .models import SOURCE_NAME_MAX, Item, Source
from .pipeline import items_enqueue
from .records import CleanRecord, record_check

if TYPE_CHECKING:
    from humas.accounts.models import User

# Existing ids are looked up in chunks: SQLite caps the parameters of one statement.
_LOOKUP_CHUNK = 900
# Kinds a person (a file) or a script (the API) fills; the others are filled by their pollers.
PUSHED_KINDS = frozenset({Source.Kind.FILE_IMPORT, Source.Kind.API})


class MonitoringError(Exception):
    """A request the monitoring app refuses, with a sentence for people."""


@dataclass(frozen=True)
class RecordError:
    """What is wrong with the record at ``index`` (0-based, in the order given)."""

    index: int
    field: str
    message: str


class ItemsInvalid(MonitoringError):
    """Some records are not valid; nothing was stored."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__(_("Ada item yang tidak sah; tidak ada yang disimpan."))
        self.errors = errors


@dataclass(frozen=True)
class IngestResult:
    created: int
    duplicates: int
    skipped: int = 0
    ids: tuple[int, ...] = ()  # the new items' ids


def _clean_name(name: str) -> str:
    return " ".join(name.replace("\x00", "").split())


def _refusal(source: Source, kind: str) -> str:
    if source.kind != kind:
        return _("Sumber “%(name)s” adalah sumber jenis %(kind)s; pilih nama lain.") % {
            "name": source.name,
            "kind": source.get_kind_display(),
        }
    if not source.is_active:
        return _("Sumber “%(name)s” sudah dinonaktifkan.") % {"name": source.name}
    return ""


def source_name_problem(*, office: Office, kind: str, name: str) -> str:
    """Why items of ``kind`` may not go into the office's source named ``name`` (empty: they may),
    said before a person goes on to the next step."""
    name = _clean_name(name)
    if not name:
        return _("Nama sumber wajib diisi.")
    if len(name) > SOURCE_NAME_MAX:
        return _("Nama sumber paling panjang %(max)d karakter.") % {"max": SOURCE_NAME_MAX}
    source = Source.objects.filter(office=office, name=name).first()
    return _refusal(source, kind) if source is not None else ""


def source_get_or_create_pushed(*, actor: User, office: Office, kind: str, name: str) -> Source:
    """The office's active source named ``name`` of ``kind`` (a file import or the API), created
    when there is none: whoever may ingest into the office may start such a source. A source of
    another kind with that name, or a deactivated one, is refused (its items come from elsewhere)."""
    policy.require(actor, "monitoring.ingest", office)
    if kind not in PUSHED_KINDS:
        raise ValueError(f"{kind!r} is not a kind filled by people or scripts")
    problem = source_name_problem(office=office, kind=kind, name=name)
    if problem:
        raise MonitoringError(problem)
    name = _clean_name(name)
    with transaction.atomic():
        source, created = Source.objects.get_or_create(
            office=office, name=name, defaults={"kind": kind, "created_by": actor}
        )
        if created:
            audit_record(
                actor=actor,
                office=office,
                action="monitoring.source_create",
                obj=source,
                changes={"source_kind": kind},
            )
    refused = _refusal(source, kind)  # a source made by another request in the meantime
    if refused:
        raise MonitoringError(refused)
    return source


PUBLIC_TIP_SOURCE_NAME = "Laporan warga"


def source_for_public_tips(*, office: Office) -> Source:
    """The office's source of tips from the public, made when its first tip arrives: no person
    creates or polls it; the portal's "Laporkan Hoaks" form and the Telegram tipline fill it
    (``items_ingest(actor=None, polled=False)``). A name a person already gave another source is
    left to it (this one is then numbered)."""
    found = Source.objects.filter(office=office, kind=Source.Kind.PUBLIC_TIP).order_by("pk").first()
    if found is not None:
        return found
    with transaction.atomic():
        taken = set(
            Source.objects.filter(office=office, name__startswith=PUBLIC_TIP_SOURCE_NAME).values_list(
                "name", flat=True
            )
        )
        name = PUBLIC_TIP_SOURCE_NAME
        number = 2
        while name in taken:
            name = f"{PUBLIC_TIP_SOURCE_NAME} ({number})"
            number += 1
        source, _created = Source.objects.get_or_create(
            office=office, name=name, defaults={"kind": Source.Kind.PUBLIC_TIP}
        )
    return source


def _existing_ids(source: Source, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        found.update(
            Item.objects.filter(source=source, external_id__any=chunk).values_list("external_id", flat=True)
        )
    return found


def _new_item_ids(source: Source, external_ids: Sequence[str]) -> list[int]:
    # bulk_create with ignore_conflicts gives no ids back; ask for them, in chunks.
    ids: list[int] = []
    for start in range(0, len(external_ids), _LOOKUP_CHUNK):
        chunk = external_ids[start : start + _LOOKUP_CHUNK]
        ids.extend(Item.objects.filter(source=source, external_id__any=chunk).values_list("pk", flat=True))
    return sorted(ids)


def items_ingest(
    *,
    actor: User | None,
    source: Source,
    records: Sequence[Mapping[str, Any]],
    filename: str = "",
    cursor: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    polled: bool = True,
) -> IngestResult:
    """Store ``records`` (mappings of field name to value as received) as items of ``source``.

    Every record is checked first (humas/monitoring/records.py); if any is invalid, ItemsInvalid
    lists them all and nothing is stored — unless ``skip_invalid`` (a poller: one malformed
    comment from a platform must not hold back the rest), when invalid records are counted in
    ``IngestResult.skipped`` and left out. Idempotent by (source, external_id): a record whose id
    the source already holds, or that repeats an id earlier in the batch, is a duplicate and
    changes nothing. ``cursor`` (a poller's position after these records) is stored on the source
    in the same transaction as the items, so a poller killed at any point resumes where the stored
    items end: nothing is lost, nothing stored twice.

    One transaction per batch. A person (``actor``) needs ``monitoring.ingest`` in the source's
    office, which this checks; ``actor=None`` is the source's own poller or a verified webhook,
    which the caller vouches for (a webhook passes ``polled=False``: its items leave the source's
    health, last run and failure count as they are). New items go through the pipeline after
    commit."""
    office = source.office
    if actor is not None:
        policy.require(actor, "monitoring.ingest", office)
    cleaned: list[CleanRecord] = []
    errors: list[RecordError] = []
    for index, record in enumerate(records):
        checked = record_check(record)
        if isinstance(checked, CleanRecord):
            cleaned.append(checked)
        else:
            errors.extend(RecordError(index=index, field=p.field, message=p.message) for p in checked)
    skipped = len({e.index for e in errors})
    if errors and not skip_invalid:
        raise ItemsInvalid(errors)
    unique: dict[str, CleanRecord] = {}
    for clean in cleaned:
        unique.setdefault(clean.external_id, clean)
    now = timezone.now()
    with transaction.atomic():
        # First, and a write: it holds the source's row (PostgreSQL) or the database (SQLite)
        # until commit, so two batches into one source never count the same new item twice.
        # A webhook (``polled=False``) says nothing about whether the source's own poll works:
        # it must not clear a failing poller's health.
        touched: dict[str, Any] = (
            {"last_run_at": now, "health": Source.Health.HEALTHY, "last_error": "", "consecutive_failures": 0}
            if polled
            else {"item_count": F("item_count")}
        )
        if cursor is not None:
            touched["cursor"] = dict(cursor)
        Source.objects.filter(pk=source.pk).update(**touched)
        existing = _existing_ids(source, list(unique))
        new = [record for external_id, record in unique.items() if external_id not in existing]
        inserted = insert_ignoring(
            Item,
            [
                Item(
                    source=source,
                    office=office,
                    platform=r.platform,
                    external_id=r.external_id,
                    author_handle=r.author_handle,
                    url=r.url,
                    text=r.text,
                    published_at=r.published_at,
                    captured_at=now,
                    reactions=r.reactions,
                    comments=r.comments,
                    shares=r.shares,
                    views=r.views,
                    raw=r.raw,
                    raw_sha256=r.raw_sha256,
                )
                for r in new
            ],
        )  # ignoring conflicts: the row lock above makes one impossible; never a 500
        new_ids: list[int] = []
        if new:
            Source.objects.filter(pk=source.pk).update(item_count=F("item_count") + len(new))
            new_ids = (
                sorted(inserted)
                if inserted is not None
                else _new_item_ids(source, [r.external_id for r in new])
            )
            transaction.on_commit(lambda: items_enqueue(new_ids))
        result = IngestResult(
            created=len(new), duplicates=len(cleaned) - len(new), skipped=skipped, ids=tuple(new_ids)
        )
        changes: dict[str, Any] = {"items_created": result.created, "items_duplicate": result.duplicates}
        if skipped:
            changes["items_skipped"] = skipped
        if filename:
            changes["filename"] = filename[:200]
        if actor is not None:
            # A poller's batches are not a person's act; its source keeps its health and count.
            audit_record(
                actor=actor, office=office, action="monitoring.items_ingest", obj=source, changes=changes
            )
    source.refresh_from_db()
    return result
