"""What the boards' CSV files share (a cascade's, an amplification task's): one row per receiving
office in the filters and order of the page, cells a spreadsheet reads as text, never as a
formula, and times in the reading office's zone."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from humas.core.spreadsheets import csv_cell
from humas.offices.models import Office

from .boards import Board, RowT


def csv_time(moment: datetime | None, office: Office) -> str:
    """``moment`` in ``office``'s zone, "2031-03-08 17:00 WIB" ("" for none)."""
    if moment is None:
        return ""
    return timezone.localtime(moment, office.zoneinfo).strftime("%Y-%m-%d %H:%M ") + office.tz_abbreviation


def board_csv(
    request: HttpRequest,
    board: Board[Any, RowT],
    *,
    filename: str,
    columns: Sequence[str],
    cells: Callable[[RowT], Sequence[object]],
) -> HttpResponse:
    """``board`` as a CSV download: for each row its office's code, name, province and status,
    the feature's ``columns`` (``cells`` of the row), and its own post in Humas."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # spreadsheet programs then read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Kode"),
            _("Kantor"),
            pgettext("wilayah", "Provinsi"),
            _("Status"),
            *columns,
            _("Unggahan di Humas"),
        ]
    )
    for row in board.rows:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    row.office.code,
                    row.office.name,
                    row.province.name if row.province else "",
                    row.status_label,
                    *cells(row),
                    request.build_absolute_uri(row.post_url) if row.post_url else "",
                )
            ]
        )
    return response
