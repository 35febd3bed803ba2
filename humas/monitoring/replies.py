"""Sending the replies Humas prepared (humas/monitoring/clarify.py ``replies_prepare``: a comment on
an office's own channel answered with the clarification's link), only once a person confirms.

A reply goes PREPARED → (a person confirms: :func:`replies_confirm`) SENDING → SENT, or FAILED
with the reason; a prepared or failed reply can be DISCARDED (:func:`reply_discard`), a failed one
confirmed again. :func:`reply_send_task` sends one reply and is idempotent: a reply that is not
SENDING, or that already has the platform's id, is never sent again.

A worker killed while sending leaves the reply SENDING with ``sent_at`` set. While a reply is
SENDING, ``sent_at`` is when the current attempt began (it becomes the time it was sent once SENT):
a task finding it set and recent leaves the reply alone (another worker is on it); set and older
than HUMAS_REPLY_STALE_SECONDS, the attempt may have reached the platform before the worker died,
so the platform is asked first (``find_reply``: the channel's own reply to that comment with the
same text since the attempt began). Found: it is SENT with that id; not found: it is sent. A
platform that cannot be asked (Telegram keeps no history a bot can read) makes the reply FAILED
with a reason asking a person to look before sending it again: an answer posted twice on a public
comment is worse than one a person re-sends. The same holds when a send times out or the platform
answers garbage after the request went out (``RetryLater(ambiguous=True)``). Other failures
(token refused, rate limit, the comment deleted) are FAILED with the platform's reason, and a
person may confirm again. :func:`replies_sweep_stale` (run periodically) queues again the replies
whose task was lost or whose worker died.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.audit.services import audit_record
from humas.channels.connectors import ConnectorError, RetryLater
from humas.channels.connectors.base import Listener
from humas.channels.models import Channel
from humas.channels.services import ChannelError
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.tree import subtree

from .connectors import channel_connector
from .models import Reply
from .services import MonitoringError

if TYPE_CHECKING:
    from humas.accounts.models import User

Status = Reply.Status
# Clocks differ between us and the platform: a reply made just before the attempt's start counts.
RECONCILE_SKEW = timedelta(minutes=2)
# At most this many replies confirmed at once ("Kirim semua yang disiapkan").
CONFIRM_MAX = 1000
ERROR_MAX = 1000


class ReplyError(MonitoringError):
    """A reply that cannot be changed that way (already sent, or not this office's)."""


def _stale() -> timedelta:
    return timedelta(seconds=max(30, int(settings.HUMAS_REPLY_STALE_SECONDS)))


# --------------------------------------------------------------------------------------------
# Reads


def reply_list_for_office(*, actor: User, office: Office) -> QuerySet[Reply]:
    """The replies of the office and the offices below it (discarded ones left out), newest
    first, with what the page shows of each."""
    policy.require(actor, "monitoring.view", office)
    return (
        Reply.objects.filter(subtree(office.path, field="office__path"))
        .exclude(status=Status.DISCARDED)
        .select_related("item", "channel", "office", "claim", "confirmed_by")
        .order_by("-prepared_at", "-pk")
    )


def reply_get_for_office(*, actor: User, office: Office, reply_id: int) -> Reply:
    """The reply ``reply_id`` of the office or an office below it; ReplyError when there is none."""
    reply = reply_list_for_office(actor=actor, office=office).filter(pk=reply_id).first()
    if reply is None:
        raise ReplyError(_("Balasan ini tidak ada di kantor ini."))
    return reply


# --------------------------------------------------------------------------------------------
# Writes


def replies_confirm(*, actor: User, office: Office, reply_ids: Iterable[int]) -> int:
    """Send the prepared (or failed) replies ``reply_ids`` of ``office`` and the offices below it:
    each is marked SENDING, confirmed by ``actor``, and its sending queued once this commits.
    Needs ``monitoring.triage`` in each reply's office (one refusal refuses all). Replies already
    sent, being sent or discarded are left as they are. Answers how many were confirmed."""
    policy.require(actor, "monitoring.triage", office)
    ids = sorted({int(i) for i in reply_ids})[:CONFIRM_MAX]
    if not ids:
        return 0
    with transaction.atomic():
        replies = list(
            Reply.objects.select_for_update(of=("self",))
            .filter(
                subtree(office.path, field="office__path"),
                pk__in=ids,
                status__in=(Status.PREPARED, Status.FAILED),
            )
            .select_related("office")
            .order_by("pk")
        )
        for reply in replies:
            policy.require(actor, "monitoring.triage", reply.office)
        confirmed = [reply.pk for reply in replies]
        Reply.objects.filter(pk__in=confirmed).update(
            status=Status.SENDING, confirmed_by=actor, error="", sent_at=None
        )
        for reply in replies:
            audit_record(
                actor=actor,
                office=reply.office,
                action="monitoring.reply_confirm",
                obj=reply,
                changes={"channel": reply.channel_id},
            )
        transaction.on_commit(lambda: _enqueue(confirmed))
    return len(confirmed)


def _enqueue(reply_ids: list[int]) -> None:
    for reply_id in reply_ids:
        reply_send_task(reply_id)


def reply_discard(*, actor: User, reply: Reply) -> Reply:
    """Drop a prepared (or failed) reply: it will not be sent. Needs ``monitoring.triage`` in its
    office; a reply sent or being sent cannot be discarded."""
    policy.require(actor, "monitoring.triage", reply.office)
    with transaction.atomic():
        locked = Reply.objects.select_for_update().get(pk=reply.pk)
        if locked.status not in (Status.PREPARED, Status.FAILED):
            raise ReplyError(_("Balasan ini sudah terkirim atau sedang dikirim; tidak dapat dibatalkan."))
        locked.status = Status.DISCARDED
        locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            office=reply.office,
            action="monitoring.reply_discard",
            obj=locked,
            changes={"channel": locked.channel_id},
        )
    reply.status = locked.status
    return reply


# --------------------------------------------------------------------------------------------
# Sending


def _claim(reply_id: int) -> tuple[Reply, datetime | None] | None:
    """Take the reply for one attempt: (reply, when an earlier attempt began, if one did), or None
    when it is not to be sent now (not SENDING, already sent, or another attempt is running)."""
    now = timezone.now()
    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related("item", "channel", "office")
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.status != Status.SENDING:
            return None
        if reply.external_id:
            # Sent, and the status not yet written: write it, send nothing.
            _finish(reply, status=Status.SENT, external_id=reply.external_id)
            return None
        previous = reply.sent_at
        if previous is not None and now - previous < _stale():
            return None
        reply.sent_at = now
        reply.save(update_fields=["sent_at"])
    return reply, previous


def _finish(reply: Reply, *, status: str, external_id: str = "", error: str = "") -> None:
    """Record the outcome of an attempt (in the caller's transaction, or its own), audited."""
    with transaction.atomic():
        updated = Reply.objects.filter(pk=reply.pk, status=Status.SENDING).update(
            status=status,
            external_id=external_id[:200],
            error=error[:ERROR_MAX],
            sent_at=timezone.now() if status == Status.SENT else None,
        )
        if not updated:
            return
        changes: dict[str, object] = {"channel": reply.channel_id}
        if error:
            changes["error"] = error[:ERROR_MAX]
        audit_record(
            actor=None,
            office=reply.office,
            action="monitoring.reply_sent" if status == Status.SENT else "monitoring.reply_failed",
            obj=reply,
            changes=changes,
        )


def _listener(channel: Channel) -> Listener:
    connector = channel_connector(channel)
    if not isinstance(connector, Listener):  # pragma: no cover - every HTTP connector answers
        raise ChannelError(_("Kanal ini tidak dapat membalas komentar."))
    return connector


def _message(error: ConnectorError) -> str:
    return error.message_in(settings.LANGUAGE_CODE)


def _unsure() -> str:
    return _(
        "Humas tidak dapat memastikan apakah balasan ini sudah terkirim. Periksa komentar itu di "
        "platform sebelum mengirimnya lagi."
    )


def _reconcile(listener: Listener, reply: Reply, since: datetime) -> str | None:
    """The platform's id of the channel's reply to the comment with this text since ``since``;
    None when there is none. Raises Unsupported or ConnectorError when nobody can tell."""
    found = listener.find_reply(reply.item.external_id, reply.text, since=since - RECONCILE_SKEW)
    return found.comment_id if found is not None else None


def reply_send(*, reply_id: int) -> str:
    """Send the confirmed reply ``reply_id`` through its channel (see the module's docstring for
    what a crash or an unclear answer does). Answers ``sent``, ``failed`` or ``skipped``."""
    claimed = _claim(reply_id)
    if claimed is None:
        return "skipped"
    reply, previous = claimed
    attempt = reply.sent_at or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        channel = reply.channel
        if not channel.is_active:
            _finish(
                reply,
                status=Status.FAILED,
                error=_("Kanal %(channel)s sudah dinonaktifkan.") % {"channel": channel},
            )
            return "failed"
        try:
            listener = _listener(channel)
        except ChannelError as exc:
            _finish(reply, status=Status.FAILED, error=str(exc))
            return "failed"
        try:
            if previous is not None:
                try:
                    made = _reconcile(listener, reply, previous)
                except ConnectorError:
                    _finish(reply, status=Status.FAILED, error=_unsure())
                    return "failed"
                if made is not None:
                    _finish(reply, status=Status.SENT, external_id=made)
                    return "sent"
            sent = listener.reply(reply.item.external_id, reply.text)
        except RetryLater as exc:
            if not exc.ambiguous:
                _finish(reply, status=Status.FAILED, error=_message(exc))
                return "failed"
            try:
                made = _reconcile(listener, reply, attempt)
            except ConnectorError:  # Unsupported included: nobody can tell
                _finish(reply, status=Status.FAILED, error=_unsure())
                return "failed"
            if made is None:
                _finish(reply, status=Status.FAILED, error=_message(exc))
                return "failed"
            _finish(reply, status=Status.SENT, external_id=made)
            return "sent"
        except ConnectorError as exc:
            _finish(reply, status=Status.FAILED, error=_message(exc))
            return "failed"
        finally:
            listener.close()
    _finish(reply, status=Status.SENT, external_id=sent.comment_id)
    return "sent"


@db_task(retries=0)  # a failure is recorded on the reply; a person decides whether to try again
def reply_send_task(reply_id: int) -> None:
    reply_send(reply_id=reply_id)


def replies_sweep_stale(*, now: datetime | None = None) -> list[int]:
    """Queue again the replies left SENDING by a lost task (no attempt begun) or a dead worker
    (an attempt older than HUMAS_REPLY_STALE_SECONDS); the task reconciles before sending. Meant
    to run every few minutes. Answers the ids queued."""
    now = now or timezone.now()
    waiting = Q(sent_at__isnull=True) | Q(sent_at__lt=now - _stale())
    ids = list(
        Reply.objects.filter(waiting, status=Status.SENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:CONFIRM_MAX]
    )
    for reply_id in ids:
        reply_send_task(reply_id)
    return ids
