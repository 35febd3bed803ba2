from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "humas.library"
    label = "library"
    verbose_name = _("Pustaka media")
    default_auto_field = "django.db.models.BigAutoField"
