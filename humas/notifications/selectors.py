"""Reads of a person's notifications. Only the recipient ever sees a notification, and only for
offices they still reach."""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import QuerySet

from humas.accounts.models import User
from humas.offices import policy
from humas.offices.models import Membership, Office

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


def office_administrators(*, office: Office) -> QuerySet[User]:
    """Active Administrators who reach ``office``: members there or at any office above it."""
    codes = [*office.ancestor_codes, office.code]
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(office__code__in=codes, role=Membership.Role.ADMIN).values(
            "user_id"
        ),
    ).order_by("pk")


def days_left(*, expires_at: datetime, now: datetime) -> int:
    """Whole days until ``expires_at``, rounded up: 6 days 2 hours is "7 days" (0 when past)."""
    return max(0, math.ceil((expires_at - now).total_seconds() / 86400))
