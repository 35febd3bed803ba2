"""Template filters of the analytics pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from humas.analytics.formatting import number, number_writer

register = template.Library()


@register.filter
def figure(value: int | None) -> SafeString:
    """A count in a table cell or a card: grouped as the language writes it (1.239 / 1,239), or a
    dash that says the platform does not give it. A filter, not an include: a national table
    shows hundreds of them."""
    if value is None:
        return format_html('<span title="{}">—</span>', _("Tidak diberikan oleh platform"))
    return format_html("{}", number(value))


@register.simple_tag
def figure_cells(values: Iterable[tuple[str, int | None]]) -> SafeString:
    """The ``<td>`` cells of a table row: each count as ``figure`` writes it, labelled for narrow
    screens (``data-label``). One tag per row instead of a loop of filters: a year's table of 365
    days has thousands of cells."""
    write = number_writer()
    missing = figure(None)
    labels: dict[str, str] = {}
    cells = []
    for label, value in values:
        if label not in labels:
            labels[label] = escape(label)
        # The label is escaped; a count is digits and separators, the dash a SafeString.
        cells.append(f'<td data-label="{labels[label]}">{missing if value is None else write(value)}</td>')
    return mark_safe("".join(cells))  # noqa: S308 - built from escaped labels and formatted integers
