"""Tests: the database comes from DATABASE_URL (PostgreSQL in CI) or an in-memory SQLite."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env_str

SECRET_KEY = "test-only-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "humas-tests"}}
HUEY = {"huey_class": "huey.MemoryHuey", "name": "humas-test", "immediate": True}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if not env_str("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="humas-static-"))
HUMAS_CREDENTIAL_KEYS = ["dGVzdC1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="]
# The Django test client's host: absolute links in tests read like the pages they came from.
HUMAS_PUBLIC_BASE_URL = env_str("HUMAS_PUBLIC_BASE_URL", "http://testserver").rstrip("/")
HUMAS_BACKOFFICE_URL = env_str("HUMAS_BACKOFFICE_URL", "http://testserver").rstrip("/")
