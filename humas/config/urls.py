from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from humas.accounts.views import AdminLoginView
from humas.api.api import api
from humas.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("humas.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/bahasa/<str:code>/", core_views.language_link, name="language_link"),
    # The admin's sign-in is the product's (throttled, audited), never a side door.
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    # Before the office apps: "me" must not be read as an office slug.
    path("app/", include("humas.api.urls")),
    path("app/", include("humas.core.urls")),
    path("app/", include("humas.offices.urls")),
    path("app/", include("humas.portal.urls.admin")),
    path("app/", include("humas.channels.urls")),
    path("app/", include("humas.publishing.urls")),
    path("app/", include("humas.blackouts.urls")),
    path("app/", include("humas.inbox.urls")),
    path("app/", include("humas.library.urls")),
    path("app/", include("humas.guideline.urls")),
    path("app/", include("humas.notifications.urls")),
    path("app/", include("humas.factcheck.urls")),
    path("app/", include("humas.monitoring.urls")),
    path("app/", include("humas.tipline.urls.admin")),
    path("app/", include("humas.coordination.urls.calendar")),
    path("app/", include("humas.coordination.urls.cascades")),
    path("app/", include("humas.coordination.urls.amplification")),
    path("app/", include("humas.coordination.urls.compliance")),
    path("app/", include("humas.analytics.urls")),
    # Platforms' webhooks (Meta's signed change notifications): public, CSRF-exempt, signed.
    path("hooks/telegram/", include("humas.tipline.urls.hooks")),
    path("hooks/", include("humas.monitoring.urls.webhooks")),
    # The public portal last: its office-slug patterns catch the remaining first segments.
    path("", include("humas.tipline.urls.public")),
    path("", include("humas.portal.urls.public")),
]

handler403 = "humas.core.views.error_403"
# The portal's own 404 on public addresses, the back office's elsewhere (humas/config/errors.py).
handler404 = "humas.config.errors.page_not_found"
handler500 = "humas.core.views.error_500"

if settings.DEBUG or settings.HUMAS_SERVE_MEDIA:
    # Not django.conf.urls.static.static(): it serves nothing once DEBUG is off, and a trial
    # install (settings/local.py) runs without DEBUG and without nginx.
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [re_path(rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
