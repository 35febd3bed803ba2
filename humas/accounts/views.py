from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from humas.web import limits
from humas.web.requestcontext import request_client_ip

from . import reauth as reauth_module
from . import throttle
from .forms import LoginForm, ReauthForm
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
    form = ReauthForm(request.POST or None, user=request.user)
    if request.method == "POST":
        wait = limits.blocked(REAUTH_FAILURES, str(request.user.pk))
        if wait is not None:
            return limits.too_many(request, wait)
        if form.is_valid():
            limits.reset(REAUTH_FAILURES, str(request.user.pk))
            reauth_module.mark_authenticated(request)
            audit_signal_reauth.send(sender=ReauthForm, user=request.user)
            return redirect(next_url)
        limits.hit(REAUTH_FAILURES, str(request.user.pk))
    return render(
        request, "accounts/reauth.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )
