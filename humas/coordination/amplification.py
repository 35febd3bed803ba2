"""Writes of amplification tasks: a national or provincial office asks the offices below it to
share ("bagikan ulang") and/or interact with ("interaksi") a public post of an official account,
by a deadline; each receiving office records what it did with the URL of its own account's post,
shares it in one click where Humas posts for it, or declines with a reason. Reminders before the
deadline; a one-click share becomes done when its delivery goes out.

The rules of who asks whom are a cascade's (reach.py): the same sender levels, scopes and
deadline checks. Every function checks the policy, changes rows inside one transaction with its
audit event, and enqueues work after the commit (the tasks are declared here, beside what
enqueues them; tasks.py names them).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.blackouts.services import blackout_refusal
from humas.channels.models import Channel, Platform
from humas.core.workflow import WorkflowError
from humas.notifications.models import Notification
from humas.offices import policy
from humas.offices.models import Office
from humas.publishing.approved_above import post_publish_from_above
from humas.publishing.models import Delivery, Post
from humas.publishing.portal_channel import portal_channel_ensure
from humas.publishing.services import PublishingError
from humas.web.origins import public_url

from .account_urls import (
    EXAMPLES,
    AccountRef,
    AccountUrlError,
    channel_account_label,
    platform_label,
    ref_is_channel,
    url_account,
)
from .amplification_selectors import amplification_share_channels
from .models import AmplificationTarget, AmplificationTask
from .reach import DECLINE_REASON_MAX as DECLINE_REASON_MAX
from .reach import (
    SENDING_LEVELS,
    ScopeWords,
    deadline_clean,
    excerpt,
    local_time,
    office_staff,
    pending_locked,
    reason_clean,
    reminders_due,
    staff_remind,
    staff_tell,
    target_office_ids,
)

logger = logging.getLogger(__name__)

Status = AmplificationTarget.Status
Scope = AmplificationTask.Scope
INSTRUCTIONS_MAX = 1000
SCOPE_WORDS = ScopeWords(
    national_only=gettext_lazy("Hanya KPU RI yang dapat meminta kantor satu provinsi."),
    not_receiving=gettext_lazy("%(office)s tidak menerima tugas amplifikasi."),
)
# A one-click share's delivery ended without going out: the office records by hand instead.
_SHARE_FAILED = frozenset({Delivery.State.FAILED, Delivery.State.CANCELLED, Delivery.State.WITHDRAWN})


class AmplificationError(WorkflowError):
    """An amplification request that cannot be carried out; the message is translated and shown."""


def amplification_can_send_from(*, office: Office) -> bool:
    """Whether ``office`` asks for amplification at all: a national or provincial office."""
    return office.level in SENDING_LEVELS


# --------------------------------------------------------------------------------------------
# What is amplified


@dataclass(frozen=True)
class Source:
    """The URL a task asks to amplify, its platform, the official account it is a post of, and
    the sender's own post it was published from (None for a URL pasted)."""

    url: str
    platform: str
    account: Channel
    post: Post | None = None


def _read_url(url: str) -> tuple[str, AccountRef]:
    try:
        return url_account(url)
    except AccountUrlError as exc:
        raise AmplificationError(str(exc)) from None


def amplification_source_from_delivery(*, office: Office, post: Post, delivery_id: int) -> Source:
    """The public URL of one of the sent deliveries of ``post``, a post of ``office``."""
    if post.office_id != office.pk:
        raise AmplificationError(
            _("Hanya unggahan kantor ini sendiri yang dapat diminta untuk diamplifikasi.")
        )
    delivery = (
        Delivery.objects.filter(pk=delivery_id, publication__post=post, state=Delivery.State.SENT)
        .exclude(url="")
        .select_related("channel__office")
        .first()
    )
    if delivery is None:
        raise AmplificationError(_("Pilih salah satu tautan unggahan ini yang sudah terbit."))
    # A portal delivery's URL is the article's path on the main site: absolute, for every office.
    return Source(
        url=public_url(delivery.url), platform=delivery.channel.platform, account=delivery.channel, post=post
    )


def amplification_source_from_url(*, url: str) -> Source:
    """A public URL pasted: a post of an official account of a KPU office that Humas knows (its
    registered accounts, or an office's portal). AmplificationError naming the account found
    when it is nobody's official account, or saying what to copy when the URL names none."""
    clean, ref = _read_url(url)
    if ref.platform == Platform.PORTAL:
        office = Office.objects.filter(slug=ref.handle, is_active=True).first()
        if office is None:
            raise AmplificationError(_("Tautan itu bukan halaman portal kantor KPU yang aktif."))
        return Source(url=clean, platform=ref.platform, account=portal_channel_ensure(office=office))
    candidates = (
        Channel.objects.filter(
            platform=ref.platform, is_active=True, is_official=True, office__is_active=True
        )
        .select_related("office")
        .order_by("office__path", "pk")
    )
    for channel in candidates:
        if ref_is_channel(channel, ref):
            return Source(url=clean, platform=ref.platform, account=channel)
    raise AmplificationError(
        _(
            "Tautan itu unggahan akun %(account)s di %(platform)s, yang bukan akun resmi kantor KPU "
            "mana pun di Humas. Tugas amplifikasi hanya untuk unggahan akun resmi (lihat Pengaturan → "
            "Kanal dan akun resmi)."
        )
        % {"account": ref.label, "platform": platform_label(ref.platform)}
    )


# --------------------------------------------------------------------------------------------
# Asking


def _clean_instructions(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(text) > INSTRUCTIONS_MAX:
        raise AmplificationError(
            _("Petunjuk terlalu panjang (batas %(limit)s karakter).") % {"limit": INSTRUCTIONS_MAX}
        )
    return text


def amplification_create(
    *,
    actor: User,
    office: Office,
    source: Source,
    scope: str,
    deadline: datetime,
    ask_share: bool = True,
    ask_interact: bool = False,
    instructions: str = "",
    province: Office | None = None,
    chosen: Sequence[Office] = (),
    now: datetime | None = None,
) -> AmplificationTask:
    """Ask the offices below ``office`` (all of them, one province's from KPU RI, or ``chosen``)
    to share and/or interact with ``source`` by ``deadline`` (aware, in the future).

    Needs amplification.send (the approvers) at ``office``, a national or provincial office; a
    source post must be the office's own, approved or published. Offices already asked to
    amplify the same URL are left out; when that leaves none, or for any bad input (nothing
    asked, a past deadline, an office outside reach), AmplificationError and nothing is created.
    One row per receiving office in one bulk insert; the offices are told from a task after the
    commit."""
    policy.require(actor, "amplification.send", office)
    now = now or timezone.now()
    if not amplification_can_send_from(office=office):
        raise AmplificationError(
            _("Hanya KPU RI dan KPU provinsi yang dapat meminta kantor di bawahnya mengamplifikasi unggahan.")
        )
    if not ask_share and not ask_interact:
        raise AmplificationError(_("Pilih yang diminta: bagikan ulang, interaksi, atau keduanya."))
    if source.post is not None and source.post.office_id != office.pk:
        raise AmplificationError(
            _("Hanya unggahan kantor ini sendiri yang dapat diminta untuk diamplifikasi.")
        )
    instructions = _clean_instructions(instructions)
    deadline = deadline_clean(deadline, now=now, office=office, error=AmplificationError)
    ids = target_office_ids(
        office=office,
        scope=scope,
        province=province,
        chosen=chosen,
        error=AmplificationError,
        words=SCOPE_WORDS,
    )
    if not ids:
        raise AmplificationError(_("Tidak ada kantor di bawah kantor ini yang dapat dituju."))
    with transaction.atomic():
        # Two presses at once make one task: the second waits here, then finds the first's rows.
        Office.objects.select_for_update().filter(pk=office.pk).first()
        if source.post is not None:
            locked = Post.objects.select_for_update().filter(pk=source.post.pk).first()
            if locked is None or locked.status not in (Post.Status.APPROVED, Post.Status.PUBLISHED):
                raise AmplificationError(
                    _("Unggahan itu sudah ditarik; hanya unggahan yang terbit yang dapat diamplifikasi.")
                )
        already = set(
            AmplificationTarget.objects.filter(task__url=source.url, office_id__in=ids).values_list(
                "office_id", flat=True
            )
        )
        ids = [pk for pk in ids if pk not in already]
        if not ids:
            raise AmplificationError(_("Semua kantor tujuan itu sudah diminta mengamplifikasi tautan ini."))
        task = AmplificationTask.objects.create(
            office=office,
            source_post=source.post,
            url=source.url,
            platform=source.platform,
            account=source.account,
            ask_share=ask_share,
            ask_interact=ask_interact,
            instructions=instructions,
            scope=scope,
            province=province if scope == Scope.PROVINCE else None,
            deadline=deadline,
            created_by=actor,
        )
        AmplificationTarget.objects.bulk_create(
            [AmplificationTarget(task=task, office_id=pk) for pk in ids], batch_size=1000
        )
        changes: dict[str, object] = {
            "url": source.url,
            "platform": source.platform,
            "scope": scope,
            "targets": len(ids),
            "deadline": deadline.isoformat(),
            "ask_share": ask_share,
            "ask_interact": ask_interact,
        }
        if task.province is not None:
            changes["province"] = task.province.name
        if already:
            changes["skipped"] = len(already)
        audit_record(actor=actor, office=office, action="amplification.create", obj=task, changes=changes)
        task_id = task.pk
        transaction.on_commit(lambda: amplification_notify_task(task_id))
    return task


# --------------------------------------------------------------------------------------------
# Telling the receiving offices


def target_link(target: AmplificationTarget) -> str:
    return reverse("amplification:target", kwargs={"office_slug": target.office.slug, "target_id": target.pk})


def _what(task: AmplificationTask) -> str:
    return _("%(asked)s unggahan %(account)s di %(platform)s") % {
        "asked": task.asked,
        "account": channel_account_label(task.account),
        "platform": platform_label(task.platform),
    }


def amplification_notify_offices(*, task_id: int) -> int:
    """Tell the Editors and Operators of every receiving office, once, what is asked of it, with
    the deadline in their zone. Returns how many people were told now."""
    task = AmplificationTask.objects.select_related("office", "account__office").filter(pk=task_id).first()
    if task is None:
        return 0
    targets = list(
        AmplificationTarget.objects.filter(task=task, status=Status.PENDING).select_related("office")
    )

    def notice(target: AmplificationTarget) -> tuple[str, str]:
        title = _("%(sender)s meminta: %(what)s") % {"sender": task.office.name, "what": _what(task)}
        lines = [_("Tenggat: %(when)s.") % {"when": local_time(task.deadline, target.office)}]
        if task.instructions:
            lines.append(excerpt(task.instructions, 200))
        lines.append(_("Buka tautannya, lakukan di akun resmi kantor Anda, lalu catat tautan hasilnya."))
        return excerpt(title, 200), "\n".join(lines)

    return staff_tell(
        targets,
        people=office_staff(t.office_id for t in targets),
        kind=Notification.Kind.AMPLIFICATION_RECEIVED,
        key=f"amplification:{task.pk}:received",
        link=target_link,
        notice=notice,
    )


@db_task()
def amplification_notify_task(task_id: int) -> None:
    amplification_notify_offices(task_id=task_id)


def amplification_remind_due(*, now: datetime | None = None) -> int:
    """Remind each office that has not answered, once, as long before the deadline as a
    cascade's (``reach.reminder_window``). A task asked with less time than that left is not
    reminded of (the notice of its arrival gave the deadline). Idempotent. Returns how many
    offices were reminded now."""
    now = now or timezone.now()
    due = reminders_due(
        AmplificationTarget.objects.select_related("task__office", "task__account__office", "office"),
        parent="task",
        now=now,
    )

    def notice(target: AmplificationTarget) -> tuple[str, str]:
        task = target.task
        title = _("Tenggat %(when)s: tugas amplifikasi dari %(sender)s belum dikerjakan") % {
            "when": local_time(task.deadline, target.office),
            "sender": task.office.name,
        }
        body = "\n".join(
            [
                _what(task) + ".",
                _("Lakukan di akun resmi kantor Anda lalu catat tautan hasilnya, atau tolak dengan alasan."),
            ]
        )
        return title, body

    return staff_remind(
        due,
        model=AmplificationTarget,
        kind=Notification.Kind.AMPLIFICATION_REMINDER,
        key=lambda target: f"amplification:{target.task_id}:reminder",
        link=target_link,
        notice=notice,
        now=now,
    )


# --------------------------------------------------------------------------------------------
# Answering: record, decline, share in one click


def _target(target: AmplificationTarget) -> AmplificationTarget:
    """The target with its task, sender, account and office (fresh)."""
    return AmplificationTarget.objects.select_related(
        "office", "task__office", "task__account__office", "task__source_post__office"
    ).get(pk=target.pk)


def _lock_pending(target: AmplificationTarget) -> AmplificationTarget:
    """The target's row, locked, while it still waits; else AmplificationError saying who
    answered it and how."""
    return pending_locked(
        AmplificationTarget,
        target.pk,
        by="recorded_by",
        error=AmplificationError,
        missing=_("Tugas amplifikasi itu tidak ditemukan."),
        answered=_("Tugas ini sudah dijawab: %(status)s oleh %(person)s."),
        nobody=_("Humas"),
    )


def _office_accounts(office: Office, platform: str) -> list[Channel]:
    """The office's own accounts on ``platform`` a result may be on: its active official accounts
    (its portal, for a portal task)."""
    if platform == Platform.PORTAL:
        return [portal_channel_ensure(office=office)]
    return list(
        Channel.objects.filter(office=office, platform=platform, is_active=True, is_official=True)
        .select_related("office")
        .order_by("name", "pk")
    )


def amplification_result_check(*, target: AmplificationTarget, url: str) -> tuple[str, Channel]:
    """``url``, cleaned, and the account of the target's office it is on: it must be a post of
    one of that office's official accounts on the task's platform. AmplificationError otherwise,
    naming the account the URL is on and the account expected."""
    task = target.task
    office = target.office
    platform = platform_label(task.platform)
    clean, ref = _read_url(url)
    if ref.platform != task.platform:
        raise AmplificationError(
            _(
                "Tugas ini untuk %(platform)s: tautan hasilnya harus unggahan akun %(platform)s kantor ini, "
                "misalnya %(example)s."
            )
            % {"platform": platform, "example": EXAMPLES.get(task.platform, "")}
        )
    if clean.rstrip("/") == task.url.rstrip("/"):
        raise AmplificationError(
            _(
                "Itu tautan unggahan yang diminta untuk diamplifikasi. Masukkan tautan hasilnya di akun kantor ini."
            )
        )
    accounts = _office_accounts(office, task.platform)
    if not accounts:
        raise AmplificationError(
            _(
                "%(office)s belum punya akun resmi %(platform)s di Humas, jadi tautan hasilnya tidak dapat "
                "diperiksa. Daftarkan akunnya di Pengaturan → Kanal dan akun resmi, lalu catat lagi."
            )
            % {"office": office.name, "platform": platform}
        )
    for channel in accounts:
        if ref_is_channel(channel, ref):
            return clean, channel
    raise AmplificationError(
        _(
            "Tautan itu unggahan %(found)s, bukan akun resmi %(office)s di %(platform)s (%(expected)s). "
            "Masukkan tautan dari akun kantor ini."
        )
        % {
            "found": ref.label,
            "office": office.name,
            "platform": platform,
            "expected": ", ".join(channel_account_label(c) for c in accounts),
        }
    )


def amplification_record(
    *,
    actor: User,
    target: AmplificationTarget,
    url: str = "",
    shared: bool = False,
    interacted: bool = False,
    now: datetime | None = None,
) -> AmplificationTarget:
    """Record what the receiving office did: shared (a URL of the share on its own official
    account on the task's platform is required) and/or interacted (a like has no URL; a comment's
    URL, when given, is checked the same way). Needs amplification.respond there. Exactly once:
    the row is locked and an answered one refused, naming who answered."""
    target = _target(target)
    office = target.office
    policy.require(actor, "amplification.respond", office)
    if not shared and not interacted:
        raise AmplificationError(
            _("Centang yang sudah dilakukan kantor ini: dibagikan ulang, berinteraksi, atau keduanya.")
        )
    url = url.replace("\x00", "").strip()
    if shared and not url:
        raise AmplificationError(
            _("Masukkan tautan hasil bagikan ulang di akun %(platform)s kantor ini.")
            % {"platform": platform_label(target.task.platform)}
        )
    clean, channel = amplification_result_check(target=target, url=url) if url else ("", None)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_pending(target)
        locked.status, locked.result_url = Status.DONE, clean
        locked.shared, locked.interacted, locked.channel = shared, interacted, channel
        locked.recorded_by, locked.recorded_at = actor, now
        locked.share_error = ""
        locked.save(
            update_fields=[
                "status",
                "result_url",
                "shared",
                "interacted",
                "channel",
                "recorded_by",
                "recorded_at",
                "share_error",
            ]
        )
        changes: dict[str, object] = {
            "shared": shared,
            "interacted": interacted,
            "sender": target.task.office.name,
        }
        if clean:
            changes["url"] = clean
        if channel is not None:
            changes["channel"] = channel.pk
        audit_record(actor=actor, office=office, action="amplification.record", obj=locked, changes=changes)
    return locked


def amplification_decline(*, actor: User, target: AmplificationTarget, reason: str) -> AmplificationTarget:
    """Decline the task in the receiving office with a reason (required, at most 500
    characters), which the sender reads on its board. Needs amplification.respond there."""
    target = _target(target)
    policy.require(actor, "amplification.respond", target.office)
    reason = reason_clean(reason, missing=_("Tuliskan alasan menolak tugas ini."), error=AmplificationError)
    with transaction.atomic():
        locked = _lock_pending(target)
        locked.status, locked.decline_reason = Status.DECLINED, reason
        locked.recorded_by, locked.recorded_at = actor, timezone.now()
        locked.save(update_fields=["status", "decline_reason", "recorded_by", "recorded_at"])
        audit_record(
            actor=actor,
            office=target.office,
            action="amplification.decline",
            obj=locked,
            changes={"reason": reason, "sender": target.task.office.name},
        )
    return locked


def amplification_share_text(task: AmplificationTask) -> str:
    """What the office's own post says when it shares the task in one click: the sender's
    instructions, or a line that names the account shared."""
    if task.instructions:
        return task.instructions
    return _("Simak informasi resmi dari %(office)s:") % {"office": task.account.office.name}


def amplification_share(
    *, actor: User, target: AmplificationTarget, channel: Channel, now: datetime | None = None
) -> AmplificationTarget:
    """Do the task in one click: a post of the receiving office with the task's link and
    instructions, approved by the approver of the sender's post (``post_publish_from_above``: it was
    approved above), published now through the delivery engine on ``channel``, one of the
    channels ``amplification_share_channels`` offers. The target is being shared until that
    delivery goes out; then it is done with the delivery's URL (``amplification_settle``).

    Needs amplification.respond there. A blackout window, a channel that would refuse the text,
    a source withdrawn, an answered task: AmplificationError with the reason, nothing created."""
    target = _target(target)
    office = target.office
    policy.require(actor, "amplification.respond", office)
    task = target.task
    source = task.source_post
    if source is None:
        raise AmplificationError(
            _(
                "Tugas ini berupa tautan yang ditempel, bukan unggahan yang terbit lewat Humas, jadi tidak "
                "dapat dibagikan lewat Humas. Lakukan di %(platform)s lalu catat tautannya."
            )
            % {"platform": platform_label(task.platform)}
        )
    if source.status not in (Post.Status.APPROVED, Post.Status.PUBLISHED):
        raise AmplificationError(
            _("%(office)s sudah menarik unggahan sumbernya; tugas ini tidak dapat dibagikan lewat Humas.")
            % {"office": task.office.name}
        )
    offered = {c.pk: c for c in amplification_share_channels(target=target)}
    chosen = offered.get(channel.pk)
    if chosen is None:
        raise AmplificationError(
            _("%(channel)s bukan kanal %(platform)s kantor ini yang dapat dipakai Humas untuk membagikan.")
            % {"channel": channel, "platform": platform_label(task.platform)}
        )
    now = now or timezone.now()
    refusal = blackout_refusal(office=office, at=now, clarification=source.is_clarification)
    if refusal:
        raise AmplificationError(refusal)
    try:
        with transaction.atomic():
            locked = _lock_pending(target)
            post = post_publish_from_above(
                actor=actor,
                office=office,
                source=source,
                text=amplification_share_text(task),
                link=task.url,
                channels=[chosen],
                is_clarification=source.is_clarification,
            )
            locked.status, locked.post, locked.channel = Status.SHARING, post, chosen
            locked.shared = True
            locked.recorded_by, locked.recorded_at = actor, now
            locked.share_error = ""
            locked.save(
                update_fields=[
                    "status",
                    "post",
                    "channel",
                    "shared",
                    "recorded_by",
                    "recorded_at",
                    "share_error",
                ]
            )
            audit_record(
                actor=actor,
                office=office,
                action="amplification.share",
                obj=locked,
                changes={"channel": chosen.pk, "sender": task.office.name},
            )
            target_id = locked.pk
            # After the publication's own callbacks: its delivery may have gone out already.
            transaction.on_commit(lambda: amplification_settle_task(target_id))
    except PublishingError as exc:
        raise AmplificationError(str(exc)) from exc
    return locked


# --------------------------------------------------------------------------------------------
# A one-click share becomes done when its delivery goes out


def amplification_settle(*, target_id: int) -> str:
    """Bring a target being shared in step with its delivery: sent → done, with the delivery's
    URL and time; failed, cancelled or withdrawn → waiting again, with why (the office records by
    hand or shares again); otherwise left as it is. Idempotent. Returns the target's status."""
    target = AmplificationTarget.objects.select_related("office", "task__office").filter(pk=target_id).first()
    if target is None:
        return ""
    if target.status != Status.SHARING or target.post_id is None or target.channel_id is None:
        return target.status
    delivery = (
        Delivery.objects.filter(publication__post_id=target.post_id, channel_id=target.channel_id)
        .order_by("-pk")
        .first()
    )
    if delivery is None:
        return target.status
    with transaction.atomic():
        locked = (
            AmplificationTarget.objects.select_for_update()
            .filter(pk=target.pk, status=Status.SHARING)
            .first()
        )
        if locked is None:
            return AmplificationTarget.objects.get(pk=target.pk).status
        if delivery.state == Delivery.State.SENT and delivery.url:
            locked.status, locked.result_url = Status.DONE, public_url(delivery.url)
            locked.recorded_at = delivery.sent_at or timezone.now()
            locked.save(update_fields=["status", "result_url", "recorded_at"])
            audit_record(
                actor=None,
                office=target.office,
                action="amplification.shared",
                obj=locked,
                changes={
                    "url": locked.result_url,
                    "channel": delivery.channel_id,
                    "sender": target.task.office.name,
                },
            )
        elif delivery.state in _SHARE_FAILED:
            message = delivery.error_message or _("Pengirimannya tidak terbit (%(state)s).") % {
                "state": delivery.get_state_display().lower()
            }
            locked.status, locked.shared = Status.PENDING, False
            locked.recorded_by, locked.recorded_at = None, None
            locked.share_error = message[:500]
            locked.save(update_fields=["status", "shared", "recorded_by", "recorded_at", "share_error"])
            audit_record(
                actor=None,
                office=target.office,
                action="amplification.share_failed",
                obj=locked,
                changes={"reason": message[:500], "channel": delivery.channel_id},
            )
        return locked.status


def amplification_settle_due() -> int:
    """Every target being shared, in step with its delivery. Returns how many changed."""
    changed = 0
    for pk in AmplificationTarget.objects.filter(status=Status.SHARING).values_list("pk", flat=True):
        if amplification_settle(target_id=pk) != Status.SHARING:
            changed += 1
    return changed


@db_task()
def amplification_settle_task(target_id: int) -> None:
    amplification_settle(target_id=target_id)
