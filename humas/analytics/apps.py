from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "humas.analytics"
    label = "analytics"
    verbose_name = _("Analitik")
    default_auto_field = "django.db.models.BigAutoField"
