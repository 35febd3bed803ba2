from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "humas.monitoring"
    label = "monitoring"
    verbose_name = _("Pemantauan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.factcheck.signals import claims_changed

        from .clarify import on_claims_changed

        # A published clarification or an imported fact-check may answer open narratives.
        claims_changed.connect(on_claims_changed, dispatch_uid="monitoring.claims_rematch")

        # Each poller registers itself for its source kind as its module loads: "Jalankan
        # sekarang" in a web process and the runner in a worker both need every one of them.
        from humas.core.extensions import register_todo_provider

        from . import pollers  # noqa: F401
        from .todo import monitoring_todos

        register_todo_provider("monitoring", monitoring_todos)
