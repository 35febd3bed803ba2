from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "humas.accounts"
    verbose_name = _("Akun")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .receivers import mark_session_authenticated

        user_logged_in.connect(mark_session_authenticated, dispatch_uid="humas.accounts.auth_at")
