"""Publishing content an office above approved, for one office or for many at once.

An office that takes content from above as it is (a cascade adopted, an amplification task
shared in one click; humas/coordination) gets its own post, approved by the approver of the
source, published through the delivery engine. It is checked as writing, approving and publishing
it one step after the other would check it (``from_above_check``, no writes), then written with
its channels, its images, the version of the approval, the publication, its deliveries and the
events a person reads in the post's history (``post.create``, ``post.adopt_approved``,
``publication.create``) by ``posts_publish_from_above``: for many offices in one statement per
table, since a national cascade makes it run for 552 offices within seconds (bench/cascade).
``post_publish_from_above`` does both for one office.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import AuditEntry, audit_record_many
from humas.blackouts.models import Blackout
from humas.blackouts.selectors import blocking_among, blocking_window, refusal_message
from humas.channels.connectors import PublishRequest, content_marker
from humas.channels.models import Channel
from humas.media.storage import delete_quietly
from humas.offices import policy
from humas.offices.models import Office
from humas.portal.models import Article

from .delivery import NewPublication, publication_requests, publications_write, request_for
from .images import NewImage, post_images_change
from .models import Post, PostImage, PostVersion
from .services import (
    PublishingError,
    _clean,
    _target_channels,
    clean_campaign,
    clean_stage,
)
from .storage import post_image_storage

Status = Post.Status


@dataclass(frozen=True)
class FromAbove:
    """One office's post of ``source``: ``text`` and ``link`` are what the approval above covers,
    as the caller derived them from the source (a cascade's text with the office's fill-ins)."""

    actor: User
    office: Office
    source: Post | Article
    text: str
    link: str
    channels: Sequence[Channel]
    scheduled_at: datetime | None = None
    images: Sequence[NewImage] = ()
    is_clarification: bool = False
    campaign: str = ""
    election_stage: str = ""


@dataclass(frozen=True)
class Checked:
    """A ``FromAbove`` that passed ``from_above_check``: cleaned, with its approver, its channels,
    its time and, without images, each platform's request."""

    item: FromAbove
    text: str
    link: str
    campaign: str
    election_stage: str
    approver: User
    channels: list[Channel]
    due: datetime
    requests: dict[str, PublishRequest] = field(default_factory=dict)


def source_approval(*, source: Post | Article, office: Office) -> User:
    """The person whose approval of ``source`` carries to ``office``'s post: its approver, when the
    source is approved (a post approved or published, an article published) and belongs to an
    office above ``office``. Else PublishingError."""
    approver = source.approved_by
    if isinstance(source, Article):
        approved = source.status == Article.Status.PUBLISHED
    else:
        approved = source.status in (Status.APPROVED, Status.PUBLISHED)
    if not approved or approver is None:
        raise PublishingError(_("Konten sumber belum disetujui; unggahan ini perlu disetujui di kantor ini."))
    if source.office_id == office.pk or not office.path.startswith(source.office.path):
        raise PublishingError(_("Konten sumber bukan dari kantor di atas kantor ini."))
    return approver


def _fresh_request(text: str, link: str) -> PublishRequest:
    """What every channel gets for a post made just now without images: it has no variants yet,
    so its own text and link (as ``request_for`` makes them, without reading anything)."""
    return PublishRequest(text=text, link=link or None, images=(), marker=content_marker(text, link))


def from_above_check(
    item: FromAbove, *, now: datetime | None = None, windows: Sequence[Blackout] | None = None
) -> Checked:
    """Everything that would refuse ``item``, before anything is written: content.draft and
    content.publish in its office, a source approved by an office above, the text, the channels
    (active channels of the office, whose platforms take the content), a time outside blackout
    windows (a clarification passes those that exempt clarifications; ``windows``: the
    ``windows_ahead`` of a moment before ``now``, read once for many offices). Raises
    PublishingError or PolicyDenied. Images are checked with the post they are added to."""
    office = item.office
    policy.require(item.actor, "content.draft", office)
    policy.require(item.actor, "content.publish", office)
    approver = source_approval(source=item.source, office=office)
    text, link = _clean(text=item.text, link=item.link, scheduled_at=item.scheduled_at)
    campaign, election_stage = clean_campaign(item.campaign), clean_stage(item.election_stage)
    targets = _target_channels(office=office, channels=item.channels)
    if not targets:
        raise PublishingError(_("Pilih setidaknya satu kanal."))
    now = now or timezone.now()
    due = item.scheduled_at if item.scheduled_at is not None and item.scheduled_at > now else now
    if windows is None:
        window = blocking_window(office=office, at=due, clarification=item.is_clarification)
    else:
        window = blocking_among(windows, office=office, at=due, clarification=item.is_clarification)
    if window is not None:
        raise PublishingError(refusal_message(window, office=office))
    requests: dict[str, PublishRequest] = {}
    if not item.images:
        fresh = _fresh_request(text, link)
        requests = publication_requests(
            post=Post(office=office, text=text, link=link),
            channels=targets,
            approved={c.pk for c in targets},
            make=lambda c: fresh,
        )
    return Checked(
        item=item,
        text=text,
        link=link,
        campaign=campaign,
        election_stage=election_stage,
        approver=approver,
        channels=targets,
        due=due,
        requests=requests,
    )


def posts_publish_from_above(checked: Sequence[Checked]) -> list[Post]:
    """The posts of ``checked`` (from ``from_above_check``), each approved by its source's approver
    and published: one statement per table for all of them, and for a post with images its
    images' own steps. Inside the caller's transaction, without a savepoint of its own: any
    failure fails the caller's transaction. Images that cannot be added or that a platform would
    refuse: ImageRejected or PublishingError, and nothing stays (files included)."""
    if not checked:
        return []
    now = timezone.now()
    written: list[str] = []
    try:
        with transaction.atomic(savepoint=False):
            posts = Post.objects.bulk_create(
                [
                    Post(
                        office=c.item.office,
                        author=c.item.actor,
                        text=c.text,
                        link=c.link,
                        scheduled_at=c.item.scheduled_at,
                        is_clarification=c.item.is_clarification,
                        campaign=c.campaign,
                        election_stage=c.election_stage,
                        last_changed_by=c.item.actor,
                        last_changed_at=now,
                        # Written approved and published at once, unless images come first.
                        **(
                            {}
                            if c.item.images
                            else {"status": Status.PUBLISHED, "approved_by": c.approver, "approved_at": now}
                        ),
                    )
                    for c in checked
                ]
            )
            Post.channels.through.objects.bulk_create(
                [
                    Post.channels.through(post_id=post.pk, channel_id=channel.pk)
                    for c, post in zip(checked, posts, strict=True)
                    for channel in c.channels
                ]
            )
            events: list[AuditEntry] = []
            requests: list[dict[str, PublishRequest]] = []
            for c, post in zip(checked, posts, strict=True):
                created: dict[str, Any] = {"channels": sorted(ch.pk for ch in c.channels)}
                if c.item.is_clarification:
                    created["is_clarification"] = True
                created.update(
                    {k: v for k, v in (("campaign", c.campaign), ("election_stage", c.election_stage)) if v}
                )
                events.append(
                    AuditEntry(
                        actor=c.item.actor,
                        office=c.item.office,
                        action="post.create",
                        obj=post,
                        changes=created,
                    )
                )
                if not c.item.images:
                    requests.append(c.requests)
                    continue
                # The images' own event comes after the post's creation, as in its history.
                audit_record_many(events)
                events = []
                post_images_change(actor=c.item.actor, post=post, add=c.item.images)
                written += list(PostImage.objects.filter(post=post).values_list("file", flat=True))
                content = Post.objects.prefetch_related("variants", "images").get(pk=post.pk)
                requests.append(
                    publication_requests(
                        post=content,
                        channels=c.channels,
                        approved={ch.pk for ch in c.channels},
                        make=lambda ch: request_for(post=content, channel=ch),  # noqa: B023 - used at once
                    )
                )
                post.status, post.approved_by, post.approved_at = Status.PUBLISHED, c.approver, now
                post.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
            PostVersion.objects.bulk_create(
                [
                    PostVersion(
                        post=post,
                        number=1,
                        text=post.text,
                        channels=[
                            str(ch) for ch in sorted(c.channels, key=lambda ch: (ch.platform, ch.name))
                        ],
                        written_by_id=post.last_changed_by_id or c.item.actor.pk,
                        written_at=post.last_changed_at or now,
                        approved_by=c.approver,
                        approved_at=now,
                    )
                    for c, post in zip(checked, posts, strict=True)
                ]
            )
            published = publications_write(
                [
                    NewPublication(actor=c.item.actor, post=post, channels=c.channels, requests=r, due=c.due)
                    for c, post, r in zip(checked, posts, requests, strict=True)
                ],
                now=now,
            )
            for c, post, (publication, changes) in zip(checked, posts, published, strict=True):
                source = c.item.source
                events += [
                    AuditEntry(
                        actor=c.item.actor,
                        office=c.item.office,
                        action="post.adopt_approved",
                        obj=post,
                        changes={
                            "status": {"before": Status.DRAFT, "after": Status.APPROVED},
                            "approved_by": c.approver.get_full_name(),
                            "source_office": source.office.name,
                            ("source_article" if isinstance(source, Article) else "source_post"): source.pk,
                        },
                    ),
                    AuditEntry(
                        actor=c.item.actor,
                        office=c.item.office,
                        action="publication.create",
                        obj=publication,
                        changes=changes,
                    ),
                ]
            audit_record_many(events)
    except BaseException:
        # The images were written to storage before the rollback: nothing may keep them.
        delete_quietly(storage=post_image_storage(), names=written)
        raise
    return posts


def post_publish_from_above(
    *,
    actor: User,
    office: Office,
    source: Post | Article,
    text: str,
    link: str,
    channels: Sequence[Channel],
    scheduled_at: datetime | None = None,
    images: Sequence[NewImage] = (),
    is_clarification: bool = False,
    campaign: str = "",
    election_stage: str = "",
) -> Post:
    """``office``'s post of ``text`` and ``link`` (what the approval above covers, as the caller
    derived them from ``source``), approved by ``source``'s approver without a second approval
    here, and published to ``channels`` at ``scheduled_at`` (or now) through the delivery engine.
    Refuses as ``from_above_check`` does, and nothing is created."""
    item = FromAbove(
        actor=actor,
        office=office,
        source=source,
        text=text,
        link=link,
        channels=channels,
        scheduled_at=scheduled_at,
        images=images,
        is_clarification=is_clarification,
        campaign=campaign,
        election_stage=election_stage,
    )
    checked = from_above_check(item)
    with transaction.atomic():
        (post,) = posts_publish_from_above([checked])
    return post
