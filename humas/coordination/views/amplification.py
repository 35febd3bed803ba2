"""The amplification pages: ask the offices below to share or interact with a post ("Minta kantor
di bawah membagikan"), the office's list "Tugas amplifikasi" (what reached it, with the link, the
one-click shares, recording and declining; what it asked; for a province, what from above reaches
its region), one task's page for the receiving office, and the sender's board (and an office in
between's part of it) with its CSV."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.channels.models import Channel
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.publishing.models import Post
from humas.publishing.portal_channel import channel_list_for_publishing
from humas.publishing.selectors import post_get_for_actor
from humas.web import paging

from ..account_urls import channel_account_label
from ..amplification import (
    AmplificationError,
    Source,
    amplification_can_send_from,
    amplification_create,
    amplification_decline,
    amplification_record,
    amplification_share,
    amplification_source_from_delivery,
    amplification_source_from_url,
)
from ..amplification_forms import PASTE, DeclineForm, RecordForm, ShareForm, TaskForm
from ..amplification_selectors import (
    BOARD,
    Board,
    BoardRow,
    amplification_board,
    amplification_list_for_office,
    amplification_list_from_above,
    amplification_list_sent,
    amplification_share_channels,
    amplification_source_deliveries,
    amplification_target_get,
    amplification_task_get_for_board,
)
from ..exports import board_csv, csv_time
from ..models import AmplificationTarget
from ..reach import offices_by_province, receiving_offices
from .boards import board_page

LIST_PAGE_SIZE = 20
Status = AmplificationTarget.Status


# --------------------------------------------------------------------------------------------
# Asking


def _source_post(request: AuthenticatedHttpRequest, office: Office) -> Post | None:
    """The post of ``office`` to amplify (``?unggahan=``), or None for a URL to paste."""
    data = request.POST if request.method == "POST" else request.GET
    post_id = paging.page_number(data.get("unggahan"), default=0)
    if not post_id:
        return None
    return post_get_for_actor(actor=request.user, office=office, post_id=post_id)


def _source(form: TaskForm, office: Office, post: Post | None) -> Source:
    chosen = form.cleaned_data["sumber"]
    if post is not None and chosen != PASTE:
        return amplification_source_from_delivery(office=office, post=post, delivery_id=int(chosen))
    return amplification_source_from_url(url=form.cleaned_data["tautan"])


@office_view("amplification.send")
@require_http_methods(["GET", "POST"])
def amplification_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    post = _source_post(request, office)
    back = (
        reverse("publishing:detail", kwargs={"office_slug": office.slug, "post_id": post.pk})
        if post is not None
        else reverse("amplification:list", kwargs={"office_slug": office.slug})
    )
    if not amplification_can_send_from(office=office):
        messages.error(
            request,
            _(
                "Hanya KPU RI dan KPU provinsi yang dapat meminta kantor di bawahnya mengamplifikasi unggahan."
            ),
        )
        return redirect(back)
    deliveries = amplification_source_deliveries(actor=request.user, office=office, post=post) if post else []
    receiving = receiving_offices(office=office).select_related("parent")
    offices = list(receiving)
    local_now = timezone.localtime(timezone.now(), office.zoneinfo)
    form = TaskForm(
        request.POST or None,
        office=office,
        receiving=receiving,
        deliveries=deliveries,
        initial={
            "sumber": str(deliveries[0].pk) if deliveries else PASTE,
            "ask_share": True,
            "scope": "below",
            "deadline": (local_now + timedelta(days=1)).replace(
                minute=0, second=0, microsecond=0, tzinfo=None
            ),
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = amplification_create(
                    actor=request.user,
                    office=office,
                    source=_source(form, office, post),
                    scope=data["scope"],
                    deadline=data["deadline"],
                    ask_share=data["ask_share"],
                    ask_interact=data["ask_interact"],
                    instructions=data["instructions"],
                    province=data.get("province"),
                    chosen=list(data.get("offices") or []),
                )
            except AmplificationError as exc:
                form.add_error("tautan" if data["sumber"] == PASTE else None, str(exc))
            else:
                messages.success(
                    request,
                    _("Diminta ke %(n)s kantor. Mereka diberi tahu; pantau hasilnya di sini.")
                    % {"n": task.targets.count()},
                )
                return redirect("amplification:board", office_slug=office.slug, task_id=task.pk)
        status = 400
    return render(
        request,
        "coordination/amplification_new.html",
        {
            "office": office,
            "post": post,
            "back": back,
            "form": form,
            "has_deliveries": bool(deliveries),
            "groups": offices_by_province(offices),
            "chosen": form.chosen_ids() if request.method == "POST" else set(),
            "nav_active": "content" if post is not None else "calendar",
        },
        status=status,
    )


# --------------------------------------------------------------------------------------------
# The office's list: what reached it, what it asked, what from above reaches its region


def _cards(
    request: AuthenticatedHttpRequest,
    office: Office,
    targets: list[AmplificationTarget],
    *,
    publishable: list[Channel] | None,
) -> list[dict[str, Any]]:
    """What each task of the list shows and offers: its one-click channels and forms."""
    can_respond = publishable is not None
    return [
        {
            "target": target,
            "task": target.task,
            "account_label": channel_account_label(target.task.account),
            "open": target.status == Status.PENDING and can_respond,
            "channels": amplification_share_channels(target=target, publishable=publishable)
            if can_respond and target.status == Status.PENDING
            else [],
            "record_form": RecordForm(target=target, auto_id=f"catat-{target.pk}-%s"),
            "decline_form": DeclineForm(auto_id=f"tolak-{target.pk}-%s"),
        }
        for target in targets
    ]


@office_view("content.view")
@require_GET
def amplification_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    receives = office.parent_id is not None
    can_respond = policy.can(request.user, "amplification.respond", office)
    page = None
    cards: list[dict[str, Any]] = []
    if receives:
        page = Paginator(
            amplification_list_for_office(actor=request.user, office=office), LIST_PAGE_SIZE
        ).get_page(paging.page_number(request.GET.get("page")))
        publishable = list(channel_list_for_publishing(office=office)) if can_respond else None
        cards = _cards(request, office, list(page), publishable=publishable)
    sends = amplification_can_send_from(office=office)
    in_between = receives and office.level == Office.Level.PROVINSI
    return render(
        request,
        "coordination/amplification_list.html",
        {
            "office": office,
            "receives": receives,
            "page": page,
            "cards": cards,
            "sends": sends,
            "can_send": sends and policy.can(request.user, "amplification.send", office),
            "sent": amplification_list_sent(actor=request.user, office=office) if sends else [],
            "from_above": amplification_list_from_above(actor=request.user, office=office)
            if in_between
            else [],
            "now": timezone.now(),
            "nav_active": "calendar",
        },
    )


# --------------------------------------------------------------------------------------------
# One task of the receiving office and its answers


def _target_page(
    request: AuthenticatedHttpRequest,
    office: Office,
    target: AmplificationTarget,
    *,
    record_form: RecordForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_respond = policy.can(request.user, "amplification.respond", office)
    pending = target.status == Status.PENDING
    return render(
        request,
        "coordination/amplification_target.html",
        {
            "office": office,
            "target": target,
            "task": target.task,
            "account_label": channel_account_label(target.task.account),
            "open": pending and can_respond,
            "can_respond": can_respond,
            "channels": amplification_share_channels(target=target) if pending and can_respond else [],
            "record_form": record_form or RecordForm(target=target, auto_id="catat-%s"),
            "decline_form": decline_form or DeclineForm(auto_id="tolak-%s"),
            "now": timezone.now(),
            "nav_active": "calendar",
        },
        status=status,
    )


@office_view("content.view")
@require_GET
def amplification_target_view(
    request: AuthenticatedHttpRequest, office: Office, target_id: int
) -> HttpResponse:
    target = amplification_target_get(actor=request.user, office=office, target_id=target_id)
    return _target_page(request, office, target)


@office_view("amplification.respond")
@require_POST
def amplification_record_view(
    request: AuthenticatedHttpRequest, office: Office, target_id: int
) -> HttpResponse:
    target = amplification_target_get(actor=request.user, office=office, target_id=target_id)
    form = RecordForm(request.POST, target=target, auto_id="catat-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            amplification_record(
                actor=request.user,
                target=target,
                url=data["url"],
                shared=data["shared"],
                interacted=data["interacted"],
            )
        except AmplificationError as exc:
            form.add_error("url" if data["url"] else None, str(exc))
        else:
            messages.success(request, _("Tercatat. Kantor pengirim melihatnya di papan pemantauannya."))
            return redirect("amplification:list", office_slug=office.slug)
    return _target_page(request, office, target, record_form=form, status=400)


@office_view("amplification.respond")
@require_POST
def amplification_decline_view(
    request: AuthenticatedHttpRequest, office: Office, target_id: int
) -> HttpResponse:
    target = amplification_target_get(actor=request.user, office=office, target_id=target_id)
    form = DeclineForm(request.POST, auto_id="tolak-%s")
    if form.is_valid():
        try:
            amplification_decline(actor=request.user, target=target, reason=form.cleaned_data["reason"])
        except AmplificationError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Ditolak. Kantor pengirim membaca alasan Anda di papannya."))
            return redirect("amplification:list", office_slug=office.slug)
    return _target_page(request, office, target, decline_form=form, status=400)


@office_view("amplification.respond")
@require_POST
def amplification_share_view(
    request: AuthenticatedHttpRequest, office: Office, target_id: int
) -> HttpResponse:
    target = amplification_target_get(actor=request.user, office=office, target_id=target_id)
    form = ShareForm(request.POST, channels=amplification_share_channels(target=target))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors.get("channel", [])))
        return redirect("amplification:target", office_slug=office.slug, target_id=target.pk)
    try:
        shared = amplification_share(actor=request.user, target=target, channel=form.cleaned_data["channel"])
    except AmplificationError as exc:
        messages.error(request, str(exc))
        return redirect("amplification:target", office_slug=office.slug, target_id=target.pk)
    if shared.status == Status.DONE:
        messages.success(request, _("Dibagikan lewat Humas dan sudah terbit; tautannya tercatat."))
    else:
        messages.success(
            request,
            _("Dibagikan lewat Humas. Tugas ini selesai dengan tautannya begitu unggahan kantor ini terbit."),
        )
    return redirect("amplification:target", office_slug=office.slug, target_id=target.pk)


# --------------------------------------------------------------------------------------------
# The board


def _board(request: AuthenticatedHttpRequest, office: Office, task_id: int) -> Board:
    task = amplification_task_get_for_board(actor=request.user, office=office, task_id=task_id)
    return amplification_board(
        actor=request.user, office=office, task=task, filters=BOARD.filters(request.GET)
    )


@office_view("content.view")
@require_GET
def amplification_board_view(request: AuthenticatedHttpRequest, office: Office, task_id: int) -> HttpResponse:
    board = _board(request, office, task_id)
    task = board.task
    return board_page(
        request,
        board,
        spec=BOARD,
        template="coordination/amplification_board.html",
        context={
            "task": task,
            "account_label": channel_account_label(task.account),
            "board_url": reverse(
                "amplification:board", kwargs={"office_slug": office.slug, "task_id": task.pk}
            ),
            "csv_url": reverse(
                "amplification:board_csv", kwargs={"office_slug": office.slug, "task_id": task.pk}
            ),
            "nav_active": "calendar",
        },
    )


@office_view("content.view")
@require_GET
def amplification_board_csv(request: AuthenticatedHttpRequest, office: Office, task_id: int) -> HttpResponse:
    """The board as CSV, one row per receiving office (the filters and order of the page)."""
    board = _board(request, office, task_id)
    yes, no = _("ya"), _("tidak")

    def cells(row: BoardRow) -> list[object]:
        target = row.target
        return [
            yes if target.shared else no,
            yes if target.interacted else no,
            target.result_url,
            target.recorded_by.get_full_name() if target.recorded_by else "",
            csv_time(target.recorded_at, office),
            target.decline_reason,
        ]

    return board_csv(
        request,
        board,
        filename=f"amplifikasi-{board.task.pk}-{office.slug}.csv",
        columns=[
            _("Dibagikan ulang"),
            _("Berinteraksi"),
            _("Tautan hasil"),
            _("Dicatat oleh"),
            _("Dicatat pada"),
            _("Alasan menolak"),
        ],
        cells=cells,
    )
