from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "humas.publishing"
    label = "publishing"
    verbose_name = _("Penerbitan")
    default_auto_field = "django.db.models.BigAutoField"
