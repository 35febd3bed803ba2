"""Writes to portal content: the draft -> review -> published workflow, versions and scheduling.

Every function checks the policy, records an audit event and invalidates the public page cache
after commit.
"""

from __future__ import annotations

import difflib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.blackouts.alerts import HeldItem, held_notify
from humas.blackouts.models import Blackout
from humas.blackouts.selectors import blocking_window, refusal_message
from humas.blackouts.services import override_reason
from humas.core import workflow
from humas.guideline.check import PolicyReport, policy_refusal, text_policy_report
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree
from humas.web import pagecache

from .counter import article_views_forget
from .images import article_image_ids, image_publication_sync
from .models import Article, ArticleImage, ArticleType, ArticleVersion, Category, Tag, Verdict
from .sanitize import body_problem, html_to_text, sanitize_html
from .search import article_index
from .selectors import paths_showing_article
from .signals import article_publication_changed_on_commit

Status = Article.Status
EDITABLE_BY_AUTHOR = {Status.DRAFT, Status.REJECTED, Status.UNPUBLISHED}
# Awaiting a decision: an approver may publish, reschedule or reject it.
AWAITING_DECISION = {Status.IN_REVIEW, Status.SCHEDULED}
# On the portal or about to be: only these can be withdrawn.
WITHDRAWABLE = {Status.PUBLISHED, Status.SCHEDULED}
OWN_ARTICLE = gettext_lazy("Anda tidak dapat menyetujui artikel Anda sendiri.")
# A change to an article scheduled or published sends it back to review (it leaves the portal
# until a second person approves it again), unless it is a typo correction.
BACK_TO_REVIEW = {Status.SCHEDULED, Status.PUBLISHED}
# At most this many characters of summary and body (measured with difflib) may change in a typo
# correction: enough for a handful of misspellings, too few to change what an article says.
TYPO_MAX_CHANGED = 40
REFUSED_TRANSITION = gettext_lazy("Artikel berstatus %(status)s tidak dapat diproses dengan cara ini.")


@dataclass(frozen=True)
class ArticleActions:
    """What a person may do to an article from its page in the back office, by the rules the
    services below apply (the page offers these and nothing else)."""

    edit: bool
    submit: bool
    # Publish or schedule an article in review; a second person only (the two-person rule).
    approve: bool
    # Send an article in review back to its author (the service also rejects a scheduled one;
    # the page withdraws a scheduled article instead).
    reject: bool
    unpublish: bool
    # An approver who may not approve this one: they wrote it, or were the last to change it.
    wrote_it: bool
    changed_it_last: bool


def article_actions(*, actor: User, article: Article) -> ArticleActions:
    """The actions ``actor`` may perform on ``article`` now: article_update's edit permission,
    article_submit's, article_approve's (with the second person), article_reject's and
    article_unpublish's, each with the statuses it starts from."""
    office = article.office
    status = article.status
    edit = policy.can(actor, workflow.edit_permission(status, EDITABLE_BY_AUTHOR), office)
    drafter = policy.can(actor, "content.draft", office)
    approver = policy.can(actor, "content.approve", office)
    in_review = approver and status == Status.IN_REVIEW
    second_person = workflow.may_approve_item(article, actor)
    wrote_it = in_review and article.author_id == actor.pk
    return ArticleActions(
        edit=edit,
        submit=drafter and status in EDITABLE_BY_AUTHOR,
        approve=in_review and second_person,
        reject=in_review,
        unpublish=approver and status in WITHDRAWABLE,
        wrote_it=wrote_it,
        changed_it_last=in_review and not second_person and not wrote_it,
    )


def _invalidate_article_pages(article: Article) -> int:
    """Delete the stored public pages that show ``article`` (run after the change commits), once
    its images are public exactly while it (or another article using them) is published."""
    image_publication_sync(image_ids=article_image_ids(article))
    # The view-counter beacon asks the database again whether the article is public.
    article_views_forget(article_id=article.pk)
    return pagecache.invalidate_paths(paths_showing_article(article))


def _after_publication_change(article: Article) -> None:
    """Inside the transaction of a change to what the portal shows of ``article``: once it
    commits, drop the stored pages that show it and tell the apps above (portal/signals.py)."""
    transaction.on_commit(lambda: _invalidate_article_pages(article))
    article_publication_changed_on_commit(article_id=article.pk)


class WorkflowError(workflow.WorkflowError):
    """A transition that the article's state does not allow; the message is translated."""


@dataclass
class ArticleInput:
    title: str
    type: str = ArticleType.BERITA
    summary: str = ""
    body: str = ""
    slug: str = ""
    category: Category | None = None
    tags: list[str] = field(default_factory=list)
    election_stage: str = ""
    cover: ArticleImage | None = None
    pinned_until: datetime | None = None
    claim: str = ""
    claim_appearances: list[str] = field(default_factory=list)
    verdict: str = ""
    evidence_links: list[str] = field(default_factory=list)


CONTENT_FIELDS = (
    "title",
    "type",
    "summary",
    "body",
    "category_id",
    "election_stage",
    "cover_id",
    "pinned_until",
    "claim",
    "claim_appearances",
    "verdict",
    "evidence_links",
)


# What goes out: a second person approves every change to these (the two-person rule). Category,
# tags, election stage and pinning only file the article; they change without a new review.
REVIEWED_FIELDS = frozenset(
    {
        "title",
        "type",
        "summary",
        "body",
        "cover_id",
        "claim",
        "claim_appearances",
        "verdict",
        "evidence_links",
    }
)
# What a typo correction may change; the rest of REVIEWED_FIELDS must stay as approved.
TYPO_FIELDS = frozenset({"summary", "body"})


def _validate(data: ArticleInput, office: Office) -> None:
    problem = body_problem(data.body)
    if problem:
        raise WorkflowError(problem)
    if data.cover is not None and data.cover.office_id != office.pk:
        raise WorkflowError(_("Gambar itu tidak tersedia untuk kantor ini."))
    if data.type not in ArticleType.values:
        raise WorkflowError(_("Jenis konten tidak dikenal."))
    if data.type == ArticleType.KLARIFIKASI:
        if not data.claim.strip():
            raise WorkflowError(_("Klarifikasi harus memuat klaim yang beredar."))
        if data.verdict not in Verdict.values:
            raise WorkflowError(_("Klarifikasi harus memiliki putusan."))
    if data.pinned_until is not None and data.type != ArticleType.PENGUMUMAN:
        raise WorkflowError(_("Hanya pengumuman yang dapat disematkan."))


SLUG_MAX_CHARS = 100  # the form's limit; a "-<n>" suffix for uniqueness fits the column's 120


def slug_for(text: str, limit: int) -> str:
    """``text`` slugified and cut to at most ``limit`` characters after a whole word (inside a
    word only when the first word alone is longer), never ending in a dash."""
    slug = slugify(text)
    if len(slug) > limit:
        # One character past the limit: a dash there means the limit falls between two words.
        head = slug[: limit + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:limit]
    return slug.strip("-")


def _unique_slug(*, office: Office, type: str, title: str, wanted: str, exclude_id: int | None) -> str:
    base = slug_for(wanted or title, SLUG_MAX_CHARS) or "artikel"
    others = Article.objects.filter(office=office, type=type, slug__startswith=base)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    taken = set(others.values_list("slug", flat=True))
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _tags(names: list[str]) -> list[Tag]:
    tags = []
    for raw in names:
        name = " ".join(raw.split())[:60]
        slug = slug_for(name, 60)
        if not slug:
            continue
        tag = Tag.objects.filter(slug=slug).first() or Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


def _snapshot(
    article: Article, actor: User, *, approved_by: User | None = None, typo_correction: int | None = None
) -> None:
    article.version += 1
    article.save(update_fields=["version"])
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        created_by=actor,
        approved_by=approved_by,
        approved_at=timezone.now() if approved_by is not None else None,
        typo_correction=typo_correction,
        data={
            "type": article.type,
            "category": article.category.name if article.category else "",
            "tags": sorted(t.name for t in article.tags.all()),
            "election_stage": article.election_stage,
            "claim": article.claim,
            "claim_appearances": article.claim_appearances,
            "verdict": article.verdict,
            "evidence_links": article.evidence_links,
            "status": article.status,
        },
    )


def _apply(article: Article, data: ArticleInput) -> dict[str, Any]:
    before = {name: getattr(article, name) for name in CONTENT_FIELDS}
    body = sanitize_html(data.body)
    article.title = data.title.strip()
    article.type = data.type
    article.summary = data.summary.strip()
    article.body = body
    article.body_text = html_to_text(body)
    article.category = data.category
    article.election_stage = data.election_stage
    article.cover = data.cover
    article.pinned_until = data.pinned_until
    article.claim = data.claim.strip()
    article.claim_appearances = [u for u in data.claim_appearances if u]
    article.verdict = data.verdict
    article.evidence_links = [u for u in data.evidence_links if u]
    after = {name: getattr(article, name) for name in CONTENT_FIELDS}
    return {k: (after[k] if k not in ("body",) else "…") for k in CONTENT_FIELDS if before[k] != after[k]}


def _insert(article: Article, data: ArticleInput, *, by: User, approved_by: User | None = None) -> None:
    """Save a new article from ``data``: fields, a unique slug, tags, search index, first version."""
    _apply(article, data)
    article.slug = _unique_slug(
        office=article.office, type=data.type, title=data.title, wanted=data.slug, exclude_id=None
    )
    article.save()
    article.tags.set(_tags(data.tags))
    article_index(article=article)
    _snapshot(article, by, approved_by=approved_by)


def article_create(*, actor: User, office: Office, data: ArticleInput) -> Article:
    """Create a draft in ``office``. Needs content.draft there."""
    policy.require(actor, "content.draft", office)
    _validate(data, office)
    with transaction.atomic():
        article = Article(
            office=office,
            author=actor,
            status=Status.DRAFT,
            last_changed_by=actor,
            last_changed_at=timezone.now(),
        )
        _insert(article, data, by=actor)
        audit_record(
            actor=actor,
            office=office,
            action="article.create",
            obj=article,
            changes={"type": article.type, "title": article.title},
        )
    return article


def changed_characters(before: str, after: str) -> int:
    """How many characters differ between two texts, as difflib sees them: for each replaced,
    deleted or inserted run, the longer of its two sides."""
    if before == after:
        return 0
    # The common start and end cost nothing; difflib then compares only the changed middle.
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    a, b = before[start : len(before) - end], after[start : len(after) - end]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def _typo_correction_size(*, actor: User, article: Article, before: dict[str, Any], changed: set[str]) -> int:
    """The characters a typo correction changes; raises WorkflowError (translated) for anything
    that is not one: the article is not published, the corrector approved it, a field other than
    summary and body changed, or more than TYPO_MAX_CHANGED characters changed."""
    if before["status"] != Status.PUBLISHED:
        raise WorkflowError(_("Koreksi salah ketik hanya untuk artikel yang sudah terbit."))
    if article.approved_by_id == actor.pk:
        raise WorkflowError(
            _(
                "Koreksi salah ketik harus dilakukan orang kedua: Anda menyetujui artikel ini. "
                "Minta Editor lain mengoreksinya, atau simpan tanpa tanda koreksi agar ditinjau ulang."
            )
        )
    if changed - TYPO_FIELDS:
        raise WorkflowError(
            _(
                "Koreksi salah ketik hanya boleh mengubah ejaan pada ringkasan dan isi; judul, jenis, "
                "putusan, klaim, dan gambar tidak boleh berubah."
            )
        )
    size = sum(changed_characters(before[name], getattr(article, name)) for name in TYPO_FIELDS)
    if size > TYPO_MAX_CHANGED:
        raise WorkflowError(
            _(
                "Perubahan ini terlalu besar untuk koreksi salah ketik (%(size)s karakter berubah, "
                "batas %(limit)s). Simpan tanpa tanda koreksi agar artikel ditinjau ulang."
            )
            % {"size": size, "limit": TYPO_MAX_CHANGED}
        )
    return size


def article_update(
    *, actor: User, article: Article, data: ArticleInput, typo_correction: bool = False
) -> Article:
    """Save a new version. Drafts, rejected and withdrawn articles: anyone with content.draft.
    Articles in review, scheduled or published: only someone who may approve (the change goes live).

    A change to what goes out (REVIEWED_FIELDS) makes ``actor`` the article's last changer, who may
    not approve it; on an article scheduled or published it sends the article back to review.
    ``typo_correction``: a published article stays published when a second person (not its
    approver) corrects at most TYPO_MAX_CHANGED characters of its summary and body and nothing
    else that goes out; anything more is refused (WorkflowError) and nothing is saved."""
    policy.require(actor, workflow.edit_permission(article.status, EDITABLE_BY_AUTHOR), article.office)
    _validate(data, article.office)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        before: dict[str, Any] = {"status": article.status, "summary": article.summary, "body": article.body}
        changes = _apply(article, data)
        reviewed = set(changes) & REVIEWED_FIELDS
        typo_size: int | None = None
        if typo_correction and reviewed:
            typo_size = _typo_correction_size(actor=actor, article=article, before=before, changed=reviewed)
        if data.slug and data.slug != article.slug and article.published_at is None:
            article.slug = _unique_slug(
                office=article.office,
                type=article.type,
                title=article.title,
                wanted=data.slug,
                exclude_id=article.pk,
            )
        if reviewed:
            workflow.mark_changed(article, actor)
            if typo_size is None and article.status in BACK_TO_REVIEW:
                # What a second person approved is no longer what would be public.
                article.status, article.approved_by, article.publish_at = Status.IN_REVIEW, None, None
        article.save()
        article.tags.set(_tags(data.tags))
        article_index(article=article)
        _snapshot(article, actor, typo_correction=typo_size)
        audit: dict[str, Any] = {"fields": sorted(changes), "version": article.version}
        if article.status != before["status"]:
            audit["status"] = {"before": before["status"], "after": article.status}
        if typo_size is not None:
            audit["changed_characters"] = typo_size
        audit_record(
            actor=actor,
            office=article.office,
            action="article.update" if typo_size is None else "article.typo_correction",
            obj=article,
            changes=audit,
        )
        if before["status"] == Status.PUBLISHED:
            _after_publication_change(article)
    return article


def article_submit(*, actor: User, article: Article, policy_reason: str = "") -> Article:
    """Send a draft (or a rejected or withdrawn article) for review. What the guideline blocks is
    refused unless an Administrator gives ``policy_reason`` (humas/guideline/check.py)."""
    policy.require(actor, "content.draft", article.office)
    return _transition(
        actor=actor,
        article=article,
        allowed=EDITABLE_BY_AUTHOR,
        to=Status.IN_REVIEW,
        action="article.submit",
        guideline=GuidelineAsk(reason=policy_reason, approving=False),
    )


def article_policy_report(*, article: Article) -> PolicyReport:
    """The guideline's findings in what the article shows: its title, summary, text and claim."""
    texts = [
        (_("Judul"), "", article.title),
        (_("Ringkasan"), "", article.summary),
        (_("Isi"), "", html_to_text(article.body)),
        (_("Klaim yang beredar"), "", article.claim),
    ]
    return text_policy_report(office=article.office, texts=[t for t in texts if t[2].strip()])


@dataclass(frozen=True)
class GuidelineAsk:
    """A transition the guideline checks first: the reason given to go on, and whether it approves
    (a warning then needs the approver's reason)."""

    reason: str
    approving: bool


def _guideline_check(*, actor: User | None, article: Article, ask: GuidelineAsk) -> dict[str, Any]:
    """What the audit event keeps of the guideline's findings on ``article`` ({} when none), or
    WorkflowError with the refusal."""
    assert actor is not None
    report = article_policy_report(article=article)
    refusal, reason = policy_refusal(
        report=report, actor=actor, office=article.office, reason=ask.reason, approving=ask.approving
    )
    if refusal:
        raise WorkflowError(refusal)
    if not report.findings:
        return {}
    return {"guideline": report.summary() | ({"reason": reason} if reason else {})}


def _blackout_check(*, actor: User, article: Article, at: datetime, override: str = "") -> str:
    """ "" when no blackout window stops ``article`` going out at ``at`` (a clarification passes
    windows that exempt clarifications); else the Administrator's checked ``override`` reason, or
    WorkflowError with the window's message."""
    window = blocking_window(
        office=article.office, at=at, clarification=article.type == ArticleType.KLARIFIKASI
    )
    if window is None:
        return ""
    refusal = refusal_message(window, office=article.office)
    if not override.strip():
        raise WorkflowError(refusal)
    if not policy.can(actor, "blackout.override", article.office):
        raise WorkflowError(
            f"{refusal} " + _("Hanya Administrator yang dapat menerbitkan satu konten saat masa jeda.")
        )
    return override_reason(actor=actor, office=article.office, reason=override)


def article_approve(
    *,
    actor: User,
    article: Article,
    publish_at: datetime | None = None,
    blackout_override: str = "",
    policy_reason: str = "",
) -> Article:
    """Approve an article in review: publish now, or schedule it when ``publish_at`` is in the future.

    Needs content.approve at the article's office (an Editor there or above). Nobody approves an
    article they wrote or were the last to change: a second person checks every publication.
    Inside a blackout window it is refused with the window's message; an Administrator may
    publish it now anyway with ``blackout_override``, a reason that is audited. The guideline is
    checked again: a block needs an Administrator's ``policy_reason``, a warning the approver's.
    """
    policy.require(actor, "content.approve", article.office)
    now = timezone.now()
    ask = GuidelineAsk(reason=policy_reason, approving=True)
    if publish_at is not None and publish_at > now:
        _blackout_check(actor=actor, article=article, at=publish_at)
        return _transition(
            actor=actor,
            article=article,
            allowed={Status.IN_REVIEW},
            to=Status.SCHEDULED,
            action="article.schedule",
            publish_at=publish_at,
            approving=True,
            guideline=ask,
        )
    override = _blackout_check(actor=actor, article=article, at=now, override=blackout_override)
    return _transition(
        actor=actor,
        article=article,
        allowed=AWAITING_DECISION,
        to=Status.PUBLISHED,
        action="article.publish",
        publish_at=now,
        approving=True,
        extra={"blackout_override": override} if override else None,
        guideline=ask,
    )


def article_reschedule(*, actor: User, article: Article, publish_at: datetime) -> Article:
    """Move a scheduled article (held by a blackout window or not) to another time: the
    calendar's drag. Only the time changes, so the approval stays. Needs content.approve; a time
    in the past or inside a blackout window is refused with the reason."""
    if timezone.is_naive(publish_at):
        raise ValueError("publish_at must be timezone-aware")
    policy.require(actor, "content.approve", article.office)
    if publish_at <= timezone.now():
        raise WorkflowError(_("Waktu itu sudah lewat. Pilih waktu yang akan datang."))
    with transaction.atomic():
        locked = Article.objects.select_for_update().select_related("office").get(pk=article.pk)
        if locked.status == Status.PUBLISHED:
            raise WorkflowError(_("Artikel ini sudah terbit; jadwalnya tidak dapat diubah lagi."))
        workflow.require_status(locked, {Status.SCHEDULED}, message=REFUSED_TRANSITION, error=WorkflowError)
        _blackout_check(actor=actor, article=locked, at=publish_at)
        before, held = locked.publish_at, locked.held_by_id
        locked.publish_at, locked.held_by = publish_at, None
        locked.save(update_fields=["publish_at", "held_by", "updated_at"])
        changes: dict[str, Any] = {
            "publish_at": {"before": before.isoformat() if before else None, "after": publish_at.isoformat()}
        }
        if held:
            changes["released_from_blackout"] = held
        audit_record(
            actor=actor, office=locked.office, action="article.reschedule", obj=locked, changes=changes
        )
    return locked


def article_reject(*, actor: User, article: Article, reason: str) -> Article:
    policy.require(actor, "content.approve", article.office)
    if not reason.strip():
        raise WorkflowError(_("Tuliskan alasan penolakan."))
    return _transition(
        actor=actor,
        article=article,
        allowed=AWAITING_DECISION,
        to=Status.REJECTED,
        action="article.reject",
        reason=reason.strip(),
    )


def article_unpublish(*, actor: User, article: Article, reason: str = "") -> Article:
    """Withdraw a published or scheduled article from the portal."""
    policy.require(actor, "content.approve", article.office)
    return _unpublish(actor=actor, article=article, reason=reason)


def _unpublish(*, actor: User | None, article: Article, reason: str) -> Article:
    # Shaped like article_reject's call, but another transition: from public, not from review.
    return _transition(
        actor=actor,
        article=article,
        allowed=WITHDRAWABLE,
        to=Status.UNPUBLISHED,
        action="article.unpublish",
        reason=reason.strip(),
    )


def _transition(
    *,
    actor: User | None,
    article: Article,
    allowed: AbstractSet[str],
    to: str,
    action: str,
    publish_at: datetime | None = None,
    reason: str = "",
    approving: bool = False,
    extra: dict[str, Any] | None = None,
    guideline: GuidelineAsk | None = None,
) -> Article:
    with transaction.atomic():
        locked = Article.objects.select_for_update().select_related("office").get(pk=article.pk)
        if approving:
            # On the locked row: a change committed meanwhile makes its author the last changer.
            assert actor is not None
            workflow.require_second_person(locked, actor, own_message=OWN_ARTICLE)
        workflow.require_status(locked, allowed, message=REFUSED_TRANSITION, error=WorkflowError)
        if guideline is not None:
            # The guideline, on the text as it is now: a block stops it unless an Administrator
            # gives a reason; a warning needs the approver's reason.
            extra = (extra or {}) | _guideline_check(actor=actor, article=locked, ask=guideline)
        before = locked.status
        locked.status = to
        fields = ["status", "updated_at"]
        if to in (Status.PUBLISHED, Status.SCHEDULED):
            locked.approved_by = actor if actor is not None else locked.approved_by
            locked.publish_at = publish_at or locked.publish_at
            locked.held_by = None  # a person decided again, inside the rules of any window
            fields += ["approved_by", "publish_at", "held_by"]
        if to == Status.PUBLISHED and locked.published_at is None:
            locked.published_at = publish_at or timezone.now()
            fields.append("published_at")
        if to == Status.REJECTED:
            locked.rejection_reason = reason
            fields.append("rejection_reason")
        locked.save(update_fields=fields)
        if approving:
            # The history: the version approved as it stands (a scheduled one keeps its approver).
            ArticleVersion.objects.filter(article=locked, number=locked.version, approved_by=None).update(
                approved_by=actor, approved_at=timezone.now()
            )
        if to == Status.PUBLISHED:
            article_index(article=locked)  # whatever path created it, a published text is searchable
        changes: dict[str, Any] = {"status": {"before": before, "after": to}}
        if reason:
            changes["reason"] = reason
        if publish_at is not None:
            changes["publish_at"] = publish_at.isoformat()
        changes |= extra or {}
        audit_record(actor=actor, office=locked.office, action=action, obj=locked, changes=changes)
        if before == Status.PUBLISHED or to == Status.PUBLISHED:
            _after_publication_change(locked)
    return locked


def article_publish_due(*, now: datetime | None = None) -> int:
    """Publish every scheduled article whose time has come. Idempotent; safe to run concurrently.
    An article that a blackout window covers now is held instead (kept scheduled, its office told)."""
    now = now or timezone.now()
    published = 0
    for article_id, office_id, type in Article.objects.filter(
        status=Status.SCHEDULED, publish_at__lte=now, held_by__isnull=True
    ).values_list("pk", "office_id", "type"):
        office = Office.objects.get(pk=office_id)
        window = blocking_window(office=office, at=now, clarification=type == ArticleType.KLARIFIKASI)
        if window is not None:
            if Article.objects.filter(pk=article_id, status=Status.SCHEDULED, held_by__isnull=True).update(
                held_by=window
            ):
                _held_notify(window=window, office=office, article_ids=[article_id])
            continue
        article = Article(pk=article_id)
        try:
            _transition(
                actor=None,
                article=article,
                allowed={Status.SCHEDULED},
                to=Status.PUBLISHED,
                action="article.publish_scheduled",
                publish_at=None,
            )
        except WorkflowError:
            continue  # published or withdrawn by someone else meanwhile
        published += 1
    return published


def article_publish_approved_post(
    *, publisher: User, approver: User, author: User, office: Office, data: ArticleInput
) -> Article:
    """Publish on the office's portal a post that already passed four-eyes approval in Konten
    (the delivery engine's portal channel calls this; it records the delivery link itself).

    The portal's invariants hold as for an article approved here: the approver may approve at
    the office (content.approve) and is not the author, the publisher may publish there
    (content.publish); the body is sanitized, the slug made unique, the text indexed, a version
    kept, the step audited and the pages showing the article invalidated after commit.
    Call inside the transaction that records the link, so both exist or neither.
    """
    policy.require(publisher, "content.publish", office)
    policy.require(approver, "content.approve", office)
    workflow.require_not_author(author_id=author.pk, actor=approver, message=OWN_ARTICLE)
    _validate(data, office)
    now = timezone.now()
    with transaction.atomic():
        article = Article(
            office=office,
            author=author,
            status=Status.PUBLISHED,
            approved_by=approver,
            publish_at=now,
            published_at=now,
            # The post's approval in Konten already checked its last changer; the author stands for it.
            last_changed_by=author,
            last_changed_at=now,
        )
        _insert(article, data, by=publisher, approved_by=approver)
        audit_record(
            actor=publisher,
            office=office,
            action="article.publish_from_post",
            obj=article,
            changes={
                "type": article.type,
                "title": article.title,
                "approved_by": approver.email,
                "author": author.email,
            },
        )
        _after_publication_change(article)
    return article


def article_withdraw_published_post(*, actor: User | None, article: Article, reason: str = "") -> Article:
    """Withdraw an article that a Konten publication put on the portal, as part of withdrawing that
    publication. ``actor`` None: the withdrawal was already authorised by the person who withdrew
    the publication while the delivery was in flight (the publication records it)."""
    if actor is not None:
        return article_unpublish(actor=actor, article=article, reason=reason)
    return _unpublish(actor=None, article=article, reason=reason)


def _held_notify(*, window: Blackout, office: Office, article_ids: list[int], released: bool = False) -> int:
    """Tell an office's Editors and Administrators, and the authors, which of its scheduled
    articles ``window`` holds (or, ``released``, may publish now that it is cancelled)."""
    articles = Article.objects.filter(pk__in=article_ids, office=office).values_list(
        "pk", "title", "author_id"
    )
    return held_notify(
        window=window,
        office=office,
        items=[HeldItem(pk=pk, title=title, author_id=author) for pk, title, author in articles],
        kind="articles",
        one_link=lambda item: reverse(
            "portal_admin:detail", kwargs={"office_slug": office.slug, "article_id": item.pk}
        ),
        list_link=reverse("portal_admin:list", kwargs={"office_slug": office.slug}),
        released=released,
    )


def articles_hold_for_window(*, blackout_id: int) -> int:
    """A window was declared, changed or cancelled (blackouts.signals.window_changed): hold every
    scheduled article of the offices it covers whose time falls inside it (clarifications pass a
    window that exempts them), and tell each office; a cancelled window tells the offices whose
    articles it held that they may publish them. Idempotent. Returns the articles held now."""
    window = Blackout.objects.select_related("office").filter(pk=blackout_id).first()
    if window is None:
        return 0
    if window.cancelled_at is not None:
        by_office: dict[int, list[int]] = {}
        for pk, office_id in Article.objects.filter(held_by=window, status=Status.SCHEDULED).values_list(
            "pk", "office_id"
        ):
            by_office.setdefault(office_id, []).append(pk)
        for office in Office.objects.filter(pk__in=by_office):
            _held_notify(window=window, office=office, article_ids=by_office[office.pk], released=True)
        return 0
    scope = Q(office_id=window.office_id)
    if window.includes_below:
        scope |= subtree(window.office.path, field="office__path")
    due = Article.objects.filter(
        scope,
        status=Status.SCHEDULED,
        held_by__isnull=True,
        publish_at__gte=window.starts_at,
        publish_at__lt=window.ends_at,
    )
    if window.clarifications_exempt:
        due = due.exclude(type=ArticleType.KLARIFIKASI)
    rows = list(due.values_list("pk", "office_id"))
    Article.objects.filter(pk__in=[pk for pk, _office in rows], held_by__isnull=True).update(held_by=window)
    grouped: dict[int, list[int]] = {}
    for pk, office_id in rows:
        grouped.setdefault(office_id, []).append(pk)
    for office in Office.objects.filter(pk__in=grouped):
        _held_notify(window=window, office=office, article_ids=grouped[office.pk])
    return len(rows)
