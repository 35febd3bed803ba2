"""The evidence locker: the ZIP's exact contents, hashes that verify, the export recorded and
audited, the download from the narrative page, and who may export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from humas.audit.models import AuditEvent
from humas.audit.sentences import audit_describe
from humas.monitoring.evidence import evidence_export
from humas.monitoring.models import EvidenceExport, Item
from humas.monitoring.records import canonical_sha256
from humas.offices.policy import PolicyDenied

from .factories_narratives import ItemFactory, ItemSpec, narrative_build

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 2, 15, 4, 30, 5, tzinfo=UTC)
FIELDS = [
    "id",
    "platform",
    "external_id",
    "author_handle",
    "url",
    "text",
    "published_at",
    "captured_at",
    "raw_sha256",
]


@pytest.fixture
def operator(member):
    return member("33.20", "operator", full_name="Sari Operator", email="sari@kpu.test")


@pytest.fixture
def narrative(offices):
    narrative = narrative_build(
        office=offices["33.20"],
        variants=[("TPS di Jepara tutup jam 11", [ItemSpec(hour=0), ItemSpec(hour=2, platform="facebook")])],
    )
    # An item whose text a spreadsheet would run, and one with a script and non-ASCII text.
    first, second = Item.objects.filter(narrative=narrative).order_by("published_at")
    first.text = '=HYPERLINK("https://contoh.test","klik") TPS tutup'
    first.save()
    second.text = '<script>alert(1)</script> Kotak suara 🗳️, "dibuka"\nmalam'
    second.author_handle = "@warga_kudus"
    second.save()
    return narrative


def _expected_items(narrative) -> list[dict]:
    return [
        {
            "id": item.pk,
            "platform": item.platform,
            "external_id": item.external_id,
            "author_handle": item.author_handle,
            "url": item.url,
            "text": item.text,
            "published_at": item.published_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "captured_at": item.captured_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "raw_sha256": item.raw_sha256,
        }
        for item in Item.objects.filter(narrative=narrative).order_by("published_at", "pk")
    ]


def test_the_zip_holds_every_item_in_csv_and_json_with_a_manifest(operator, narrative):
    export, data = evidence_export(actor=operator, narrative=narrative, now=NOW)

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["items.csv", "items.json", "manifest.json"]
    expected = _expected_items(narrative)
    assert expected[0]["published_at"] == "2024-02-14T01:10:00Z"
    assert json.loads(archive.read("items.json")) == expected
    rows = list(csv.reader(io.StringIO(archive.read("items.csv").decode("utf-8-sig"), newline="")))
    assert rows[0] == FIELDS
    assert rows[1:] == [
        [
            str(item[name]) if name != "text" or not item[name].startswith("=") else "'" + item[name]
            for name in FIELDS
        ]
        for item in expected
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest == {
        "format": "humas-evidence/1",
        "narrative": {
            "id": narrative.pk,
            "title": "TPS di Jepara tutup jam 11",
            "status": "baru",
            "first_seen_at": "2024-02-14T01:10:00Z",
            "last_seen_at": "2024-02-14T03:10:00Z",
        },
        "office": {"code": "33.20", "name": "KPU Kabupaten Jepara"},
        "exported_by": {"id": operator.pk, "name": "Sari Operator", "email": "sari@kpu.test"},
        "exported_at": "2024-02-15T04:30:05Z",
        "item_count": 2,
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(archive.read(name)).hexdigest(),
                "size": len(archive.read(name)),
            }
            for name in ("items.csv", "items.json")
        ],
        "note": manifest["note"],
    }
    assert manifest["note"].startswith("Waktu ditulis dalam UTC")


def test_the_raw_hashes_are_those_of_the_stored_payloads(operator, narrative):
    _export, data = evidence_export(actor=operator, narrative=narrative, now=NOW)

    exported = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("items.json"))
    raws = dict(Item.objects.filter(narrative=narrative).values_list("id", "raw"))
    assert [row["raw_sha256"] for row in exported] == [canonical_sha256(raws[row["id"]]) for row in exported]


def test_the_export_is_recorded_and_audited_with_the_zip_s_hash(operator, narrative):
    export, data = evidence_export(actor=operator, narrative=narrative, now=NOW)

    digest = hashlib.sha256(data).hexdigest()
    assert EvidenceExport.objects.get() == export
    assert (export.sha256, export.size, export.item_count, export.created_by, export.office) == (
        digest,
        len(data),
        2,
        operator,
        narrative.office,
    )
    assert export.filename == f"bukti-narasi-{narrative.pk}-20240215T043005Z.zip"
    event = AuditEvent.objects.get(action="monitoring.evidence_export")
    assert (event.object_type, event.object_id) == ("monitoring.narrative", str(narrative.pk))
    assert event.changes == {"sha256": digest, "filename": export.filename, "count": 2, "bytes": len(data)}
    described = audit_describe([event])[0]
    assert described.sentence == "Sari Operator membuat ekspor bukti narasi “TPS di Jepara tutup jam 11”."
    assert ("SHA-256", digest) in [(d.label, d.text) for d in described.details]


def test_an_empty_narrative_exports_an_empty_list(operator, offices):
    narrative = narrative_build(office=offices["33.20"], variants=[("kosong", [])])

    export, data = evidence_export(actor=operator, narrative=narrative, now=NOW)

    archive = zipfile.ZipFile(io.BytesIO(data))
    assert json.loads(archive.read("items.json")) == []
    assert archive.read("items.csv").decode("utf-8-sig") == ",".join(FIELDS) + "\r\n"
    assert export.item_count == 0


def test_items_of_other_narratives_stay_out(operator, narrative, offices):
    other = narrative_build(office=offices["33.20"], variants=[("lain", [ItemSpec()])])
    ItemFactory(source__office=offices["33.20"])  # in no narrative

    _export, data = evidence_export(actor=operator, narrative=narrative, now=NOW)

    ids = {row["id"] for row in json.loads(zipfile.ZipFile(io.BytesIO(data)).read("items.json"))}
    assert ids == set(Item.objects.filter(narrative=narrative).values_list("id", flat=True))
    assert not ids & set(Item.objects.filter(narrative=other).values_list("id", flat=True))


@pytest.mark.parametrize(("home", "role"), [("33.20", "analyst"), ("33.19", "operator"), ("33.20", "viewer")])
def test_only_people_who_may_triage_there_can_export(member, narrative, home, role):
    with pytest.raises(PolicyDenied):
        evidence_export(actor=member(home, role), narrative=narrative)

    assert not EvidenceExport.objects.exists()
    assert not AuditEvent.objects.filter(action="monitoring.evidence_export").exists()


def test_the_narrative_page_downloads_the_zip_and_lists_earlier_exports(client, operator, narrative):
    client.force_login(operator)
    url = reverse("monitoring:evidence", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk})

    response = client.post(url)
    data = b"".join(response.streaming_content)
    export = EvidenceExport.objects.get()
    page = client.get(
        reverse("monitoring:narrative", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{export.filename}"'
    assert hashlib.sha256(data).hexdigest() == export.sha256 == response["X-Evidence-SHA256"]
    assert len(data) == export.size
    html = page.content.decode()
    assert export.sha256 in html and export.filename in html
    assert client.get(url).status_code == 405


def test_an_analyst_cannot_download_evidence(client, member, narrative):
    client.force_login(member("33.20", "analyst"))
    url = reverse("monitoring:evidence", kwargs={"office_slug": "kab-jepara", "narrative_id": narrative.pk})

    assert client.post(url).status_code == 403
    assert not EvidenceExport.objects.exists()
