from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from humas.accounts.http import AuthenticatedHttpRequest
from humas.accounts.reauth import recent_auth_required
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.officecontext import activate_office, office_view

from . import oauth
from .connect import channel_check_health, channel_connect_token
from .forms import ConnectForm, OfficialAccountForm
from .models import API_PLATFORMS, Channel, Platform
from .selectors import channel_list_for_office
from .services import ChannelError, channel_confirm_authorised_identity, channel_create, channel_deactivate


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
    channels = list(channel_list_for_office(actor=request.user, office=office))
    for channel in channels:
        channel.identity_warning_text = identity_warning(channel)  # type: ignore[attr-defined]
    return render(
        request,
        "channels/list.html",
        {
            "office": office,
            "channels": channels,
            "form": form,
            "can_manage": can_manage,
            "nav_active": "settings",
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@office_view("channel.manage")
@recent_auth_required
def channel_remove(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    channel = Channel.objects.filter(pk=channel_id, office=office).first()
    if channel is None:
        raise Http404("channel")
    channel_deactivate(actor=request.user, channel=channel)
    messages.success(request, _("Kanal dinonaktifkan."))
    return redirect("channels:list", office_slug=office.slug)


GUIDES: dict[str, object] = {
    Platform.FACEBOOK: _lazy(
        "Yang dibutuhkan: hak admin Halaman Facebook kantor; aplikasi Meta milik kantor atau aplikasi bersama KPU; "
        "token akses Halaman (bukan token pengguna) dengan izin pages_manage_posts dan pages_read_engagement. "
        "ID Halaman ada di Tentang → Transparansi Halaman."
    ),
    Platform.INSTAGRAM: _lazy(
        "Yang dibutuhkan: akun Instagram profesional yang terhubung ke Halaman Facebook kantor; token dengan izin "
        "instagram_basic dan instagram_content_publish; ID pengguna Instagram (IG user ID)."
    ),
    Platform.X: _lazy(
        "Yang dibutuhkan: token OAuth 2.0 akun X kantor dengan cakupan tweet.read, tweet.write dan users.read. "
        "ID pengguna terisi sendiri setelah diperiksa."
    ),
    Platform.TELEGRAM: _lazy(
        "Yang dibutuhkan: bot dari @BotFather yang dijadikan admin kanal dengan izin memposting; token bot; "
        "ID kanal (@namakanal atau -100…)."
    ),
}


def _channel_of(office: Office, channel_id: int) -> Channel:
    channel = Channel.objects.filter(pk=channel_id, office=office).select_related("office").first()
    if channel is None:
        raise Http404("channel")
    return channel


def identity_warning(channel: Channel) -> str:
    """What the channel's Administrators read when the connected account is not the declared one."""
    mismatch = channel.identity_mismatch
    if mismatch is None:
        return ""
    return _(
        "Akun yang dihubungkan, %(authorised)s, berbeda dari akun resmi yang ditetapkan, %(declared)s. "
        "Halaman publik tetap menampilkan akun yang ditetapkan sampai seorang Administrator mengonfirmasi "
        "perubahan; bila keliru, hubungkan ulang dengan akun resmi."
    ) % {"authorised": mismatch.authorised_display, "declared": mismatch.declared_display}


def _connected(
    request: AuthenticatedHttpRequest, office: Office, channel: Channel, warnings: Iterable[str]
) -> HttpResponse:
    """However a channel got connected (pasted token, OAuth, chosen Page), the person hears the
    same and lands on the channel list."""
    messages.success(request, _("Kanal terhubung dan sudah diperiksa."))
    channel.refresh_from_db()
    differs = identity_warning(channel)
    if differs:
        messages.warning(request, differs)
    for warning in warnings:
        messages.warning(request, warning)
    return redirect("channels:list", office_slug=office.slug)


@office_view("channel.manage")
@recent_auth_required
def channel_connect(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    channel = _channel_of(office, channel_id)
    if channel.platform not in API_PLATFORMS:
        raise Http404("assisted channel")
    form = ConnectForm(request.POST or None, initial={"account_id": channel.account_id})
    if request.method == "POST" and form.is_valid():
        try:
            warnings = channel_connect_token(
                actor=request.user,
                channel=channel,
                token=form.cleaned_data["token"],
                account_id=form.cleaned_data["account_id"],
            )
        except ChannelError as exc:
            form.add_error(None, str(exc))
        else:
            return _connected(request, office, channel, warnings)
    return render(
        request,
        "channels/connect.html",
        {
            "office": office,
            "channel": channel,
            "form": form,
            "guide": GUIDES.get(channel.platform, ""),
            "identity_warning": identity_warning(channel),
            "nav_active": "settings",
        },
        status=400 if form.errors else 200,
    )


@require_POST
@office_view("channel.manage")
@recent_auth_required
def channel_identity_confirm(
    request: AuthenticatedHttpRequest, office: Office, channel_id: int
) -> HttpResponse:
    """An Administrator makes the connected account the official one shown to the public."""
    channel = _channel_of(office, channel_id)
    try:
        channel = channel_confirm_authorised_identity(
            actor=request.user, channel=channel, seen=request.POST.get("authorised", "")[:200]
        )
    except ChannelError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Akun resmi %(platform)s kini %(account)s; halaman publik menampilkannya.")
            % {
                "platform": channel.get_platform_display(),
                "account": f"@{channel.handle}" if channel.handle else f"“{channel.name}”",
            },
        )
    return redirect("channels:list", office_slug=office.slug)


@require_POST
@office_view("channel.manage")
def channel_check(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    channel = _channel_of(office, channel_id)
    channel_check_health(channel_id=channel.pk)
    channel.refresh_from_db()
    messages.info(
        request,
        _("%(channel)s: %(health)s") % {"channel": str(channel), "health": channel.get_health_display()},
    )
    return redirect("channels:list", office_slug=office.slug)


# --------------------------------------------------------------------------------------------
# "Siapkan kanal" guides and connecting by OAuth (oauth.py)

GUIDE_PLATFORMS = (Platform.FACEBOOK, Platform.INSTAGRAM, Platform.X, Platform.TELEGRAM)


@office_view("channel.view")
def channel_guide(request: AuthenticatedHttpRequest, office: Office, platform: str) -> HttpResponse:
    if platform not in GUIDE_PLATFORMS:
        raise Http404("platform")
    provider = oauth.provider_of(platform)
    return render(
        request,
        "channels/guide.html",
        {
            "office": office,
            "platform": platform,
            "platform_label": Platform(platform).label,
            "platforms": [(p, Platform(p).label) for p in GUIDE_PLATFORMS],
            "channels": Channel.objects.filter(office=office, platform=platform, is_active=True).order_by(
                "name"
            ),
            "can_manage": policy.can(request.user, "channel.manage", office),
            "oauth_available": oauth.oauth_available(platform),
            "scopes": oauth.META_SCOPES.get(platform) or (oauth.X_SCOPES if platform == Platform.X else ()),
            "callback_url": oauth.redirect_uri(provider=provider, request=request) if provider else "",
            "nav_active": "settings",
        },
    )


@require_POST
@office_view("channel.manage")
@recent_auth_required
def channel_oauth_start(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    channel = _channel_of(office, channel_id)
    provider = oauth.provider_of(channel.platform)
    if provider is None:
        raise Http404("no OAuth for this platform")
    try:
        start = oauth.oauth_start(
            actor=request.user,
            channel=channel,
            redirect_to=oauth.redirect_uri(provider=provider, request=request),
        )
    except ChannelError as exc:
        messages.error(request, str(exc))
        return redirect("channels:guide", office_slug=office.slug, platform=channel.platform)
    oauth.pending_save(request.session, start)
    return redirect(start.url)


@login_required
def channel_oauth_callback(request: AuthenticatedHttpRequest, provider: str) -> HttpResponse:
    """Where Facebook and X send the person back. The office and channel come from the state
    kept in this person's session, never from the query."""
    if provider not in ("meta", "x"):
        raise Http404("provider")
    pending = oauth.pending_take(request.session, request.GET.get("state", "")[:200])
    if pending is None or pending.get("provider") != provider or pending.get("user") != request.user.pk:
        messages.error(
            request,
            _(
                "Permintaan otorisasi ini tidak dikenal, sudah dipakai, atau kedaluwarsa; tidak ada yang disimpan. "
                "Mulai lagi dari panduan kanal."
            ),
        )
        return redirect("core:home")
    channel = oauth.oauth_channel(pending=pending)
    if channel is None:
        messages.error(request, _("Kanal ini sudah tidak ada atau dinonaktifkan."))
        return redirect("core:home")
    office = channel.office
    activate_office(request, office)
    try:
        outcome = oauth.oauth_complete(actor=request.user, pending=pending, params=request.GET)
    except ChannelError as exc:
        messages.error(request, str(exc))
        return redirect("channels:guide", office_slug=office.slug, platform=channel.platform)
    if outcome.pages is not None:
        oauth.pages_save(request.session, channel.pk, outcome.pages)
        return redirect("channels:oauth_pages", office_slug=office.slug, channel_id=channel.pk)
    return _connected(request, office, outcome.channel, outcome.warnings)


@office_view("channel.manage")
def channel_oauth_pages(request: AuthenticatedHttpRequest, office: Office, channel_id: int) -> HttpResponse:
    """The person chooses which of their Pages (or which Page's Instagram account) this channel is."""
    channel = _channel_of(office, channel_id)
    pages = oauth.pages_load(request.session, channel.pk)
    if pages is None:
        messages.error(request, _("Pilihan Halaman sudah kedaluwarsa; mulai lagi dari awal."))
        return redirect("channels:guide", office_slug=office.slug, platform=channel.platform)
    error = ""
    if request.method == "POST":
        try:
            warnings = oauth.oauth_choose_page(
                actor=request.user, channel=channel, pages=pages, page_id=request.POST.get("page_id", "")
            )
        except ChannelError as exc:
            error = str(exc)
        else:
            oauth.pages_clear(request.session)
            return _connected(request, office, channel, warnings)
    # Same shape as channel_connect's, different page: the Pages to choose from, not a token form.
    return render(
        request,
        "channels/oauth_pages.html",
        {
            "office": office,
            "channel": channel,
            "pages": [{k: v for k, v in page.items() if k != "sealed"} for page in pages],
            "instagram": channel.platform == Platform.INSTAGRAM,
            "error": error,
            "nav_active": "settings",
        },
        status=400 if error else 200,
    )
