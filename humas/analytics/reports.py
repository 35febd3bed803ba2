"""PDF reports of an office's figures: requested for any period, made monthly for every office on
the 1st in its zone, rendered by a task, kept in private storage, mailed to the office's
Administrators when monthly, downloaded through a view that checks who asks.

A report is a row first (``Report``, waiting) and a PDF once a worker rendered it (ready, or failed
with a reason people can read). Rendering is idempotent: a ready report is not rendered twice, and
a monthly report goes by e-mail once however often its task runs.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from humas.accounts.models import User
from humas.audit.services import audit_record
from humas.media.storage import read_bytes, save_replacing
from humas.notifications.models import Notification
from humas.notifications.services import notification_send
from humas.offices import policy
from humas.offices.models import Membership, Office

from . import pdf
from .models import Report, report_storage

logger = logging.getLogger(__name__)

MAX_DAYS = 366
# A waiting report whose worker died is queued again by the hourly job after this long (and for
# two days at most: a report that cannot be rendered fails with a reason, it does not wait).
RESUME_AFTER = timedelta(minutes=30)
RESUME_WITHIN = timedelta(days=2)


class ReportRefused(Exception):
    """A request the service refuses, with a translated reason."""


class ReportFailed(Exception):
    """A render that failed; the report is marked failed with a reason people can read."""


def report_period_check(*, office: Office, start: date, end: date, today: date | None = None) -> None:
    """Raise ReportRefused unless [start, end] is a period a report may cover: in order, at most
    366 days, and not after today in the office's zone."""
    today = today or timezone.localdate(timezone=office.zoneinfo)
    if end < start:
        raise ReportRefused(_("Tanggal selesai tidak boleh sebelum tanggal mulai."))
    if (end - start).days + 1 > MAX_DAYS:
        raise ReportRefused(_("Periode paling panjang %(n)s hari.") % {"n": MAX_DAYS})
    if end > today:
        raise ReportRefused(
            _("Periode laporan tidak boleh melewati hari ini (%(today)s %(zone)s).")
            % {"today": formats.date_format(today, "j F Y"), "zone": office.tz_abbreviation}
        )


def report_request(*, actor: User, office: Office, start: date, end: date, language: str) -> Report:
    """Ask for a report of ``office`` over [start, end] (the office's days, both included) in
    ``language``; it is rendered by a task after the commit. The caller has not checked the
    policy; this does (``report.view``), then the period and the language."""
    policy.require(actor, "report.view", office)
    report_period_check(office=office, start=start, end=end)
    if language not in Report.Language.values:
        raise ReportRefused(_("Bahasa laporan tidak dikenal."))
    with transaction.atomic():
        report = Report.objects.create(
            office=office,
            period_start=start,
            period_end=end,
            language=language,
            kind=Report.Kind.ON_DEMAND,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            office=office,
            action="report.request",
            obj=report,
            changes={"period_start": start.isoformat(), "period_end": end.isoformat(), "language": language},
        )
        transaction.on_commit(partial(report_render_task, report.pk))
    return report


def _reader(report: Report) -> User | None:
    """Whom the render reads as: the person who asked (while they still may), or for a monthly
    report the office itself (policy.office_reader); None when nobody may."""
    if report.kind == Report.Kind.MONTHLY:
        return policy.office_reader(report.office)
    person = report.created_by
    if person is None or not policy.can(person, "report.view", report.office):
        return None
    return person


def _stored_name(report: Report) -> str:
    return f"analytics/reports/{report.office_id}/{report.pk}.pdf"


def _fail(report: Report, error: str, *, now: datetime) -> ReportFailed:
    report.status, report.error, report.finished_at = Report.Status.FAILED, error, now
    report.save(update_fields=["status", "error", "finished_at"])
    return ReportFailed(report.get_error_display())


def report_render(*, report: Report, now: datetime | None = None) -> bytes:
    """Render ``report`` as PDF, store it (private) and mark it ready; return the PDF. A ready
    report's stored PDF is returned as it is. On failure the report is marked failed with a reason
    people can read, the cause is logged, and ReportFailed is raised."""
    now = now or timezone.now()
    storage = report_storage()
    if report.status == Report.Status.READY and report.file:
        try:
            return read_bytes(storage=storage, name=str(report.file.name))
        except OSError:
            logger.warning("stored PDF of report %s is gone; rendering it again", report.pk)
    reader = _reader(report)
    if reader is None:
        raise _fail(report, Report.Error.ACCESS, now=now)
    try:
        rendered = pdf.report_pdf(report=report, reader=reader, now=now)
    except Exception:  # noqa: BLE001 - any failure of the renderer is the report's, not the worker's
        logger.exception("report %s of office %s could not be rendered", report.pk, report.office_id)
        raise _fail(report, Report.Error.RENDER, now=now) from None
    try:
        name = save_replacing(storage=storage, name=_stored_name(report), content=rendered.content)
    except Exception:  # noqa: BLE001 - a full or unwritable disk fails this report only
        logger.exception("PDF of report %s could not be stored", report.pk)
        raise _fail(report, Report.Error.STORAGE, now=now) from None
    report.file.name = name
    report.status, report.error = Report.Status.READY, ""
    report.bytes, report.pages, report.finished_at = len(rendered.content), rendered.pages, now
    report.save(update_fields=["file", "status", "error", "bytes", "pages", "finished_at"])
    return rendered.content


def report_file_name(report: Report) -> str:
    """The download's name: ``laporan-kpu-kabupaten-jepara-2026-11.pdf`` for a calendar month,
    ``laporan-…-20261103-20261116.pdf`` for another period ("report-" in English)."""
    word = "report" if report.language == Report.Language.EN else "laporan"
    name = slugify(report.office.name) or report.office.slug
    start, end = report.period_start, report.period_end
    next_day = end + timedelta(days=1)
    if start.day == 1 and next_day.day == 1 and (end - start).days < 31:
        period = f"{start:%Y-%m}"
    else:
        period = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"{word}-{name}-{period}.pdf"


def _administrators(office: Office) -> QuerySet[User]:
    """The office's own active Administrators (not those of the offices above it)."""
    return (
        User.objects.filter(
            memberships__office=office, memberships__role=Membership.Role.ADMIN, is_active=True
        )
        .distinct()
        .order_by("pk")
    )


def report_mail(*, report: Report, content: bytes, now: datetime | None = None) -> int:
    """E-mail a ready monthly report, PDF attached, to each Administrator of its office, once
    (the row is claimed before sending; a mail server that refuses is logged and frees the claim).
    People have no language of their own in Humas: the message is in the report's. Returns how
    many messages went."""
    if report.kind != Report.Kind.MONTHLY or report.status != Report.Status.READY:
        return 0
    now = now or timezone.now()
    people = list(_administrators(report.office).exclude(email=""))
    if not people:
        return 0
    if not Report.objects.filter(pk=report.pk, emailed_at__isnull=True).update(emailed_at=now):
        return 0  # already sent by an earlier run
    link = settings.HUMAS_BACKOFFICE_URL.rstrip("/") + reverse(
        "analytics:reports", kwargs={"office_slug": report.office.slug}
    )
    with translation.override(report.language):
        period = pdf.period_text(report.period_start, report.period_end)
        subject = _("Humas: laporan bulanan %(office)s, %(period)s") % {
            "office": report.office.name,
            "period": formats.date_format(report.period_start, "F Y"),
        }
        body = "\n".join(
            [
                _("Laporan bulanan analitik %(office)s untuk %(period)s sudah siap; PDF-nya terlampir.")
                % {"office": report.office.name, "period": period},
                "",
                _("Laporan ini dan laporan lainnya dapat diunduh di: %(url)s") % {"url": link},
                "",
                _("Anda menerima e-mail ini sebagai Administrator %(office)s.")
                % {"office": report.office.name},
            ]
        )
    filename = report_file_name(report)
    messages = []
    for person in people:
        message = EmailMessage(subject.replace("\n", " ")[:200], body, None, [person.email])
        message.attach(filename, content, "application/pdf")
        messages.append(message)
    try:
        get_connection().send_messages(messages)
    except Exception:  # noqa: BLE001 - the report stays ready and downloadable
        logger.exception("e-mail of monthly report %s failed", report.pk)
        Report.objects.filter(pk=report.pk).update(emailed_at=None)
        return 0
    report.emailed_at = now
    return len(messages)


def _told(report: Report) -> list[User]:
    """Who hears in the app that ``report`` is ready or failed: the person who asked for it (while
    they may still see the office's reports), or every Administrator of the office for a monthly
    report."""
    if report.kind == Report.Kind.MONTHLY:
        return list(_administrators(report.office))
    person = report.created_by
    return [person] if person is not None and policy.can(person, "report.view", report.office) else []


def report_notify(*, report: Report, now: datetime | None = None) -> int:
    """Tell the people of ``_told`` in the app that ``report`` is ready (no e-mail: a monthly
    report has its own) or failed, with why; once per report and outcome. Returns how many were
    told."""
    if report.status not in (Report.Status.READY, Report.Status.FAILED):
        return 0
    period = pdf.period_text(report.period_start, report.period_end)
    link = reverse("analytics:reports", kwargs={"office_slug": report.office.slug}) + f"#report-{report.pk}"
    if report.status == Report.Status.READY:
        kind, title = (
            Notification.Kind.REPORT_READY,
            _("Laporan %(office)s siap diunduh") % {"office": report.office.name},
        )
        body = period
    else:
        kind, title = (
            Notification.Kind.REPORT_FAILED,
            _("Laporan %(office)s gagal dibuat") % {"office": report.office.name},
        )
        body = f"{period}. {report.get_error_display()}"
    sent = notification_send(
        users=_told(report),
        office=report.office,
        kind=kind,
        title=title,
        body=body,
        link=link,
        key=f"report:{report.pk}:{report.status}",
        now=now,
    )
    return len(sent)


def report_produce(*, report_id: int, now: datetime | None = None) -> Report | None:
    """Render the report ``report_id`` (fresh from the database), tell who waits for it in the app
    and, for a monthly one, mail it. Idempotent; a failure is recorded on the report and told.
    None when the report is gone."""
    report = Report.objects.select_related("office", "created_by").filter(pk=report_id).first()
    if report is None:
        return None
    try:
        content = report_render(report=report, now=now)
    except ReportFailed:
        report_notify(report=report, now=now)
        return report
    report_notify(report=report, now=now)
    report_mail(report=report, content=content, now=now)
    return report


@db_task(retries=0)  # a failure is recorded on the report; a person asks again
def report_render_task(report_id: int) -> None:
    report_produce(report_id=report_id)


def monthly_reports_create(*, now: datetime | None = None) -> list[Report]:
    """For each zone where it is now the 1st of the month, the previous month's monthly report of
    every active office of that zone that has none yet: one query for those offices, one insert,
    then a render task per report after the commit. Running it again creates nothing again."""
    now = now or timezone.now()
    created: list[Report] = []
    for zone in Office.TimeZone.values:
        today = now.astimezone(ZoneInfo(zone)).date()
        if today.day != 1:
            continue
        end = today - timedelta(days=1)
        start = end.replace(day=1)
        missing = (
            Office.objects.filter(time_zone=zone, is_active=True)
            .exclude(
                pk__in=Report.objects.filter(kind=Report.Kind.MONTHLY, period_start=start).values("office_id")
            )
            .order_by("path")
            .values_list("pk", flat=True)
        )
        rows = [
            Report(
                office_id=office_id,
                period_start=start,
                period_end=end,
                language=settings.LANGUAGE_CODE,
                kind=Report.Kind.MONTHLY,
            )
            for office_id in missing
        ]
        if not rows:
            continue
        try:
            with transaction.atomic():
                made = Report.objects.bulk_create(rows, batch_size=500)
        except IntegrityError:
            # Another run created this month's reports at the same moment; its tasks render them.
            logger.info("monthly reports of %s for %s already being created", zone, start)
            continue
        created.extend(made)
    for report in created:
        transaction.on_commit(partial(report_render_task, report.pk))
    return created


def reports_resume(*, now: datetime | None = None) -> int:
    """Queue again the reports still waiting a while after they were asked for (their worker
    died); rendering is idempotent. Returns how many."""
    now = now or timezone.now()
    waiting = list(
        Report.objects.filter(
            status=Report.Status.WAITING,
            created_at__lt=now - RESUME_AFTER,
            created_at__gte=now - RESUME_WITHIN,
        ).values_list("pk", flat=True)
    )
    for report_id in waiting:
        transaction.on_commit(partial(report_render_task, report_id))
    return len(waiting)


def report_list(*, actor: User, office: Office) -> QuerySet[Report]:
    """The office's reports, newest first."""
    policy.require(actor, "report.view", office)
    return Report.objects.filter(office=office).select_related("created_by").order_by("-created_at", "-pk")


def report_get(*, actor: User, office: Office, report_id: int) -> Report | None:
    """The report ``report_id`` of ``office`` (None for another office's, or none)."""
    policy.require(actor, "report.view", office)
    return Report.objects.filter(office=office, pk=report_id).select_related("office").first()


def report_content(*, actor: User, report: Report) -> bytes | None:
    """The stored PDF of a ready report, for a person who may see its office; None when it is
    not ready or its file is gone."""
    policy.require(actor, "report.view", report.office)
    if report.status != Report.Status.READY or not report.file:
        return None
    try:
        return read_bytes(storage=report_storage(), name=str(report.file.name))
    except OSError:
        logger.warning("stored PDF of report %s is gone", report.pk)
        return None
