from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from humas.notifications.selectors import days_left

register = template.Library()


@register.filter
def expires_in(value: datetime | None) -> str:
    """ "kedaluwarsa dalam 3 hari" for a token's expiry (the same day count as the warnings)."""
    if value is None:
        return ""
    now = timezone.now()
    if value <= now:
        return _("sudah kedaluwarsa")
    left = days_left(expires_at=value, now=now)
    return ngettext("kedaluwarsa dalam %(days)s hari", "kedaluwarsa dalam %(days)s hari", left) % {
        "days": left
    }


@register.simple_tag(takes_context=True)
def notifications_unread(context: template.Context) -> int:
    """The bell's unread count for the signed-in person (one query, only where the bell shows)."""
    from humas.notifications.selectors import notification_unread_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return notification_unread_count(user=user)
