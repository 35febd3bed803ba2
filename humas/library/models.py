"""The media library's tables: an office's images (``Asset``) and its cards' brand (``CardBrand``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from humas.media.storage import PrivateMediaStorage, private_storage


def asset_storage() -> PrivateMediaStorage:
    """The storage of Asset.file: private (served through a view that checks who asks); a callable
    so migrations do not freeze a path."""
    return private_storage()


class Licence(models.TextChoices):
    """Under what an image may be published; "belum jelas" is kept but cannot be used."""

    OWN = "milik-sendiri", _("Milik kantor sendiri")
    GOVERNMENT = "instansi", _("Karya instansi pemerintah, boleh dipakai ulang")
    CC_BY = "cc-by", _("Creative Commons BY (sebutkan kreditnya)")
    CC_BY_SA = "cc-by-sa", _("Creative Commons BY-SA (sebutkan kreditnya)")
    PUBLIC_DOMAIN = "domain-publik", _("Domain publik")
    PERMISSION = "izin", _("Dengan izin tertulis pemiliknya")
    UNCLEAR = "belum-jelas", _("Belum jelas (belum boleh dipakai)")


# Licences that require the credit to be named wherever the image is used.
CREDIT_REQUIRED = frozenset({Licence.CC_BY, Licence.CC_BY_SA, Licence.PERMISSION})


class Asset(models.Model):
    """One image of an office's library: the clean re-encoded file (humas/media/pipeline.py),
    described for people who cannot see it, credited and licensed, tagged for search."""

    class Origin(models.TextChoices):
        UPLOAD = "unggahan", _("Unggahan")
        CARD = "kartu", _("Kartu")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="library_assets", verbose_name=_("kantor")
    )
    # Random: names the file; says nothing about the image.
    key = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("berkas"), storage=asset_storage, max_length=200)
    title = models.CharField(_("judul"), max_length=200, blank=True)
    alt_text = models.CharField(_("teks alternatif"), max_length=250)
    credit = models.CharField(_("sumber / kredit"), max_length=200, blank=True)
    licence = models.CharField(_("lisensi"), max_length=20, choices=Licence.choices, default=Licence.OWN)
    licence_note = models.CharField(_("catatan lisensi"), max_length=300, blank=True)
    tags = models.JSONField(_("label"), default=list, blank=True)
    # Lower-cased title, alt text, credit and tags: what the library's search looks in.
    search_text = models.TextField(editable=False, default="")
    shared_below = models.BooleanField(_("boleh dipakai kantor di bawah"), default=False)
    origin = models.CharField(_("asal"), max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    # A card's spec (template, size, texts, verdict...) so it can be made again with changes.
    card = models.JSONField(default=dict, blank=True)
    width = models.PositiveIntegerField(_("lebar"))
    height = models.PositiveIntegerField(_("tinggi"))
    mime = models.CharField(_("jenis"), max_length=32)
    bytes = models.PositiveIntegerField(_("ukuran (byte)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gambar pustaka")
        verbose_name_plural = _("gambar pustaka")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["office", "archived_at", "-created_at"], name="asset_office_recent")]

    def __str__(self) -> str:
        return self.title or self.alt_text[:60]

    @property
    def usable(self) -> bool:
        """Whether its licence lets it be published."""
        return self.licence != Licence.UNCLEAR


class CardBrand(models.Model):
    """An office's colours on its image cards; offices below without their own use the nearest
    one above (the logo is the office's own, from its profile)."""

    office = models.OneToOneField(
        "offices.Office", on_delete=models.CASCADE, related_name="card_brand", verbose_name=_("kantor")
    )
    primary = models.CharField(_("warna utama"), max_length=7)
    accent = models.CharField(_("warna aksen"), max_length=7)
    text_on_primary = models.CharField(_("warna teks di atas warna utama"), max_length=7)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("merek kartu")
        verbose_name_plural = _("merek kartu")

    def __str__(self) -> str:
        return f"{self.office_id}: {self.primary}"
