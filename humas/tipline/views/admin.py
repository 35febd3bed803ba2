"""The tips an office received, for its monitoring desk: ``/app/<office>/monitoring/laporan-warga/``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from humas.accounts.http import AuthenticatedHttpRequest
from humas.channels.connectors.base import ConnectorError
from humas.media.storage import private_storage, read_bytes
from humas.offices.models import NATIONAL_SLUG, Office
from humas.offices.officecontext import office_view
from humas.web.origins import public_url
from humas.web.paging import page_number

from ..models import Tip, TiplineBot
from ..selectors import tip_get_for_office, tip_item, tip_list_for_office
from ..telegram import WEBHOOK_PATH, TiplineError, bot_configure, bot_disable, bot_get, connector

STATUS_PARAM = "status"


@office_view("monitoring.view")
def tip_list(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    status = request.GET.get(STATUS_PARAM, "")
    tips = tip_list_for_office(actor=request.user, office=office, status=status)
    page = Paginator(tips, 25).get_page(page_number(request.GET.get("page")))
    return render(
        request,
        "tipline/admin/tips.html",
        {
            "office": office,
            "page": page,
            "status": status if status in Tip.Status.values else "",
            "statuses": Tip.Status.choices,
            "nav_active": "monitoring",
        },
    )


def _tip(request: AuthenticatedHttpRequest, office: Office, reference: str) -> Tip:
    tip = tip_get_for_office(actor=request.user, office=office, reference=reference)
    if tip is None:
        raise Http404("tip")
    return tip


@office_view("monitoring.view")
def tip_detail(request: AuthenticatedHttpRequest, office: Office, reference: str) -> HttpResponse:
    tip = _tip(request, office, reference)
    return render(
        request,
        "tipline/admin/tip.html",
        {"office": office, "tip": tip, "item": tip_item(tip=tip), "nav_active": "monitoring"},
    )


@office_view("monitoring.view")
def tip_screenshot(
    request: AuthenticatedHttpRequest, office: Office, reference: str, number: int
) -> HttpResponse:
    tip = _tip(request, office, reference)
    shots = list(tip.screenshots.all())
    if not 1 <= number <= len(shots):
        raise Http404("screenshot")
    shot = shots[number - 1]
    response = HttpResponse(read_bytes(storage=private_storage(), name=shot.file), content_type=shot.mime)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{tip.reference}-{number}"'
    return response


class BotForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Token bot dari @BotFather"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Disimpan terenkripsi dan tidak pernah ditampilkan lagi."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Cara menerima pesan"),
        choices=TiplineBot.Mode.choices,
        initial=TiplineBot.Mode.WEBHOOK,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Webhook bila portal dapat dijangkau Telegram lewat HTTPS; long-poll bila tidak (misalnya di jaringan internal)."
        ),
    )


def _national_only(office: Office) -> None:
    if office.slug != NATIONAL_SLUG:
        raise Http404("the tipline bot belongs to KPU RI")


@office_view("channel.manage")
@require_http_methods(["GET", "POST"])
def bot_settings(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    _national_only(office)
    bot = bot_get()
    form = BotForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "disable":
        if bot_disable(actor=request.user):
            messages.success(request, _("Bot Telegram dimatikan."))
        return redirect("tipline_admin:bot", office_slug=office.slug)
    if request.method == "POST" and form.is_valid():
        try:
            bot = bot_configure(
                actor=request.user, token=form.cleaned_data["token"], mode=form.cleaned_data["mode"]
            )
        except TiplineError as error:
            form.add_error("token", str(error))
        else:
            messages.success(request, _("Bot @%(name)s siap menjawab.") % {"name": bot.username})
            return redirect("tipline_admin:bot", office_slug=office.slug)
    info: dict[str, object] = {}
    if bot is not None and bot.mode == TiplineBot.Mode.WEBHOOK:
        api = connector(bot)
        try:
            info = api.webhook_info()
        except ConnectorError as error:
            info = {"last_error_message": error.message_in(get_language() or "id")}
        finally:
            api.close()
    return render(
        request,
        "tipline/admin/bot.html",
        {
            "office": office,
            "bot": bot,
            "form": form,
            "info": info,
            "webhook_url": public_url(WEBHOOK_PATH),
            "nav_active": "settings",
        },
    )
