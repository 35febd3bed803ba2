"""An office's own additions to the public-relations guideline (``rules.py``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GuidelineRules(models.Model):
    """An office's additions to the public-relations guideline (guideline/rules.py): its
    region's candidates and parties, more support phrases, more official sites, and rules it
    holds stricter (a warning made a block). The offices below add theirs on top; nothing set
    above can be loosened below."""

    office = models.OneToOneField(
        "offices.Office",
        on_delete=models.CASCADE,
        related_name="guideline_rules",
        verbose_name=_("kantor"),
    )
    # [{"name": "Nama Calon", "ticket": "", "number": 1, "aliases": ["nama", ...]}]
    candidates = models.JSONField(_("calon"), default=list, blank=True)
    # [{"name": "Partai Lokal", "number": 20, "aliases": ["partai lokal"]}]
    parties = models.JSONField(_("partai"), default=list, blank=True)
    support_phrases = models.JSONField(_("frasa dukungan"), default=list, blank=True)
    official_hosts = models.JSONField(_("situs resmi"), default=list, blank=True)
    # Rule ids raised from warn to block at this office and below.
    stricter = models.JSONField(_("aturan yang diperketat"), default=list, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diatur oleh")
    )
    updated_at = models.DateTimeField(_("diatur pada"), auto_now=True)

    class Meta:
        verbose_name = _("aturan pedoman kantor")
        verbose_name_plural = _("aturan pedoman kantor")

    def __str__(self) -> str:
        return f"guideline rules of office {self.office_id}"
