"""Daily aggregates the dashboards read: one row per channel and day, one per office and day.

A day is the office's own calendar day in its zone (WIB, WITA or WIT). The rows are derived from
the raw tables (deliveries and their metrics, articles, portal view counts) and rebuilt by
``aggregate.day_rebuild``; nothing else writes them. A count that is None means "the platform
does not give it", which is not the same as 0.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelDay(models.Model):
    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="+", verbose_name=_("kanal")
    )
    day = models.DateField(_("tanggal"))
    # Deliveries sent that day; the counts below are their latest metrics snapshots (they grow
    # for a week after sending, so a day is rebuilt until then).
    posts = models.PositiveIntegerField(_("unggahan"), default=0)
    reactions = models.BigIntegerField(_("reaksi"), null=True, blank=True)
    comments = models.BigIntegerField(_("komentar"), null=True, blank=True)
    shares = models.BigIntegerField(_("dibagikan"), null=True, blank=True)
    impressions = models.BigIntegerField(_("tayangan"), null=True, blank=True)
    reach = models.BigIntegerField(_("jangkauan"), null=True, blank=True)
    views = models.BigIntegerField(_("ditonton"), null=True, blank=True)
    # The channel's followers that day (FollowerCount), None when none was collected: a level,
    # not a flow, so a period shows its last known value and never a sum over days.
    followers = models.BigIntegerField(_("pengikut"), null=True, blank=True)

    class Meta:
        verbose_name = _("statistik harian kanal")
        verbose_name_plural = _("statistik harian kanal")
        ordering = ["day", "channel_id"]
        constraints = [models.UniqueConstraint(fields=["channel", "day"], name="channel_day_unique")]
        indexes = [models.Index(fields=["office", "day"], name="channel_day_office")]

    def __str__(self) -> str:
        return f"channel {self.channel_id} {self.day}"


class PortalDay(models.Model):
    office = models.ForeignKey(
        "offices.Office", on_delete=models.CASCADE, related_name="+", verbose_name=_("kantor")
    )
    day = models.DateField(_("tanggal"))
    # Counted on UTC days by the portal (portal.ArticleViewDaily), the other two on the office's.
    views = models.BigIntegerField(_("dilihat"), default=0)
    # Distinct visitors who counted a view of one of the office's articles that (UTC) day; None
    # for days before the portal counted them.
    visitors = models.BigIntegerField(_("pengunjung"), null=True, blank=True)
    articles_published = models.PositiveIntegerField(_("artikel terbit"), default=0)
    clarifications_published = models.PositiveIntegerField(_("klarifikasi terbit"), default=0)

    class Meta:
        verbose_name = _("statistik harian portal")
        verbose_name_plural = _("statistik harian portal")
        ordering = ["day", "office_id"]
        constraints = [models.UniqueConstraint(fields=["office", "day"], name="portal_day_unique")]

    def __str__(self) -> str:
        return f"portal of office {self.office_id} {self.day}"


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
