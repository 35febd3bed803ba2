"""Posting activity of the offices below an office, as provinces report it to KPU RI ("35
kabupaten/kota, rata-rata 96 %"): per office and channel, from what Humas knows went out.

What counts (each measure is explained on the page with the same words):
- a **post** is a Konten post with at least one delivery that went out in the period: sent by the
  delivery engine, or recorded by a person for an assisted channel ("Tandai sudah terbit"), by the
  time it went out (``Delivery.sent_at``), on the office's own channels;
- an **active day** is a calendar day in the office's zone with at least one such delivery; the
  **activity** is active days ÷ days in the period;
- **posts per week** is posts ÷ (days in the period ÷ 7);
- per channel, the same active days for that channel's deliveries only;
- **amplification tasks done** is the share of the amplification tasks asked of the office whose
  deadline falls in the period (in the office's zone) that it recorded as done (a one-click share
  counts once its post went out); an office asked none has no share;
- **cascades adopted** is the share of the content cascaded to the office whose deadline falls in
  the period that it adopted or adapted, and the **median delay** the median time from the
  cascade's sending to the office's decision to adopt or adapt it.

Three queries per time zone among the offices shown (at most three: WIB, WITA, WIT), whatever the
number of offices, deliveries and tasks.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.channels.models import Platform
from humas.core.workflow import WorkflowError
from humas.offices import policy
from humas.offices.models import Office
from humas.publishing.models import Delivery

from .models import AmplificationTarget, CascadeTarget, ComplianceSetting

DEFAULT_DAYS = 30
MIN_SETTING_DAYS = 7
MAX_DAYS = 366
DEFAULT_THRESHOLD = 80  # percent of days active, the line a province draws for its regencies


@dataclass
class ChannelActivity:
    platform: str
    label: str
    active_days: int
    posts: int


@dataclass
class OfficeActivity:
    office: Office
    active_days: int
    posts: int
    days: int
    channels: list[ChannelActivity] = field(default_factory=list)
    # Amplification tasks asked of the office with their deadline in the period, and those done.
    amplification_asked: int = 0
    amplification_done: int = 0
    # Content cascaded to the office with its deadline in the period, those adopted or adapted,
    # and how long each of those took from the sending to the decision.
    cascades_asked: int = 0
    cascades_adopted: int = 0
    adoption_delays: list[timedelta] = field(default_factory=list)

    @property
    def activity(self) -> float:
        """Active days as a percentage of the period's days (0–100)."""
        return 100.0 * self.active_days / self.days if self.days else 0.0

    @property
    def posts_per_week(self) -> float:
        return self.posts / (self.days / 7) if self.days else 0.0

    @property
    def amplification_share(self) -> float | None:
        """Amplification tasks done as a percentage of those asked (0–100); None when none was."""
        if not self.amplification_asked:
            return None
        return 100.0 * self.amplification_done / self.amplification_asked

    @property
    def cascade_share(self) -> float | None:
        """Cascades adopted or adapted as a percentage of those received (0–100); None when none was."""
        if not self.cascades_asked:
            return None
        return 100.0 * self.cascades_adopted / self.cascades_asked

    @property
    def median_delay_hours(self) -> float | None:
        """The median hours from a cascade's sending to its adoption; None when nothing was adopted."""
        if not self.adoption_delays:
            return None
        return statistics.median(d.total_seconds() for d in self.adoption_delays) / 3600


@dataclass
class ComplianceReport:
    office: Office
    start: date
    end: date  # inclusive
    threshold: int
    rows: list[OfficeActivity]
    platforms: list[tuple[str, str]]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def average(self) -> float:
        return statistics.fmean(r.activity for r in self.rows) if self.rows else 0.0

    @property
    def meeting(self) -> int:
        return sum(1 for r in self.rows if r.activity >= self.threshold)


@dataclass(frozen=True)
class ComplianceRule:
    """The period (days) and threshold (percent of days active) a report at an office uses, and
    the office that set them (None: the product's defaults)."""

    period_days: int
    threshold: int
    set_by_office: Office | None = None
    own: bool = False  # set at this office itself (not inherited)


class ComplianceSettingError(WorkflowError):
    """Settings out of range; the message is translated and shown."""


def compliance_rule_for(*, office: Office) -> ComplianceRule:
    """The setting of ``office``, else of the nearest office above it that has one, else the
    defaults (DEFAULT_DAYS, DEFAULT_THRESHOLD): a province's setting applies to the reports of its
    regencies' offices too. One query."""
    codes = [*office.ancestor_codes, office.code]
    found = {
        setting.office.code: setting
        for setting in ComplianceSetting.objects.filter(office__code__in=codes).select_related("office")
    }
    for code in reversed(codes):
        setting = found.get(code)
        if setting is not None:
            return ComplianceRule(
                setting.period_days, setting.threshold, setting.office, own=code == office.code
            )
    return ComplianceRule(DEFAULT_DAYS, DEFAULT_THRESHOLD)


def compliance_rule_set(
    *, actor: User, office: Office, period_days: int, threshold: int
) -> ComplianceSetting:
    """Set the period and threshold by which ``office`` judges the offices below it (compliance.manage
    there: its Administrator). Audited with what changed."""
    policy.require(actor, "compliance.manage", office)
    if not MIN_SETTING_DAYS <= period_days <= MAX_DAYS:
        raise ComplianceSettingError(
            _("Periode harus antara %(low)s dan %(high)s hari.") % {"low": MIN_SETTING_DAYS, "high": MAX_DAYS}
        )
    if not 1 <= threshold <= 100:
        raise ComplianceSettingError(_("Ambang keaktifan harus antara 1 dan 100 %."))
    with transaction.atomic():
        setting = ComplianceSetting.objects.select_for_update().filter(office=office).first()
        before = (setting.period_days, setting.threshold) if setting is not None else None
        if setting is None:
            setting = ComplianceSetting(office=office)
        setting.period_days, setting.threshold, setting.updated_by = period_days, threshold, actor
        setting.save()
        if before != (period_days, threshold):
            audit_record(
                actor=actor,
                office=office,
                action="compliance.setting_set",
                obj=office,
                changes={
                    "period_days": [before and before[0], period_days],
                    "threshold": [before and before[1], threshold],
                },
            )
    return setting


def default_period(
    *, office: Office, today: date | None = None, days: int | None = None
) -> tuple[date, date]:
    """The last ``days`` full days before today (by default the office's setting), in the
    office's zone."""
    from django.utils import timezone

    days = days or compliance_rule_for(office=office).period_days
    today = today or timezone.localtime(timezone.now(), office.zoneinfo).date()
    end = today - timedelta(days=1)
    return end - timedelta(days=days - 1), end


def offices_reported(*, actor: User, office: Office) -> QuerySet[Office]:
    """The offices a report at ``office`` ranks: the active offices directly below it that the
    person may see (a province: its regencies and cities; KPU RI: the provinces); an office with
    nothing below it: itself."""
    below = policy.visible_offices(actor, action="content.view").filter(parent=office, is_active=True)
    if below.exists():
        return below.order_by("code")
    return Office.objects.filter(pk=office.pk)


def compliance_report(
    *, actor: User, office: Office, start: date, end: date, threshold: int = DEFAULT_THRESHOLD
) -> ComplianceReport:
    """Posting activity between ``start`` and ``end`` (inclusive days, in each office's zone) of
    the offices ranked at ``office``, most active first. Needs content.view at ``office``."""
    policy.require(actor, "content.view", office)
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=MAX_DAYS - 1))
    offices = list(offices_reported(actor=actor, office=office))
    days = (end - start).days + 1
    by_zone: dict[str, list[Office]] = defaultdict(list)
    for member in offices:
        by_zone[member.time_zone].append(member)
    active: dict[int, set[date]] = defaultdict(set)
    channel_days: dict[tuple[int, str], set[date]] = defaultdict(set)
    posts: dict[int, set[int]] = defaultdict(set)
    channel_posts: dict[tuple[int, str], set[int]] = defaultdict(set)
    amplification: dict[int, tuple[int, int]] = {}
    cascades_asked: dict[int, int] = defaultdict(int)
    cascades_adopted: dict[int, int] = defaultdict(int)
    delays: dict[int, list[timedelta]] = defaultdict(list)
    taken = (CascadeTarget.Status.ADOPTED, CascadeTarget.Status.ADAPTED)
    for zone_name, members in by_zone.items():
        zone = ZoneInfo(zone_name)
        since = datetime.combine(start, time.min, tzinfo=zone)
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        rows = (
            Delivery.objects.filter(
                state=Delivery.State.SENT,
                sent_at__gte=since,
                sent_at__lt=until,
                publication__post__office__in=members,
            )
            .annotate(day=TruncDate("sent_at", tzinfo=zone))
            .values_list("publication__post__office_id", "channel__platform", "day", "publication__post_id")
            .order_by()
        )
        for office_id, platform, day, post_id in rows:
            active[office_id].add(day)
            channel_days[(office_id, platform)].add(day)
            posts[office_id].add(post_id)
            channel_posts[(office_id, platform)].add(post_id)
        tasks = (
            AmplificationTarget.objects.filter(
                office__in=members, task__deadline__gte=since, task__deadline__lt=until
            )
            .values("office_id")
            .annotate(asked=Count("pk"), done=Count("pk", filter=Q(status=AmplificationTarget.Status.DONE)))
            .order_by()
        )
        for row in tasks:
            amplification[row["office_id"]] = (row["asked"], row["done"])
        received = (
            CascadeTarget.objects.filter(
                office__in=members, cascade__deadline__gte=since, cascade__deadline__lt=until
            )
            .values_list("office_id", "status", "cascade__created_at", "decided_at")
            .order_by()
        )
        for office_id, status, sent_at, decided_at in received:
            cascades_asked[office_id] += 1
            if status in taken:
                cascades_adopted[office_id] += 1
                if decided_at is not None:
                    delays[office_id].append(decided_at - sent_at)
    platforms = sorted({platform for _office, platform in channel_days})
    labels = dict(Platform.choices)
    report_rows = [
        OfficeActivity(
            office=member,
            active_days=len(active[member.pk]),
            posts=len(posts[member.pk]),
            days=days,
            channels=[
                ChannelActivity(
                    platform=platform,
                    label=str(labels.get(platform, platform)),
                    active_days=len(channel_days[(member.pk, platform)]),
                    posts=len(channel_posts[(member.pk, platform)]),
                )
                for platform in platforms
            ],
            amplification_asked=amplification.get(member.pk, (0, 0))[0],
            amplification_done=amplification.get(member.pk, (0, 0))[1],
            cascades_asked=cascades_asked[member.pk],
            cascades_adopted=cascades_adopted[member.pk],
            adoption_delays=delays[member.pk],
        )
        for member in offices
    ]
    report_rows.sort(key=lambda r: (-r.active_days, -r.posts, r.office.code))
    return ComplianceReport(
        office=office,
        start=start,
        end=end,
        threshold=threshold,
        rows=report_rows,
        platforms=[(p, str(labels.get(p, p))) for p in platforms],
    )
