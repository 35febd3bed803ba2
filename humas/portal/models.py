"""Public portal content: articles of five types (clarifications among them), their versions,
images and view counts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from humas.core.stages import ElectionStage
from humas.core.workflow import ReviewedModel
from humas.offices.models import NATIONAL_SLUG


class ArticleType(models.TextChoices):
    BERITA = "berita", _("Berita")
    PENGUMUMAN = "pengumuman", _("Pengumuman")
    SIARAN_PERS = "siaran-pers", _("Siaran Pers")
    INFOGRAFIS = "infografis", _("Infografis")
    KLARIFIKASI = "klarifikasi", _("Klarifikasi")


class Verdict(models.TextChoices):
    """Verdict taxonomy of clarifications; the label is shown and used as ClaimReview alternateName."""

    SALAH = "salah", _("SALAH")
    HOAKS = "hoaks", _("HOAKS")
    DISINFORMASI = "disinformasi", _("DISINFORMASI")
    MISINFORMASI = "misinformasi", _("MISINFORMASI")
    MENYESATKAN = "menyesatkan", _("MENYESATKAN")
    SATIRE = "satire", _("SATIRE")
    BENAR = "benar", _("BENAR")


# A 1-5 rating for ClaimReview: 1 is false, 5 is true.
VERDICT_RATING: dict[str, int] = {
    Verdict.SALAH: 1,
    Verdict.HOAKS: 1,
    Verdict.DISINFORMASI: 1,
    Verdict.MISINFORMASI: 2,
    Verdict.MENYESATKAN: 2,
    Verdict.SATIRE: 3,
    Verdict.BENAR: 5,
}


class Category(models.Model):
    name = models.CharField(_("nama"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("nama"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tag")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(ReviewedModel):
    # Not shared with Post.Status: the labels and the scheduled/rejected states differ.
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        IN_REVIEW = "in_review", _("Menunggu tinjauan")
        SCHEDULED = "scheduled", _("Terjadwal")
        PUBLISHED = "published", _("Terbit")
        REJECTED = "rejected", _("Ditolak")
        UNPUBLISHED = "unpublished", _("Ditarik")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.PROTECT, related_name="articles", verbose_name=_("kantor")
    )
    type = models.CharField(
        _("jenis"), max_length=20, choices=ArticleType.choices, default=ArticleType.BERITA
    )
    title = models.CharField(_("judul"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120)
    summary = models.TextField(_("ringkasan"), max_length=400, blank=True)
    body = models.TextField(_("isi"), blank=True)
    body_text = models.TextField(editable=False, blank=True)
    # Filled on PostgreSQL by portal.search (indonesian configuration); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    rejection_reason = models.TextField(_("alasan penolakan"), blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("kategori"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tag"))
    election_stage = models.CharField(
        _("tahapan pemilu"), max_length=40, choices=ElectionStage.choices, blank=True
    )
    cover = models.ForeignKey(
        "portal.ArticleImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("gambar utama"),
    )
    pinned_until = models.DateTimeField(_("disematkan hingga"), null=True, blank=True)
    # Clarification (Klarifikasi) fields.
    claim = models.TextField(_("klaim yang beredar"), blank=True)
    claim_appearances = models.JSONField(_("tempat klaim muncul"), default=list, blank=True)
    verdict = models.CharField(_("putusan"), max_length=20, choices=Verdict.choices, blank=True)
    evidence_links = models.JSONField(_("tautan bukti"), default=list, blank=True)

    # author and approved_by: ReviewedModel.
    publish_at = models.DateTimeField(_("jadwal terbit"), null=True, blank=True, db_index=True)
    # A scheduled article whose time fell inside a blackout window (humas/blackouts): it stays
    # scheduled but is not published until an approver publishes or reschedules it.
    held_by = models.ForeignKey(
        "blackouts.Blackout",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ditahan oleh masa jeda"),
    )
    published_at = models.DateTimeField(_("tanggal terbit"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("artikel")
        verbose_name_plural = _("artikel")
        ordering = ["-published_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["office", "type", "slug"], name="article_unique_slug")]
        indexes = [
            models.Index(fields=["office", "status", "-published_at"], name="article_office_pub"),
            models.Index(fields=["status", "type", "-published_at"], name="article_type_pub"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return article_url(office_slug=self.office.slug, type=self.type, slug=self.slug)

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED


def article_url(*, office_slug: str, type: str, slug: str) -> str:
    if office_slug == NATIONAL_SLUG:
        return reverse("portal:national_article", kwargs={"type": type, "slug": slug})
    return reverse("portal:article", kwargs={"office_slug": office_slug, "type": type, "slug": slug})


class ArticleVersion(models.Model):
    """A snapshot taken at every save of the content, so any earlier text can be read again."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Who approved this version (the history shows who wrote and who approved each one); empty
    # for a version that was never approved as it stands.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # A typo correction of a published article (it stayed published): the characters it changed.
    typo_correction = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleImage(models.Model):
    class State(models.TextChoices):
        PROCESSING = "processing", _("Diproses")
        READY = "ready", _("Siap")
        FAILED = "failed", _("Gagal")

    office = models.ForeignKey("offices.Office", on_delete=models.PROTECT, related_name="+")
    file = models.ImageField(_("berkas"), upload_to="portal/originals/%Y/%m/")
    alt_text = models.CharField(_("teks alternatif"), max_length=250)
    caption = models.CharField(_("keterangan"), max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    renditions = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROCESSING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gambar")
        verbose_name_plural = _("gambar")

    def __str__(self) -> str:
        return self.alt_text


class ArticleViewDaily(models.Model):
    """Counted human views per article per day (the office's day is not needed: UTC days)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="article_view_day_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.count}"


class ArticleViewTotal(models.Model):
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="view_total"
    )
    count = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.article_id}: {self.count}"


class ArticleViewBuffer(models.Model):
    """Counted views waiting for the next flush on the embedded shape (with Redis they wait in Redis).

    Appending a row is cheap and never contends on a counter row; the flush task folds them into
    ArticleViewDaily and ArticleViewTotal with one upsert each and deletes them, in one transaction.
    """

    article_id = models.BigIntegerField()
    day = models.DateField()
    # Set (to the article's office) when this view was also its visitor's first counted view of
    # that office's articles that day: the flush adds one to the office's OfficeVisitorDaily too.
    # On the view's own row, so that a new visitor costs no second INSERT.
    visitor_office_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class OfficeVisitorDaily(models.Model):
    """Distinct visitors per office per UTC day (the days of ArticleViewDaily): a visitor (a signed
    cookie, see counter.py) who counted a view of one or several of the office's articles that day
    counts once. Only the count is kept, never who the visitors were."""

    office = models.ForeignKey("offices.Office", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        # Day first: the analytics rebuild reads one day of every office; the flush's upsert
        # finds its row by both columns, in whichever order.
        constraints = [models.UniqueConstraint(fields=["day", "office"], name="office_visitor_day_unique")]

    def __str__(self) -> str:
        return f"office {self.office_id} {self.day}: {self.count}"
