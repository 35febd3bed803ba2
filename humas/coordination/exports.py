"""What the boards' CSV files share (a cascade's, an amplification task's): cells a spreadsheet
reads as text, never as a formula, and times in the reading office's zone."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from humas.offices.models import Office

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell; one a spreadsheet would run as a formula is written as text."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_time(moment: datetime | None, office: Office) -> str:
    """``moment`` in ``office``'s zone, "2031-03-08 17:00 WIB" ("" for none)."""
    if moment is None:
        return ""
    return timezone.localtime(moment, office.zoneinfo).strftime("%Y-%m-%d %H:%M ") + office.tz_abbreviation
