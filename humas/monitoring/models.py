"""What the public says, as Humas takes it in and makes sense of it.

``Source`` is where items come from (with its health and schedule), ``Item`` one thing said, as
received: its raw payload and the SHA-256 of that payload's canonical JSON (the evidence locker
hands the hash on), and — once the pipeline (humas/monitoring/pipeline.py) has seen it — what it
found: the normalised text, election relevance, regions, the office the item is routed to, the
claim it matched, and the narrative and variant (group of copies) it belongs to.

``Narrative`` is one story told by many items, in the queue of one office (rolled up to the
offices above it through ``office_path``), with its risk, status, assignee and matched claim;
``Variant`` one wording of it (exact and near copies counted together); ``NarrativeHour`` how
many items it had per hour (the timeline and the spike detector read it, never the items);
``NarrativeTerm`` the inverted index clustering looks narratives up by; ``TermFrequency`` the
document frequencies of the terms it weighs; ``RelevanceRule`` an office's additions to (or
exclusions from) the election vocabulary it inherits; ``NarrativeAlert`` one alert per
narrative, kind and window.

On PostgreSQL the items table is partitioned by month, and raw payloads older than the
retention period are dropped (``raw`` emptied; ``raw_sha256`` stays).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
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
    PORTAL = "portal", _("Portal kantor (laporan warga)")


class Source(models.Model):
    class Kind(models.TextChoices):
        CHANNEL_COMMENTS = "channel_comments", _("Komentar di kanal kantor")
        KEYWORD_SEARCH = "keyword_search", _("Pencarian kata kunci")
        NEWS_FEED = "news_feed", _("Umpan berita")
        FACTCHECK_FEED = "factcheck_feed", _("Umpan cek fakta")
        FILE_IMPORT = "file_import", _("Impor berkas")
        API = "api", _("API")
        # Tips from the public (the portal's "Laporkan Hoaks" form, the Telegram tipline): one
        # source per office, made by the tipline app when its first tip arrives.
        PUBLIC_TIP = "public_tip", _("Laporan warga")

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
    # A worker running this source's poller holds it until then; another worker leaves it alone.
    lease_until = models.DateTimeField(null=True, blank=True)
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


class MatchDecision(models.TextChoices):
    MATCH = "match", _("Cocok")
    SUGGESTION = "suggestion", _("Mungkin cocok")
    NONE = "none", _("Tidak cocok")


class Stance(models.TextChoices):
    """What an item does with the claim it matched, where the text engine is sure enough."""

    UNKNOWN = "", _("—")
    DENIES = "denies", _("Membantah klaim")


class Item(models.Model):
    """One thing said in public (a comment, a post, an article), as a source delivered it."""

    # No index of its own on source, office or narrative: the unique key and the indexes below
    # begin with them, and every index is one more write per item the pipeline updates.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="items", verbose_name=_("sumber"), db_index=False
    )
    # The source's office, copied so per-office queues need no join.
    office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kantor"),
        db_index=False,
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

    # What the pipeline found (all empty until ``processed_at`` is set).
    processed_at = models.DateTimeField(_("waktu diproses"), null=True, blank=True)
    # Hash of the normalised content words: copies that differ in links, case or emoji share it.
    exact_key = models.CharField(_("kunci salinan"), max_length=32, blank=True)
    relevant = models.BooleanField(_("terkait pemilu"), null=True, blank=True)
    relevance_terms = models.JSONField(_("istilah pemilu yang ditemukan"), default=list, blank=True)
    regions = models.JSONField(_("wilayah"), default=dict, blank=True)  # Kemendagri code -> confidence
    routed_office = models.ForeignKey(
        "offices.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kantor tujuan"),
    )
    match_decision = models.CharField(
        _("kecocokan klarifikasi"), max_length=16, choices=MatchDecision.choices, blank=True
    )
    match_claim = models.ForeignKey(
        "factcheck.Claim",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("klaim yang cocok"),
    )
    match_score = models.FloatField(_("skor kecocokan"), null=True, blank=True)
    # "denies": the item denies or debunks the claim it matched (news reporting the truth, a
    # clarification): never an automatic match of the hoax, shown apart as good news.
    stance = models.CharField(_("sikap"), max_length=16, choices=Stance.choices, blank=True)
    narrative = models.ForeignKey(
        "Narrative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("narasi"),
        db_index=False,
    )
    variant = models.ForeignKey(
        "Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    # Engagement in one number (views when the platform reports them, else reactions, comments
    # and shares together), for "top items by reach".
    reach = models.PositiveBigIntegerField(_("jangkauan"), default=0)

    class Meta:
        verbose_name = _("item pemantauan")
        verbose_name_plural = _("item pemantauan")
        constraints = [
            # Includes the partition key, as PostgreSQL requires of a partitioned table's unique
            # constraints (an item's publication time is its own, the same however often it
            # arrives); items_ingest checks (source, external_id) itself under the source's lock.
            models.UniqueConstraint(
                fields=["source", "external_id", "published_at"], name="monitoring_item_unique_per_source"
            ),
        ]
        indexes = [
            models.Index(fields=["office", "-published_at"], name="monitoring_item_office_time"),
            models.Index(fields=["office", "-captured_at"], name="monitoring_item_office_capt"),
            # The pipeline's backlog: small, since processed items leave it.
            models.Index(
                fields=["captured_at"],
                name="monitoring_item_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            ),
            models.Index(fields=["narrative", "-reach"], name="monitoring_item_narr_reach"),
            models.Index(fields=["narrative", "published_at"], name="monitoring_item_narr_time"),
            models.Index(fields=["exact_key"], name="monitoring_item_exact_key"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Narrative(models.Model):
    """One story told by many items, in the queue of one office and the offices above it."""

    class Status(models.TextChoices):
        NEW = "baru", _("Baru")
        NEEDS_CLARIFICATION = "perlu_klarifikasi", _("Perlu klarifikasi")
        CLARIFIED = "sudah_diklarifikasi", _("Sudah diklarifikasi")
        NOT_AN_ISSUE = "bukan_isu", _("Bukan isu")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="+", verbose_name=_("kantor")
    )
    # The office's tree path, copied: the rolled-up queue of an office is a prefix filter here.
    office_path = models.CharField(max_length=512)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    title = models.CharField(_("teks wakil"), max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("penanggung jawab"),
    )
    # The clarification this narrative is a known hoax of (its items matched the claim).
    claim = models.ForeignKey(
        "factcheck.Claim",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("klarifikasi yang cocok"),
    )
    # The Klarifikasi drafted from this narrative ("Buat Klarifikasi"); once it is published its
    # claim becomes ``claim`` and the narrative is clarified.
    clarification_article = models.ForeignKey(
        "portal.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("draf klarifikasi"),
    )
    # Claims that might fit, best first: [{"claim": id, "score": float}], for a person to judge.
    suggestions = models.JSONField(_("saran klarifikasi"), default=list, blank=True)
    # The clustering's view of it: strongest terms with their weights, and their norm.
    centroid = models.JSONField(default=dict, blank=True)
    centroid_norm = models.FloatField(default=1.0)
    item_count = models.PositiveIntegerField(_("jumlah item"), default=0)
    # Items that deny the claim they matched (Item.stance): a narrative made only of them is good
    # news, never an alert.
    denial_count = models.PositiveIntegerField(_("jumlah item yang membantah"), default=0)
    variant_count = models.PositiveIntegerField(_("jumlah variasi"), default=0)
    reach = models.PositiveBigIntegerField(_("jangkauan"), default=0)
    platforms = models.JSONField(_("platform"), default=dict, blank=True)  # platform -> items
    regions = models.JSONField(_("wilayah"), default=dict, blank=True)  # code -> items
    targets_commission = models.BooleanField(_("menyasar penyelenggara"), default=False)
    risk = models.FloatField(_("risiko"), default=0.0)
    risk_parts = models.JSONField(default=dict, blank=True)
    first_seen_at = models.DateTimeField(_("pertama terlihat"))
    last_seen_at = models.DateTimeField(_("terakhir terlihat"))
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("digabung ke"),
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    updated_at = models.DateTimeField(_("diperbarui"), default=timezone.now)

    class Meta:
        verbose_name = _("narasi")
        verbose_name_plural = _("narasi")
        indexes = [
            models.Index(fields=["office_path", "-risk"], name="monitoring_narr_path_risk"),
            models.Index(fields=["-risk"], name="monitoring_narr_risk"),
            models.Index(fields=["office", "claim"], name="monitoring_narr_office_claim"),
            models.Index(fields=["updated_at"], name="monitoring_narr_updated"),
        ]

    def __str__(self) -> str:
        return Truncator(self.title).chars(80)


# A narrative's counters of what it holds: the pipeline adds to them, a merge adds them up, a split
# counts them again; every writer keeps them in agreement with the items.
NARRATIVE_COUNTERS = ("item_count", "denial_count", "variant_count", "reach", "platforms", "regions")


class Variant(models.Model):
    """One wording of a narrative: an item and its exact and near copies, counted together."""

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="variants")
    exact_key = models.CharField(max_length=32)
    # MinHash signature of the first item's word shingles (textkit.dedupe), as a list of ints.
    signature = models.JSONField(default=list, blank=True)
    text = models.TextField(_("teks"))
    item_count = models.PositiveIntegerField(_("jumlah item"), default=0)
    reach = models.PositiveBigIntegerField(_("jangkauan"), default=0)
    first_seen_at = models.DateTimeField(_("pertama terlihat"))

    class Meta:
        verbose_name = _("variasi narasi")
        verbose_name_plural = _("variasi narasi")
        constraints = [
            models.UniqueConstraint(fields=["narrative", "exact_key"], name="monitoring_variant_unique_key"),
        ]
        # A copy finds its wording's narrative by the key alone (the pipeline's first lookup).
        indexes = [models.Index(fields=["exact_key"], name="monitoring_variant_key")]

    def __str__(self) -> str:
        return self.text[:60]


class NarrativeHour(models.Model):
    """Items of a narrative published in one hour (UTC), counted by upsert per batch."""

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="hours")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["narrative", "hour"], name="monitoring_narrhour_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}:00 {self.count}"


class NarrativeTerm(models.Model):
    """A narrative's strongest terms: clustering finds candidate narratives of an item here."""

    term = models.CharField(max_length=100)
    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "narrative"], name="monitoring_narrterm_unique"),
        ]

    def __str__(self) -> str:
        return self.term


class TermFrequency(models.Model):
    """In how many processed items a term occurred (``term`` empty: how many items in all)."""

    term = models.CharField(max_length=100, primary_key=True)
    df = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} {self.df}"


class RelevanceRule(models.Model):
    """A word or phrase an office adds to the election vocabulary it inherits, or excludes from
    it for itself and the offices below."""

    class Action(models.TextChoices):
        ADD = "add", _("Tambah")
        EXCLUDE = "exclude", _("Kecualikan")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    phrase = models.CharField(_("kata atau frasa"), max_length=100)
    action = models.CharField(_("aturan"), max_length=16, choices=Action.choices, default=Action.ADD)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)

    class Meta:
        verbose_name = _("istilah pemilu")
        verbose_name_plural = _("istilah pemilu")
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(fields=["office", "phrase"], name="monitoring_relevance_unique"),
        ]

    def __str__(self) -> str:
        return self.phrase


class NarrativeAlert(models.Model):
    """An alert raised for a narrative: one per narrative, kind and window, never a storm."""

    class Kind(models.TextChoices):
        SPIKE = "spike", _("Lonjakan")
        NEW_TARGETING = "new_targeting", _("Narasi baru menyasar penyelenggara")

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    window_start = models.DateTimeField()
    # The first item of the spike (its capture time is where alert latency is measured from).
    first_item_captured_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["narrative", "kind", "window_start"], name="monitoring_alert_unique_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.window_start:%Y-%m-%d %H:%M}"


class AlertChat(models.Model):
    """A Telegram chat (the office's staff group) where its narrative alerts also go, sent by the
    bot of one of the office's connected Telegram channels (its token stays that channel's
    encrypted credential). With ``include_below`` the alerts of every office below it go there
    too (a provincial desk following its regencies)."""

    office = models.OneToOneField("offices.Office", on_delete=models.CASCADE, related_name="alert_chat")
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("bot dari kanal")
    )
    chat_id = models.CharField(_("obrolan Telegram"), max_length=100)
    chat_title = models.CharField(_("nama obrolan"), max_length=200, blank=True)
    include_below = models.BooleanField(_("juga peringatan kantor di bawahnya"), default=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    last_sent_at = models.DateTimeField(_("terakhir terkirim"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("obrolan peringatan")
        verbose_name_plural = _("obrolan peringatan")

    def __str__(self) -> str:
        return self.chat_title or self.chat_id


class AlertDelivery(models.Model):
    """One alert sent (or tried) to one alert chat: at most one message per alert and chat."""

    alert = models.ForeignKey(NarrativeAlert, on_delete=models.CASCADE, related_name="deliveries")
    chat = models.ForeignKey(AlertChat, on_delete=models.CASCADE, related_name="deliveries")
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_url = models.URLField(max_length=300, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "chat"], name="monitoring_alertdelivery_unique"),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} -> chat {self.chat_id}"


class EvidenceExport(models.Model):
    """An evidence file made for a narrative: what it held and the SHA-256 of the ZIP handed on."""

    # What was exported: a narrative's items, or the items an account imitating the office's
    # accounts was seen in (a confirmed fake account, channels.Lookalike).
    narrative = models.ForeignKey(
        Narrative, on_delete=models.PROTECT, related_name="exports", null=True, blank=True
    )
    lookalike = models.ForeignKey(
        "channels.Lookalike", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    item_count = models.PositiveIntegerField(_("jumlah item"), default=0)
    sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    size = models.PositiveBigIntegerField(_("ukuran (bita)"), default=0)
    filename = models.CharField(_("nama berkas"), max_length=200)

    class Meta:
        verbose_name = _("ekspor bukti")
        verbose_name_plural = _("ekspor bukti")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(narrative__isnull=False, lookalike__isnull=True)
                | models.Q(narrative__isnull=True, lookalike__isnull=False),
                name="monitoring_export_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.filename


class Reply(models.Model):
    """A reply to an item on the office's own channel (a comment answered with a clarification's
    link): prepared by Humas, sent through the platform only after a person confirms it."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Disiapkan")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        DISCARDED = "discarded", _("Dibatalkan")

    # No database constraint: on PostgreSQL items are partitioned by month and a foreign key needs
    # a unique key of its own on the target (the items' key includes their publication time).
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="replies", db_constraint=False)
    narrative = models.ForeignKey(
        Narrative, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    claim = models.ForeignKey(
        "factcheck.Claim", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("teks balasan"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREPARED)
    prepared_at = models.DateTimeField(_("disiapkan"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    external_id = models.CharField(_("ID balasan di platform"), max_length=200, blank=True)
    error = models.CharField(_("galat"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("balasan")
        verbose_name_plural = _("balasan")
        constraints = [
            # One reply per item and clarification: re-preparing never answers a comment twice.
            models.UniqueConstraint(fields=["item", "claim"], name="monitoring_reply_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
