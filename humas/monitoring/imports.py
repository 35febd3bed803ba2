"""Reading a CSV or JSONL file of items exported from another listening tool.

:func:`items_file_parse` reads the whole file and answers its records and every bad row with its
line number and reason; the import stores nothing unless there are no bad rows. Columns (CSV) or
keys (JSONL): platform, external_id, text, published_at (required), author_handle, url,
reactions, comments, shares, views. Other columns are kept in each item's raw payload. The
reading itself is :mod:`humas.core.rowfiles`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from humas.core.rowfiles import ParsedRows, RowError, format_of, read_rows

from .records import FIELDS, REQUIRED_FIELDS, CleanRecord, record_check

__all__ = ["ParsedFile", "RowError", "format_of", "items_file_parse"]

# A field longer than any item's text is garbage, not a row (csv's own limit is 128 KiB).
_CSV_FIELD_MAX = 100_000
# An empty optional cell is an absent value; the required ones are checked as given.
_OPTIONAL_FIELDS = tuple(name for name in FIELDS if name not in REQUIRED_FIELDS)


class ParsedFile(ParsedRows[CleanRecord]):
    """The records of a file (as read, for items_ingest), the cleaned ones (for the preview), and
    every bad row. ``line_of[i]`` is the line where record ``i`` starts."""


def _check(parsed: ParsedFile, line: int, record: dict[str, Any]) -> None:
    checked = record_check(record)
    if isinstance(checked, CleanRecord):
        parsed.accept(line, record, checked)
    else:
        parsed.refuse(line, checked)


def items_file_parse(*, content: str, fmt: str, max_rows: int) -> ParsedFile:
    """Every record of ``content`` (``fmt``: csv or jsonl), and every bad row with its line."""
    parsed = ParsedFile()
    read_rows(
        content,
        fmt,
        required=REQUIRED_FIELDS,
        on_row=lambda line, record: _check(parsed, line, record),
        errors=parsed.errors,
        max_rows=max_rows,
        field_max=_CSV_FIELD_MAX,
        drop_blank=_OPTIONAL_FIELDS,
    )
    if not parsed.records and not parsed.errors:
        parsed.errors.append(RowError(1, _("Berkas tidak berisi item.")))
    return parsed
