"""Reading a CSV or JSONL file of external fact-checks (the shape of a fact-check corpus line).

:func:`claims_file_parse` reads the whole file and answers its records and every bad row with its
line number and reason; the import stores nothing unless there are no bad rows. Columns (CSV) or
keys (JSONL): doc_id, title (required); text, label, date, url. Others are ignored.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .records import FIELDS, REQUIRED_FIELDS, CleanClaim, claim_record_check

FORMATS = ("csv", "jsonl")
# The largest file and the most rows one import takes. The whole TurnBackHoax corpus (6,164
# fact-checks, 4.3 MB) fits: the previewed file travels back with the confirmation compressed,
# about 1.2 MB, under Django's 2.5 MB limit of form data.
IMPORT_MAX_BYTES = 8 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# A field longer than any fact-check is garbage, not a row (csv's own limit is 128 KiB).
_CSV_FIELD_MAX = 200_000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    """The records of a file (as read, for claims_import), the cleaned ones (for the preview), and
    every bad row. ``line_of[i]`` is the line where record ``i`` starts."""

    records: list[dict[str, Any]] = field(default_factory=list)
    cleaned: list[CleanClaim] = field(default_factory=list)
    line_of: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    _lines_of_ids: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)


def format_of(filename: str) -> str:
    """``csv`` or ``jsonl`` by the file's extension, or empty when it is neither."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return ""


def _check(parsed: ParsedFile, line: int, record: dict[str, Any]) -> None:
    checked = claim_record_check(record)
    if not isinstance(checked, CleanClaim):
        for problem in checked:
            parsed.errors.append(
                RowError(line, f"{problem.field}: {problem.message}" if problem.field else problem.message)
            )
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
    parsed.records.append(record)
    parsed.cleaned.append(checked)
    parsed.line_of.append(line)


def _parse_csv(content: str, parsed: ParsedFile, max_rows: int) -> None:
    csv.field_size_limit(_CSV_FIELD_MAX)
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        parsed.errors.append(
            RowError(1, _("Baris judul kolom tidak dapat dibaca: %(error)s") % {"error": exc})
        )
        return
    if header is None:
        return
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        parsed.errors.append(
            RowError(1, _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return
    doubled = sorted({name for name in columns if name in FIELDS and columns.count(name) > 1})
    if doubled:
        parsed.errors.append(RowError(1, _("Kolom ganda: %(columns)s.") % {"columns": ", ".join(doubled)}))
        return
    rows = 0
    end = reader.line_num
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.errors.append(RowError(start, _("Baris tidak dapat dibaca: %(error)s") % {"error": exc}))
            break  # the reader cannot tell where the next row starts
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > max_rows:
            parsed.errors.append(RowError(start, _("Berkas lebih dari %(max)d baris.") % {"max": max_rows}))
            break
        if len(row) != len(columns):
            parsed.errors.append(
                RowError(
                    start,
                    _("Baris berisi %(found)d kolom, judulnya %(expected)d.")
                    % {"found": len(row), "expected": len(columns)},
                )
            )
            continue
        record = {name: value for name, value in zip(columns, row, strict=True) if name in FIELDS}
        _check(parsed, start, record)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _parse_jsonl(content: str, parsed: ParsedFile, max_rows: int) -> None:
    rows = 0
    # Lines end at \n only: str.splitlines() would also cut at U+2028, which JSON allows in strings.
    for number, raw_line in enumerate(content.split("\n"), start=1):
        line = raw_line.removesuffix("\r")
        if not line.strip():
            continue
        rows += 1
        if rows > max_rows:
            parsed.errors.append(RowError(number, _("Berkas lebih dari %(max)d baris.") % {"max": max_rows}))
            break
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            parsed.errors.append(RowError(number, _("Bukan JSON yang sah.")))
            continue
        if not isinstance(record, dict):
            parsed.errors.append(RowError(number, _("Setiap baris harus satu objek JSON ({…}).")))
            continue
        # Fields other than the fact-check's own are ignored, and not carried to the import.
        _check(parsed, number, {name: value for name, value in record.items() if name in FIELDS})


def claims_file_parse(*, content: str, fmt: str, max_rows: int = IMPORT_MAX_ROWS) -> ParsedFile:
    """Every record of ``content`` (``fmt``: csv or jsonl), and every bad row with its line."""
    parsed = ParsedFile()
    if fmt == "csv":
        _parse_csv(content, parsed, max_rows)
    elif fmt == "jsonl":
        _parse_jsonl(content, parsed, max_rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    if not parsed.records and not parsed.errors:
        parsed.errors.append(RowError(1, _("Berkas tidak berisi cek fakta.")))
    return parsed
