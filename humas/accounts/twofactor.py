"""The second factor: a TOTP authenticator app (RFC 6238) and ten one-time recovery codes, on
django-otp's own models (``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``), and passkeys
(WebAuthn, ``django_otp_webauthn.WebAuthnCredential``; see passkeys.py). A confirmed authenticator
app or a confirmed passkey is an enrolled second factor; recovery codes back them up.

Who must have one is the permission policy's decision (``offices.policy.two_factor_required``);
accounts sits below offices, so the back office's middleware (humas/core/middleware.py) asks the
policy and leaves the answer on the request (:data:`REQUIRED_ATTRIBUTE`) for these pages.

Wrong codes are counted per person with humas.web.limits (django-otp's own per-device back-off is
turned off in the settings); a TOTP code is accepted once (django-otp keeps the last time step
used) and a recovery code is deleted when used.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from humas.web import limits

from .models import User
from .signals import two_factor_changed

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"

# Set by humas.core.middleware.TwoFactorMiddleware: whether the policy requires a second factor
# of the signed-in person. Absent (middleware not installed) counts as required, so the pages
# never let someone turn off a factor the policy may demand.
REQUIRED_ATTRIBUTE = "humas_two_factor_required"


def required_for(request: HttpRequest) -> bool:
    return bool(getattr(request, REQUIRED_ATTRIBUTE, True))


def code_failures() -> limits.Limit:
    return limits.Limit(
        "two-factor-code", settings.HUMAS_TWO_FACTOR_FAILURES, settings.HUMAS_TWO_FACTOR_WINDOW_SECONDS
    )


def code_blocked(user: User) -> int | None:
    """Seconds this person must wait before another code is checked, or None."""
    return limits.blocked(code_failures(), str(user.pk))


def has_device(user: User) -> bool:
    """Whether the person has a confirmed second factor (an authenticator app or a passkey)."""
    return bool(
        user.is_authenticated
        and (
            TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        )
    )


def has_authenticator_app(user: User) -> bool:
    """Whether the person has a confirmed authenticator app (codes to type)."""
    return bool(user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def is_verified(user: Any) -> bool:
    """Whether this request's session passed the second factor (django-otp's middleware)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def totp_device_pending(user: User) -> TOTPDevice:
    """The unconfirmed authenticator of a person enrolling: the same secret on every reload of the
    setup page until it is confirmed, so a person who scanned it once is not left with a stale one."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in (RFC 4648 base32, without padding)."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_groups(device: TOTPDevice) -> str:
    """The secret in groups of four, easier to copy by hand."""
    secret = secret_base32(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (drawn here; no image service sees the secret)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2, title="QR"))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def record_failure(user: User) -> int | None:
    """One more wrong second-factor answer of the person (a code, or a refused passkey)."""
    return limits.hit(code_failures(), str(user.pk))


def totp_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a new authenticator with its first code. On success the person's other factors are
    replaced (one authenticator, a fresh set of recovery codes) and the new recovery codes are
    returned, to be shown once; None when the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        accepted = device.verify_token(normalise_code(code))
        if accepted:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _recovery_codes_replace(user)
            two_factor_changed.send(sender=TOTPDevice, user=user, action="auth.two_factor_enrol")
    if not accepted:
        record_failure(user)
        return None
    limits.reset(code_failures(), str(user.pk))
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    # The device stays and only its codes change: a session verified with a recovery code (the
    # device's id is in the session) stays verified while the person makes new ones.
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticToken.objects.filter(device=device).delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_renew(*, user: User) -> list[str]:
    """A new set of ten recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        two_factor_changed.send(sender=StaticDevice, user=user, action="auth.recovery_codes_renew")
    return codes


def has_recovery_codes(user: User) -> bool:
    """Whether the person was ever given recovery codes (used up or not)."""
    return StaticDevice.objects.filter(user=user).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_verify(*, user: User, code: str) -> Device | None:
    """The confirmed device that accepts ``code`` (a current TOTP code or an unused recovery code),
    or None. Each wrong code counts against the person's limit; the caller checks
    :func:`code_blocked` first."""
    token = normalise_code(code)
    device: Device | None = None
    if token:
        with transaction.atomic():
            for candidate in devices_for_user(user, confirmed=True, for_verify=True):
                if candidate.verify_token(token):
                    device = candidate
                    break
    if device is None:
        record_failure(user)
        return None
    limits.reset(code_failures(), str(user.pk))
    used_recovery = isinstance(device, StaticDevice)
    two_factor_changed.send(
        sender=type(device),
        user=user,
        action="auth.recovery_code_used" if used_recovery else "auth.two_factor",
    )
    return device


def two_factor_disable(*, user: User) -> int:
    """Remove the person's own second factor (the caller made sure it is not required)."""
    with transaction.atomic():
        removed = devices_delete(user=user)
        two_factor_changed.send(sender=TOTPDevice, user=user, action="auth.two_factor_disable")
    return removed


def devices_delete(*, user: User) -> int:
    """Delete every second-factor device of ``user`` (confirmed or not: authenticator apps,
    recovery codes, passkeys); returns how many. Sessions verified with a deleted device stop being
    verified on their next request."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    static = StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    passkeys = WebAuthnCredential.objects.filter(user=user).delete()[1].get(WebAuthnCredential._meta.label, 0)
    return int(removed) + int(static) + int(passkeys)
