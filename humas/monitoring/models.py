"""Where monitored items come from (``Source``) and the items as received (``Item``).

An item is stored once per source and source item id, with its raw payload exactly as received
and the SHA-256 of that payload's canonical JSON (the evidence locker hands the hash on).

What comes next (issue #15) builds on these two tables without changing what they mean:

- pollers for channel comments, keyword searches, news and fact-check feeds use ``Source.cursor``
  (where the last run stopped), ``next_run_at`` and the health fields; webhooks ingest into the
  channel-comments source of their channel;
- the pipeline adds per-item results (normalised text, near-duplicate group, relevance, regions,
  the offices an item is routed to, the claim match) in tables of their own, keyed by the item;
- narratives group items, with their risk, status, assignee and history; triage works on those;
- on PostgreSQL the items table is partitioned by month, and raw payloads older than the
  retention period are dropped (``raw`` emptied; ``raw_sha256`` stays).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Bounds of an item's fields, checked by humas/monitoring/records.py before anything is stored.
EXTERNAL_ID_MAX = 200
AUTHOR_HANDLE_MAX = 200
URL_MAX = 2000
TEXT_MAX = 20_000
SOURCE_NAME_MAX = 120


class ItemPlatform(models.TextChoices):
    """Where an item was said. Social platforms share the channels' codes."""

    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X"
    TELEGRAM = "telegram", "Telegram"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    NEWS = "news", _("Berita daring")
    WEB = "web", _("Situs web lain")


class Source(models.Model):
    class Kind(models.TextChoices):
        CHANNEL_COMMENTS = "channel_comments", _("Komentar di kanal kantor")
        KEYWORD_SEARCH = "keyword_search", _("Pencarian kata kunci")
        NEWS_FEED = "news_feed", _("Umpan berita")
        FACTCHECK_FEED = "factcheck_feed", _("Umpan cek fakta")
        FILE_IMPORT = "file_import", _("Impor berkas")
        API = "api", _("API")

    class Health(models.TextChoices):
        UNKNOWN = "unknown", _("Belum berjalan")
        HEALTHY = "healthy", _("Sehat")
        FAILING = "failing", _("Bermasalah")

    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="monitoring_sources",
        verbose_name=_("kantor"),
    )
    kind = models.CharField(_("jenis"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("nama"), max_length=SOURCE_NAME_MAX)
    # What the kind needs to run (a channel id, a watch list, feed URLs); never a secret.
    config = models.JSONField(_("pengaturan"), default=dict, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    poll_interval_minutes = models.PositiveIntegerField(_("selang pengambilan (menit)"), default=15)
    # Where the last successful poll stopped (a platform's cursor, an ETag); pollers own its shape.
    cursor = models.JSONField(_("posisi terakhir"), default=dict, blank=True)
    health = models.CharField(_("kesehatan"), max_length=16, choices=Health.choices, default=Health.UNKNOWN)
    last_error = models.CharField(_("galat terakhir"), max_length=1000, blank=True)
    last_run_at = models.DateTimeField(_("terakhir berjalan"), null=True, blank=True)
    next_run_at = models.DateTimeField(_("jadwal berikutnya"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("kegagalan berturut-turut"), default=0)
    # Kept by items_ingest (the only writer of items), so no page counts a large table.
    item_count = models.PositiveBigIntegerField(_("jumlah item"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)

    class Meta:
        verbose_name = _("sumber pemantauan")
        verbose_name_plural = _("sumber pemantauan")
        ordering = ["office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="monitoring_source_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One thing said in public (a comment, a post, an article), as a source delivered it."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="items", verbose_name=_("sumber")
    )
    # The source's office, copied so per-office queues need no join.
    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    platform = models.CharField(_("platform"), max_length=16, choices=ItemPlatform.choices)
    external_id = models.CharField(_("ID di sumber"), max_length=EXTERNAL_ID_MAX)
    author_handle = models.CharField(_("akun penulis"), max_length=AUTHOR_HANDLE_MAX, blank=True)
    url = models.URLField(_("tautan"), max_length=URL_MAX, blank=True)
    text = models.TextField(_("teks"))
    published_at = models.DateTimeField(_("waktu terbit"))
    captured_at = models.DateTimeField(_("waktu diambil"), default=timezone.now)
    reactions = models.PositiveBigIntegerField(_("reaksi"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("komentar"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("dibagikan"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("dilihat"), null=True, blank=True)
    raw = models.JSONField(_("data mentah"), default=dict, blank=True)
    raw_sha256 = models.CharField(_("SHA-256 data mentah"), max_length=64)

    class Meta:
        verbose_name = _("item pemantauan")
        verbose_name_plural = _("item pemantauan")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="monitoring_item_unique_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "-published_at"], name="monitoring_item_office_time"),
            models.Index(fields=["office", "-captured_at"], name="monitoring_item_office_capt"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
