from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "humas.monitoring"
    label = "monitoring"
    verbose_name = _("Pemantauan")
    default_auto_field = "django.db.models.BigAutoField"
