"""Amplification tasks: a national or provincial office asks the offices below it to share
("bagikan ulang") and/or interact with ("interaksi": like, comment) a public post of an official
account — one of its own posts published through Humas, or any public URL of an official account
of a KPU office — by a deadline. Each receiving office records what it did with the URL of its
own account's post (checked to be that account's), does it in one click where Humas can post for
it, or declines with a reason.

Imported at the end of models.py, so Django finds the tables with the rest of the app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Platform


class AmplificationTask(models.Model):
    """One request to the offices below the sender to amplify ``url``, a post of ``account`` (an
    official account of a KPU office) on ``platform``."""

    class Scope(models.TextChoices):
        # The same scopes as a cascade's (reach.py): every office below, one province's, chosen.
        BELOW = "below", _("Semua kantor di bawah")
        PROVINCE = "province", _("Kantor satu provinsi")
        CHOSEN = "chosen", _("Kantor yang dipilih")

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="amplification_tasks_sent",
        verbose_name=_("kantor pengirim"),
    )
    # The sender's own post whose sent delivery is ``url``; empty when a URL was pasted.
    source_post = models.ForeignKey(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amplification_tasks",
        verbose_name=_("unggahan sumber"),
    )
    url = models.URLField(_("tautan yang diamplifikasi"), max_length=500)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    # The official account the URL belongs to (the delivery's channel, or the account found).
    account = models.ForeignKey(
        "channels.Channel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("akun resmi"),
    )
    ask_share = models.BooleanField(_("bagikan ulang"), default=True)
    ask_interact = models.BooleanField(_("interaksi"), default=False)
    instructions = models.TextField(_("petunjuk"), blank=True)
    scope = models.CharField(_("cakupan"), max_length=16, choices=Scope.choices)
    # The province of a national task to one province's offices.
    province = models.ForeignKey(
        "offices.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("provinsi"),
    )
    # Stored in UTC; entered in the sender's zone, shown in each office's own.
    deadline = models.DateTimeField(_("tenggat"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diminta oleh")
    )
    created_at = models.DateTimeField(_("diminta pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("tugas amplifikasi")
        verbose_name_plural = _("tugas amplifikasi")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "-created_at"], name="amptask_office_recent"),
            models.Index(fields=["deadline"], name="amptask_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ask_share=True) | Q(ask_interact=True), name="amptask_asks_something"
            ),
        ]

    def __str__(self) -> str:
        return self.url

    @property
    def asked(self) -> str:
        """What is asked, in words: "bagikan ulang", "interaksi" or both."""
        if self.ask_share and self.ask_interact:
            return str(_("bagikan ulang dan interaksi (suka, komentar)"))
        return str(_("bagikan ulang") if self.ask_share else _("interaksi (suka, komentar)"))


class AmplificationTarget(models.Model):
    """One receiving office of a task and what it did."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        # Shared in one click through Humas: done once the office's delivery is sent.
        SHARING = "sharing", _("Sedang dibagikan")
        DONE = "done", _("Selesai")
        DECLINED = "declined", _("Ditolak")

    task = models.ForeignKey(AmplificationTask, on_delete=models.CASCADE, related_name="targets")
    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="amplification_targets",
        verbose_name=_("kantor"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # The office's own post on its own account (checked to be that account's); empty for a like.
    result_url = models.URLField(_("tautan hasil"), max_length=500, blank=True)
    shared = models.BooleanField(_("dibagikan ulang"), default=False)
    interacted = models.BooleanField(_("berinteraksi"), default=False)
    # The office's channel the result is on (the one its URL belongs to, or the one-click's).
    channel = models.ForeignKey(
        "channels.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kanal"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    recorded_at = models.DateTimeField(_("dicatat pada"), null=True, blank=True)
    decline_reason = models.TextField(_("alasan menolak"), blank=True)
    # The office's own post when shared in one click (published through the delivery engine).
    post = models.ForeignKey(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amplification_targets",
        verbose_name=_("unggahan kantor ini"),
    )
    # Why the one-click share did not go out (the delivery failed); the office records by hand.
    share_error = models.CharField(_("gagal dibagikan"), max_length=500, blank=True)
    # When the office was reminded of the deadline (once).
    reminded_at = models.DateTimeField(_("diingatkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kantor tujuan amplifikasi")
        verbose_name_plural = _("kantor tujuan amplifikasi")
        ordering = ["task_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "office"], name="amptarget_unique_office"),
        ]
        indexes = [
            models.Index(fields=["office", "status"], name="amptarget_office_status"),
            models.Index(fields=["status", "reminded_at"], name="amptarget_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id}: {self.status}"
