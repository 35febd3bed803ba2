from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from humas.core.http import AuthenticatedHttpRequest
from humas.core.officecontext import office_view
from humas.offices import policy
from humas.offices.models import Office
from humas.portal import pagecache
from humas.portal.selectors import site_office_get

from .forms import OfficialAccountForm
from .models import Channel, Platform
from .selectors import channel_list_for_office, official_accounts_public
from .services import ChannelError, channel_create, channel_deactivate


@office_view("channel.view")
def channel_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_manage = policy.can(request.user, "channel.manage", office)
    form = OfficialAccountForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                channel_create(actor=request.user, office=office, data=form.to_input())
            except ChannelError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Akun resmi ditambahkan."))
                return redirect("channels:list", office_slug=office.slug)
    return render(
        request,
        "channels/list.html",
        {
            "office": office,
            "channels": channel_list_for_office(actor=request.user, office=office),
            "form": form,
            "can_manage": can_manage,
            "nav_active": "settings",
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@office_view("channel.manage")
def channel_remove(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    channel = Channel.objects.filter(pk=channel_id, office=office).first()
    if channel is None:
        raise Http404("channel")
    channel_deactivate(actor=request.user, channel=channel)
    messages.success(request, _("Kanal dinonaktifkan."))
    return redirect("channels:list", office_slug=office.slug)


def official_accounts(request: HttpRequest, office_slug: str | None = None) -> HttpResponse:
    """Public list of official accounts: an office's own (and those below), or all offices nationally."""
    office = site_office_get(slug=office_slug or getattr(request, "site_office_slug", None))
    query = request.GET.get("q", "")[:80]
    platform = request.GET.get("platform", "")
    platform = platform if platform in Platform.values else ""
    channels = official_accounts_public(office=office, query=query, platform=platform)
    page = Paginator(channels, 100).get_page(
        request.GET.get("page") if str(request.GET.get("page", "1")).isdigit() else 1
    )
    response = render(
        request,
        "channels/official_accounts.html",
        {
            "office": office,
            "page": page,
            "query": query,
            "platform": platform,
            "platforms": Platform.choices,
        },
    )
    return pagecache.finish(request, response)
