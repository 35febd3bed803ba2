"""Writes to notifications: send one event to people (in the app and by e-mail), mark read.

A notification is about one event, named by its ``key``: sending the same key to the same person
again does nothing, so callers (periodic tasks, retried tasks, health checks) may repeat freely.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.offices.models import Office

from .models import Notification

log = logging.getLogger(__name__)
Kind = Notification.Kind

# Kinds shown in the app only, no e-mail: nobody needs to act on them (a monthly report's
# Administrators get its own e-mail with the PDF attached).
LOW_IMPORTANCE: frozenset[str] = frozenset({Kind.CHANNEL_RECOVERED, Kind.REPORT_READY})


def notification_link_is_internal(link: str) -> bool:
    """Links are paths inside Humas: the list page redirects to them, so never elsewhere."""
    return link.startswith("/") and not link.startswith("//") and "\\" not in link


def _email_text(notification: Notification) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Humas: %(title)s") % {"title": notification.title}
        lines = [notification.body.strip(), ""] if notification.body.strip() else []
        if notification.link:
            base = settings.HUMAS_BACKOFFICE_URL.rstrip("/")
            lines.append(_("Buka: %(url)s") % {"url": f"{base}{notification.link}"})
        lines.append(
            _("Pemberitahuan ini juga ada di menu Notifikasi Humas (%(office)s).")
            % {"office": notification.office.name}
        )
    return subject.replace("\n", " ")[:200], "\n".join(lines)


def _email(notifications: list[Notification], *, now: datetime) -> None:
    """One message per person (each is their own notification). A mail server that refuses is
    logged and leaves ``emailed_at`` empty; the notification itself stays in the app."""
    messages: list[tuple[Notification, EmailMessage]] = []
    for notification in notifications:
        subject, body = _email_text(notification)
        messages.append((notification, EmailMessage(subject, body, None, [notification.recipient.email])))
    if not messages:
        return
    try:
        connection = get_connection()
        connection.send_messages([m for _n, m in messages])
    except Exception:  # noqa: BLE001 - any mail-server failure must not lose the in-app notification
        log.exception("notification e-mail failed for %d message(s)", len(messages))
        return
    Notification.objects.filter(pk__in=[n.pk for n, _m in messages]).update(emailed_at=now)
    for notification, _m in messages:
        notification.emailed_at = now


def notification_send(
    *,
    users: Iterable[User],
    office: Office,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str,
    now: datetime | None = None,
) -> list[Notification]:
    """Notify ``users`` (inactive ones are skipped) of the event ``key`` in ``office``.

    A person who already has ``key`` gets nothing new. Returns the notifications created; each is
    e-mailed unless its kind is low-importance. ``link`` must be a path inside Humas.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    if link and not notification_link_is_internal(link):
        raise ValueError("notification links are paths inside Humas")
    now = now or timezone.now()
    recipients = {u.pk: u for u in users if u.is_active}
    if not recipients:
        return []
    key = key[:200]
    already = set(
        Notification.objects.filter(recipient_id__in=recipients, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    created: list[Notification] = []
    for user_id in sorted(set(recipients) - already):
        try:
            # A savepoint per person: another worker sending the same event at the same moment
            # hits the unique (recipient, key) and this person is simply skipped.
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipients[user_id],
                    office=office,
                    kind=kind,
                    title=title[:200],
                    body=body,
                    link=link,
                    key=key,
                )
        except IntegrityError:
            continue
        created.append(notification)
    if kind not in LOW_IMPORTANCE:
        _email(created, now=now)
    return created


def notifications_mark_read(
    *, user: User, ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark ``user``'s own notifications read: those in ``ids``, or all when ``ids`` is None.
    Someone else's ids are ignored. Returns how many changed."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())
