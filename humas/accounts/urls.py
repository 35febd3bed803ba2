from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("confirm/", views.reauth, name="reauth"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/passkeys/add/", views.passkey_add, name="passkey_add"),
    path("two-factor/passkeys/<int:passkey_id>/remove/", views.passkey_remove, name="passkey_remove"),
    # The ceremonies' JSON endpoints (django-otp-webauthn's views, for passkeys.js).
    path(
        "two-factor/passkeys/register/begin/",
        views.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "two-factor/passkeys/register/complete/",
        views.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path(
        "two-factor/passkeys/verify/begin/", views.PasskeyVerifyBegin.as_view(), name="passkey_verify_begin"
    ),
    path(
        "two-factor/passkeys/verify/complete/",
        views.PasskeyVerifyComplete.as_view(),
        name="passkey_verify_complete",
    ),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
