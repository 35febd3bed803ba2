"""Offices of the commission as one tree with a materialised path.

The path (``/00/33/33.20/``) makes "is A above B" a string prefix test in Python and
"everything below A" one indexed prefix query, whatever the depth: ad-hoc PPK and PPS bodies
slot in below a regency without a schema change.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NATIONAL_CODE = "00"
PATH_SEPARATOR = "/"
# The national office's slug; its public site lives at the root of the portal.
NATIONAL_SLUG = "ri"


def office_prefix(office_slug: str) -> str:
    """The URL path prefix of an office's public site: "/" for the national office."""
    return "/" if office_slug == NATIONAL_SLUG else f"/{office_slug}/"


class Office(models.Model):
    class Level(models.TextChoices):
        PUSAT = "pusat", _("Pusat")
        PROVINSI = "provinsi", _("Provinsi")
        KABKOTA = "kabupaten-kota", _("Kabupaten/Kota")
        # Ad-hoc bodies formed for an election period, below a regency/city.
        PPK = "ppk", _("PPK (kecamatan)")
        PPS = "pps", _("PPS (desa/kelurahan)")

    class TimeZone(models.TextChoices):
        WIB = "Asia/Jakarta", _("WIB (Asia/Jakarta)")
        WITA = "Asia/Makassar", _("WITA (Asia/Makassar)")
        WIT = "Asia/Jayapura", _("WIT (Asia/Jayapura)")

    code = models.CharField(_("kode Kemendagri"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    region_name = models.CharField(_("nama wilayah"), max_length=200)
    level = models.CharField(_("tingkat"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=512, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    time_zone = models.CharField(_("zona waktu"), max_length=32, choices=TimeZone.choices)
    address = models.TextField(_("alamat"), blank=True)
    phone = models.CharField(_("telepon"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("situs web"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="offices/logos/", blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    active_until = models.DateField(_("aktif hingga"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kantor")
        verbose_name_plural = _("kantor")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "path"], name="office_level_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def zoneinfo(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def tz_abbreviation(self) -> str:
        return {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}.get(
            self.time_zone, ""
        )

    def is_same_or_below(self, other: Office) -> bool:
        """True when this office is ``other`` or lies anywhere in its subtree."""
        return self.path.startswith(other.path)

    @property
    def ancestor_codes(self) -> list[str]:
        return [part for part in self.path.split(PATH_SEPARATOR) if part][:-1]


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        EDITOR = "editor", _("Editor")
        OPERATOR = "operator", _("Operator")
        ANALYST = "analyst", _("Analis")
        VIEWER = "viewer", _("Peninjau")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("peran"), max_length=16, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("keanggotaan")
        verbose_name_plural = _("keanggotaan")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="membership_unique_user_office")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.office} ({self.get_role_display()})"
