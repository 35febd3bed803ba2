"""The person's notifications: the list behind the bell, mark one or all read, open one."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.offices.models import Office
from humas.offices.officecontext import office_view
from humas.web import paging

from .models import Notification
from .selectors import notification_get_for_user, notification_list_for_user
from .services import notification_link_is_internal, notifications_mark_read


def _to_list(office: Office) -> HttpResponse:
    return redirect("notifications:list", office_slug=office.slug)


def _mark_read(request: AuthenticatedHttpRequest, notification_id: int) -> Notification:
    """The person's own notification, now marked read; anyone else's (or none) is a 404."""
    notification = notification_get_for_user(user=request.user, notification_id=notification_id)
    if notification is None:
        raise Http404("notification")
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return notification


@office_view()
def notification_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    page_number = request.GET.get("page", "1")
    page = Paginator(notification_list_for_user(user=request.user), 30).get_page(
        paging.page_number(page_number)
    )
    return render(
        request,
        "notifications/list.html",
        {"office": office, "page": page, "nav_active": "notifications"},
    )


@require_POST
@office_view()
def notification_read(
    request: AuthenticatedHttpRequest, office: Office, notification_id: int
) -> HttpResponse:
    _mark_read(request, notification_id)
    return _to_list(office)


@require_POST
@office_view()
def notification_open(
    request: AuthenticatedHttpRequest, office: Office, notification_id: int
) -> HttpResponse:
    """Mark read and go where the notification points (always a path inside Humas)."""
    notification = _mark_read(request, notification_id)
    if notification.link and notification_link_is_internal(notification.link):
        return redirect(notification.link)
    return _to_list(office)


@require_POST
@office_view()
def notification_read_all(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("Semua notifikasi ditandai sudah dibaca."))
    return _to_list(office)
