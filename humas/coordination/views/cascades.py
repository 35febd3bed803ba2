"""The cascade pages: send approved content to the offices below ("Teruskan ke kantor di bawah"),
the receiving office's queue ("Dari kantor atasan") and its answer, the sender's board (and an
office in between's part of it) with its CSV, and the auto-publish setting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.portal.models import Article
from humas.portal.selectors import article_get_for_actor
from humas.publishing.models import Post
from humas.publishing.portal_channel import channel_list_for_publishing
from humas.publishing.selectors import post_get_for_actor
from humas.web import paging

from ..cascade_forms import CascadeForm, ChannelsForm, DeclineForm, PreviewForm
from ..cascade_selectors import (
    BOARD,
    PUBLISHED,
    Board,
    BoardRow,
    cascade_auto_publish_get,
    cascade_board,
    cascade_get_for_board,
    cascade_list_from_above,
    cascade_list_sent,
    cascade_queue_for_office,
    cascade_target_get,
)
from ..cascades import (
    CascadeError,
    cascade_adapt,
    cascade_adopt,
    cascade_auto_publish_set,
    cascade_can_send_from,
    cascade_create,
    cascade_decline,
    cascade_field_values,
    cascade_fields_unknown,
    cascade_source_defaults,
    cascade_text_resolve,
    receiving_offices,
)
from ..exports import board_csv, csv_time
from ..models import CascadeTarget
from ..reach import offices_by_province
from .boards import board_page

QUEUE_PAGE_SIZE = 30


# --------------------------------------------------------------------------------------------
# Sending


def _source(request: AuthenticatedHttpRequest, office: Office) -> Post | Article:
    """The post (``?unggahan=``) or article (``?artikel=``) of ``office`` to send; 404 otherwise."""

    def number(name: str) -> int:
        # The form sends it back; the address it was opened at names it too.
        return paging.page_number(request.POST.get(name) or request.GET.get(name), default=0)

    post_id, article_id = number("unggahan"), number("artikel")
    if post_id:
        return post_get_for_actor(actor=request.user, office=office, post_id=post_id)
    if article_id:
        return article_get_for_actor(actor=request.user, office=office, article_id=article_id)
    raise Http404("cascade source")


def _source_url(office: Office, source: Post | Article) -> str:
    if isinstance(source, Article):
        return reverse("portal_admin:detail", kwargs={"office_slug": office.slug, "article_id": source.pk})
    return reverse("publishing:detail", kwargs={"office_slug": office.slug, "post_id": source.pk})


def _preview(text: str, office: Office | None) -> dict[str, Any]:
    """The text as ``office`` would receive it, and the fill-in fields that are unknown or that
    the office has nothing for (named as the writer types them: ``{kontak}``)."""
    unknown = [f"{{{name}}}" for name in cascade_fields_unknown(text)]
    if office is None or not text.strip():
        return {"preview_text": "", "preview_office": office, "unknown": unknown, "missing": ()}
    resolved = cascade_text_resolve(text=text, office=office)
    return {
        "preview_text": resolved.text,
        "preview_office": office,
        "unknown": unknown,
        "missing": [f"{{{name}}}" for name in resolved.missing],
    }


@office_view("cascade.send")
@require_http_methods(["GET", "POST"])
def cascade_new(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    source = _source(request, office)
    back = _source_url(office, source)
    if not cascade_can_send_from(office=office):
        messages.error(
            request, _("Hanya KPU RI dan KPU provinsi yang dapat meneruskan konten ke kantor di bawahnya.")
        )
        return redirect(back)
    receiving = receiving_offices(office=office).select_related("parent")
    offices = list(receiving)
    text, _link = cascade_source_defaults(source=source)
    local_now = timezone.localtime(timezone.now(), office.zoneinfo)
    # Two days ahead at the end of the working day, in the sender's zone.
    initial_deadline = (local_now + timedelta(days=2)).replace(
        hour=17, minute=0, second=0, microsecond=0, tzinfo=None
    )
    form = CascadeForm(
        request.POST or None,
        office=office,
        receiving=receiving,
        preview_url=reverse("cascades:preview", kwargs={"office_slug": office.slug}),
        initial={
            "scope": "below",
            "text": text,
            "deadline": initial_deadline,
            "preview_office": offices[0].pk if offices else None,
        },
    )
    status = 200
    if request.method == "POST" and "pratinjau" not in request.POST:
        if form.is_valid():
            data = form.cleaned_data
            try:
                cascade = cascade_create(
                    actor=request.user,
                    office=office,
                    source=source,
                    scope=data["scope"],
                    deadline=data["deadline"],
                    text=data["text"],
                    province=data.get("province"),
                    chosen=list(data.get("offices") or []),
                )
            except CascadeError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Diteruskan ke %(n)s kantor. Mereka diberi tahu; pantau keputusannya di sini.")
                    % {"n": cascade.targets.count()},
                )
                return redirect("cascades:board", office_slug=office.slug, cascade_id=cascade.pk)
        status = 400
    preview_text = request.POST.get("text", text) if request.method == "POST" else text
    preview_office = _chosen_preview(request, offices)
    return render(
        request,
        "coordination/cascade_new.html",
        {
            "office": office,
            "source": source,
            "source_kind": "artikel" if isinstance(source, Article) else "unggahan",
            "source_url": back,
            "form": form,
            "groups": offices_by_province(offices),
            "chosen": form.chosen_ids() if request.method == "POST" else set(),
            **_preview(preview_text, preview_office),
            "nav_active": "content",
        },
        status=status,
    )


def _chosen_preview(request: AuthenticatedHttpRequest, offices: list[Office]) -> Office | None:
    data = request.POST if request.method == "POST" else request.GET
    wanted = paging.page_number(data.get("preview_office"), default=0)
    by_pk = {o.pk: o for o in offices}
    return by_pk.get(wanted) or (offices[0] if offices else None)


@office_view("cascade.send")
@require_POST
def cascade_preview(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    """The send form's live preview (htmx): the text as being written, for one office below."""
    form = PreviewForm(request.POST, receiving=receiving_offices(office=office))
    text = ""
    target: Office | None = None
    if form.is_valid():
        text = form.cleaned_data["text"] or ""
        target = form.cleaned_data["preview_office"]
    return render(request, "coordination/cascade_preview.html", {"office": office, **_preview(text, target)})


# --------------------------------------------------------------------------------------------
# The cascades of an office and one cascade's board


@office_view("content.view")
@require_GET
def cascade_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    in_between = office.parent_id is not None and office.level == Office.Level.PROVINSI
    return render(
        request,
        "coordination/cascade_list.html",
        {
            "office": office,
            "sent": cascade_list_sent(actor=request.user, office=office),
            "from_above": cascade_list_from_above(actor=request.user, office=office) if in_between else [],
            "sends": cascade_can_send_from(office=office),
            "receives": office.parent_id is not None,
            "nav_active": "content",
        },
    )


def _board(request: AuthenticatedHttpRequest, office: Office, cascade_id: int) -> Board:
    cascade = cascade_get_for_board(actor=request.user, office=office, cascade_id=cascade_id)
    return cascade_board(
        actor=request.user, office=office, cascade=cascade, filters=BOARD.filters(request.GET)
    )


@office_view("content.view")
@require_GET
def cascade_board_view(request: AuthenticatedHttpRequest, office: Office, cascade_id: int) -> HttpResponse:
    board = _board(request, office, cascade_id)
    cascade = board.cascade
    return board_page(
        request,
        board,
        spec=BOARD,
        template="coordination/cascade_board.html",
        context={
            "cascade": cascade,
            "board_url": reverse(
                "cascades:board", kwargs={"office_slug": office.slug, "cascade_id": cascade.pk}
            ),
            "csv_url": reverse(
                "cascades:board_csv", kwargs={"office_slug": office.slug, "cascade_id": cascade.pk}
            ),
            "source_url": _source_url(cascade.office, cascade.source) if not board.read_only else "",
            "published": PUBLISHED,
            "nav_active": "content",
        },
    )


@office_view("content.view")
@require_GET
def cascade_board_csv(request: AuthenticatedHttpRequest, office: Office, cascade_id: int) -> HttpResponse:
    """The board as CSV, one row per receiving office (the filters and order of the page)."""
    board = _board(request, office, cascade_id)

    def cells(row: BoardRow) -> list[object]:
        target = row.target
        return [
            target.decided_by.get_full_name() if target.decided_by else "",
            csv_time(target.decided_at, office),
            target.decline_reason,
            csv_time(row.published_at, office),
            " ".join(url for _channel, url in row.links),
        ]

    return board_csv(
        request,
        board,
        filename=f"teruskan-{board.cascade.pk}-{office.slug}.csv",
        columns=[
            _("Diputuskan oleh"),
            _("Diputuskan pada"),
            _("Alasan menolak"),
            _("Terbit pada"),
            _("Tautan terbit"),
        ],
        cells=cells,
    )


# --------------------------------------------------------------------------------------------
# The receiving office


@office_view("content.view")
@require_GET
def cascade_queue(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    page = Paginator(cascade_queue_for_office(actor=request.user, office=office), QUEUE_PAGE_SIZE).get_page(
        paging.page_number(request.GET.get("page"))
    )
    values = cascade_field_values(office=office)
    return render(
        request,
        "coordination/cascade_queue.html",
        {
            "office": office,
            "page": page,
            # Each item's text as this office would publish it.
            "items": [
                (target, cascade_text_resolve(text=target.cascade.text, office=office, values=values).text)
                for target in page
            ],
            "now": timezone.now(),
            "can_respond": policy.can(request.user, "cascade.respond", office),
            "nav_active": "content",
        },
    )


def _target_page(
    request: AuthenticatedHttpRequest,
    office: Office,
    target: CascadeTarget,
    *,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_respond = (
        policy.can(request.user, "cascade.respond", office) and target.status == CascadeTarget.Status.PENDING
    )
    resolved = cascade_text_resolve(text=target.cascade.text, office=office)
    channels = channel_list_for_publishing(office=office) if can_respond else None
    return render(
        request,
        "coordination/cascade_target.html",
        {
            "office": office,
            "target": target,
            "cascade": target.cascade,
            "resolved": resolved,
            "can_respond": can_respond,
            "adopt_form": ChannelsForm(
                channels=channels, initial={"channels": list(channels)}, auto_id="adopt-%s"
            )
            if channels is not None
            else None,
            "decline_form": decline_form or DeclineForm(auto_id="decline-%s"),
            "now": timezone.now(),
            "nav_active": "content",
        },
        status=status,
    )


@office_view("content.view")
@require_GET
def cascade_target_view(request: AuthenticatedHttpRequest, office: Office, target_id: int) -> HttpResponse:
    target = cascade_target_get(actor=request.user, office=office, target_id=target_id)
    return _target_page(request, office, target)


@office_view("cascade.respond")
@require_POST
def cascade_adopt_view(request: AuthenticatedHttpRequest, office: Office, target_id: int) -> HttpResponse:
    target = cascade_target_get(actor=request.user, office=office, target_id=target_id)
    form = ChannelsForm(request.POST, channels=channel_list_for_publishing(office=office))
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors.get("channels", [])))
        return redirect("cascades:target", office_slug=office.slug, target_id=target.pk)
    try:
        adopted = cascade_adopt(
            actor=request.user, target=target, channels=list(form.cleaned_data["channels"])
        )
    except CascadeError as exc:
        messages.error(request, str(exc))
        return redirect("cascades:target", office_slug=office.slug, target_id=target.pk)
    messages.success(request, _("Diadopsi dan mulai diterbitkan; status tiap kanal tampil di bawah."))
    return redirect("publishing:detail", office_slug=office.slug, post_id=adopted.post_id)


@office_view("cascade.respond")
@require_POST
def cascade_adapt_view(request: AuthenticatedHttpRequest, office: Office, target_id: int) -> HttpResponse:
    target = cascade_target_get(actor=request.user, office=office, target_id=target_id)
    try:
        adapted = cascade_adapt(actor=request.user, target=target)
    except CascadeError as exc:
        messages.error(request, str(exc))
        return redirect("cascades:target", office_slug=office.slug, target_id=target.pk)
    messages.success(
        request,
        _("Draf dibuat dari konten kantor atasan. Sesuaikan, lalu kirim untuk disetujui di kantor ini."),
    )
    return redirect("publishing:edit", office_slug=office.slug, post_id=adapted.post_id)


@office_view("cascade.respond")
@require_POST
def cascade_decline_view(request: AuthenticatedHttpRequest, office: Office, target_id: int) -> HttpResponse:
    target = cascade_target_get(actor=request.user, office=office, target_id=target_id)
    form = DeclineForm(request.POST, auto_id="decline-%s")
    if form.is_valid():
        try:
            cascade_decline(actor=request.user, target=target, reason=form.cleaned_data["reason"])
        except CascadeError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("Ditolak. Kantor pengirim membaca alasan Anda di papannya."))
            return redirect("cascades:queue", office_slug=office.slug)
    return _target_page(request, office, target, decline_form=form, status=400)


# --------------------------------------------------------------------------------------------
# Auto-publish (Pengaturan)


@office_view("channel.view")
@require_http_methods(["GET", "POST"])
def cascade_auto_publish_view(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    if office.parent_id is None:
        raise Http404("no office above")
    can_manage = policy.can(request.user, "cascade.auto_publish", office)
    setting = cascade_auto_publish_get(office=office)
    channels = channel_list_for_publishing(office=office)
    form = ChannelsForm(
        request.POST if request.method == "POST" else None,
        channels=channels,
        required=False,
        initial={"channels": list(setting.channels.all()) if setting else []},
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = cascade_auto_publish_set(
                actor=request.user, office=office, channels=list(form.cleaned_data["channels"])
            )
        except CascadeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Terbit otomatis aktif: konten baru dari kantor atasan langsung diterbitkan.")
                if saved
                else _("Terbit otomatis dimatikan."),
            )
            return redirect("cascades:auto_publish", office_slug=office.slug)
    return render(
        request,
        "coordination/cascade_auto_publish.html",
        {
            "office": office,
            "form": form,
            "setting": setting,
            "can_manage": can_manage,
            "nav_active": "settings",
        },
        status=400 if form.errors else 200,
    )
