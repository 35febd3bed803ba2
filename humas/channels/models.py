"""An office's channels (social accounts, its portal, assisted channels) and their credentials."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    TELEGRAM = "telegram", "Telegram"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", _("Saluran WhatsApp")
    PORTAL = "portal", _("Portal Humas")


# Platforms Humas publishes to through an API; the others are assisted (copy-ready text, a
# person posts and records the public URL).
API_PLATFORMS = frozenset({Platform.FACEBOOK, Platform.INSTAGRAM, Platform.X, Platform.TELEGRAM})


class Channel(models.Model):
    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("Belum diperiksa")
        HEALTHY = "healthy", _("Sehat")
        EXPIRING = "expiring", _("Token segera kedaluwarsa")
        RECONNECT = "reconnect", _("Perlu dihubungkan ulang")
        FAILING = "failing", _("Bermasalah")
        ASSISTED = "assisted", _("Dibantu (tanpa API)")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="channels", verbose_name=_("kantor")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    name = models.CharField(_("nama akun"), max_length=150)
    handle = models.CharField(_("nama pengguna"), max_length=100, blank=True)
    url = models.URLField(_("tautan akun"), max_length=300, blank=True)
    account_id = models.CharField(_("ID akun di platform"), max_length=100, blank=True)
    # The account the stored credential belongs to, as the platform reported it when it was
    # verified. Never shown to the public: name, handle and url above are the declared (official)
    # account, changed only by a person (channel_update, channel_confirm_authorised_identity).
    # (A database default too: rows written by code that predates these columns stay valid.)
    authorised_name = models.CharField(
        _("nama akun yang diotorisasi"), max_length=150, blank=True, default="", db_default=""
    )
    authorised_handle = models.CharField(
        _("nama pengguna yang diotorisasi"), max_length=100, blank=True, default="", db_default=""
    )
    authorised_url = models.URLField(
        _("tautan akun yang diotorisasi"), max_length=300, blank=True, default="", db_default=""
    )
    is_official = models.BooleanField(_("akun resmi"), default=True)
    decree_reference = models.CharField(_("nomor keputusan penetapan"), max_length=150, blank=True)
    decree_date = models.DateField(_("tanggal keputusan"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    health = models.CharField(_("kesehatan"), max_length=16, choices=Health.choices, default=Health.UNKNOWN)
    health_message = models.CharField(_("keterangan kesehatan"), max_length=500, blank=True)
    token_expires_at = models.DateTimeField(_("token kedaluwarsa"), null=True, blank=True)
    last_verified_at = models.DateTimeField(_("terakhir diperiksa"), null=True, blank=True)
    # Set while a health check of this channel runs (connect.channel_check_health): never two at once.
    health_check_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the credential is a person's own authorisation (e.g. a page token derived from a
    # user's login): when that person leaves the office the channel is flagged for reconnection.
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diotorisasi oleh"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kanal")
        verbose_name_plural = _("kanal")
        ordering = ["office__path", "platform", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "platform", "account_id"],
                condition=~models.Q(account_id=""),
                name="channel_unique_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.handle or self.name}"

    @property
    def is_assisted(self) -> bool:
        return self.platform not in API_PLATFORMS

    @property
    def identity_mismatch(self) -> IdentityMismatch | None:
        """How the authorised account differs from the declared one, or None when it does not (or
        nothing is connected). An account is known by its handle; a platform that reports none
        (a Facebook Page) by its name. Handles compare without case, as the platforms do."""
        if self.authorised_handle:
            if self.authorised_handle.casefold() == self.handle.lstrip("@").casefold():
                return None
            return IdentityMismatch(field="handle", declared=self.handle, authorised=self.authorised_handle)
        if self.authorised_name and " ".join(self.authorised_name.split()) != " ".join(self.name.split()):
            return IdentityMismatch(field="name", declared=self.name, authorised=self.authorised_name)
        return None


@dataclass(frozen=True)
class IdentityMismatch:
    """The declared account and the authorised one differ in ``field`` ("handle" or "name")."""

    field: str
    declared: str
    authorised: str

    def _show(self, value: str) -> str:
        if not value:
            return str(_("(belum diisi)"))
        return f"@{value}" if self.field == "handle" else f"“{value}”"

    @property
    def declared_display(self) -> str:
        return self._show(self.declared)

    @property
    def authorised_display(self) -> str:
        return self._show(self.authorised)


class ChannelCredential(models.Model):
    """The secret of a channel, encrypted (see crypto.py). Never shown, logged or serialised."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="credential")
    ciphertext = models.TextField()
    kind = models.CharField(max_length=32, blank=True)  # "page", "user", "bot", "oauth2_user"…
    # OAuth 2.0 with a refresh token (X): the refresh token, encrypted like the access token, and
    # when the access token (``ciphertext``) expires. Empty/None for tokens that are not refreshed.
    refresh_ciphertext = models.TextField(blank=True, default="")
    access_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kredensial kanal")
        verbose_name_plural = _("kredensial kanal")

    def __str__(self) -> str:
        return f"credential of channel {self.channel_id}"

    def __repr__(self) -> str:
        return f"<ChannelCredential channel={self.channel_id} kind={self.kind}>"


PROFILE_URLS: dict[str, str] = {
    Platform.X: "https://x.com/{}",
    Platform.INSTAGRAM: "https://www.instagram.com/{}/",
    Platform.FACEBOOK: "https://www.facebook.com/{}",
    Platform.TIKTOK: "https://www.tiktok.com/@{}",
    Platform.TELEGRAM: "https://t.me/{}",
    Platform.YOUTUBE: "https://www.youtube.com/@{}",
}


class Lookalike(models.Model):
    """An account seen in what the public says (an item's author, a mention, a link) whose handle
    or name imitates an office's official accounts (``humas.textkit.lookalike``). A person decides:
    a confirmed one is listed publicly beside the official accounts ("Akun palsu yang sudah
    dilaporkan"); a dismissed one is never flagged again."""

    class Status(models.TextChoices):
        FLAGGED = "flagged", _("Perlu diperiksa")
        CONFIRMED = "confirmed", _("Akun palsu")
        DISMISSED = "dismissed", _("Bukan akun palsu")

    # The office whose accounts it imitates (where the flag is decided and published).
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    official = models.ForeignKey(
        Channel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("akun resmi yang ditiru"),
    )
    platform = models.CharField(_("platform"), max_length=16)
    handle = models.CharField(_("nama pengguna"), max_length=100)
    handle_key = models.CharField(max_length=100)  # casefolded, without "@": one row per account
    display_name = models.CharField(_("nama tampilan"), max_length=150, blank=True)
    url = models.URLField(_("tautan"), max_length=500, blank=True)
    score = models.FloatField(_("skor kemiripan"))
    reasons = models.JSONField(_("alasan"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.FLAGGED)
    first_seen_at = models.DateTimeField(_("pertama terlihat"))
    last_seen_at = models.DateTimeField(_("terakhir terlihat"))
    seen_count = models.PositiveIntegerField(_("kali terlihat"), default=0)
    # Up to SAMPLE_ITEMS ids of the monitoring items it was seen in (the evidence).
    item_ids = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    note = models.TextField(_("catatan"), blank=True)

    SAMPLE_ITEMS = 20

    class Meta:
        verbose_name = _("akun tiruan")
        verbose_name_plural = _("akun tiruan")
        ordering = ["-last_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "handle_key"], name="channels_lookalike_unique_account"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "-last_seen_at"], name="channels_lookalike_office")
        ]

    def __str__(self) -> str:
        return f"{self.platform_label}: @{self.handle}"

    @property
    def platform_label(self) -> str:
        return str(dict(Platform.choices).get(self.platform, self.platform or _("Media sosial")))

    @property
    def profile_url(self) -> str:
        """The account's page on its platform (for a person checking it; never linked publicly)."""
        pattern = PROFILE_URLS.get(self.platform)
        return pattern.format(self.handle) if pattern else ""
