"""Settings shared by every deployment shape. Everything that varies comes from the environment.

Every variable read here is documented in the README ("Configuration").
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # humas/
REPO_DIR = PACKAGE_DIR.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Where the embedded shape keeps its SQLite files, cache and uploads.
DATA_DIR = Path(env_str("HUMAS_DATA_DIR", str(Path.cwd() / "var"))).resolve()

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Second factor (TOTP and one-time recovery codes) on django-otp's own models.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Passkeys (WebAuthn) as another second factor: a django-otp device (humas/accounts/passkeys.py).
    "django_otp_webauthn",
    "huey.contrib.djhuey",
    "django_prose_editor",
    "humas.core",
    "humas.offices",
    "humas.accounts",
    "humas.audit",
    "humas.portal",
    "humas.guideline",
    "humas.blackouts",
    "humas.inbox",
    "humas.channels",
    "humas.publishing",
    "humas.notifications",
    "humas.library",
    "humas.factcheck",
    "humas.monitoring",
    "humas.tipline",
    "humas.coordination",
    "humas.analytics",
    "humas.api",  # the API tokens page's templates
]

MIDDLEWARE = [
    # Before anything reads request.GET: over-long query strings get a plain 400 (humas/web/bounds.py).
    "humas.web.bounds.BoundedQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache so stored pages get its headers too (humas/core/middleware.py).
    "humas.core.middleware.ResponseHeadersMiddleware",
    # Outside the page cache too: stored public pages get the same Content-Security-Policy.
    "humas.web.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Serves stored anonymous public pages before anything else runs (humas/web/pagecache.py).
    "humas.web.pagecache.PageCacheMiddleware",
    "humas.portal.sitehost.SiteHostMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "humas.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A signed-in person who owes a second factor reaches only its pages (humas/core/middleware.py).
    "humas.core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "humas.web.requestcontext.RequestContextMiddleware",
]

ROOT_URLCONF = "humas.config.urls"
WSGI_APPLICATION = "humas.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "humas.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'humas.sqlite3'}"),
        conn_max_age=env_int("HUMAS_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes; a busy timeout
    # makes a concurrent writer wait instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("HUMAS_REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "humas",
        }
    }
    HUEY = {
        # Priorities (humas/core/queue.py): deliveries before the fan-outs that make them.
        "huey_class": "huey.PriorityRedisHuey",
        "name": "humas",
        "url": REDIS_URL,
        "immediate": False,
        "consumer": {"workers": env_int("HUMAS_WORKERS", 4), "worker_type": "thread"},
    }
else:
    # The embedded shape keeps the queue and the cache in files under DATA_DIR: a fresh checkout
    # (or `check --deploy` before the first run) must not fail because the directory is missing.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            # A file cache is shared by the web server and the worker of the embedded shape.
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "humas",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": env_int("HUMAS_WORKERS", 2), "worker_type": "thread"},
    }

# Django's checks in the project's words (humas/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "humas.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "humas.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "humas.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "humas.accounts.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "id"
# Each language named in itself, never translated: a reader looks for their own language's name
# ("English" on an Indonesian page, not Django's "Inggris").
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
LANGUAGE_COOKIE_NAME = "humas_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HUMAS_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [
    ("vendor/htmx", REPO_DIR / "node_modules" / "htmx.org" / "dist"),
    # The API docs page's Swagger UI, at the version pinned in package.json (humas/api/docs.py).
    ("vendor/swagger-ui", REPO_DIR / "node_modules" / "swagger-ui-dist"),
    # The calendar's month and week views (humas/coordination): FullCalendar's browser builds
    # (core, daygrid, timegrid, interaction and the Indonesian locale), pinned in package.json.
    ("vendor/fullcalendar", REPO_DIR / "node_modules" / "@fullcalendar"),
    # The analytics dashboard's charts (humas/analytics): Chart.js's UMD build, pinned in package.json.
    ("vendor/chartjs", REPO_DIR / "node_modules" / "chart.js" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("HUMAS_MEDIA_ROOT", str(DATA_DIR / "media")))
# Uploads (office logos, published article images) served by Django itself: the embedded shape
# (settings/local.py) has no nginx in front; production's nginx serves /media/ from disk.
HUMAS_SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Humas <humas@localhost>")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("HUMAS_SESSION_SECONDS", 60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted.
HUMAS_TRUSTED_PROXY_COUNT = env_int("HUMAS_TRUSTED_PROXY_COUNT", 0)
# Login throttling: failures allowed per account and per client address within the window.
HUMAS_LOGIN_FAILURES_PER_ACCOUNT = env_int("HUMAS_LOGIN_FAILURES_PER_ACCOUNT", 5)
HUMAS_LOGIN_FAILURES_PER_IP = env_int("HUMAS_LOGIN_FAILURES_PER_IP", 30)
# Failures of one account over every address, except in a browser where it signed in before.
HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL = env_int("HUMAS_LOGIN_FAILURES_PER_ACCOUNT_ALL", 50)
HUMAS_LOGIN_WINDOW_SECONDS = env_int("HUMAS_LOGIN_WINDOW_SECONDS", 15 * 60)
# Sensitive actions (channels, withdrawal, roles, API tokens) need a proof of identity this recent.
HUMAS_REAUTH_SECONDS = env_int("HUMAS_REAUTH_SECONDS", 15 * 60)
# E-mails sent on request, per hour: password resets per client address and per e-mail named,
# invitations per inviting person.
HUMAS_RESET_EMAILS_PER_IP = env_int("HUMAS_RESET_EMAILS_PER_IP", 10)
HUMAS_RESET_EMAILS_PER_ACCOUNT = env_int("HUMAS_RESET_EMAILS_PER_ACCOUNT", 3)
HUMAS_INVITATIONS_PER_HOUR = env_int("HUMAS_INVITATIONS_PER_HOUR", 60)
# Public searches (full-text queries) per client address per minute.
HUMAS_SEARCHES_PER_MINUTE = env_int("HUMAS_SEARCHES_PER_MINUTE", 60)
# Cek Klaim questions per client address per minute, and tips ("Laporkan Hoaks") per client
# address per hour; the largest screenshot a tip may carry.
HUMAS_CLAIM_CHECKS_PER_MINUTE = env_int("HUMAS_CLAIM_CHECKS_PER_MINUTE", 20)
HUMAS_TIPS_PER_HOUR = env_int("HUMAS_TIPS_PER_HOUR", 5)
HUMAS_TIP_SCREENSHOT_MAX_BYTES = env_int("HUMAS_TIP_SCREENSHOT_MAX_BYTES", 5 * 1024 * 1024)
# Calls to /api/v1 per minute with one API token (0 turns the limit off).
HUMAS_API_TOKEN_RATE = env_int("HUMAS_API_TOKEN_RATE", 600)
# Wrong second-factor codes (TOTP or recovery) allowed per person within the window.
HUMAS_TWO_FACTOR_FAILURES = env_int("HUMAS_TWO_FACTOR_FAILURES", 5)
HUMAS_TWO_FACTOR_WINDOW_SECONDS = env_int("HUMAS_TWO_FACTOR_WINDOW_SECONDS", 15 * 60)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env_str("HUMAS_TWO_FACTOR_ISSUER", "Humas KPU")
# Wrong codes are limited by humas.web.limits (per person, 429); django-otp's own per-device
# back-off would refuse even the right code for a while after a typo.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# Passkeys (django-otp-webauthn). The relying party is the configured back office, never the
# request's Host: its id is the host of HUMAS_BACKOFFICE_URL and the only origin a browser may
# report is that URL's origin (read on each request by humas/accounts/passkeys.py, so the
# package's own list of origins stays empty and its check for it is silenced). Passkeys need an
# https:// back office (or http://localhost); elsewhere the pages do not offer them.
OTP_WEBAUTHN_RP_ID_CALLABLE = "humas.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = "Humas"
OTP_WEBAUTHN_HELPER_CLASS = "humas.accounts.passkeys.PasskeyHelper"
# A passkey is a second factor after the password, never a way in on its own: the sign-in form
# (its throttle and audit) stays the only door.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E030"]  # no OTP_WEBAUTHN_ALLOWED_ORIGINS: see above

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HUMAS_LOG_LEVEL", "INFO")},
    # Huey's consumer installs its own handler; do not print its lines twice.
    # httpx and httpcore say every request at INFO: the delivery engine records each outcome in
    # the database, and a national cascade is thousands of requests a minute.
    "loggers": {
        "huey": {"level": "INFO", "propagate": False},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 1000
NINJA_PAGINATION_MAX_LIMIT = 5000

# Public portal page cache (files nginx can serve; see humas/web/pagecache.py).
HUMAS_PAGECACHE_ENABLED = env_bool("HUMAS_PAGECACHE_ENABLED", True)
HUMAS_PAGECACHE_DIR = Path(env_str("HUMAS_PAGECACHE_DIR", str(DATA_DIR / "pagecache")))
HUMAS_PAGE_MAX_AGE = env_int("HUMAS_PAGE_MAX_AGE", 60)
HUMAS_PAGE_S_MAXAGE = env_int("HUMAS_PAGE_S_MAXAGE", 300)
HUMAS_PAGE_STALE_SECONDS = env_int("HUMAS_PAGE_STALE_SECONDS", 600)

# /healthz shows its checks (database, queue backend, backlog) to signed-in superusers and to
# callers presenting "Authorization: Bearer <token>"; empty: to superusers only.
HUMAS_HEALTH_TOKEN = env_str("HUMAS_HEALTH_TOKEN")
# Browser features Humas never uses, refused on every response (also pages served from the cache).
HUMAS_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Content-Security-Policy (django-csp): nothing from another origin, no inline script or style;
# blob: images are the post editor's previews of photos not yet uploaded. Stored public pages are
# served by nginx with the same header (deploy/nginx/humas/security-headers.conf; change both).
# NONCE appears in the header only on a page that used one: the back office's article editor,
# whose rich-text editor needs an inline import map; public pages never do.
HUMAS_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'", NONCE],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The <style> block the back office's rich-text editor (Tiptap inside django-prose-editor) inserts
# and cannot be told not to: allowed under /app/ by its hash. After upgrading django-prose-editor,
# tests/browser/test_csp_browser.py fails with the new hash in Chromium's message.
HUMAS_CSP_BACK_OFFICE_STYLE_HASHES = ["'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"]
# true: send the policy as Content-Security-Policy-Report-Only (violations logged, not blocked).
HUMAS_CSP_REPORT_ONLY = env_bool("HUMAS_CSP_REPORT_ONLY", False)
if HUMAS_CSP_REPORT_ONLY:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": HUMAS_CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": HUMAS_CSP_DIRECTIVES}

# The view counter counts a visitor once per article within this many seconds (humas/portal/counter.py).
HUMAS_VIEW_WINDOW_SECONDS = env_int("HUMAS_VIEW_WINDOW_SECONDS", 30 * 60)
# One client address adds at most this many views per article per window (0: no ceiling).
HUMAS_VIEWS_PER_ADDRESS = env_int("HUMAS_VIEWS_PER_ADDRESS", 100)
# "host=office-slug,host=office-slug": serve an office's site on its own host name.
HUMAS_SITE_HOSTS = dict(item.split("=", 1) for item in env_list("HUMAS_SITE_HOSTS") if "=" in item)
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

# Uploaded images (humas/media/pipeline.py): larger uploads are refused before being decoded.
HUMAS_IMAGE_MAX_BYTES = env_int("HUMAS_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
HUMAS_IMAGE_MAX_PIXELS = env_int("HUMAS_IMAGE_MAX_PIXELS", 40_000_000)
# All images of one post (kept and new) together: refused by their headers before any is decoded.
HUMAS_IMAGE_MAX_PIXELS_PER_POST = env_int("HUMAS_IMAGE_MAX_PIXELS_PER_POST", 120_000_000)
HUMAS_IMAGE_MIN_SIDE = env_int("HUMAS_IMAGE_MIN_SIDE", 200)

# Monitoring file imports (humas/monitoring/imports.py): the largest file and the most rows one
# import takes. The previewed file travels back with the confirmation (compressed), so keep the
# size well under DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB); a file too large for that is refused.
HUMAS_MONITORING_IMPORT_MAX_BYTES = env_int("HUMAS_MONITORING_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
HUMAS_MONITORING_IMPORT_MAX_ROWS = env_int("HUMAS_MONITORING_IMPORT_MAX_ROWS", 20_000)

# Monitoring sources Humas polls itself (humas/monitoring/polling.py): how long a worker holds a
# source while polling it (renewed with every stored batch; a killed worker's source is polled
# again after that), the longest wait between retries of a failing source, after how many
# failures in a row the office's people are told (once per outage), and how many due sources one
# minute's scheduler run sends to the workers.
HUMAS_MONITORING_POLL_LEASE_SECONDS = env_int("HUMAS_MONITORING_POLL_LEASE_SECONDS", 900)
HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES = env_int("HUMAS_MONITORING_POLL_BACKOFF_MAX_MINUTES", 360)
HUMAS_MONITORING_SOURCE_ALERT_FAILURES = env_int("HUMAS_MONITORING_SOURCE_ALERT_FAILURES", 3)
HUMAS_MONITORING_POLL_DUE_LIMIT = env_int("HUMAS_MONITORING_POLL_DUE_LIMIT", 500)
# News and fact-check feeds (humas/monitoring/pollers/): the wait for one feed or article, the
# largest body read, the most new entries taken from one feed in one run, and whether feeds and
# articles may live on private or loopback addresses (off: a feed's links cannot reach the
# servers next to Humas; turn on only for a feed served inside the office's own network).
HUMAS_MONITORING_FEED_TIMEOUT_SECONDS = env_int("HUMAS_MONITORING_FEED_TIMEOUT_SECONDS", 20)
HUMAS_MONITORING_FEED_MAX_BYTES = env_int("HUMAS_MONITORING_FEED_MAX_BYTES", 5 * 1024 * 1024)
HUMAS_MONITORING_FEED_ENTRIES_MAX = env_int("HUMAS_MONITORING_FEED_ENTRIES_MAX", 100)
HUMAS_MONITORING_FEED_ALLOW_PRIVATE = env_bool("HUMAS_MONITORING_FEED_ALLOW_PRIVATE", False)
# The monitoring pipeline (humas/monitoring/pipeline.py, risk.py, clarify.py, retention.py): how
# many days a narrative stays open to new items by similarity; the confidence below which a match
# is only a suggestion for a person; a spike (items in the last hour at least this many and this
# many times the narrative's hourly mean of the 12 hours before); how many items a new narrative
# targeting the commission needs before it alerts; hours without a second spike alert for one
# narrative; how far back a new clarification re-matches; days raw payloads are kept.
HUMAS_MONITORING_NARRATIVE_DAYS = env_int("HUMAS_MONITORING_NARRATIVE_DAYS", 30)
HUMAS_MONITORING_MATCH_CONFIDENCE = env_float("HUMAS_MONITORING_MATCH_CONFIDENCE", 0.9)
HUMAS_MONITORING_SPIKE_MIN_ITEMS = env_int("HUMAS_MONITORING_SPIKE_MIN_ITEMS", 20)
HUMAS_MONITORING_SPIKE_RATIO = env_float("HUMAS_MONITORING_SPIKE_RATIO", 5.0)
HUMAS_MONITORING_NEW_ALERT_MIN_ITEMS = env_int("HUMAS_MONITORING_NEW_ALERT_MIN_ITEMS", 3)
HUMAS_MONITORING_ALERT_QUIET_HOURS = env_int("HUMAS_MONITORING_ALERT_QUIET_HOURS", 3)
HUMAS_MONITORING_REMATCH_DAYS = env_int("HUMAS_MONITORING_REMATCH_DAYS", 14)
HUMAS_MONITORING_RAW_RETENTION_DAYS = env_int("HUMAS_MONITORING_RAW_RETENTION_DAYS", 180)

# Post images (humas/publishing/images.py) live here, outside MEDIA_ROOT: no web server serves
# them directly. The public base URL (scheme and host, no trailing slash) is how platforms that
# fetch images themselves (Instagram) reach the published ones.
HUMAS_PRIVATE_MEDIA_ROOT = Path(env_str("HUMAS_PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
HUMAS_PUBLIC_BASE_URL = env_str("HUMAS_PUBLIC_BASE_URL").rstrip("/")

# Fernet keys for channel credentials at rest, comma-separated; the first encrypts, all decrypt.
HUMAS_CREDENTIAL_KEYS = env_list("HUMAS_CREDENTIAL_KEYS")
# Where connectors send requests, per platform ("facebook=http://127.0.0.1:8765,x=…"); empty means the
# real platforms. `humas demo` points them at the local fakes.
HUMAS_PLATFORM_BASE_URLS = dict(
    item.split("=", 1) for item in env_list("HUMAS_PLATFORM_BASE_URLS") if "=" in item
)
# Links to a post or an account on a platform's web site, per platform, when it is not the real
# one ("x=http://127.0.0.1:8001/_fake/x"): `humas demo` points them at the fakes' pages.
HUMAS_PLATFORM_WEB_URLS = dict(
    item.split("=", 1) for item in env_list("HUMAS_PLATFORM_WEB_URLS") if "=" in item
)
# Every connected channel is verified again by itself about this often (humas/channels/tasks.py).
HUMAS_CHANNEL_CHECK_MINUTES = env_int("HUMAS_CHANNEL_CHECK_MINUTES", 60)
# Warn Administrators this many days before a channel's token expires.
HUMAS_TOKEN_WARN_DAYS = env_int("HUMAS_TOKEN_WARN_DAYS", 7)
# Notifications (humas/notifications/): days before a token's expiry at which Administrators are
# warned in the app and by e-mail (once each); seconds a publication's failures are gathered into
# one notification; the back office's address used in links of notification e-mails.
HUMAS_TOKEN_WARN_THRESHOLDS = [
    int(d)
    for d in env_list("HUMAS_TOKEN_WARN_THRESHOLDS", f"{HUMAS_TOKEN_WARN_DAYS},3,1")
    if d.isascii() and d.isdigit()
]
HUMAS_NOTIFY_BATCH_SECONDS = env_int("HUMAS_NOTIFY_BATCH_SECONDS", 60)
# Offices that have not decided on content cascaded from above are reminded once, this many hours
# before its deadline (humas/coordination/tasks.py).
HUMAS_CASCADE_REMINDER_HOURS = env_int("HUMAS_CASCADE_REMINDER_HOURS", 24)
HUMAS_BACKOFFICE_URL = env_str("HUMAS_BACKOFFICE_URL").rstrip("/")
# Connect by OAuth (humas/channels/oauth.py): the Meta app (Facebook Login for Pages, also for
# Instagram) and the X OAuth 2.0 client. Unset: those channels connect by pasting a token. The
# redirect URIs to register are <base>/app/oauth/meta/callback/ and <base>/app/oauth/x/callback/;
# an empty base URL means the host of the request.
HUMAS_META_APP_ID = env_str("HUMAS_META_APP_ID")
HUMAS_META_APP_SECRET = env_str("HUMAS_META_APP_SECRET")
HUMAS_X_CLIENT_ID = env_str("HUMAS_X_CLIENT_ID")
HUMAS_X_CLIENT_SECRET = env_str("HUMAS_X_CLIENT_SECRET")
HUMAS_OAUTH_REDIRECT_BASE_URL = env_str("HUMAS_OAUTH_REDIRECT_BASE_URL").rstrip("/")
# The platforms' authorisation pages the back office's OAuth forms redirect to, allowed by its
# Content-Security-Policy form-action (humas/web/csp.py); follows HUMAS_PLATFORM_BASE_URLS.
_FACEBOOK_OAUTH = HUMAS_PLATFORM_BASE_URLS.get("facebook", "").rstrip("/")
HUMAS_CSP_OAUTH_FORM_ACTION = [
    *([_FACEBOOK_OAUTH] if _FACEBOOK_OAUTH else ["https://www.facebook.com", "https://m.facebook.com"]),
    HUMAS_PLATFORM_BASE_URLS.get("x", "").rstrip("/") or "https://x.com",
]
# Delivery engine (humas/publishing/delivery.py): seconds a delivery may stay "sending" before
# the sweeper reconciles it, retry backoff base and cap, attempts before a person is asked,
# and the connectors' read timeout.
HUMAS_DELIVERY_STALE_SECONDS = env_int("HUMAS_DELIVERY_STALE_SECONDS", 300)
HUMAS_DELIVERY_BACKOFF_SECONDS = env_int("HUMAS_DELIVERY_BACKOFF_SECONDS", 30)
HUMAS_DELIVERY_BACKOFF_MAX_SECONDS = env_int("HUMAS_DELIVERY_BACKOFF_MAX_SECONDS", 3600)
HUMAS_DELIVERY_MAX_ATTEMPTS = env_int("HUMAS_DELIVERY_MAX_ATTEMPTS", 8)
HUMAS_DELIVERY_TIMEOUT_SECONDS = env_int("HUMAS_DELIVERY_TIMEOUT_SECONDS", 20)
HUMAS_DELIVERY_SWEEP_GRACE_SECONDS = env_int("HUMAS_DELIVERY_SWEEP_GRACE_SECONDS", 120)
# Post metrics (humas/publishing/metrics.py): hours after a delivery is sent at which its counts
# are collected; after the last point collection stops.
HUMAS_METRICS_SCHEDULE_HOURS = [float(h) for h in env_list("HUMAS_METRICS_SCHEDULE_HOURS", "1,6,24,72,168")]
# Listening on the offices' own channels and X searches (humas/monitoring/pollers/): the newest
# posts of the last days whose comments are read, the platform pages one poll reads at most, and
# the length of one X search query (512; 4,096 on Enterprise access). Meta's webhooks
# (humas/monitoring/webhooks.py, /hooks/meta/): the verify token given to Meta when subscribing
# (empty: no subscription is accepted; payloads are checked with HUMAS_META_APP_SECRET), the
# largest body taken and the calls one address may make per minute. Replies (monitoring/replies.py):
# seconds a reply may stay "sending" before it is reconciled with the platform.
HUMAS_LISTEN_RECENT_POSTS = env_int("HUMAS_LISTEN_RECENT_POSTS", 10)
HUMAS_LISTEN_RECENT_DAYS = env_int("HUMAS_LISTEN_RECENT_DAYS", 7)
HUMAS_LISTEN_MAX_PAGES = env_int("HUMAS_LISTEN_MAX_PAGES", 20)
HUMAS_X_SEARCH_QUERY_MAX = env_int("HUMAS_X_SEARCH_QUERY_MAX", 512)
HUMAS_META_WEBHOOK_VERIFY_TOKEN = env_str("HUMAS_META_WEBHOOK_VERIFY_TOKEN")
HUMAS_WEBHOOK_MAX_BYTES = env_int("HUMAS_WEBHOOK_MAX_BYTES", 256 * 1024)
HUMAS_WEBHOOK_RATE_PER_MINUTE = env_int("HUMAS_WEBHOOK_RATE_PER_MINUTE", 600)
HUMAS_REPLY_STALE_SECONDS = env_int("HUMAS_REPLY_STALE_SECONDS", 300)
