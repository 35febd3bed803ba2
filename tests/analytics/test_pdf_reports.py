"""PDF reports (humas/analytics/reports.py, pdf.py): the text of the rendered PDF against golden
files, its numbers against the selectors', the monthly schedule, the requests and the downloads.

The golden files (tests/analytics/golden/*.txt) are the text pypdf extracts from each page of a
report of a fixed history. After an intended change of the report, look at the new PDFs and
rewrite them:

    HUMAS_UPDATE_GOLDEN=1 .venv/bin/pytest tests/analytics/test_pdf_reports.py
"""

from __future__ import annotations

import io
import itertools
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from humas.analytics import pdf, reports
from humas.analytics.aggregate import day_rebuild
from humas.analytics.models import Report
from humas.analytics.reports import (
    ReportRefused,
    monthly_reports_create,
    report_file_name,
    report_render,
    report_request,
)
from humas.analytics.selectors import channel_totals, office_series, offices_below_days, offices_below_table
from humas.audit.models import AuditEvent
from humas.channels.models import Channel
from humas.notifications.models import Notification
from humas.offices import policy
from humas.offices.models import Office
from humas.offices.policy import PolicyDenied
from humas.portal.models import Article, ArticleType, ArticleViewDaily, ArticleViewTotal, Verdict
from humas.publishing.models import Delivery, DeliveryMetrics, Post, Publication

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("HUMAS_UPDATE_GOLDEN") == "1"
WIB = ZoneInfo("Asia/Jakarta")
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
# The moment the monthly job renders November in WIB: 00:05 on 1 December.
RENDERED_AT = datetime(2026, 12, 1, 0, 5, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


class History:
    """A fixed history of Jawa Tengah in October and November 2026: the province itself, Jepara and
    Cilacap post and publish; every other office has nothing."""

    def __init__(self, offices, author):
        self.offices = offices
        self.author = author
        self.channels: dict[tuple[str, str], Channel] = {}
        # Numbers the URLs and slugs: the same in every run, whatever ran before.
        self.numbers = itertools.count(1)

    def channel(self, code: str, platform: str) -> Channel:
        key = (code, platform)
        if key not in self.channels:
            self.channels[key] = Channel.objects.create(
                office=self.offices[code], platform=platform, name=f"{self.offices[code].name} {platform}"
            )
        return self.channels[key]

    def sent(self, code: str, platform: str, at: datetime, text: str, **counts) -> Delivery:
        post = Post.objects.create(
            office=self.offices[code], author=self.author, text=text, status="published"
        )
        publication = Publication.objects.create(post=post, created_by=self.author)
        delivery = Delivery.objects.create(
            publication=publication,
            channel=self.channel(code, platform),
            state=Delivery.State.SENT,
            sent_at=at,
            url=f"https://{platform}.example/kpu/{next(self.numbers)}",
        )
        delivery.metrics_latest = DeliveryMetrics.objects.create(
            delivery=delivery, stage=0, collected_at=at + timedelta(hours=24), **counts
        )
        delivery.save(update_fields=["metrics_latest"])
        return delivery

    def article(
        self, code: str, at: datetime, title: str, views: dict[date, int], type=ArticleType.BERITA, verdict=""
    ) -> Article:
        article = Article.objects.create(
            office=self.offices[code],
            author=self.author,
            type=type,
            title=title,
            slug=f"artikel-{next(self.numbers)}",
            status=Article.Status.PUBLISHED,
            published_at=at,
            verdict=verdict,
        )
        for day, count in views.items():
            ArticleViewDaily.objects.create(article=article, day=day, count=count)
        if views:  # as the portal's flush keeps them: the daily rows and their running total
            ArticleViewTotal.objects.create(article=article, count=sum(views.values()))
        return article


@pytest.fixture
def history(offices, member):
    author = member("33", "editor")
    h = History(offices, author)
    # Jepara: four platforms, a clarification; October is the period before.
    h.sent(
        "33.20",
        "facebook",
        _at(12, month=10),
        "Sosialisasi pemilih pemula di SMA Negeri 1 Jepara",
        reactions=50,
        comments=5,
        shares=5,
        reach=1000,
    )
    h.sent(
        "33.20",
        "facebook",
        _at(3),
        "Coklit serentak dimulai di 16 kecamatan Jepara",
        reactions=120,
        comments=14,
        shares=9,
        reach=2400,
        impressions=3100,
        link_clicks=64,
    )
    h.sent(
        "33.20",
        "instagram",
        _at(3, 10, 5),
        "Coklit serentak dimulai di 16 kecamatan Jepara",
        reactions=310,
        comments=22,
        reach=1800,
    )
    h.sent(
        "33.20",
        "facebook",
        _at(10),
        "Jadwal rapat pleno terbuka rekapitulasi DPHP",
        reactions=45,
        comments=3,
        shares=2,
        reach=900,
    )
    h.sent(
        "33.20",
        "instagram",
        _at(17),
        "<b>Awas hoaks</b> surat suara tercoblos & beredar di grup WhatsApp",
        reactions=600,
        comments=80,
        reach=5200,
    )
    h.sent("33.20", "telegram", _at(25), "Rekap harian coklit: 98% rumah sudah didatangi", views=340)
    # 23:30 WIB on the 30th is still November in Jepara (16:30 UTC).
    h.sent(
        "33.20",
        "facebook",
        _at(30, 23, 30),
        "Terima kasih petugas pantarlih Jepara",
        reactions=10,
        comments=1,
        shares=0,
    )
    h.article(
        "33.20",
        _at(20, 9, month=10),
        "Bimbingan teknis PPK se-Kabupaten Jepara",
        {date(2026, 10, 20): 60, date(2026, 11, 2): 5},
    )
    h.article(
        "33.20",
        _at(4, 9),
        "Sosialisasi tahapan pemilu di Jepara",
        {date(2026, 11, 4): 130, date(2026, 11, 5): 40},
    )
    h.article(
        "33.20",
        _at(18, 8),
        "Klarifikasi: surat suara tercoblos di Jepara tidak benar",
        {date(2026, 11, 18): 300, date(2026, 11, 19): 95},
        type=ArticleType.KLARIFIKASI,
        verdict=Verdict.HOAKS,
    )
    # Cilacap: one X post, one article.
    h.sent(
        "33.01",
        "x",
        _at(6),
        "Rekrutmen KPPS dibuka hingga 20 November",
        reactions=70,
        comments=12,
        shares=30,
        link_clicks=11,
    )
    h.article("33.01", _at(7, 9), "Pendaftaran KPPS Cilacap dibuka", {date(2026, 11, 7): 80})
    # Jawa Tengah itself.
    h.sent(
        "33",
        "facebook",
        _at(1, 0, 10),
        "Selamat datang November: tahapan pemutakhiran data pemilih",
        reactions=200,
        comments=20,
        shares=15,
        reach=5000,
    )
    h.article(
        "33",
        _at(20, 8),
        "Klarifikasi: video kotak suara dibakar adalah kejadian lama",
        {date(2026, 11, 20): 150},
        type=ArticleType.KLARIFIKASI,
        verdict=Verdict.DISINFORMASI,
    )
    day = date(2026, 10, 1)
    while day <= NOVEMBER[1]:
        day_rebuild(day=day)
        day += timedelta(days=1)
    return h


def _report(office: Office, *, language="id", kind=Report.Kind.MONTHLY, period=NOVEMBER, by=None) -> Report:
    return Report.objects.create(
        office=office,
        period_start=period[0],
        period_end=period[1],
        language=language,
        kind=kind,
        created_by=by,
    )


def _text(content: bytes) -> str:
    """The text of every page, each page under a marker line."""
    pages = PdfReader(io.BytesIO(content)).pages
    return "".join(f"=== halaman {n} ===\n{page.extract_text().strip()}\n" for n, page in enumerate(pages, 1))


def _golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden text {path}: run HUMAS_UPDATE_GOLDEN=1 .venv/bin/pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"the text of the report differs from {path.name}; if the change is intended, rewrite the goldens "
        "with HUMAS_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize(
    ("name", "code", "language"),
    [
        ("kabupaten-jepara-id", "33.20", "id"),
        ("provinsi-jawa-tengah-id", "33", "id"),
        ("kabupaten-jepara-en", "33.20", "en"),
        ("kota-surakarta-tanpa-data-id", "33.72", "id"),
    ],
)
def test_the_report_text_matches_its_golden_file(history, offices, name, code, language, tmp_path):
    report = _report(offices[code], language=language)

    content = report_render(report=report, now=RENDERED_AT)

    (tmp_path / f"{name}.pdf").write_bytes(content)
    if os.environ.get("HUMAS_REPORT_DIR"):
        Path(os.environ["HUMAS_REPORT_DIR"], f"{name}.pdf").write_bytes(content)
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.error == ""
    assert report.bytes == len(content) and content.startswith(b"%PDF-")
    assert report.pages == len(PdfReader(io.BytesIO(content)).pages)
    _golden(name, _text(content))


def _measure_line(key: str, now: dict, before: dict) -> str:
    """The measure's lines as pypdf reads them off the first page: label, definition, numbers."""
    return (
        f"{pdf.measure_label(key)}\n{pdf.measure_definition(key)}\n"
        f"{pdf.number(now[key])} {pdf.number(before[key])} {pdf.change(now[key], before[key])}"
    )


def test_the_numbers_in_the_pdf_are_the_selectors_and_the_raw_rows(history, offices, member):
    viewer = member("33", "viewer")
    province = offices["33"]

    content = report_render(report=_report(province), now=RENDERED_AT)

    text = _text(content)
    now = office_series(actor=viewer, office=province, start=date(2026, 11, 1), end=date(2026, 11, 30))
    before = office_series(actor=viewer, office=province, start=date(2026, 10, 2), end=date(2026, 10, 31))
    with translation.override("id"):
        for key in now.total.as_dict():
            assert _measure_line(key, now.total.as_dict(), before.total.as_dict()) in text, key
        # Reconciled with the raw rows: deliveries sent in November (WIB days) under Jawa Tengah,
        # and the engagement of their latest snapshots.
        sent = Delivery.objects.filter(
            channel__office__path__startswith=province.path,
            sent_at__gte=datetime(2026, 11, 1, tzinfo=WIB),
            sent_at__lt=datetime(2026, 12, 1, tzinfo=WIB),
        )
        assert now.total.posts == sent.count() == 8
        engagement = sum(
            (d.metrics_latest.reactions or 0)
            + (d.metrics_latest.comments or 0)
            + (d.metrics_latest.shares or 0)
            + (d.metrics_latest.link_clicks or 0)
            for d in sent.select_related("metrics_latest")
        )
        assert now.total.engagement == engagement == 1563 + 64 + 11
        assert now.total.link_clicks == 75
        assert "Ringkasan\nUnggahan\n8\nsebelumnya 1 (+700%)\nInteraksi\n1.638\n" in text
        # The daily table's total row and the platforms' rows.
        total = " ".join(pdf._cells(now.total, pdf._present(pdf.DAY_KEYS, now.total)))
        assert f"\nJumlah {total}\n" in text
        platforms = channel_totals(
            actor=viewer, office=province, start=date(2026, 11, 1), end=date(2026, 11, 30)
        )
        assert [item.label for item in platforms] == ["Facebook", "Instagram", "Telegram", "X"]
        for item in platforms:
            cells = " ".join(pdf._cells(item.figures, pdf._present(pdf.PLATFORM_KEYS, item.figures)))
            assert f"\n{item.label} {cells}\n" in text
        # The offices below: each row as offices_below_table has it, and each one's days add up to it.
        table = offices_below_table(
            actor=viewer, office=province, start=date(2026, 11, 1), end=date(2026, 11, 30)
        )
        days = {
            item.office.pk: item
            for item in offices_below_days(
                actor=viewer, office=province, start=date(2026, 11, 1), end=date(2026, 11, 30)
            )
        }
        assert len(table.rows) == len(days) == 35
        for row in table.rows:
            cells = " ".join(pdf._cells(row.figures, pdf._present(pdf.BELOW_KEYS, row.figures)))
            assert f"\n{row.office.name} {cells}\n" in text
            assert days[row.office.pk].total.posts == row.figures.posts
            assert days[row.office.pk].total.engagement == row.figures.engagement
            assert days[row.office.pk].total.portal_views == row.figures.portal_views
        jepara = days[offices["33.20"].pk]
        assert [d.day.day for d in jepara.days if d.figures.posts] == [3, 10, 17, 25, 30]
        assert text.count(pdf.empty_text()) == 33  # every regency without data says so, plainly
    # Top content: the most engaging post first, escaped as text; the clarifications with their views.
    assert "\n1 <b>Awas hoaks</b> surat suara tercoblos & beredar di grup\nWhatsApp\nInstagram · " in text
    assert (
        "Klarifikasi: surat suara tercoblos di Jepara tidak benar HOAKS KPU Kabupaten Jepara 18 Nov 2026 395"
        in text
    )
    assert (
        "Klarifikasi: video kotak suara dibakar adalah kejadian lama DISINFORMASI KPU Provinsi Jawa Tengah "
        "20 Nov 2026 150"
    ) in text


def test_a_province_report_reads_a_bounded_number_of_queries(history, offices):
    def count(code: str) -> int:
        report = _report(offices[code])
        with CaptureQueriesContext(connection) as captured, translation.override("id"):
            pdf.report_html(report=report, reader=policy.office_reader(offices[code]), now=RENDERED_AT)
        return len(captured)

    history.sent("51.01", "facebook", _at(5), "Bali", reactions=1)
    history.sent("91.71", "facebook", _at(5), "Papua", reactions=1)
    history.article("51.01", _at(5), "Klarifikasi Bali", {date(2026, 11, 5): 3}, type=ArticleType.KLARIFIKASI)
    for day in range(1, 31):
        day_rebuild(day=date(2026, 11, day))
    province = count("33")  # 35 offices below
    assert count("51") == province  # 9 offices below
    # 38 offices below, in every zone (one query fewer: no office above it for a logo).
    assert count("00") == province - 1
    assert province <= 26  # 21, and 5 for Kinerja kehumasan (analytics/work.py)


def test_the_report_shows_the_office_logo_or_the_one_above_and_skips_a_broken_one(history, offices):
    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (139, 0, 0)).save(buffer, "PNG")
    national = offices["00"]
    national.logo.save("kpu.png", ContentFile(buffer.getvalue()), save=True)

    content = report_render(report=_report(offices["33.20"]), now=RENDERED_AT)
    assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 1  # KPU RI's, the nearest above

    jepara = offices["33.20"]
    jepara.logo.save("rusak.png", ContentFile(b"not an image at all"), save=True)
    national.logo = ""
    national.save(update_fields=["logo"])
    report = _report(jepara, period=(date(2026, 11, 2), date(2026, 11, 8)))
    content = report_render(report=report, now=RENDERED_AT)
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert len(PdfReader(io.BytesIO(content)).pages[0].images) == 0


def test_the_monthly_job_makes_last_months_report_where_it_is_the_first(
    offices, django_capture_on_commit_callbacks
):
    # 23:30 WIB on 30 November is already 1 December in WITA (00:30) and WIT (01:30).
    late = datetime(2026, 11, 30, 23, 30, tzinfo=WIB)
    east = Office.objects.filter(is_active=True, time_zone__in=["Asia/Makassar", "Asia/Jayapura"])

    with django_capture_on_commit_callbacks() as queued:
        created = monthly_reports_create(now=late)

    assert len(created) == east.count() == len(queued) > 0
    assert {
        (r.office.time_zone, r.period_start, r.period_end, r.kind, r.status, r.language) for r in created
    } == {
        (zone, date(2026, 11, 1), date(2026, 11, 30), "monthly", "waiting", "id")
        for zone in ("Asia/Makassar", "Asia/Jayapura")
    }
    assert Report.objects.filter(office__code="33.20").count() == 0  # still 30 November in Jepara

    with django_capture_on_commit_callbacks() as queued_again:
        assert monthly_reports_create(now=late + timedelta(minutes=25)) == []
    assert queued_again == [] and Report.objects.count() == east.count()

    with django_capture_on_commit_callbacks():
        wib = monthly_reports_create(now=datetime(2026, 12, 1, 0, 5, tzinfo=WIB))
    assert {r.office.time_zone for r in wib} == {"Asia/Jakarta"}
    assert Report.objects.count() == Office.objects.filter(is_active=True).count()
    assert Report.objects.filter(office__code="33.20", period_start=date(2026, 11, 1)).count() == 1
    # On the 2nd, nothing; a January 1st makes December's.
    assert monthly_reports_create(now=datetime(2026, 12, 2, 0, 5, tzinfo=WIB)) == []
    with django_capture_on_commit_callbacks():
        january = monthly_reports_create(now=datetime(2027, 1, 1, 3, 0, tzinfo=WIB))
    assert {(r.period_start, r.period_end) for r in january} == {(date(2026, 12, 1), date(2026, 12, 31))}


def test_the_monthly_job_runs_hourly_at_minute_five():
    from humas.analytics.tasks import monthly_reports_task

    task = monthly_reports_task.task_class()
    assert task.validate_datetime(datetime(2026, 12, 1, 17, 5))
    assert not task.validate_datetime(datetime(2026, 12, 1, 17, 6))


def test_a_ready_monthly_report_goes_to_the_offices_administrators_once_with_the_pdf(
    history, offices, member
):
    admin = member("33.20", "admin", email="admin.jepara@kpu.test")
    member("33.20", "editor", email="editor.jepara@kpu.test")
    member("33", "admin", email="admin.jateng@kpu.test")  # the office above's: not this report's
    report = _report(offices["33.20"])
    mail.outbox.clear()

    reports.report_produce(report_id=report.pk, now=RENDERED_AT)
    reports.report_produce(report_id=report.pk, now=RENDERED_AT)  # a task run twice

    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.emailed_at == RENDERED_AT
    assert [message.to for message in mail.outbox] == [[admin.email]]
    message = mail.outbox[0]
    assert message.subject == "Humas: laporan bulanan KPU Kabupaten Jepara, November 2026"
    assert "http://testserver/app/kab-jepara/analitik/laporan/" in message.body
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("laporan-kpu-kabupaten-jepara-2026-11.pdf", "application/pdf")
    assert content == report.file.read() and content.startswith(b"%PDF-")
    # In the app too, once, without a second e-mail; the editor and the province hear nothing.
    told = Notification.objects.filter(kind=Notification.Kind.REPORT_READY)
    assert [(n.recipient_id, n.title, n.link) for n in told] == [
        (
            admin.pk,
            "Laporan KPU Kabupaten Jepara siap diunduh",
            f"/app/kab-jepara/analitik/laporan/#report-{report.pk}",
        )
    ]


def test_an_on_demand_report_is_not_mailed(history, offices, member):
    member("33.20", "admin")
    person = member("33.20", "viewer")
    report = _report(
        offices["33.20"], kind=Report.Kind.ON_DEMAND, by=person, period=(date(2026, 11, 1), date(2026, 11, 3))
    )
    mail.outbox.clear()
    reports.report_produce(report_id=report.pk, now=RENDERED_AT)
    report.refresh_from_db()
    assert report.status == Report.Status.READY and mail.outbox == []
    # The person who asked hears in the app that it is ready (and nobody else).
    [told] = Notification.objects.all()
    assert (told.recipient_id, told.kind, told.body) == (
        person.pk,
        Notification.Kind.REPORT_READY,
        "1 November 2026 – 3 November 2026",
    )
    assert told.emailed_at is None


def test_a_report_for_a_sibling_office_is_refused(offices, member):
    jepara = member("33.20", "admin")
    with pytest.raises(PolicyDenied) as refused:
        report_request(
            actor=jepara,
            office=offices["33.01"],
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
            language="id",
        )
    assert str(refused.value) == "Anda tidak memiliki izin untuk tindakan ini di kantor ini."
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "language", "message"),
    [
        (date(2026, 11, 30), date(2026, 11, 1), "id", "Tanggal selesai tidak boleh sebelum tanggal mulai."),
        (date(2025, 1, 1), date(2026, 1, 2), "id", "Periode paling panjang 366 hari."),
        (
            date(2026, 11, 1),
            date(2026, 12, 2),
            "id",
            "Periode laporan tidak boleh melewati hari ini (1 Desember 2026 WIB).",
        ),
        (date(2026, 11, 1), date(2026, 11, 30), "fr", "Bahasa laporan tidak dikenal."),
    ],
)
def test_a_bad_request_is_refused_with_its_reason(
    offices, member, monkeypatch, start, end, language, message
):
    monkeypatch.setattr(timezone, "now", lambda: RENDERED_AT)
    with pytest.raises(ReportRefused) as refused:
        report_request(
            actor=member("33.20", "viewer"), office=offices["33.20"], start=start, end=end, language=language
        )
    assert str(refused.value) == message
    assert not Report.objects.exists()


def test_a_person_asks_for_a_report_on_the_page_and_downloads_it(
    history, offices, member, client, django_capture_on_commit_callbacks
):
    person = member("33.20", "viewer")
    client.force_login(person)
    url = reverse("analytics:reports", kwargs={"office_slug": "kab-jepara"})

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    today = timezone.localdate(timezone=WIB)
    last = today.replace(day=1) - timedelta(days=1)
    assert f'value="{last.replace(day=1).isoformat()}"' in html and f'value="{last.isoformat()}"' in html
    assert '<option value="id" selected>' in html
    assert "Belum ada laporan untuk kantor ini." in html

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {"dari": "2026-11-01", "sampai": "2026-11-30", "bahasa": "en"})
    assert asked.status_code == 302 and asked["Location"] == url
    report = Report.objects.get()
    assert (report.kind, report.status, report.language, report.created_by) == (
        "on_demand",
        "ready",
        "en",
        person,
    )
    assert report.pages and report.bytes
    event = AuditEvent.objects.get(action="report.request")
    assert event.actor == person and event.changes["period_start"] == "2026-11-01"

    listed = client.get(url).content.decode()
    download = reverse(
        "analytics:report_download", kwargs={"office_slug": "kab-jepara", "report_id": report.pk}
    )
    assert download in listed and 'class="stack"' in listed and 'data-label="Status"' in listed
    assert 'http-equiv="refresh"' not in listed

    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report-kpu-kabupaten-jepara-2026-11.pdf"'
    assert response.content == report.file.read()


def test_a_waiting_report_refreshes_its_page(offices, member, client):
    person = member("33.20", "viewer")
    _report(offices["33.20"], kind=Report.Kind.ON_DEMAND, by=person)
    client.force_login(person)
    html = client.get(reverse("analytics:reports", kwargs={"office_slug": "kab-jepara"})).content.decode()
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "Sedang dibuat" in html and "dimuat ulang sendiri" in html


def test_the_page_refuses_a_bad_period_with_its_reason(offices, member, client):
    client.force_login(member("33.20", "viewer"))
    page = client.post(
        reverse("analytics:reports", kwargs={"office_slug": "kab-jepara"}),
        {"dari": "2026-11-30", "sampai": "2026-11-01", "bahasa": "id"},
    )
    assert page.status_code == 400
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in page.content.decode()
    assert not Report.objects.exists()


def test_another_offices_report_is_not_found_and_a_sibling_office_is_refused(offices, member, client):
    cilacap = _report(offices["33.01"])
    cilacap.status = Report.Status.READY
    cilacap.save(update_fields=["status"])
    client.force_login(member("33.20", "admin"))

    through_own = client.get(
        reverse("analytics:report_download", kwargs={"office_slug": "kab-jepara", "report_id": cilacap.pk})
    )
    assert through_own.status_code == 404
    sibling_list = client.get(reverse("analytics:reports", kwargs={"office_slug": offices["33.01"].slug}))
    sibling_file = client.get(
        reverse(
            "analytics:report_download",
            kwargs={"office_slug": offices["33.01"].slug, "report_id": cilacap.pk},
        )
    )
    asked = client.post(
        reverse("analytics:reports", kwargs={"office_slug": offices["33.01"].slug}),
        {"dari": "2026-11-01", "sampai": "2026-11-30", "bahasa": "id"},
    )
    for response in (sibling_list, sibling_file, asked):
        assert response.status_code == 403
        assert "Anda tidak memiliki izin untuk tindakan ini di kantor ini." in response.content.decode()
    assert Report.objects.count() == 1


def test_a_failed_render_is_recorded_with_its_reason_and_no_500(
    offices, member, client, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(pdf, "report_pdf", broken)
    client.force_login(member("33.20", "viewer"))
    url = reverse("analytics:reports", kwargs={"office_slug": "kab-jepara"})

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url, {"dari": "2026-11-01", "sampai": "2026-11-30", "bahasa": "id"})

    assert asked.status_code == 302
    report = Report.objects.get()
    assert (report.status, report.error, report.file.name) == ("failed", "render", "")
    assert "pango exploded" in caplog.text
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gagal" in html and str(Report.Error.RENDER.label) in html
    # The person who asked is told why, in the app and by e-mail.
    [told] = Notification.objects.filter(kind=Notification.Kind.REPORT_FAILED)
    assert told.title == "Laporan KPU Kabupaten Jepara gagal dibuat"
    assert str(Report.Error.RENDER.label) in told.body
    assert told.link.endswith(f"#report-{report.pk}") and f'id="report-{report.pk}"' in html
    download = client.get(
        reverse("analytics:report_download", kwargs={"office_slug": "kab-jepara", "report_id": report.pk})
    )
    assert download.status_code == 404


def test_a_requester_who_lost_access_gets_a_failed_report(offices, member):
    person = member("33.20", "viewer")
    report = _report(offices["33.20"], kind=Report.Kind.ON_DEMAND, by=person)
    person.memberships.all().delete()
    policy.forget(person)

    assert reports.report_produce(report_id=report.pk, now=RENDERED_AT) == report
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", "access")
    assert report.get_error_display() == "Peminta laporan tidak lagi memiliki akses ke kantor ini."
    assert not Notification.objects.exists()  # nobody left to tell about this office


@pytest.mark.parametrize(
    ("period", "language", "name"),
    [
        ((date(2026, 11, 1), date(2026, 11, 30)), "id", "laporan-kpu-kabupaten-jepara-2026-11.pdf"),
        ((date(2026, 2, 1), date(2026, 2, 28)), "id", "laporan-kpu-kabupaten-jepara-2026-02.pdf"),
        ((date(2026, 11, 3), date(2026, 11, 16)), "en", "report-kpu-kabupaten-jepara-20261103-20261116.pdf"),
    ],
)
def test_the_download_has_a_clean_file_name(offices, period, language, name):
    assert report_file_name(_report(offices["33.20"], period=period, language=language)) == name


def test_the_renderer_may_fetch_only_the_fonts_and_data_uris():
    fonts = pdf._font_urls()
    fetcher = pdf._fetcher(fonts.values())

    for refused in ("file:///etc/passwd", "http://127.0.0.1:9/logo.png", "https://kpu.go.id/"):
        with pytest.raises(ValueError, match="may not fetch"):
            fetcher(refused)
    assert fetcher(fonts["Regular"]).read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    assert fetcher("data:text/plain;base64,SGFp").read() == b"Hai"


def test_the_footer_takes_the_office_name_as_text_whatever_it_holds(offices):
    office = offices["33.20"]
    office.name = 'KPU "Jepara"; } @page { size: A3 } \\'

    with translation.override("id"):
        footer = pdf._stylesheets(office)[2]

    name = footer.split("@bottom-left { content: ", 1)[1].split("; }", 1)[0]
    # One CSS string: quotes, semicolons, braces and the backslash escaped, the words kept.
    assert name == ('"KPU \\22 Jepara\\22 \\3b  \\7d  \\40 page \\7b  size\\3a  A3 \\7d  \\5c "')
    assert footer.count("@page") == 1
    assert '@bottom-right { content: "Halaman " counter(page) " dari " counter(pages); }' in footer
