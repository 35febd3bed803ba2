"""Credentials encrypted at rest with keys from the environment, with rotation.

``HUMAS_CREDENTIAL_KEYS`` holds one or more Fernet keys separated by commas; the first encrypts,
all decrypt. To rotate: put a new key first, run ``humas credentials rotate`` (re-encrypts every
stored credential with it), then drop the old key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialDecryptError(RuntimeError):
    """A stored credential cannot be decrypted with any configured key."""


def _keys() -> tuple[str, ...]:
    return tuple(settings.HUMAS_CREDENTIAL_KEYS)


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("HUMAS_CREDENTIAL_KEYS is empty: channel credentials cannot be stored.")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "HUMAS_CREDENTIAL_KEYS holds a malformed key (32 url-safe base64 bytes)."
        ) from exc


def encrypt(plaintext: str) -> str:
    return _fernet(_keys()).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet(_keys()).decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        # Never include the ciphertext or any key in the message.
        raise CredentialDecryptError(
            "stored credential cannot be decrypted with the configured keys"
        ) from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the first (current) key."""
    try:
        return _fernet(_keys()).rotate(ciphertext.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise CredentialDecryptError(
            "stored credential cannot be decrypted with the configured keys"
        ) from exc


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")
