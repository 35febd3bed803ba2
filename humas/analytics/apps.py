from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "humas.analytics"
    label = "analytics"
    verbose_name = _("Analitik")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.core.extensions import register_highlight_provider

        from .highlights import week_highlights

        register_highlight_provider("analytics", week_highlights)
