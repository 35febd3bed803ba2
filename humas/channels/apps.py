from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "humas.channels"
    label = "channels"
    verbose_name = _("Kanal")

    def ready(self) -> None:
        from humas.offices.signals import membership_removed

        from .receivers import flag_channels_of_departed_person

        membership_removed.connect(flag_channels_of_departed_person, dispatch_uid="humas.channels.departed")
