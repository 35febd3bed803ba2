"""Posting activity (Keaktifan unggahan): what counts, per office and channel, ranked for a
province, exported as CSV and XLSX, and only the offices a person may see."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from humas.channels.models import Channel
from humas.coordination.compliance import ComplianceRule, compliance_report
from humas.publishing.models import Delivery, Post, Publication

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
START, END = date(2026, 11, 1), date(2026, 11, 30)


def went_out(office, author, platform, *when: datetime, state=Delivery.State.SENT):
    """One post per moment, with one delivery on the office's ``platform`` channel at that moment."""
    channel, _ = Channel.objects.get_or_create(
        office=office, platform=platform, defaults={"name": f"{office} {platform}"}
    )
    for moment in when:
        post = Post.objects.create(
            office=office, author=author, text=f"{platform} {moment}", status="published"
        )
        publication = Publication.objects.create(post=post, created_by=author)
        Delivery.objects.create(publication=publication, channel=channel, state=state, sent_at=moment)


@pytest.fixture
def jateng_editor(member):
    return member("33", "editor", email="editor.jateng@kpu.test")


def test_a_province_ranks_its_regencies_by_active_days(offices, jateng_editor):
    jepara, kudus = offices["33.20"], offices["33.19"]
    # Jepara: 3 days on X (two posts on the first), 1 of them also on Facebook.
    went_out(
        jepara,
        jateng_editor,
        "x",
        datetime(2026, 11, 2, 9, tzinfo=WIB),
        datetime(2026, 11, 2, 15, tzinfo=WIB),
    )
    went_out(
        jepara, jateng_editor, "x", datetime(2026, 11, 3, 9, tzinfo=WIB), datetime(2026, 11, 4, 9, tzinfo=WIB)
    )
    went_out(jepara, jateng_editor, "facebook", datetime(2026, 11, 4, 10, tzinfo=WIB))
    # Kudus: one day; 23:30 WIB on 30 Nov counts for the 30th, 00:30 WIB on 1 Dec does not.
    went_out(
        kudus,
        jateng_editor,
        "x",
        datetime(2026, 11, 30, 23, 30, tzinfo=WIB),
        datetime(2026, 12, 1, 0, 30, tzinfo=WIB),
    )
    # Failed and queued deliveries never count.
    went_out(kudus, jateng_editor, "x", datetime(2026, 11, 10, 9, tzinfo=WIB), state=Delivery.State.FAILED)

    report = compliance_report(actor=jateng_editor, office=offices["33"], start=START, end=END, threshold=10)

    assert len(report.rows) == 35  # every regency and city of Jawa Tengah, active or not
    first, second = report.rows[0], report.rows[1]
    assert (first.office, first.active_days, first.posts) == (jepara, 3, 5)
    assert round(first.activity, 1) == 10.0 and round(first.posts_per_week, 2) == round(5 / (30 / 7), 2)
    assert {c.platform: c.active_days for c in first.channels} == {"facebook": 1, "x": 3}
    assert (second.office, second.active_days, second.posts) == (kudus, 1, 1)
    assert report.meeting == 1
    assert report.average == pytest.approx((10.0 + 100 / 30) / 35)


def test_a_regency_sees_only_itself(offices, member):
    operator = member("33.20", "operator", email="op.jepara@kpu.test")
    report = compliance_report(actor=operator, office=offices["33.20"], start=START, end=END)
    assert [row.office for row in report.rows] == [offices["33.20"]]


def test_the_page_and_its_exports(client, offices, jateng_editor):
    went_out(offices["33.20"], jateng_editor, "x", datetime(2026, 11, 2, 9, tzinfo=WIB))
    client.force_login(jateng_editor)
    query = "?dari=2026-11-01&sampai=2026-11-30&ambang=3"
    page = client.get(f"/app/jateng/koordinasi/keaktifan/{query}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "35 kantor, rata-rata keaktifan 0,1 %; 1 memenuhi ambang 3 %" in text
    assert "Cara menghitung" in text

    exported = client.get(f"/app/jateng/koordinasi/keaktifan.csv{query}")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Peringkat", "Kode", "Kantor", "Keaktifan (%)"]
    assert rows[1][1:5] == ["33.20", "KPU Kabupaten Jepara", "3.3", "1"]
    assert len(rows) == 36
    assert 'filename="keaktifan-jateng-20261101-20261130.csv"' in exported["Content-Disposition"]

    workbook = load_workbook(io.BytesIO(client.get(f"/app/jateng/koordinasi/keaktifan.xlsx{query}").content))
    sheet = workbook.active
    assert "35 kantor" in sheet["A1"].value
    assert [cell.value for cell in sheet[5]][1:3] == ["33.20", "KPU Kabupaten Jepara"]


def test_a_bad_period_is_said_and_the_default_shown(client, offices, jateng_editor):
    client.force_login(jateng_editor)
    page = client.get("/app/jateng/koordinasi/keaktifan/?dari=2026-11-30&sampai=2026-11-01")
    assert page.status_code == 200
    assert "harus sesudah" in page.content.decode()


def test_another_province_is_refused(client, offices, jateng_editor):
    client.force_login(jateng_editor)
    assert client.get("/app/jatim/koordinasi/keaktifan/").status_code in (403, 404)


def test_the_report_takes_a_bounded_number_of_queries(offices, jateng_editor, django_assert_max_num_queries):
    for code in ("33.20", "33.19", "33.01", "33.74"):
        went_out(offices[code], jateng_editor, "x", datetime(2026, 11, 5, 9, tzinfo=WIB))
    with django_assert_max_num_queries(6):
        compliance_report(actor=jateng_editor, office=offices["33"], start=START, end=END)


def test_cascades_adopted_and_the_median_delay_to_adopt(offices, member, jateng_editor):
    from humas.coordination.models import Cascade, CascadeTarget

    jepara, kudus = offices["33.20"], offices["33.19"]
    author = member("33", "admin", email="admin.jateng@kpu.test")
    source = Post.objects.create(office=offices["33"], author=author, text="Sumber", status="approved")
    sent = datetime(2026, 11, 10, 8, tzinfo=WIB)
    for hours, status in ((2, "adopted"), (6, "adapted"), (None, "pending")):
        cascade = Cascade.objects.create(
            office=offices["33"],
            source_post=source,
            text="Sumber",
            scope="below",
            deadline=sent + timedelta(days=2),
            created_by=author,
        )
        Cascade.objects.filter(pk=cascade.pk).update(created_at=sent)
        CascadeTarget.objects.create(
            cascade=cascade,
            office=jepara,
            status=status,
            decided_at=sent + timedelta(hours=hours) if hours else None,
        )
        CascadeTarget.objects.create(cascade=cascade, office=kudus, status="declined", decided_at=sent)

    report = compliance_report(actor=jateng_editor, office=offices["33"], start=START, end=END)
    rows = {row.office.code: row for row in report.rows}

    assert (rows["33.20"].cascades_asked, rows["33.20"].cascades_adopted) == (3, 2)
    assert round(rows["33.20"].cascade_share or 0, 1) == 66.7
    assert rows["33.20"].median_delay_hours == 4.0
    assert (rows["33.19"].cascade_share, rows["33.19"].median_delay_hours) == (0.0, None)
    assert rows["33.01"].cascade_share is None  # nothing cascaded to it


# --------------------------------------------------------------------------------------------
# The period and threshold an office sets for the offices below it


def test_a_provinces_rule_applies_to_its_regencies_until_they_set_their_own(offices, member):
    from humas.audit.models import AuditEvent
    from humas.coordination.compliance import compliance_rule_for, compliance_rule_set

    jateng, jepara = offices["33"], offices["33.20"]
    assert compliance_rule_for(office=jepara) == ComplianceRule(30, 80)  # Humas's defaults

    compliance_rule_set(actor=member("33", "admin"), office=jateng, period_days=14, threshold=90)

    assert compliance_rule_for(office=jateng) == ComplianceRule(14, 90, jateng, own=True)
    assert compliance_rule_for(office=jepara) == ComplianceRule(14, 90, jateng, own=False)
    assert compliance_rule_for(office=offices["35"]) == ComplianceRule(30, 80)  # another province
    compliance_rule_set(actor=member("33.20", "admin"), office=jepara, period_days=7, threshold=60)
    assert compliance_rule_for(office=jepara) == ComplianceRule(7, 60, jepara, own=True)
    event = AuditEvent.objects.get(action="compliance.setting_set", office=jateng)
    assert event.changes == {"period_days": [None, 14], "threshold": [None, 90]}


@pytest.mark.parametrize(
    ("days", "threshold", "message"),
    [(6, 80, "Periode harus antara 7 dan 366 hari"), (30, 0, "Ambang keaktifan harus antara 1 dan 100")],
)
def test_a_rule_out_of_range_is_refused(offices, member, days, threshold, message):
    from humas.coordination.compliance import ComplianceSettingError, compliance_rule_set

    with pytest.raises(ComplianceSettingError, match=message):
        compliance_rule_set(
            actor=member("33", "admin"), office=offices["33"], period_days=days, threshold=threshold
        )


def test_only_an_administrator_sets_the_rule(client, offices, jateng_editor, member):
    from humas.coordination.compliance import compliance_rule_set
    from humas.offices.policy import PolicyDenied

    with pytest.raises(PolicyDenied):
        compliance_rule_set(actor=jateng_editor, office=offices["33"], period_days=14, threshold=90)
    client.force_login(jateng_editor)
    page = client.get("/app/jateng/koordinasi/keaktifan/").content.decode()
    assert "Atur periode dan ambang bawaan" not in page
    assert "Bawaan Humas: 30 hari terakhir, ambang 80 %." in page
    refused = client.post(
        "/app/jateng/koordinasi/keaktifan/pengaturan/", {"period_days": 14, "threshold": 90}
    )
    assert refused.status_code == 403


def test_the_administrator_sets_the_rule_on_the_page_and_the_report_follows(client, offices, member):
    admin = member("33", "admin")
    client.force_login(admin)
    url = "/app/jateng/koordinasi/keaktifan/"
    assert "Atur periode dan ambang bawaan" in client.get(url).content.decode()

    bad = client.post(f"{url}pengaturan/", {"period_days": 3, "threshold": 90})
    assert bad.status_code == 400 and "lebih besar dari atau sama dengan 7" in bad.content.decode()
    saved = client.post(f"{url}pengaturan/", {"period_days": 14, "threshold": 90}, follow=True)

    page = saved.content.decode()
    assert "Periode dan ambang keaktifan disimpan." in page
    assert "Bawaan kantor ini: 14 hari terakhir, ambang 90 %." in page
    assert "(14 hari)" in page
    client.force_login(member("33.20", "editor"))
    regency = client.get("/app/kab-jepara/koordinasi/keaktifan/").content.decode()
    assert "Bawaan dari KPU Provinsi Jawa Tengah: 14 hari terakhir, ambang 90 %." in regency


def test_the_api_reads_the_same_report_within_the_persons_reach(client, offices, jateng_editor, member):
    from humas.api.services import api_token_create
    from humas.coordination.compliance import compliance_rule_set

    went_out(offices["33.20"], jateng_editor, "x", datetime(2026, 11, 2, 9, tzinfo=WIB))
    compliance_rule_set(actor=member("33", "admin"), office=offices["33"], period_days=14, threshold=90)
    _token, raw = api_token_create(actor=jateng_editor, name="laporan", scope="read", days=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    body = client.get(
        "/api/v1/compliance",
        {"office": "33", "start": "2026-11-01", "end": "2026-11-30", "threshold": 3},
        **auth,
    ).json()

    assert (body["office_code"], body["days"], body["threshold"], body["setting_office_code"]) == (
        "33",
        30,
        3,
        "33",
    )
    assert len(body["offices"]) == 35 and body["meeting"] == 1
    jepara = body["offices"][0]
    assert (jepara["office_code"], jepara["activity"], jepara["posts"], jepara["meets_threshold"]) == (
        "33.20",
        3.3,
        1,
        True,
    )
    assert jepara["channels"] == [{"platform": "x", "active_days": 1, "posts": 1}]
    # Without a period: the province's setting (14 days, 90 %).
    default = client.get("/api/v1/compliance", {"office": "33"}, **auth).json()
    assert (default["days"], default["threshold"]) == (14, 90)
    # A regency's operator does not reach the province: as if it did not exist.
    _t, other = api_token_create(actor=member("33.19", "operator"), name="x", scope="read", days=30)
    refused = client.get("/api/v1/compliance", {"office": "33"}, HTTP_AUTHORIZATION=f"Bearer {other}")
    assert refused.status_code == 404
