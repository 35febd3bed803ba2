"""Template filters of the analytics pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from humas.analytics.formatting import number

register = template.Library()


@register.filter
def figure(value: int | None) -> SafeString:
    """A count in a table cell or a card: grouped as the language writes it (1.239 / 1,239), or a
    dash that says the platform does not give it. A filter, not an include: a national table
    shows hundreds of them."""
    if value is None:
        return format_html('<span title="{}">—</span>', _("Tidak diberikan oleh platform"))
    return format_html("{}", number(value))
