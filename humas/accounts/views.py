from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from humas.web import limits
from humas.web.origins import backoffice_origin
from humas.web.requestcontext import request_client_ip

from . import reauth as reauth_module
from . import throttle, twofactor
from .forms import WRONG_CODE, LoginForm, ReauthForm, RecoveryCodeForm, TotpCodeForm
from .http import AuthenticatedHttpRequest
from .signals import reauthenticated as audit_signal_reauth
from .signals import signed_in


class LoginView(auth_views.LoginView):
    form_class = LoginForm  # type: ignore[assignment]
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if twofactor.has_device(user):
            # The password was the first factor; the session is verified on the code page.
            response = redirect(_with_next("accounts:two_factor_verify", self.get_success_url()))
        signed_in.send(sender=type(self), user=user)
        throttle.remember_account(self.request, response, user.email)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        wait = getattr(form, "retry_after", None)
        if wait is not None:
            # The form again, with the message, as a 429 that says when to retry.
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response


class AdminLoginView(LoginView):
    """The Django admin signs in through the same form, throttle and audit as everyone else (its
    own login view would be a side door around them). A signed-in person without admin access is
    told so instead of being sent back and forth between the admin and this page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_staff):
            return render(request, "accounts/no_admin_access.html", status=403)
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Each request may send an e-mail: limited per address and per e-mail it names, counted
        # whether or not the account exists (so the limit reveals nothing either).
        window = 3600
        email = str(request.POST.get("email", "")).strip().lower()[:254]
        waits = [
            limits.hit(
                limits.Limit("reset-address", settings.HUMAS_RESET_EMAILS_PER_IP, window),
                request_client_ip(request) or "",
            ),
            limits.hit(limits.Limit("reset-email", settings.HUMAS_RESET_EMAILS_PER_ACCOUNT, window), email),
        ]
        found = [w for w in waits if w is not None]
        if found:
            return limits.too_many(request, max(found))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        # The e-mailed link's origin is the configured back office, never the request's Host: a
        # forged Host would otherwise send the owner a reset link to someone else's server.
        origin = urlsplit(backoffice_origin())
        self.extra_email_context = {"protocol": origin.scheme, "domain": origin.netloc}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


REAUTH_FAILURES = limits.Limit("reauth", 5, 15 * 60)


@login_required
def reauth(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm the password (again) before a sensitive action; back to ``next`` afterwards."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("core:home")
    with_code = twofactor.has_device(request.user)
    form = ReauthForm(request.POST or None, user=request.user, with_code=with_code)
    if request.method == "POST":
        waits = [limits.blocked(REAUTH_FAILURES, str(request.user.pk))]
        if request.POST.get("code"):
            waits.append(twofactor.code_blocked(request.user))
        found = [w for w in waits if w is not None]
        if found:
            return limits.too_many(request, max(found))
        if form.is_valid():
            limits.reset(REAUTH_FAILURES, str(request.user.pk))
            if form.device is not None:
                otp_login(request, form.device)
            reauth_module.mark_authenticated(request)
            audit_signal_reauth.send(sender=ReauthForm, user=request.user)
            return redirect(next_url)
        limits.hit(REAUTH_FAILURES, str(request.user.pk))
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "next": next_url, "with_code": with_code},
        status=400 if form.errors else 200,
    )


# --- The second factor: /accounts/two-factor/ ---------------------------------------------------


def _safe_next(request: HttpRequest) -> str:
    """The page to go on to afterwards, when it is ours; else the back office's home."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("core:home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _recovery_codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The new recovery codes, shown this once (the answer to the POST that made them)."""
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    text = "\n".join(
        [
            str(_("Kode pemulihan Humas untuk %(email)s") % {"email": request.user.get_username()}),
            str(_("Setiap kode hanya berlaku satu kali.")),
            "",
            *shown,
            "",
        ]
    )
    return render(
        request, "accounts/two_factor_codes.html", {"codes": shown, "codes_text": text, "next": next_url}
    )


@login_required
def two_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own second-factor page: whether it is on, and what they can do with it."""
    user = request.user
    enrolled = twofactor.has_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": enrolled,
            "verified": twofactor.is_verified(user),
            "required": twofactor.required_for(request),
            "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
        },
    )


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code and the secret written out, confirmed with a first code;
    then the ten recovery codes, once. Replacing an app someone already has needs the old one (a
    verified session) and a recent proof."""
    user = request.user
    next_url = _safe_next(request)
    if twofactor.has_device(user):
        if not twofactor.is_verified(user):
            return redirect(_with_next("accounts:two_factor_verify", request.get_full_path()))
        if not reauth_module.recently_authenticated(request):
            return redirect(reauth_module.reauth_url(request))
    device = twofactor.totp_device_pending(user)
    form = TotpCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = twofactor.code_blocked(user)
        if wait is not None:
            return limits.too_many(request, wait)
        if form.is_valid():
            codes = twofactor.totp_confirm(user=user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                otp_login(request, device)
                reauth_module.mark_authenticated(request)
                return _recovery_codes_page(request, codes, next_url)
            form.add_error("code", WRONG_CODE)
        status = 400
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_groups(device),
            "required": twofactor.required_for(request),
        },
        status=status,
    )


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The code page after the password: a current code from the app, or a recovery code."""
    user = request.user
    next_url = _safe_next(request)
    if not twofactor.has_device(user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    totp_form = TotpCodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryCodeForm(request.POST if "recovery_code" in request.POST else None)
    status = 200
    if request.method == "POST":
        wait = twofactor.code_blocked(user)
        if wait is not None:
            return limits.too_many(request, wait)
        form: TotpCodeForm | RecoveryCodeForm = (
            recovery_form if "recovery_code" in request.POST else totp_form
        )
        if form.is_valid():
            field = "recovery_code" if form is recovery_form else "code"
            device = twofactor.code_verify(user=user, code=form.cleaned_data[field])
            if device is not None:
                otp_login(request, device)
                reauth_module.mark_authenticated(request)
                if form is recovery_form:
                    left = twofactor.recovery_codes_left(user)
                    messages.warning(
                        request,
                        _(
                            "Kode pemulihan dipakai. Sisa %(n)d kode; buat kode baru di halaman verifikasi dua langkah."
                        )
                        % {"n": left},
                    )
                return redirect(next_url)
            form.add_error(
                field,
                WRONG_CODE if form is totp_form else _("Kode pemulihan salah atau sudah dipakai."),
            )
        status = 400
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": totp_form, "recovery_form": recovery_form, "next": next_url},
        status=status,
    )


@login_required
@reauth_module.recent_auth_required
def two_factor_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a new set of recovery codes (the old ones stop working); shown once."""
    user = request.user
    if not twofactor.has_device(user) or not twofactor.is_verified(user):
        return redirect("accounts:two_factor")
    if request.method == "POST":
        codes = twofactor.recovery_codes_renew(user=user)
        return _recovery_codes_page(request, codes, reverse("accounts:two_factor"))
    return render(
        request,
        "accounts/two_factor_recovery.html",
        {"codes_left": twofactor.recovery_codes_left(user)},
    )


@login_required
@reauth_module.recent_auth_required
def two_factor_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn off one's own second factor: only when the policy does not require it, from a verified
    session and after a recent proof."""
    user = request.user
    if twofactor.required_for(request):
        return render(request, "accounts/two_factor_disable.html", {"required": True}, status=403)
    if not twofactor.has_device(user):
        return redirect("accounts:two_factor")
    if not twofactor.is_verified(user):
        return redirect(_with_next("accounts:two_factor_verify", request.get_full_path()))
    if request.method == "POST":
        twofactor.two_factor_disable(user=user)
        messages.success(request, _("Verifikasi dua langkah dimatikan."))
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_disable.html", {"required": False})
