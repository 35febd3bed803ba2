#!/usr/bin/env python3
"""Analytics at a year's scale (issue #21): a year of every office's posting, metrics and portal
views, the nightly aggregation of one day, and the pages that read the aggregates.

On PostgreSQL with the production settings, in this process:

  1. **generate** (skipped with ``--reuse``): the 553 offices (``offices_load``) and a realistic
     synthetic year ending today, written with COPY (psycopg's ``cursor.copy``): each office's
     channels (Facebook, Instagram, X, Telegram, YouTube, TikTok, its portal; not every office
     has every platform), an Operator who writes and an Editor who approves; posts published on
     most days (KPU RI about 9 a day, a province 3.5, a regency or city 1.4, each office with its
     own activity; a weekly rhythm; a campaign bump before the election day, the day itself and
     the recapitulation after it), each with its version, its publication and one delivery per
     channel: sent, its metrics snapshots taken as publishing's schedule takes them (+1 h, +6 h,
     +24 h, +3 d, +7 d after sending, the points after now not yet; counts growing; a point
     now and then skipped; ``metrics_latest`` the last one; Telegram and the assisted
     platforms none, their state "unavailable" as ``metrics_start`` leaves it), 1 % of the API
     deliveries failed; a delivery to the portal makes its article (``article_input_for_post``)
     whose snapshots are its views so far; portal articles of the office's own (news, notices,
     press releases, infographics, clarifications); the articles' views per UTC day (most in
     the first days, then a long tail) and their totals; each API channel's followers once a
     day (``FollowerCount``). Then the search vectors and ``ANALYZE``;
  2. **rebuild**: ``day_rebuild`` for every day of the year, oldest first: the time of each day
     (the nightly aggregation of one day), its queries and their time; then what the nightly
     task does (``days_rebuild`` of the last 8 days);
  3. **verify**: on a sample of days, every ``ChannelDay`` and ``PortalDay`` row against sums
     computed here in Python from the raw rows (each delivery's and article's own day in its
     office's zone, views of the UTC day); over the whole year, the aggregates' totals against
     the raw tables';
  4. **pages**: with Django's test Client in-process, as KPU RI's Administrator and Jawa
     Tengah's (second factor passed), after 3 warm-up requests, ``--repeats`` times: the
     national dashboard for the default period, 90 days and 365 days, the offices below KPU RI
     (38 provinces) and below Jawa Tengah (35 regencies and cities), Jawa Tengah's dashboard, the
     CSV exports: median, p95, max, queries and SQL time of one request, bytes. **The peer**,
     same run: the same national figure of the same periods computed straight from the raw rows
     (the latest snapshots of the deliveries sent in the period under the subtree, the articles
     published, the views of ``ArticleViewDaily``) against the aggregates' read
     (``office_series``), both timed, their figures compared;
  5. **pdf**: Jawa Tengah's monthly PDF report for the last whole month (35 regencies and
     cities), rendered as the monthly task renders it, ``--repeats`` times after a warm-up; the
     reads and HTML alone apart, with their queries; KPU RI's report as the peer.

    python bench/analytics/run.py --keep                 # the full year; about 25 minutes on two cores
    python bench/analytics/run.py --offices-scale 0.05 --days 30 --repeats 5   # a slice, a minute
    python bench/analytics/run.py --reuse --parts verify,pages --keep        # again on the kept data

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis (the production settings'
cache; ``--redis``, database 10 by default, never emptied). It drops and creates the database
humas_bench_analytics (dropped again at the end unless ``--keep``; ``--reuse`` needs a kept one and
the var/bench-analytics/dataset.json that described it) and writes var/bench-analytics/result.json,
the EXPLAIN ANALYZE of the slowest queries there too; the Markdown printed at the end goes into
BENCHMARKS.md. Limits (issue #21): the national dashboard and the hierarchy table under 300 ms
with a bounded number of queries, the nightly aggregation for one day under 60 s, a province's
monthly PDF under 10 s. The figures describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import itertools
import json
import math
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "humas_bench_analytics"
REDIS_URL = "redis://127.0.0.1:6379/10"
LOGS = REPO / "var" / "bench-analytics"
DATASET = LOGS / "dataset.json"
WARMUP = 3
SEED = 21
# Issue #21's limits.
PAGE_LIMIT_MS = 300
REBUILD_LIMIT_S = 60
PDF_LIMIT_S = 10
# Issue #21's scale: at least this many metrics snapshots and page views in the year.
SCALE_SNAPSHOTS = 2_000_000
SCALE_VIEWS = 50_000_000
UTC = dt.UTC
sys.path.insert(0, str(REPO))


def sibling(name: str) -> ModuleType:
    """bench/<name>/run.py loaded by path, for its helpers (its own database is not touched)."""
    spec = importlib.util.spec_from_file_location(f"{name}_bench", REPO / "bench" / name / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"{name}_bench"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


# log(), loadavg(), machine(), git_commit(), stats(), client_for(), timed_get()
cascade = sibling("cascade")
log = cascade.log


# --- the synthetic year: its shape -------------------------------------------------------------

PUSAT, PROVINSI, KABKOTA = "pusat", "provinsi", "kabupaten-kota"
# Posts a day of an office of average activity, before the weekly rhythm and the campaign.
POSTS_PER_DAY = {PUSAT: 9.0, PROVINSI: 3.5, KABKOTA: 1.4}
# Portal articles of the office's own (written on the portal, not from a post) a day.
ARTICLES_PER_DAY = {PUSAT: 3.0, PROVINSI: 0.9, KABKOTA: 0.22}
# Monday first: offices post less at the weekend, and write articles on working days.
POST_WEEKDAY = (1.1, 1.15, 1.15, 1.1, 0.95, 0.55, 0.45)
ARTICLE_WEEKDAY = (1.2, 1.2, 1.2, 1.2, 1.0, 0.4, 0.2)
# How much each office's activity differs from its level's average (log-normal sigma).
ACTIVITY_SIGMA = 0.45
# The share of offices of each level with an account on each platform (every office has a portal
# channel once it published there: most regencies did).
PRESENCE = {
    PUSAT: {"facebook": 1, "instagram": 1, "x": 1, "telegram": 1, "youtube": 1, "tiktok": 1, "portal": 1},
    PROVINSI: {
        "facebook": 1,
        "instagram": 1,
        "x": 0.95,
        "telegram": 0.4,
        "youtube": 0.9,
        "tiktok": 0.8,
        "portal": 1,
    },
    KABKOTA: {
        "facebook": 0.95,
        "instagram": 0.92,
        "x": 0.6,
        "telegram": 0.15,
        "youtube": 0.45,
        "tiktok": 0.5,
        "portal": 0.85,
    },
}
PLATFORMS = ("facebook", "instagram", "x", "telegram", "youtube", "tiktok", "portal")
# The share of an office's posts that go to each of its channels.
POST_TO = {
    "facebook": 0.95,
    "instagram": 0.85,
    "x": 0.8,
    "telegram": 0.9,
    "youtube": 0.08,
    "tiktok": 0.25,
    "portal": 0.35,
}
# Median followers of an account of each level (each channel drawn around it, log-normal 0.6).
FOLLOWERS = {
    PUSAT: {
        "facebook": 1_200_000,
        "instagram": 2_000_000,
        "x": 900_000,
        "telegram": 60_000,
        "youtube": 400_000,
        "tiktok": 700_000,
    },
    PROVINSI: {
        "facebook": 40_000,
        "instagram": 60_000,
        "x": 15_000,
        "telegram": 3_000,
        "youtube": 8_000,
        "tiktok": 20_000,
    },
    KABKOTA: {
        "facebook": 6_000,
        "instagram": 9_000,
        "x": 1_500,
        "telegram": 600,
        "youtube": 900,
        "tiktok": 3_000,
    },
}
# Followers are collected for the platforms with an API (channels/connectors).
FOLLOWER_PLATFORMS = ("facebook", "instagram", "x", "telegram")
# Platforms publishing through an API whose connector reads a post's counts; the portal's are its
# article's views. Telegram has an API but no counts; YouTube and TikTok are assisted.
COUNTED = ("facebook", "instagram", "x")
ASSISTED = ("youtube", "tiktok")
# What each counted platform gives (publishing.metrics COUNTS order: reactions, comments, shares,
# impressions, reach, views, link clicks); the others are None and named in ``unavailable``.
GIVES = {
    "facebook": (True, True, True, True, True, True, True),
    "instagram": (True, True, True, False, True, True, False),
    "x": (True, True, True, True, False, False, True),
    "portal": (False, False, False, False, False, True, False),
}
COUNT_NAMES = ("reactions", "comments", "shares", "impressions", "reach", "views", "link_clicks")
# A schedule point is skipped now and then (the platform did not answer; the next stands in).
SKIP_POINT = 0.02
# API deliveries that failed after their retries (no sent_at: never counted).
FAILED_SHARE = 0.01
# Views an article gets in all, by level (mean), and by type.
ARTICLE_VIEWS = {PUSAT: 6000, PROVINSI: 900, KABKOTA: 150}
TYPE_VIEWS = {"berita": 1.0, "pengumuman": 0.7, "siaran-pers": 0.8, "infografis": 1.2, "klarifikasi": 3.0}
# The types of an office's own articles (clarifications more often in the campaign).
OWN_TYPES = (("berita", 0.56), ("pengumuman", 0.14), ("siaran-pers", 0.1), ("infografis", 0.1))
CLARIFICATION_SHARE = 0.07
# Views are counted for at most this many days after publication (the tail is tiny by then).
VIEW_DAYS = 120
# Days before the election day the campaign bump starts; days after it the recapitulation lasts.
CAMPAIGN_DAYS = 75
RECAP_DAYS = 21
# Posting hours (local time), weighted: a morning and an evening peak.
HOURS = tuple(range(6, 22))
HOUR_WEIGHTS = (1, 3, 5, 6, 5, 4, 4, 3, 3, 3, 3, 2, 3, 4, 4, 2)
HOUR_CUMULATIVE = tuple(itertools.accumulate(HOUR_WEIGHTS))
# Rows kept in memory before they are written.
FLUSH_ROWS = 400_000

TEXTS = (
    "Cek nama Anda di daftar pemilih lewat cekdptonline.kpu.go.id, cukup dengan NIK.",
    "Rapat koordinasi persiapan tahapan bersama PPK se-{place} hari ini.",
    "Sosialisasi pemilih pemula bersama relawan demokrasi di sekolah-sekolah {place}.",
    "Layanan informasi publik {office} buka Senin sampai Jumat pukul 08.00-16.00 WIB.",
    "Kenali petugas resmi: pantarlih membawa surat tugas dan tanda pengenal dari KPU.",
    "Ayo jadi pemilih cerdas: cek informasi hanya dari kanal resmi {office}.",
    "Simulasi pemungutan dan penghitungan suara di {place}. Datang dan pelajari cara mencoblos yang sah.",
    "Pemilih pindah domisili? Urus pindah memilih paling lambat 30 hari sebelum hari pemungutan suara.",
    "{office} menggelar bimbingan teknis bagi badan ad hoc di {place}. Materi yang dibahas meliputi "
    "tata cara pemungutan dan penghitungan suara di TPS, pengisian formulir hasil, serta penanganan "
    "pemilih yang pindah memilih. Bimbingan teknis dilanjutkan pekan depan untuk seluruh PPS di "
    "wilayah {place}.",
    "Pantarlih di {place} mulai mendatangi rumah warga untuk mencocokkan dan meneliti data pemilih. "
    "Siapkan KTP elektronik dan Kartu Keluarga, lalu pastikan nama Anda dan anggota keluarga tercatat "
    "dengan benar. Jika ada yang belum terdaftar, sampaikan kepada petugas atau datangi PPS setempat.",
    "Jadwal kampanye rapat umum di {place} telah ditetapkan. {office} mengingatkan peserta pemilu untuk "
    "menaati jadwal dan lokasi yang ditetapkan, menjaga ketertiban dan kebersihan lingkungan, serta "
    "tidak melibatkan anak-anak. Pelanggaran dapat dilaporkan kepada Bawaslu setempat.",
    "Masa tenang dimulai. Selama masa tenang tidak ada kegiatan kampanye dalam bentuk apa pun, termasuk "
    "di media sosial. {office} mengajak warga {place} menjaga suasana tetap sejuk dan melaporkan "
    "pelanggaran yang ditemui kepada pengawas pemilu di kecamatan masing-masing.",
    "Rekapitulasi hasil penghitungan suara tingkat {place} berlangsung terbuka di kantor {office}. Saksi "
    "peserta pemilu dan pengawas hadir pada setiap sesi. Masyarakat dapat mengikuti siaran langsung "
    "prosesnya melalui kanal resmi dan melihat salinan hasil di laman informasi publik.",
    "Pemilih dengan disabilitas dapat dibantu pendamping pilihannya sendiri di bilik suara. Petugas "
    "KPPS di {place} siap membantu; pendamping wajib merahasiakan pilihan pemilih. Informasi lebih "
    "lanjut tentang layanan pemilih disabilitas dapat ditanyakan di kantor {office}.",
)
ARTICLE_TITLES = {
    "berita": (
        "Pantarlih mulai mendatangi rumah warga di {place}",
        "Rapat koordinasi persiapan tahapan di {place}",
        "Sosialisasi pemilih pemula di sekolah-sekolah {place}",
        "Bimbingan teknis badan ad hoc di {place}",
        "Rekapitulasi suara tingkat {place} berlangsung terbuka",
    ),
    "pengumuman": (
        "Jadwal layanan pindah memilih di {place}",
        "Pengumuman hasil seleksi anggota PPS {place}",
    ),
    "siaran-pers": ("Capaian tahapan pekan ini di {place}", "{office} menetapkan daftar pemilih tetap"),
    "infografis": ("Tahapan pemilu yang sedang berjalan di {place}", "Cara mencoblos yang sah"),
}
CLAIMS = (
    (
        "Tidak benar pantarlih memungut biaya pendaftaran pemilih di {place}",
        "Beredar pesan bahwa warga harus membayar Rp50.000 kepada pantarlih agar terdaftar sebagai pemilih.",
        "hoaks",
    ),
    (
        "Akun yang menjanjikan hadiah atas nama {office} adalah palsu",
        "Sebuah akun mengatasnamakan KPU menjanjikan pulsa bagi warga yang mengisi formulir daring.",
        "salah",
    ),
    (
        "Surat suara di {place} tidak dicoblos sebelum hari pemungutan",
        "Beredar foto surat suara yang sudah tercoblos di gudang logistik sebelum hari pemungutan suara.",
        "disinformasi",
    ),
)


@dataclass(frozen=True)
class Spec:
    """What the generator makes: the days [end - days + 1, end] of the offices chosen; nothing is
    sent, collected or viewed after ``now``."""

    end: dt.date
    now: dt.datetime
    days: int = 365
    # The election day the campaign bump leads to (default: a Wednesday about two weeks back).
    election: dt.date | None = None
    # The share of the 553 offices that have data; KPU RI, Jawa Tengah and Jepara always do.
    offices_scale: float = 1.0
    # Office codes instead of the scale (a test's slice).
    offices: tuple[str, ...] = ()
    seed: int = SEED
    followers: bool = True

    @property
    def first(self) -> dt.date:
        return self.end - dt.timedelta(days=self.days - 1)

    @property
    def day_list(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range(self.days)]

    @property
    def election_day(self) -> dt.date:
        if self.election is not None:
            return self.election
        day = self.end - dt.timedelta(days=12)
        return day - dt.timedelta(days=(day.weekday() - 2) % 7)  # Indonesia votes on a Wednesday

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values.update(
            end=self.end.isoformat(),
            now=self.now.isoformat(),
            election=self.election_day.isoformat(),
            offices=list(self.offices),
        )
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Spec:
        return cls(
            end=dt.date.fromisoformat(values["end"]),
            now=dt.datetime.fromisoformat(values["now"]),
            days=values["days"],
            election=dt.date.fromisoformat(values["election"]),
            offices_scale=values["offices_scale"],
            offices=tuple(values["offices"]),
            seed=values["seed"],
            followers=values["followers"],
        )


def campaign(day: dt.date, election: dt.date) -> float:
    """How much busier than usual a day is: a bump growing over the campaign, the election day,
    the recapitulation after it."""
    d = (day - election).days
    if -CAMPAIGN_DAYS <= d < 0:
        return 1 + 1.3 * ((d + CAMPAIGN_DAYS) / CAMPAIGN_DAYS) ** 2
    if d == 0:
        return 3.0
    if 0 < d <= RECAP_DAYS:
        return 1 + 1.2 * math.exp(-d / 7)
    return 1.0


def stage_of(day: dt.date, election: dt.date) -> str:
    d = (day - election).days
    if d < -150:
        return "pemutakhiran-data-pemilih" if d >= -240 else "perencanaan"
    if d < -CAMPAIGN_DAYS:
        return "pencalonan"
    if d < -3:
        return "kampanye"
    if d < 0:
        return "masa-tenang"
    if d == 0:
        return "pemungutan-suara"
    if d <= RECAP_DAYS:
        return "rekapitulasi"
    return "penetapan" if d <= 40 else "perencanaan"


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def growth(hours: float) -> float:
    """The share of a post's week figures reached ``hours`` after sending: fast at first."""
    return (math.log1p(hours) / math.log1p(168)) ** 0.8


def _plus(a: int | None, b: int | None) -> int | None:
    if a is None and b is None:
        return None
    return (a or 0) + (b or 0)


# --- writing rows in bulk ----------------------------------------------------------------------


class RawJson(str):
    """A JSON column's value, already encoded (COPY takes the text as it is)."""


def raw_json(value: Any) -> RawJson:
    return RawJson(json.dumps(value))


EMPTY_JSON = RawJson("{}")


class Table:
    """Rows of one model, gathered as tuples of ``names`` (attnames) and written in bulk. Every
    other column gets what the ORM would save for it (its default, NULL or ""), except columns
    with a database default. A JSON column's values are given encoded (``raw_json``)."""

    def __init__(self, model: Any, names: Sequence[str], connection: Any) -> None:
        from django.db.models import JSONField
        from django.db.models.fields import NOT_PROVIDED

        self.model = model
        self.name = model._meta.db_table
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_name[name] for name in names]
        constants: list[Any] = []
        for item in model._meta.concrete_fields:
            if item.attname in names or item.db_default is not NOT_PROVIDED:
                continue
            if item.has_default():
                value = item.get_default()
            elif item.null:
                value = None
            elif item.empty_strings_allowed:
                value = ""  # what the ORM saves for a text field left blank
            else:
                raise ValueError(f"{self.name}.{item.column} needs a value")
            fields.append(item)
            constants.append(raw_json(value) if isinstance(item, JSONField) else value)
        self.fields = fields
        self.constants = tuple(constants)
        self.connection = connection
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.next_id = 1
        if model._meta.pk.attname in names and model._meta.pk.get_internal_type() in (
            "AutoField",
            "BigAutoField",
        ):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COALESCE(MAX({connection.ops.quote_name(model._meta.pk.column)}), 0) "  # noqa: S608
                    f"FROM {connection.ops.quote_name(self.name)}"
                )
                self.next_id = int(cursor.fetchone()[0]) + 1

    def new_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def take(self) -> list[tuple[Any, ...]]:
        """The gathered rows, handed over for writing; gathering starts afresh."""
        rows, self.rows = self.rows, []
        return rows

    def write(self, rows: list[tuple[Any, ...]]) -> int:
        """Write ``rows``: COPY on PostgreSQL, batched INSERTs elsewhere. Uses the calling
        thread's connection."""
        if not rows:
            return 0
        connection, constants = self.connection, self.constants
        if connection.vendor == "postgresql":
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(self.name), sql.SQL(", ").join(sql.Identifier(f.column) for f in self.fields)
            )
            with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row + constants)
        else:
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
            marks = ", ".join(["%s"] * len(self.fields))
            statement = f"INSERT INTO {connection.ops.quote_name(self.name)} ({columns}) VALUES ({marks})"  # noqa: S608
            prepared = [
                tuple(
                    f.get_db_prep_save(json.loads(value) if isinstance(value, RawJson) else value, connection)
                    for f, value in zip(self.fields, row + constants, strict=True)
                )
                for row in rows
            ]
            with connection.cursor() as cursor:
                for start in range(0, len(prepared), 5000):
                    cursor.executemany(statement, prepared[start : start + 5000])
        self.written += len(rows)
        return len(rows)


@dataclass
class ChannelPlan:
    id: int
    platform: str
    label: str
    followers: int
    handle: str


@dataclass
class Made:
    """What the generator wrote, counted as it wrote it."""

    offices: int = 0
    channels: int = 0
    people: int = 0
    posts: int = 0
    deliveries: int = 0
    deliveries_sent: int = 0
    deliveries_failed: int = 0
    deliveries_by_platform: Counter[str] = field(default_factory=Counter)
    snapshots: int = 0
    snapshots_by_stage: Counter[int] = field(default_factory=Counter)
    articles: int = 0
    articles_from_posts: int = 0
    clarifications: int = 0
    views: int = 0
    view_rows: int = 0
    followers: int = 0
    visitor_rows: int = 0
    visitors: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["deliveries_by_platform"] = dict(sorted(self.deliveries_by_platform.items()))
        values["snapshots_by_stage"] = {str(k): v for k, v in sorted(self.snapshots_by_stage.items())}
        return values


class Year:
    """The generator: one office at a time, its days in order; rows flushed every FLUSH_ROWS."""

    def __init__(self, spec: Spec, progress: Callable[[str], None] | None = None) -> None:
        from django.db import connection

        from humas.analytics.models import FollowerCount
        from humas.portal.models import Article, ArticleVersion, ArticleViewDaily, ArticleViewTotal
        from humas.publishing.metrics import metrics_schedule
        from humas.publishing.models import (
            Delivery,
            DeliveryArticle,
            DeliveryMetrics,
            Post,
            PostVersion,
            Publication,
        )

        self.spec = spec
        self.progress = progress or (lambda _message: None)
        self.rng = random.Random(spec.seed)
        self.made = Made()
        self.election = spec.election_day
        self.schedule = metrics_schedule()
        self.points = [point.total_seconds() / 3600 for point in self.schedule]
        self.shares = [growth(hours) for hours in self.points]
        self.point_deltas = list(self.schedule)
        # What each platform's snapshots name as not given (publishing.metrics _snapshot_fields).
        self.unavailable = {
            platform: raw_json([name for name, given in zip(COUNT_NAMES, gives, strict=True) if not given])
            for platform, gives in GIVES.items()
        }
        self.now = spec.now.astimezone(UTC)
        self.note_unavailable = "Platform ini tidak menyediakan statistik unggahan lewat API."
        self.delivery_state = Delivery.State
        self.metrics_state = Delivery.MetricsState
        c = connection
        # In the order they are written (each flush is one transaction: foreign keys hold at commit).
        self.post = Table(
            Post,
            (
                "id",
                "office_id",
                "author_id",
                "approved_by_id",
                "last_changed_by_id",
                "last_changed_at",
                "text",
                "status",
                "approved_at",
                "scheduled_at",
                "is_clarification",
                "campaign",
                "election_stage",
                "created_at",
                "updated_at",
            ),
            c,
        )
        self.post_channel = Table(Post.channels.through, ("id", "post_id", "channel_id"), c)
        self.version = Table(
            PostVersion,
            (
                "id",
                "post_id",
                "number",
                "text",
                "channels",
                "written_by_id",
                "written_at",
                "approved_by_id",
                "approved_at",
            ),
            c,
        )
        self.publication = Table(Publication, ("id", "post_id", "created_by_id", "created_at"), c)
        self.article = Table(
            Article,
            (
                "id",
                "office_id",
                "type",
                "title",
                "slug",
                "summary",
                "body",
                "body_text",
                "status",
                "election_stage",
                "claim",
                "claim_appearances",
                "verdict",
                "evidence_links",
                "publish_at",
                "published_at",
                "version",
                "created_at",
                "updated_at",
                "author_id",
                "approved_by_id",
                "last_changed_by_id",
                "last_changed_at",
            ),
            c,
        )
        self.article_version = Table(
            ArticleVersion,
            (
                "id",
                "article_id",
                "number",
                "title",
                "summary",
                "body",
                "data",
                "created_by_id",
                "created_at",
                "approved_by_id",
                "approved_at",
            ),
            c,
        )
        self.delivery = Table(
            Delivery,
            (
                "id",
                "publication_id",
                "channel_id",
                "state",
                "attempt_count",
                "next_attempt_at",
                "marker",
                "attempt_started_at",
                "platform_post_id",
                "url",
                "error_class",
                "error_message",
                "sent_at",
                "marked_by_id",
                "updated_at",
                "metrics_state",
                "metrics_stage",
                "metrics_next_at",
                "metrics_collected_at",
                "metrics_note",
                "metrics_latest_id",
            ),
            c,
        )
        self.snapshot = Table(
            DeliveryMetrics,
            ("id", "delivery_id", "stage", "collected_at", *COUNT_NAMES, "extra", "unavailable"),
            c,
        )
        self.delivery_article = Table(DeliveryArticle, ("id", "delivery_id", "article_id", "created_at"), c)
        self.view_total = Table(ArticleViewTotal, ("article_id", "count"), c)
        self.view_daily = Table(ArticleViewDaily, ("id", "article_id", "day", "count"), c)
        self.follower = Table(FollowerCount, ("id", "channel_id", "day", "count", "collected_at"), c)
        # Distinct visitors per office and UTC day, where the portal counts them.
        visitor_model = portal_visitor_model()
        self.visitor = (
            Table(visitor_model, ("id", "office_id", "day", "count"), c)
            if visitor_model is not None
            else None
        )
        self.office_views: Counter[dt.date] = Counter()
        self.tables = [
            self.post,
            self.post_channel,
            self.version,
            self.publication,
            self.article,
            self.article_version,
            self.delivery,
            self.snapshot,
            self.delivery_article,
            self.view_total,
            self.view_daily,
            self.follower,
            *([self.visitor] if self.visitor is not None else []),
        ]
        self.slugs: dict[tuple[int, str, str], int] = {}
        self.markers: dict[str, str] = {}
        self.portal_input: dict[str, Any] = {}
        # (Operator, Editor) of each office: the Operator writes, the Editor approves and publishes.
        self.crew: dict[int, tuple[int, int]] = {}

    # -- the office's world: people and channels (a few thousand rows, through the ORM) --

    def offices(self) -> list[Any]:
        from humas.offices.models import Office

        real = list(Office.objects.filter(level__in=(PUSAT, PROVINSI, KABKOTA)).order_by("path"))
        if self.spec.offices:
            return [o for o in real if o.code in self.spec.offices]
        wanted = round(self.spec.offices_scale * len(real))
        if wanted >= len(real):
            return real
        always = [o for o in real if o.code in ("00", "33", "33.20")]
        others = [o for o in real if o not in always]
        chosen = {o.pk for o in always + random.Random(self.spec.seed).sample(others, max(0, wanted - 3))}
        return [o for o in real if o.pk in chosen]

    def people(self, offices: list[Any]) -> dict[int, tuple[int, int]]:
        """An Operator who writes and an Editor who approves in each office (no password: nobody
        signs in as them)."""
        from django.contrib.auth.hashers import make_password

        from humas.accounts.models import User
        from humas.offices.models import Membership

        unusable = make_password(None)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"{role}.{office.slug}@kpu.bench",
                    full_name=f"{role.title()} {office.name}",
                    password=unusable,
                )
                for office in offices
                for role in ("operator", "editor")
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=user, office=offices[n // 2], role=("operator", "editor")[n % 2])
                for n, user in enumerate(users)
            ]
        )
        self.made.people = len(users)
        return {office.pk: (users[2 * n].pk, users[2 * n + 1].pk) for n, office in enumerate(offices)}

    def channels(self, offices: list[Any]) -> dict[int, list[ChannelPlan]]:
        from humas.channels.models import API_PLATFORMS, Channel, Platform
        from humas.publishing.portal_channel import PORTAL_ACCOUNT_ID

        rng, labels = self.rng, dict(Platform.choices)
        wanted: list[tuple[Any, str, int]] = []
        for office in offices:
            for platform in PLATFORMS:
                if rng.random() >= PRESENCE[office.level][platform]:
                    continue
                base = FOLLOWERS[office.level].get(platform, 0)
                wanted.append((office, platform, int(base * rng.lognormvariate(0, 0.6))))
        made = Channel.objects.bulk_create(
            [
                Channel(
                    office=office,
                    platform=platform,
                    name=office.name if platform == "portal" else f"{office.name} ({labels[platform]})",
                    handle="" if platform == "portal" else f"kpu{office.slug.replace('-', '')}"[:100],
                    url="" if platform == "portal" else f"https://{platform}.example/kpu{office.slug}",
                    account_id=PORTAL_ACCOUNT_ID if platform == "portal" else f"{platform}-{office.code}",
                    is_official=platform != "portal",
                    health=Channel.Health.HEALTHY
                    if platform in API_PLATFORMS or platform == "portal"
                    else Channel.Health.ASSISTED,
                )
                for office, platform, _followers in wanted
            ]
        )
        found: dict[int, list[ChannelPlan]] = {office.pk: [] for office in offices}
        for channel, (office, platform, followers) in zip(made, wanted, strict=True):
            found[office.pk].append(
                ChannelPlan(
                    id=channel.pk,
                    platform=platform,
                    label=str(channel),
                    followers=followers,
                    handle=channel.handle or office.slug,
                )
            )
        self.made.channels = len(made)
        return found

    # -- the year --

    def run(self, *, background: bool = False) -> Made:
        """Generate and write. ``background``: each batch is written by a second thread, on its
        own connection, while the next is generated (the server's work, mostly the foreign-key
        checks at commit, then overlaps the Python's); the people and channels must be committed
        for that, so not inside a transaction."""
        from concurrent.futures import Future, ThreadPoolExecutor

        from django.db import connection, connections

        started = time.perf_counter()
        offices = self.offices()
        self.crew = self.people(offices)
        channels = self.channels(offices)
        self.made.offices = len(offices)
        pool = ThreadPoolExecutor(max_workers=1) if background else None
        writing: Future[None] | None = None
        try:
            for n, office in enumerate(offices):
                self.office_year(office, self.crew[office.pk], channels[office.pk])
                if self.pending() < FLUSH_ROWS and n < len(offices) - 1:
                    continue
                batch = [(table, table.take()) for table in self.tables]
                if pool is None:
                    self.write(batch)
                else:
                    if writing is not None:
                        writing.result()  # one batch in flight: the order and the memory stay bounded
                    writing = pool.submit(self.write, batch)
                self.progress(
                    f"  {n + 1}/{len(offices)} offices: {self.made.deliveries:,} deliveries, "
                    f"{self.made.snapshots:,} snapshots, {self.made.articles:,} articles, "
                    f"{self.made.views:,} views ({time.perf_counter() - started:.0f} s)"
                )
            if writing is not None:
                writing.result()
        finally:
            if pool is not None:
                pool.submit(connections.close_all).result()
                pool.shutdown()
        from django.core.management.color import no_style

        models = [table.model for table in self.tables]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        self.made.seconds = round(time.perf_counter() - started, 1)
        return self.made

    def pending(self) -> int:
        return sum(len(table.rows) for table in self.tables)

    @staticmethod
    def write(batch: list[tuple[Table, list[tuple[Any, ...]]]]) -> None:
        """One batch of every table in one transaction: its foreign keys hold at its commit."""
        from django.db import transaction

        with transaction.atomic():
            for table, rows in batch:
                table.write(rows)

    def office_year(self, office: Any, crew: tuple[int, int], channels: list[ChannelPlan]) -> None:
        rng, spec = self.rng, self.spec
        zone = ZoneInfo(office.time_zone)
        activity = rng.lognormvariate(-(ACTIVITY_SIGMA**2) / 2, ACTIVITY_SIGMA)
        post_rate = POSTS_PER_DAY[office.level] * activity
        article_rate = ARTICLES_PER_DAY[office.level] * activity
        place = office.region_name or office.name
        for day in spec.day_list:
            busy = campaign(day, self.election)
            for _ in range(poisson(rng, post_rate * POST_WEEKDAY[day.weekday()] * busy)):
                self.post_one(office, zone, day, crew, channels, place, busy)
            for _ in range(poisson(rng, article_rate * ARTICLE_WEEKDAY[day.weekday()] * busy)):
                self.article_own(office, zone, day, crew, place, busy)
        if spec.followers:
            for channel in channels:
                if channel.platform in FOLLOWER_PLATFORMS:
                    self.followers(channel, zone)
        if self.visitor is not None:
            # Most readers of a day read one of the office's articles; some read several.
            for day, views in sorted(self.office_views.items()):
                count = max(1, int(views * rng.uniform(0.55, 0.8)))
                self.visitor.add((self.visitor.new_id(), office.pk, day, count))
                self.made.visitor_rows += 1
                self.made.visitors += count
        self.office_views.clear()

    def moment(self, zone: ZoneInfo, day: dt.date) -> dt.datetime:
        hour = self.rng.choices(HOURS, cum_weights=HOUR_CUMULATIVE)[0]
        local = dt.datetime.combine(
            day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), tzinfo=zone
        )
        return local.astimezone(UTC)

    def post_one(
        self,
        office: Any,
        zone: ZoneInfo,
        day: dt.date,
        crew: tuple[int, int],
        channels: list[ChannelPlan],
        place: str,
        busy: float,
    ) -> None:
        rng = self.rng
        at = self.moment(zone, day)
        if at > self.now or not channels:
            return  # later today: not published yet
        targets = [c for c in channels if rng.random() < POST_TO[c.platform]] or [channels[0]]
        operator, editor = crew
        text = rng.choice(TEXTS).format(office=office.name, place=place)
        immediate = rng.random() < 0.4
        approved_at = at - dt.timedelta(minutes=rng.randint(1, 20) if immediate else rng.randint(60, 36 * 60))
        changed_at = approved_at - dt.timedelta(minutes=rng.randint(5, 20 * 60))
        in_campaign = -CAMPAIGN_DAYS <= (day - self.election).days <= RECAP_DAYS
        campaign_name = ""
        if in_campaign and rng.random() < 0.5:
            campaign_name = "AyoKeTPS" if (self.election - day).days <= 14 else "PemiluDamai"
        post_id, publication_id = self.post.new_id(), self.publication.new_id()
        last_sent = at
        for channel in targets:
            sent_at = self.deliver(publication_id, channel, at, operator, text, office, busy)
            last_sent = max(last_sent, sent_at or at)
        self.post.add(
            (
                post_id,
                office.pk,
                operator,
                editor,
                operator,
                changed_at,
                text,
                "published",
                approved_at,
                None if immediate else at,
                rng.random() < 0.04 * busy,
                campaign_name,
                stage_of(day, self.election),
                changed_at - dt.timedelta(minutes=rng.choice((0, 0, 30, 600, 2000))),
                last_sent,
            )
        )
        self.version.add(
            (
                self.version.new_id(),
                post_id,
                1,
                text,
                raw_json(sorted(c.label for c in targets)),
                operator,
                changed_at,
                editor,
                approved_at,
            )
        )
        self.publication.add(
            (
                publication_id,
                post_id,
                editor,
                at if immediate else approved_at + dt.timedelta(seconds=rng.randint(5, 300)),
            )
        )
        for channel in targets:
            self.post_channel.add((self.post_channel.new_id(), post_id, channel.id))
        self.made.posts += 1

    def marker(self, text: str) -> str:
        from humas.channels.connectors.base import content_marker

        if text not in self.markers:
            self.markers[text] = content_marker(text)
        return self.markers[text]

    def deliver(
        self,
        publication: int,
        channel: ChannelPlan,
        at: dt.datetime,
        operator: int,
        text: str,
        office: Any,
        busy: float,
    ) -> dt.datetime | None:
        """One delivery of the post to ``channel`` as the delivery engine and the metrics schedule
        leave it by ``now``; returns its sent_at (None: failed)."""
        rng = self.rng
        delivery_id = self.delivery.new_id()
        platform = channel.platform
        self.made.deliveries += 1
        self.made.deliveries_by_platform[platform] += 1
        marker = self.marker(text)
        if platform in ASSISTED:
            # A person posted it by hand and recorded its public link (no post id: no counts).
            sent_at = at + dt.timedelta(minutes=rng.randint(5, 90))
            sent_at = min(sent_at, self.now)
            self.delivery.add(
                (
                    delivery_id,
                    publication,
                    channel.id,
                    "sent",
                    0,
                    None,
                    marker,
                    None,
                    "",
                    f"https://{platform}.example/@{channel.handle}/video/{delivery_id}",
                    "",
                    "",
                    sent_at,
                    operator,
                    sent_at,
                    "unavailable",
                    0,
                    None,
                    None,
                    self.note_unavailable,
                    None,
                )
            )
            self.made.deliveries_sent += 1
            return sent_at
        if platform != "portal" and rng.random() < FAILED_SHARE:
            self.delivery.add(
                (
                    delivery_id,
                    publication,
                    channel.id,
                    "failed",
                    5,
                    None,
                    marker,
                    at + dt.timedelta(minutes=40),
                    "",
                    "",
                    "TransientError",
                    "Platform tidak menjawab setelah 5 percobaan.",
                    None,
                    None,
                    at + dt.timedelta(minutes=41),
                    "pending",
                    0,
                    None,
                    None,
                    "",
                    None,
                )
            )
            self.made.deliveries_failed += 1
            return None
        sent_at = at + dt.timedelta(
            seconds=1 + 2 * rng.random() if platform == "portal" else 2 + 38 * rng.random()
        )
        sent_at = min(sent_at, self.now)
        self.made.deliveries_sent += 1
        if platform == "portal":
            article_id, daily = self.article_from_post(office, text, sent_at, operator, busy)
            self.delivery_article.add(
                (
                    self.delivery_article.new_id(),
                    delivery_id,
                    article_id,
                    sent_at - dt.timedelta(milliseconds=300),
                )
            )
            post_ref, url = str(article_id), f"/{office.slug}/artikel/{article_id}/"
            final = None
        else:
            daily = None
            post_ref = f"{delivery_id}{rng.randrange(10**6):06d}"
            url = f"https://{platform}.example/{channel.handle}/{post_ref}"
            final = self.final_counts(platform, channel.followers, busy) if platform in COUNTED else None
        # A sent delivery's row up to its metrics schedule, then the schedule's own columns.
        head = (
            delivery_id,
            publication,
            channel.id,
            "sent",
            1,
            at,
            marker,
            at,
            post_ref,
            url,
            "",
            "",
            sent_at,
            None,
        )
        if platform == "telegram":
            self.delivery.add((*head, sent_at, "unavailable", 0, None, None, self.note_unavailable, None))
            return sent_at
        latest, collected, next_stage, next_at = None, None, len(self.points), None
        unavailable, last = self.unavailable[platform], len(self.points) - 1
        for stage, after in enumerate(self.point_deltas):
            due = sent_at + after
            taken = due + dt.timedelta(seconds=15 + int(rng.random() * 585))  # swept every 10 minutes
            if taken > self.now:
                next_stage, next_at = stage, due
                break
            if stage < last and rng.random() < SKIP_POINT:
                continue
            share = self.shares[stage]
            if daily is not None:
                counts: tuple[int | None, ...] = (None, None, None, None, None, views_at(daily, taken), None)
                extra = EMPTY_JSON
            else:
                assert final is not None
                values, extras = final
                counts = tuple(None if v is None else int(v * share) for v in values)
                extra = RawJson(
                    "{" + ", ".join(f'"{name}": {int(value * share)}' for name, value in extras) + "}"
                )
            latest = self.snapshot.new_id()
            self.snapshot.add((latest, delivery_id, stage, taken, *counts, extra, unavailable))
            self.made.snapshots += 1
            self.made.snapshots_by_stage[stage] += 1
            collected = taken
        self.delivery.add(
            (
                *head,
                max(sent_at, collected or sent_at),
                "active" if next_at is not None else "done",
                next_stage,
                next_at,
                collected,
                "",
                latest,
            )
        )
        return sent_at

    def final_counts(
        self, platform: str, followers: int, busy: float
    ) -> tuple[tuple[int | None, ...], tuple[tuple[str, int], ...]]:
        """A post's counts a week after sending (None: the platform does not give it), and the
        extra counts its connector keeps."""
        luck = self.rng.lognormvariate(-0.245, 0.7) * busy**0.5  # one draw: a good post does well on all
        if platform == "facebook":
            reach = followers * 0.12 * luck
            impressions = reach * 1.35
            reactions = reach * 0.035
            return (
                (int(reactions), int(reactions * 0.09), int(reactions * 0.12), int(impressions), int(reach))
                + (int(impressions * 0.55), int(reach * 0.011)),
                (),
            )
        if platform == "instagram":
            reach = followers * 0.18 * luck
            reactions = reach * 0.06
            return (
                (
                    int(reactions),
                    int(reactions * 0.05),
                    int(reactions * 0.08),
                    None,
                    int(reach),
                    int(reach * 1.6),
                    None,
                ),
                (("saved", int(reactions * 0.04)),),
            )
        impressions = followers * 0.25 * luck
        reactions = impressions * 0.012
        shares = reactions * 0.25
        return (
            (
                int(reactions),
                int(reactions * 0.12),
                int(shares),
                int(impressions),
                None,
                None,
                int(impressions * 0.004),
            ),
            (("bookmarks", int(reactions * 0.05)), ("quotes", int(shares * 0.15))),
        )

    # -- the portal --

    def slug(self, office_id: int, kind: str, title: str) -> str:
        """A slug unique in the office and type, as the portal's services make it."""
        from humas.portal.services import SLUG_MAX_CHARS, slug_for

        base = slug_for(title, SLUG_MAX_CHARS) or "artikel"
        key = (office_id, kind, base)
        n = self.slugs.get(key, 0) + 1
        self.slugs[key] = n
        return base if n == 1 else f"{base}-{n}"

    def article_from_post(
        self, office: Any, text: str, sent_at: dt.datetime, operator: int, busy: float
    ) -> tuple[int, list[tuple[dt.date, int]]]:
        """The article a delivery to the portal makes (``article_input_for_post``), published by
        the publication's maker (the Editor, who approved the post)."""
        from humas.portal.sanitize import html_to_text, sanitize_html
        from humas.publishing.portal_channel import article_input_for_post

        if text not in self.portal_input:
            data = article_input_for_post(text=text, link=None)
            body = sanitize_html(data.body)
            self.portal_input[text] = (data.type, data.title, data.summary, body, html_to_text(body))
        kind, title, summary, body, body_text = self.portal_input[text]
        published = sent_at - dt.timedelta(milliseconds=400)
        article_id = self.write_article(
            office,
            kind=kind,
            title=title,
            summary=summary,
            body=body,
            body_text=body_text,
            stage="",
            published=published,
            author=operator,
            claim=("", "", []),
        )
        self.made.articles_from_posts += 1
        return article_id, self.views(article_id, office.level, kind, published, busy)

    def article_own(
        self, office: Any, zone: ZoneInfo, day: dt.date, crew: tuple[int, int], place: str, busy: float
    ) -> None:
        rng = self.rng
        published = self.moment(zone, day)
        if published > self.now:
            return
        in_campaign = -CAMPAIGN_DAYS <= (day - self.election).days <= RECAP_DAYS
        if rng.random() < CLARIFICATION_SHARE * (2.2 if in_campaign else 1.0):
            kind = "klarifikasi"
            title, claim, verdict = rng.choice(CLAIMS)
            title = title.format(office=office.name, place=place)
            summary = f"{office.name} menegaskan kabar tersebut tidak benar."
            claim_fields: tuple[str, str, list[str]] = (claim, verdict, ["https://wa.me/"])
        else:
            kinds, weights = zip(*OWN_TYPES, strict=True)
            kind = rng.choices(kinds, weights=weights)[0]
            title = rng.choice(ARTICLE_TITLES[kind]).format(office=office.name, place=place)
            summary = f"Informasi dari {office.name} untuk warga {place}."
            claim_fields = ("", "", [])
        body = f"<p>{summary}</p><p>Informasi lengkap dapat ditanyakan di kantor {office.name}.</p>"
        body_text = f"{summary}\n\nInformasi lengkap dapat ditanyakan di kantor {office.name}."
        article_id = self.write_article(
            office,
            kind=kind,
            title=title,
            summary=summary,
            body=body,
            body_text=body_text,
            stage=stage_of(day, self.election),
            published=published,
            author=crew[0],
            claim=claim_fields,
            approver=crew[1],
        )
        self.views(article_id, office.level, kind, published, busy)

    def write_article(
        self,
        office: Any,
        *,
        kind: str,
        title: str,
        summary: str,
        body: str,
        body_text: str,
        stage: str,
        published: dt.datetime,
        author: int,
        claim: tuple[str, str, list[str]],
        approver: int | None = None,
    ) -> int:
        approver = approver if approver is not None else self.crew_editor(office)
        article_id = self.article.new_id()
        claim_text, verdict, appearances = claim
        evidence = ["https://jdih.kpu.go.id/"] if kind == "klarifikasi" else []
        appearances_json, evidence_json = raw_json(appearances), raw_json(evidence)
        written = published - dt.timedelta(hours=self.rng.randint(1, 30))
        self.article.add(
            (
                article_id,
                office.pk,
                kind,
                title,
                self.slug(office.pk, kind, title),
                summary,
                body,
                body_text,
                "published",
                stage,
                claim_text,
                appearances_json,
                verdict,
                evidence_json,
                published,
                published,
                1,
                written,
                published,
                author,
                approver,
                author,
                written,
            )
        )
        self.article_version.add(
            (
                self.article_version.new_id(),
                article_id,
                1,
                title,
                summary,
                body,
                raw_json(
                    {
                        "type": kind,
                        "category": "",
                        "tags": [],
                        "election_stage": stage,
                        "claim": claim_text,
                        "claim_appearances": appearances,
                        "verdict": verdict,
                        "evidence_links": evidence,
                        "status": "published",
                    }
                ),
                approver,
                published,
                approver,
                published,
            )
        )
        self.made.articles += 1
        if kind == "klarifikasi":
            self.made.clarifications += 1
        return article_id

    def crew_editor(self, office: Any) -> int:
        return self.crew[office.pk][1]

    def views(
        self, article_id: int, level: str, kind: str, published: dt.datetime, busy: float
    ) -> list[tuple[dt.date, int]]:
        """The article's views per UTC day as the portal counts them, to ``now``: about half on
        the first day, then a long tail; today's only so far. Written with their total."""
        rng, now = self.rng, self.now
        total = ARTICLE_VIEWS[level] * TYPE_VIEWS[kind] * busy * rng.lognormvariate(-0.405, 0.9)
        first = published.date()
        last = min(now.date(), first + dt.timedelta(days=VIEW_DAYS))
        weights = [math.exp(-d / 1.3) + 0.06 / (1 + d) ** 0.9 for d in range((last - first).days + 1)]
        scale = total / sum(weights) if weights else 0.0
        daily: list[tuple[dt.date, int]] = []
        counted = 0
        for d, weight in enumerate(weights):
            day = first + dt.timedelta(days=d)
            expected = weight * scale
            if day == now.date():  # only the part of today that has passed
                start = max(published, dt.datetime.combine(day, dt.time.min, tzinfo=UTC))
                expected *= (now - start).total_seconds() / 86400
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            if count:
                daily.append((day, count))
                self.view_daily.add((self.view_daily.new_id(), article_id, day, count))
                self.office_views[day] += count
                counted += count
        self.view_total.add((article_id, counted))
        self.made.views += counted
        self.made.view_rows += len(daily)
        return daily

    def followers(self, channel: ChannelPlan, zone: ZoneInfo) -> None:
        """One count a day, collected early in the office's morning: slow growth over the year,
        faster in the campaign."""
        rng, spec = self.rng, self.spec
        start = channel.followers / (1 + rng.uniform(0.1, 0.4))
        gained = 0.0
        step = (channel.followers - start) / max(1, spec.days)
        for day in spec.day_list:
            gained += step * campaign(day, self.election)
            collected = dt.datetime.combine(
                day, dt.time(4, rng.randrange(60), rng.randrange(60)), tzinfo=zone
            ).astimezone(UTC)
            if collected > self.now:
                break
            self.follower.add((self.follower.new_id(), channel.id, day, int(start + gained), collected))
            self.made.followers += 1


def portal_visitor_model() -> Any:
    """The portal's distinct visitors per office and day (``OfficeVisitorDaily``), None where the
    portal does not count them."""
    from django.apps import apps

    try:
        return apps.get_model("portal", "OfficeVisitorDaily")
    except LookupError:
        return None


def views_at(daily: list[tuple[dt.date, int]], instant: dt.datetime) -> int:
    """An article's views counted by ``instant`` (its daily counts; the day of ``instant`` pro rata)."""
    day = instant.date()
    seen = 0
    for when, count in daily:
        if when < day:
            seen += count
        elif when == day:
            seen += int(
                count * (instant - dt.datetime.combine(day, dt.time.min, tzinfo=UTC)).total_seconds() / 86400
            )
    return seen


def generate(spec: Spec, progress: Callable[[str], None] | None = None, *, background: bool = False) -> Made:
    """Write the synthetic year of ``spec`` into the current database (the offices must be
    loaded). On PostgreSQL the articles' search vectors are filled and the tables analysed.
    ``background``: see ``Year.run`` (not inside a transaction)."""
    from django.db import connection

    from humas.portal.search import article_reindex_all

    made = Year(spec, progress).run(background=background)
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        article_reindex_all()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        if progress:
            progress(f"  search vectors and ANALYZE ({time.perf_counter() - started:.0f} s)")
    return made


# --- the nightly aggregation -------------------------------------------------------------------


def _sql_seconds(captured: Any) -> float:
    return sum(float(query["time"]) for query in captured.captured_queries)


def rebuild_days(
    days: Iterable[dt.date], progress: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """``day_rebuild`` of each day in turn: its wall time, the rows it left, its queries and their
    time in the database driver."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from humas.analytics.aggregate import day_rebuild

    done: list[dict[str, Any]] = []
    started = time.perf_counter()
    for day in days:
        with CaptureQueriesContext(connection) as captured:
            one = time.perf_counter()
            rows = day_rebuild(day=day)
            seconds = time.perf_counter() - one
        done.append(
            {
                "day": day.isoformat(),
                "seconds": seconds,
                "rows": rows,
                "queries": len(captured.captured_queries),
                "sql_seconds": _sql_seconds(captured),
            }
        )
        if progress and len(done) % 30 == 0:
            progress(f"  {len(done)} days rebuilt ({time.perf_counter() - started:.0f} s)")
    return done


def explain_slowest(queries: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest SELECT among ``queries``, written to the logs."""
    from django.db import connection

    selects = [q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    if not selects or connection.vendor != "postgresql":
        return {}
    slowest = max(selects, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"explain-{name}.txt"
    path.write_text(f"{slowest['time']} s\n{slowest['sql']}\n\n{plan}\n")
    return {
        "file": str(path.relative_to(REPO)),
        "seconds": float(slowest["time"]),
        "sql": slowest["sql"],
        "plan": plan,
    }


def analyze_aggregates() -> None:
    """Fresh statistics of the tables the rebuild filled, as autovacuum would have them by the
    time anyone reads a dashboard (it is off on the benchmark's server: without this the planner
    takes the aggregate tables for the empty ones it analysed after generating)."""
    from django.db import connection

    from humas.analytics.models import (
        ActiveDay,
        ChannelDay,
        PortalDay,
        SubtreeDay,
        SubtreePortalDay,
        TopArticle,
        TopDelivery,
    )

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (
            ChannelDay,
            PortalDay,
            SubtreeDay,
            SubtreePortalDay,
            ActiveDay,
            TopDelivery,
            TopArticle,
        ):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def part_rebuild(spec: Spec) -> dict[str, Any]:
    """Every day of the year, oldest first; then the nightly task's 8 days, three times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from humas.analytics.aggregate import days_rebuild
    from humas.analytics.tasks import RECENT_DAYS
    from humas.offices.models import Office

    per_day = rebuild_days(spec.day_list, log)
    analyze_aggregates()
    seconds = [d["seconds"] for d in per_day]
    slowest = max(per_day, key=lambda d: d["seconds"])
    with CaptureQueriesContext(connection) as captured:
        rebuild_days([dt.date.fromisoformat(slowest["day"])])
    explained = explain_slowest(captured.captured_queries, "rebuild-slowest-day")
    nightly = []
    last = timezone.localdate(timezone=ZoneInfo(Office.TimeZone.WIT))
    for _ in range(3):
        started = time.perf_counter()
        days_rebuild(last=last, count=RECENT_DAYS)
        nightly.append(time.perf_counter() - started)
    busiest = max(per_day, key=lambda d: d["rows"])
    return {
        "days": len(per_day),
        "total_seconds": round(sum(seconds), 1),
        **cascade.stats(seconds),
        "slowest": {**slowest, "explain": explained},
        "busiest": busiest,
        "queries": sorted({d["queries"] for d in per_day}),
        "rows_median": statistics.median(d["rows"] for d in per_day),
        "nightly_days": RECENT_DAYS,
        "nightly_last_day": last.isoformat(),
        "nightly_seconds": [round(s, 2) for s in nightly],
        "per_day": [
            {**d, "seconds": round(d["seconds"], 4), "sql_seconds": round(d["sql_seconds"], 4)}
            for d in per_day
        ],
    }


# --- exactness -----------------------------------------------------------------------------------

CHANNEL_KEYS = ("office_id", "posts", *COUNT_NAMES)
PORTAL_KEYS = ("views", "articles_published", "clarifications_published")


def raw_day(day: dt.date) -> tuple[dict[int, tuple[Any, ...]], dict[int, tuple[int, int, int]]]:
    """``day``'s figures from the raw rows, computed here in Python: per channel the office, the
    deliveries sent that day in its office's zone and the None-aware sums of their latest
    snapshots; per office the views of that UTC day and the articles (clarifications) published
    that day in its zone. Offices with neither views nor articles are left out."""
    from humas.portal.models import Article, ArticleType, ArticleViewDaily
    from humas.publishing.models import Delivery

    low = dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min, tzinfo=UTC)
    high = dt.datetime.combine(day + dt.timedelta(days=2), dt.time.min, tzinfo=UTC)
    zones: dict[str, ZoneInfo] = {}
    channels: dict[int, list[Any]] = {}
    for channel_id, office_id, zone, sent_at, *counts in Delivery.objects.filter(
        sent_at__gte=low, sent_at__lt=high
    ).values_list(
        "channel_id",
        "channel__office_id",
        "channel__office__time_zone",
        "sent_at",
        *[f"metrics_latest__{name}" for name in COUNT_NAMES],
    ):
        if sent_at.astimezone(zones.setdefault(zone, ZoneInfo(zone))).date() != day:
            continue
        row = channels.setdefault(channel_id, [office_id, 0, *[None] * len(COUNT_NAMES)])
        row[1] += 1
        for n, value in enumerate(counts):
            row[2 + n] = _plus(row[2 + n], value)
    offices: dict[int, list[int]] = {}
    for office_id, zone, published_at, kind in Article.objects.filter(
        published_at__gte=low,
        published_at__lt=high,
        status__in=(Article.Status.PUBLISHED, Article.Status.UNPUBLISHED),
    ).values_list("office_id", "office__time_zone", "published_at", "type"):
        if published_at.astimezone(zones.setdefault(zone, ZoneInfo(zone))).date() != day:
            continue
        row = offices.setdefault(office_id, [0, 0, 0])
        row[1] += 1
        row[2] += kind == ArticleType.KLARIFIKASI
    for office_id, count in ArticleViewDaily.objects.filter(day=day).values_list(
        "article__office_id", "count"
    ):
        offices.setdefault(office_id, [0, 0, 0])[0] += count
    return (
        {channel_id: tuple(row) for channel_id, row in channels.items()},
        {office_id: (row[0], row[1], row[2]) for office_id, row in offices.items() if row[0] or row[1]},
    )


def verify_days(days: Iterable[dt.date]) -> dict[str, Any]:
    """Every aggregate row of ``days`` against ``raw_day``. A ChannelDay row without posts (a
    channel with only its followers that day) must carry no counts. Where the rebuild carries
    them (some row of the day has one), ``followers`` must equal that day's FollowerCount of
    every channel, and ``visitors`` the portal's OfficeVisitorDaily of every office (0 for an
    office with a row and no visitor counted); where it does not, they are counted as missing."""
    from humas.analytics.models import ChannelDay, FollowerCount, PortalDay

    visitor_model = portal_visitor_model()
    has_visitors = any(f.name == "visitors" for f in PortalDay._meta.concrete_fields) and visitor_model
    checked = {
        "days": 0,
        "channel_rows": 0,
        "portal_rows": 0,
        "followers_rows": 0,
        "followers_missing": 0,
        "visitors_rows": 0,
        "visitors_missing": 0,
    }
    mismatches: list[str] = []
    for day in days:
        raw_channels, raw_portal = raw_day(day)
        aggregated: dict[int, tuple[Any, ...]] = {}
        followers: dict[int, int | None] = {}
        for row in ChannelDay.objects.filter(day=day).values("channel_id", "followers", *CHANNEL_KEYS):
            followers[row["channel_id"]] = row["followers"]
            if row["posts"]:
                aggregated[row["channel_id"]] = tuple(row[key] for key in CHANNEL_KEYS)
            elif any(row[name] is not None for name in COUNT_NAMES):
                mismatches.append(f"{day} channel {row['channel_id']}: counts without posts")
        for channel_id in sorted(set(aggregated) | set(raw_channels)):
            if aggregated.get(channel_id) != raw_channels.get(channel_id):
                mismatches.append(
                    f"{day} channel {channel_id}: aggregate {aggregated.get(channel_id)} raw {raw_channels.get(channel_id)}"
                )
        portal = {
            row["office_id"]: tuple(row[key] for key in PORTAL_KEYS)
            for row in PortalDay.objects.filter(day=day).values("office_id", *PORTAL_KEYS)
            if row["views"] or row["articles_published"]
        }
        for office_id in sorted(set(portal) | set(raw_portal)):
            if portal.get(office_id) != raw_portal.get(office_id):
                mismatches.append(
                    f"{day} office {office_id}: aggregate {portal.get(office_id)} raw {raw_portal.get(office_id)}"
                )
        carried = any(value is not None for value in followers.values())
        for channel_id, count in FollowerCount.objects.filter(day=day).values_list("channel_id", "count"):
            if not carried:
                checked["followers_missing"] += 1
            elif followers.get(channel_id) != count:
                mismatches.append(
                    f"{day} channel {channel_id}: followers {followers.get(channel_id)} raw {count}"
                )
            else:
                checked["followers_rows"] += 1
        if has_visitors:
            raw_visitors = dict(visitor_model.objects.filter(day=day).values_list("office_id", "count"))
            visitors = {
                office_id: count
                for office_id, count in PortalDay.objects.filter(day=day).values_list("office_id", "visitors")
                if count is not None
            }
            if not visitors:
                checked["visitors_missing"] += len(raw_visitors)
            for office_id in sorted(set(visitors) | set(raw_visitors)) if visitors else ():
                if visitors.get(office_id) != raw_visitors.get(office_id, 0):
                    mismatches.append(
                        f"{day} office {office_id}: visitors {visitors.get(office_id)} raw {raw_visitors.get(office_id, 0)}"
                    )
                else:
                    checked["visitors_rows"] += 1
        checked["days"] += 1
        checked["channel_rows"] += len(raw_channels)
        checked["portal_rows"] += len(raw_portal)
    return {**checked, "mismatches": len(mismatches), "examples": mismatches[:10]}


def verify_rollups(days: Iterable[dt.date]) -> dict[str, Any]:
    """The roll-ups of ``days`` against the day's rows summed here over every subtree (each
    office's path and the paths above it), and each sampled office's TopDelivery list against
    the raw deliveries of its subtree sent that day in their office's zone, ordered by
    engagement, then sent_at, then id."""
    from humas.analytics.models import ChannelDay, PortalDay, SubtreeDay, SubtreePortalDay, TopDelivery
    from humas.offices.models import Office
    from humas.publishing.models import Delivery

    paths = dict(Office.objects.values_list("id", "path"))
    by_path = {path: office_id for office_id, path in paths.items()}

    def above(office_id: int) -> list[int]:
        parts = [part for part in paths[office_id].split("/") if part]
        return [by_path["/" + "/".join(parts[:n]) + "/"] for n in range(1, len(parts) + 1)]

    channel_names = ("posts", *COUNT_NAMES, "followers")
    portal_names = ("views", "visitors", "articles_published", "clarifications_published")
    checked = {"channel_rows": 0, "portal_rows": 0, "top_lists": 0}
    mismatches: list[str] = []
    sampled = [by_path["/00/"], *(by_path[p] for p in ("/00/33/", "/00/33/33.20/") if p in by_path)]
    for day in days:
        expected: dict[tuple[int, str], list[Any]] = {}
        for row in ChannelDay.objects.filter(day=day).values(
            "office_id", "channel__platform", *channel_names
        ):
            for office_id in above(row["office_id"]):
                sums = expected.setdefault(
                    (office_id, row["channel__platform"]), [0] + [None] * (len(channel_names) - 1)
                )
                for n, name in enumerate(channel_names):
                    sums[n] = _plus(sums[n], row[name])
        found = {
            (row["office_id"], row["platform"]): [row[name] for name in channel_names]
            for row in SubtreeDay.objects.filter(day=day).values("office_id", "platform", *channel_names)
        }
        for key in sorted(set(expected) | set(found)):
            if expected.get(key) != found.get(key):
                mismatches.append(f"{day} subtree {key}: roll-up {found.get(key)} rows {expected.get(key)}")
        checked["channel_rows"] += len(found)
        portal: dict[int, list[Any]] = {}
        for row in PortalDay.objects.filter(day=day).values("office_id", *portal_names):
            for office_id in above(row["office_id"]):
                sums = portal.setdefault(office_id, [0, None, 0, 0])
                for n, name in enumerate(portal_names):
                    sums[n] = _plus(sums[n], row[name])
        portal_found = {
            row["office_id"]: [row[name] for name in portal_names]
            for row in SubtreePortalDay.objects.filter(day=day).values("office_id", *portal_names)
        }
        for key in sorted(set(portal) | set(portal_found)):
            if portal.get(key) != portal_found.get(key):
                mismatches.append(
                    f"{day} subtree portal {key}: roll-up {portal_found.get(key)} rows {portal.get(key)}"
                )
        checked["portal_rows"] += len(portal_found)
        low = dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min, tzinfo=UTC)
        high = dt.datetime.combine(day + dt.timedelta(days=2), dt.time.min, tzinfo=UTC)
        raw: list[tuple[int, int, dt.datetime, int]] = []
        for delivery_id, office_id, zone, sent_at, *counts in Delivery.objects.filter(
            sent_at__gte=low, sent_at__lt=high, metrics_latest__isnull=False
        ).values_list(
            "pk",
            "channel__office_id",
            "channel__office__time_zone",
            "sent_at",
            "metrics_latest__reactions",
            "metrics_latest__comments",
            "metrics_latest__shares",
            "metrics_latest__link_clicks",
        ):
            engagement = sum(value or 0 for value in counts)  # publishing.metrics.INTERACTIONS
            if engagement > 0 and sent_at.astimezone(ZoneInfo(zone)).date() == day:
                raw.append((delivery_id, office_id, sent_at, engagement))
        for office_id in sampled:
            want = [
                item[0]
                for item in sorted(
                    (item for item in raw if office_id in above(item[1])),
                    key=lambda item: (-item[3], item[2], item[0]),
                )[:10]
            ]
            got = list(
                TopDelivery.objects.filter(office_id=office_id, day=day)
                .order_by("-engagement", "delivery__sent_at", "delivery_id")
                .values_list("delivery_id", flat=True)
            )
            if want != got:
                mismatches.append(f"{day} top list of office {office_id}: {got} raw {want}")
            checked["top_lists"] += 1
    return {**checked, "mismatches": len(mismatches), "examples": mismatches[:10]}


def verify_year(spec: Spec, made: dict[str, Any]) -> dict[str, Any]:
    """The aggregates of the whole year against the raw tables' totals and what was generated."""
    from django.db.models import Sum

    from humas.analytics.models import ChannelDay, PortalDay
    from humas.portal.models import ArticleViewDaily
    from humas.publishing.models import Delivery

    period = {"day__gte": spec.first, "day__lte": spec.end}
    channel = ChannelDay.objects.filter(**period).aggregate(
        posts=Sum("posts"), **{n: Sum(n) for n in COUNT_NAMES}
    )
    raw = Delivery.objects.filter(sent_at__isnull=False).aggregate(
        **{n: Sum(f"metrics_latest__{n}") for n in COUNT_NAMES}
    )
    portal = PortalDay.objects.filter(**period).aggregate(
        views=Sum("views"), articles=Sum("articles_published"), clarifications=Sum("clarifications_published")
    )
    views = ArticleViewDaily.objects.filter(**period).aggregate(n=Sum("count"))["n"] or 0
    extra: dict[str, tuple[Any, Any]] = {}
    visitor_model = portal_visitor_model()
    if visitor_model is not None and any(f.name == "visitors" for f in PortalDay._meta.concrete_fields):
        extra["portal visitors (distinct per office and day)"] = (
            PortalDay.objects.filter(**period).aggregate(n=Sum("visitors"))["n"] or 0,
            visitor_model.objects.filter(**period).aggregate(n=Sum("count"))["n"] or 0,
        )
    pairs = {
        "posts (deliveries sent)": (channel["posts"] or 0, made["deliveries_sent"]),
        **{name: (channel[name], raw[name]) for name in COUNT_NAMES},
        "portal views (the year's UTC days)": (portal["views"] or 0, views),
        "articles published": (portal["articles"] or 0, made["articles"]),
        "clarifications published": (portal["clarifications"] or 0, made["clarifications"]),
        **extra,
    }
    return {
        "totals": {name: {"aggregates": a, "raw": b, "equal": a == b} for name, (a, b) in pairs.items()},
        "all_equal": all(a == b for a, b in pairs.values()),
    }


def sample_days(spec: Spec, count: int) -> list[dt.date]:
    """``count`` days spread over the year, with the election day, the day before it and the last."""
    days = spec.day_list
    step = max(1, len(days) // max(1, count))
    chosen = set(days[::step][:count]) | {days[-1]}
    for day in (spec.election_day, spec.election_day - dt.timedelta(days=1)):
        if spec.first <= day <= spec.end:
            chosen.add(day)
    return sorted(chosen)


# --- the peer: the same figure straight from the raw rows ----------------------------------------

FIGURE_KEYS = ("posts", *COUNT_NAMES, "portal_views", "articles", "clarifications")


def raw_figures(office: Any, start: dt.date, end: dt.date) -> dict[str, int | None]:
    """``office``'s rolled-up figures of [start, end] without the aggregates: per zone, the
    deliveries sent in the period under the subtree with their latest snapshots, and the articles
    published; the views of ArticleViewDaily of those (UTC) days. Seven queries."""
    from django.db.models import Count, Q, Sum

    from humas.analytics.aggregate import day_window
    from humas.offices.models import Office
    from humas.offices.tree import subtree
    from humas.portal.models import Article, ArticleType, ArticleViewDaily
    from humas.publishing.models import Delivery

    figures: dict[str, int | None] = {
        "posts": 0,
        **dict.fromkeys(COUNT_NAMES),
        "articles": 0,
        "clarifications": 0,
    }
    for zone in Office.TimeZone.values:
        low, _ = day_window(start, zone)
        _, high = day_window(end, zone)
        sent = Delivery.objects.filter(
            subtree(office.path, field="channel__office__path"),
            sent_at__gte=low,
            sent_at__lt=high,
            channel__office__time_zone=zone,
        ).aggregate(posts=Count("pk"), **{n: Sum(f"metrics_latest__{n}") for n in COUNT_NAMES})
        figures["posts"] = (figures["posts"] or 0) + sent["posts"]
        for name in COUNT_NAMES:
            figures[name] = _plus(figures[name], sent[name])
        published = Article.objects.filter(
            subtree(office.path, field="office__path"),
            published_at__gte=low,
            published_at__lt=high,
            office__time_zone=zone,
            status__in=(Article.Status.PUBLISHED, Article.Status.UNPUBLISHED),
        ).aggregate(articles=Count("pk"), clarifications=Count("pk", filter=Q(type=ArticleType.KLARIFIKASI)))
        figures["articles"] = (figures["articles"] or 0) + published["articles"]
        figures["clarifications"] = (figures["clarifications"] or 0) + published["clarifications"]
    figures["portal_views"] = (
        ArticleViewDaily.objects.filter(
            subtree(office.path, field="article__office__path"), day__gte=start, day__lte=end
        ).aggregate(n=Sum("count"))["n"]
        or 0
    )
    return figures


def _timed(function: Callable[[], Any], repeats: int) -> tuple[list[float], Any, Any]:
    """``function`` once to warm up, ``repeats`` times timed, once more with its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        value = function()
    return samples, value, captured


def part_peer(readers: dict[str, Any], spec: Spec, repeats: int, peer_repeats: int) -> list[dict[str, Any]]:
    """The figure of each period from the aggregates (``office_series``: the dashboard's read of the
    period) and from the raw rows, both timed, their values compared."""
    from humas.analytics.selectors import office_series

    rows = []
    for name, office, actor, start, end in periods(readers, spec):
        samples, series, captured = _timed(
            lambda office=office, actor=actor, start=start, end=end: office_series(
                actor=actor, office=office, start=start, end=end
            ),
            repeats,
        )
        aggregated = {key: series.total.as_dict()[key] for key in FIGURE_KEYS}
        raw_samples, raw, raw_captured = _timed(
            lambda office=office, start=start, end=end: raw_figures(office, start, end), peer_repeats
        )
        rows.append(
            {
                "name": name,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "aggregates": {
                    **cascade.stats(samples),
                    "queries": len(captured.captured_queries),
                    "sql_ms": round(_sql_seconds(captured) * 1000, 1),
                },
                "raw": {
                    **cascade.stats(raw_samples),
                    "queries": len(raw_captured.captured_queries),
                    "sql_ms": round(_sql_seconds(raw_captured) * 1000, 1),
                    "repeats": peer_repeats,
                },
                "figures": aggregated,
                "equal": aggregated == raw,
                "raw_figures": raw,
            }
        )
        log(
            f"  {name}: aggregates {rows[-1]['aggregates']['median_ms']} ms, raw {rows[-1]['raw']['median_ms']} ms, "
            f"equal {rows[-1]['equal']}"
        )
    return rows


def periods(readers: dict[str, Any], spec: Spec) -> list[tuple[str, Any, Any, dt.date, dt.date]]:
    from django.utils import timezone

    national, jateng = readers["national"], readers["jateng"]
    today = timezone.localdate(timezone=national.zoneinfo)
    return [
        ("KPU RI, last 30 days", national, readers["admin.ri"], today - dt.timedelta(days=29), today),
        ("KPU RI, last 90 days", national, readers["admin.ri"], today - dt.timedelta(days=89), today),
        ("KPU RI, the year (365 days)", national, readers["admin.ri"], spec.first, spec.end),
        ("Jawa Tengah, the year", jateng, readers["admin.jateng"], spec.first, spec.end),
    ]


# --- the pages ---------------------------------------------------------------------------------


def readers_setup() -> dict[str, Any]:
    """KPU RI's and Jawa Tengah's Administrators, each with a confirmed authenticator (made once)."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from humas.accounts.models import User
    from humas.offices.models import Membership, Office

    national, jateng = Office.objects.get(code="00"), Office.objects.get(code="33")
    people: dict[str, Any] = {"national": national, "jateng": jateng}
    for key, office in (("admin.ri", national), ("admin.jateng", jateng)):
        user, made = User.objects.get_or_create(
            email=f"{key}@kpu.bench",
            defaults={"full_name": f"Administrator {office.name}", "password": make_password(None)},
        )
        if made:
            Membership.objects.create(user=user, office=office, role=Membership.Role.ADMIN)
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        people[key] = user
    return people


def part_pages(readers: dict[str, Any], spec: Spec, repeats: int) -> list[dict[str, Any]]:
    from django.urls import reverse

    national, jateng = readers["national"], readers["jateng"]
    ri, jt = cascade.client_for(readers["admin.ri"]), cascade.client_for(readers["admin.jateng"])
    year = f"dari={spec.first}&sampai={spec.end}"

    def url(name: str, office: Any, query: str = "") -> str:
        address = reverse(f"analytics:{name}", kwargs={"office_slug": office.slug})
        return f"{address}?{query}" if query else address

    pages = [
        ("dashboard", "national dashboard, default period (30 days)", ri, url("dashboard", national)),
        ("dashboard-90", "national dashboard, 90 days", ri, url("dashboard", national, "periode=90")),
        ("dashboard-365", "national dashboard, 365 days", ri, url("dashboard", national, year)),
        ("below", "offices below KPU RI: 38 provinces (30 days)", ri, url("below", national)),
        ("below-365", "offices below KPU RI: 38 provinces (365 days)", ri, url("below", national, year)),
        (
            "jateng-below",
            "offices below Jawa Tengah: 35 regencies and cities (30 days)",
            jt,
            url("below", jateng),
        ),
        ("jateng-dashboard", "Jawa Tengah's dashboard (30 days)", jt, url("dashboard", jateng)),
        ("csv", "CSV: national daily series (365 days)", ri, url("export_csv", national, year)),
        ("below-csv", "CSV: offices below KPU RI (30 days)", ri, url("below_csv", national)),
    ]
    measured = []
    for key, name, client, address in pages:
        row = {"key": key, "name": name, **cascade.timed_get(client, address, repeats)}
        log(f"  {name}: {row['median_ms']} ms median, {row['queries']} queries")
        measured.append(row)
    slowest = max(measured, key=lambda page: page["median_ms"])
    client = ri if slowest["url"].startswith(f"/app/{national.slug}/") else jt
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(slowest["url"])
    slowest["explain"] = explain_slowest(captured.captured_queries, f"page-{slowest['key']}")
    return measured


# --- the province's monthly PDF ----------------------------------------------------------------


def part_pdf(readers: dict[str, Any], spec: Spec, repeats: int) -> list[dict[str, Any]]:
    """Issue #21's third figure: Jawa Tengah's monthly PDF report (its 35 regencies and cities,
    the last whole month of the data) rendered under 10 s, as the monthly task renders it
    (``pdf.report_pdf`` reading as ``policy.office_reader``). The peer in the same run: KPU RI's
    (38 provinces). Each: the whole render timed ``repeats`` times after a warm-up, and apart from
    it the reads and the HTML (``report_html``, with its queries), so the layout's share is known."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from humas.analytics import pdf
    from humas.analytics.models import Report
    from humas.offices import policy

    month_end = spec.end.replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    measured = []
    for label, office in (("Jawa Tengah", readers["jateng"]), ("KPU RI", readers["national"])):
        report = Report(
            office=office,
            period_start=month_start,
            period_end=month_end,
            language=Report.Language.ID,
            kind=Report.Kind.MONTHLY,
        )
        reader = policy.office_reader(office)
        rendered = pdf.report_pdf(report=report, reader=reader)  # warm-up
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            rendered = pdf.report_pdf(report=report, reader=reader)
            samples.append(time.perf_counter() - started)
        html_samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            pdf.report_html(report=report, reader=reader, now=dt.datetime.now(dt.UTC))
            html_samples.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            pdf.report_html(report=report, reader=reader, now=dt.datetime.now(dt.UTC))
        measured.append(
            {
                "office": label,
                "period": f"{month_start} – {month_end}",
                "seconds": _stats(samples),
                "html_seconds": _stats(html_samples),
                "queries": len(captured),
                "sql_seconds": round(_sql_seconds(captured), 3),
                "pages": rendered.pages,
                "bytes": len(rendered.content),
            }
        )
    return measured


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": round(statistics.median(ordered), 2),
        "max": round(ordered[-1], 2),
        "min": round(ordered[0], 2),
    }


# --- environment -------------------------------------------------------------------------------


def bench_env(redis_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "humas.config.settings.production",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "HUMAS_REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "localhost,testserver",
        "HUMAS_PUBLIC_BASE_URL": "http://localhost",
        "HUMAS_BACKOFFICE_URL": "http://localhost",
        "HUMAS_CREDENTIAL_KEYS": Fernet.generate_key().decode(),
        "HUMAS_SSL_REDIRECT": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "HUMAS_STATIC_ROOT": str(LOGS / "static"),
        "HUMAS_DATA_DIR": str(LOGS / "data"),
    }


def prepare_database(env: dict[str, str], *, fresh: bool) -> float:
    """Drop and create the database (``fresh``), then migrate and collect the static files."""
    import psycopg

    started = time.perf_counter()
    if fresh:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([str(PYTHON), "-m", "humas.cli", "manage", *command], cwd=REPO, env=env, check=True)
    return time.perf_counter() - started


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def database_facts() -> dict[str, Any]:
    from django.db import connection

    tables = (
        "publishing_delivery",
        "publishing_deliverymetrics",
        "publishing_post",
        "portal_article",
        "portal_articleviewdaily",
        "analytics_followercount",
        "analytics_channelday",
        "analytics_portalday",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database())), version()")
        size, version = cursor.fetchone()
        cursor.execute(
            "SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname = ANY(%s) ORDER BY relname",
            [list(tables)],
        )
        rows = {name: {"rows": int(count), "size": pretty} for name, count, pretty in cursor.fetchall()}
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    return {
        "size": size,
        "version": version.split(" on ")[0],
        "tables": rows,
        "settings": {"shared_buffers": buffers, "work_mem": work_mem, "jit": jit, "autovacuum": autovacuum},
    }


def dataset_check(spec: Spec, made: dict[str, Any]) -> None:
    """--reuse: the kept database holds the dataset described (its deliveries and snapshots)."""
    from humas.publishing.models import Delivery, DeliveryMetrics

    found = (Delivery.objects.count(), DeliveryMetrics.objects.count())
    if found != (made["deliveries"], made["snapshots"]):
        raise SystemExit(
            f"{DB_NAME} has {found[0]:,} deliveries and {found[1]:,} snapshots; {DATASET} describes "
            f"{made['deliveries']:,} and {made['snapshots']:,}: run without --reuse"
        )


# --- report ------------------------------------------------------------------------------------


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _within(value_ms: float, limit_ms: float) -> str:
    ratio = limit_ms / max(0.001, value_ms)
    return (
        f"under the limit ({ratio:.1f}× under)"
        if value_ms < limit_ms
        else f"**over the limit** ({1 / ratio:.1f}×)"
    )


def markdown_data(result: dict[str, Any]) -> list[str]:
    spec, made, db = result["spec"], result["made"], result.get("database", {})
    by_platform = ", ".join(f"{k} {v:,}" for k, v in made["deliveries_by_platform"].items())
    by_stage = ", ".join(f"+{k}: {v:,}" for k, v in made["snapshots_by_stage"].items())
    scale_ok = made["snapshots"] >= SCALE_SNAPSHOTS and made["views"] >= SCALE_VIEWS
    rows = sum(
        made.get(k, 0)
        for k in ("posts", "deliveries", "snapshots", "articles", "view_rows", "followers", "visitor_rows")
    )
    lines = [
        f"Data: {spec['days']} days, {spec['end']} back to {result['first']} (election day {spec['election']}), "
        f"seed {spec['seed']}, {made['offices']} offices with {made['channels']:,} channels and "
        f"{made['people']:,} people (an Operator and an Editor each); generated in {made['seconds']:.0f} s "
        f"(about {rows / max(1.0, made['seconds']):,.0f} rows/s of the main tables){' on this run' if not result['reused'] else ' by an earlier run (--reuse)'}.",
        "",
        "| table | rows |",
        "|---|---:|",
        f"| posts (each with its version and publication) | {made['posts']:,} |",
        f"| deliveries: sent / failed | {made['deliveries_sent']:,} / {made['deliveries_failed']:,} ({by_platform}) |",
        f"| **`DeliveryMetrics` snapshots** (by schedule point: {by_stage}) | **{made['snapshots']:,}** |",
        f"| portal articles: from posts / of the offices' own (clarifications) | {made['articles_from_posts']:,} / "
        f"{made['articles'] - made['articles_from_posts']:,} ({made['clarifications']:,}) |",
        f"| `ArticleViewDaily` rows / **views they count** | {made['view_rows']:,} / **{made['views']:,}** |",
        f"| `FollowerCount` (one a day per API channel) | {made['followers']:,} |",
        f"| `OfficeVisitorDaily` rows / distinct visitors they count | {made.get('visitor_rows', 0):,} / "
        f"{made.get('visitors', 0):,} |",
        f"| database size after `ANALYZE` | {db.get('size', '?')} |",
        "",
        f"Issue #21's scale (≥ {SCALE_SNAPSHOTS:,} snapshots, ≥ {SCALE_VIEWS:,} views): "
        + ("reached." if scale_ok else "**not reached** (a slice: `--offices-scale`/`--days`)."),
    ]
    return lines


def markdown_rebuild(rebuild: dict[str, Any]) -> list[str]:
    slowest = rebuild["slowest"]
    nightly = rebuild["nightly_seconds"]
    return [
        f"Nightly aggregation (`day_rebuild`, every office, one day; limit {REBUILD_LIMIT_S} s):",
        "",
        "| figure | value |",
        "|---|---|",
        f"| **one day: median / p95 / max over the {rebuild['days']} days** | **{rebuild['median_ms'] / 1000:.2f} s** / "
        f"{rebuild['p95_ms'] / 1000:.2f} s / {rebuild['max_ms'] / 1000:.2f} s — the max {_within(rebuild['max_ms'], REBUILD_LIMIT_S * 1000)} |",
        f"| the slowest day ({slowest['day']}): queries, their SQL time, rows written | {slowest['queries']}, "
        f"{slowest['sql_seconds'] * 1000:.0f} ms, {slowest['rows']:,} |",
        f"| the day with the most rows ({rebuild['busiest']['day']}) | {rebuild['busiest']['rows']:,} rows, "
        f"{rebuild['busiest']['seconds']:.2f} s |",
        f"| queries per day, over every day | {', '.join(str(q) for q in rebuild['queries'])} |",
        f"| the whole year, one day after another | {rebuild['total_seconds']:.0f} s |",
        f"| the nightly task's {rebuild['nightly_days']} days (`days_rebuild`, last {rebuild['nightly_last_day']}), 3 runs | "
        + " / ".join(f"{s:.2f} s" for s in nightly)
        + " |",
    ]


def markdown_verify(verify: dict[str, Any], year: dict[str, Any]) -> list[str]:
    lines = [
        f"Exactness: {verify['days']} days sampled, {verify['channel_rows']:,} channel-days and "
        f"{verify['portal_rows']:,} office-days recomputed from the raw rows in Python (each delivery's and "
        f"article's own day in its office's zone): **{verify['mismatches']} mismatches**"
        + (
            f"; followers equal on {verify['followers_rows']:,} channel-days"
            if verify["followers_rows"]
            else f"; followers not carried by the rebuild yet ({verify['followers_missing']:,} channel-days with a count)"
        )
        + (
            f", visitors equal on {verify['visitors_rows']:,} office-days"
            if verify["visitors_rows"]
            else f", visitors not carried by the rebuild yet ({verify['visitors_missing']:,} office-days counted)"
        )
        + ". The year's totals:",
        "",
        "| total over the year | aggregates | raw rows | equal |",
        "|---|---:|---:|---|",
    ]
    for name, row in year["totals"].items():
        lines.append(
            f"| {name} | {_n(row['aggregates'])} | {_n(row['raw'])} | {'yes' if row['equal'] else '**no**'} |"
        )
    lines += [f"- {example}" for example in verify["examples"]]
    return lines


def markdown_pages(pages: list[dict[str, Any]], repeats: int) -> list[str]:
    lines = [
        f"Pages ({repeats} requests each after {WARMUP} warm-up, server time in-process; limit {PAGE_LIMIT_MS} ms):",
        "",
        "| page | median | p95 | max | queries | SQL | bytes | against the limit (p95) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        limit = _within(page["p95_ms"], PAGE_LIMIT_MS) if not page["key"].endswith("csv") else "(export)"
        lines.append(
            f"| {page['name']} | {page['median_ms']} ms | {page['p95_ms']} ms | {page['max_ms']} ms | "
            f"{page['queries']} | {page['sql_ms']} ms | {page['bytes']:,} | {limit} |"
        )
    slowest = next((page for page in pages if page.get("explain")), None)
    if slowest:
        lines += [
            "",
            f"The slowest page's slowest query ({slowest['name']}, {slowest['explain']['seconds'] * 1000:.0f} ms; "
            f"plan in `{slowest['explain']['file']}`).",
        ]
    return lines


def markdown_peer(peer: list[dict[str, Any]], repeats: int) -> list[str]:
    lines = [
        f"The peer, same run: the figure of the period from the aggregates (`office_series`, the dashboard's "
        f"read; {repeats} calls) and straight from the raw rows (`raw_figures`: the deliveries sent in the "
        "period under the subtree with their latest snapshots, the articles, `ArticleViewDaily`; "
        f"{peer[0]['raw']['repeats'] if peer else 0} calls):",
        "",
        "| period | aggregates: median / p95, queries | raw rows: median / p95, queries | raw ÷ aggregates | same figures |",
        "|---|---|---|---:|---|",
    ]
    for row in peer:
        a, r = row["aggregates"], row["raw"]
        lines.append(
            f"| {row['name']} ({row['start']} – {row['end']}) | {a['median_ms']} ms / {a['p95_ms']} ms, {a['queries']} | "
            f"{r['median_ms']} ms / {r['p95_ms']} ms, {r['queries']} | {r['median_ms'] / max(0.1, a['median_ms']):.0f}× | "
            f"{'yes' if row['equal'] else '**no**'} |"
        )
    if peer:
        figures = peer[2]["figures"] if len(peer) > 2 else peer[0]["figures"]
        lines += [
            "",
            "The national year in figures: " + ", ".join(f"{k} {_n(v)}" for k, v in figures.items()) + ".",
        ]
    return lines


def markdown(result: dict[str, Any]) -> str:
    db = result.get("database", {})
    lines = [
        f"### Run ({result['date']}, commit `{result['commit']}` + working tree)",
        "",
        f"- Command: `{result['command']}`",
        f"- Machine: `nproc` {result['machine']['nproc']}, {result['machine']['cpu']}, RAM "
        f"{result['machine']['ram']}, {result['machine']['kernel']}, Python {result['machine']['python']}",
        f"- Load average (1/5/15 min): {result['load_before']} → {result['load_after']}",
        f"- {db.get('version', 'PostgreSQL')} on 127.0.0.1 ("
        + ", ".join(f"`{k}` {v}" for k, v in db.get("settings", {}).items())
        + "), production settings, Redis as the cache; in-process",
        "",
        *markdown_data(result),
    ]
    if "rebuild" in result:
        lines += ["", *markdown_rebuild(result["rebuild"])]
    if "verify" in result:
        lines += ["", *markdown_verify(result["verify"], result["verify_year"])]
    if "verify_rollups" in result:
        rollups = result["verify_rollups"]
        lines += [
            "",
            f"Roll-ups, the same days: {rollups['channel_rows']:,} subtree-platform-days and "
            f"{rollups['portal_rows']:,} subtree-days against the day's rows summed over each subtree, and "
            f"{rollups['top_lists']} top lists (KPU RI, Jawa Tengah, Jepara) against the raw deliveries: "
            f"**{rollups['mismatches']} mismatches**.",
            *[f"- {example}" for example in rollups["examples"]],
        ]
    if "pages" in result:
        lines += ["", *markdown_pages(result["pages"], result["repeats"])]
    if "peer" in result:
        lines += ["", *markdown_peer(result["peer"], result["repeats"])]
    if "pdf" in result:
        lines += [
            "",
            f"Monthly PDF reports (limit {PDF_LIMIT_S} s for a province), {result['repeats']} renders after a warm-up:",
            "",
            "| report | period | render median (min–max) | reads + HTML | queries (SQL s) | pages | size |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in result["pdf"]:
            lines.append(
                f"| {row['office']} | {row['period']} | {row['seconds']['median']} s "
                f"({row['seconds']['min']}–{row['seconds']['max']}) | {row['html_seconds']['median']} s | "
                f"{row['queries']} ({row['sql_seconds']}) | {row['pages']} | {row['bytes'] // 1024} KiB |"
            )
    return "\n".join(lines) + "\n"


PARTS = ("rebuild", "verify", "pages", "pdf")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default=",".join(PARTS), help="which parts: " + ", ".join(PARTS))
    parser.add_argument("--offices-scale", type=float, default=1.0, help="share of the 553 offices with data")
    parser.add_argument("--days", type=int, default=365, help="days of data, ending today (in WIT)")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page (and aggregate reads)")
    parser.add_argument("--peer-repeats", type=int, default=5, help="raw-row computations per period")
    parser.add_argument("--verify-days", type=int, default=12, help="days whose every row is checked")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-followers", action="store_true", help="no FollowerCount rows")
    parser.add_argument("--reuse", action="store_true", help="the data of a --keep run: no generation")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for --reuse)")
    parser.add_argument("--redis", default=REDIS_URL, help=f"the cache's Redis (default {REDIS_URL})")
    args = parser.parse_args()
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if any(part not in PARTS for part in parts):
        parser.error(f"parts are {', '.join(PARTS)}")
    if args.reuse and not DATASET.exists():
        parser.error(f"--reuse needs {DATASET} (written by a run with --keep)")
    LOGS.mkdir(parents=True, exist_ok=True)
    env = bench_env(args.redis)
    result: dict[str, Any] = {
        "date": f"{dt.datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "commit": cascade.git_commit(),
        "command": " ".join(["python bench/analytics/run.py", *sys.argv[1:]]),
        "machine": cascade.machine(),
        "load_before": cascade.loadavg(),
        "reused": args.reuse,
        "repeats": args.repeats,
    }
    log(f"{'migrate' if args.reuse else 'fresh database'} {DB_NAME} (production settings)")
    result["migrate_seconds"] = round(prepare_database(env, fresh=not args.reuse), 1)
    django_setup(env)
    keep = args.keep or args.reuse
    try:
        if args.reuse:
            kept = json.loads(DATASET.read_text())
            spec, made = Spec.from_json(kept["spec"]), kept["made"]
            dataset_check(spec, made)
            log(
                f"reusing {made['deliveries']:,} deliveries, {made['snapshots']:,} snapshots ({spec.first} – {spec.end})"
            )
        else:
            from humas.offices.regions import default_regions_text
            from humas.offices.services import offices_load

            offices_load(text=default_regions_text())
            now = dt.datetime.now(UTC).replace(microsecond=0)
            spec = Spec(
                end=now.astimezone(ZoneInfo("Asia/Jayapura")).date(),
                now=now,
                days=args.days,
                offices_scale=args.offices_scale,
                seed=args.seed,
                followers=not args.no_followers,
            )
            log(f"generating {spec.days} days ({spec.first} – {spec.end}, election day {spec.election_day})")
            made = generate(spec, log, background=True).as_json()
            DATASET.write_text(json.dumps({"spec": spec.as_json(), "made": made}, indent=2))
        result.update(spec=spec.as_json(), first=spec.first.isoformat(), made=made)
        result["database"] = database_facts()
        readers = readers_setup()
        if "rebuild" in parts:
            log(f"rebuilding {spec.days} days, one after another")
            result["rebuild"] = part_rebuild(spec)
        else:
            from humas.analytics.models import ChannelDay

            if not ChannelDay.objects.exists():
                raise SystemExit("no aggregates: run the rebuild part")
        if "verify" in parts:
            days = sample_days(spec, args.verify_days)
            log(f"verifying {len(days)} days row by row, and the year's totals")
            result["verify"] = verify_days(days)
            result["verify_rollups"] = verify_rollups(days)
            result["verify_year"] = verify_year(spec, made)
        if "pages" in parts:
            log("pages")
            result["pages"] = part_pages(readers, spec, args.repeats)
            log("the peer: the same figures from the raw rows")
            result["peer"] = part_peer(readers, spec, args.repeats, args.peer_repeats)
        if "pdf" in parts:
            log("the monthly PDF reports")
            result["pdf"] = part_pdf(readers, spec, args.repeats)
        result["database"] = database_facts()
    finally:
        result["load_after"] = cascade.loadavg()
        from django.db import connections

        connections.close_all()
        if not keep:
            import psycopg

            with (
                contextlib.suppress(Exception),
                psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn,
            ):
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            DATASET.unlink(missing_ok=True)
    (LOGS / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(markdown(result))
    log(f"written {LOGS / 'result.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
