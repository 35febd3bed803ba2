"""Rencana konten massal: a CSV or XLSX plan (and a ZIP of its images) previewed row by row with
every problem by row and column, then written all at once as drafts, or not at all."""

from __future__ import annotations

import csv
import io
import os
import time
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from PIL import Image

from humas.audit.models import AuditEvent
from humas.blackouts.models import Blackout
from humas.blackouts.services import blackout_create
from humas.channels import crypto
from humas.channels.models import Channel, ChannelCredential
from humas.channels.services import ChannelInput, channel_create
from humas.core.spreadsheets import csv_cell
from humas.library.models import Licence
from humas.library.services import Description, asset_archive, asset_upload
from humas.media.storage import private_storage
from humas.publishing import plans
from humas.publishing.models import Post, PostImage, PostVariant
from humas.publishing.plans import (
    COLUMNS,
    PlanInvalid,
    formula_like,
    plan_commit,
    plan_parse,
    plan_upload_store,
    plan_uploads_purge,
    template_csv,
    template_rows,
    template_xlsx,
)
from humas.publishing.portal_channel import channel_list_for_publishing
from tests.browser.conftest import browser, phone  # noqa: F401 - fixtures
from tests.browser.test_shell_browser import no_horizontal_scroll, serious_violations, sign_in

pytestmark = pytest.mark.django_db
BASE = "/app/kab-jepara/content/"
PLAN = f"{BASE}rencana/"
JEPARA, KUDUS = "33.20", "33.19"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.HUMAS_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.HUMAS_PUBLIC_BASE_URL = "https://humas.kpu-jepara.test"


def _channel(admin, office, platform: str, name: str, *, connected: bool = True) -> Channel:
    channel = channel_create(actor=admin, office=office, data=ChannelInput(platform=platform, name=name))
    if connected and not channel.is_assisted:
        ChannelCredential.objects.create(channel=channel, ciphertext=crypto.encrypt("rahasia"), kind="page")
    return channel


@pytest.fixture
def channels(admin, offices):
    """KPU Jepara's channels: X and Facebook (connected), WhatsApp (assisted) and its portal."""
    office = offices[JEPARA]
    made = {
        "x": _channel(admin, office, "x", "KPU Jepara di X"),
        "facebook": _channel(admin, office, "facebook", "KPU Kabupaten Jepara"),
        "whatsapp": _channel(admin, office, "whatsapp", "Saluran KPU Jepara"),
    }
    made["portal"] = channel_list_for_publishing(office=office).get(platform="portal")
    return made


def day(days: int = 10) -> date:
    return timezone.localdate(timezone=WIB) + timedelta(days=days)


def row(**cells: str) -> dict[str, str]:
    """A good row unless told otherwise: ten days ahead at 09:00, on X."""
    base = {"tanggal": day().isoformat(), "jam": "09:00", "kanal": "x", "teks": "Coklit dimulai hari ini."}
    return {**base, **cells}


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ",", header: list[str] | None = None) -> bytes:
    names = header or [c for c in COLUMNS if any(c in r for r in rows)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(names)
    for r in rows:
        writer.writerow([r.get(name, "") for name in names])
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def jpeg(color=(200, 30, 30), size=(640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(
    client, content: bytes, name: str = "rencana.csv", images: bytes | None = None, zip_name="gambar.zip"
):
    data = {"file": SimpleUploadedFile(name, content)}
    if images is not None:
        data["images"] = SimpleUploadedFile(zip_name, images, content_type="application/zip")
    return client.post(PLAN, data)


def confirm(client, preview, **extra):
    assert preview.status_code == 200, problems_of(preview)
    token = preview.context["confirm"].initial["token"]
    return client.post(PLAN, {"token": token, "confirm": "1", **extra})


def problems_of(response) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.message) for p in response.context["problems"]]


def messages_of(response) -> dict[tuple[int, str], str]:
    return {(r, c): m for r, c, m in problems_of(response)}


def where(response) -> set[tuple[int, str]]:
    return {(r, c) for r, c, _m in problems_of(response)}


def kept_zips() -> list[str]:
    root = private_storage().path(plans.UPLOAD_ROOT)
    return (
        [os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files]
        if os.path.isdir(root)
        else []
    )


# --------------------------------------------------------------------------------------------
# Happy paths through the pages


def test_csv_plan_with_a_zip_becomes_drafts_with_variants_images_stage_and_campaign(
    client, operator, channels, offices
):
    long_text = "Petugas Pantarlih mendatangi rumah Anda.\n- Siapkan KTP-el\n- Siapkan Kartu Keluarga"
    plan = csv_bytes(
        [
            row(
                jam="09:30",
                kanal="x, Facebook",
                teks=long_text,
                teks_x="Coklit dimulai! Siapkan KTP-el dan KK. #AyoCekDPT",
                tautan="https://cekdptonline.kpu.go.id",
                gambar="poster-coklit.jpg; infografik/Jadwal.JPG",
                alt_gambar="Petugas Pantarlih di depan rumah warga; Jadwal coklit",
                tahapan="Pemutakhiran data pemilih",
                kampanye="#AyoCekDPT",
            ),
            row(
                tanggal=day(11).strftime("%d/%m/%Y"),
                jam="19.45",
                kanal="semua",
                teks="- Cek nama Anda di DPT.",
            ),
        ]
    )
    images = zip_bytes({"poster-coklit.jpg": jpeg(), "infografik/jadwal.jpg": jpeg((0, 90, 160))})
    client.force_login(operator)

    preview = upload(client, plan, images=images)
    page = preview.content.decode()
    assert preview.status_code == 200, problems_of(preview)
    assert "2 draf akan dibuat" in page and 'name="confirm"' in page
    assert Post.objects.count() == 0 and len(kept_zips()) == 1
    done = confirm(client, preview)

    assert done.status_code == 302 and done["Location"] == f"{BASE}?tampil=draf"
    assert "2 draf dibuat." in [str(m) for m in client.get(done["Location"]).context["messages"]]
    first, second = Post.objects.order_by("pk")
    assert (first.status, second.status) == (Post.Status.DRAFT, Post.Status.DRAFT)
    assert first.author == operator and first.office == offices[JEPARA]
    assert first.text == long_text and first.link == "https://cekdptonline.kpu.go.id"
    assert first.scheduled_at == datetime.combine(day(), datetime.min.time().replace(hour=9, minute=30), WIB)
    assert second.scheduled_at == datetime(*day(11).timetuple()[:3], 19, 45, tzinfo=WIB)
    assert set(first.channels.all()) == {channels["x"], channels["facebook"]}
    assert set(second.channels.all()) == set(channels.values())
    assert (first.election_stage, first.campaign) == ("pemutakhiran-data-pemilih", "AyoCekDPT")
    assert list(PostVariant.objects.filter(post=first).values_list("platform", "text")) == [
        ("x", "Coklit dimulai! Siapkan KTP-el dan KK. #AyoCekDPT")
    ]
    assert [(i.position, i.alt_text, i.mime) for i in first.images.order_by("position")] == [
        (0, "Petugas Pantarlih di depan rumah warga", "image/jpeg"),
        (1, "Jadwal coklit", "image/jpeg"),
    ]
    assert all(private_storage().exists(i.file.name) for i in first.images.all())
    assert not second.images.exists() and not second.variants.exists()
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("post.create") == 2 and "post.images" in actions and "post.variants" in actions
    summary = AuditEvent.objects.get(action="post.plan_import")
    assert summary.changes == {"count": 2, "filename": "rencana.csv", "format": "csv"}
    assert kept_zips() == []  # the ZIP is gone once the plan is written


def test_xlsx_plan_with_date_and_time_cells_english_headers_becomes_drafts(client, operator, channels):
    plan = xlsx_bytes(
        ["Date", "Time", "Channels", "Text", "text_x", "Stage", "Campaign"],
        [
            [
                datetime.combine(day(), datetime.min.time()),
                datetime.min.time().replace(hour=8),
                "x",
                "Debat publik.",
                "",
                "kampanye",
                "DebatPublik",
            ],
            [],  # a blank row: still counted by the spreadsheet
            [day(12).isoformat(), "07:15", "portal, whatsapp", "Simulasi pemungutan suara.", "", "", ""],
        ],
    )
    client.force_login(operator)
    preview = upload(client, plan, name="Rencana Februari.xlsx")
    assert [r.row for r in preview.context["rows"]] == [2, 4]

    confirm(client, preview)

    first, second = Post.objects.order_by("scheduled_at")
    assert first.scheduled_at == datetime(*day().timetuple()[:3], 8, 0, tzinfo=WIB)
    assert (first.election_stage, first.campaign) == ("kampanye", "DebatPublik")
    assert set(second.channels.values_list("platform", flat=True)) == {"portal", "whatsapp"}
    assert AuditEvent.objects.get(action="post.plan_import").changes["format"] == "xlsx"


def test_semicolon_csv_saved_by_an_indonesian_spreadsheet_is_read(client, operator, channels):
    plan = csv_bytes([row(teks="Rapat pleno terbuka; terbuka untuk umum.")], delimiter=";")
    client.force_login(operator)
    confirm(client, upload(client, plan))
    assert Post.objects.get().text == "Rapat pleno terbuka; terbuka untuk umum."


def test_submit_for_review_sends_every_draft_for_approval(client, operator, channels):
    client.force_login(operator)
    done = confirm(client, upload(client, csv_bytes([row(), row(jam="10:00")])), submit_for_review="on")
    assert done["Location"] == f"{BASE}?tampil=menunggu"
    assert set(Post.objects.values_list("status", flat=True)) == {Post.Status.IN_REVIEW}
    assert AuditEvent.objects.filter(action="post.submit").count() == 2
    assert AuditEvent.objects.get(action="post.plan_import").changes["submitted"] is True


# --------------------------------------------------------------------------------------------
# Bad rows: every problem with its row and column, nothing created


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_created(client, operator, channels):
    past = timezone.localdate(timezone=WIB) - timedelta(days=1)
    rows = [
        row(tanggal="2029-13-45", teks="Baris dua,\nteksnya dua baris."),  # row 2 (spans two lines)
        row(jam="25:00"),  # 3
        row(kanal="friendster"),  # 4
        row(teks=""),  # 5
        row(tanggal=past.isoformat()),  # 6
        row(teks_x="x" * 300),  # 7
        row(teks="Panjang sekali. " * 30),  # 8: over X's 280 on the X channel, no X variant
        row(tautan="ftp://kpu.go.id/berkas"),  # 9
        row(tahapan="pilkada"),  # 10
        row(kampanye="Ayo!!"),  # 11
        row(gambar="poster.jpg", alt_gambar="Poster"),  # 12: no ZIP uploaded
        row(teks="Sosialisasi di Pasar Jepara."),  # 13
        row(teks="Sosialisasi di Pasar Jepara."),  # 14: the same as 13
        row(gambar="pustaka:abc", alt_gambar="Poster"),  # 15
        row(gambar="a.jpg;b.jpg", alt_gambar="satu;dua;tiga"),  # 16
    ]
    client.force_login(operator)

    response = upload(client, csv_bytes(rows))

    assert response.status_code == 400
    assert where(response) == {
        (2, "tanggal"),
        (3, "jam"),
        (4, "kanal"),
        (5, "teks"),
        (6, "jam"),
        (7, "teks_x"),
        (8, "teks"),
        (9, "tautan"),
        (10, "tahapan"),
        (11, "kampanye"),
        (12, "gambar"),
        (14, ""),
        (15, "gambar"),
        (16, "alt_gambar"),
    }
    messages = messages_of(response)
    assert "2029-13-45" in messages[(2, "tanggal")]
    assert (
        "friendster" in messages[(4, "kanal")] and "facebook, portal, whatsapp, x" in messages[(4, "kanal")]
    )
    assert messages[(5, "teks")] == "Wajib diisi."
    assert "sudah lewat" in messages[(6, "jam")]
    assert "280" in messages[(8, "teks")] and messages[(8, "teks")].startswith("Untuk X:")
    assert messages[(14, "")] == "Baris ini sama dengan baris 13."
    assert "unggah berkas ZIP" in messages[(12, "gambar")]
    page = response.content.decode()
    assert "15 masalah ditemukan" not in page and "14 masalah ditemukan; tidak ada yang dibuat" in page
    assert 'name="confirm"' not in page
    assert Post.objects.count() == 0 and kept_zips() == []


def test_a_file_that_is_not_a_plan_is_refused_with_a_message_not_a_500(client, operator, channels):
    client.force_login(operator)
    cases = [
        (b"\xff\xfe\x00bukan utf-8", "rencana.csv", "UTF-8"),
        (b"PK\x03\x04 bukan xlsx", "rencana.xlsx", "XLSX tidak dapat dibaca"),
        (
            csv_bytes([row()], header=["tanggal", "jam", "teks"]),
            "rencana.csv",
            "Kolom wajib tidak ada: kanal",
        ),
        (
            csv_bytes([row(teks_fb="Halo")], header=["tanggal", "jam", "kanal", "teks", "teks_fb"]),
            "r.csv",
            "teks_fb",
        ),
        (b"tanggal,jam,kanal,teks\r\n", "kosong.csv", "tidak berisi baris"),
    ]
    for content, name, expected in cases:
        response = upload(client, content, name=name)
        assert response.status_code == 400
        assert any(expected in message for _r, _c, message in problems_of(response)), (
            name,
            problems_of(response),
        )
    wrong = upload(client, b"a,b", name="rencana.txt")
    assert wrong.status_code == 400 and "Hanya berkas .csv atau .xlsx" in wrong.content.decode()
    assert Post.objects.count() == 0


def test_more_than_a_thousand_rows_is_refused_at_the_first_row_too_many(client, operator, channels):
    rows = [
        row(jam=f"{h:02d}:{m:02d}", tanggal=day(10 + i // 1000).isoformat())
        for i, (h, m) in enumerate((h, m) for h in range(24) for m in range(60))
    ][:1001]
    client.force_login(operator)
    response = upload(client, csv_bytes(rows))
    assert (1002, "") in where(response)
    assert "lebih dari 1000 baris" in messages_of(response)[(1002, "")]
    assert Post.objects.count() == 0


# --------------------------------------------------------------------------------------------
# Formulas: refused, never run


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ('=HYPERLINK("http://x")', True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3", True),
        ("@SUM(1+1)", True),
        ("\t=1+1", True),
        ("\r+1", True),
        ("  =1", True),
        ("- =1+1", True),
        ("- Coklit dimulai hari ini", False),
        ("+ catatan tambahan", False),
        ("@kpu_ri mengajak warga ke TPS", False),
        ("@KPU_ID: jadwal debat", False),
        ("-", False),
        ("Coklit = pencocokan dan penelitian", False),
        ("", False),
    ],
)
def test_formula_like(value, formula):
    assert formula_like(value) is formula


def test_formulas_in_csv_cells_are_refused_and_list_items_and_mentions_are_not(client, operator, channels):
    rows = [
        row(teks='=HYPERLINK("http://evil.test","Klik")'),  # 2
        row(kanal="+cmd|' /C calc'!A0"),  # 3
        row(teks_x="@SUM(1+1)*cmd|' /C calc'!A0"),  # 4
        row(kampanye="\t=1+1"),  # 5
        row(tautan="-2+3"),  # 6
        row(teks="- Coklit dimulai hari ini\n- Siapkan KTP-el"),  # 7: a list, fine
        row(teks="@kpu_ri mengajak warga memeriksa DPT.", jam="11:00"),  # 8: a mention, fine
    ]
    client.force_login(operator)

    response = upload(client, csv_bytes(rows))

    assert where(response) == {(2, "teks"), (3, "kanal"), (4, "teks_x"), (5, "kampanye"), (6, "tautan")}
    assert all("Rumus spreadsheet tidak diterima" in m for _r, _c, m in problems_of(response))
    assert Post.objects.count() == 0


def test_an_xlsx_formula_cell_is_refused_whatever_value_it_cached(client, operator, channels):
    plan = xlsx_bytes(
        ["tanggal", "jam", "kanal", "teks"],
        [
            [day().isoformat(), "09:00", "x", '=CONCATENATE("Ayo ","memilih")'],
            [day().isoformat(), "10:00", "x", "Ayo memilih"],
        ],
    )
    client.force_login(operator)
    response = upload(client, plan, name="rencana.xlsx")
    assert where(response) == {(2, "teks")}
    assert "Rumus spreadsheet tidak diterima" in problems_of(response)[0][2]
    assert Post.objects.count() == 0


# --------------------------------------------------------------------------------------------
# The ZIP of images


def test_zip_member_that_is_not_an_image_is_refused_by_name(client, operator, channels):
    images = zip_bytes(
        {"catatan.txt": b"bukan gambar", "palsu.jpg": b"GIF89a bukan gambar juga", "ok.jpg": jpeg()}
    )
    plan = csv_bytes(
        [
            row(gambar="catatan.txt", alt_gambar="Catatan"),
            row(gambar="palsu.jpg", alt_gambar="Palsu", jam="10:00"),
            row(gambar="ok.jpg", alt_gambar="", jam="11:00"),
        ]
    )
    client.force_login(operator)
    response = upload(client, plan, images=images)
    messages = messages_of(response)
    assert set(messages) == {(2, "gambar"), (3, "gambar"), (4, "alt_gambar")}
    assert "bukan gambar (JPEG, PNG, WebP atau GIF)" in messages[(2, "gambar")]
    assert "bukan gambar yang dapat dibaca" in messages[(3, "gambar")]
    assert "Teks alternatif wajib diisi" in messages[(4, "alt_gambar")]
    assert "catatan.txt" in " ".join(response.context["plan"].notes)
    assert Post.objects.count() == 0 and kept_zips() == []


def test_zip_with_a_path_traversal_name_is_refused_as_a_whole(client, operator, channels):
    images = zip_bytes({"../../etc/poster.jpg": jpeg(), "poster.jpg": jpeg()})
    client.force_login(operator)
    response = upload(client, csv_bytes([row(gambar="poster.jpg", alt_gambar="Poster")]), images=images)
    assert response.status_code == 400
    assert problems_of(response)[0][:2] == (0, "zip") and "tidak aman" in problems_of(response)[0][2]
    assert Post.objects.count() == 0 and kept_zips() == []


def test_zip_bomb_is_refused_before_anything_is_decompressed(client, operator, channels):
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("bom.png", "w", force_zip64=True) as member,
    ):
        chunk = b"\0" * (1024 * 1024)
        for _i in range(plans.ZIP_MAX_TOTAL // len(chunk) + 1):
            member.write(chunk)
    assert len(out.getvalue()) < 2 * 1024 * 1024  # a small upload that opens into > 200 MB
    client.force_login(operator)
    response = upload(client, csv_bytes([row(gambar="bom.png", alt_gambar="Bom")]), images=out.getvalue())
    assert response.status_code == 400
    assert (
        problems_of(response)[0][:2] == (0, "zip")
        and "terlalu besar setelah dibuka" in problems_of(response)[0][2]
    )
    assert Post.objects.count() == 0


def test_an_upload_that_is_not_a_zip_is_refused(client, operator, channels):
    client.force_login(operator)
    response = upload(client, csv_bytes([row()]), images=b"bukan zip")
    assert problems_of(response) == [(0, "zip", "Berkas ZIP tidak dapat dibaca.")]


def test_library_images_are_used_by_id_with_their_alt_text_and_unusable_ones_refused(
    client, operator, member, offices, channels
):
    def asset(office, actor, alt, **fields):
        file = SimpleUploadedFile("foto.jpg", jpeg(), content_type="image/jpeg")
        return asset_upload(
            actor=actor, office=office, file=file, description=Description(alt_text=alt, **fields)
        )

    own = asset(offices[JEPARA], operator, "Petugas KPPS menghitung suara")
    unclear = asset(offices[JEPARA], operator, "Foto dari grup WhatsApp", licence=Licence.UNCLEAR)
    archived = asset(offices[JEPARA], operator, "Spanduk lama")
    asset_archive(actor=member(JEPARA, "editor"), asset=archived)
    other = asset(offices[KUDUS], member(KUDUS, "operator"), "Foto KPU Kudus")
    client.force_login(operator)

    refused = upload(
        client,
        csv_bytes(
            [
                row(gambar=f"pustaka:{unclear.pk}"),
                row(gambar=f"library:{archived.pk}", jam="10:00"),
                row(gambar=f"pustaka:{other.pk}", jam="11:00"),
                row(gambar="pustaka:999999", jam="12:00"),
            ]
        ),
    )
    assert where(refused) == {(2, "gambar"), (3, "gambar"), (4, "gambar"), (5, "gambar")}
    assert "tidak ada atau tidak boleh dipakai" in problems_of(refused)[0][2]

    preview = upload(
        client,
        csv_bytes(
            [
                row(gambar=f"pustaka:{own.pk}"),  # its own alt text
                row(gambar=f"Pustaka:{own.pk}", alt_gambar="Penghitungan suara di TPS 05", jam="10:00"),
            ]
        ),
    )
    confirm(client, preview)
    first, second = Post.objects.order_by("scheduled_at")
    assert [i.alt_text for i in first.images.all()] == ["Petugas KPPS menghitung suara"]
    assert [i.alt_text for i in second.images.all()] == ["Penghitungan suara di TPS 05"]
    assert first.images.get().file.name != second.images.get().file.name  # each post its own copy


# --------------------------------------------------------------------------------------------
# Blackouts, the guideline, stale previews, other offices, permissions


def _masa_tenang(actor, office, start_day: date, days: int = 3) -> Blackout:
    start = datetime.combine(start_day, datetime.min.time(), WIB)
    return blackout_create(
        actor=actor,
        office=office,
        starts_at=start,
        ends_at=start + timedelta(days=days),
        reason=Blackout.Reason.MASA_TENANG,
    )


def test_a_time_inside_a_blackout_window_is_refused_with_the_windows_message(
    client, operator, admin, offices, channels
):
    _masa_tenang(admin, offices[JEPARA], day(9))
    client.force_login(operator)
    response = upload(client, csv_bytes([row(), row(tanggal=day(20).isoformat())]))
    assert where(response) == {(2, "jam")}
    assert "Masa tenang" in problems_of(response)[0][2]
    assert Post.objects.count() == 0


def test_guideline_block_refuses_the_row_and_a_warning_is_shown_but_lets_it_through(
    client, operator, channels
):
    blocked = row(teks="Info coklit: hubungi Pak Darto 0812-2765-4301.")
    warned = row(teks="Daftar jadi KPPS di https://bit.ly/daftar-kpps", jam="10:00")
    client.force_login(operator)

    refused = upload(client, csv_bytes([blocked, warned]))
    assert where(refused) == {(2, "teks")}
    assert "Melanggar pedoman kehumasan" in problems_of(refused)[0][2]
    assert [r for r, _found in refused.context["warnings_by_row"]] == [3]

    preview = upload(client, csv_bytes([warned]))
    assert "Peringatan pedoman kehumasan" in preview.content.decode() and "bit.ly" in preview.content.decode()
    confirm(client, preview)
    assert Post.objects.get().status == Post.Status.DRAFT


def test_a_blackout_declared_between_preview_and_confirm_refuses_the_whole_plan(
    client, operator, admin, offices, channels
):
    client.force_login(operator)
    preview = upload(
        client, csv_bytes([row(tanggal=day(20).isoformat()), row()]), images=zip_bytes({"a.jpg": jpeg()})
    )
    assert preview.status_code == 200 and len(kept_zips()) == 1

    _masa_tenang(admin, offices[JEPARA], day(9))
    response = confirm(client, preview)

    assert response.status_code == 400
    assert where(response) == {(3, "jam")}
    assert "Sejak pratinjau, ada yang berubah" in response.content.decode()
    assert Post.objects.count() == 0 and not AuditEvent.objects.filter(action__startswith="post.").exists()
    assert kept_zips() == []


def test_plan_commit_checks_again_and_writes_nothing_when_a_row_became_invalid(
    operator, admin, offices, channels
):
    office = offices[JEPARA]
    plan = plan_parse(
        actor=operator,
        office=office,
        content=csv_bytes([row(), row(jam="10:00")]),
        fmt="csv",
        channels=list(channel_list_for_publishing(office=office)),
    )
    assert plan.ok
    channels["x"].is_active = False
    channels["x"].save()

    with pytest.raises(PlanInvalid) as refused:
        plan_commit(actor=operator, office=office, rows=plan.rows)

    assert {(p.row, p.column) for p in refused.value.problems} == {(2, "kanal"), (3, "kanal")}
    assert Post.objects.count() == 0


def test_image_files_written_for_a_plan_that_fails_are_removed(operator, offices, channels, monkeypatch):
    office = offices[JEPARA]
    images = io.BytesIO(zip_bytes({"a.jpg": jpeg(), "b.jpg": jpeg((0, 0, 200))}))
    plan = plan_parse(
        actor=operator,
        office=office,
        fmt="csv",
        images=images,
        content=csv_bytes(
            [
                row(gambar="a.jpg", alt_gambar="A"),
                row(jam="10:00", gambar="b.jpg", alt_gambar="B", teks_x="Dua"),
            ]
        ),
        channels=list(channel_list_for_publishing(office=office)),
    )

    def fail(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(plans, "audit_record", fail)  # the last write, after the images
    with pytest.raises(RuntimeError):
        plan_commit(actor=operator, office=office, rows=plan.rows)

    assert Post.objects.count() == 0 and PostImage.objects.count() == 0
    posts_dir = private_storage().path("posts")
    assert not os.path.isdir(posts_dir) or not any(files for _d, _s, files in os.walk(posts_dir))


def test_another_offices_channel_is_refused(client, operator, member, offices, channels):
    kudus_admin = member(KUDUS, "admin")
    _channel(kudus_admin, offices[KUDUS], "facebook", "KPU Kudus")
    client.force_login(operator)
    response = upload(client, csv_bytes([row(kanal="KPU Kudus")]))
    assert where(response) == {(2, "kanal")}
    assert "“KPU Kudus” bukan kanal aktif kantor ini" in problems_of(response)[0][2]


def test_a_confirmation_token_is_bound_to_the_person_and_the_office(client, operator, member, channels):
    client.force_login(operator)
    preview = upload(client, csv_bytes([row()]), images=zip_bytes({"a.jpg": jpeg()}))
    token = preview.context["confirm"].initial["token"]
    other = member(JEPARA, "operator")
    client.force_login(other)

    response = client.post(PLAN, {"token": token, "confirm": "1"})

    assert response.status_code == 302 and response["Location"] == PLAN
    assert Post.objects.count() == 0
    tampered = client.post(PLAN, {"token": token[:-2] + "xx", "confirm": "1"})
    assert tampered.status_code == 302 and Post.objects.count() == 0


def test_a_viewer_may_not_import_nor_download_the_template(client, member, channels):
    viewer = member(JEPARA, "viewer")
    client.force_login(viewer)
    assert client.get(PLAN).status_code == 403
    assert client.post(PLAN, {"file": SimpleUploadedFile("r.csv", csv_bytes([row()]))}).status_code == 403
    assert client.get(f"{PLAN}templat.csv").status_code == 403
    assert client.get(f"{PLAN}templat.xlsx").status_code == 403
    assert "Impor rencana" not in client.get(BASE).content.decode()
    assert Post.objects.count() == 0


def test_the_konten_list_links_to_the_import_for_people_who_draft(client, operator):
    client.force_login(operator)
    assert f'href="{PLAN}"' in client.get(BASE).content.decode()
    page = client.get(PLAN)
    assert page.status_code == 200 and f"{PLAN}templat.xlsx" in page.content.decode()


# --------------------------------------------------------------------------------------------
# Templates and CSV exports


def test_the_templates_parse_back_without_problems_and_make_drafts(client, operator, channels):
    client.force_login(operator)
    for name in ("templat.csv", "templat.xlsx"):
        download = client.get(f"{PLAN}{name}")
        assert download.status_code == 200
        assert (
            download["Content-Disposition"]
            == f'attachment; filename="rencana-konten-kab-jepara.{name[-4:].lstrip(".")}"'
        )
        preview = upload(client, download.content, name=name)
        assert preview.status_code == 200, problems_of(preview)
        assert [r.row for r in preview.context["rows"]] == [2, 3]
        assert {str(c.platform) for c in preview.context["rows"][0].channels} == {
            "facebook",
            "portal",
            "whatsapp",
            "x",
        }
        assert preview.context["plan"].warnings == []
        confirm(client, preview)
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 4
    text = client.get(f"{PLAN}templat.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    sheet = load_workbook(io.BytesIO(client.get(f"{PLAN}templat.xlsx").content), read_only=True).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == list(COLUMNS)


def test_csv_exports_are_protected_against_formula_injection(offices):
    assert [csv_cell(v) for v in ("=1+1", "+62", "-x", "@a", "\t=1", "\r=1", "aman", None)] == [
        "'=1+1",
        "'+62",
        "'-x",
        "'@a",
        "'\t=1",
        "'\r=1",
        "aman",
        "",
    ]
    rows = [list(COLUMNS), ["=cmd|' /C calc'!A0", "@SUM(A1)", "-1", "teks", *[""] * (len(COLUMNS) - 4)]]
    exported = next(csv.reader(io.StringIO(template_csv(rows).lstrip("\ufeff").splitlines()[1])))
    assert exported[:4] == ["'=cmd|' /C calc'!A0", "'@SUM(A1)", "'-1", "teks"]
    book = load_workbook(io.BytesIO(template_xlsx(rows, guide=[("teks", "=1+1")])))
    cell = book.worksheets[0]["A2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")  # text, not a formula
    assert template_rows(office=offices[JEPARA], channels=[])[1][2] == "portal"


# --------------------------------------------------------------------------------------------
# The ZIPs kept between preview and confirmation


def test_stale_kept_zips_are_purged_and_the_purge_is_idempotent(operator, offices):
    office = offices[JEPARA]
    old = plan_upload_store(actor=operator, office=office, file=io.BytesIO(zip_bytes({"a.jpg": jpeg()})))
    fresh = plan_upload_store(actor=operator, office=office, file=io.BytesIO(zip_bytes({"b.jpg": jpeg()})))
    hours_ago = time.time() - 3 * 3600
    os.utime(private_storage().path(old), (hours_ago, hours_ago))

    assert plan_uploads_purge() == 1
    assert plan_uploads_purge() == 0
    assert not private_storage().exists(old) and private_storage().exists(fresh)


# --------------------------------------------------------------------------------------------
# A plan of 500 rows


def test_a_plan_of_500_rows_becomes_500_drafts(client, operator, channels):
    rows = [
        row(
            tanggal=day(10 + i // 50).isoformat(),
            jam=f"{8 + (i % 50) // 4:02d}:{(i % 4) * 15:02d}",
            kanal="x, facebook, portal",
            teks=f"Info pemilu nomor {i + 1}: cek nama Anda di cekdptonline.kpu.go.id dan datang ke TPS.",
            teks_x=f"Info pemilu {i + 1}: cek DPT Anda. #PemiluDamai" if i % 2 else "",
            tahapan="pemutakhiran-data-pemilih",
            kampanye="AyoCekDPT",
        )
        for i in range(500)
    ]
    plan = csv_bytes(rows)
    client.force_login(operator)

    started = time.perf_counter()
    preview = upload(client, plan)
    previewed = time.perf_counter()
    done = confirm(client, preview)
    finished = time.perf_counter()

    assert done.status_code == 302
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 500
    assert PostVariant.objects.count() == 250
    print(
        f"\n500-row plan: preview {previewed - started:.2f} s, confirm (checked again and written) "
        f"{finished - previewed:.2f} s, in all {finished - started:.2f} s"
    )


# --------------------------------------------------------------------------------------------
# On a phone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_upload_and_preview_fit_a_phone(live_server, phone, operator, channels, tmp_path):  # noqa: F811
    plan = tmp_path / "rencana.csv"
    plan.write_bytes(
        csv_bytes(
            [
                row(teks="Pengumuman rekapitulasi suara tingkat kecamatan " * 8, kanal="facebook, portal"),
                row(kanal="friendster", jam="10:00", teks="Daftar jadi KPPS di https://bit.ly/daftar-kpps"),
            ]
        )
    )
    sign_in(phone, live_server.url, operator.email)
    phone.wait_for_url(f"{live_server.url}/app/**")
    phone.goto(f"{live_server.url}{PLAN}")
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    phone.set_input_files("#id_file", str(plan))
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")

    assert "1 masalah ditemukan" in phone.locator("main").inner_text()
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []

    good = tmp_path / "rencana-baik.csv"
    good.write_bytes(csv_bytes([row(teks="Daftar jadi KPPS di https://bit.ly/daftar-kpps", kanal="semua")]))
    phone.goto(f"{live_server.url}{PLAN}")
    phone.set_input_files("#id_file", str(good))
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert "1 draf akan dibuat" in phone.locator("main").inner_text()
    assert no_horizontal_scroll(phone)
    assert serious_violations(phone) == []
    with phone.expect_navigation():
        phone.click("button[name=confirm]")
    assert "1 draf dibuat." in phone.locator("main").inner_text()
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 1
