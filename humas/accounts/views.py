from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions

from humas.web import limits
from humas.web.origins import backoffice_origin
from humas.web.requestcontext import request_client_ip

from . import passkeys, throttle, twofactor
from . import reauth as reauth_module
from .forms import (
    WRONG_CODE,
    LoginForm,
    PasskeyNameForm,
    PasswordResetForm,
    ReauthForm,
    RecoveryCodeForm,
    SetPasswordForm,
    TotpCodeForm,
)
from .http import AuthenticatedHttpRequest
from .models import User
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
    form_class = PasswordResetForm
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
    form_class = SetPasswordForm
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
    # A code is a proof for someone with an authenticator app (its recovery codes work there too).
    with_code = twofactor.has_authenticator_app(request.user)
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
    """The person's own second-factor page: whether it is on, and what they can do with it: the
    authenticator app, the recovery codes, the passkeys."""
    user = request.user
    enrolled = twofactor.has_device(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": enrolled,
            "authenticator_app": twofactor.has_authenticator_app(user),
            "verified": twofactor.is_verified(user),
            "required": twofactor.required_for(request),
            "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
            "passkeys": list(passkeys.passkeys_of(user)),
            "passkeys_available": passkeys.available(),
        },
    )


@login_required
def two_factor_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code and the secret written out, confirmed with a first code;
    then the ten recovery codes, once. Replacing an app someone already has (or adding one beside a
    passkey) needs a second factor they have (a verified session) and a recent proof."""
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
            # A person who cannot use an authenticator app may enrol a passkey instead.
            "passkeys_available": passkeys.available() and not twofactor.has_device(user),
        },
        status=status,
    )


@login_required
def two_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second-factor page after the password: a passkey (with JavaScript), a current code from
    the app, or a recovery code."""
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
    with_passkey = passkeys.available() and passkeys.has_passkey(user)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": totp_form,
            "recovery_form": recovery_form,
            "next": next_url,
            "authenticator_app": twofactor.has_authenticator_app(user),
            "with_passkey": with_passkey,
            "passkey_config": _passkey_config(request, "verify", next_url) if with_passkey else None,
        },
        status=status,
    )


@login_required
@reauth_module.recent_auth_required
def two_factor_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a new set of recovery codes (the old ones stop working); shown once. With ``next`` (the
    first passkey of someone enrolling), the codes page goes on there."""
    user = request.user
    if not twofactor.has_device(user) or not twofactor.is_verified(user):
        return redirect("accounts:two_factor")
    has_next = bool(request.POST.get("next") or request.GET.get("next"))
    next_url = _safe_next(request) if has_next else reverse("accounts:two_factor")
    if request.method == "POST":
        codes = twofactor.recovery_codes_renew(user=user)
        return _recovery_codes_page(request, codes, next_url)
    return render(
        request,
        "accounts/two_factor_recovery.html",
        {"codes_left": twofactor.recovery_codes_left(user), "next": next_url if has_next else ""},
    )


@login_required
@reauth_module.recent_auth_required
def two_factor_disable(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Turn off one's own second factor (the authenticator app, the recovery codes and every
    passkey): only when the policy does not require it, from a verified session and after a recent
    proof."""
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
    return render(
        request,
        "accounts/two_factor_disable.html",
        {"required": False, "with_passkeys": passkeys.has_passkey(user)},
    )


# --- Passkeys: /accounts/two-factor/passkeys/ -----------------------------------------------------
#
# The pages (add, remove) are ordinary views; the ceremonies are the package's JSON views,
# subclassed for Humas's rules and answers, and driven by accounts/static/accounts/passkeys.js.


def _passkey_config(request: HttpRequest, ceremony: str, next_url: str) -> dict[str, str]:
    """What passkeys.js needs, given to it through json_script (no inline script: the CSP)."""
    query = urlencode({"next": next_url})
    return {
        "beginUrl": reverse(f"accounts:passkey_{ceremony}_begin"),
        "completeUrl": f"{reverse(f'accounts:passkey_{ceremony}_complete')}?{query}",
        "csrfToken": get_token(request),
    }


@login_required
@reauth_module.recent_auth_required
def passkey_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Add a passkey: its name, then the browser's own dialogue (passkeys.js). As for a new
    authenticator app, someone who already has a second factor needs a verified session; everyone
    needs a recent proof (a password or code just given)."""
    user = request.user
    next_url = _safe_next(request) if request.GET.get("next") else reverse("accounts:two_factor")
    if twofactor.has_device(user) and not twofactor.is_verified(user):
        return redirect(_with_next("accounts:two_factor_verify", request.get_full_path()))
    available = passkeys.available()
    return render(
        request,
        "accounts/two_factor_passkey_add.html",
        {
            "form": PasskeyNameForm(initial={"name": ""}),
            "available": available,
            "next": next_url,
            "passkey_config": _passkey_config(request, "register", next_url) if available else None,
        },
        status=200 if available else 404,
    )


@login_required
@reauth_module.recent_auth_required
def passkey_remove(request: AuthenticatedHttpRequest, passkey_id: int) -> HttpResponse:
    """Remove one of one's own passkeys, from a verified session and after a recent proof. The last
    second factor of someone who must have one cannot go (as turning it off is refused)."""
    user = request.user
    passkey = get_object_or_404(WebAuthnCredential, pk=passkey_id, user=user, confirmed=True)
    if not twofactor.is_verified(user):
        return redirect(_with_next("accounts:two_factor_verify", request.get_full_path()))
    required = twofactor.required_for(request)
    last = not passkeys.other_factor_exists(user=user, passkey=passkey)
    template = "accounts/two_factor_passkey_remove.html"
    if last and required:
        return render(request, template, {"passkey": passkey, "refused": True}, status=403)
    if request.method == "POST":
        if passkeys.passkey_remove(user=user, passkey=passkey, required=required):
            messages.success(request, _("Passkey “%(name)s” dihapus.") % {"name": passkey.name})
            return redirect("accounts:two_factor")
        return render(request, template, {"passkey": passkey, "refused": True}, status=403)
    return render(request, template, {"passkey": passkey, "refused": False, "last": last})


def _person(request: HttpRequest) -> User:
    """The person of a ceremony endpoint: the package's views refuse anyone not signed in first."""
    return cast(User, request.user)


class PasskeysUnavailable(webauthn_errors.OTPWebAuthnApiError):
    status_code = 404
    default_code = "passkeys_unavailable"


class ReauthRequired(webauthn_errors.OTPWebAuthnApiError):
    status_code = 403
    default_code = "reauth_required"


class InvalidPasskeyName(webauthn_errors.OTPWebAuthnApiError):
    status_code = 400
    default_code = "invalid_name"


# The package answers in English; these are the answers people read (by the package's error code).
PASSKEY_ERRORS = {
    "passkeys_unavailable": gettext_lazy("Passkey tidak tersedia di alamat ini."),
    "reauth_required": gettext_lazy("Konfirmasi dulu bahwa ini Anda, lalu ulangi."),
    "invalid_name": gettext_lazy("Beri passkey ini nama (paling banyak 64 karakter)."),
    "not_authenticated": gettext_lazy("Sesi Anda sudah berakhir. Masuk lagi."),
    "passwordless_login_disabled": gettext_lazy("Sesi Anda sudah berakhir. Masuk lagi."),
    "user_not_verified": gettext_lazy("Verifikasi dulu dengan faktor kedua yang sudah Anda punya."),
    "invalid_state": gettext_lazy("Permintaan passkey kedaluwarsa. Coba lagi."),
    "credential_not_found": gettext_lazy("Passkey ini tidak terdaftar untuk akun Anda."),
    "credential_user_mismatch": gettext_lazy("Passkey ini tidak terdaftar untuk akun Anda."),
    "credential_disabled": gettext_lazy("Passkey ini tidak terdaftar untuk akun Anda."),
}


class PasskeyApiMixin:
    """Humas's answers for the package's JSON endpoints: refusals carry an Indonesian ``detail``
    (and the package's ``code``); a missing recent proof carries where to give it."""

    request: HttpRequest
    failure: Any = ""

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if not isinstance(exc, webauthn_errors.OTPWebAuthnApiError):
            raise exc
        body: dict[str, Any] = {"detail": str(PASSKEY_ERRORS.get(exc.code, self.failure)), "code": exc.code}
        if isinstance(exc, ReauthRequired):
            back = reverse("accounts:passkey_add")
            body["redirect_url"] = f"{reverse('accounts:reauth')}?{urlencode({'next': back})}"
        return JsonResponse(body, status=exc.status_code)


class PasskeyRegistrationMixin(PasskeyApiMixin):
    failure = gettext_lazy("Passkey tidak dapat ditambahkan. Coba lagi.")

    def check_can_register(self) -> None:
        # The package has already refused an anonymous person, and one who has a second factor
        # but has not used it in this session.
        if not passkeys.available():
            raise PasskeysUnavailable()
        if not reauth_module.recently_authenticated(self.request):
            raise ReauthRequired()


class PasskeyRegisterBegin(PasskeyRegistrationMixin, webauthn_views.BeginCredentialRegistrationView):
    """POST: the options for the browser's navigator.credentials.create()."""


class PasskeyRegisterComplete(PasskeyRegistrationMixin, webauthn_views.CompleteCredentialRegistrationView):
    """POST {"name": ..., "credential": <the browser's answer>}: verified and stored by the package,
    named and audited here. A first second factor verifies the session and leads on to making
    recovery codes."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        user = _person(request)
        state = self.get_state()  # taken out of the session first: never used twice
        data = getattr(request, "data", None)
        credential = data.get("credential") if isinstance(data, dict) else None
        if not isinstance(credential, dict):
            raise webauthn_errors.MalformedRequest()
        form = PasskeyNameForm({"name": data.get("name", "")} if isinstance(data, dict) else {})
        if not form.is_valid():
            raise InvalidPasskeyName()
        needs_codes = not twofactor.has_recovery_codes(user)
        with rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()):
            passkey = passkeys.passkey_register(
                user=user,
                helper=self.get_helper(),
                state=state,
                credential=credential,
                name=form.cleaned_data["name"],
            )
        if not twofactor.is_verified(user):
            otp_login(request, passkey)
        messages.success(request, _("Passkey “%(name)s” ditambahkan.") % {"name": passkey.name})
        next_url = _safe_next(request)
        if needs_codes:
            next_url = _with_next("accounts:two_factor_recovery_codes", next_url)
        return JsonResponse({"id": passkey.pk, "redirect_url": next_url})


class PasskeyVerificationMixin(PasskeyApiMixin):
    failure = gettext_lazy("Passkey tidak dapat diverifikasi. Coba lagi.")

    def check_can_authenticate(self) -> None:
        if not passkeys.available():
            raise PasskeysUnavailable()
        # Signed in with the password (passwordless sign-in is off: anyone else is refused).
        super().check_can_authenticate()  # type: ignore[misc]

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        # Wrong answers share the per-person limit of wrong codes.
        wait = twofactor.code_blocked(_person(self.request))
        if wait is not None:
            return limits.too_many(self.request, wait)
        return super().post(*args, **kwargs)  # type: ignore[misc]


class PasskeyVerifyBegin(PasskeyVerificationMixin, webauthn_views.BeginCredentialAuthenticationView):
    """POST: the options for the browser's navigator.credentials.get(), naming the person's passkeys."""


class PasskeyVerifyComplete(PasskeyVerificationMixin, webauthn_views.CompleteCredentialAuthenticationView):
    """POST <the browser's answer>: checked by the package (signature, challenge, origin, the
    relying party, the sign count); the session is verified with the passkey, as with a code."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(*args, **kwargs)
        except webauthn_errors.OTPWebAuthnApiError as exc:
            if not isinstance(exc, webauthn_errors.InvalidState):
                passkeys.passkey_failed(user=_person(self.request))
            raise

    def complete_auth(self, device: Any) -> Any:
        super().complete_auth(device)  # otp_login: the session is verified with this passkey
        reauth_module.mark_authenticated(self.request)
        passkeys.passkey_used(user=_person(self.request), passkey=device)

    def get_success_url(self) -> str:
        return _safe_next(self.request)
