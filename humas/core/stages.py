"""The stages of an election (tahapan pemilu): the planning label posts, articles and image cards
share. The portal, publishing, coordination and the media library all name them from here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElectionStage(models.TextChoices):
    PERENCANAAN = "perencanaan", _("Perencanaan")
    PEMUTAKHIRAN = "pemutakhiran-data-pemilih", _("Pemutakhiran data pemilih")
    PENCALONAN = "pencalonan", _("Pencalonan")
    KAMPANYE = "kampanye", _("Kampanye")
    MASA_TENANG = "masa-tenang", _("Masa tenang")
    PEMUNGUTAN = "pemungutan-suara", _("Pemungutan suara")
    REKAPITULASI = "rekapitulasi", _("Rekapitulasi")
    PENETAPAN = "penetapan", _("Penetapan hasil")
