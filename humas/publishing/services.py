"""Writes to posts: draft -> review -> approved, with a second person approving (four eyes).

Every function checks the policy and records an audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.blackouts.services import blackout_refusal
from humas.channels.models import Channel
from humas.core import workflow
from humas.core.stages import ElectionStage
from humas.guideline.check import policy_refusal
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices import policy
from humas.offices.models import Office

from .checklist import checklist_answer
from .contentcheck import post_policy_report
from .errors import PublishingError as PublishingError  # where callers import it from
from .models import Post, PostVersion

Status = Post.Status
# A withdrawn post may be corrected and sent for review again: it goes out again only after a
# new approval. Not workflow.edit_permission's set (portal EDITABLE_BY_AUTHOR): any edit here
# needs only content.draft, and an edit in review or approved sends the post back to draft.
EDITABLE = {Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.WITHDRAWN}
SUBMITTABLE: set[str] = {Status.DRAFT, Status.WITHDRAWN}
OWN_POST = gettext_lazy("Anda tidak dapat menyetujui unggahan Anda sendiri.")
REFUSED_TRANSITION = gettext_lazy("Unggahan berstatus %(status)s tidak dapat diproses dengan cara ini.")
NO_CHANNELS = gettext_lazy(
    "Pilih setidaknya satu kanal tujuan: kanal termasuk yang disetujui bersama teksnya."
)
MAX_TEXT = 63_206  # the longest any platform takes (Facebook); each channel checks its own limit
RETURN_REASON_MAX = 1000  # as a rejected portal article's reason (portal/forms.py ReasonForm)
WITHDRAWAL_REASON_MAX = 500  # said in one line on the post's page (selectors.publication_summary)


def schedule_from_office_time(*, office: Office, local: datetime) -> datetime:
    """A wall-clock time entered in the office's zone (WIB/WITA/WIT) as an aware UTC instant.
    Independent of the server's TZ and of the active Django time zone."""
    if timezone.is_aware(local):
        return local.astimezone(UTC)
    return local.replace(tzinfo=office.zoneinfo).astimezone(UTC)


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


CAMPAIGN_MAX = 64


def clean_campaign(raw: str) -> str:
    """A campaign's name as people type it: spaces collapsed, a leading # dropped (a hashtag
    campaign is named without it), letters, digits, spaces, ``-`` and ``_`` only."""
    name = " ".join(raw.replace("\x00", "").split()).lstrip("#").strip()
    if len(name) > CAMPAIGN_MAX:
        raise PublishingError(
            _("Nama kampanye terlalu panjang (batas %(limit)s karakter).") % {"limit": CAMPAIGN_MAX}
        )
    if any(not (ch.isascii() and (ch.isalnum() or ch in " -_")) for ch in name):
        raise PublishingError(_("Nama kampanye hanya boleh berisi huruf, angka, spasi, - dan _."))
    return name


def clean_stage(stage: str) -> str:
    if stage and stage not in ElectionStage.values:
        raise PublishingError(_("Tahapan pemilu tidak dikenal."))
    return stage


def clean_reason(reason: str, *, limit: int, missing: str) -> str:
    """A reason a person wrote (sending a post back, withdrawing it): required, at most
    ``limit`` characters. ``missing`` is the translated request for one."""
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise PublishingError(missing)
    if len(reason) > limit:
        raise PublishingError(_("Alasan terlalu panjang (batas %(limit)s karakter).") % {"limit": limit})
    return reason


def refuse_blackout(*, office: Office, at: datetime | None, clarification: bool) -> None:
    """Raise PublishingError when a blackout window stops ``office`` scheduling at ``at``."""
    if at is None:
        return
    refusal = blackout_refusal(office=office, at=at, clarification=clarification)
    if refusal:
        raise PublishingError(refusal)


def _target_channels(*, office: Office, channels: Sequence[Channel]) -> list[Channel]:
    """The chosen channels, each an active channel of ``office``, without repeats."""
    chosen: dict[int, Channel] = {}
    for channel in channels:
        if channel.office_id != office.pk or not channel.is_active:
            raise PublishingError(_("Kanal itu bukan kanal aktif kantor ini."))
        chosen[channel.pk] = channel
    return list(chosen.values())


def post_create(
    *,
    actor: User,
    office: Office,
    text: str,
    link: str = "",
    scheduled_at: datetime | None = None,
    channels: Sequence[Channel] = (),
    is_clarification: bool = False,
    campaign: str = "",
    election_stage: str = "",
) -> Post:
    """Create a draft in ``office`` to go out on ``channels`` (chosen now or later, before it is
    sent for review). Needs content.draft there. A time inside a blackout window is refused."""
    policy.require(actor, "content.draft", office)
    text, link = _clean(text=text, link=link, scheduled_at=scheduled_at)
    campaign, election_stage = clean_campaign(campaign), clean_stage(election_stage)
    targets = _target_channels(office=office, channels=channels)
    refuse_blackout(office=office, at=scheduled_at, clarification=is_clarification)
    with transaction.atomic():
        post = Post.objects.create(
            office=office,
            author=actor,
            text=text,
            link=link,
            scheduled_at=scheduled_at,
            is_clarification=is_clarification,
            campaign=campaign,
            election_stage=election_stage,
            last_changed_by=actor,
            last_changed_at=timezone.now(),
        )
        post.channels.set(targets)
        changes: dict[str, Any] = {"channels": sorted(c.pk for c in targets)}
        if is_clarification:
            changes["is_clarification"] = True
        changes.update({k: v for k, v in (("campaign", campaign), ("election_stage", election_stage)) if v})
        audit_record(actor=actor, office=office, action="post.create", obj=post, changes=changes)
    return post


def post_update(
    *,
    actor: User,
    post: Post,
    text: str,
    link: str = "",
    scheduled_at: datetime | None = None,
    channels: Sequence[Channel] | None = None,
    is_clarification: bool | None = None,
    campaign: str | None = None,
    election_stage: str | None = None,
) -> Post:
    """Change a post not yet published (``channels=None`` keeps its channels; ``campaign`` and
    ``election_stage`` None keep theirs). Whoever changes its text, link, schedule or channels
    becomes its last changer (who may not approve it), and a change to a post in review or
    approved sends it back to draft: what goes out, when and where it goes out, is always what a
    second person approved. The campaign and the stage are planning labels: changing only them
    keeps the approval."""
    policy.require(actor, "content.draft", post.office)
    text, link = _clean(text=text, link=link, scheduled_at=scheduled_at)
    campaign = None if campaign is None else clean_campaign(campaign)
    election_stage = None if election_stage is None else clean_stage(election_stage)
    targets = None if channels is None else _target_channels(office=post.office, channels=channels)
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status not in EDITABLE:
            raise PublishingError(_("Unggahan yang sudah diterbitkan tidak dapat diubah."))
        clarification = locked.is_clarification if is_clarification is None else is_clarification
        if scheduled_at != locked.scheduled_at or clarification != locked.is_clarification:
            refuse_blackout(office=locked.office, at=scheduled_at, clarification=clarification)
        scheduled_before = locked.scheduled_at
        channels_before = sorted(locked.channels.values_list("pk", flat=True))
        channels_after = channels_before if targets is None else sorted(c.pk for c in targets)
        before: dict[str, object] = {
            "text": locked.text,
            "link": locked.link,
            "scheduled_at": scheduled_before,
            "channels": channels_before,
            "is_clarification": locked.is_clarification,
        }
        after: dict[str, object] = {
            "text": text,
            "link": link,
            "scheduled_at": scheduled_at,
            "channels": channels_after,
            "is_clarification": clarification,
        }
        changed = sorted(name for name in after if before[name] != after[name])
        labels = {
            name: {"before": getattr(locked, name), "after": value}
            for name, value in (("campaign", campaign), ("election_stage", election_stage))
            if value is not None and value != getattr(locked, name)
        }
        status_before = locked.status
        locked.text, locked.link, locked.scheduled_at = text, link, scheduled_at
        locked.is_clarification = clarification
        for name, change in labels.items():
            setattr(locked, name, change["after"])
        if targets is not None and "channels" in changed:
            locked.channels.set(targets)
        changes: dict[str, Any] = {"fields": changed, **labels}
        if changed:
            workflow.mark_changed(locked, actor)
            if back_to_draft(locked):
                changes["status"] = {"before": status_before, "after": locked.status}
        if "scheduled_at" in changed:
            changes["scheduled_at"] = {
                "before": _iso(scheduled_before),
                "after": _iso(scheduled_at),
            }
        if "channels" in changed:
            changes["channels"] = {"before": channels_before, "after": channels_after}
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


def _transition(
    *,
    actor: User,
    post: Post,
    allowed: set[str],
    to: str,
    action: str,
    policy_reason: str = "",
    checked: Collection[str] = (),
    decision: str = "",
) -> Post:
    with transaction.atomic():
        locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
        if to == Status.APPROVED:
            # On the locked row: a change committed meanwhile makes its author the last changer.
            workflow.require_second_person(locked, actor, own_message=OWN_POST)
        workflow.require_status(locked, allowed, message=REFUSED_TRANSITION, error=PublishingError)
        if to in (Status.IN_REVIEW, Status.APPROVED) and not locked.channels.exists():
            raise PublishingError(NO_CHANNELS)
        recorded: dict[str, Any] = {}
        if to in (Status.IN_REVIEW, Status.APPROVED):
            # The guideline, on the text as it is now (contentcheck.py): a block stops it unless an
            # Administrator gives a reason; a warning needs the approver's reason.
            report = post_policy_report(post=locked)
            refusal, reason = policy_refusal(
                report=report,
                actor=actor,
                office=locked.office,
                reason=policy_reason,
                approving=to == Status.APPROVED,
            )
            if refusal:
                raise PublishingError(refusal)
            if report.findings:
                recorded = {"guideline": report.summary() | ({"reason": reason} if reason else {})}
        answer: dict[str, object] = {}
        if to == Status.APPROVED:
            # The office's verification checklist, every item ticked (checklist.py).
            answer = checklist_answer(office=locked.office, ticked=checked, decision=decision)
            if answer:
                recorded["checklist"] = answer
        before = locked.status
        locked.status = to
        if to == Status.APPROVED:
            locked.approved_by, locked.approved_at = actor, timezone.now()
            _record_version(locked, checklist=answer)
        elif to == Status.IN_REVIEW:
            locked.approved_by, locked.approved_at = None, None  # a new approval is needed
            # Sent for review again: the reason it was sent back has been answered.
            locked.returned_by, locked.returned_at, locked.return_reason = None, None, ""
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            action=action,
            obj=locked,
            changes={"status": {"before": before, "after": to}, **recorded},
        )
    return locked


def post_submit(*, actor: User, post: Post, policy_reason: str = "") -> Post:
    """Send a draft (or a withdrawn post, to publish it again) for review. What the guideline
    blocks is refused unless an Administrator gives ``policy_reason`` (contentcheck.py)."""
    policy.require(actor, "content.draft", post.office)
    return _transition(
        actor=actor,
        post=post,
        allowed=SUBMITTABLE,
        to=Status.IN_REVIEW,
        action="post.submit",
        policy_reason=policy_reason,
    )


def _record_version(post: Post, *, checklist: dict[str, object] | None = None) -> PostVersion:
    """The history line of an approval: who wrote what was approved (its last changer), who
    approved it (set on ``post`` just before) and what of the checklist they ticked."""
    assert post.approved_by is not None and post.approved_at is not None
    number = (post.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    return PostVersion.objects.create(
        post=post,
        number=number,
        text=post.text,
        channels=[str(channel) for channel in post.channels.order_by("platform", "name")],
        written_by_id=post.last_changed_by_id or post.author_id,
        written_at=post.last_changed_at or post.created_at,
        approved_by=post.approved_by,
        approved_at=post.approved_at,
        checklist=checklist or {},
    )


def post_approve(
    *,
    actor: User,
    post: Post,
    policy_reason: str = "",
    checked: Collection[str] = (),
    decision: str = "",
) -> Post:
    """Approve a post in review. Needs content.approve; nobody approves a post they wrote or
    were the last to change (the check runs on the locked row). The guideline's warnings need
    ``policy_reason``; what it blocks needs an Administrator's (contentcheck.py). Every item of
    the office's verification checklist must be in ``checked``; ``decision``: the number of the
    official decision its figures come from (checklist.py)."""
    policy.require(actor, "content.approve", post.office)
    return _transition(
        actor=actor,
        post=post,
        allowed={Status.IN_REVIEW},
        to=Status.APPROVED,
        action="post.approve",
        policy_reason=policy_reason,
        checked=checked,
        decision=decision,
    )


def post_return(*, actor: User, post: Post, reason: str) -> Post:
    """Send a post in review back to draft with a reason ("Kembalikan ke penulis"): the other
    answer of an approver. Needs content.approve. Its author and last changer are told why (in
    the app and by e-mail); the post's page shows the reason until it is submitted again."""
    policy.require(actor, "content.approve", post.office)
    reason = clean_reason(reason, limit=RETURN_REASON_MAX, missing=_("Tuliskan alasan pengembalian."))
    with transaction.atomic():
        locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
        workflow.require_status(locked, {Status.IN_REVIEW}, message=REFUSED_TRANSITION, error=PublishingError)
        before = locked.status
        locked.status, locked.approved_by, locked.approved_at = Status.DRAFT, None, None
        locked.returned_by, locked.returned_at, locked.return_reason = actor, timezone.now(), reason
        locked.save()
        audit_record(
            actor=actor,
            office=locked.office,
            action="post.return",
            obj=locked,
            changes={"status": {"before": before, "after": locked.status}, "reason": reason},
        )
        transaction.on_commit(lambda: _notify_returned(locked))
    return locked


def _notify_returned(post: Post) -> None:
    """Tell the post's author and its last changer (not the approver who sent it back, and only
    people who may still edit it there) why it came back."""
    assert post.returned_by is not None and post.returned_at is not None
    ids = {pk for pk in (post.author_id, post.last_changed_by_id) if pk and pk != post.returned_by_id}
    people = [
        person
        for person in User.objects.filter(pk__in=ids, is_active=True).order_by("pk")
        if policy.can(person, "content.draft", post.office)
    ]
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Unggahan dikembalikan oleh %(person)s") % {"person": post.returned_by.get_full_name()}
        body = "\n".join(
            [
                _("Alasan: %(reason)s") % {"reason": post.return_reason},
                _("Unggahan: “%(text)s”") % {"text": post.text[:120] + ("…" if len(post.text) > 120 else "")},
                _("Perbaiki unggahan itu, lalu kirim lagi untuk disetujui."),
            ]
        )
    notification_send(
        users=people,
        office=post.office,
        kind=Notification.Kind.POST_RETURNED,
        title=title,
        body=body,
        link=reverse("publishing:detail", kwargs={"office_slug": post.office.slug, "post_id": post.pk}),
        key=f"post:{post.pk}:returned:{post.returned_at.isoformat()}",
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
