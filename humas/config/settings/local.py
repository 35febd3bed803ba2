"""The embedded default: SQLite in ``var/``, SqliteHuey, file cache, console e-mail."""

from __future__ import annotations

import sys

from .base import *  # noqa: F403
from .base import (
    DATA_DIR,
    HUMAS_BACKOFFICE_URL,
    HUMAS_CREDENTIAL_KEYS,
    HUMAS_PUBLIC_BASE_URL,
    SECRET_KEY,
    env_bool,
)

# Django's debug pages (settings, SQL, code) only for a developer: under the development server
# (`manage.py runserver`, `humas manage runserver`) or with DEBUG=true. A trial install shown to
# people (`humas demo`, `humas serve`) gets the project's own 404 and 500 pages.
DEBUG = env_bool("DEBUG", "runserver" in sys.argv[1:3])
# Nothing in front of the embedded shape: Django serves the uploads (static files: WhiteNoise).
HUMAS_SERVE_MEDIA = True
DATA_DIR.mkdir(parents=True, exist_ok=True)

if not SECRET_KEY:
    # A trial install needs no set-up: keep a random key in var/ so sessions survive restarts.
    _key_file = DATA_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

if not HUMAS_CREDENTIAL_KEYS:
    # Like the secret key: one generated key in var/ so a trial install can store credentials.
    _cred_file = DATA_DIR / "credential_key"
    if not _cred_file.exists():
        from cryptography.fernet import Fernet

        _cred_file.write_text(Fernet.generate_key().decode("ascii"))
        _cred_file.chmod(0o600)
    HUMAS_CREDENTIAL_KEYS = [_cred_file.read_text().strip()]

# Absolute links (stored pages, feeds, e-mails) never take the request's Host: on a trial install
# they point at the default port of `humas serve`/`humas demo` (`humas demo` sets its own port).
HUMAS_PUBLIC_BASE_URL = HUMAS_PUBLIC_BASE_URL or "http://127.0.0.1:8000"
HUMAS_BACKOFFICE_URL = HUMAS_BACKOFFICE_URL or HUMAS_PUBLIC_BASE_URL
