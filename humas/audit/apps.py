from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "humas.audit"
    verbose_name = _("Log audit")

    def ready(self) -> None:
        from humas.accounts.signals import reauthenticated, signed_in, two_factor_changed

        from .receivers import record_reauthentication, record_sign_in, record_two_factor

        signed_in.connect(record_sign_in, dispatch_uid="humas.audit.sign_in")
        reauthenticated.connect(record_reauthentication, dispatch_uid="humas.audit.reauth")
        two_factor_changed.connect(record_two_factor, dispatch_uid="humas.audit.two_factor")
