"""The inbox's records. Its first part is the knowledge base the answers come from: saved replies
(``SavedReply``) an office writes for the questions the public asks again and again (cek DPT,
lokasi TPS, pindah memilih...), which every office below it can use too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 120
KEYWORDS_MAX = 300
BODY_MAX = 2000


class SavedReply(models.Model):
    """An answer an office keeps ready, with the words people use when they ask for it. Its body
    may hold placeholders (``{kantor}``, ``{telepon}``...) filled with the details of the office
    that uses it (humas/inbox/placeholders.py)."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    title = models.CharField(_("judul"), max_length=TITLE_MAX)
    keywords = models.CharField(_("kata kunci"), max_length=KEYWORDS_MAX, blank=True)
    body = models.TextField(_("isi balasan"), max_length=BODY_MAX)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    updated_at = models.DateTimeField(_("diperbarui"), default=timezone.now)

    class Meta:
        verbose_name = _("balasan tersimpan")
        verbose_name_plural = _("balasan tersimpan")
        ordering = ["title", "pk"]
        constraints = [
            # One answer of a title per office among those in use (an archived one may be remade).
            models.UniqueConstraint(
                fields=["office", "title"],
                condition=models.Q(is_active=True),
                name="inbox_saved_reply_title",
            )
        ]
        indexes = [models.Index(fields=["office", "is_active"], name="inbox_saved_reply_office")]

    def __str__(self) -> str:
        return self.title
