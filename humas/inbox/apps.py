from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "humas.inbox"
    label = "inbox"
    verbose_name = _("Kotak masuk")
    default_auto_field = "django.db.models.BigAutoField"
