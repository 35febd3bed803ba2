"""Production: refuses to start with insecure defaults."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, DATABASES, SECRET_KEY, env_bool, env_int, env_str

DEBUG = False

_missing = [
    name
    for name, value in (
        ("SECRET_KEY", SECRET_KEY),
        ("ALLOWED_HOSTS", env_str("ALLOWED_HOSTS")),
        ("HUMAS_CREDENTIAL_KEYS", env_str("HUMAS_CREDENTIAL_KEYS")),
        # Absolute links in stored pages, feeds, sitemaps and e-mails come only from these.
        ("HUMAS_PUBLIC_BASE_URL", env_str("HUMAS_PUBLIC_BASE_URL")),
        ("HUMAS_BACKOFFICE_URL", env_str("HUMAS_BACKOFFICE_URL")),
    )
    if not value
]
if _missing:
    raise ImproperlyConfigured(f"Production settings need these environment variables: {', '.join(_missing)}")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of random data.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not env_str("DATABASE_URL"):
    raise ImproperlyConfigured("Production settings need DATABASE_URL pointing at PostgreSQL.")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the real host names, not '*'.")

DATABASES["default"]["CONN_MAX_AGE"] = env_int("HUMAS_DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_SSL_REDIRECT = env_bool("HUMAS_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("HUMAS_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("HUMAS_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
