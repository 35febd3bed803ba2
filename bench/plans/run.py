#!/usr/bin/env python3
"""Bulk content plans (issue #19): a plan of N rows imported by KPU Kabupaten Jepara's Operator,
next to the same N posts written one by one through the composer's services.

Set-up, in a fresh database: the 553 offices (``offices_load``), KPU Kabupaten Jepara (33.20)
with an Administrator and an Operator, and three channels on which nothing calls a network: a
WhatsApp channel and a TikTok account (assisted) and the office's portal. A plan of N rows is a
CSV as an Operator would fill the template in: varied Indonesian texts (topics, places, links,
hashtags), an X variant on every third row, times spread over the coming weeks (from the day
after tomorrow, 25 posts a day from 07:00), a stage and a campaign on every row. Unless
``--no-images``, the same plan is also measured WITH images: a ZIP of 20 small JPEGs (1080x1080
posters, about 40 KB each), one image on every row and two on every fifth, each with its alt
text.

For each variant, each N and ``--repeats`` times, the office's drafts deleted between every
measurement (audit events are append-only and stay):

  1. **page flow**, through Django's test Client in this process as the Operator: the upload
     page (GET), the upload (POST: the plan read and checked, the ZIP kept, the preview rendered
     with its signed token) and the confirmation (POST with the token read back from the
     preview's HTML: the plan read and checked again, written, redirect): wall time of the three,
     the preview and the confirmation apart, their queries;
  2. ``plan_parse`` alone (the preview's work without the page): wall time, queries;
  3. ``plan_commit`` alone on freshly parsed rows (the recheck and the writing, in one
     transaction): wall time, queries (``CaptureQueriesContext``; Django counts BEGIN and
     COMMIT too) and their time in the database driver;
  4. **the peer**: the same N rows written one by one through the services the composer's page
     calls for each post (humas/publishing/views/posts.py), in one transaction per post:
     ``post_create`` then, with images, ``post_image_prepare`` and ``post_images_change``, then
     ``post_variants_set`` for a row with a variant. Wall time and queries of the N posts.

Every measurement runs with its queries captured (Django's debug cursor, one log record per
statement): a few microseconds a query, paid most where the queries are most (the peer). A
warm-up (a 5-row plan with images through every measurement) comes first. ``--profile`` adds a
cProfile of one parse and one commit of the largest plan; ``--json`` keeps the raw figures.

    python bench/plans/run.py                                    # 500 rows, 3 repeats, both databases
    python bench/plans/run.py --rows 500 1000 --repeats 3 --db both   # about 10 min on two cores
    python bench/plans/run.py --rows 100 --repeats 1 --db sqlite --no-images --profile

Each database runs in its own child process (Django settings are per process), with the local
settings (SqliteHuey and the file cache in a temporary data directory: no Redis), DEBUG off.
SQLite: a temporary file database. PostgreSQL: drops and creates ``humas_bench_plans`` on
127.0.0.1:5432 (user postgres, trust), dropped again at the end unless ``--keep``. The tasks a
commit enqueues (image renditions) wait in the SQLite queue; no worker runs. Target (issue #19):
a 500-row plan imports in under 10 s. The figures describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import importlib.util
import io
import json
import logging
import os
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "humas_bench_plans"
PG_URL = f"{PG_SERVER}/{DB_NAME}"
TARGET_ROWS, TARGET_SECONDS = 500, 10.0  # issue #19
JEPARA = "33.20"
SEED = 19
PER_DAY = 25  # posts a day in a generated plan, every 30 minutes from 07:00
ZIP_IMAGES = 20
sys.path.insert(0, str(REPO))


def sibling(name: str) -> ModuleType:
    """bench/<name>/run.py loaded by path, for its helpers (its own database is not touched)."""
    spec = importlib.util.spec_from_file_location(f"{name}_bench", REPO / "bench" / name / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"{name}_bench"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


# machine(), log(), loadavg(), client_for(); prepare_postgres(), db_version()
cascade = sibling("cascade")
offices = sibling("offices")
log = cascade.log


def seconds(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "max": max(samples), "n": len(samples)}


# --------------------------------------------------------------------------------------------
# The plan: realistic rows of KPU Kabupaten Jepara


PLACES = (
    "Bangsri",
    "Batealit",
    "Donorojo",
    "Jepara",
    "Kalinyamatan",
    "Karimunjawa",
    "Kedung",
    "Keling",
    "Kembang",
    "Mayong",
    "Mlonggo",
    "Nalumsari",
    "Pakis Aji",
    "Pecangaan",
    "Tahunan",
    "Welahan",
)
# (stage, campaign, opening, body, X variant or "" ) — {place} and {day} filled in per row.
TOPICS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "pemutakhiran-data-pemilih",
        "AyoCekDPT",
        "Coklit di Kecamatan {place} berlanjut.",
        "Petugas Pantarlih mendatangi rumah warga untuk mencocokkan data pemilih. Siapkan KTP-el dan "
        "Kartu Keluarga, lalu pastikan nama Anda dan keluarga tercatat dengan benar.",
        "Pantarlih datang ke rumah Anda di {place}. Siapkan KTP-el dan KK ya! #AyoCekDPT",
    ),
    (
        "pemutakhiran-data-pemilih",
        "AyoCekDPT",
        "Sudah cek nama Anda di daftar pemilih?",
        "Buka laman cek DPT, masukkan NIK Anda sendiri, lalu lihat TPS tempat Anda memilih. Jika belum "
        "terdaftar, datangi PPS di desa atau kelurahan Anda di {place}.",
        "Cek nama Anda di DPT sekarang, cukup dengan NIK sendiri. Belum terdaftar? Datangi PPS di {place}.",
    ),
    (
        "perencanaan",
        "KPPSJepara",
        "Pendaftaran anggota KPPS dibuka.",
        "Warga {place} berusia paling rendah 17 tahun, sehat dan tidak menjadi anggota partai politik "
        "dapat mendaftar di sekretariat PPS setempat. Berkas diterima sampai {day}.",
        "",
    ),
    (
        "kampanye",
        "PemiluDamai",
        "Jadwal kampanye rapat umum di {place}.",
        "KPU Kabupaten Jepara mengingatkan peserta pemilu untuk menaati jadwal dan lokasi kampanye yang "
        "telah ditetapkan, serta menjaga ketertiban dan kebersihan lingkungan.",
        "Kampanye di {place} sesuai jadwal yang ditetapkan. Tertib, damai, bersih. #PemiluDamai",
    ),
    (
        "kampanye",
        "PemiluDamai",
        "Debat publik disiarkan langsung.",
        "Saksikan debat publik melalui kanal resmi KPU Kabupaten Jepara. Kenali visi, misi dan program "
        "setiap peserta sebelum menentukan pilihan pada hari pemungutan suara.",
        "",
    ),
    (
        "masa-tenang",
        "PemiluDamai",
        "Masa tenang dimulai.",
        "Selama masa tenang tidak ada kegiatan kampanye dalam bentuk apa pun. Laporkan pelanggaran "
        "yang Anda temui di {place} kepada Panwaslu kecamatan.",
        "Masa tenang: tidak ada kampanye dalam bentuk apa pun. Laporkan pelanggaran ke Panwaslu {place}.",
    ),
    (
        "pemungutan-suara",
        "AyoKeTPS",
        "Simulasi pemungutan suara di {place}.",
        "Warga diajak menyaksikan simulasi pemungutan dan penghitungan suara di TPS contoh. Datang dan "
        "pelajari tata cara mencoblos agar suara Anda sah.",
        "Simulasi pemungutan suara di {place}. Ayo pelajari cara mencoblos yang sah!",
    ),
    (
        "pemungutan-suara",
        "AyoKeTPS",
        "Pemilih disabilitas berhak didampingi.",
        "Pemilih dengan disabilitas dapat dibantu pendamping pilihannya sendiri di bilik suara. Petugas "
        "KPPS di {place} siap membantu; pendamping wajib merahasiakan pilihan pemilih.",
        "",
    ),
    (
        "pemungutan-suara",
        "AyoKeTPS",
        "Pemilih pemula, jangan lewatkan hari pemungutan suara.",
        "Bawa formulir pemberitahuan dan KTP-el ke TPS Anda. TPS di {place} buka pukul 07.00 sampai "
        "13.00 waktu setempat.",
        "Pemilih pemula, bawa formulir pemberitahuan dan KTP-el ke TPS. Buka 07.00-13.00 WIB.",
    ),
    (
        "rekapitulasi",
        "KawalRekap",
        "Rapat pleno rekapitulasi tingkat kecamatan {place}.",
        "Rapat pleno terbuka untuk umum dan dihadiri saksi serta pengawas. Hasilnya diumumkan di papan "
        "pengumuman kantor PPK dan di portal KPU Kabupaten Jepara.",
        "",
    ),
    (
        "penetapan",
        "KawalRekap",
        "Penetapan hasil pemilu tingkat kabupaten.",
        "KPU Kabupaten Jepara menetapkan hasil pemilu dalam rapat pleno terbuka pada {day}. Salinan berita "
        "acara dapat diunduh di portal.",
        "",
    ),
    (
        "pencalonan",
        "InfoPemilu",
        "Tanggapan masyarakat atas daftar calon sementara.",
        "Masyarakat dapat memberikan tanggapan atas daftar calon sementara sampai {day}, disertai "
        "identitas yang jelas, melalui sekretariat KPU Kabupaten Jepara.",
        "Beri tanggapan atas daftar calon sementara sampai {day} di sekretariat KPU Jepara.",
    ),
)
CLOSINGS = (
    "",
    "Informasi lebih lanjut: kantor KPU Kabupaten Jepara.",
    "Sebarkan informasi ini kepada keluarga dan tetangga Anda.",
    "Mari sukseskan pemilu yang jujur dan adil.",
    "Terima kasih atas partisipasi warga {place}.",
)
LINKS = (
    "",
    "https://cekdptonline.kpu.go.id",
    "",
    "https://www.kpu.go.id",
    "",
    "https://jdih.kpu.go.id",
)
CHANNEL_CELLS = ("semua", "whatsapp, portal", "portal", "whatsapp, tiktok", "Portal Humas, whatsapp")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
COLUMNS = (
    "tanggal",
    "jam",
    "kanal",
    "teks",
    "teks_x",
    "tautan",
    "gambar",
    "alt_gambar",
    "tahapan",
    "kampanye",
)


def image_name(index: int) -> str:
    return f"poster-{index + 1:02d}.jpg"


def plan_rows(count: int, *, today: dt.date, images: bool, seed: int = SEED) -> list[dict[str, str]]:
    """``count`` rows as an Operator fills the template in (no two alike)."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        stage, campaign, opening, body, x_text = TOPICS[i % len(TOPICS)]
        place = PLACES[(i * 7 + i // len(TOPICS)) % len(PLACES)]
        day = today + dt.timedelta(days=2 + i // PER_DAY)
        minutes = 7 * 60 + (i % PER_DAY) * 30
        deadline = day + dt.timedelta(days=rng.randint(3, 14))
        said = f"{deadline.day} {MONTHS[deadline.month - 1]} {deadline.year}"
        closing = rng.choice(CLOSINGS)
        text = " ".join(p for p in (opening, body, closing) if p).format(place=place, day=said)
        # Numbered so that two rows of the same topic and place never read the same.
        text = f"{text} ({campaign} #{i + 1})" if rng.random() < 0.5 else f"[{i + 1}] {text}"
        row = {
            "tanggal": day.isoformat() if i % 4 else day.strftime("%d/%m/%Y"),
            "jam": f"{minutes // 60:02d}:{minutes % 60:02d}"
            if i % 3
            else f"{minutes // 60:02d}.{minutes % 60:02d}",
            "kanal": CHANNEL_CELLS[i % len(CHANNEL_CELLS)],
            "teks": text,
            "teks_x": x_text.format(place=place, day=said) if x_text and i % 3 == 0 else "",
            "tautan": LINKS[i % len(LINKS)],
            "tahapan": stage,
            "kampanye": f"#{campaign}" if i % 5 == 0 else campaign,
            "gambar": "",
            "alt_gambar": "",
        }
        if images:
            first = image_name(i % ZIP_IMAGES)
            alts = [f"Poster {campaign}: {opening.format(place=place)}"]
            names = [first]
            if i % 5 == 0:
                names.append(image_name((i + 7) % ZIP_IMAGES))
                alts.append(f"Infografik jadwal di Kecamatan {place}")
            row["gambar"], row["alt_gambar"] = "; ".join(names), "; ".join(alts)
        rows.append(row)
    return rows


def plan_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def posters() -> dict[str, bytes]:
    """20 small JPEG posters (1080x1080, drawn shapes and text, 30-60 KB each)."""
    from PIL import Image, ImageDraw

    rng = random.Random(SEED)
    made = {}
    for index in range(ZIP_IMAGES):
        base = (rng.randrange(40, 220), rng.randrange(40, 220), rng.randrange(40, 220))
        image = Image.new("RGB", (1080, 1080), base)
        draw = ImageDraw.Draw(image)
        for _shape in range(40):
            x, y = rng.randrange(0, 1000), rng.randrange(0, 1000)
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            draw.rectangle((x, y, x + rng.randrange(20, 300), y + rng.randrange(20, 200)), fill=colour)
        for line in range(12):
            draw.text((60, 80 + line * 70), f"KPU KABUPATEN JEPARA {index + 1} - INFO PEMILU", fill="white")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        made[image_name(index)] = out.getvalue()
    return made


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Child: one database, inside Django


def setup_world() -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from humas.accounts.models import User
    from humas.channels.services import ChannelInput, channel_create
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load
    from humas.publishing.portal_channel import channel_list_for_publishing

    started = time.perf_counter()
    loaded = offices_load(text=default_regions_text())
    load_s = time.perf_counter() - started
    office = Office.objects.get(code=JEPARA)
    unusable = make_password(None)
    people = {}
    for role in ("admin", "operator"):
        user = User.objects.create(
            email=f"{role}.jepara@kpu.bench", full_name=f"{role.title()} KPU Jepara", password=unusable
        )
        Membership.objects.create(user=user, office=office, role=role)
        # client_for() passes the second factor with it (an Operator of a regency needs none).
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        people[role] = user
    for platform_key, name in (
        ("whatsapp", "Saluran WhatsApp KPU Jepara"),
        ("tiktok", "KPU Jepara di TikTok"),
    ):
        channel_create(
            actor=people["admin"], office=office, data=ChannelInput(platform=platform_key, name=name)
        )
    channels = list(channel_list_for_publishing(office=office))
    assert sorted(str(c.platform) for c in channels) == ["portal", "tiktok", "whatsapp"], channels
    assert all(c.is_assisted for c in channels)
    return {
        "office": office,
        "operator": people["operator"],
        "offices": Office.objects.count(),
        "created": loaded.created,
        "offices_load_s": load_s,
        "channels": [f"{c.platform}: {c.name}" for c in channels],
    }


def clean(office: Any) -> None:
    """The office without posts again (their images' files go too); audit events stay."""
    from humas.publishing.models import Post
    from humas.publishing.storage import post_image_storage

    Post.objects.filter(office=office).delete()
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(post_image_storage().path(f"posts/{office.pk}"))


def drafts(office: Any) -> int:
    from humas.publishing.models import Post

    return Post.objects.filter(office=office, status=Post.Status.DRAFT).count()


class SqlLog(logging.Handler):
    """Every statement and every transaction's BEGIN/COMMIT/ROLLBACK Django logs on
    ``django.db.backends`` while queries are captured, with its exact duration in the driver
    (CaptureQueriesContext rounds each to the millisecond and keeps only the last 9,000)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = self.commits = 0
        self.seconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.seconds += float(getattr(record, "duration", 0) or 0)
        self.commits += getattr(record, "sql", "") == "COMMIT"


@contextlib.contextmanager
def queries_and_sql() -> Any:
    """An SqlLog of the default connection; its count is CaptureQueriesContext's where that one
    holds them all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sql_log = SqlLog()
    logger = logging.getLogger("django.db.backends")
    level, propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(sql_log)
    connection.queries_log.clear()
    try:
        with CaptureQueriesContext(connection) as captured:
            yield sql_log
    finally:
        logger.removeHandler(sql_log)
        logger.setLevel(level)
        logger.propagate = propagate
    if sql_log.count < connection.queries_limit:
        assert len(captured) == sql_log.count, (len(captured), sql_log.count)


def parse(world: dict[str, Any], content: bytes, archive: bytes | None) -> Any:
    from humas.publishing.plans import plan_parse
    from humas.publishing.portal_channel import channel_list_for_publishing

    office = world["office"]
    plan = plan_parse(
        actor=world["operator"],
        office=office,
        content=content,
        fmt="csv",
        channels=list(channel_list_for_publishing(office=office)),
        images=io.BytesIO(archive) if archive is not None else None,
    )
    if not plan.ok:
        shown = "; ".join(f"row {p.row} {p.column}: {p.message}" for p in plan.all_problems[:10])
        raise SystemExit(f"bench/plans: the generated plan is refused: {shown}")
    return plan


def measure_flow(world: dict[str, Any], content: bytes, archive: bytes | None, rows: int) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    office = world["office"]
    client = cascade.client_for(world["operator"])
    url = reverse("publishing:plan", kwargs={"office_slug": office.slug})
    data: dict[str, Any] = {
        "file": SimpleUploadedFile(f"rencana-{rows}.csv", content, content_type="text/csv")
    }
    if archive is not None:
        data["images"] = SimpleUploadedFile("gambar.zip", archive, content_type="application/zip")
    with queries_and_sql() as sql_log:
        started = time.perf_counter()
        page = client.get(url)
        uploaded = time.perf_counter()
        preview = client.post(url, data)
        previewed = time.perf_counter()
        found = re.search(rb'name="token" value="([^"]+)"', preview.content)
        assert page.status_code == 200 and preview.status_code == 200 and found, preview.status_code
        done = client.post(url, {"token": found[1].decode(), "confirm": "1"})
        finished = time.perf_counter()
    assert done.status_code == 302 and "tampil=draf" in done["Location"], done.status_code
    assert drafts(office) == rows
    return {
        "total": finished - started,
        "page": uploaded - started,
        "preview": previewed - uploaded,
        "confirm": finished - previewed,
        "queries": sql_log.count,
        "commits": sql_log.commits,
        "sql": sql_log.seconds,
        "preview_bytes": len(preview.content),
    }


def measure_parse(world: dict[str, Any], content: bytes, archive: bytes | None) -> dict[str, Any]:

    with queries_and_sql() as sql_log:
        started = time.perf_counter()
        plan = parse(world, content, archive)
        elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "queries": sql_log.count,
        "commits": sql_log.commits,
        "sql": sql_log.seconds,
        "warnings": len(plan.warnings),
    }


def measure_commit(world: dict[str, Any], content: bytes, archive: bytes | None, rows: int) -> dict[str, Any]:

    from humas.publishing.plans import plan_commit

    plan = parse(world, content, archive)
    with queries_and_sql() as sql_log:
        started = time.perf_counter()
        posts = plan_commit(
            actor=world["operator"], office=world["office"], rows=plan.rows, filename="rencana.csv", fmt="csv"
        )
        elapsed = time.perf_counter() - started
    assert len(posts) == rows and drafts(world["office"]) == rows
    return {"seconds": elapsed, "queries": sql_log.count, "commits": sql_log.commits, "sql": sql_log.seconds}


def measure_peer(
    world: dict[str, Any], content: bytes, archive: bytes | None, members: dict[str, bytes], rows: int
) -> dict[str, Any]:
    """The composer's services, post by post (humas/publishing/views/posts.py: one transaction per
    post; each image uploaded with its post and checked by ``post_image_prepare``)."""
    from django.db import transaction

    from humas.publishing.images import NewImage, post_image_prepare, post_images_change
    from humas.publishing.services import post_create
    from humas.publishing.variants import post_variants_set

    plan = parse(world, content, archive)  # the same rows, as the person would type them
    actor, office = world["operator"], world["office"]
    with queries_and_sql() as sql_log:
        started = time.perf_counter()
        for row in plan.rows:
            with transaction.atomic():
                post = post_create(
                    actor=actor,
                    office=office,
                    text=row.text,
                    link=row.link,
                    scheduled_at=row.scheduled_at,
                    channels=row.channels,
                    campaign=row.campaign,
                    election_stage=row.stage,
                )
                if row.images:
                    add = [
                        NewImage(post_image_prepare(file=io.BytesIO(members[image.ref])), image.alt)
                        for image in row.images
                    ]
                    post_images_change(actor=actor, post=post, add=add)
                if row.variants:
                    post_variants_set(actor=actor, post=post, texts=row.variants)
        elapsed = time.perf_counter() - started
    assert drafts(office) == rows
    return {"seconds": elapsed, "queries": sql_log.count, "commits": sql_log.commits, "sql": sql_log.seconds}


def profile(world: dict[str, Any], content: bytes, archive: bytes | None) -> dict[str, str]:
    """cProfile of one parse and one commit: the 25 costliest functions (cumulative)."""
    from humas.publishing.plans import plan_commit

    found = {}
    for name in ("parse", "commit"):
        plan = parse(world, content, archive) if name == "commit" else None
        profiler = cProfile.Profile()
        profiler.enable()
        if plan is None:
            parse(world, content, archive)
        else:
            plan_commit(actor=world["operator"], office=world["office"], rows=plan.rows)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        found[name] = out.getvalue()
        clean(world["office"])
    return found


def child_main(db: str, out_path: Path, args: argparse.Namespace) -> None:
    import django

    django.setup()
    logging.getLogger("huey").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", "Limit for query logging exceeded")  # SqlClock counts them all
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    result: dict[str, Any] = {"db": db, "loadavg_start": cascade.loadavg()}
    log(f"{db}: migrating a fresh database")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = time.perf_counter() - started
    result["db_version"] = offices.db_version(connection)
    result["django"] = django.get_version()
    world = setup_world()
    result["world"] = {k: v for k, v in world.items() if k not in ("office", "operator")}
    log(f"{db}: {world['offices']} offices; KPU Jepara's channels: {', '.join(world['channels'])}")

    today = timezone.localdate(timezone=world["office"].zoneinfo)
    members = posters()
    archive_bytes = zip_of(members)
    result["zip_bytes"] = len(archive_bytes)
    result["runs"] = []
    # Warm-up of the pages, the services and the image check (templates compiled, URL resolver,
    # translations, the guideline's rules): a 5-row plan with images, through every measurement.
    small = plan_csv(plan_rows(5, today=today, images=True, seed=SEED + 1))
    measure_flow(world, small, archive_bytes, 5)
    clean(world["office"])
    measure_commit(world, small, archive_bytes, 5)
    clean(world["office"])
    measure_peer(world, small, archive_bytes, members, 5)
    clean(world["office"])
    variants = [False, True] if args.images else [False]
    for with_images in variants:
        for rows in args.rows:
            generated = plan_rows(rows, today=today, images=with_images)
            content = plan_csv(generated)
            archive = archive_bytes if with_images else None
            run: dict[str, Any] = {
                "images": with_images,
                "rows": rows,
                "csv_bytes": len(content),
                "x_variants": sum(1 for r in generated if r["teks_x"]),
                "image_refs": sum(len(r["gambar"].split(";")) for r in generated if r["gambar"]),
                "flow": [],
                "parse": [],
                "commit": [],
                "peer": [],
            }
            clean(world["office"])
            for repeat in range(args.repeats):
                run["flow"].append(measure_flow(world, content, archive, rows))
                clean(world["office"])
                run["parse"].append(measure_parse(world, content, archive))
                run["commit"].append(measure_commit(world, content, archive, rows))
                clean(world["office"])
                run["peer"].append(measure_peer(world, content, archive, members, rows))
                clean(world["office"])
                log(
                    f"{db}: {rows} rows{' with images' if with_images else ''}, repeat {repeat + 1}: "
                    f"page flow {run['flow'][-1]['total']:.2f} s, parse {run['parse'][-1]['seconds']:.2f} s, "
                    f"commit {run['commit'][-1]['seconds']:.2f} s ({run['commit'][-1]['queries']} queries), "
                    f"per post {run['peer'][-1]['seconds']:.2f} s ({run['peer'][-1]['queries']} queries)"
                )
            run["warnings"] = run["parse"][-1]["warnings"]
            if args.profile and rows == max(args.rows):
                run["profile"] = profile(world, content, archive)
            result["runs"].append(run)
    result["loadavg_end"] = cascade.loadavg()
    out_path.write_text(json.dumps(result, indent=1, default=str))


# --------------------------------------------------------------------------------------------
# Parent: the databases, the report


def drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def run_child(db: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", db, "--out", str(out)]
        cmd += ["--rows", *map(str, args.rows), "--repeats", str(args.repeats)]
        cmd += [] if args.images else ["--no-images"]
        cmd += ["--profile"] if args.profile else []
        subprocess.run(cmd, env=env, check=True, cwd=REPO)  # noqa: S603
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def fmt_s(summary: dict[str, float]) -> str:
    return f"{summary['median']:.2f} s / {summary['max']:.2f} s"


def table(results: list[dict[str, Any]]) -> list[str]:
    """The bulk import (page flow, parse, commit) beside the target, then the peer and the ratios."""
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    bulk = [
        "| database | rows | images | **page flow** (upload page, upload → preview, confirm) | target "
        "| page-flow queries | preview | confirm | `plan_parse` | `plan_commit` | commit queries "
        "| commit SQL time |",
        "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    peer = [
        "| database | rows | images | `plan_commit` | page flow | **per post** (`post_create` + …) "
        "| per-post queries (of them COMMIT) | per-post SQL time | commit ÷ per post "
        "| page flow ÷ per post |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for run in result["runs"]:
            flow = seconds([m["total"] for m in run["flow"]])
            preview = seconds([m["preview"] for m in run["flow"]])
            confirm = seconds([m["confirm"] for m in run["flow"]])
            parsed = seconds([m["seconds"] for m in run["parse"]])
            commit = seconds([m["seconds"] for m in run["commit"]])
            per_post = seconds([m["seconds"] for m in run["peer"]])
            flow_q = statistics.median(m["queries"] for m in run["flow"])
            commit_q = statistics.median(m["queries"] for m in run["commit"])
            commit_sql = statistics.median(m["sql"] for m in run["commit"])
            peer_q = statistics.median(m["queries"] for m in run["peer"])
            peer_commits = statistics.median(m["commits"] for m in run["peer"])
            peer_sql = statistics.median(m["sql"] for m in run["peer"])
            images = f"{run['image_refs']} (ZIP of {ZIP_IMAGES})" if run["images"] else "none"
            scaled = TARGET_SECONDS * run["rows"] / TARGET_ROWS
            target = (
                f"{TARGET_SECONDS:.0f} s"
                if run["rows"] == TARGET_ROWS
                else f"({scaled:.{0 if scaled >= 10 else 1}f} s pro rata)"
            )
            where = f"| {label[result['db']]} | {run['rows']} | {images} "
            bulk.append(
                f"{where}| **{fmt_s(flow)}** | {target} | {flow_q:,.0f} | {fmt_s(preview)} | {fmt_s(confirm)} "
                f"| {fmt_s(parsed)} | {fmt_s(commit)} | {commit_q:,.0f} | {commit_sql:.3f} s |"
            )
            peer.append(
                f"{where}| {commit['median']:.2f} s | {flow['median']:.2f} s | **{fmt_s(per_post)}** "
                f"| {peer_q:,.0f} ({peer_commits:,.0f}) | {peer_sql:.2f} s | {commit['median'] / per_post['median']:.2f} "
                f"| {flow['median'] / per_post['median']:.2f} |"
            )
    return [
        "Bulk import (median / max):",
        "",
        *bulk,
        "",
        "The peer, same rows, same run (median / max; ratios of the medians):",
        "",
        *peer,
    ]


def report(
    results: list[dict[str, Any]], args: argparse.Namespace, info: dict[str, str], started: str
) -> str:
    versions = [r["db_version"] for r in results]
    first = results[0]
    out = [
        "## Bulk content plans (issue #19)",
        "",
        f"- Command: `python bench/plans/run.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"- Date: {started}",
        f"- Machine: `nproc` {info['nproc']}, {info['cpu']}, RAM {info['ram']}, {info['kernel']}, "
        f"Python {info['python']}, Django {first['django']}",
        f"- Databases: {'; '.join(versions)} (SQLite library {sqlite3.sqlite_version} in this Python)",
        "- Load average (1/5/15 min): "
        + "; ".join(f"{r['db']} {r['loadavg_start']} → {r['loadavg_end']}" for r in results),
        f"- Target (issue #19): a {TARGET_ROWS}-row plan imports in under {TARGET_SECONDS:.0f} s",
        f"- Median / max of {args.repeats} repeats; the office's drafts deleted between measurements",
        "",
        *table(results),
        "",
    ]
    for result in results:
        for run in result["runs"]:
            if run["rows"] == TARGET_ROWS:
                flow = statistics.median(m["total"] for m in run["flow"])
                verdict = "met" if flow < TARGET_SECONDS else "NOT met"
                out.append(
                    f"- {result['db']}, {TARGET_ROWS} rows{' with images' if run['images'] else ''}: "
                    f"page flow {flow:.2f} s against {TARGET_SECONDS:.0f} s: target {verdict} "
                    f"({TARGET_SECONDS / flow:.1f}× under)"
                )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[TARGET_ROWS], help="plan sizes (at most 1000)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="measurements of each kind per size")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--no-images", dest="images", action="store_false", help="skip the variant with images"
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one parse and one commit of the largest plan"
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--json", type=Path, help="write the raw figures to this file")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if any(not 1 <= n <= 1000 for n in args.rows):
        parser.error("--rows: between 1 and 1000 (the plan's limit)")

    if args.child:
        child_main(args.child, args.out, args)
        return 0

    started_at = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    started = time.perf_counter()
    wanted = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = []
    for db in wanted:
        data_dir = tempfile.mkdtemp(prefix="humas-bench-plans-")
        Path(data_dir, "static").mkdir()  # WhiteNoise looks for it; the pages need no file of it
        env = {k: v for k, v in os.environ.items() if k not in ("HUMAS_REDIS_URL", "DATABASE_URL")}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "humas.config.settings.local",
                "HUMAS_DATA_DIR": data_dir,
                "HUMAS_PRIVATE_MEDIA_ROOT": f"{data_dir}/private",
                "HUMAS_MEDIA_ROOT": f"{data_dir}/media",
                "HUMAS_STATIC_ROOT": f"{data_dir}/static",
                "DEBUG": "0",
                "ALLOWED_HOSTS": "localhost,testserver",
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "PYTHONHASHSEED": "0",
            }
        )
        try:
            if db == "postgres":
                error = offices.prepare_postgres(PG_URL)
                if error:
                    print(f"bench/plans: PostgreSQL: {error}", file=sys.stderr)
                    return 2
                env["DATABASE_URL"] = PG_URL
            else:
                env["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
            results.append(run_child(db, env, args))
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
            if db == "postgres" and not args.keep:
                drop_postgres()
    section = report(results, args, cascade.machine(), started_at)
    print("\n" + section + "\n")
    for result in results:
        for run in result["runs"]:
            for name, text in run.get("profile", {}).items():
                print(
                    f"--- profile: {result['db']}, {run['rows']} rows, images {run['images']}: {name}\n{text}"
                )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    log(f"bench/plans: total {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
