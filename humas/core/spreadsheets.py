"""Cells of the CSV files Humas hands out, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula: a text from the public written so ("=HYPERLINK(…)") would run on
the computer of whoever opens the export. Every exported cell goes through :func:`csv_cell`.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object, *, harmless: re.Pattern[str] | None = None) -> str:
    """``value`` as a CSV cell: one a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text). ``harmless``: cells matching it wholly are kept as they are
    (an account handle such as ``@kpu_ri``); None is an empty cell."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not (harmless is not None and harmless.fullmatch(text)):
        return f"'{text}"
    return text
