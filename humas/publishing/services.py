"""Writes to posts: draft -> review -> approved, with a second person approving (four eyes).

Every function checks the policy and records an audit event in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.core import workflow
from humas.offices import policy
from humas.offices.models import Office

from .models import Post, PostVersion

Status = Post.Status
# A withdrawn post may be corrected and sent for review again: it goes out again only after a
# new approval. Not workflow.edit_permission's set (portal EDITABLE_BY_AUTHOR): any edit here
# needs only content.draft, and an edit in review or approved sends the post back to draft.
EDITABLE = {Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.WITHDRAWN}
SUBMITTABLE: set[str] = {Status.DRAFT, Status.WITHDRAWN}
OWN_POST = gettext_lazy("Anda tidak dapat menyetujui unggahan Anda sendiri.")
REFUSED_TRANSITION = gettext_lazy("Unggahan berstatus %(status)s tidak dapat diproses dengan cara ini.")
MAX_TEXT = 63_206  # the longest any platform takes (Facebook); each channel checks its own limit


def schedule_from_office_time(*, office: Office, local: datetime) -> datetime:
    """A wall-clock time entered in the office's zone (WIB/WITA/WIT) as an aware UTC instant.
    Independent of the server's TZ and of the active Django time zone."""
    if timezone.is_aware(local):
        return local.astimezone(UTC)
    return local.replace(tzinfo=office.zoneinfo).astimezone(UTC)


class PublishingError(workflow.WorkflowError):
    """A request that cannot be carried out; the message is translated and shown to people."""


def _clean(*, text: str, link: str, scheduled_at: datetime | None) -> tuple[str, str]:
    text = text.replace("\x00", "").strip()
    link = link.replace("\x00", "").strip()
    if not text:
        raise PublishingError(_("Teks unggahan wajib diisi."))
    if len(text) > MAX_TEXT:
        raise PublishingError(_("Teks terlalu panjang (batas %(limit)s karakter).") % {"limit": MAX_TEXT})
    if link and not link.startswith(("http://", "https://")):
        raise PublishingError(_("Tautan harus diawali http:// atau https://."))
    if scheduled_at is not None and timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be timezone-aware")
    return text, link


def post_create(
    *, actor: User, office: Office, text: str, link: str = "", scheduled_at: datetime | None = None
) -> Post:
    """Create a draft in ``office``. Needs content.draft there."""
    policy.require(actor, "content.draft", office)
    text, link = _clean(text=text, link=link, scheduled_at=scheduled_at)
    with transaction.atomic():
        post = Post.objects.create(
            office=office,
            author=actor,
            text=text,
            link=link,
            scheduled_at=scheduled_at,
            last_changed_by=actor,
            last_changed_at=timezone.now(),
        )
        audit_record(actor=actor, office=office, action="post.create", obj=post)
    return post


def post_update(
    *, actor: User, post: Post, text: str, link: str = "", scheduled_at: datetime | None = None
) -> Post:
    """Change a post not yet published. Whoever changes its text, link or schedule becomes its
    last changer (who may not approve it), and a change to a post in review or approved sends it
    back to draft: what goes out, when it goes out, is always what a second person approved."""
    policy.require(actor, "content.draft", post.office)
    text, link = _clean(text=text, link=link, scheduled_at=scheduled_at)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status not in EDITABLE:
            raise PublishingError(_("Unggahan yang sudah diterbitkan tidak dapat diubah."))
        scheduled_before = locked.scheduled_at
        before: dict[str, object] = {
            "text": locked.text,
            "link": locked.link,
            "scheduled_at": scheduled_before,
        }
        after: dict[str, object] = {"text": text, "link": link, "scheduled_at": scheduled_at}
        changed = sorted(name for name in after if before[name] != after[name])
        status_before = locked.status
        locked.text, locked.link, locked.scheduled_at = text, link, scheduled_at
        changes: dict[str, Any] = {"fields": changed}
        if changed:
            workflow.mark_changed(locked, actor)
            if back_to_draft(locked):
                changes["status"] = {"before": status_before, "after": locked.status}
        if "scheduled_at" in changed:
            changes["scheduled_at"] = {
                "before": _iso(scheduled_before),
                "after": _iso(scheduled_at),
            }
        locked.save()
        audit_record(actor=actor, office=locked.office, action="post.update", obj=locked, changes=changes)
    return locked


def back_to_draft(post: Post) -> bool:
    """A change to a post in review or approved sends it back to draft (on the locked row; the
    caller saves): what goes out is always what a second person approved. True if it did."""
    if post.status == Status.DRAFT:
        return False
    post.status, post.approved_by, post.approved_at = Status.DRAFT, None, None
    return True


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _transition(*, actor: User, post: Post, allowed: set[str], to: str, action: str) -> Post:
    with transaction.atomic():
        locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
        if to == Status.APPROVED:
            # On the locked row: a change committed meanwhile makes its author the last changer.
            workflow.require_second_person(locked, actor, own_message=OWN_POST)
        workflow.require_status(locked, allowed, message=REFUSED_TRANSITION, error=PublishingError)
        before = locked.status
        locked.status = to
        if to == Status.APPROVED:
            locked.approved_by, locked.approved_at = actor, timezone.now()
            _record_version(locked)
        elif to == Status.IN_REVIEW:
            locked.approved_by, locked.approved_at = None, None  # a new approval is needed
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            action=action,
            obj=locked,
            changes={"status": {"before": before, "after": to}},
        )
    return locked


def post_submit(*, actor: User, post: Post) -> Post:
    """Send a draft (or a withdrawn post, to publish it again) for review."""
    policy.require(actor, "content.draft", post.office)
    return _transition(actor=actor, post=post, allowed=SUBMITTABLE, to=Status.IN_REVIEW, action="post.submit")


def _record_version(post: Post) -> PostVersion:
    """The history line of an approval: who wrote what was approved (its last changer) and who
    approved it (set on ``post`` just before)."""
    assert post.approved_by is not None and post.approved_at is not None
    number = (post.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return PostVersion.objects.create(
        post=post,
        number=number,
        text=post.text,
        written_by_id=post.last_changed_by_id or post.author_id,
        written_at=post.last_changed_at or post.created_at,
        approved_by=post.approved_by,
        approved_at=post.approved_at,
    )


def post_approve(*, actor: User, post: Post) -> Post:
    """Approve a post in review. Needs content.approve; nobody approves a post they wrote or
    were the last to change (the check runs on the locked row)."""
    policy.require(actor, "content.approve", post.office)
    return _transition(
        actor=actor, post=post, allowed={Status.IN_REVIEW}, to=Status.APPROVED, action="post.approve"
    )


def post_variant_text(*, post: Post, platform: str) -> str:
    """The post's own text for ``platform`` (its variant) or else the main text, link not added.
    Reads ``post.variants.all()``, so a prefetch saves the query."""
    for variant in post.variants.all():
        if variant.platform == platform and variant.text.strip():
            return variant.text
    return post.text


def post_text_for(*, post: Post, platform: str) -> str:
    """The text a channel of ``platform`` gets for ``post`` (its variant, else the main text),
    link included: what the delivery engine sends and what a person copies for an assisted
    channel (WhatsApp, TikTok, YouTube)."""
    text = post_variant_text(post=post, platform=platform)
    if post.link and post.link not in text:
        return f"{text}\n\n{post.link}"
    return text
