from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "humas.core"
    verbose_name = _("Inti")

    def ready(self) -> None:
        from django.db import models

        from .lookups import AnyOf

        models.Field.register_lookup(AnyOf)
        models.ForeignKey.register_lookup(AnyOf)
