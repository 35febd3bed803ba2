from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "humas.coordination"
    label = "coordination"
    verbose_name = _("Koordinasi")
    default_auto_field = "django.db.models.BigAutoField"
