"""Reading a page number from a query string without trusting it."""

from __future__ import annotations

# No list of Humas has this many pages; anything longer is noise (or an attempt at a big OFFSET).
MAX_PAGE = 99_999


def page_number(raw: str | None, *, default: int = 1, maximum: int = MAX_PAGE) -> int:
    """``raw`` as a page number if it is 1 to ``maximum`` in ASCII digits, else ``default``.

    ``str.isdigit()`` alone is not enough: it accepts "²" and "①", which ``int()`` refuses."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum)):
        number = int(raw)
        if 1 <= number <= maximum:
            return number
    return default
