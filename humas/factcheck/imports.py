"""Reading a CSV or JSONL file of external fact-checks (the shape of a fact-check corpus line).

:func:`claims_file_parse` reads the whole file and answers its records and every bad row with its
line number and reason; the import stores nothing unless there are no bad rows. Columns (CSV) or
keys (JSONL): doc_id, title (required); text, label, date, url. Others are ignored. The reading
itself is :mod:`humas.core.rowfiles`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from humas.core.rowfiles import ParsedRows, RowError, format_of, read_rows

from .records import FIELDS, REQUIRED_FIELDS, CleanClaim, claim_record_check

__all__ = [
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "ParsedFile",
    "RowError",
    "claims_file_parse",
    "format_of",
]

# The largest file and the most rows one import takes. The whole TurnBackHoax corpus (6,164
# fact-checks, 4.3 MB) fits: the previewed file travels back with the confirmation compressed,
# about 1.2 MB, under Django's 2.5 MB limit of form data.
IMPORT_MAX_BYTES = 8 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# A field longer than any fact-check is garbage, not a row (csv's own limit is 128 KiB).
_CSV_FIELD_MAX = 200_000


@dataclass
class ParsedFile(ParsedRows[CleanClaim]):
    """The records of a file (as read, for claims_import), the cleaned ones (for the preview), and
    every bad row. ``line_of[i]`` is the line where record ``i`` starts."""

    _lines_of_ids: dict[str, int] = field(default_factory=dict, repr=False)


def _check(parsed: ParsedFile, line: int, record: dict[str, Any]) -> None:
    checked = claim_record_check(record)
    if not isinstance(checked, CleanClaim):
        parsed.refuse(line, checked)
        return
    earlier = parsed._lines_of_ids.get(checked.external_id)
    if earlier is not None:
        parsed.errors.append(
            RowError(
                line,
                _("doc_id: “%(id)s” sudah ada di baris %(line)d.")
                % {"id": checked.external_id[:60], "line": earlier},
            )
        )
        return
    parsed._lines_of_ids[checked.external_id] = line
    parsed.accept(line, record, checked)


def claims_file_parse(*, content: str, fmt: str, max_rows: int = IMPORT_MAX_ROWS) -> ParsedFile:
    """Every record of ``content`` (``fmt``: csv or jsonl), and every bad row with its line."""
    parsed = ParsedFile()
    # Fields other than the fact-check's own are ignored, and not carried to the import.
    read_rows(
        content,
        fmt,
        required=REQUIRED_FIELDS,
        on_row=lambda line, record: _check(parsed, line, record),
        errors=parsed.errors,
        max_rows=max_rows,
        field_max=_CSV_FIELD_MAX,
        keep=FIELDS,
    )
    if not parsed.records and not parsed.errors:
        parsed.errors.append(RowError(1, _("Berkas tidak berisi cek fakta.")))
    return parsed
