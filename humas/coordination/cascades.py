"""Writes of cascades down the hierarchy: send approved content to the offices below, and each
receiving office's answer (adopt as it is, adapt, decline), reminders before the deadline and the
offices that adopt automatically.

A cascade's text is a template. Its fill-in fields are resolved for each receiving office from
what Humas knows about it: its name, its contact (the office profile), its portal address and
its official accounts. Adopting publishes the resolved text at once through the publishing
engine, with the approval given above (``publishing.approved_above``); adapting
makes a draft that the office's own approval applies to.

Every function checks the policy, changes rows inside one transaction with its audit event, and
enqueues work after the commit (the tasks are declared here, beside what enqueues them).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.audit.services import AuditEntry, audit_record, audit_record_many
from humas.blackouts.selectors import windows_ahead
from humas.blackouts.services import blackout_refusal
from humas.channels.models import Channel, Platform
from humas.core.queue import PRIORITY_FAN_OUT
from humas.core.workflow import WorkflowError
from humas.media.pipeline import ImageRejected, PreparedImage, prepare_upload
from humas.media.storage import delete_quietly, private_storage, public_storage, read_bytes
from humas.notifications.models import Notification
from humas.offices import policy
from humas.offices.models import Office, office_prefix
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article, ArticleType
from humas.publishing.approved_above import Checked, FromAbove, from_above_check, posts_publish_from_above
from humas.publishing.images import NewImage, post_images_change
from humas.publishing.models import Post, PostImage
from humas.publishing.portal_channel import channel_list_for_publishing, channels_ready_for_publishing
from humas.publishing.services import (
    MAX_TEXT,
    PublishingError,
    post_create,
)
from humas.publishing.sharing import article_share_link, article_share_text
from humas.publishing.storage import post_image_storage
from humas.web.origins import public_url

from .models import Cascade, CascadeAutoPublish, CascadeTarget
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
from .reach import receiving_offices as receiving_offices

logger = logging.getLogger(__name__)

Status = CascadeTarget.Status
Scope = Cascade.Scope

# The fill-in fields a cascade's text may hold, and what each becomes in a receiving office.
FIELDS = ("nama_kantor", "kontak", "url_portal", "akun_resmi")
_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Which offices send and receive, the deadline's checks and the offices a scope reaches are those
# of every request down the hierarchy (reach.py); these refusals say it in the cascade's words.
SCOPE_WORDS = ScopeWords(
    national_only=gettext_lazy("Hanya KPU RI yang meneruskan ke kantor satu provinsi."),
    not_receiving=gettext_lazy("%(office)s tidak menerima konten yang diteruskan."),
)


class CascadeError(WorkflowError):
    """A cascade request that cannot be carried out; the message is translated and shown."""


# --------------------------------------------------------------------------------------------
# Fill-in fields


@dataclass(frozen=True)
class Resolved:
    """A cascade's text for one office, and the fill-in fields that office has nothing for (its
    profile has no contact, it has no official account): they are left empty."""

    text: str
    missing: tuple[str, ...]


def cascade_fields_unknown(text: str) -> list[str]:
    """The fill-in fields of ``text`` that do not exist (``{nama}``), in order, without repeats."""
    return list(dict.fromkeys(name for name in _FIELD.findall(text) if name not in FIELDS))


def office_portal_url(office: Office) -> str:
    """The office's public portal, absolute (on its own host name when it has one)."""
    return public_url(office_prefix(office.slug), host_slug=office.slug)


def _account(channel: Channel) -> str:
    handle = channel.handle.strip().lstrip("@")
    return (
        f"{channel.get_platform_display()} @{handle}"
        if handle
        else f"{channel.get_platform_display()} {channel.name}"
    )


def cascade_field_values(*, office: Office, channels: Iterable[Channel] | None = None) -> dict[str, str]:
    """What each fill-in field becomes in ``office``: its name; its telephone and e-mail from the
    office profile; its portal's address; its active official accounts (``channels`` when the
    caller has read them, else one query)."""
    if channels is None:
        channels = Channel.objects.filter(office=office, is_active=True, is_official=True).exclude(
            platform=Platform.PORTAL
        )
    accounts = [
        _account(c)
        for c in sorted(channels, key=lambda c: (c.platform, c.name))
        if c.is_active and c.is_official and c.platform != Platform.PORTAL
    ]
    contact = [part for part in (office.phone.strip(), office.email.strip()) if part]
    return {
        "nama_kantor": office.name,
        "kontak": ", ".join(contact),
        "url_portal": office_portal_url(office),
        "akun_resmi": ", ".join(accounts),
    }


def cascade_text_resolve(*, text: str, office: Office, values: dict[str, str] | None = None) -> Resolved:
    """``text`` with its fill-in fields replaced by ``office``'s values. Unknown fields are left
    as they are (a cascade never holds one: ``cascade_create`` refuses them)."""
    values = values if values is not None else cascade_field_values(office=office)
    used = [name for name in dict.fromkeys(_FIELD.findall(text)) if name in FIELDS]
    resolved = _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return Resolved(text=resolved, missing=tuple(name for name in used if not values.get(name)))


# --------------------------------------------------------------------------------------------
# Sending


def cascade_source_defaults(*, source: Post | Article) -> tuple[str, str]:
    """The text and link a cascade of ``source`` starts from: a post's own text and link; an
    article's title and summary, and its public address."""
    if isinstance(source, Article):
        return article_share_text(source), article_share_link(source)
    return source.text, source.link


def _source_is_live(source: Post | Article) -> bool:
    if isinstance(source, Article):
        return source.status == Article.Status.PUBLISHED
    return source.status in (Post.Status.APPROVED, Post.Status.PUBLISHED)


def cascade_can_send_from(*, office: Office) -> bool:
    """Whether ``office`` sends cascades at all: a national or provincial office."""
    return office.level in SENDING_LEVELS


def _clean_text(text: str) -> str:
    text = text.replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise CascadeError(_("Teks yang diteruskan wajib diisi."))
    if len(text) > MAX_TEXT:
        raise CascadeError(_("Teks terlalu panjang (batas %(limit)s karakter).") % {"limit": MAX_TEXT})
    unknown = cascade_fields_unknown(text)
    if unknown:
        raise CascadeError(
            ngettext(
                "Kolom isian %(unknown)s tidak dikenal. Kolom yang dapat dipakai: %(known)s.",
                "Kolom isian %(unknown)s tidak dikenal. Kolom yang dapat dipakai: %(known)s.",
                len(unknown),
            )
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in FIELDS),
            }
        )
    return text


def _clean_deadline(deadline: datetime, now: datetime, office: Office) -> datetime:
    return deadline_clean(deadline, now=now, office=office, error=CascadeError)


def _target_ids(
    *, office: Office, scope: str, province: Office | None, chosen: Sequence[Office]
) -> list[int]:
    return target_office_ids(
        office=office, scope=scope, province=province, chosen=chosen, error=CascadeError, words=SCOPE_WORDS
    )


def cascade_create(
    *,
    actor: User,
    office: Office,
    source: Post | Article,
    scope: str,
    deadline: datetime,
    text: str | None = None,
    province: Office | None = None,
    chosen: Sequence[Office] = (),
    now: datetime | None = None,
) -> Cascade:
    """Send ``source`` (a post of ``office`` approved or published, or its published portal
    article) to the offices below ``office``: all of them (``Scope.BELOW``), one province's
    (``Scope.PROVINCE``, from KPU RI) or ``chosen`` ones. ``text`` (default: the source's) may
    hold the fill-in fields; ``deadline`` is aware and in the future.

    Needs cascade.send (the approvers) at ``office``, a national or provincial office. Offices
    that already received the same source are left out; when that leaves none, or for any bad
    input (an unknown fill-in field, a past deadline, an office outside reach), CascadeError
    and nothing is created. One row per receiving office in one bulk insert; the offices are
    told, and those that opted in adopt automatically, from tasks after the commit."""
    policy.require(actor, "cascade.send", office)
    now = now or timezone.now()
    if not cascade_can_send_from(office=office):
        raise CascadeError(
            _("Hanya KPU RI dan KPU provinsi yang dapat meneruskan konten ke kantor di bawahnya.")
        )
    if source.office_id != office.pk:
        raise CascadeError(_("Hanya konten kantor ini sendiri yang dapat diteruskan."))
    default_text, link = cascade_source_defaults(source=source)
    text = _clean_text(default_text if text is None else text)
    deadline = _clean_deadline(deadline, now, office)
    ids = _target_ids(office=office, scope=scope, province=province, chosen=chosen)
    if not ids:
        raise CascadeError(_("Tidak ada kantor di bawah kantor ini yang dapat dituju."))
    is_article = isinstance(source, Article)
    with transaction.atomic():
        # Two presses at once make one cascade: the second waits here, then finds the first.
        model = Article if is_article else Post
        locked = model.objects.select_for_update().filter(pk=source.pk).first()
        if locked is None or not _source_is_live(locked):
            raise CascadeError(
                _("Hanya artikel portal yang sudah terbit yang dapat diteruskan.")
                if is_article
                else _("Hanya unggahan yang sudah disetujui atau terbit yang dapat diteruskan.")
            )
        same_source = {"cascade__source_article": source} if is_article else {"cascade__source_post": source}
        already = set(
            CascadeTarget.objects.filter(**same_source, office_id__in=ids).values_list("office_id", flat=True)
        )
        ids = [pk for pk in ids if pk not in already]
        if not ids:
            raise CascadeError(_("Konten ini sudah diteruskan ke semua kantor tujuan itu."))
        cascade = Cascade.objects.create(
            office=office,
            source_post=source if isinstance(source, Post) else None,
            source_article=source if isinstance(source, Article) else None,
            text=text,
            link=link,
            is_clarification=(
                source.type == ArticleType.KLARIFIKASI
                if isinstance(source, Article)
                else source.is_clarification
            ),
            scope=scope,
            province=province if scope == Scope.PROVINCE else None,
            deadline=deadline,
            created_by=actor,
        )
        CascadeTarget.objects.bulk_create(
            [CascadeTarget(cascade=cascade, office_id=pk) for pk in ids], batch_size=1000
        )
        changes: dict[str, object] = {
            "scope": scope,
            "targets": len(ids),
            "deadline": deadline.isoformat(),
        }
        if cascade.province is not None:
            changes["province"] = cascade.province.name
        if already:
            changes["skipped"] = len(already)
        audit_record(actor=actor, office=office, action="cascade.create", obj=cascade, changes=changes)
        cascade_id = cascade.pk
        transaction.on_commit(lambda: cascade_notify_task(cascade_id))
        transaction.on_commit(lambda: cascade_auto_publish_task(cascade_id))
    return cascade


# --------------------------------------------------------------------------------------------
# Telling the receiving offices


def _official_accounts(office_ids: Iterable[int]) -> dict[int, list[Channel]]:
    """The active official accounts of each office (the ``{akun_resmi}`` field), in one query."""
    accounts: dict[int, list[Channel]] = {}
    for channel in Channel.objects.filter(
        office_id__in=list(office_ids), is_active=True, is_official=True
    ).exclude(platform=Platform.PORTAL):
        accounts.setdefault(channel.office_id, []).append(channel)
    return accounts


def _texts_for(cascade: Cascade, offices: list[Office]) -> dict[int, str]:
    """The cascade's text as each office receives it, its official accounts read in one query."""
    accounts = _official_accounts(o.pk for o in offices)
    return {
        office.pk: cascade_text_resolve(
            text=cascade.text,
            office=office,
            values=cascade_field_values(office=office, channels=accounts.get(office.pk, [])),
        ).text
        for office in offices
    }


def target_link(target: CascadeTarget) -> str:
    return reverse("cascades:target", kwargs={"office_slug": target.office.slug, "target_id": target.pk})


def cascade_notify_offices(*, cascade_id: int) -> int:
    """Tell the Editors and Operators of every receiving office, once, that content arrived from
    above, with its deadline in their zone. Returns how many people were told now."""
    cascade = Cascade.objects.select_related("office").filter(pk=cascade_id).first()
    if cascade is None:
        return 0
    targets = list(
        CascadeTarget.objects.filter(cascade=cascade, status=Status.PENDING).select_related("office")
    )
    people = office_staff(t.office_id for t in targets)
    targets = [t for t in targets if people.get(t.office_id)]
    texts = _texts_for(cascade, [t.office for t in targets])

    def notice(target: CascadeTarget) -> tuple[str, str]:
        title = _("%(sender)s meneruskan konten: “%(text)s”") % {
            "sender": cascade.office.name,
            "text": excerpt(texts[target.office_id], 80),
        }
        body = "\n".join(
            [
                _("Tenggat: %(when)s.") % {"when": local_time(cascade.deadline, target.office)},
                _("Adopsi apa adanya, adaptasi dulu, atau tolak dengan alasan."),
            ]
        )
        return title, body

    return staff_tell(
        targets,
        people=people,
        kind=Notification.Kind.CASCADE_RECEIVED,
        key=f"cascade:{cascade.pk}:received",
        link=target_link,
        notice=notice,
    )


@db_task()
def cascade_notify_task(cascade_id: int) -> None:
    cascade_notify_offices(cascade_id=cascade_id)


def cascade_remind_due(*, now: datetime | None = None) -> int:
    """Remind each pending office once, ``HUMAS_CASCADE_REMINDER_HOURS`` before the deadline.
    A cascade sent with less time than that left is not reminded of (the notice of its arrival
    gave the deadline). Idempotent. Returns how many offices were reminded now."""
    now = now or timezone.now()
    due = reminders_due(
        CascadeTarget.objects.select_related("cascade__office", "office"), parent="cascade", now=now
    )
    by_cascade: dict[int, list[CascadeTarget]] = {}
    for target in due:
        by_cascade.setdefault(target.cascade_id, []).append(target)
    texts = {pk: _texts_for(group[0].cascade, [t.office for t in group]) for pk, group in by_cascade.items()}

    def notice(target: CascadeTarget) -> tuple[str, str]:
        cascade = target.cascade
        title = _("Tenggat %(when)s: konten dari %(sender)s belum diputuskan") % {
            "when": local_time(cascade.deadline, target.office),
            "sender": cascade.office.name,
        }
        body = "\n".join(
            [
                _("“%(text)s”") % {"text": excerpt(texts[cascade.pk][target.office_id])},
                _("Adopsi apa adanya, adaptasi dulu, atau tolak dengan alasan."),
            ]
        )
        return title, body

    return staff_remind(
        due,
        model=CascadeTarget,
        kind=Notification.Kind.CASCADE_REMINDER,
        key=lambda target: f"cascade:{target.cascade_id}:reminder",
        link=target_link,
        notice=notice,
        now=now,
    )


# --------------------------------------------------------------------------------------------
# Answering: adopt, adapt, decline


def _publishable(*, office: Office, channels: Sequence[Channel]) -> list[Channel]:
    """The chosen channels, each one ``office`` publishes to (connected, its portal, assisted)."""
    allowed = {c.pk: c for c in channel_list_for_publishing(office=office)}
    chosen: dict[int, Channel] = {}
    for channel in channels:
        if channel.pk not in allowed:
            raise CascadeError(
                _("%(channel)s bukan kanal kantor ini yang siap dipakai untuk menerbitkan.")
                % {"channel": channel}
            )
        chosen[channel.pk] = allowed[channel.pk]
    return list(chosen.values())


def _source_images(cascade: Cascade) -> list[NewImage]:
    """The source's images (a post's, in order; an article's cover) as new uploads for the office's
    post, each through the same upload checks; one that cannot be read is left out."""
    found: list[tuple[str, str, bool]] = []  # (file name, alt text, may be in the public storage)
    if cascade.source_post_id:
        found = [
            (image.file.name or "", image.alt_text, False)
            for image in PostImage.objects.filter(post_id=cascade.source_post_id).order_by("position", "pk")
        ]
    elif cascade.source_article is not None and cascade.source_article.cover is not None:
        cover = cascade.source_article.cover
        found = [(cover.file.name or "", cover.alt_text or cascade.source_article.title[:250], True)]
    images = []
    for name, alt, may_be_public in found:
        storages = (post_image_storage(),) if not may_be_public else (private_storage(), public_storage())
        for storage in storages:
            try:
                if name and storage.exists(name):
                    prepared: PreparedImage = prepare_upload(
                        file=io.BytesIO(read_bytes(storage=storage, name=name))
                    )
                    images.append(NewImage(prepared=prepared, alt_text=alt))
                    break
            except (ImageRejected, OSError) as exc:
                logger.info("cascade %s: image %s not carried: %s", cascade.pk, name, exc)
                break
    return images


def _require_live_source(cascade: Cascade) -> Post | Article:
    source = cascade.source
    if not _source_is_live(source):
        raise CascadeError(
            _("%(office)s sudah menarik konten ini; konten itu tidak dapat diteruskan lagi.")
            % {"office": cascade.office.name}
        )
    return source


def _lock_pending(target: CascadeTarget) -> CascadeTarget:
    """The target's row, locked, while it is still pending; else CascadeError saying who decided."""
    return pending_locked(
        CascadeTarget,
        target.pk,
        by="decided_by",
        error=CascadeError,
        missing=_("Konten dari kantor atasan itu tidak ditemukan."),
        answered=_("Konten ini sudah diputuskan: %(status)s oleh %(person)s."),
        nobody=_("terbit otomatis"),
    )


def _image_files(post: Post) -> list[str]:
    return [name for name in PostImage.objects.filter(post=post).values_list("file", flat=True) if name]


def _target(target: CascadeTarget) -> CascadeTarget:
    """The target with its cascade, sender and office (fresh)."""
    return CascadeTarget.objects.select_related(
        "office", "cascade__office", "cascade__source_post__office", "cascade__source_article__office"
    ).get(pk=target.pk)


def _campaign_of(source: Post | Article) -> str:
    """The campaign an adopted or adapted post keeps from its source, so a national campaign can
    be followed on every calendar below (an article has none; its election stage is kept too)."""
    return source.campaign if isinstance(source, Post) else ""


@dataclass(frozen=True)
class _Adoptable:
    """What every office adopting a cascade gets of it, read and decoded once: its live source,
    the time it goes out (the source post's own when still ahead, else now) and its images."""

    cascade: Cascade
    source: Post | Article
    at: datetime | None
    images: list[NewImage]


def _adoptable(cascade: Cascade, now: datetime, *, refusal_for: Office | None = None) -> _Adoptable:
    """The cascade ready to adopt: CascadeError when its source was withdrawn, or (``refusal_for``)
    when a blackout window stops that office now, before any image is decoded."""
    source = _require_live_source(cascade)
    # A source post scheduled for later goes out at that time in every office too, not before it.
    scheduled = getattr(source, "scheduled_at", None)
    at = scheduled if scheduled is not None and scheduled > now else None
    if refusal_for is not None:
        refusal = blackout_refusal(office=refusal_for, at=at or now, clarification=cascade.is_clarification)
        if refusal:
            raise CascadeError(refusal)
    return _Adoptable(cascade=cascade, source=source, at=at, images=_source_images(cascade))


@contextmanager
def _refused_as_cascade_error(written: list[str]) -> Iterator[None]:
    """Around writing an office's post from a cascade: the image files listed in ``written`` are
    deleted when anything fails (the rollback does not remove files), and a refusal of the post
    or of an image becomes a CascadeError with its reason."""
    try:
        yield
    except (PublishingError, ImageRejected) as exc:
        delete_quietly(storage=post_image_storage(), names=written)
        message = " ".join(str(m) for m in exc.messages) if isinstance(exc, ImageRejected) else str(exc)
        raise CascadeError(message) from exc
    except BaseException:
        delete_quietly(storage=post_image_storage(), names=written)
        raise


def _item(
    *,
    actor: User,
    target: CascadeTarget,
    channels: Sequence[Channel],
    adoptable: _Adoptable,
    accounts: Sequence[Channel] | None = None,
) -> FromAbove:
    """The office's post of the cascade: its text with the office's fill-ins resolved
    (``accounts``: the office's official accounts when read already), the source's link, images,
    campaign and stage, at the source post's time when still ahead."""
    office, cascade, source = target.office, adoptable.cascade, adoptable.source
    values = None if accounts is None else cascade_field_values(office=office, channels=accounts)
    return FromAbove(
        actor=actor,
        office=office,
        source=source,
        text=cascade_text_resolve(text=cascade.text, office=office, values=values).text,
        link=cascade.link,
        channels=channels,
        scheduled_at=adoptable.at,
        images=adoptable.images,
        is_clarification=cascade.is_clarification,
        campaign=_campaign_of(source),
        election_stage=source.election_stage,
    )


def _adopt(answers: Sequence[tuple[CascadeTarget, Checked]], *, automatic: bool) -> list[CascadeTarget]:
    """The offices' posts published (``posts_publish_from_above``) and their targets adopted, in
    one transaction on the targets' locked rows: those no longer pending are left out, except for
    a person's own answer (``automatic`` False: one target), which is refused with who decided."""
    written: list[str] = []
    with _refused_as_cascade_error(written), transaction.atomic():
        if automatic:
            pending = set(
                CascadeTarget.objects.select_for_update()
                .filter(pk__in=[t.pk for t, _ in answers], status=Status.PENDING)
                .values_list("pk", flat=True)
            )
            answers = [(t, c) for t, c in answers if t.pk in pending]
        else:
            _lock_pending(answers[0][0])
        posts = posts_publish_from_above([c for _, c in answers])
        if any(c.item.images for _, c in answers):
            written.extend(name for post in posts for name in _image_files(post))
        now = timezone.now()
        targets = []
        for (target, checked), post in zip(answers, posts, strict=True):
            target.status, target.post = Status.ADOPTED, post
            target.decided_by, target.decided_at = checked.item.actor, now
            target.automatic, target.auto_error = automatic, ""
            targets.append(target)
        CascadeTarget.objects.bulk_update(
            targets, ["status", "post", "decided_by", "decided_at", "automatic", "auto_error"]
        )
        audit_record_many(
            [
                AuditEntry(
                    actor=checked.item.actor,
                    office=target.office,
                    action="cascade.adopt_auto" if automatic else "cascade.adopt",
                    obj=target,
                    changes={
                        "channels": [c.pk for c in checked.channels],
                        "source_office": target.cascade.office.name,
                    },
                )
                for target, checked in answers
            ]
        )
    return targets


def cascade_adopt(
    *,
    actor: User,
    target: CascadeTarget,
    channels: Sequence[Channel],
    now: datetime | None = None,
) -> CascadeTarget:
    """Adopt the cascade as it is in the receiving office: a post with the office's fill-ins
    resolved, the source's images and link, approved by the source's approver, published to
    ``channels`` (one or more the office publishes to) now, or at the source post's time when
    that is still ahead (``publishing.approved_above``). Needs cascade.respond in the receiving
    office.

    Exactly once, however many press at the same moment: the target's row is locked and a
    decided one refused. A blackout window, a channel that would refuse the text, a withdrawn
    source: CascadeError with the reason, and nothing is created."""
    target = _target(target)
    office = target.office
    policy.require(actor, "cascade.respond", office)
    if not channels:
        raise CascadeError(_("Pilih setidaknya satu kanal untuk menerbitkannya."))
    _require_live_source(target.cascade)
    chosen = _publishable(office=office, channels=channels)
    adoptable = _adoptable(target.cascade, now or timezone.now(), refusal_for=office)
    try:
        checked = from_above_check(_item(actor=actor, target=target, channels=chosen, adoptable=adoptable))
    except PublishingError as exc:
        raise CascadeError(str(exc)) from exc
    (adopted,) = _adopt([(target, checked)], automatic=False)
    return adopted


def cascade_adapt(*, actor: User, target: CascadeTarget) -> CascadeTarget:
    """Adapt the cascade in the receiving office: a draft post with the office's fill-ins
    resolved, the source's images and link, for every channel the office publishes to. The
    office edits it and its own approval applies; the target counts as published once that post
    is. Needs cascade.respond there. CascadeError when it was decided already or the source was
    withdrawn."""
    target = _target(target)
    office = target.office
    policy.require(actor, "cascade.respond", office)
    cascade = target.cascade
    source = _require_live_source(cascade)
    resolved = cascade_text_resolve(text=cascade.text, office=office)
    images = _source_images(cascade)
    written: list[str] = []
    with _refused_as_cascade_error(written), transaction.atomic():
        locked = _lock_pending(target)
        post = post_create(
            actor=actor,
            office=office,
            text=resolved.text,
            link=cascade.link,
            channels=list(channel_list_for_publishing(office=office)),
            is_clarification=cascade.is_clarification,
            campaign=_campaign_of(source),
            election_stage=source.election_stage,
        )
        if images:
            post_images_change(actor=actor, post=post, add=images)
            written.extend(_image_files(post))
        locked.status, locked.post = Status.ADAPTED, post
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "post", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            office=office,
            action="cascade.adapt",
            obj=locked,
            changes={"source_office": cascade.office.name},
        )
    return locked


def cascade_decline(*, actor: User, target: CascadeTarget, reason: str) -> CascadeTarget:
    """Decline the cascade in the receiving office with a reason (required, at most 500
    characters), which the sender reads on its board. Needs cascade.respond there."""
    target = _target(target)
    policy.require(actor, "cascade.respond", target.office)
    reason = reason_clean(reason, missing=_("Tuliskan alasan menolak konten ini."), error=CascadeError)
    with transaction.atomic():
        locked = _lock_pending(target)
        locked.status, locked.decline_reason = Status.DECLINED, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            office=target.office,
            action="cascade.decline",
            obj=locked,
            changes={"reason": reason, "source_office": target.cascade.office.name},
        )
    return locked


# --------------------------------------------------------------------------------------------
# Auto-publish


def cascade_auto_publish_set(
    *, actor: User, office: Office, channels: Sequence[Channel]
) -> CascadeAutoPublish | None:
    """Have every cascade from above adopted in ``office`` as it is and published on
    ``channels``, acting as ``actor`` (an Administrator there: cascade.auto_publish). No channels:
    switched off. Cascades already waiting are not adopted by this; new ones are."""
    policy.require(actor, "cascade.auto_publish", office)
    if office.parent_id is None:
        raise CascadeError(_("Kantor ini tidak menerima konten dari kantor atasan."))
    chosen = _publishable(office=office, channels=channels)
    with transaction.atomic():
        existing = CascadeAutoPublish.objects.select_for_update().filter(office=office).first()
        if not chosen:
            if existing is not None:
                existing.delete()
                audit_record(actor=actor, office=office, action="cascade.auto_publish_off", obj=office)
            return None
        setting = existing or CascadeAutoPublish(office=office, set_by=actor)
        setting.set_by = actor
        setting.save()
        setting.channels.set(chosen)
        audit_record(
            actor=actor,
            office=office,
            action="cascade.auto_publish_set",
            obj=office,
            changes={"channels": [c.pk for c in chosen]},
        )
    return setting


def _auto_failed(target: CascadeTarget, message: str) -> None:
    CascadeTarget.objects.filter(pk=target.pk, status=Status.PENDING).update(auto_error=message[:500])


# A cascade is adopted in AUTO_ADOPT_LANES lanes of tasks, each task adopting AUTO_ADOPT_BATCH
# offices one after another (the cascade, its source and images read once for them) and then
# queueing its lane's next batch. The lanes go ahead of the deliveries (PRIORITY_FAN_OUT), so the
# last offices do not wait behind the deliveries of the first, and never take more than
# AUTO_ADOPT_LANES worker threads, so the deliveries keep the others (bench/cascade: 552 offices).
AUTO_ADOPT_BATCH = 8
AUTO_ADOPT_LANES = 16
# A lane cut short (its worker killed) is taken up again after this long (cascade_auto_adopt_due).
AUTO_ADOPT_RESUME_AFTER = timedelta(minutes=5)


def cascade_auto_adopt_many(*, target_ids: Sequence[int]) -> list[CascadeTarget]:
    """Adopt the pending targets ``target_ids`` for their offices' auto-publish settings, each as
    the Administrator who set it (still one, still active), on the setting's channels still
    publishable. Everything the offices share is read once (the cascade, its source and images,
    the settings, their people's roles, the channels, the official accounts, the blackout
    windows), each office is checked on its own, and those that pass are written together in one
    transaction (one statement per table); if that fails, each is written in a transaction of its
    own, so one office's failure never stops the others.

    A refusal (a blackout window, a channel gone, the source withdrawn) is kept on the target for
    the office to see, which then decides by hand. Idempotent: a decided target, or one whose
    office has no setting, is left alone. Returns those adopted."""
    targets = list(
        CascadeTarget.objects.select_related("office")
        .filter(pk__in=list(target_ids), status=Status.PENDING)
        .order_by("pk")
    )
    settings_of = {
        setting.office_id: setting
        for setting in CascadeAutoPublish.objects.select_related("set_by")
        .prefetch_related("channels")
        .filter(office_id__in={t.office_id for t in targets})
    }
    targets = [t for t in targets if t.office_id in settings_of]
    if not targets:
        return []
    ready = channels_ready_for_publishing(
        channel_ids={c.pk for s in settings_of.values() for c in s.channels.all()}
    )
    accounts = _official_accounts(t.office_id for t in targets)
    cascades = {
        c.pk: c
        for c in Cascade.objects.select_related(
            "office",
            "source_post__office",
            "source_post__approved_by",
            "source_article__office",
            "source_article__approved_by",
        ).filter(pk__in={t.cascade_id for t in targets})
    }
    policy.load_grants([s.set_by for s in settings_of.values()])
    now = timezone.now()
    windows = windows_ahead(now=now)
    adoptables: dict[int, _Adoptable | CascadeError] = {}
    answers: list[tuple[CascadeTarget, Checked]] = []
    for target in targets:
        target.cascade = cascades[target.cascade_id]
        actor = settings_of[target.office_id].set_by
        if not policy.can(actor, "cascade.auto_publish", target.office):
            _auto_failed(
                target,
                _(
                    "Terbit otomatis berhenti: %(person)s bukan lagi Administrator kantor ini. Atur ulang di Pengaturan."
                )
                % {"person": actor.get_full_name()},
            )
            continue
        channels = [c for c in settings_of[target.office_id].channels.all() if c.pk in ready]
        if not channels:
            _auto_failed(
                target, _("Terbit otomatis tidak punya kanal yang siap dipakai. Atur ulang di Pengaturan.")
            )
            continue
        if target.cascade_id not in adoptables:
            try:
                adoptables[target.cascade_id] = _adoptable(target.cascade, now)
            except CascadeError as exc:
                adoptables[target.cascade_id] = exc
        adoptable = adoptables[target.cascade_id]
        try:
            if isinstance(adoptable, CascadeError):
                raise adoptable
            item = _item(
                actor=actor,
                target=target,
                channels=channels,
                adoptable=adoptable,
                accounts=accounts.get(target.office_id, []),
            )
            answers.append((target, from_above_check(item, now=now, windows=windows)))
        except (CascadeError, PublishingError, PolicyDenied) as exc:
            _auto_failed(target, str(exc))
    if not answers:
        return []
    try:
        return _adopt(answers, automatic=True)
    except Exception:
        if len(answers) == 1:
            return _adopt_alone(*answers[0])
        logger.warning(
            "cascade targets %s: adopting together failed, one by one now", [t.pk for t, _ in answers]
        )
    return [adopted for target, checked in answers for adopted in _adopt_alone(target, checked)]


def _adopt_alone(target: CascadeTarget, checked: Checked) -> list[CascadeTarget]:
    """One office's automatic adoption in a transaction of its own; its failure is kept on it."""
    try:
        return _adopt([(target, checked)], automatic=True)
    except CascadeError as exc:
        _auto_failed(target, str(exc))
    except Exception:
        logger.exception("cascade target %s: automatic adoption failed", target.pk)
        _auto_failed(target, _("Terbit otomatis gagal karena kesalahan sistem; putuskan secara manual."))
    return []


def cascade_auto_adopt(*, target_id: int) -> CascadeTarget | None:
    """``cascade_auto_adopt_many`` for one target: the adopted target, or None."""
    adopted = cascade_auto_adopt_many(target_ids=[target_id])
    return adopted[0] if adopted else None


def _adopt_in_lanes(ids: list[int]) -> int:
    batches = [ids[start : start + AUTO_ADOPT_BATCH] for start in range(0, len(ids), AUTO_ADOPT_BATCH)]
    for lane in range(min(AUTO_ADOPT_LANES, len(batches))):
        first, *rest = batches[lane::AUTO_ADOPT_LANES]
        cascade_auto_adopt_task(first, rest)
    return len(ids)


def cascade_auto_publish_enqueue(*, cascade_id: int) -> int:
    """Start the lanes that adopt the pending targets whose offices adopt automatically. Returns
    how many targets."""
    return _adopt_in_lanes(
        list(
            CascadeTarget.objects.filter(
                cascade_id=cascade_id, status=Status.PENDING, office__cascade_auto_publish__isnull=False
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )


def cascade_auto_adopt_due(*, now: datetime | None = None) -> int:
    """Take up adoptions a lane left undone (its worker killed between two batches): targets of
    cascades of the last day sent more than AUTO_ADOPT_RESUME_AFTER ago, still pending, never
    tried, whose office adopted automatically already when the cascade was sent. Idempotent (a
    target decided meanwhile is skipped). Returns how many targets were queued again."""
    now = now or timezone.now()
    return _adopt_in_lanes(
        list(
            CascadeTarget.objects.filter(
                status=Status.PENDING,
                auto_error="",
                cascade__created_at__gte=now - timedelta(days=1),
                cascade__created_at__lt=now - AUTO_ADOPT_RESUME_AFTER,
                office__cascade_auto_publish__updated_at__lt=F("cascade__created_at"),
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )


@db_task(priority=PRIORITY_FAN_OUT)  # the head of the fan-out: it starts the lanes
def cascade_auto_publish_task(cascade_id: int) -> None:
    cascade_auto_publish_enqueue(cascade_id=cascade_id)


@db_task(priority=PRIORITY_FAN_OUT)
def cascade_auto_adopt_task(target_ids: list[int] | int, then: list[list[int]] | None = None) -> None:
    """One batch of a lane, then the lane's next (``then``). A single id: a task queued before
    the lanes (one per office)."""
    try:
        cascade_auto_adopt_many(target_ids=[target_ids] if isinstance(target_ids, int) else target_ids)
    finally:
        if then:
            cascade_auto_adopt_task(then[0], then[1:])
