"""Posts, their publications to channels, and one delivery per (publication, channel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Platform
from humas.core.stages import ElectionStage
from humas.core.workflow import ReviewedModel

from .storage import post_image_storage


class Post(ReviewedModel):
    # Not shared with Article.Status: the labels and the approved/withdrawn states differ.
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        IN_REVIEW = "in_review", _("Menunggu persetujuan")
        APPROVED = "approved", _("Disetujui")
        PUBLISHED = "published", _("Diterbitkan")
        WITHDRAWN = "withdrawn", _("Ditarik")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="posts", verbose_name=_("kantor")
    )
    # author and approved_by: ReviewedModel.
    text = models.TextField(_("teks"))
    link = models.URLField(_("tautan"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    # Stored in UTC; entered and shown in the office's zone (WIB/WITA/WIT).
    scheduled_at = models.DateTimeField(_("jadwal terbit"), null=True, blank=True)
    # Where it goes out is part of what is approved: a publication may use only these channels,
    # and changing them sends the post back to review (publishing/services.py post_update).
    channels = models.ManyToManyField(
        "channels.Channel", blank=True, related_name="+", verbose_name=_("kanal tujuan")
    )
    # The latest "Kembalikan ke penulis" (publishing/services.py post_return): who sent the post in
    # review back to draft, when and why. Shown on the post's page until it is submitted again.
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dikembalikan oleh"),
    )
    returned_at = models.DateTimeField(_("dikembalikan pada"), null=True, blank=True)
    return_reason = models.TextField(_("alasan dikembalikan"), blank=True)
    # A clarification of a hoax: it may go out inside a blackout window that exempts
    # clarifications (humas/blackouts). Part of what is approved, like the text.
    is_clarification = models.BooleanField(_("klarifikasi hoaks"), default=False)
    # Labels for planning, not part of what is approved (changing them keeps the approval): the
    # campaign the post belongs to ("Ayo ke TPS", a hashtag without its #), shared by name with the
    # offices above and below so a national campaign can be followed on every calendar; and the
    # election stage it speaks to (the portal's stages).
    campaign = models.CharField(_("kampanye"), max_length=64, blank=True)
    election_stage = models.CharField(
        _("tahapan pemilu"), max_length=32, choices=ElectionStage.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unggahan")
        verbose_name_plural = _("unggahan")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["office", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    def approval_history(self) -> models.QuerySet[PostVersion]:
        """The approved versions, newest first, with who wrote and who approved each."""
        return self.versions.select_related("written_by", "approved_by")


class PostVersion(models.Model):
    """One approved version of a post: who wrote it (the last to change what goes out) and who
    approved it, written when the post is approved (publishing/services.py post_approve)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versi"))
    text = models.TextField(_("teks"))
    # The channels approved with this version, as they were named then (a channel may be renamed
    # or removed later; the history keeps what the approver saw).
    channels = models.JSONField(_("kanal tujuan"), default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ditulis oleh")
    )
    written_at = models.DateTimeField(_("ditulis pada"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    approved_at = models.DateTimeField(_("disetujui pada"))
    # What the approver ticked of the office's verification checklist (publishing/checklist.py):
    # {"items": [labels], "decision": "the official decision's number"}; empty before checklists.
    checklist = models.JSONField(_("daftar periksa"), default=dict, blank=True)

    class Meta:
        verbose_name = _("versi unggahan")
        verbose_name_plural = _("versi unggahan")
        ordering = ["post_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="postversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.post_id} v{self.number}"


class PostImage(models.Model):
    """An image of a post, in the order the platforms get them. ``file`` is the clean re-encoded
    original (humas/media/pipeline.py prepare_upload) in the private storage; the per-platform
    renditions are made from it when needed (humas/publishing/images.py)."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="images", verbose_name=_("unggahan")
    )
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    # Random: names the files and the public URL Instagram fetches; says nothing about the post.
    key = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("berkas"), storage=post_image_storage, max_length=200)
    alt_text = models.CharField(_("teks alternatif"), max_length=250)
    width = models.PositiveIntegerField(_("lebar"))
    height = models.PositiveIntegerField(_("tinggi"))
    mime = models.CharField(_("jenis"), max_length=32)
    bytes = models.PositiveIntegerField(_("ukuran (byte)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gambar unggahan")
        verbose_name_plural = _("gambar unggahan")
        ordering = ["post_id", "position", "pk"]

    def __str__(self) -> str:
        return self.alt_text[:60]


class PostVariant(models.Model):
    """The text one platform gets instead of the post's main text."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="variants", verbose_name=_("unggahan")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    text = models.TextField(_("teks"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("varian teks")
        verbose_name_plural = _("varian teks")
        ordering = ["post_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["post", "platform"], name="postvariant_unique_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}: {self.text[:50]}"


class Publication(models.Model):
    """One decision to publish a post to a set of channels; it makes one delivery per channel."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="publications")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Who withdrew it from every channel and why (publishing/delivery.py publication_withdraw).
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ditarik oleh"),
    )
    withdrawal_reason = models.TextField(_("alasan penarikan"), blank=True)
    # An Administrator published it inside a blackout window anyway (publication_create): why.
    # Its deliveries are not held by that window.
    blackout_override = models.TextField(_("alasan terbit saat masa jeda"), blank=True)

    class Meta:
        verbose_name = _("publikasi")
        verbose_name_plural = _("publikasi")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"publication {self.pk} of post {self.post_id}"


class Delivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Dalam antrean")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terbit")
        WAITING = "waiting", _("Menunggu percobaan ulang")
        FAILED = "failed", _("Gagal")
        NEEDS_ATTENTION = "needs_attention", _("Perlu perhatian")
        CANCELLED = "cancelled", _("Dibatalkan")
        WITHDRAWN = "withdrawn", _("Ditarik")
        # Assisted channels (WhatsApp, TikTok, YouTube): a person posts and records the public URL.
        MANUAL = "manual", _("Menunggu diunggah manual")
        # Due inside a blackout window (humas/blackouts): kept until a person sends or
        # reschedules it once the window allows.
        HELD = "held", _("Ditahan (masa jeda)")

    class MetricsState(models.TextChoices):
        PENDING = "pending", _("Belum dijadwalkan")
        ACTIVE = "active", _("Sedang dikumpulkan")
        DONE = "done", _("Selesai")
        STOPPED = "stopped", _("Dihentikan")
        UNAVAILABLE = "unavailable", _("Tidak tersedia")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="deliveries")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the sweeper should act: the scheduled time, the retry time or the rate-limit wait.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Idempotency marker stored before the platform is called (content_marker of the text).
    marker = models.CharField(max_length=64, blank=True)
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    platform_post_id = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=500, blank=True)
    error_class = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=1000, blank=True)  # Indonesian, shown to people
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The blackout window that holds it (state HELD), kept for the record after release.
    held_by = models.ForeignKey(
        "blackouts.Blackout", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who recorded the public URL of an assisted delivery ("Tandai sudah terbit").
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Metrics collection (metrics.py): the schedule point reached, when the next collection is
    # due, and the latest snapshot (so the detail page needs no query per delivery).
    metrics_state = models.CharField(
        max_length=16, choices=MetricsState.choices, default=MetricsState.PENDING
    )
    metrics_stage = models.PositiveSmallIntegerField(default=0)
    metrics_next_at = models.DateTimeField(null=True, blank=True)
    metrics_attempts = models.PositiveSmallIntegerField(default=0)
    metrics_collected_at = models.DateTimeField(null=True, blank=True)
    metrics_note = models.CharField(max_length=500, blank=True)  # Indonesian, shown to people
    metrics_latest = models.ForeignKey(
        "DeliveryMetrics", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")
        ordering = ["publication_id", "channel__platform", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "channel"], name="delivery_unique_channel"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["metrics_state", "metrics_next_at"], name="delivery_metrics_due"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"


class DeliveryMetrics(models.Model):
    """One collection of a delivered post's counts from its platform. ``None`` is "the platform
    does not give this"; ``unavailable`` names those fields."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="metrics_snapshots")
    # The schedule point (index in HUMAS_METRICS_SCHEDULE_HOURS) this collection stands for.
    stage = models.PositiveSmallIntegerField()
    collected_at = models.DateTimeField()
    reactions = models.PositiveBigIntegerField(null=True, blank=True)
    comments = models.PositiveBigIntegerField(null=True, blank=True)
    shares = models.PositiveBigIntegerField(null=True, blank=True)
    impressions = models.PositiveBigIntegerField(null=True, blank=True)
    reach = models.PositiveBigIntegerField(null=True, blank=True)
    views = models.PositiveBigIntegerField(null=True, blank=True)
    # Clicks on the post's link (Facebook, X); None elsewhere and for a post without a link.
    link_clicks = models.PositiveBigIntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    unavailable = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("statistik unggahan")
        verbose_name_plural = _("statistik unggahan")
        ordering = ["delivery_id", "collected_at"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "stage"], name="delivery_metrics_unique_stage"),
        ]

    def __str__(self) -> str:
        return f"metrics of delivery {self.delivery_id} at {self.collected_at:%Y-%m-%d %H:%M}"


class DeliveryArticle(models.Model):
    """The portal article a delivery to the office's own portal made. Created in the same
    transaction as the article, so a re-run of the delivery finds it and never makes a second."""

    delivery = models.OneToOneField(Delivery, on_delete=models.CASCADE, related_name="portal_article")
    article = models.OneToOneField("portal.Article", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("artikel dari pengiriman")
        verbose_name_plural = _("artikel dari pengiriman")

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} -> article {self.article_id}"


class ApprovalChecklist(models.Model):
    """The verification checklist an office's approvers tick before approving a post, set by an
    Administrator; the offices below without their own use the nearest one above
    (publishing/checklist.py)."""

    office = models.OneToOneField(
        "offices.Office",
        on_delete=models.CASCADE,
        related_name="approval_checklist",
        verbose_name=_("kantor"),
    )
    # Each item: {"label": "Sumber informasi sudah diperiksa"}, in the order shown.
    items = models.JSONField(_("butir periksa"), default=list)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diatur oleh")
    )
    updated_at = models.DateTimeField(_("diatur pada"), auto_now=True)

    class Meta:
        verbose_name = _("daftar periksa persetujuan")
        verbose_name_plural = _("daftar periksa persetujuan")

    def __str__(self) -> str:
        return f"checklist of office {self.office_id}"
