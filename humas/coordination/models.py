"""Cascades down the hierarchy: a national or provincial office sends its approved content (a
Konten post or a published portal article) to the offices below it, and each receiving office
adopts it as it is, adapts it, or declines it with a reason.

The calendar (selectors.py, events.py) has no tables of its own; these are the cascade's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from humas.portal.models import Article
    from humas.publishing.models import Post


class Cascade(models.Model):
    """One sending of content to offices below the sender. The text is a template: its fill-in
    fields (``{nama_kantor}``, ``{kontak}``, ``{url_portal}``, ``{akun_resmi}``) are resolved for
    each receiving office (cascades.py ``cascade_text_resolve``)."""

    class Scope(models.TextChoices):
        BELOW = "below", _("Semua kantor di bawah")
        PROVINCE = "province", _("Kantor satu provinsi")
        CHOSEN = "chosen", _("Kantor yang dipilih")

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="cascades_sent",
        verbose_name=_("kantor pengirim"),
    )
    # Exactly one source: a post approved or published, or a published portal article.
    source_post = models.ForeignKey(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cascades",
        verbose_name=_("unggahan sumber"),
    )
    source_article = models.ForeignKey(
        "portal.Article",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("artikel sumber"),
    )
    text = models.TextField(_("teks"))
    link = models.URLField(_("tautan"), max_length=500, blank=True)
    # A clarification of a hoax (a post marked so, a Klarifikasi article): adopted posts carry it,
    # so they pass a blackout window that exempts clarifications.
    is_clarification = models.BooleanField(_("klarifikasi hoaks"), default=False)
    scope = models.CharField(_("cakupan"), max_length=16, choices=Scope.choices)
    # The province of a national cascade to one province's offices.
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
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dikirim oleh")
    )
    created_at = models.DateTimeField(_("dikirim pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("konten yang diteruskan")
        verbose_name_plural = _("konten yang diteruskan")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["office", "-created_at"], name="cascade_office_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_post__isnull=False, source_article__isnull=True)
                | Q(source_post__isnull=True, source_article__isnull=False),
                name="cascade_one_source",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(self.text.split())[:60]

    @property
    def source(self) -> Post | Article:
        source = self.source_post if self.source_post_id else self.source_article
        assert source is not None  # the cascade_one_source constraint
        return source


class CascadeTarget(models.Model):
    """One receiving office of a cascade and its decision. "Published" is not stored: a target
    adopted or adapted is published once its post has a delivery sent (cascade_selectors.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        ADOPTED = "adopted", _("Diadopsi")
        ADAPTED = "adapted", _("Diadaptasi")
        DECLINED = "declined", pgettext_lazy("cascade", "Ditolak")

    cascade = models.ForeignKey(Cascade, on_delete=models.CASCADE, related_name="targets")
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="cascade_targets", verbose_name=_("kantor")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decline_reason = models.TextField(_("alasan menolak"), blank=True)
    # The receiving office's own post: adopted (approved above, published at once) or adapted
    # (a draft that goes through the office's own approval).
    post = models.ForeignKey(
        "publishing.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cascade_targets",
        verbose_name=_("unggahan kantor ini"),
    )
    # Adopted by the office's auto-publish setting (acting as the Administrator who set it).
    automatic = models.BooleanField(_("terbit otomatis"), default=False)
    # Why auto-publish could not adopt it (a blackout window, a channel gone); shown in the queue.
    auto_error = models.CharField(_("terbit otomatis gagal"), max_length=500, blank=True)
    # When the office was reminded of the deadline (once).
    reminded_at = models.DateTimeField(_("diingatkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("cascade", "kantor tujuan")
        verbose_name_plural = pgettext_lazy("cascade", "kantor tujuan")
        ordering = ["cascade_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cascade", "office"], name="cascadetarget_unique_office"),
        ]
        indexes = [
            models.Index(fields=["office", "status"], name="cascadetarget_office_status"),
            models.Index(fields=["status", "reminded_at"], name="cascadetarget_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id}: {self.status}"


class CascadeAutoPublish(models.Model):
    """An office's choice to adopt every cascade from above as it is, published on these channels,
    acting as the Administrator who set it (the audit log says it was automatic)."""

    office = models.OneToOneField(
        "offices.Office",
        on_delete=models.CASCADE,
        related_name="cascade_auto_publish",
        verbose_name=_("kantor"),
    )
    channels = models.ManyToManyField("channels.Channel", related_name="+", verbose_name=_("kanal"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diatur oleh")
    )
    updated_at = models.DateTimeField(_("diatur pada"), auto_now=True)

    class Meta:
        verbose_name = _("terbit otomatis konten dari kantor atasan")
        verbose_name_plural = _("terbit otomatis konten dari kantor atasan")

    def __str__(self) -> str:
        return f"auto-publish of office {self.office_id}"


class ComplianceSetting(models.Model):
    """How an office judges the posting activity of the offices below it (Keaktifan unggahan):
    the period its report covers by default and the share of active days it expects. Set by the
    office's Administrator; an office without its own uses the nearest office above that has one
    (compliance.py ``compliance_setting_for``)."""

    office = models.OneToOneField(
        "offices.Office",
        on_delete=models.CASCADE,
        related_name="compliance_setting",
        verbose_name=_("kantor"),
    )
    period_days = models.PositiveSmallIntegerField(_("periode (hari)"))
    threshold = models.PositiveSmallIntegerField(_("ambang keaktifan (%)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diatur oleh")
    )
    updated_at = models.DateTimeField(_("diatur pada"), auto_now=True)

    class Meta:
        verbose_name = _("pengaturan keaktifan unggahan")
        verbose_name_plural = _("pengaturan keaktifan unggahan")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_days__gte=7) & Q(period_days__lte=366), name="compliance_period_range"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1) & Q(threshold__lte=100), name="compliance_threshold_range"
            ),
        ]

    def __str__(self) -> str:
        return f"compliance setting of office {self.office_id}"


from .models_amplification import AmplificationTarget, AmplificationTask  # noqa: E402, F401 - the tables of amplification tasks
