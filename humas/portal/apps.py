from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "humas.portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from humas.blackouts.signals import window_changed

        from .receivers import hold_articles_on_window_changed

        window_changed.connect(hold_articles_on_window_changed, dispatch_uid="humas.portal.hold")
