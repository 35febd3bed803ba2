from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "humas.publishing"
    label = "publishing"
    verbose_name = _("Penerbitan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.blackouts.signals import window_changed

        from .receivers import hold_deliveries_on_window_changed

        window_changed.connect(hold_deliveries_on_window_changed, dispatch_uid="humas.publishing.hold")

        from humas.core.extensions import register_todo_provider

        from .todo import publishing_todos

        register_todo_provider("publishing", publishing_todos)
