"""What the board pages share (a cascade's, an amplification task's): the rows a page at a time,
the filter form drawn for the board's provinces, the deadline in the sender's zone."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from humas.accounts.http import AuthenticatedHttpRequest
from humas.web import paging

from ..boards import Board, BoardSpec
from ..reach_forms import BoardFilterForm

BOARD_PAGE_SIZE = 100


def board_page(
    request: AuthenticatedHttpRequest,
    board: Board[Any, Any],
    *,
    spec: BoardSpec[Any],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """``board`` (read with ``spec.filters`` of this request) rendered with ``template``; the
    feature adds its own ``context``."""
    page = Paginator(board.rows, BOARD_PAGE_SIZE).get_page(paging.page_number(request.GET.get("page")))
    filters = spec.filters(request.GET)
    form = BoardFilterForm(
        {"status": filters.status, "provinsi": filters.province, "urut": filters.sort},
        spec=spec,
        provinces=board.provinces,
    )
    form.is_valid()
    sent = board.sent
    return render(
        request,
        template,
        {
            "office": board.office,
            "board": board,
            "page": page,
            "form": form,
            "filtered": filters.active,
            "sender_time": timezone.localtime(sent.deadline, sent.office.zoneinfo),
            **context,
        },
    )
