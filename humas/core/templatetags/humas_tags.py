from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

from humas.offices import policy

register = template.Library()

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@register.filter
def tanggal(value: datetime | None, with_time: bool = True) -> str:
    """A date as Indonesians write it, in the active zone: "Sabtu, 28 November 2026 10.53 WIB".

    Day and month names follow the active language; the zone name is the one people use.
    """
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = date_format(local, "l, j F Y")
    if with_time:
        zone = ZONE_NAMES.get(str(timezone.get_current_timezone()), local.strftime("%Z"))
        text = f"{text} {local:%H.%M} {zone}".rstrip()
    return text


@register.simple_tag(takes_context=True)
def allowed(context: template.Context, action: str) -> bool:
    request = context.get("request")
    office = getattr(request, "office", None)
    return bool(request and office and policy.can(request.user, action, office))
