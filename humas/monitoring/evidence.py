"""The evidence locker: every item of a narrative in one ZIP, ready to hand on to Bawaslu, a
ministry or a platform, with the SHA-256 of what was exported recorded and audited.

The ZIP holds ``items.csv`` and ``items.json`` (the same items: id, platform, external id, author
handle, URL, text, publication and capture time in UTC, and the SHA-256 of the raw payload as it
was received) and ``manifest.json`` (the narrative, the office, who exported it and when, the item
count and each file's SHA-256 and size). The ZIP's own SHA-256 and size are kept in an
``EvidenceExport`` row and in the audit event, so a copy handed on can be checked against them.

Items are read in chunks and written through temporary files that stay in memory while small and
move to disk when large, so a narrative of any size is exported in bounded memory."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.models import Lookalike
from humas.core.spreadsheets import csv_cell
from humas.offices import policy
from humas.offices.models import Office

from .models import EvidenceExport, Item, Narrative

ITEM_FIELDS = (
    "id",
    "platform",
    "external_id",
    "author_handle",
    "url",
    "text",
    "published_at",
    "captured_at",
    "raw_sha256",
)
FORMAT = "humas-evidence/1"
ITEMS_CSV = "items.csv"
ITEMS_JSON = "items.json"
MANIFEST = "manifest.json"
# A file being built stays in memory up to this size, then moves to a temporary file on disk.
IN_MEMORY_BYTES = 8 * 1024 * 1024
_CHUNK_ROWS = 2000
_COPY_BYTES = 1024 * 1024
# An account handle ("@warga_jepara") starts with @ but holds nothing a spreadsheet could run
# (humas/core/spreadsheets.py).
_HANDLE = re.compile(r"@[\w.]+")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - closed by the caller


def _sha256(handle: IO[bytes]) -> tuple[str, int]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(_COPY_BYTES):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def _items(items: QuerySet[Item]) -> Iterator[dict[str, Any]]:
    rows = items.order_by("published_at", "pk").values_list(*ITEM_FIELDS).iterator(chunk_size=_CHUNK_ROWS)
    for row in rows:
        item = dict(zip(ITEM_FIELDS, row, strict=True))
        item["published_at"] = _utc(item["published_at"])
        item["captured_at"] = _utc(item["captured_at"])
        yield item


def _write_items(items: QuerySet[Item], csv_file: IO[bytes], json_file: IO[bytes]) -> int:
    csv_text = io.TextIOWrapper(csv_file, encoding="utf-8-sig", newline="")
    json_text = io.TextIOWrapper(json_file, encoding="utf-8", newline="")
    writer = csv.writer(csv_text, lineterminator="\r\n")
    writer.writerow(ITEM_FIELDS)
    json_text.write("[")
    count = 0
    for item in _items(items):
        writer.writerow([csv_cell(item[name], harmless=_HANDLE) for name in ITEM_FIELDS])
        json_text.write(("," if count else "") + "\n" + json.dumps(item, ensure_ascii=False))
        count += 1
    json_text.write("\n]\n")
    for text in (csv_text, json_text):
        text.flush()
        text.detach()  # the binary file stays open for hashing and zipping
    return count


def _member(archive: zipfile.ZipFile, name: str, source: IO[bytes], moment: datetime) -> None:
    info = zipfile.ZipInfo(name, date_time=moment.astimezone(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    source.seek(0)
    with archive.open(info, "w") as target:
        shutil.copyfileobj(source, target, _COPY_BYTES)


def _manifest(
    *,
    subject: dict[str, Any],
    office: Office,
    actor: User,
    now: datetime,
    count: int,
    files: dict[str, tuple[str, int]],
) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Waktu ditulis dalam UTC (ISO 8601). raw_sha256 adalah SHA-256 data mentah setiap item "
            "sebagaimana diterima Humas. items.json memuat teks persis seperti aslinya; di items.csv, "
            "sel yang diawali =, +, -, atau @ (selain nama akun) diberi awalan ' agar tidak dijalankan "
            "sebagai rumus."
        )
    manifest = {
        "format": FORMAT,
        **subject,
        "office": {"code": office.code, "name": office.name},
        "exported_by": {"id": actor.pk, "name": actor.get_full_name(), "email": actor.email},
        "exported_at": _utc(now),
        "item_count": count,
        "files": [{"name": name, "sha256": digest, "size": size} for name, (digest, size) in files.items()],
        "note": str(note),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode()


def evidence_filename(*, narrative: Narrative, now: datetime) -> str:
    return f"bukti-narasi-{narrative.pk}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip"


def _narrative_subject(narrative: Narrative) -> dict[str, Any]:
    return {
        "narrative": {
            "id": narrative.pk,
            "title": narrative.title,
            "status": narrative.status,
            "first_seen_at": _utc(narrative.first_seen_at),
            "last_seen_at": _utc(narrative.last_seen_at),
        }
    }


def _lookalike_subject(lookalike: Lookalike) -> dict[str, Any]:
    official = lookalike.official
    return {
        "fake_account": {
            "id": lookalike.pk,
            "platform": lookalike.platform,
            "handle": lookalike.handle,
            "display_name": lookalike.display_name,
            "profile_url": lookalike.profile_url,
            "imitates": {"platform": official.platform, "handle": official.handle, "name": official.name}
            if official
            else None,
            "score": lookalike.score,
            "reasons": list(lookalike.reasons),
            "status": lookalike.status,
            "decided_at": _utc(lookalike.decided_at) if lookalike.decided_at else None,
            "decided_by": lookalike.decided_by.get_full_name() if lookalike.decided_by else None,
            "note": lookalike.note,
            "first_seen_at": _utc(lookalike.first_seen_at),
            "last_seen_at": _utc(lookalike.last_seen_at),
            "seen_count": lookalike.seen_count,
        }
    }


def _write(
    *,
    actor: User,
    office: Office,
    items: QuerySet[Item],
    subject: dict[str, Any],
    out: IO[bytes],
    now: datetime,
    filename: str,
    action: str,
    narrative: Narrative | None = None,
    lookalike: Lookalike | None = None,
) -> EvidenceExport:
    """The ZIP of ``items`` with a manifest of ``subject`` into ``out``, recorded and audited
    (``action``) in one transaction. Callers check the policy."""
    with transaction.atomic(), _spool() as csv_file, _spool() as json_file:
        count = _write_items(items, csv_file, json_file)
        files = {ITEMS_CSV: _sha256(csv_file), ITEMS_JSON: _sha256(json_file)}
        manifest = _manifest(subject=subject, office=office, actor=actor, now=now, count=count, files=files)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _member(archive, ITEMS_CSV, csv_file, now)
            _member(archive, ITEMS_JSON, json_file, now)
            _member(archive, MANIFEST, io.BytesIO(manifest), now)
        digest, size = _sha256(out)
        export = EvidenceExport.objects.create(
            narrative=narrative,
            lookalike=lookalike,
            office=office,
            created_by=actor,
            created_at=now,
            item_count=count,
            sha256=digest,
            size=size,
            filename=filename,
        )
        audit_record(
            actor=actor,
            office=office,
            action=action,
            obj=narrative or lookalike,
            changes={"sha256": digest, "filename": filename, "count": count, "bytes": size},
        )
    return export


def evidence_write(
    *, actor: User, narrative: Narrative, out: IO[bytes], now: datetime | None = None
) -> EvidenceExport:
    """Write the evidence ZIP of ``narrative`` into ``out`` (an empty, seekable binary file, left at
    its start) and record the export with the ZIP's SHA-256. Needs monitoring.triage in the
    narrative's office."""
    policy.require(actor, "monitoring.triage", narrative.office)
    now = now or timezone.now()
    return _write(
        actor=actor,
        office=narrative.office,
        items=Item.objects.filter(narrative=narrative),
        subject=_narrative_subject(narrative),
        out=out,
        now=now,
        filename=evidence_filename(narrative=narrative, now=now),
        action="monitoring.evidence_export",
        narrative=narrative,
    )


def lookalike_evidence_write(
    *, actor: User, lookalike: Lookalike, out: IO[bytes], now: datetime | None = None
) -> EvidenceExport:
    """The evidence ZIP of an account imitating the office's (the items it was seen in, and in the
    manifest the account, the account it imitates, why, and who decided what), written into
    ``out`` and recorded with its SHA-256. Needs monitoring.triage in the office imitated."""
    policy.require(actor, "monitoring.triage", lookalike.office)
    now = now or timezone.now()
    return _write(
        actor=actor,
        office=lookalike.office,
        items=Item.objects.filter(pk__in=list(lookalike.item_ids)),
        subject=_lookalike_subject(lookalike),
        out=out,
        now=now,
        filename=f"bukti-akun-palsu-{lookalike.pk}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.zip",
        action="monitoring.lookalike_evidence_export",
        lookalike=lookalike,
    )


def evidence_export(
    *, actor: User, narrative: Narrative, now: datetime | None = None
) -> tuple[EvidenceExport, bytes]:
    """The evidence ZIP of ``narrative`` as bytes, and its recorded export (see evidence_write)."""
    with _spool() as out:
        export = evidence_write(actor=actor, narrative=narrative, out=out, now=now)
        return export, out.read()
