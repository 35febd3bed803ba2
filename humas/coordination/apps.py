from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "humas.coordination"
    label = "coordination"
    verbose_name = _("Koordinasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.core.extensions import register_todo_provider

        from .todo import coordination_todos

        register_todo_provider("coordination", coordination_todos)
