from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactcheckConfig(AppConfig):
    name = "humas.factcheck"
    label = "factcheck"
    verbose_name = _("Basis klarifikasi")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.portal.signals import article_publication_changed

        from .receivers import sync_claim_of_article

        article_publication_changed.connect(sync_claim_of_article, dispatch_uid="humas.factcheck.sync_claim")
