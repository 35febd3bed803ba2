"""The impersonation watch: accounts an item shows (author, @mentions, profile links) that imitate
an office's official accounts are flagged for that office; an Editor decides; a confirmed fake is
listed on the portal's "Akun resmi" page, a dismissed one never flagged again."""

from __future__ import annotations

import pytest
from django.test import Client

from humas.audit.models import AuditEvent
from humas.channels.lookalikes import lookalike_confirm, lookalike_dismiss
from humas.channels.models import Channel, Lookalike
from humas.monitoring.lookalikes import Seen, accounts_in
from humas.monitoring.models import Item
from humas.offices.policy import PolicyDenied

from .test_pipeline import ingest, process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pagecache_dir(settings, tmp_path):
    settings.HUMAS_PAGECACHE_DIR = tmp_path / "pagecache"


@pytest.fixture
def official(offices):
    return Channel.objects.create(
        office=offices["33.20"],
        platform="x",
        name="KPU Kabupaten Jepara",
        handle="kpujepara",
        is_official=True,
    )


@pytest.fixture
def editor(member):
    return member("33.20", "editor", full_name="Editor Jepara")


def test_accounts_in_an_item_author_mentions_and_links():
    item = Item(
        platform="x",
        author_handle="@warga_a",
        text="Kata @kpujepara_official dan @Bawaslu_RI, lihat https://www.instagram.com/kpu.jepara.resmi/ "
        "dan https://x.com/search?q=kpu serta https://t.me/kpujeparainfo",
        url="https://x.com/warga_a/status/1",
    )
    assert accounts_in(item) == {
        Seen("x", "warga_a"),
        Seen("x", "kpujepara_official"),
        Seen("x", "Bawaslu_RI"),
        Seen("instagram", "kpu.jepara.resmi"),
        Seen("telegram", "kpujeparainfo"),
    }


def test_an_imitating_author_is_flagged_for_the_office_it_imitates(official, file_source, offices):
    items = ingest(
        file_source,
        ["Info resmi: TPS 5 pindah ke balai desa", "Sebarkan! dari @kpujepara_resmi", "Cuaca cerah hari ini"],
        author_handle="kpujepara_0fficial",
    )
    process(items)
    flagged = Lookalike.objects.get(handle="kpujepara_0fficial")
    assert flagged.office == offices["33.20"]
    assert flagged.official == official
    assert flagged.platform == "x"
    assert flagged.status == Lookalike.Status.FLAGGED
    assert flagged.score >= 0.8
    assert flagged.seen_count == 3
    assert sorted(flagged.item_ids) == sorted(i.pk for i in items)
    mention = Lookalike.objects.get(handle="kpujepara_resmi")
    assert mention.seen_count == 1
    # The official account itself, other agencies and ordinary people are never flagged.
    process(ingest(file_source, ["Terima kasih @kpujepara @bawaslujepara @warga_jepara"], prefix="ok"))
    assert set(Lookalike.objects.values_list("handle", flat=True)) == {
        "kpujepara_0fficial",
        "kpujepara_resmi",
    }


def test_processing_again_counts_nothing_twice(official, file_source):
    items = ingest(file_source, ["Info dari @kpujepara_official"])
    process(items)
    from humas.monitoring.lookalikes import lookalikes_watch

    lookalikes_watch(Item.objects.filter(pk__in=[i.pk for i in items]))
    assert Lookalike.objects.get().seen_count == 1


def test_an_editor_confirms_and_the_portal_lists_it(
    client, official, file_source, editor, member, django_capture_on_commit_callbacks
):
    process(ingest(file_source, ["Info dari @kpujepara_official: pemilu diundur"]))
    fake = Lookalike.objects.get()
    operator = member("33.20", "operator")
    with pytest.raises(PolicyDenied):
        lookalike_confirm(actor=operator, lookalike=fake)
    before = client.get("/kab-jepara/akun-resmi/").content.decode()
    assert "kpujepara_official" not in before
    with django_capture_on_commit_callbacks(execute=True):  # the cached page is dropped after commit
        lookalike_confirm(actor=editor, lookalike=fake, note="Dilaporkan ke X")
    fake.refresh_from_db()
    assert fake.status == Lookalike.Status.CONFIRMED
    assert fake.decided_by == editor
    assert AuditEvent.objects.filter(action="channel.lookalike_confirm", object_id=str(fake.pk)).exists()
    page = client.get("/kab-jepara/akun-resmi/").content.decode()
    assert page.count("Akun palsu yang sudah dilaporkan</h2>") == 1
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    assert "@kpujepara_official" in page
    assert 'href="https://x.com/kpujepara_official' not in page  # never a link to the fake
    # The province's and the national lists show it too.
    assert "@kpujepara_official" in client.get("/akun-resmi/").content.decode()


def test_a_dismissed_account_stays_dismissed(official, file_source, editor):
    process(ingest(file_source, ["Kata @kpujepara_official begitu"], prefix="a"))
    fake = Lookalike.objects.get()
    lookalike_dismiss(actor=editor, lookalike=fake, note="Akun penggemar, sudah dicek")
    process(ingest(file_source, ["Lagi-lagi @kpujepara_official"], prefix="b"))
    fake.refresh_from_db()
    assert fake.status == Lookalike.Status.DISMISSED
    assert fake.seen_count == 2


def test_the_desk_page_shows_flags_and_decides_with_csrf(
    client, official, file_source, editor, member, offices
):
    process(ingest(file_source, ["Info dari @kpujepara_official"]))
    fake = Lookalike.objects.get()
    analyst = member("33.20", "analyst")
    client.force_login(analyst)
    page = client.get("/app/kab-jepara/monitoring/akun-tiruan/").content.decode()
    assert "@kpujepara_official" in page
    assert "keputusan" not in page  # an analyst sees, does not decide
    assert (
        client.post(
            f"/app/kab-jepara/monitoring/akun-tiruan/{fake.pk}/putuskan/", {"keputusan": "palsu"}
        ).status_code
        == 403
    )
    client.force_login(editor)
    response = client.post(
        f"/app/kab-jepara/monitoring/akun-tiruan/{fake.pk}/putuskan/", {"keputusan": "palsu"}
    )
    assert response.status_code == 302
    fake.refresh_from_db()
    assert fake.status == Lookalike.Status.CONFIRMED
    # Another regency's people see none of it.
    kudus = member("33.19", "editor")
    client = Client()
    client.force_login(kudus)
    slug = offices["33.19"].slug
    assert (
        "kpujepara_official"
        not in client.get(f"/app/{slug}/monitoring/akun-tiruan/?status=confirmed").content.decode()
    )
    assert (
        client.post(
            f"/app/{slug}/monitoring/akun-tiruan/{fake.pk}/putuskan/", {"keputusan": "bukan"}
        ).status_code
        == 404
    )


def test_a_broken_watch_never_fails_the_batch(official, file_source, monkeypatch):
    def broken(items):
        raise RuntimeError("index exploded")

    monkeypatch.setattr("humas.monitoring.pipeline.lookalikes_watch", broken)
    items = ingest(file_source, ["Info dari @kpujepara_official"])
    assert process(items) == 1
    assert Item.objects.get(pk=items[0].pk).processed_at is not None


def test_a_confirmed_fake_goes_into_the_evidence_locker(client, official, file_source, editor):
    import io
    import json
    import zipfile

    from humas.monitoring.models import EvidenceExport

    items = ingest(
        file_source, ["INFO RESMI dari @kpujepara_official: pemilu diundur", "Sebarkan @kpujepara_official"]
    )
    process(items)
    fake = Lookalike.objects.get()
    lookalike_confirm(actor=editor, lookalike=fake, note="Dilaporkan ke X")
    client.force_login(editor)
    page = client.get("/app/kab-jepara/monitoring/akun-tiruan/?status=confirmed").content.decode()
    assert "Unduh bukti (ZIP)" in page
    response = client.post(f"/app/kab-jepara/monitoring/akun-tiruan/{fake.pk}/bukti/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    export = EvidenceExport.objects.get(lookalike=fake)
    assert export.narrative is None
    assert response["X-Evidence-SHA256"] == export.sha256
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = json.loads(archive.read("items.json"))
    assert manifest["fake_account"]["handle"] == "kpujepara_official"
    assert manifest["fake_account"]["imitates"]["handle"] == "kpujepara"
    assert manifest["fake_account"]["decided_by"] == editor.get_full_name()
    assert {r["id"] for r in rows} == {i.pk for i in items}
    assert AuditEvent.objects.filter(action="monitoring.lookalike_evidence_export").exists()
    assert (
        "Ekspor terakhir"
        in client.get("/app/kab-jepara/monitoring/akun-tiruan/?status=confirmed").content.decode()
    )
