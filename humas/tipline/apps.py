from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiplineConfig(AppConfig):
    name = "humas.tipline"
    label = "tipline"
    verbose_name = _("Cek Klaim dan laporan warga")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from humas.factcheck.signals import claims_changed
        from humas.portal.extensions import HomeBlock, NavLink, register_home_block, register_nav_link

        from .receivers import answer_tips_on_claims_changed

        claims_changed.connect(answer_tips_on_claims_changed, dispatch_uid="humas.tipline.answer_tips")
        register_home_block(HomeBlock(template="tipline/_home_box.html", order=10))
        register_nav_link(NavLink(label=_("Cek Klaim"), path="cek-klaim/", order=10))
        register_nav_link(NavLink(label=_("Laporkan Hoaks"), path="lapor-hoaks/", order=20))
