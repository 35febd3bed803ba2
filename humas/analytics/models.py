"""Daily aggregates the dashboards read: one row per channel and day, one per office and day.

A day is the office's own calendar day in its zone (WIB, WITA or WIT). The rows are derived from
the raw tables (deliveries and their metrics, articles, portal view counts) and rebuilt by
``aggregate.day_rebuild``; nothing else writes them. A count that is None means "the platform
does not give it", which is not the same as 0.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from humas.channels.models import Platform
from humas.media.storage import PrivateMediaStorage, private_storage


class ChannelCounts(models.Model):
    """The counts of a channel-day and of its roll-ups (SubtreeDay). None: no platform gives it
    for these rows (not the same as 0)."""

    # Deliveries sent that day; the counts below are their latest metrics snapshots (they grow
    # for a week after sending, so a day is rebuilt until then).
    posts = models.PositiveIntegerField(_("unggahan"), default=0)
    reactions = models.BigIntegerField(_("reaksi"), null=True, blank=True)
    comments = models.BigIntegerField(_("komentar"), null=True, blank=True)
    shares = models.BigIntegerField(_("dibagikan"), null=True, blank=True)
    impressions = models.BigIntegerField(_("tayangan"), null=True, blank=True)
    reach = models.BigIntegerField(_("jangkauan"), null=True, blank=True)
    views = models.BigIntegerField(_("ditonton"), null=True, blank=True)
    link_clicks = models.BigIntegerField(_("klik tautan"), null=True, blank=True)
    # Followers that day (FollowerCount; a roll-up sums its channels'), None when none was
    # collected: a level, not a flow, so a period shows each channel's last known value and never
    # a sum over days.
    followers = models.BigIntegerField(_("pengikut"), null=True, blank=True)

    class Meta:
        abstract = True


class PortalCounts(models.Model):
    """The counts of a portal-day of an office and of its roll-ups (SubtreePortalDay)."""

    # Counted on UTC days by the portal (portal.ArticleViewDaily), the articles on the office's.
    views = models.BigIntegerField(_("dilihat"), default=0)
    # Distinct visitors who counted a view of one of the office's articles that (UTC) day; None
    # for days before the portal counted them.
    visitors = models.BigIntegerField(_("pengunjung"), null=True, blank=True)
    articles_published = models.PositiveIntegerField(_("artikel terbit"), default=0)
    clarifications_published = models.PositiveIntegerField(_("klarifikasi terbit"), default=0)

    class Meta:
        abstract = True


class ChannelDay(ChannelCounts):
    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("kanal")
    )
    day = models.DateField(_("tanggal"))

    class Meta:
        verbose_name = _("statistik harian kanal")
        verbose_name_plural = _("statistik harian kanal")
        ordering = ["day", "channel_id"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="channel_day_unique")]
        indexes = [
            models.Index(fields=["office", "day"], name="channel_day_office"),
            models.Index(fields=["day"], name="channel_day_day"),  # the rebuild replaces a day
        ]

    def __str__(self) -> str:
        return f"channel {self.channel_id} {self.day}"


class PortalDay(PortalCounts):
    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))

    class Meta:
        verbose_name = _("statistik harian portal")
        verbose_name_plural = _("statistik harian portal")
        ordering = ["day", "office_id"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="portal_day_unique")]
        indexes = [models.Index(fields=["day"], name="portal_day_day")]

    def __str__(self) -> str:
        return f"portal of office {self.office_id} {self.day}"


# --- Roll-ups: the rows above summed over each office's subtree ------------------------------
#
# An office's figures are its whole subtree's (itself and every office below it). Summing the
# rows above at read time costs a national page every channel of 553 offices for every day of the
# period; these tables hold, for each office and day, its subtree's sums already, so a page reads
# one row per day (and platform) whatever the number of offices below. day_rebuild writes them
# from the day's ChannelDay and PortalDay rows in the same transaction, following the tree as it
# is at the rebuild; nothing else writes them.


class SubtreeDay(ChannelCounts):
    """The ``ChannelDay`` rows of an office's subtree for one day and platform, summed (a period's
    followers come from each channel's own counts, selectors.followers_by_channel)."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)

    class Meta:
        verbose_name = _("statistik harian kanal per cabang")
        verbose_name_plural = _("statistik harian kanal per cabang")
        ordering = ["day", "office_id", "platform"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "platform"], name="subtree_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="subtree_day_day")]

    def __str__(self) -> str:
        return f"subtree of office {self.office_id} {self.day} {self.platform}"


class SubtreePortalDay(PortalCounts):
    """The ``PortalDay`` rows of an office's subtree for one day, summed."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))

    class Meta:
        verbose_name = _("statistik harian portal per cabang")
        verbose_name_plural = _("statistik harian portal per cabang")
        ordering = ["day", "office_id"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="subtree_portal_day_unique")]
        indexes = [models.Index(fields=["day"], name="subtree_portal_day_day")]

    def __str__(self) -> str:
        return f"portal of the subtree of office {self.office_id} {self.day}"


class ActiveDay(models.Model):
    """A day on which an office's own channels sent at least one post (its ChannelDay rows with
    posts, summed): an "active day" of the work measures, one narrow row per office and day so a
    year of 553 offices is counted without reading every channel's rows."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))
    posts = models.PositiveIntegerField(_("unggahan"))

    class Meta:
        verbose_name = _("hari aktif")
        verbose_name_plural = _("hari aktif")
        ordering = ["day", "office_id"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="active_day_unique")]
        indexes = [models.Index(fields=["day"], name="active_day_day")]

    def __str__(self) -> str:
        return f"office {self.office_id} active on {self.day}"


class TopDelivery(models.Model):
    """One of the deliveries of an office's subtree sent that day with the most engagement
    (reactions + comments + shares + link clicks of its latest metrics snapshot at the rebuild): at most
    ``aggregate.TOP_PER_DAY`` per office and day, so a period's top posts are the best of its days' lists."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))
    delivery = models.ForeignKey(
        "publishing.Delivery", on_delete=models.CASCADE, related_name="+", verbose_name=_("pengiriman")
    )
    engagement = models.BigIntegerField(_("interaksi"))

    class Meta:
        verbose_name = _("unggahan teratas harian")
        verbose_name_plural = _("unggahan teratas harian")
        ordering = ["day", "office_id", "-engagement"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "delivery"], name="top_delivery_unique")
        ]
        indexes = [models.Index(fields=["day"], name="top_delivery_day")]

    def __str__(self) -> str:
        return f"delivery {self.delivery_id} in the top of office {self.office_id} {self.day}"


class TopArticle(models.Model):
    """One of the portal articles of an office's subtree published that day (on its office's day)
    with the most views since (``ArticleViewTotal`` at the last refresh): at most
    ``aggregate.TOP_PER_DAY`` per office and day. Views keep coming for months, so the nightly task
    refreshes the lists of the last ``aggregate.ARTICLE_TOP_DAYS`` days."""

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))
    article = models.ForeignKey(
        "portal.Article", on_delete=models.CASCADE, related_name="+", verbose_name=_("artikel")
    )
    views = models.BigIntegerField(_("dilihat"))

    class Meta:
        verbose_name = _("artikel teratas harian")
        verbose_name_plural = _("artikel teratas harian")
        ordering = ["day", "office_id", "-views"]
        constraints = [
            models.UniqueConstraint(fields=["office", "day", "article"], name="top_article_unique")
        ]
        indexes = [models.Index(fields=["day"], name="top_article_day")]

    def __str__(self) -> str:
        return f"article {self.article_id} in the top of office {self.office_id} {self.day}"


class FollowerCount(models.Model):
    """A channel's followers as its platform reported them, at most one row per channel and day
    (the office's day): the raw rows ``ChannelDay.followers`` is rebuilt from. Collected by
    ``followers.py`` within the platforms' rate limits."""

    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("kanal")
    )
    day = models.DateField(_("tanggal"))
    count = models.BigIntegerField(_("pengikut"))
    collected_at = models.DateTimeField(_("dikumpulkan"))

    class Meta:
        verbose_name = _("jumlah pengikut")
        verbose_name_plural = _("jumlah pengikut")
        ordering = ["day", "channel_id"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="follower_count_unique")]
        indexes = [models.Index(fields=["day"], name="follower_count_day")]

    def __str__(self) -> str:
        return f"channel {self.channel_id} {self.day}: {self.count}"


def report_storage() -> PrivateMediaStorage:
    """The storage of Report.file: private (served only through the download view, which checks
    who asks); a callable so migrations do not freeze a path."""
    return private_storage()


class Report(models.Model):
    """A PDF report of an office's figures over a period of its own days (both ends included):
    monthly ones made by a periodic task on the 1st in the office's zone, others on request."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("Bulanan")
        ON_DEMAND = "on_demand", _("Atas permintaan")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Sedang dibuat")
        READY = "ready", _("Siap")
        FAILED = "failed", _("Gagal")

    class Language(models.TextChoices):
        # Each language named in itself, as the language switch does.
        ID = "id", "Bahasa Indonesia"
        EN = "en", "English"

    class Error(models.TextChoices):
        """Why a report failed, said to people in their language (the details go to the log)."""

        RENDER = (
            "render",
            _("PDF laporan tidak dapat dibuat. Minta laporan lagi; bila tetap gagal, hubungi admin Humas."),
        )
        STORAGE = "storage", _("PDF laporan tidak dapat disimpan. Minta laporan lagi nanti.")
        ACCESS = "access", _("Peminta laporan tidak lagi memiliki akses ke kantor ini.")

    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    language = models.CharField(_("bahasa"), max_length=8, choices=Language.choices, default=Language.ID)
    kind = models.CharField(_("jenis"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    error = models.CharField(_("kesalahan"), max_length=16, choices=Error.choices, blank=True)
    file = models.FileField(_("berkas"), storage=report_storage, max_length=200, blank=True)
    bytes = models.PositiveIntegerField(_("ukuran (byte)"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("halaman"), null=True, blank=True)
    # None for the monthly ones, which nobody asked for.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # When a monthly report went to the office's Administrators: a render run twice mails once.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("laporan PDF")
        verbose_name_plural = _("laporan PDF")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The periodic task creates each office's month once, however often it runs.
            models.UniqueConstraint(
                fields=["office", "period_start"],
                condition=models.Q(kind="monthly"),
                name="report_monthly_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="report_period_ordered"
            ),
        ]
        indexes = [models.Index(fields=["office", "-created_at"], name="report_office_recent")]

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d}"
