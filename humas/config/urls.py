from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from humas.api.api import api
from humas.core import views as core_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="core:home", permanent=False)),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("humas.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("app/", include("humas.core.urls")),
    path("app/", include("humas.offices.urls")),
    path("app/", include("humas.audit.urls")),
]

handler403 = "humas.core.views.error_403"
handler404 = "humas.core.views.error_404"
handler500 = "humas.core.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
