"""Tips from the public: a claim someone asked the commission about, through an office's portal
("Laporkan Hoaks") — later also the Telegram tipline. Each becomes a monitoring item of that
office; the tipper who left a contact is told once when a clarification answers it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 5000
LINK_MAX = 2000
SCREENSHOTS_MAX = 3
# A reference a person can read out on the phone: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 8


def new_reference() -> str:
    return "LH-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Tip(models.Model):
    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        TELEGRAM = "telegram", _("Telegram")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima")
        ANSWERED = "answered", _("Sudah dijawab")

    reference = models.CharField(_("nomor laporan"), max_length=16, unique=True, default=new_reference)
    # The office whose portal (or tipline) received it; the pipeline may route its item further.
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    channel = models.CharField(_("lewat"), max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    text = models.TextField(_("isi kabar"))
    link = models.URLField(_("tautan"), max_length=LINK_MAX, blank=True)
    region_code = models.CharField(_("wilayah"), max_length=16, blank=True)
    # Only with the tipper's consent to be told of the answer; blanked once they are told.
    contact_email = models.EmailField(_("e-mail pelapor"), blank=True)
    # A tip sent through the Telegram tipline (or linked to it with /start): the person's chat,
    # told there when answered, then forgotten.
    contact_telegram = models.BigIntegerField(_("obrolan Telegram pelapor"), null=True, blank=True)
    language = models.CharField(_("bahasa"), max_length=8, default="id")
    # The monitoring item it became (items are partitioned by month: no database constraint).
    item_id = models.BigIntegerField(_("item pemantauan"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    answered_claim = models.ForeignKey(
        "factcheck.Claim",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dijawab oleh"),
    )
    answered_at = models.DateTimeField(_("waktu dijawab"), null=True, blank=True)
    # When the tipper was told (at most once); empty while there is nothing to tell or no contact.
    notified_at = models.DateTimeField(_("pelapor diberi tahu"), null=True, blank=True)
    received_at = models.DateTimeField(_("waktu diterima"), default=timezone.now)

    class Meta:
        verbose_name = _("laporan warga")
        verbose_name_plural = _("laporan warga")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["office", "-received_at"], name="tipline_tip_office_time"),
            models.Index(fields=["status", "received_at"], name="tipline_tip_status_time"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def wants_answer(self) -> bool:
        return bool(self.contact_email) or self.contact_telegram is not None


class TipScreenshot(models.Model):
    """A screenshot sent with a tip: re-encoded without metadata by the one image pipeline and
    kept in private storage (shown to the office's staff through a view, never publicly)."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="screenshots")
    file = models.CharField(max_length=300)  # name in the private storage
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    mime = models.CharField(max_length=32)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.file


class TiplineBot(models.Model):
    """The deployment's one Telegram tipline bot: its token and webhook secret encrypted as the
    channels' credentials are (humas/channels/crypto.py), never shown again once saved."""

    class Mode(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook (Telegram mengirim ke Humas)")
        POLLING = "polling", _("Long-poll (Humas mengambil dari Telegram)")

    token_ciphertext = models.TextField()
    secret_ciphertext = models.TextField()
    bot_id = models.BigIntegerField(_("ID bot"))
    username = models.CharField(_("nama bot"), max_length=64)
    mode = models.CharField(
        _("cara menerima pesan"), max_length=16, choices=Mode.choices, default=Mode.POLLING
    )
    # getUpdates' offset: the next update to read (every earlier one is confirmed).
    update_offset = models.BigIntegerField(default=0)
    is_active = models.BooleanField(_("aktif"), default=True)
    configured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    configured_at = models.DateTimeField(_("diatur"), default=timezone.now)

    class Meta:
        verbose_name = _("bot tipline Telegram")
        verbose_name_plural = _("bot tipline Telegram")

    def __str__(self) -> str:
        return f"@{self.username}"

    def __repr__(self) -> str:
        return f"<TiplineBot @{self.username}>"


class TiplineUpdate(models.Model):
    """An update already handled (Telegram may deliver one twice): its id, kept a week."""

    update_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return str(self.update_id)
