"""Notifications to a person: shown under the bell in the back office and sent by e-mail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        TOKEN_EXPIRY = "token_expiry", _("Token segera kedaluwarsa")
        CHANNEL_HEALTH = "channel_health", _("Kesehatan kanal")
        DELIVERY_PROBLEM = "delivery_problem", _("Penerbitan perlu perhatian")
        CHANNEL_RECOVERED = "channel_recovered", _("Kanal kembali sehat")
        POST_RETURNED = "post_returned", _("Unggahan dikembalikan")
        NARRATIVE_ALERT = "narrative_alert", _("Peringatan narasi")
        NARRATIVE_ROUTED = "narrative_routed", _("Narasi dialihkan ke kantor Anda")
        SOURCE_PROBLEM = "source_problem", _("Sumber pemantauan bermasalah")
        CONTENT_HELD = "content_held", _("Konten ditahan karena masa jeda")
        CASCADE_RECEIVED = "cascade_received", _("Konten dari kantor atasan")
        CASCADE_REMINDER = "cascade_reminder", _("Tenggat konten dari kantor atasan")
        AMPLIFICATION_RECEIVED = "amplification_received", _("Tugas amplifikasi dari kantor atasan")
        AMPLIFICATION_REMINDER = "amplification_reminder", _("Tenggat tugas amplifikasi")
        REPORT_READY = "report_ready", _("Laporan analitik siap")
        REPORT_FAILED = "report_failed", _("Laporan analitik gagal dibuat")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("penerima"),
    )
    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    kind = models.CharField(_("jenis"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    # A path inside Humas (never an outside address), opened from the list.
    link = models.CharField(_("tautan"), max_length=500, blank=True)
    # The event this notification is about: the same event never notifies a person twice.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_key"),
        ]
        indexes = [
            # The bell's count on every back-office page: unread rows of one person only.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
