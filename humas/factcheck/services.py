"""Writes of the clarification knowledge base: own clarifications kept in step with the portal, and
external fact-checks imported by a person or upserted by a fact-check feed.

Every change commits with the Claim rows' ``updated_at`` set (the matching index notices changes
by it, humas/factcheck/matching.py) and, after commit, sends ``claims_changed`` with the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.audit.services import audit_record
from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article, ArticleType
from humas.portal.sanitize import html_to_text
from humas.web.origins import public_url

from .matching import claim_index_invalidate
from .models import Claim
from .records import CleanClaim, claim_record_check, source_name_clean, source_name_problem
from .signals import claims_changed_on_commit

if TYPE_CHECKING:
    from humas.accounts.models import User

# Existing ids are looked up in chunks: SQLite caps the parameters of one statement.
_LOOKUP_CHUNK = 900
_EXTERNAL_FIELDS = ("title", "text", "verdict", "url", "published_at", "is_active")


class FactcheckError(Exception):
    """A request the knowledge base refuses, with a sentence for people."""


@dataclass(frozen=True)
class RecordError:
    """What is wrong with the record at ``index`` (0-based, in the order given)."""

    index: int
    field: str
    message: str


class ClaimsInvalid(FactcheckError):
    """Some records are not valid; nothing was stored."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__(_("Ada cek fakta yang tidak sah; tidak ada yang disimpan."))
        self.errors = errors


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int
    skipped: int = 0
    # The ids of the claims created or changed.
    claim_ids: tuple[int, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0


def _changed(claim_ids: Sequence[int]) -> None:
    """Inside the transaction that changed these claims: the index of this process rebuilds at its
    next use (now, for readers of this transaction, and again once it commits) and apps above learn
    of the change after commit."""
    if not claim_ids:
        return
    claim_index_invalidate()
    transaction.on_commit(claim_index_invalidate)
    claims_changed_on_commit(claim_ids=claim_ids)


# --------------------------------------------------------------------------------------------
# Own clarifications


def _own_values(article: Article) -> dict[str, Any]:
    """What the knowledge base holds of a published clarification: its title, the claim that
    circulated and the explanation as plain text, its verdict and public address."""
    parts = [article.claim, article.summary, html_to_text(article.body)]
    return {
        "office_id": article.office_id,
        "title": article.title,
        "text": "\n\n".join(part.strip() for part in parts if part and part.strip()),
        "verdict": article.verdict,
        "url": public_url(article.get_absolute_url(), host_slug=article.office.slug),
        "published_at": article.published_at,
        "is_active": True,
    }


def _sync_article(article_id: int) -> tuple[Claim | None, str]:
    with transaction.atomic():
        # Locked: two syncs of one article (a signal and the hourly backfill) take turns.
        article = (
            Article.objects.select_for_update(of=("self",))
            .select_related("office")
            .filter(pk=article_id)
            .first()
        )
        claim = Claim.objects.filter(article_id=article_id).first()
        if article is None:
            return claim, "unchanged"  # deleted: its claim went with it (on_delete CASCADE)
        now = timezone.now()
        if not (article.type == ArticleType.KLARIFIKASI and article.status == Article.Status.PUBLISHED):
            if claim is None or not claim.is_active:
                return claim, "unchanged"
            claim.is_active = False
            claim.updated_at = now
            claim.save(update_fields=["is_active", "updated_at"])
            outcome = "deactivated"
        elif claim is None:
            claim = Claim.objects.create(
                kind=Claim.Kind.OWN, article=article, created_at=now, updated_at=now, **_own_values(article)
            )
            outcome = "created"
        else:
            values = _own_values(article)
            changed = [name for name, value in values.items() if getattr(claim, name) != value]
            if not changed:
                return claim, "unchanged"
            for name in changed:
                setattr(claim, name, values[name])
            claim.updated_at = now
            claim.save(update_fields=[*changed, "updated_at"])
            outcome = "updated"
        _changed([claim.pk])
    return claim, outcome


def claim_sync_from_article(*, article_id: int) -> Claim | None:
    """Bring the knowledge base in step with the portal article ``article_id``, read afresh: a
    published clarification (type klarifikasi) has an active own claim with its current title,
    text, verdict, address and date; any other article's claim, if it has one (withdrawn, sent back
    to review, no longer a clarification), is inactive. Idempotent; no permission needed (it
    follows what the portal's services already allowed). Returns the article's claim, if any."""
    claim, _outcome = _sync_article(article_id)
    return claim


def claims_sync_all() -> SyncResult:
    """Bring every own claim in step with its article (claim_sync_from_article for each published
    clarification and each active own claim): the backfill for clarifications published before
    this app existed and the repair when a change's signal was lost. Idempotent."""
    article_ids = set(
        Article.objects.filter(type=ArticleType.KLARIFIKASI, status=Article.Status.PUBLISHED).values_list(
            "pk", flat=True
        )
    )
    article_ids.update(
        pk
        for pk in Claim.objects.filter(kind=Claim.Kind.OWN, is_active=True).values_list(
            "article_id", flat=True
        )
        if pk is not None
    )
    counts = {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 0}
    for article_id in sorted(article_ids):
        _claim, outcome = _sync_article(article_id)
        counts[outcome] += 1
    return SyncResult(**counts)


# --------------------------------------------------------------------------------------------
# External fact-checks


def _upsert_once(*, office: Office, source_name: str, records: Iterable[CleanClaim]) -> UpsertResult:
    unique: dict[str, CleanClaim] = {}
    for record in records:
        unique[record.external_id] = record  # the last of a repeated id wins
    ids = list(unique)
    now = timezone.now()
    with transaction.atomic():
        existing: dict[str, Claim] = {}
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            for claim in Claim.objects.filter(
                kind=Claim.Kind.EXTERNAL,
                source_name=source_name,
                external_id__in=ids[start : start + _LOOKUP_CHUNK],
            ):
                existing[claim.external_id] = claim
        new: list[Claim] = []
        changed: list[Claim] = []
        for external_id, record in unique.items():
            values: dict[str, Any] = {
                "title": record.title,
                "text": record.text,
                "verdict": record.verdict,
                "url": record.url,
                "published_at": record.published_at,
                "is_active": True,
            }
            held = existing.get(external_id)
            if held is None:
                new.append(
                    Claim(
                        kind=Claim.Kind.EXTERNAL,
                        office=office,
                        source_name=source_name,
                        external_id=external_id,
                        created_at=now,
                        updated_at=now,
                        **values,
                    )
                )
            elif any(getattr(held, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(held, name, value)
                held.updated_at = now
                changed.append(held)
        Claim.objects.bulk_create(new, batch_size=500)
        Claim.objects.bulk_update(changed, fields=[*_EXTERNAL_FIELDS, "updated_at"], batch_size=500)
        claim_ids = [c.pk for c in changed]
        created_ids = [c.pk for c in new if c.pk is not None]
        if len(created_ids) < len(new):  # a database that does not answer the new ids
            names = [c.external_id for c in new]
            created_ids = []
            for start in range(0, len(names), _LOOKUP_CHUNK):
                created_ids.extend(
                    Claim.objects.filter(
                        kind=Claim.Kind.EXTERNAL,
                        source_name=source_name,
                        external_id__in=names[start : start + _LOOKUP_CHUNK],
                    ).values_list("pk", flat=True)
                )
        claim_ids.extend(created_ids)
        _changed(claim_ids)
    return UpsertResult(
        created=len(new),
        updated=len(changed),
        unchanged=len(unique) - len(new) - len(changed),
        claim_ids=tuple(sorted(claim_ids)),
    )


def _upsert(*, office: Office, source_name: str, records: Sequence[CleanClaim]) -> UpsertResult:
    try:
        return _upsert_once(office=office, source_name=source_name, records=records)
    except IntegrityError:
        # Another import of the same source created some of these meanwhile: now they exist.
        return _upsert_once(office=office, source_name=source_name, records=records)


def _checked_source_name(source_name: str) -> str:
    problem = source_name_problem(source_name)
    if problem:
        raise FactcheckError(problem)
    return source_name_clean(source_name)


def claims_import(
    *,
    actor: User,
    office: Office,
    records: Sequence[Mapping[str, Any]],
    source_name: str,
    filename: str = "",
) -> UpsertResult:
    """Store ``records`` (mappings in the shape of humas/factcheck/records.py) as external
    fact-checks of ``source_name``, imported in ``office``. Needs ``factcheck.manage`` there.

    All or nothing: if any record is invalid, or two records have one doc_id, ClaimsInvalid lists
    them all and nothing is stored. Idempotent: a record whose (source, doc_id) is already held
    updates that claim when it differs (and makes it active again) and otherwise changes nothing.
    Audited as ``factcheck.claims_import``."""
    policy.require(actor, "factcheck.manage", office)
    name = _checked_source_name(source_name)
    cleaned: list[CleanClaim] = []
    errors: list[RecordError] = []
    first_index: dict[str, int] = {}
    for index, record in enumerate(records):
        checked = claim_record_check(record)
        if not isinstance(checked, CleanClaim):
            errors.extend(RecordError(index=index, field=p.field, message=p.message) for p in checked)
            continue
        if checked.external_id in first_index:
            errors.append(
                RecordError(
                    index=index,
                    field="doc_id",
                    message=_("doc_id “%(id)s” sudah dipakai cek fakta ke-%(n)d.")
                    % {"id": checked.external_id[:60], "n": first_index[checked.external_id] + 1},
                )
            )
            continue
        first_index[checked.external_id] = index
        cleaned.append(checked)
    if errors:
        raise ClaimsInvalid(errors)
    if not cleaned:
        raise FactcheckError(_("Tidak ada cek fakta untuk diimpor."))
    with transaction.atomic():
        result = _upsert(office=office, source_name=name, records=cleaned)
        changes: dict[str, Any] = {
            "source_name": name,
            "claims_created": result.created,
            "claims_updated": result.updated,
            "claims_unchanged": result.unchanged,
        }
        if filename:
            changes["filename"] = filename[:200]
        audit_record(actor=actor, office=office, action="factcheck.claims_import", changes=changes)
    return result


def claims_upsert_external(
    *, office: Office, source_name: str, records: Sequence[Mapping[str, Any]]
) -> UpsertResult:
    """Store ``records`` as external fact-checks of ``source_name`` for a system source (a
    fact-check feed polled by monitoring for ``office``). The caller vouches for the source; not
    audited. Unlike claims_import, an invalid record is left out and counted in ``skipped`` (one
    broken feed entry must not hold back the rest), and of a repeated doc_id the last wins.
    Idempotent. Raises FactcheckError for a source name that cannot be one."""
    name = _checked_source_name(source_name)
    cleaned: list[CleanClaim] = []
    skipped = 0
    for record in records:
        checked = claim_record_check(record)
        if isinstance(checked, CleanClaim):
            cleaned.append(checked)
        else:
            skipped += 1
    if not cleaned:
        return UpsertResult(created=0, updated=0, unchanged=0, skipped=skipped)
    result = _upsert(office=office, source_name=name, records=cleaned)
    return UpsertResult(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=skipped,
        claim_ids=result.claim_ids,
    )
