"""Blackout periods: windows in which an office (and, usually, every office below it) does not
schedule or publish anything but exempt content — masa tenang before a vote, a day of mourning."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Blackout(models.Model):
    class Reason(models.TextChoices):
        MASA_TENANG = "masa_tenang", _("Masa tenang")
        BERKABUNG = "berkabung", _("Hari berkabung")
        LAINNYA = "lainnya", _("Lainnya")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="blackouts", verbose_name=_("kantor")
    )
    # The office alone, or the office and every office below it (the usual case: KPU RI declares
    # masa tenang for all 553 offices at once).
    includes_below = models.BooleanField(_("berlaku juga untuk kantor di bawahnya"), default=True)
    # Stored in UTC; entered and shown in the declaring office's zone (WIB/WITA/WIT).
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    reason = models.CharField(_("alasan"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("keterangan"), max_length=300, blank=True)
    # Clarifications of hoaxes (portal Klarifikasi, posts marked as clarification) may still go out.
    clarifications_exempt = models.BooleanField(_("klarifikasi hoaks tetap boleh terbit"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    # Cancelled windows stay for the record (and for the items they held); they block nothing.
    cancelled_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dibatalkan oleh"),
    )

    class Meta:
        verbose_name = _("masa jeda publikasi")
        verbose_name_plural = _("masa jeda publikasi")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["ends_at", "starts_at"], name="blackout_time")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="blackout_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The reason as people read it: the note when the reason is "other"."""
        if self.reason == self.Reason.LAINNYA and self.note:
            return self.note
        return str(self.get_reason_display())
