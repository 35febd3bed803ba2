from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlackoutsConfig(AppConfig):
    name = "humas.blackouts"
    label = "blackouts"
    verbose_name = _("Masa jeda publikasi")
    default_auto_field = "django.db.models.BigAutoField"
