"""Where an office's narrative alerts go besides the bell and e-mail: its Telegram staff chat."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.channels.models import Channel
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import office_view

from ..alert_chats import (
    CHAT_ID_MAX,
    AlertChatError,
    alert_chat_for_office,
    alert_chat_remove,
    alert_chat_save,
    alert_chat_test,
    alert_deliveries_recent,
    telegram_channels,
)


class AlertChatForm(forms.Form):
    channel = forms.ModelChoiceField(
        label=gettext_lazy("Bot dari kanal Telegram"),
        queryset=Channel.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("Bot kanal ini yang mengirim peringatan; tokennya tidak disalin."),
    )
    chat_id = forms.CharField(
        label=gettext_lazy("Obrolan Telegram"),
        max_length=CHAT_ID_MAX,
        help_text=gettext_lazy(
            "ID grup staf (misalnya -1001234567890) atau @nama_grup. Tambahkan bot itu ke grup lebih dulu."
        ),
    )
    include_below = forms.BooleanField(
        label=gettext_lazy("Juga peringatan kantor di bawah kantor ini"), required=False
    )
    is_active = forms.BooleanField(label=gettext_lazy("Aktif"), required=False, initial=True)

    def __init__(self, *args: object, office: Office, below: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        channel_field = self.fields["channel"]
        assert isinstance(channel_field, forms.ModelChoiceField)  # noqa: S101 - declared above
        channel_field.queryset = telegram_channels(office=office)
        if not below:
            del self.fields["include_below"]


@office_view("monitoring.view")
@require_http_methods(["GET", "POST"])
def alert_chat(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    can_manage = policy.can(request.user, "monitoring.manage_sources", office)
    chat = alert_chat_for_office(actor=request.user, office=office)
    below = Office.objects.filter(parent=office).exists()
    initial = (
        {
            "channel": chat.channel_id,
            "chat_id": chat.chat_id,
            "include_below": chat.include_below,
            "is_active": chat.is_active,
        }
        if chat
        else {"is_active": True}
    )
    form = AlertChatForm(request.POST or None, initial=initial, office=office, below=below)
    if request.method == "POST":
        policy.require(request.user, "monitoring.manage_sources", office)
        if form.is_valid():
            try:
                alert_chat_save(
                    actor=request.user,
                    office=office,
                    channel=form.cleaned_data["channel"],
                    chat_id=form.cleaned_data["chat_id"],
                    include_below=bool(form.cleaned_data.get("include_below")),
                    is_active=bool(form.cleaned_data.get("is_active")),
                )
            except AlertChatError as error:
                form.add_error("chat_id", str(error))
            else:
                messages.success(
                    request, _("Obrolan peringatan disimpan. Kirim pesan uji untuk memastikannya.")
                )
                return redirect("monitoring:alert_chat", office_slug=office.slug)
    return render(
        request,
        "monitoring/alert_chat.html",
        {
            "office": office,
            "chat": chat,
            "form": form,
            "has_channels": telegram_channels(office=office).exists(),
            "deliveries": alert_deliveries_recent(actor=request.user, office=office),
            "can_manage": can_manage,
            "nav_active": "monitoring",
        },
    )


@office_view("monitoring.manage_sources")
@require_POST
def alert_chat_test_view(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    try:
        alert_chat_test(actor=request.user, office=office)
    except AlertChatError as error:
        messages.error(request, _("Pesan uji tidak terkirim: %(reason)s") % {"reason": error})
    else:
        messages.success(request, _("Pesan uji terkirim. Periksa grup Telegram-nya."))
    return redirect("monitoring:alert_chat", office_slug=office.slug)


@office_view("monitoring.manage_sources")
@require_POST
def alert_chat_remove_view(request: AuthenticatedHttpRequest, office: Office) -> HttpResponse:
    if alert_chat_remove(actor=request.user, office=office):
        messages.success(request, _("Peringatan tidak lagi dikirim ke Telegram."))
    return redirect("monitoring:alert_chat", office_slug=office.slug)
