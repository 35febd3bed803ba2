"""Reads of a person's notifications. Only the recipient ever sees a notification, and only for
offices they still reach."""

from __future__ import annotations

from django.db.models import QuerySet

from humas.accounts.models import User
from humas.offices import policy

from .models import Notification


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """The person's notifications, newest first, in offices they may still view."""
    offices = policy.visible_offices(user)
    return (
        Notification.objects.filter(recipient=user, office__in=offices)
        .select_related("office")
        .order_by("-created_at", "-pk")
    )


def notification_unread_count(*, user: User) -> int:
    """The bell's number: one count on every back-office page (the same rows the list shows)."""
    return notification_list_for_user(user=user).filter(read_at__isnull=True).count()


def notification_get_for_user(*, user: User, notification_id: int) -> Notification | None:
    """The person's own notification, or None (someone else's is not theirs to read)."""
    return notification_list_for_user(user=user).filter(pk=notification_id).first()
