from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from humas.web.requestcontext import request_client_ip

from . import throttle, twofactor
from .models import User


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    # One message for every reason a login fails, so it reveals nothing about accounts.
    invalid_message = _("E-mail atau kata sandi salah.")

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: User | None = None
        # Seconds until a throttled sign-in may be tried again (the view answers 429 with it).
        self.retry_after: int | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        password = cleaned.get("password")
        if not email or not password:
            return cleaned
        ip = request_client_ip(self.request) if self.request is not None else None
        known = email.strip().lower() in throttle.known_accounts(self.request)
        wait = throttle.login_blocked(email=email, ip=ip, known=known)
        if wait is not None:
            self.retry_after = wait
            raise forms.ValidationError(
                _("Terlalu banyak percobaan masuk. Coba lagi dalam %(minutes)d menit."),
                code="throttled",
                params={"minutes": max(1, (wait + 59) // 60)},
            )
        user = authenticate(self.request, username=email, password=password)
        if user is None or not user.is_active:
            throttle.login_failed(email=email, ip=ip)
            raise forms.ValidationError(self.invalid_message, code="invalid_login")
        throttle.login_succeeded(email=email, ip=ip)
        self.user_cache = user
        return cleaned

    def get_user(self) -> User | None:
        return self.user_cache


class ReauthForm(forms.Form):
    """The signed-in person's password again, before an action that needs a recent proof; a
    person with a second factor may give a current code instead (either is a proof)."""

    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        max_length=4096,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Atau kode dari aplikasi autentikator"),
        max_length=32,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def __init__(self, *args: Any, user: User, with_code: bool = False, **kwargs: Any) -> None:
        self.user = user
        # The device that accepted the code, when the proof was a code.
        self.device: Any = None
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password") or ""
        code = cleaned.get("code") or ""
        if password:
            if not self.user.check_password(password):
                self.add_error("password", forms.ValidationError(_("Kata sandi salah."), code="invalid"))
        elif code:
            self.device = twofactor.code_verify(user=self.user, code=code)
            if self.device is None:
                self.add_error("code", forms.ValidationError(WRONG_CODE, code="invalid"))
        elif "code" in self.fields:
            raise forms.ValidationError(_("Masukkan kata sandi atau kode."), code="required")
        else:
            self.add_error("password", forms.ValidationError(_("Masukkan kata sandi."), code="required"))
        return cleaned


# One message for a wrong, already used or expired code: which one it was helps only a guesser.
WRONG_CODE = _(
    "Kode salah, sudah dipakai, atau kedaluwarsa. Masukkan kode yang sedang tampil di aplikasi autentikator."
)


class TotpCodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("Kode 6 angka"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    """One of the ten recovery codes (letters and digits), when the phone is not at hand."""

    recovery_code = forms.CharField(
        label=_("Kode pemulihan"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class PasskeyNameForm(forms.Form):
    """The name a person gives a new passkey, to tell their passkeys apart on the list."""

    name = forms.CharField(
        label=_("Nama passkey"),
        max_length=64,  # django-otp's Device.name (passkeys.NAME_MAX_LENGTH)
        help_text=_("Misalnya perangkat tempat passkey ini tersimpan: “Ponsel kantor”, “Laptop”."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form with the project's label ("E-mail", not Django's "Surel")."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's form (the validators' checks, saving) in the project's words: "kata sandi" and
    "Anda" throughout, as the validators' texts (humas/accounts/passwords.py)."""

    error_messages = {"password_mismatch": _("Kedua kata sandi tidak sama.")}

    new_password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        error_messages={"required": _("Masukkan kata sandi baru.")},
    )
    new_password2 = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ketik kata sandi yang sama sekali lagi, untuk memastikan tidak ada salah ketik."),
        error_messages={"required": _("Ulangi kata sandi baru.")},
    )
