"""Passkeys (WebAuthn) as a second factor, on django-otp-webauthn's own model
(``django_otp_webauthn.WebAuthnCredential``, a django-otp device like the authenticator app).

A confirmed passkey counts as an enrolled second factor (:func:`twofactor.has_device`) and a
session verified with one is verified for django-otp like one verified with a code, so the policy's
"must have a second factor", TwoFactorMiddleware and recent re-authentication treat it the same.
A passkey is only ever used after the password (passwordless sign-in is off in the settings).

The relying party is the configured back office (``HUMAS_BACKOFFICE_URL``), never the request's
Host: its id is that URL's host and the only origin accepted in a browser's answer is that URL's
origin. Browsers allow WebAuthn on https:// origins and on http://localhost; elsewhere (an http://
address of a trial install) :func:`available` is False and the pages do not offer passkeys.

The ceremonies themselves (options, verification of the browser's answer, the sign count) are the
package's, through the views in :mod:`humas.accounts.views`; this module names, lists and removes
passkeys and announces each change on :data:`signals.two_factor_changed` for the audit log.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from humas.web import limits
from humas.web.origins import backoffice_origin

from . import twofactor
from .models import User
from .signals import two_factor_changed

# django-otp's Device.name.
NAME_MAX_LENGTH = 64


def relying_party_id(request: HttpRequest | None = None) -> str:
    """The WebAuthn relying party id: the back office's host name (without a port). Passkeys are
    bound to it; changing HUMAS_BACKOFFICE_URL's host makes every registered passkey unusable."""
    return (urlsplit(backoffice_origin()).hostname or "").lower()


DEFAULT_PORTS = {"https": 443, "http": 80}


def allowed_origins() -> list[str]:
    """The origin a browser's answer may come from: the back office's, nothing else (written as
    browsers write it: scheme and lower-case host, the port only when it is not the default)."""
    parts = urlsplit(backoffice_origin())
    host = (parts.hostname or "").lower()
    if not host:
        return []
    port = parts.port
    suffix = f":{port}" if port and port != DEFAULT_PORTS.get(parts.scheme) else ""
    return [f"{parts.scheme}://{host}{suffix}"]


def available() -> bool:
    """Whether browsers will run a ceremony for the configured back office: https:// with a host
    name (an IP address cannot be a relying party id), or http://localhost while developing."""
    parts = urlsplit(backoffice_origin())
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if parts.scheme == "http":
        return host == "localhost"
    if parts.scheme != "https":
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


class PasskeyHelper(WebAuthnHelper):
    """The package's WebAuthn helper with Humas's relying party (OTP_WEBAUTHN_HELPER_CLASS). The id
    comes from OTP_WEBAUTHN_RP_ID_CALLABLE (:func:`relying_party_id`) and the name "Humas" from
    OTP_WEBAUTHN_RP_NAME; the origins are read here on each request."""

    def get_allowed_origins(self) -> list[str]:
        return allowed_origins()

    def get_credential_display_name(self, user: Any) -> str:
        # What the phone or password manager shows beside the passkey: the e-mail, the person's
        # name when known.
        name = str(getattr(user, "full_name", "") or "").strip()
        email = str(user.get_username())
        return f"{name} ({email})" if name else email


def passkeys_of(user: User) -> QuerySet[WebAuthnCredential]:
    """The person's confirmed passkeys, oldest first."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_passkey(user: User) -> bool:
    return bool(user.is_authenticated and passkeys_of(user).exists())


def clean_name(name: str) -> str:
    """One line of at most NAME_MAX_LENGTH characters; a plain default when left empty."""
    text = " ".join(str(name).split())[:NAME_MAX_LENGTH]
    return text or _("Passkey")


def passkey_register(
    *, user: User, helper: WebAuthnHelper, state: dict[str, Any], credential: dict[str, Any], name: str
) -> WebAuthnCredential:
    """Store a new passkey from the browser's answer to a registration ceremony: the package
    verifies it against ``state`` (the challenge, the origin, the relying party) and saves it with
    its attestation; here it gets its name and the audit log its event, in one transaction. The
    package's py_webauthn exceptions pass through (the view turns them into answers)."""
    with transaction.atomic():
        passkey = helper.register_complete(user=user, state=state, data=credential)
        passkey.name = clean_name(name)
        passkey.save(update_fields=["name"])
        two_factor_changed.send(sender=WebAuthnCredential, user=user, action="auth.passkey_add")
    return passkey


def passkey_used(*, user: User, passkey: WebAuthnCredential) -> None:
    """The person verified their session with ``passkey`` (the package checked the signature and
    moved the sign count): the wrong-attempt counter starts again, and the audit log records it."""
    limits.reset(twofactor.code_failures(), str(user.pk))
    two_factor_changed.send(sender=WebAuthnCredential, user=user, action="auth.passkey_used")


def passkey_failed(*, user: User) -> None:
    """A passkey answer the server refused counts against the person's limit, like a wrong code."""
    twofactor.record_failure(user)


def other_factor_exists(*, user: User, passkey: WebAuthnCredential) -> bool:
    """Whether the person keeps a confirmed second factor once ``passkey`` is gone (recovery codes
    alone are not one: they back up a factor)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or passkeys_of(user).exclude(pk=passkey.pk).exists()
    )


def passkey_remove(*, user: User, passkey: WebAuthnCredential, required: bool) -> bool:
    """Remove one of the person's own passkeys. Refused (False) when it is the last second factor
    of someone the policy requires one of (``required``, as for turning the second factor off).
    Removing the last factor of anyone else turns the second factor off: the recovery codes go too.
    A session verified with this passkey stops being verified on its next request."""
    with transaction.atomic():
        passkey = WebAuthnCredential.objects.select_for_update().get(pk=passkey.pk, user=user)
        last = not other_factor_exists(user=user, passkey=passkey)
        if last and required:
            return False
        passkey.delete()
        if last:
            StaticDevice.objects.filter(user=user).delete()
        two_factor_changed.send(sender=WebAuthnCredential, user=user, action="auth.passkey_remove")
    return True
