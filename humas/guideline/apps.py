from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelineConfig(AppConfig):
    name = "humas.guideline"
    label = "guideline"
    verbose_name = _("Pedoman kehumasan")
    default_auto_field = "django.db.models.BigAutoField"
