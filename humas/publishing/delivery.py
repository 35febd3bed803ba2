"""The delivery engine: one publication of a post to N channels makes N deliveries.

A delivery moves queued -> sending -> sent, or -> waiting (retry at ``next_attempt_at``) -> …,
or -> failed (a permanent reason), or -> needs_attention (a person must decide).

Never twice: the attempt (state "sending", ``attempt_started_at``, ``marker``) is committed
under a row lock *before* the platform is called, so a second worker finds the delivery taken.
A delivery left in "sending" by a dead worker is reconciled by asking the platform for a post
with the marker since the attempt began; when the platform cannot tell, a person decides.
Never lost: every state lives in the database and the sweeper (every minute) acts on anything
overdue, including after a restart of everything.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.blackouts.models import Blackout
from humas.blackouts.selectors import blocking_exists, blocking_window, refusal_message
from humas.blackouts.services import BlackoutError, override_reason
from humas.channels.connect import channel_check_health
from humas.channels.connectors import (
    BadRequest,
    Capability,
    Connector,
    ConnectorError,
    CredentialsInvalid,
    DuplicatePost,
    FacebookConnector,
    InstagramConnector,
    PublishedPost,
    PublishRequest,
    RateLimited,
    RetryLater,
    TelegramConnector,
    Unsupported,
    XConnector,
    build_connector,
    content_marker,
)
from humas.channels.models import API_PLATFORMS, Channel, Platform
from humas.channels.services import ChannelError
from humas.channels.tokens import channel_credential_secret
from humas.core.queue import PRIORITY_DELIVERY
from humas.offices import policy
from humas.offices.tree import subtree

from .assisted import ASSISTED_PLATFORMS, assisted_delete_message, needs_hand_deletion
from .images import images_for_platform
from .models import Delivery, Post, PostImage, PostVariant, Publication
from .ratelimit import CacheRateLimitStore
from .services import WITHDRAWAL_REASON_MAX, PublishingError, clean_reason, post_variant_text, refuse_blackout
from .variants import request_problem

State = Delivery.State
# Clocks differ between us and the platform; a post made just before our recorded start counts.
RECONCILE_SKEW = timedelta(minutes=2)
DUE_STATES = (State.QUEUED, State.WAITING)
# Stale-sweeper rounds a reconciliation may wait for a platform that cannot answer (5xx, throttled).
RECONCILE_ROUNDS = 6


def _enqueue_send(delivery_id: int) -> None:
    deliver_task(delivery_id)


def _schedule_send(delivery_id: int, at: datetime) -> None:
    """Run the attempt at ``at`` rather than at the sweeper's next minute (which stays the backstop
    if the queue loses the task)."""
    transaction.on_commit(lambda: deliver_task.schedule((delivery_id,), eta=at))


def _enqueue_many(delivery_ids: list[int]) -> None:
    from huey.storage import RedisStorage

    huey = deliver_task.huey
    storage = huey.storage
    if huey.immediate or type(storage) is not RedisStorage or len(delivery_ids) < 2:
        for delivery_id in delivery_ids:
            _enqueue_send(delivery_id)
        return
    # What huey.enqueue does per task, for the whole publication in one Redis round trip: a
    # publication to 1,656 channels is otherwise 1,656 round trips before the last task is queued.
    with storage.conn.pipeline(transaction=False) as pipe:
        for delivery_id in delivery_ids:
            pipe.lpush(storage.queue_key, huey.serialize_task(deliver_task.s(delivery_id)))
        pipe.execute()


def connector_for_delivery(
    *, channel: Channel, token: str, delivery_id: int | None = None, actor: User | None = None
) -> Connector:
    """A connector sharing the cache-backed rate-limit store with every other worker. The office's
    own portal gets the in-process adapter (portal_channel.py): no credential, ``delivery_id`` to
    publish and find its article, ``actor`` who withdraws it."""
    if channel.platform == Platform.PORTAL:
        from .portal_channel import PortalConnector

        return PortalConnector(channel=channel, delivery_id=delivery_id, actor=actor)
    return build_connector(
        channel.platform,
        account_id=channel.account_id,
        token=token,
        base_url=settings.HUMAS_PLATFORM_BASE_URLS.get(channel.platform) or None,
        web_url=settings.HUMAS_PLATFORM_WEB_URLS.get(channel.platform) or None,
        rate_store=CacheRateLimitStore(),
        timeout=httpx.Timeout(settings.HUMAS_DELIVERY_TIMEOUT_SECONDS, connect=5.0),
    )


def _channel_token(channel: Channel, *, preloaded: bool = False) -> str:
    """The channel's secret for its connector; the portal needs none. Raises ChannelError.
    ``preloaded``: its credential was read with it just now (the claim)."""
    if channel.platform == Platform.PORTAL:
        return ""
    return channel_credential_secret(channel=channel, preloaded=preloaded)


def request_for(*, post: Post, channel: Channel, images: bool = True) -> PublishRequest:
    """What ``channel`` gets for ``post``: its platform's variant text (else the main text), the
    link, the images in the form that platform takes them (a public URL for Instagram, bytes for
    the others; humas/publishing/images.py) and the idempotency marker of that text.
    ``images=False`` leaves the images out: claiming and reconciling only need the marker.
    Raises PublishingError for an image the platform would refuse (the limit named)."""
    text = post_variant_text(post=post, platform=channel.platform)
    with_images = images and channel.platform in API_PLATFORMS
    return PublishRequest(
        text=text,
        link=post.link or None,
        images=images_for_platform(post=post, platform=channel.platform) if with_images else (),
        marker=content_marker(text, post.link),
    )


# --------------------------------------------------------------------------------------------
# Creating publications


def _blackout_override(*, actor: User, post: Post, due: datetime, reason: str) -> str:
    """ "" when no blackout window stops ``post`` going out at ``due``; else the Administrator's
    reason for publishing it anyway (checked), or PublishingError with the window's message."""
    window = blocking_window(office=post.office, at=due, clarification=post.is_clarification)
    if window is None:
        return ""
    refusal = refusal_message(window, office=post.office)
    if not reason.strip():
        raise PublishingError(refusal)
    if not policy.can(actor, "blackout.override", post.office):
        raise PublishingError(
            f"{refusal} " + _("Hanya Administrator yang dapat menerbitkan satu unggahan saat masa jeda.")
        )
    try:
        return override_reason(actor=actor, office=post.office, reason=reason)
    except BlackoutError as exc:
        raise PublishingError(str(exc)) from None


def publication_create(
    *, actor: User, post: Post, channels: list[Channel], blackout_override: str = ""
) -> Publication:
    """Publish an approved post to ``channels``, each one of the channels approved with it: one
    delivery each, sent at the post's schedule (or now). Content a platform would refuse (text
    over its limit) is caught here, naming the limit, and nothing is created.

    Inside a blackout window (humas/blackouts) it is refused with the window's message, unless the
    post is an exempt clarification or an Administrator gives ``blackout_override``, a reason kept
    with the publication and audited."""
    policy.require(actor, "content.publish", post.office)
    if post.status not in (Post.Status.APPROVED, Post.Status.PUBLISHED):
        raise PublishingError(_("Hanya unggahan yang sudah disetujui yang dapat diterbitkan."))
    if not channels:
        raise PublishingError(_("Pilih setidaknya satu kanal."))
    now = timezone.now()
    due = post.scheduled_at if post.scheduled_at and post.scheduled_at > now else now
    override = _blackout_override(actor=actor, post=post, due=due, reason=blackout_override)
    # Each platform's own request (variant text, images in its form), made once per platform.
    content = Post.objects.prefetch_related("variants", "images").get(pk=post.pk)
    approved = set(content.channels.values_list("pk", flat=True))
    requests = publication_requests(
        post=content,
        channels=channels,
        approved=approved,
        make=lambda c: request_for(post=content, channel=c),
    )
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        ((publication, changes),) = publications_write(
            [
                NewPublication(
                    actor=actor, post=post, channels=channels, requests=requests, due=due, override=override
                )
            ],
            now=now,
        )
        if post.status != Post.Status.PUBLISHED:
            post.status = Post.Status.PUBLISHED
            post.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor, office=post.office, action="publication.create", obj=publication, changes=changes
        )
    return publication


def publication_requests(
    *,
    post: Post,
    channels: Sequence[Channel],
    approved: Collection[int],
    make: Callable[[Channel], PublishRequest],
) -> dict[str, PublishRequest]:
    """What each platform of ``channels`` gets for ``post`` (``make``), checked: every channel an
    active channel of the post's office among those ``approved`` with it, with a way to publish,
    and content its platform takes. Raises PublishingError naming the first problem."""
    requests: dict[str, PublishRequest] = {}
    for channel in channels:
        if channel.office_id != post.office_id or not channel.is_active:
            raise PublishingError(_("Kanal itu bukan kanal aktif kantor ini."))
        if channel.pk not in approved:
            # Where it goes out is part of what was approved (publishing/services.py).
            raise PublishingError(
                _(
                    "%(channel)s bukan kanal tujuan yang disetujui untuk unggahan ini. Tambahkan "
                    "lewat Ubah; perubahan itu perlu disetujui lagi."
                )
                % {"channel": channel}
            )
        if channel.platform in requests:
            continue  # its platform's request is made and checked once
        request = requests[channel.platform] = make(channel)
        if channel.platform in ASSISTED_PLATFORMS:
            continue  # a person posts it from the copy-ready panel on the post's page
        if channel.platform == Platform.PORTAL:
            try:
                connector_for_delivery(channel=channel, token="").validate(request)
            except BadRequest as exc:
                raise PublishingError(exc.message_in(_lang())) from None
            continue
        if channel.platform not in API_PLATFORMS:
            raise PublishingError(
                _("%(channel)s tidak memiliki API penerbitan; terbitkan secara manual.")
                % {"channel": channel}
            )
        problem = request_problem(platform=channel.platform, request=request)
        if problem:
            raise PublishingError(problem)
    return requests


@dataclass(frozen=True)
class NewPublication:
    """A publication ``publications_write`` makes: ``post`` (locked or made in this transaction)
    to ``channels``, with the requests ``publication_requests`` checked, due at ``due``."""

    actor: User
    post: Post
    channels: Sequence[Channel]
    requests: dict[str, PublishRequest]
    due: datetime
    override: str = ""


def publications_write(
    entries: Sequence[NewPublication], *, now: datetime
) -> list[tuple[Publication, dict[str, object]]]:
    """The publications and one delivery per channel of each, in one statement each: queued for
    their time (sent after the commit when due now); assisted channels wait for a person. Returns
    each with the changes its ``publication.create`` event records (the caller records them).
    Call inside a transaction."""
    publications = Publication.objects.bulk_create(
        Publication(post=e.post, created_by=e.actor, blackout_override=e.override) for e in entries
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            publication=publication, channel=c, next_attempt_at=e.due, marker=e.requests[c.platform].marker
        )
        for e, publication in zip(entries, publications, strict=True)
        for c in e.channels
    )
    # Assisted channels wait for a person; the engine and the sweeper never touch them.
    manual = {d.pk for d in deliveries if d.channel.platform in ASSISTED_PLATFORMS}
    if manual:
        Delivery.objects.filter(pk__in=manual).update(state=State.MANUAL, next_attempt_at=None)
    due_now: list[int] = []
    for delivery in deliveries:
        if delivery.pk in manual:
            continue
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            _schedule_send(delivery.pk, delivery.next_attempt_at)
        else:
            due_now.append(delivery.pk)
    if due_now:
        transaction.on_commit(lambda: _enqueue_many(due_now))
    result: list[tuple[Publication, dict[str, object]]] = []
    for e, publication in zip(entries, publications, strict=True):
        changes: dict[str, object] = {"channels": [c.pk for c in e.channels], "due": e.due.isoformat()}
        if e.override:
            changes["blackout_override"] = e.override
        result.append((publication, changes))
    return result


def _lang() -> str:
    from django.utils import translation

    return translation.get_language() or settings.LANGUAGE_CODE


# --------------------------------------------------------------------------------------------
# Sending


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base·2^(attempt-1), capped, then a random 50–100 %."""
    base = settings.HUMAS_DELIVERY_BACKOFF_SECONDS
    cap = settings.HUMAS_DELIVERY_BACKOFF_MAX_SECONDS
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return timedelta(seconds=ceiling * (0.5 + 0.5 * (rng or random).random()))


@dataclass
class _Attempt:
    """One claimed attempt and what it sends. The credential and the request are made inside the
    claim's transaction, so a worker that dies once "sending" is committed has nearly always died
    in the platform call itself, the one moment its outcome is truly unknown (bench/delivery: after
    a SIGKILL, Telegram deliveries went to a person although nothing had left)."""

    delivery: Delivery
    token: str = ""
    request: PublishRequest | None = None
    problem: tuple[str, str] | None = None  # (state, reason): this attempt cannot be sent


def _prepare(delivery: Delivery) -> _Attempt:
    attempt = _Attempt(delivery)
    try:
        attempt.token = _channel_token(delivery.channel, preloaded=True)
    except ChannelError as exc:
        attempt.problem = (State.NEEDS_ATTENTION, str(exc))
        return attempt
    try:
        attempt.request = request_for(post=delivery.publication.post, channel=delivery.channel)
    except PublishingError as exc:
        # An image the platform refuses (checked when the publication was made; a setting may
        # have changed since): a person must act, retrying unchanged cannot help.
        attempt.problem = (State.FAILED, str(exc))
    return attempt


def _claim(delivery_id: int, now: datetime) -> _Attempt | None:
    """Take the delivery for one attempt, committed before any call to the platform."""
    with transaction.atomic():
        # Lock the delivery row only: FOR UPDATE on the join would also lock the publication and
        # the post, serialising every claim of a publication to many channels on those two rows.
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("publication__post__office", "channel__credential")
            .annotate(
                # Asked here rather than in queries of their own: a national cascade claims
                # 1,656 deliveries within seconds (bench/cascade).
                blocked=blocking_exists(
                    office="publication__post__office",
                    clarification="publication__post__is_clarification",
                    at=now,
                ),
                has_variants=Exists(PostVariant.objects.filter(post_id=OuterRef("publication__post_id"))),
                has_images=Exists(PostImage.objects.filter(post_id=OuterRef("publication__post_id"))),
            )
            .filter(pk=delivery_id)
            .order_by()  # the default ordering joins the channel again for one row
            .first()
        )
        if delivery is None or delivery.state not in DUE_STATES:
            return None
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None
        if delivery.publication.withdrawn_at is not None:
            delivery.state = State.CANCELLED
            delivery.save(update_fields=["state", "updated_at"])
            return None
        if delivery.blocked and _hold(delivery, now):
            return None
        delivery.state = State.SENDING
        delivery.attempt_count += 1
        delivery.attempt_started_at = now
        # The variants (for the marker now) and the images (for the send), read again by
        # request_for() from this prefetch: a query each only for a post that has any.
        prefetch_related_objects(
            [delivery.publication.post],
            *(
                name if present else Prefetch(name, queryset=model.objects.none())
                for name, model, present in (
                    ("variants", PostVariant, delivery.has_variants),
                    ("images", PostImage, delivery.has_images),
                )
            ),
        )
        delivery.marker = request_for(
            post=delivery.publication.post, channel=delivery.channel, images=False
        ).marker
        attempt = _prepare(delivery)
        delivery.next_attempt_at = None
        delivery.save(
            update_fields=[
                "state",
                "attempt_count",
                "attempt_started_at",
                "marker",
                "next_attempt_at",
                "updated_at",
            ]
        )
    return attempt


def _hold(delivery: Delivery, now: datetime) -> bool:
    """Hold a due delivery that a blackout window covers now (on the locked row): kept, not sent,
    until a person sends or reschedules it; its office is told after the commit. The claim asks
    first whether any window covers it (``blocking_exists``), and only then is this read."""
    publication = delivery.publication
    if publication.blackout_override:
        return False
    post = publication.post
    window = blocking_window(office=post.office, at=now, clarification=post.is_clarification)
    if window is None:
        return False
    delivery.state, delivery.held_by, delivery.next_attempt_at = State.HELD, window, None
    delivery.save(update_fields=["state", "held_by", "next_attempt_at", "updated_at"])
    from .alerts import held_notify

    transaction.on_commit(
        lambda: held_notify(office_id=post.office_id, window_id=window.pk, post_ids=[post.pk])
    )
    return True


def _finish(delivery: Delivery, **fields: object) -> bool:
    """Record the outcome of *this* attempt only: a reconciler or another attempt that moved the
    delivery on meanwhile wins, and this outcome is dropped."""
    return _record(delivery, fields, standing=False)


def _record(delivery: Delivery, fields: dict[str, object], *, standing: bool) -> bool:
    """``_finish``; ``standing``: only while the delivery's publication has not been withdrawn."""
    fields["updated_at"] = timezone.now()
    rows = Delivery.objects.filter(
        pk=delivery.pk, state=State.SENDING, attempt_started_at=delivery.attempt_started_at
    )
    if standing:
        rows = rows.filter(publication__withdrawn_at__isnull=True)
    updated = rows.update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    if updated == 1 and fields.get("state") in (State.FAILED, State.NEEDS_ATTENTION):
        _notify_people(delivery.publication_id)
    return updated == 1


def _notify_people(publication_id: int) -> None:
    """A person must act: the notifications app tells them, batched per publication, after commit
    (never a mail sent from inside the engine)."""
    from .alerts import publication_problems_enqueue

    transaction.on_commit(lambda: publication_problems_enqueue(publication_id=publication_id))


def _sent(delivery: Delivery, published: PublishedPost, *, standing: bool = False) -> bool:
    return _record(
        delivery,
        {
            "state": State.SENT,
            "platform_post_id": published.post_id,
            "url": published.url,
            "sent_at": timezone.now(),
            "error_class": "",
            "error_message": "",
            "rate_limited_until": None,
        },
        standing=standing,
    )


def _error_fields(exc: ConnectorError | None, message: str) -> dict[str, object]:
    return {
        "error_class": type(exc).__name__ if exc is not None else "",
        "error_message": message[:1000],
    }


def _retry(delivery: Delivery, exc: RetryLater) -> bool:
    # A rate-limit wait is a firm appointment, not a failure: it never uses up the attempts.
    if not isinstance(exc, RateLimited) and delivery.attempt_count >= settings.HUMAS_DELIVERY_MAX_ATTEMPTS:
        return _finish(
            delivery,
            state=State.NEEDS_ATTENTION,
            **_error_fields(
                exc,
                _("Gagal setelah %(n)s percobaan: %(reason)s")
                % {"n": delivery.attempt_count, "reason": exc.message},
            ),
        )
    now = timezone.now()
    if isinstance(exc, RateLimited):
        # The platform named the instant the limit frees up: go then, not after a failure's
        # backoff (a 1 s Telegram wait must not become 15-30 s).
        at = max(exc.until, now)
    else:
        at = now + backoff_delay(delivery.attempt_count)
        if exc.retry_after is not None and exc.retry_after > at:
            at = exc.retry_after
    finished = _finish(
        delivery,
        state=State.WAITING,
        next_attempt_at=at,
        rate_limited_until=exc.until if isinstance(exc, RateLimited) else None,
        **_error_fields(exc, exc.message),
    )
    if finished:
        _schedule_send(delivery.pk, at)
    return finished


def _cannot_know(delivery: Delivery, error: ConnectorError) -> str:
    _finish(
        delivery,
        state=State.NEEDS_ATTENTION,
        **_error_fields(
            error,
            _(
                "Humas tidak dapat memastikan apakah unggahan sudah terbit di %(platform)s. "
                "Periksa kanal itu, lalu kirim ulang hanya jika belum ada."
            )
            % {"platform": delivery.channel.get_platform_display()},
        ),
    )
    return delivery.state


def _reconcile_with_platform(delivery: Delivery, connector: Connector, reason: ConnectorError | None) -> str:
    """Ask the platform whether this attempt's post exists. Found: sent. Not found: retry.
    The platform cannot tell: a person decides — never a blind resend."""
    assert delivery.attempt_started_at is not None
    try:
        found = connector.find_published(
            request_for(post=delivery.publication.post, channel=delivery.channel, images=False),
            since=delivery.attempt_started_at - RECONCILE_SKEW,
        )
    except RetryLater as exc:
        patience = timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS * RECONCILE_ROUNDS)
        if timezone.now() - delivery.attempt_started_at < patience:
            # The platform cannot answer now: the delivery stays "sending" and the sweeper asks
            # again once it is stale. Only after several rounds does a person decide.
            return delivery.state
        return _cannot_know(delivery, reason or exc)
    except (Unsupported, ConnectorError) as exc:
        return _cannot_know(delivery, exc if isinstance(exc, Unsupported) else reason or exc)
    if found is not None:
        _sent(delivery, found)
        return delivery.state
    if isinstance(reason, DuplicatePost):
        _finish(delivery, state=State.FAILED, **_error_fields(reason, reason.message))
        return delivery.state
    _retry(delivery, reason if isinstance(reason, RetryLater) else RetryLater(delivery.channel.platform))
    return delivery.state


def _channel_reconnect(channel: Channel, exc: CredentialsInvalid, health: str) -> None:
    # The channels app has verified again (``health``) and, on an invalid credential, flagged the
    # channel and told its Administrators once; if it could not confirm, the delivery's answer
    # still counts.
    if health == Channel.Health.RECONNECT:
        return
    with transaction.atomic():
        locked = Channel.objects.select_for_update().get(pk=channel.pk)
        if locked.health == Channel.Health.RECONNECT:
            return
        before = locked.health
        locked.health, locked.health_message = (
            Channel.Health.RECONNECT,
            exc.message_in(settings.LANGUAGE_CODE),
        )
        locked.save(update_fields=["health", "health_message", "updated_at"])
        audit_record(
            actor=None,
            office=locked.office,
            action="channel.health",
            obj=locked,
            changes={"health": {"before": before, "after": locked.health}, "reason": "delivery"},
        )


def delivery_send(*, delivery_id: int) -> str:
    """Make one attempt at a due delivery and classify the outcome. Idempotent: a delivery that
    is not due, already taken by another worker or finished is left alone. Returns the state."""
    attempt = _claim(delivery_id, timezone.now())
    if attempt is None:
        return Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or ""
    delivery = attempt.delivery
    channel = delivery.channel
    if attempt.problem is not None:
        state, reason = attempt.problem
        _finish(delivery, state=state, **_error_fields(None, reason))
        return delivery.state
    request = attempt.request
    assert request is not None
    connector = connector_for_delivery(channel=channel, token=attempt.token, delivery_id=delivery.pk)
    try:
        try:
            published = connector.publish(request)
        except DuplicatePost as exc:
            return _reconcile_with_platform(delivery, connector, exc)
        except RetryLater as exc:
            if exc.ambiguous:
                return _reconcile_with_platform(delivery, connector, exc)
            _retry(delivery, exc)
        except CredentialsInvalid as exc:
            health = channel_check_health(channel_id=channel.pk)
            if health in (Channel.Health.HEALTHY, Channel.Health.EXPIRING):
                # The credential works again (e.g. an X token refreshed after the 401): one more
                # try soon. It counts as an attempt, so a platform that keeps refusing ends with
                # a person rather than in a loop.
                _retry(delivery, RetryLater(channel.platform))
            else:
                _finish(delivery, state=State.NEEDS_ATTENTION, **_error_fields(exc, exc.message))
                _channel_reconnect(channel, exc, health)
        except ConnectorError as exc:  # PermissionMissing, BadRequest: the platform's reason
            _finish(delivery, state=State.FAILED, **_error_fields(exc, exc.message))
        else:
            # Recorded in one statement while the publication stands. Withdrawn while this
            # attempt was in flight: recorded all the same, then taken down again at once.
            if not _sent(delivery, published, standing=True) and _sent(delivery, published):
                _delete_on_platform(delivery, connector)
    finally:
        connector.close()
    return delivery.state


def delivery_reconcile(*, delivery_id: int) -> str:
    """Settle a delivery left in "sending" longer than HUMAS_DELIVERY_STALE_SECONDS (its worker
    died). Idempotent: a delivery that is not stale is left alone."""
    stale_before = timezone.now() - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS)
    delivery = (
        Delivery.objects.select_related("publication__post", "channel")
        .filter(pk=delivery_id, state=State.SENDING, attempt_started_at__lte=stale_before)
        .first()
    )
    if delivery is None:
        return Delivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or ""
    try:
        token = _channel_token(delivery.channel)
    except ChannelError as exc:
        _finish(delivery, state=State.NEEDS_ATTENTION, **_error_fields(None, str(exc)))
        return delivery.state
    connector = connector_for_delivery(channel=delivery.channel, token=token, delivery_id=delivery.pk)
    try:
        return _reconcile_with_platform(
            delivery, connector, RetryLater(delivery.channel.platform, ambiguous=True)
        )
    finally:
        connector.close()


def deliveries_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Enqueue every overdue queued/waiting delivery and every stale "sending" one. Safe to run
    anywhere, any number of times: the tasks claim under a lock.

    The queue already holds a task for each delivery at its time; the sweeper is the backstop for
    tasks the queue lost, so it only takes deliveries overdue by HUMAS_DELIVERY_SWEEP_GRACE_SECONDS
    (a backlog being worked through is not enqueued a second time every minute)."""
    now = now or timezone.now()
    overdue = now - timedelta(seconds=settings.HUMAS_DELIVERY_SWEEP_GRACE_SECONDS)
    due = list(
        Delivery.objects.filter(state__in=DUE_STATES)
        .filter(Q(next_attempt_at__lte=overdue) | Q(next_attempt_at__isnull=True))
        .values_list("pk", flat=True)
    )
    stale = list(
        Delivery.objects.filter(
            state=State.SENDING,
            attempt_started_at__lte=now - timedelta(seconds=settings.HUMAS_DELIVERY_STALE_SECONDS),
        ).values_list("pk", flat=True)
    )
    for pk in due:
        deliver_task(pk)
    for pk in stale:
        reconcile_task(pk)
    return {"due": len(due), "stale": len(stale)}


# --------------------------------------------------------------------------------------------
# People acting on deliveries


def delivery_retry(*, actor: User, delivery: Delivery) -> Delivery:
    """Send one delivery again now (a person decided, e.g. after checking the channel)."""
    office = delivery.publication.post.office
    policy.require(actor, "content.publish", office)
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state not in (State.FAILED, State.NEEDS_ATTENTION, State.WAITING, State.HELD):
            raise PublishingError(_("Pengiriman ini tidak dapat diulang sekarang."))
        publication = delivery.publication
        if not publication.blackout_override:
            refuse_blackout(office=office, at=timezone.now(), clarification=publication.post.is_clarification)
        before = locked.state
        locked.state, locked.next_attempt_at = State.QUEUED, timezone.now()
        locked.attempt_count = 0
        locked.save(update_fields=["state", "next_attempt_at", "attempt_count", "updated_at"])
        audit_record(
            actor=actor, office=office, action="delivery.retry", obj=locked, changes={"state": before}
        )
        transaction.on_commit(lambda: _enqueue_send(locked.pk))
    return locked


@dataclass(frozen=True)
class WithdrawResult:
    channel: Channel
    ok: bool
    message: str


def _delete_on_platform(delivery: Delivery, connector: Connector) -> WithdrawResult:
    channel, name = delivery.channel, delivery.channel.get_platform_display()
    try:
        if Capability.DELETE not in connector.capabilities:
            raise Unsupported(channel.platform, operation="delete")
        connector.delete(delivery.platform_post_id)
    except Unsupported:
        return WithdrawResult(
            channel,
            False,
            _("%(platform)s tidak mengizinkan penghapusan lewat API; hapus manual: %(url)s")
            % {"platform": name, "url": delivery.url},
        )
    except ConnectorError as exc:
        return WithdrawResult(channel, False, exc.message_in(_lang()))
    Delivery.objects.filter(pk=delivery.pk).update(state=State.WITHDRAWN, updated_at=timezone.now())
    delivery.state = State.WITHDRAWN
    return WithdrawResult(channel, True, _("Dihapus dari %(platform)s.") % {"platform": name})


def _post_status_after_withdrawal(publication: Publication) -> str:
    """The post says "Ditarik" once no other publication of it stays live (not withdrawn, with
    a delivery sent or still on its way). Publishing it again then needs a new approval."""
    live = (
        Publication.objects.filter(post_id=publication.post_id, withdrawn_at__isnull=True)
        .exclude(pk=publication.pk)
        .filter(deliveries__state__in=(State.SENT, State.QUEUED, State.SENDING, State.WAITING, State.MANUAL))
        .exists()
    )
    post = Post.objects.select_for_update().get(pk=publication.post_id)
    if not live and post.status == Post.Status.PUBLISHED:
        post.status = Post.Status.WITHDRAWN
        post.save(update_fields=["status", "updated_at"])
    publication.post.status = post.status
    return post.status


def publication_withdraw(*, actor: User, publication: Publication, reason: str) -> list[WithdrawResult]:
    """Emergency withdrawal: cancel what has not gone out, delete what has on every channel that
    allows deletion, and say per channel what happened. ``reason`` (required, at most
    WITHDRAWAL_REASON_MAX characters) is kept with the publication and in the audit log; the
    first withdrawal's who, when and why stay when it is withdrawn again."""
    office = publication.post.office
    policy.require(actor, "content.approve", office)
    reason = clean_reason(reason, limit=WITHDRAWAL_REASON_MAX, missing=_("Tuliskan alasan penarikan."))
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=actor, withdrawal_reason=reason
        )
        cancelled = Delivery.objects.filter(
            publication=publication, state__in=(*DUE_STATES, State.MANUAL, State.HELD)
        ).update(state=State.CANCELLED, updated_at=timezone.now())
        post_status = _post_status_after_withdrawal(publication)
        audit_record(
            actor=actor,
            office=office,
            action="publication.withdraw",
            obj=publication,
            changes={"cancelled": cancelled, "post_status": post_status, "reason": reason},
        )
    results: list[WithdrawResult] = []
    for delivery in Delivery.objects.filter(publication=publication).select_related("channel"):
        channel = delivery.channel
        if delivery.state == State.CANCELLED:
            results.append(WithdrawResult(channel, True, _("Belum terkirim; dibatalkan.")))
            continue
        if delivery.state == State.SENDING:
            results.append(
                WithdrawResult(channel, False, _("Sedang dikirim; tarik lagi setelah statusnya jelas."))
            )
            continue
        if delivery.state != State.SENT:
            results.append(WithdrawResult(channel, True, _("Tidak terbit; tidak ada yang perlu ditarik.")))
            continue
        if needs_hand_deletion(delivery):
            results.append(WithdrawResult(channel, False, assisted_delete_message(delivery)))
            continue
        try:
            connector = connector_for_delivery(
                channel=channel, token=_channel_token(channel), delivery_id=delivery.pk, actor=actor
            )
        except ChannelError as exc:
            results.append(WithdrawResult(channel, False, str(exc)))
            continue
        try:
            results.append(_delete_on_platform(delivery, connector))
        finally:
            connector.close()
    with transaction.atomic():
        audit_record(
            actor=actor,
            office=office,
            action="publication.withdraw_report",
            obj=publication,
            changes={str(r.channel.pk): {"ok": r.ok, "message": r.message} for r in results},
        )
    return results


# The platforms whose connector deletes a post (the portal's adapter does too), read from the
# connector classes so that no credential is needed to say it.
_CONNECTORS: dict[str, type[Connector]] = {
    Platform.FACEBOOK: FacebookConnector,
    Platform.INSTAGRAM: InstagramConnector,
    Platform.X: XConnector,
    Platform.TELEGRAM: TelegramConnector,
}


def platform_deletes_posts(platform: str) -> bool:
    """Whether Humas can delete a post it published on ``platform`` (its API allows it)."""
    if platform == Platform.PORTAL:
        return True
    capabilities = getattr(_CONNECTORS.get(platform), "capabilities", None)
    return isinstance(capabilities, frozenset) and Capability.DELETE in capabilities


@dataclass(frozen=True)
class WithdrawStep:
    """What withdrawing will do on one channel, said before the person confirms. ``by_hand``:
    a person has to delete it there."""

    channel: Channel
    message: str
    by_hand: bool = False


def publication_withdraw_plan(*, publication: Publication) -> list[WithdrawStep]:
    """Per channel, what ``publication_withdraw`` will do, branch by branch as it does it."""
    steps = []
    for delivery in publication.deliveries.select_related("channel").order_by("channel__platform", "pk"):
        channel, name = delivery.channel, delivery.channel.get_platform_display()
        deletes = platform_deletes_posts(channel.platform)
        if delivery.state in (*DUE_STATES, State.HELD):
            steps.append(WithdrawStep(channel, _("Belum terkirim: dibatalkan.")))
        elif delivery.state == State.MANUAL:
            steps.append(WithdrawStep(channel, _("Belum diunggah: dibatalkan.")))
        elif delivery.state == State.SENDING and deletes:
            steps.append(WithdrawStep(channel, _("Sedang dikirim: dihapus oleh Humas begitu terkirim.")))
        elif delivery.state == State.SENDING:
            steps.append(
                WithdrawStep(
                    channel,
                    _(
                        "Sedang dikirim; %(platform)s tidak mengizinkan penghapusan oleh Humas: hapus sendiri setelah terbit."
                    )
                    % {"platform": name},
                    by_hand=True,
                )
            )
        elif delivery.state == State.SENT and needs_hand_deletion(delivery):
            steps.append(WithdrawStep(channel, assisted_delete_message(delivery), by_hand=True))
        elif delivery.state == State.SENT and not deletes:
            steps.append(
                WithdrawStep(
                    channel,
                    _("%(platform)s tidak mengizinkan penghapusan oleh Humas: hapus sendiri di %(url)s")
                    % {"platform": name, "url": delivery.url},
                    by_hand=True,
                )
            )
        elif delivery.state == State.SENT:
            steps.append(
                WithdrawStep(channel, _("Dihapus dari %(platform)s oleh Humas.") % {"platform": name})
            )
        elif delivery.state == State.NEEDS_ATTENTION:
            steps.append(
                WithdrawStep(
                    channel,
                    _("Belum pasti terbit: periksa %(platform)s dan hapus sendiri bila unggahannya ada.")
                    % {"platform": name},
                    by_hand=True,
                )
            )
        else:
            steps.append(WithdrawStep(channel, _("Tidak terbit: tidak ada yang perlu ditarik.")))
    return steps


# --------------------------------------------------------------------------------------------
# What a person reads


# Enqueued by the code above; declared here, beside it, so that this module never imports tasks.py
# (tasks.py imports it): the import graph stays one-way. A task takes ids, loads fresh state and
# calls the service, so it is idempotent.
@db_task(retries=0, priority=PRIORITY_DELIVERY)  # retries are decided by the engine, not the queue
def deliver_task(delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)


@db_task(retries=0, priority=PRIORITY_DELIVERY)
def reconcile_task(delivery_id: int) -> None:
    delivery_reconcile(delivery_id=delivery_id)


# --------------------------------------------------------------------------------------------
# Time: the calendar's reschedule, and blackout windows (humas/blackouts)

PENDING_STATES = (*DUE_STATES, State.HELD)


def post_reschedule(*, actor: User, post: Post, scheduled_at: datetime) -> Post:
    """Move a post to another time (the calendar's drag). Only the time changes, so a post in
    review or approved keeps that status and its approval; a published post's deliveries that
    have not gone out (queued, waiting or held by a blackout window) move with it. A time in the
    past or inside a blackout window is refused with the reason.

    Drafts and posts in review: content.draft; approved or published posts: content.publish."""
    if timezone.is_naive(scheduled_at):
        raise ValueError("scheduled_at must be timezone-aware")
    now = timezone.now()
    if scheduled_at <= now:
        raise PublishingError(_("Waktu itu sudah lewat. Pilih waktu yang akan datang."))
    with transaction.atomic():
        locked = Post.objects.select_for_update().select_related("office").get(pk=post.pk)
        drafting = locked.status in (Post.Status.DRAFT, Post.Status.IN_REVIEW, Post.Status.WITHDRAWN)
        policy.require(actor, "content.draft" if drafting else "content.publish", locked.office)
        pending = list(
            Delivery.objects.select_for_update(of=("self",))
            .filter(
                publication__post=locked,
                publication__withdrawn_at__isnull=True,
                publication__blackout_override="",
                state__in=PENDING_STATES,
            )
            .exclude(channel__platform__in=ASSISTED_PLATFORMS)
            .values_list("pk", flat=True)
        )
        if locked.status == Post.Status.PUBLISHED and not pending:
            raise PublishingError(_("Unggahan ini sudah terbit; jadwalnya tidak dapat diubah lagi."))
        refuse_blackout(office=locked.office, at=scheduled_at, clarification=locked.is_clarification)
        before = locked.scheduled_at
        locked.scheduled_at = scheduled_at
        locked.save(update_fields=["scheduled_at", "updated_at"])
        Delivery.objects.filter(pk__in=pending).update(
            state=State.QUEUED, next_attempt_at=scheduled_at, updated_at=now
        )
        for pk in pending:
            _schedule_send(pk, scheduled_at)
        audit_record(
            actor=actor,
            office=locked.office,
            action="post.reschedule",
            obj=locked,
            changes={
                "scheduled_at": {
                    "before": before.isoformat() if before else None,
                    "after": scheduled_at.isoformat(),
                },
                "deliveries": len(pending),
            },
        )
    return locked


def deliveries_hold_for_window(*, blackout_id: int) -> int:
    """A window was declared, changed or cancelled (blackouts.signals.window_changed): hold every
    delivery of the offices it covers that is due inside it (not exempt, not overridden), and tell
    each office. A cancelled window tells the offices whose deliveries it held that they may send
    them. Idempotent. Returns the deliveries held now."""
    from .alerts import held_notify

    window = Blackout.objects.select_related("office").filter(pk=blackout_id).first()
    if window is None:
        return 0
    if window.cancelled_at is not None:
        held = (
            Delivery.objects.filter(held_by=window, state=State.HELD)
            .values_list("publication__post__office_id", "publication__post_id")
            .distinct()
        )
        for office_id, post_ids in _by_office(held).items():
            held_notify(office_id=office_id, window_id=window.pk, post_ids=post_ids, released=True)
        return 0
    scope = Q(publication__post__office_id=window.office_id)
    if window.includes_below:
        scope |= subtree(window.office.path, field="publication__post__office__path")
    due = Delivery.objects.filter(
        scope,
        state__in=DUE_STATES,
        next_attempt_at__gte=window.starts_at,
        next_attempt_at__lt=window.ends_at,
        publication__withdrawn_at__isnull=True,
        publication__blackout_override="",
    )
    if window.clarifications_exempt:
        due = due.exclude(publication__post__is_clarification=True)
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(of=("self",))
            .filter(pk__in=due.values("pk"))
            .values_list("pk", "publication__post__office_id", "publication__post_id")
        )
        Delivery.objects.filter(pk__in=[pk for pk, _office, _post in rows], state__in=DUE_STATES).update(
            state=State.HELD, held_by=window, next_attempt_at=None, updated_at=timezone.now()
        )
    for office_id, post_ids in _by_office([(office, post) for _pk, office, post in rows]).items():
        held_notify(office_id=office_id, window_id=window.pk, post_ids=post_ids)
    return len(rows)


def _by_office(pairs: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, set[int]] = {}
    for office_id, post_id in pairs:
        grouped.setdefault(office_id, set()).add(post_id)
    return {office_id: sorted(ids) for office_id, ids in grouped.items()}


@db_task(retries=2, retry_delay=30)
def deliveries_hold_task(blackout_id: int) -> None:
    deliveries_hold_for_window(blackout_id=blackout_id)
