"""Numbers, changes and dates as the active language writes them: the PDF report and the pages
that show the same lists (top content) use these, so both read alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.utils import formats


def number(value: int | None) -> str:
    """A count as the language writes it (1.239 / 1,239); "—" when no platform gives it."""
    if value is None:
        return "—"
    return str(formats.number_format(value, decimal_pos=0, force_grouping=True))


def number_writer() -> Callable[[int | None], str]:
    """``number`` for many counts of one language: the language's grouping is looked up once
    (a year's table writes thousands of counts; ``number_format`` looks it up for each)."""
    separator = str(formats.get_format("THOUSAND_SEPARATOR"))
    if formats.get_format("NUMBER_GROUPING") != 3:
        return number

    def write(value: int | None) -> str:
        return "—" if value is None else f"{value:,}".replace(",", separator)

    return write


def change(current: int | None, previous: int | None) -> str:
    """The percent change against the previous period; "—" when it means nothing."""
    if current is None or not previous:
        return "—"
    percent = round((current - previous) * 100 / previous)
    return ("+" if percent > 0 else "") + number(percent) + "%"


def day_text(day: date, pattern: str = "j F Y") -> str:
    return str(formats.date_format(day, pattern))


def period_text(start: date, end: date) -> str:
    return f"{day_text(start)} – {day_text(end)}"
