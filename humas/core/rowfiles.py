"""Reading a CSV or JSON Lines file of records, one row at a time, with the line each starts on.

The file imports (monitoring's items, factcheck's external fact-checks) share this reader; each
checks its own records. :func:`read_rows` calls ``on_row(line, record)`` for every row that is
a record, and adds every row that is not one to ``errors`` with its line and reason:

- CSV: the header names the columns (trimmed, lower-cased, a byte order mark dropped); a missing
  required column or a doubled one stops the reading. Blank rows are skipped; a row with more or
  fewer cells than the header is refused; a row the csv module cannot read stops the reading
  (where the next row starts is then unknown).
- JSON Lines: one JSON object per line (lines end at ``\\n``); blank lines are skipped; NaN and
  Infinity are not JSON.
- Both: more than ``max_rows`` rows stops the reading at the first one too many.

Options of a CSV reading (the defaults are what the imports above use): ``aliases`` maps other
names of a column to its own name before the header is checked; ``numbering="row"`` numbers a row
as a spreadsheet shows it (the header is row 1 and every record counts, blank ones too, however
many lines its cells span) instead of by the line it starts on; ``delimiter`` is the cell
separator (``;`` is what spreadsheets in Indonesian save).

Nothing here stores anything, and nothing knows what a record means.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.utils.translation import gettext as _

FORMATS = ("csv", "jsonl")

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class Problem(Protocol):
    """What a record check answers for a bad value: the field ('' for the whole record) and why."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> str: ...


@dataclass
class ParsedRows(Generic[T]):
    """The records of a file (as read, for the import), the cleaned ones (for the preview), and
    every bad row. ``line_of[i]`` is the line where record ``i`` starts."""

    records: list[dict[str, Any]] = field(default_factory=list)
    cleaned: list[T] = field(default_factory=list)
    line_of: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.records)

    def accept(self, line: int, record: dict[str, Any], cleaned: T) -> None:
        self.records.append(record)
        self.cleaned.append(cleaned)
        self.line_of.append(line)

    def refuse(self, line: int, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.errors.append(
                RowError(line, f"{problem.field}: {problem.message}" if problem.field else problem.message)
            )

    def first(self, count: int) -> list[tuple[int, T]]:
        """The line and the cleaned record of the first ``count`` records."""
        return list(zip(self.line_of[:count], self.cleaned[:count], strict=True))


def format_of(filename: str) -> str:
    """``csv`` or ``jsonl`` by the file's extension, or empty when it is neither."""
    lowered = filename.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return ""


def _too_many(line: int, max_rows: int) -> RowError:
    return RowError(line, _("Berkas lebih dari %(max)d baris.") % {"max": max_rows})


def _read_csv(
    content: str,
    *,
    required: Collection[str],
    on_row: Callable[[int, dict[str, Any]], None],
    errors: list[RowError],
    max_rows: int,
    field_max: int,
    keep: Collection[str] | None,
    drop_blank: Collection[str],
    aliases: Mapping[str, str],
    numbering: str,
    delimiter: str,
) -> None:
    csv.field_size_limit(field_max)
    reader = csv.reader(io.StringIO(content, newline=""), strict=True, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        errors.append(RowError(1, _("Baris judul kolom tidak dapat dibaca: %(error)s") % {"error": exc}))
        return
    if header is None:
        return
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    columns = [aliases.get(name, name) for name in columns]
    missing = [name for name in required if name not in columns]
    if missing:
        errors.append(RowError(1, _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)}))
        return
    kept = [bool(name) and (keep is None or name in keep) for name in columns]
    doubled = sorted({name for name, k in zip(columns, kept, strict=True) if k and columns.count(name) > 1})
    if doubled:
        errors.append(RowError(1, _("Kolom ganda: %(columns)s.") % {"columns": ", ".join(doubled)}))
        return
    rows = 0
    end = reader.line_num
    record_number = 1  # the header's
    while True:
        record_number += 1
        start = record_number if numbering == "row" else end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, _("Baris tidak dapat dibaca: %(error)s") % {"error": exc}))
            break  # the reader cannot tell where the next row starts
        end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        if rows > max_rows:
            errors.append(_too_many(start, max_rows))
            break
        if len(row) != len(columns):
            errors.append(
                RowError(
                    start,
                    _("Baris berisi %(found)d kolom, judulnya %(expected)d.")
                    % {"found": len(row), "expected": len(columns)},
                )
            )
            continue
        record = {
            name: value
            for name, value, k in zip(columns, row, kept, strict=True)
            if k and not (value == "" and name in drop_blank)
        }
        on_row(start, record)


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _read_jsonl(
    content: str,
    *,
    on_row: Callable[[int, dict[str, Any]], None],
    errors: list[RowError],
    max_rows: int,
    keep: Collection[str] | None,
) -> None:
    rows = 0
    # Lines end at \n only: str.splitlines() would also cut at U+2028, which JSON allows in strings.
    for number, raw_line in enumerate(content.split("\n"), start=1):
        line = raw_line.removesuffix("\r")
        if not line.strip():
            continue
        rows += 1
        if rows > max_rows:
            errors.append(_too_many(number, max_rows))
            break
        try:
            record = json.loads(line, parse_constant=_no_constant)
        except (ValueError, RecursionError):
            errors.append(RowError(number, _("Bukan JSON yang sah.")))
            continue
        if not isinstance(record, dict):
            errors.append(RowError(number, _("Setiap baris harus satu objek JSON ({…}).")))
            continue
        if keep is not None:
            record = {name: value for name, value in record.items() if name in keep}
        on_row(number, record)


def read_rows(
    content: str,
    fmt: str,
    *,
    required: Collection[str],
    on_row: Callable[[int, dict[str, Any]], None],
    errors: list[RowError],
    max_rows: int,
    field_max: int,
    keep: Collection[str] | None = None,
    drop_blank: Collection[str] = (),
    aliases: Mapping[str, str] | None = None,
    numbering: str = "line",
    delimiter: str = ",",
) -> None:
    """Call ``on_row(line, record)`` for every record of ``content`` (``fmt``: csv or jsonl) and
    add every bad row to ``errors``.

    ``required``: the columns a CSV header must name. ``field_max``: the longest CSV cell (the
    csv module's limit, which is process-wide, is set to it). ``keep``: the only columns or keys
    passed on (and the only ones refused when doubled); ``None`` passes every named one.
    ``drop_blank``: columns whose empty CSV cell is left out of the record (an absent value).
    ``aliases``, ``numbering`` (``"line"`` or ``"row"``) and ``delimiter``: CSV only, see the
    module's docstring.
    """
    if numbering not in ("line", "row"):
        raise ValueError(f"unknown numbering {numbering!r}")
    if fmt == "csv":
        _read_csv(
            content,
            required=required,
            on_row=on_row,
            errors=errors,
            max_rows=max_rows,
            field_max=field_max,
            keep=keep,
            drop_blank=drop_blank,
            aliases=aliases or {},
            numbering=numbering,
            delimiter=delimiter,
        )
    elif fmt == "jsonl":
        _read_jsonl(content, on_row=on_row, errors=errors, max_rows=max_rows, keep=keep)
    else:
        raise ValueError(f"unknown format {fmt!r}")
