#!/usr/bin/env python3
"""The monitoring pipeline's proof (issue #15): sustained ingest through the whole pipeline on
PostgreSQL + Redis with 1 and 2 `humas worker` processes against the text engine alone, the
latency of a spike alert, and the triage pages with 1,000,000 items and 5,000 narratives.

Parts (``--parts``, default all, in this order):

  ingest  the knowledge base = every fact-check of ../shared/data/factchecks/corpus.jsonl as
          external claims; the stream = tweets, dev queries, dev fact-check texts and hoax-news
          headlines from ../shared/data (bench/monitoring/corpus.py), repeated with new item ids
          up to --items. Back to back, in one invocation:
            a. ingest alone: the stream stored with `items_ingest` in batches of 500 (as the API
               does), no worker running (items/s stored);
            b. for each --workers count (1, then 2): fresh monitoring tables, the worker processes
               started and warmed up, then the whole stream ingested as fast as the benchmark
               process can and the clock stopped when every item has `processed_at`;
            c. the peer: `humas.textkit.pipeline.PostPipeline` alone, one process, the same texts
               in the same order in batches of 250;
            d. the pipeline in this process (no queue) on --profile-items fresh items, once
               plainly and once under cProfile (top functions by cumulative time).
          A spike (40 near-identical texts naming Kab. Jepara and the KPU, published now) is
          inside every stream at 40 %, 10 per batch over 4 batches.
  alert   2 workers, the stream ingested at a steady --alert-rate items/s (default 0.8 x the
          2-worker throughput just measured, else 500/s) for --alert-seconds; the spike is
          injected after a third of it. Latency: first spike item's `captured_at` to the
          `Notification.created_at` of its alert (an operator of KPU Kabupaten Jepara is notified).
  pages   1,000,000 items and 5,000 narratives loaded with SQL (generate_series), then the national
          queue, a provincial queue and the page of a narrative with >= 1,000 items, timed
          in-process with Django's test Client as a signed-in national operator (median, p95) and
          their queries counted; EXPLAIN ANALYZE of the 3 slowest queries of a page above 300 ms.

    python bench/monitoring/run.py                         # everything (~8 minutes on two cores)
    python bench/monitoring/run.py --parts ingest --items 20000 --workers 1,2
    python bench/monitoring/run.py --parts pages --page-items 200000 --page-narratives 1000

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. It drops
and creates the database humas_bench, empties Redis database 14, migrates with the production
settings `humas serve` and `humas worker` use, and keeps logs under var/bench-monitoring/. Every
process it starts is stopped before it exits. Figures describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
LOGS = REPO / "var" / "bench-monitoring"
DB_NAME = "humas_bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/14"
INGEST_BATCH = 500  # records per items_ingest call, as the API takes them
PEER_BATCH = 250  # the pipeline's task size (humas.monitoring.pipeline.BATCH)
NATIONAL, PROVINCE, REGENCY = "00", "33", "33.20"  # KPU RI, Jawa Tengah, Kab. Jepara
SPIKE_ITEMS = 40
SPIKE_PER_BATCH = 10
TARGET_RATE = 1000.0
TARGET_RATIO = 0.5
TARGET_ALERT_S = 60.0
TARGET_PAGE_MS = 300.0
# The code measured: this checkout, or another tree given with --tree (a change tried out before
# it lands); the workers, migrate and collectstatic run from it, and so does this process.
CODE = [REPO]

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import corpus  # noqa: E402
from common import loadavg, log, verified  # noqa: E402


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (0 for one that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def server_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "redis-server"):
                    pids.append(int(entry.name))
    return pids


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.platform(),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head} + working tree" if dirty else head


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


RUNNING: list[Proc] = []


def start(name: str, argv: list[str], env: dict[str, str]) -> Proc:
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"{name}.log"
    with path.open("wb") as handle:
        popen = subprocess.Popen(argv, cwd=CODE[0], env=env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
    proc = Proc(name, popen, path)
    RUNNING.append(proc)
    return proc


def stop_all() -> None:
    while RUNNING:
        RUNNING.pop().stop()


def wait_ready(proc: Proc, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.popen.poll() is not None:
            raise SystemExit(f"{proc.name} exited: see {proc.log_path}")
        if "consumer started" in proc.log_path.read_text(errors="replace").lower():
            return
        time.sleep(0.2)
    raise SystemExit(f"{proc.name} not ready after {timeout} s: see {proc.log_path}")


def log_problems(procs: list[Proc]) -> int:
    """Tracebacks in the workers' logs (a failed task is retried, and must be said)."""
    return sum(p.log_path.read_text(errors="replace").count("Traceback") for p in procs)


# --- environment --------------------------------------------------------------------------------


def bench_env(threads: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "humas.config.settings.production",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "HUMAS_REDIS_URL": REDIS_URL,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
        # testserver: the Django test Client of the pages part.
        "ALLOWED_HOSTS": "localhost,testserver",
        "HUMAS_PUBLIC_BASE_URL": "http://localhost",
        "HUMAS_BACKOFFICE_URL": "http://localhost",
        "HUMAS_CREDENTIAL_KEYS": os.environ.get("BENCH_CREDENTIAL_KEY") or Fernet.generate_key().decode(),
        "HUMAS_WORKERS": str(threads),
        "HUMAS_SSL_REDIRECT": "0",
        # Alerts are e-mailed too; the benchmark measures the notification row, not an SMTP server.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONUNBUFFERED": "1",
        # The pages render with production's hashed static names: collected here (pages part).
        "HUMAS_STATIC_ROOT": str(LOGS / "static"),
    }
    os.environ["BENCH_SECRET_KEY"] = env["SECRET_KEY"]
    os.environ["BENCH_CREDENTIAL_KEY"] = env["HUMAS_CREDENTIAL_KEYS"]
    return env


def fresh_database(env: dict[str, str]) -> float:
    import psycopg
    import redis

    started = time.perf_counter()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run(  # noqa: S603
        [str(PYTHON), "-m", "humas.cli", "manage", "migrate", "--no-input", "-v", "0"],
        cwd=CODE[0],
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def django_setup(env: dict[str, str]) -> None:
    for key, value in env.items():
        os.environ[key] = value
    import django

    django.setup()
    import logging

    logging.getLogger("huey").setLevel(logging.WARNING)


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def reset_monitoring() -> None:
    """Empty what the pipeline writes (and the queue), keeping offices, people, sources, claims."""
    from django.db import connection

    from humas.monitoring.models import Source

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE monitoring_item, monitoring_narrative, monitoring_variant, monitoring_narrativehour, "
            "monitoring_narrativeterm, monitoring_termfrequency, monitoring_narrativealert, "
            "notifications_notification CASCADE"
        )
    Source.objects.update(item_count=0)
    flush_redis()


# --- the world ----------------------------------------------------------------------------------


@dataclass
class World:
    national: Any
    province: Any
    regency: Any
    sources: list[Any]
    national_operator: Any
    province_operator: Any
    regency_operator: Any
    claims: int
    claims_seconds: float


def setup_world(source_offices: str) -> World:
    from humas.accounts.models import User
    from humas.factcheck.services import claims_upsert_external
    from humas.monitoring.models import Source
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load

    offices_load(text=default_regions_text())
    by_code = {o.code: o for o in Office.objects.all()}
    people = []
    for code, email in (
        (NATIONAL, "operator.pusat@kpu.bench"),
        (PROVINCE, "operator.jateng@kpu.bench"),
        (REGENCY, "operator.jepara@kpu.bench"),
    ):
        user = User.objects.create_user(email=email, password=secrets.token_urlsafe(16), full_name=email)
        Membership.objects.create(user=user, office=by_code[code], role=Membership.Role.OPERATOR)
        verified(user)
        people.append(user)
    if source_offices == "national":
        offices = [by_code[NATIONAL]]
    else:  # the national office and every province, each with its own API source
        offices = [by_code[NATIONAL], *Office.objects.filter(level=Office.Level.PROVINSI).order_by("code")]
    sources = [
        Source.objects.create(office=o, kind=Source.Kind.API, name=f"API listening {o.code}") for o in offices
    ]
    started = time.perf_counter()
    result = claims_upsert_external(
        office=by_code[NATIONAL], source_name="TurnBackHoax", records=corpus.claim_records()
    )
    return World(
        national=by_code[NATIONAL],
        province=by_code[PROVINCE],
        regency=by_code[REGENCY],
        sources=sources,
        national_operator=people[0],
        province_operator=people[1],
        regency_operator=people[2],
        claims=result.created,
        claims_seconds=time.perf_counter() - started,
    )


# --- the stream ---------------------------------------------------------------------------------

PLATFORM_OF = {"tweets": ("x",), "headlines": ("news",)}
SOCIAL = ("facebook", "instagram", "x", "tiktok", "telegram", "whatsapp")
SPIKE_OPENINGS = (
    "Beredar kabar",
    "Viral:",
    "Info dari grup WA:",
    "Hati-hati,",
    "Tolong sebarkan,",
    "Katanya",
    "BREAKING:",
    "Warga resah,",
)
SPIKE_BODY = (
    "KPU Kab. Jepara memindahkan kotak suara dari gudang logistik ke rumah ketua PPK pada "
    "malam hari sebelum rekapitulasi"
)
SPIKE_ENDINGS = ("", " !!", " #JeparaJujur", " cek dulu", " ada videonya", "")


def spike_text(n: int) -> str:
    opening = SPIKE_OPENINGS[n % len(SPIKE_OPENINGS)]
    ending = SPIKE_ENDINGS[n % len(SPIKE_ENDINGS)]
    return f"{opening} {SPIKE_BODY}{ending} ({n + 1})"


def record_of(text: corpus.Text, external_id: str, n: int, now: dt.datetime) -> dict[str, Any]:
    platforms = PLATFORM_OF.get(text.origin, SOCIAL)
    name = platforms[n % len(platforms)]
    reactions = (n * 7919) % 400
    return {
        "platform": name,
        "external_id": external_id,
        "author_handle": f"warga{(n * 104729) % 25000}",
        "url": f"https://example.org/{name}/{external_id}",
        "text": text.text,
        # A live stream: published in the half hour before it is taken in.
        "published_at": (now - dt.timedelta(seconds=(n * 37) % 1800)).isoformat(),
        "reactions": reactions,
        "comments": reactions // 7,
        "shares": reactions // 11,
        "views": reactions * 23 if n % 3 == 0 else None,
    }


@dataclass
class Ingested:
    items: int = 0
    seconds: float = 0.0
    batches: int = 0
    spike_first_batch_at: float | None = None  # seconds after the stream's start
    backlog_at_spike: int | None = None


def ingest_stream(
    world: World,
    texts: list[corpus.Text],
    prefix: str,
    *,
    spike_at: int | None = None,
    rate: float | None = None,
    t0: float | None = None,
) -> Ingested:
    """Every text as an item (external id ``prefix-n``) through ``items_ingest`` in batches of
    500, round robin over the world's sources; optionally paced at ``rate`` items/s. The spike's
    texts replace 10 items of each of 4 batches from item ``spike_at`` on."""
    from humas.monitoring.models import Item
    from humas.monitoring.services import items_ingest

    out = Ingested()
    t0 = t0 if t0 is not None else time.perf_counter()
    spike_batches: dict[int, int] = {}
    if spike_at is not None:
        first = spike_at // INGEST_BATCH
        spike_batches = {first + k: k for k in range(SPIKE_ITEMS // SPIKE_PER_BATCH)}
    for number, start_at in enumerate(range(0, len(texts), INGEST_BATCH)):
        now = dt.datetime.now(dt.UTC)
        chunk = texts[start_at : start_at + INGEST_BATCH]
        records = [record_of(t, f"{prefix}-{start_at + i}", start_at + i, now) for i, t in enumerate(chunk)]
        if number in spike_batches and len(records) >= SPIKE_PER_BATCH:
            k = spike_batches[number]
            if k == 0:
                out.spike_first_batch_at = time.perf_counter() - t0
                out.backlog_at_spike = Item.objects.filter(processed_at__isnull=True).count()
            for j in range(SPIKE_PER_BATCH):
                n = k * SPIKE_PER_BATCH + j
                spot = (j * 37 + 11) % len(records)
                records[spot] = {
                    **records[spot],
                    "external_id": f"{prefix}-spike-{n}",
                    "text": spike_text(n),
                    "published_at": now.isoformat(),
                    "platform": SOCIAL[n % len(SOCIAL)],
                }
        items_ingest(actor=None, source=world.sources[number % len(world.sources)], records=records)
        out.items += len(records)
        out.batches += 1
        if rate:
            ahead = t0 + out.items / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
    out.seconds = time.perf_counter() - t0
    return out


# What the workers' database connections are doing, by pg_stat_activity: where a worker thread's
# time goes as the database sees it.
ACTIVITY_SQL = """
SELECT CASE
    WHEN state = 'active' AND wait_event_type = 'Lock' AND wait_event = 'advisory'
        THEN 'in PostgreSQL: waiting for an office lock (advisory)'
    WHEN state = 'active' AND wait_event_type = 'Lock'
        THEN 'in PostgreSQL: waiting for a row lock (' || wait_event || ')'
    WHEN state = 'active' THEN 'in PostgreSQL: running a statement'
    WHEN state LIKE 'idle in transaction%%' THEN 'in Python, inside a transaction (its locks held)'
    ELSE 'in Python or idle, outside a transaction'
  END, count(*)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> ALL(%s)
  AND backend_type = 'client backend'
GROUP BY 1
"""


class Sampler(threading.Thread):
    """Every 0.25 s, on its own connection: how many items are processed, and (while some are
    pending) what the workers' connections are doing. The benchmark's own connection is left out."""

    def __init__(self, t0: float, exclude: list[int]) -> None:
        super().__init__(daemon=True)
        self.t0 = t0
        self.exclude = exclude
        self.samples: list[tuple[float, int, int]] = []  # seconds, items, pending
        self.activity: dict[str, int] = {}
        self.halt = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.halt.is_set():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*), count(*) FILTER (WHERE processed_at IS NULL) FROM monitoring_item"
                    )
                    total, pending = cursor.fetchone()
                    if pending:
                        cursor.execute(ACTIVITY_SQL, [self.exclude])
                        for what, n in cursor.fetchall():
                            self.activity[what] = self.activity.get(what, 0) + int(n)
                self.samples.append((time.perf_counter() - self.t0, int(total), int(pending)))
                self.halt.wait(0.25)
        except BaseException as exc:  # said by wait_processed, in the main thread
            self.error = exc
        finally:
            connection.close()


def own_backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def wait_processed(expected: int, timeout: float, sampler: Sampler) -> bool:
    """Wait until ``expected`` items exist and none is unprocessed (as the sampler sees it)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if sampler.error is not None:
            raise RuntimeError("the sampler failed") from sampler.error
        if sampler.samples:
            _t, total, pending = sampler.samples[-1]
            if total >= expected and pending == 0:
                return True
        time.sleep(0.05)
    return False


def steady_rate(samples: list[tuple[float, int]], total: int) -> float:
    """Items/s between 10 % and 90 % of the items processed (the queue's warm start and last
    partial batches left out)."""
    lo = next((s for s in samples if s[1] >= 0.1 * total), None)
    hi = next((s for s in samples if s[1] >= 0.9 * total), None)
    if lo is None or hi is None or hi[0] <= lo[0]:
        return float("nan")
    return (hi[1] - lo[1]) / (hi[0] - lo[0])


# --- alerts -------------------------------------------------------------------------------------


@dataclass
class AlertLatency:
    narrative_id: int | None = None
    spike_items: int = 0
    spike_items_in_narrative: int = 0
    routed_to: str = ""
    first_captured_at: str = ""
    alerts: list[dict[str, Any]] = field(default_factory=list)


def alert_latency(prefix: str) -> AlertLatency:
    """From the first spike item's capture time to the notification of each alert of its
    narrative."""
    from django.db.models import Count

    from humas.monitoring.models import Item, NarrativeAlert
    from humas.notifications.models import Notification

    out = AlertLatency()
    spike = Item.objects.filter(external_id__startswith=f"{prefix}-spike-")
    out.spike_items = spike.count()
    first = spike.order_by("captured_at", "pk").first()
    if first is None:
        return out
    out.first_captured_at = first.captured_at.isoformat()
    top = (
        spike.exclude(narrative__isnull=True)
        .values("narrative_id", "narrative__office__code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if top is None:
        return out
    out.narrative_id = top["narrative_id"]
    out.spike_items_in_narrative = top["n"]
    out.routed_to = top["narrative__office__code"]
    for alert in NarrativeAlert.objects.filter(narrative_id=out.narrative_id).order_by("created_at"):
        notes = list(
            Notification.objects.filter(key=f"monitoring:alert:{alert.pk}")
            .select_related("recipient")
            .order_by("created_at")
        )
        out.alerts.append(
            {
                "kind": alert.kind,
                "alert_created_s": (alert.created_at - first.captured_at).total_seconds(),
                "notification_s": (notes[0].created_at - first.captured_at).total_seconds()
                if notes
                else None,
                "recipients": sorted(n.recipient.email for n in notes),
                "first_item_captured_at_matches": alert.first_item_captured_at == first.captured_at,
            }
        )
    return out


# --- part: ingest -------------------------------------------------------------------------------


@dataclass
class WorkerRun:
    workers: int
    threads: int
    items: int
    warmup_items: int
    ingest_seconds: float = 0.0
    wall_seconds: float = 0.0
    rate: float = 0.0
    steady_rate: float = 0.0
    timed_out: bool = False
    tracebacks: int = 0
    cpu: dict[str, float] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    narratives: int = 0
    matched_items: int = 0
    relevant_items: int = 0
    alerts: int = 0
    notifications: int = 0
    routed: dict[str, int] = field(default_factory=dict)
    spike: dict[str, Any] = field(default_factory=dict)
    activity: dict[str, int] = field(default_factory=dict)
    samples: list[tuple[float, int]] = field(default_factory=list)


def start_workers(count: int, env: dict[str, str], tag: str) -> list[Proc]:
    procs = [
        start(f"worker-{tag}-{i + 1}", [str(PYTHON), "-m", "humas.cli", "worker"], env) for i in range(count)
    ]
    for proc in procs:
        wait_ready(proc)
    return procs


def stop_workers(procs: list[Proc]) -> None:
    for proc in procs:
        proc.stop()
        if proc in RUNNING:
            RUNNING.remove(proc)


def warm_up(world: World, count: int, prefix: str, timeout: float) -> None:
    """Each worker process builds its claim index, region tagger and office cache on first use:
    a few batches before the clock (each task's 250 items go to whichever thread takes it)."""
    texts = corpus.stream(count)
    sampler = Sampler(time.perf_counter(), [own_backend_pid()])
    sampler.start()
    try:
        done = ingest_stream(world, texts, prefix)
        if not wait_processed(done.items, timeout, sampler):
            raise SystemExit("warm-up items were not processed: see the worker logs")
    finally:
        sampler.halt.set()
        sampler.join()
    analyze_monitoring()


def analyze_monitoring() -> None:
    """Statistics for the planner, as autovacuum keeps them on a live database: tables made a
    few seconds ago have none, and a plan for empty tables is no plan for the stream."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "monitoring_item",
            "monitoring_narrative",
            "monitoring_variant",
            "monitoring_narrativeterm",
        ):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - the names above


def desk_summary(run: WorkerRun) -> None:
    from django.db.models import Count

    from humas.monitoring.models import Item, Narrative, NarrativeAlert
    from humas.notifications.models import Notification

    run.narratives = Narrative.objects.count()
    run.matched_items = Item.objects.filter(match_decision="match").count()
    run.relevant_items = Item.objects.filter(relevant=True).count()
    run.alerts = NarrativeAlert.objects.count()
    run.notifications = Notification.objects.count()
    levels = dict(
        Item.objects.values_list("routed_office__level")
        .annotate(n=Count("pk"))
        .values_list("routed_office__level", "n")
    )
    run.routed = {str(k): int(v) for k, v in levels.items()}


def worker_run(
    world: World, env: dict[str, str], workers: int, args: argparse.Namespace, texts: list[corpus.Text]
) -> WorkerRun:
    run = WorkerRun(workers=workers, threads=args.threads, items=len(texts), warmup_items=args.warmup)
    reset_monitoring()
    procs = start_workers(workers, env, f"{workers}w")
    try:
        warm_up(world, args.warmup, f"warm{workers}", args.timeout)
        run.load_before = loadavg()
        worker_pids = [p.popen.pid for p in procs]
        servers = server_pids()
        cpu0 = (cpu_seconds(worker_pids), cpu_seconds([os.getpid()]), cpu_seconds(servers))
        prefix = f"run{workers}"
        t0 = time.perf_counter()
        sampler = Sampler(t0, [own_backend_pid()])
        sampler.start()
        try:
            done = ingest_stream(world, texts, prefix, spike_at=int(len(texts) * 0.4), t0=t0)
            run.ingest_seconds = done.seconds
            finished = wait_processed(done.items + args.warmup, args.timeout, sampler)
        finally:
            sampler.halt.set()
            sampler.join()
        # The end: the first sample that saw every item processed.
        run.wall_seconds = sampler.samples[-1][0] if finished else time.perf_counter() - t0
        run.timed_out = not finished
        run.activity = sampler.activity
        cpu1 = (cpu_seconds(worker_pids), cpu_seconds([os.getpid()]), cpu_seconds(servers))
        run.cpu = {
            "workers": cpu1[0] - cpu0[0],
            "bench process (ingest, polling)": cpu1[1] - cpu0[1],
            "PostgreSQL + Redis (whole servers)": cpu1[2] - cpu0[2],
        }
        run.load_after = loadavg()
        # The samples count the warm-up items too: take them off.
        run.samples = [(round(t, 2), max(0, n - p - args.warmup)) for t, n, p in sampler.samples]
        run.rate = done.items / run.wall_seconds
        run.steady_rate = steady_rate(run.samples, done.items)
        time.sleep(2)  # the last alert's notification task
        latency = alert_latency(prefix)
        run.spike = {
            **asdict(latency),
            "sent_at_s": done.spike_first_batch_at,
            "backlog": done.backlog_at_spike,
        }
    finally:
        stop_workers(procs)
    run.tracebacks = log_problems(procs)
    desk_summary(run)
    return run


@dataclass
class PeerRun:
    items: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    unique_rate: float = 0.0
    searched: int = 0
    copies: int = 0
    narratives: int = 0
    matched: int = 0
    index_seconds: float = 0.0


def peer_run(texts: list[corpus.Text]) -> PeerRun:
    """The text engine alone: PostPipeline over the knowledge base's claim index (the same index
    class the workers use, built here from the same claims), one process, batches of 250."""
    from humas.factcheck.matching import claim_index, claim_index_reset
    from humas.textkit.pipeline import PostPipeline

    out = PeerRun(items=len(texts))
    claim_index_reset()
    t = time.perf_counter()
    index = claim_index()
    out.index_seconds = time.perf_counter() - t
    pipe = PostPipeline(index)
    keys = [(f"p{i}", t.text) for i, t in enumerate(texts)]
    narratives: set[int] = set()
    started = time.perf_counter()
    for start_at in range(0, len(keys), PEER_BATCH):
        for result in pipe.process(keys[start_at : start_at + PEER_BATCH]):
            if result.duplicate_of is not None:
                out.copies += 1
            if result.match is not None and result.match.decision == "match":
                out.matched += 1
            if result.narrative_id is not None:
                narratives.add(result.narrative_id)
    out.seconds = time.perf_counter() - started
    out.rate = out.items / out.seconds
    out.narratives = len(narratives)
    out.searched = out.items - out.copies
    # The same engine on the distinct texts once each (no copy to skip): its floor.
    distinct = list(dict.fromkeys(t.text for t in texts))
    pipe2 = PostPipeline(index)
    started = time.perf_counter()
    for start_at in range(0, len(distinct), PEER_BATCH):
        pipe2.process(
            [(f"u{start_at + i}", x) for i, x in enumerate(distinct[start_at : start_at + PEER_BATCH])]
        )
    out.unique_rate = len(distinct) / (time.perf_counter() - started)
    return out


@dataclass
class InProcess:
    items: int = 0
    seconds: float = 0.0
    rate: float = 0.0
    profile_seconds: float = 0.0
    top: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, float] = field(default_factory=dict)
    queries: int = 0
    sql_seconds: float = 0.0
    sql_shapes: list[dict[str, Any]] = field(default_factory=list)


def sql_shape(sql: str) -> str:
    """A query without its values and column list: queries of one kind share it."""
    text = " ".join(sql.split())
    text = re.sub(r"'(?:[^']|'')*'", "?", text)
    text = re.sub(r"\b\d+(?:\.\d+)?\b", "?", text)
    text = re.sub(r"\((?:\s*\??\s*,)+\s*\??\s*\)", "(…)", text)
    text = re.sub(r"(\(…\)\s*,\s*)+\(…\)", "(…), …", text)
    text = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", text)
    text = re.sub(r"CAST\(\? AS [a-z ]+\)", "?", text)
    return text[:160]


def ingest_quietly(world: World, texts: list[corpus.Text], prefix: str) -> list[int]:
    """Store items with no worker running; their queued tasks are thrown away."""
    from humas.monitoring.models import Item

    ingest_stream(world, texts, prefix)
    flush_redis()
    return list(Item.objects.filter(external_id__startswith=f"{prefix}-").values_list("pk", flat=True))


def profile_run(world: World, count: int, offset: int) -> InProcess:
    """``items_process`` in this process (no queue, one thread) on fresh items of the stream, on
    the desk the 2-worker run left: once plainly, once under cProfile."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from humas.monitoring.pipeline import items_process

    out = InProcess(items=count)
    base = corpus.stream(offset + 2 * count)
    plain_ids = ingest_quietly(world, base[offset : offset + count], "plain")
    prof_ids = ingest_quietly(world, base[offset + count : offset + 2 * count], "prof")
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        items_process(item_ids=plain_ids)
    out.seconds = time.perf_counter() - started
    out.rate = count / out.seconds
    out.queries = len(queries.captured_queries)
    shapes: dict[str, list[float]] = {}
    for query in queries.captured_queries:
        shapes.setdefault(sql_shape(query["sql"]), []).append(float(query["time"]))
    out.sql_seconds = sum(sum(v) for v in shapes.values())
    out.sql_shapes = sorted(
        ({"shape": k, "count": len(v), "seconds": sum(v)} for k, v in shapes.items()),
        key=lambda r: -r["seconds"],
    )[:12]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    items_process(item_ids=prof_ids)
    profiler.disable()
    out.profile_seconds = time.perf_counter() - started
    LOGS.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(LOGS / "items_process.prof")
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({name})",
                "calls": nc,
                "tottime": tt,
                "cumtime": ct,
            }
        )
    rows.sort(key=lambda r: -r["cumtime"])
    out.top = rows[:40]
    # Where the time goes, by the functions that mark each part (cumulative, so parts overlap
    # only where one calls another: the SQL inside risk is also in "SQL").
    marks = {
        "all SQL (psycopg execute)": ("psycopg/cursor.py", "execute"),
        "claim search (ClaimIndex.search_analyses)": ("humas/textkit/index.py", "search_analyses"),
        "text analysis (Analyzer.analyze)": ("humas/textkit/normalize.py", "analyze"),
        "region tagging (RegionTagger.codes)": ("humas/textkit/regions.py", "codes"),
        "MinHash signature": ("humas/textkit/dedupe.py", "signature"),
        "relevance vocabulary (.found)": ("humas/monitoring/vocabulary.py", "found"),
        "batch apply (locks, cluster, write)": ("humas/monitoring/pipeline.py", "_apply"),
        "advisory lock wait": ("humas/monitoring/pipeline.py", "_lock_offices"),
        "clustering load (_Clusters._load)": ("humas/monitoring/pipeline.py", "_load"),
        "largest variants (_Clusters._load_largest_variants)": (
            "humas/monitoring/pipeline.py",
            "_load_largest_variants",
        ),
        "risk (narratives_assess)": ("humas/monitoring/risk.py", "narratives_assess"),
        "item write-back (bulk_set)": ("humas/monitoring/bulk.py", "bulk_set"),
    }
    for label, (path, func) in marks.items():
        out.groups[label] = sum(
            ct
            for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()  # type: ignore[attr-defined]
            if name == func and filename.endswith(path)
        )
    return out


def _short(filename: str) -> str:
    for marker in ("/humas/", "/site-packages/", "/lib/python3"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker != "/humas/"
                else "humas/" + filename.split(marker, 1)[1]
            )
    return filename


@dataclass
class IngestPart:
    items: int
    distinct_texts: int
    stream_texts: int
    claims: int
    claims_seconds: float
    ingest_alone_seconds: float = 0.0
    ingest_alone_rate: float = 0.0
    ingest_alone_cpu: float = 0.0  # CPU seconds: this process + PostgreSQL and Redis
    writeback_seconds: float = 0.0
    writeback_cpu: float = 0.0
    runs: list[WorkerRun] = field(default_factory=list)
    peer: PeerRun | None = None
    inprocess: InProcess | None = None
    load_before: str = ""
    load_after: str = ""


def writeback_alone() -> float:
    """The storage half of the pipeline with no text work: the items just taken in get the
    pipeline's own write-back statement (``bulk_set`` of its 12 result columns, 250 items per
    transaction), as if each were chatter joining no narrative. Returns the seconds it took."""
    from django.db import connection, transaction

    from humas.monitoring.bulk import bulk_set
    from humas.monitoring.models import Item, MatchDecision
    from humas.monitoring.pipeline import ITEM_RESULTS

    with connection.cursor() as cursor:
        # The statistics autovacuum would have gathered by now (a partition just filled looks
        # empty to the planner, and every row's update becomes a scan of it).
        cursor.execute("ANALYZE monitoring_item")
    t0 = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    rows = list(
        Item.objects.filter(processed_at__isnull=True).order_by("pk").values_list("pk", "published_at")
    )
    for start_at in range(0, len(rows), PEER_BATCH):
        chunk = rows[start_at : start_at + PEER_BATCH]
        objs = []
        for pk, published_at in chunk:
            item = Item(pk=pk, published_at=published_at, office_id=0, source_id=0)
            item.processed_at = now
            item.exact_key = f"{pk:032x}"
            item.relevant = False
            item.relevance_terms = []
            item.regions = {}
            item.routed_office_id = None
            item.match_decision = MatchDecision.NONE
            item.match_claim_id = None
            item.match_score = None
            item.narrative_id = None
            item.variant_id = None
            item.reach = pk % 400
            objs.append(item)
        low, high = min(r[1] for r in chunk), max(r[1] for r in chunk)
        with transaction.atomic():
            bulk_set(
                Item,
                objs,
                ITEM_RESULTS,
                within=("published_at", low, high),
                unset="processed_at",
            )
    return time.perf_counter() - t0


def part_ingest(world: World, env: dict[str, str], args: argparse.Namespace) -> IngestPart:
    texts = corpus.stream(args.items)
    base = corpus.stream_texts()
    part = IngestPart(
        items=len(texts),
        distinct_texts=len({t.text for t in base}),
        stream_texts=len(base),
        claims=world.claims,
        claims_seconds=world.claims_seconds,
        load_before=loadavg(),
    )
    log(f"ingest alone: {len(texts):,} items, no worker")
    reset_monitoring()
    servers = server_pids()
    cpu0 = cpu_seconds([os.getpid(), *servers])
    done = ingest_stream(world, texts, "alone")
    cpu1 = cpu_seconds([os.getpid(), *servers])
    part.ingest_alone_seconds = done.seconds
    part.ingest_alone_rate = done.items / done.seconds
    part.ingest_alone_cpu = cpu1 - cpu0
    log(f"  {part.ingest_alone_rate:,.0f} items/s stored")
    log("write-back alone: every stored item's result columns written as the pipeline writes them")
    part.writeback_seconds = writeback_alone()
    part.writeback_cpu = cpu_seconds([os.getpid(), *servers]) - cpu1
    log(f"  {done.items / part.writeback_seconds:,.0f} items/s written back")
    for workers in args.worker_counts:
        log(f"pipeline with {workers} worker process(es) x {args.threads} threads: {len(texts):,} items")
        run = worker_run(world, env, workers, args, texts)
        part.runs.append(run)
        log(
            f"  {run.rate:,.0f} items/s (steady {run.steady_rate:,.0f}); ingest {run.ingest_seconds:.1f} s, "
            f"wall {run.wall_seconds:.1f} s" + (" TIMED OUT" if run.timed_out else "")
        )
    log("peer: textkit PostPipeline alone")
    part.peer = peer_run(texts)
    log(f"  {part.peer.rate:,.0f} items/s ({part.peer.unique_rate:,.0f}/s on distinct texts)")
    if args.profile_items:
        log(f"in-process items_process on {args.profile_items:,} items, plain then cProfile")
        part.inprocess = profile_run(world, args.profile_items, offset=args.items)
        log(f"  {part.inprocess.rate:,.0f} items/s in one thread; profile in {LOGS / 'items_process.prof'}")
    part.load_after = loadavg()
    return part


# --- part: alert --------------------------------------------------------------------------------


@dataclass
class AlertPart:
    rate: float
    seconds: float
    items: int = 0
    achieved_rate: float = 0.0
    drained_seconds: float = 0.0
    timed_out: bool = False
    spike: dict[str, Any] = field(default_factory=dict)
    backlog_samples: list[tuple[float, int]] = field(default_factory=list)
    max_backlog: int = 0
    activity: dict[str, int] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    tracebacks: int = 0


def part_alert(world: World, env: dict[str, str], args: argparse.Namespace, rate: float) -> AlertPart:
    part = AlertPart(rate=rate, seconds=args.alert_seconds)
    count = int(rate * args.alert_seconds)
    texts = corpus.stream(count)
    reset_monitoring()
    procs = start_workers(2, env, "alert")
    try:
        warm_up(world, args.warmup, "warmalert", args.timeout)
        part.load_before = loadavg()
        t0 = time.perf_counter()
        sampler = Sampler(t0, [own_backend_pid()])
        sampler.start()
        done = ingest_stream(world, texts, "alert", spike_at=len(texts) // 3, rate=rate, t0=t0)
        part.items = done.items
        part.achieved_rate = done.items / done.seconds
        part.timed_out = not wait_processed(done.items + args.warmup, args.timeout, sampler)
        sampler.halt.set()
        sampler.join()
        part.drained_seconds = sampler.samples[-1][0] - done.seconds
        part.backlog_samples = [(round(t, 2), p) for t, _n, p in sampler.samples]
        part.max_backlog = max((p for _t, _n, p in sampler.samples), default=0)
        part.activity = sampler.activity
        time.sleep(2)
        latency = alert_latency("alert")
        part.spike = {
            **asdict(latency),
            "sent_at_s": done.spike_first_batch_at,
            "backlog": done.backlog_at_spike,
        }
        part.load_after = loadavg()
    finally:
        stop_workers(procs)
    part.tracebacks = log_problems(procs)
    return part


# --- report -------------------------------------------------------------------------------------


def table(rows: list[list[str]], head: list[str], numeric: tuple[int, ...] = ()) -> str:
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" if i in numeric else "---" for i in range(len(head))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def spike_rows(name: str, spike: dict[str, Any]) -> list[list[str]]:
    rows = []
    for alert in spike.get("alerts", []):
        rows.append(
            [
                name,
                alert["kind"],
                f"{spike.get('backlog') or 0:,}",
                _s(alert["alert_created_s"]),
                _s(alert["notification_s"]),
                ", ".join(alert["recipients"]) or "—",
            ]
        )
    if not rows:
        rows.append([name, "**no alert**", f"{spike.get('backlog') or 0:,}", "—", "—", "—"])
    return rows


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    lines: list[str] = []
    ing: IngestPart | None = results.get("ingest")
    if ing is not None:
        rows = [
            [
                "ingest alone (`items_ingest`, batches of 500, no worker)",
                f"{ing.ingest_alone_rate:,.0f}",
                "",
                "",
                "",
            ]
        ]
        for run in ing.runs:
            rows.append(
                [
                    f"pipeline, {run.workers} worker process{'es' if run.workers > 1 else ''} × {run.threads} threads"
                    + (" **(timed out)**" if run.timed_out else ""),
                    f"**{run.rate:,.0f}**",
                    f"{run.steady_rate:,.0f}",
                    f"{run.ingest_seconds:.1f} s / {run.wall_seconds:.1f} s",
                    f"{run.rate / ing.peer.rate:.2f}" if ing.peer else "",
                ]
            )
        if ing.peer:
            rows.append(
                [
                    "peer: textkit `PostPipeline` alone, 1 process, batches of 250",
                    f"{ing.peer.rate:,.0f}",
                    "",
                    f"{ing.peer.seconds:.1f} s",
                    "1.00",
                ]
            )
            rows.append(
                [
                    "peer on the distinct texts once each (no copy to skip)",
                    f"{ing.peer.unique_rate:,.0f}",
                    "",
                    "",
                    "",
                ]
            )
        if ing.inprocess:
            rows.append(
                [
                    f"`items_process` in one thread, no queue ({ing.inprocess.items:,} fresh items)",
                    f"{ing.inprocess.rate:,.0f}",
                    "",
                    f"{ing.inprocess.seconds:.1f} s",
                    f"{ing.inprocess.rate / ing.peer.rate:.2f}" if ing.peer else "",
                ]
            )
        lines += [
            f"Stream: {ing.items:,} items ({ing.stream_texts:,} texts, {ing.distinct_texts:,} distinct, "
            "repeated in the same order with new ids); knowledge base "
            f"{ing.claims:,} claims (stored in {ing.claims_seconds:.1f} s).",
            "",
            table(
                rows,
                ["what", "items/s", "items/s, steady (10–90 %)", "ingest / wall", "÷ textkit"],
                numeric=(1, 2, 3, 4),
            ),
            "",
        ]
        run_rows = []
        for run in ing.runs:
            run_rows.append(
                [
                    str(run.workers),
                    f"{run.narratives:,}",
                    f"{run.relevant_items:,}",
                    f"{run.matched_items:,}",
                    f"{run.alerts:,} / {run.notifications:,}",
                    ", ".join(f"{k} {v:,}" for k, v in sorted(run.routed.items())),
                    ", ".join(f"{k} {v:.0f}" for k, v in run.cpu.items()),
                    f"{run.load_before} → {run.load_after}",
                    str(run.tracebacks),
                ]
            )
        lines += [
            table(
                run_rows,
                [
                    "workers",
                    "narratives",
                    "relevant items",
                    "matched items",
                    "alerts / notifications",
                    "items routed to (level)",
                    "CPU s",
                    "load avg",
                    "tracebacks",
                ],
            ),
            "",
        ]
        kinds = sorted({k for run in ing.runs for k in run.activity})
        if kinds:
            act_rows = []
            for kind in kinds:
                row = [kind]
                for run in ing.runs:
                    total = sum(run.activity.values()) or 1
                    row.append(f"{100 * run.activity.get(kind, 0) / total:.0f} %")
                act_rows.append(row)
            lines += [
                "The workers' database connections while items were pending (pg_stat_activity every 0.25 s; "
                "one connection per worker thread):",
                "",
                table(
                    act_rows,
                    ["state", *(f"{r.workers} worker(s)" for r in ing.runs)],
                    numeric=tuple(range(1, 1 + len(ing.runs))),
                ),
                "",
            ]
        if ing.inprocess:
            ip = ing.inprocess
            lines += [
                f"`items_process` in one thread on {ip.items:,} fresh items: {ip.seconds:.1f} s, {ip.queries:,} queries, "
                f"{ip.sql_seconds:.1f} s of it in SQL round trips. SQL by kind of query:",
                "",
                table(
                    [
                        [f"`{r['shape'][:120]}`", str(r["count"]), f"{r['seconds'] * 1000:,.0f} ms"]
                        for r in ip.sql_shapes[:8]
                    ],
                    ["query", "count", "time"],
                    numeric=(1, 2),
                ),
                "",
                f"Under cProfile ({ip.profile_seconds:.1f} s for {ip.items:,} other fresh items), cumulative time by part:",
                "",
                table(
                    [
                        [k, f"{v:.2f} s", f"{100 * v / ip.profile_seconds:.0f} %"]
                        for k, v in ip.groups.items()
                    ],
                    ["part", "cumulative", "share"],
                    numeric=(1, 2),
                ),
                "",
                "Top 15 functions by cumulative time:",
                "",
                table(
                    [
                        [
                            f"`{r['function']}`",
                            f"{r['calls']:,}",
                            f"{r['tottime']:.2f}",
                            f"{r['cumtime']:.2f}",
                        ]
                        for r in ip.top[:15]
                    ],
                    ["function", "calls", "tottime s", "cumtime s"],
                    numeric=(1, 2, 3),
                ),
                "",
            ]
        if ing.peer:
            lines += [
                f"Peer: {ing.peer.searched:,} of {ing.peer.items:,} texts searched in the claim index, "
                f"{ing.peer.copies:,} copies took an earlier result; {ing.peer.matched:,} matches, "
                f"{ing.peer.narratives:,} narratives; index built in {ing.peer.index_seconds:.1f} s (not timed).",
                "",
            ]
            if ing.ingest_alone_cpu and ing.writeback_cpu:
                store = 1000 * ing.ingest_alone_cpu / ing.items
                back = 1000 * ing.writeback_cpu / ing.items
                peer_ms = 1000 / ing.peer.rate
                cores = os.cpu_count() or 1
                bound = cores * 1000 / (store + back + peer_ms)
                lines += [
                    "Storage with no text work, in this run (CPU of this process + PostgreSQL and Redis, per "
                    f"item): taking items in {store:.3f} ms ({ing.ingest_alone_rate:,.0f} items/s), writing "
                    f"back their results {back:.3f} ms ({ing.items / ing.writeback_seconds:,.0f} items/s); the "
                    f"peer's text work {peer_ms:.3f} ms. A pipeline doing only the peer's work and storing every "
                    "item and its results, with nothing else (no queue, no read-back, no narratives), could "
                    f"reach at most {cores} cores / {store + back + peer_ms:.3f} ms = **{bound:,.0f} items/s "
                    f"here, {bound / ing.peer.rate:.2f} × the peer**.",
                    "",
                ]
    spike_table: list[list[str]] = []
    if ing is not None:
        for run in ing.runs:
            spike_table += spike_rows(f"unpaced, {run.workers} worker(s)", run.spike)
    alert: AlertPart | None = results.get("alert")
    if alert is not None:
        spike_table += spike_rows(f"paced {alert.achieved_rate:,.0f} items/s, 2 workers", alert.spike)
    if spike_table:
        lines += [
            table(
                spike_table,
                ["stream", "alert", "backlog at the spike (items)", "alert row", "notification", "notified"],
                numeric=(2, 3, 4),
            ),
            "",
        ]
    if alert is not None:
        lines += [
            f"Paced stream: {alert.items:,} items at {alert.achieved_rate:,.0f} items/s (asked {alert.rate:,.0f}); "
            f"largest backlog {alert.max_backlog:,} items; drained {alert.drained_seconds:.1f} s after the last ingest; "
            f"load average {alert.load_before} → {alert.load_after}; tracebacks in the workers' logs {alert.tracebacks}.",
            "",
        ]
    pages = results.get("pages")
    if pages is not None:
        lines += [pages.markdown(), ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--parts", default="ingest,alert,pages", help="any of ingest,alert,pages (comma-separated)"
    )
    parser.add_argument("--items", type=int, default=48_000, help="items in the sustained stream")
    parser.add_argument("--workers", default="1,2", help="worker process counts, run one after another")
    parser.add_argument("--threads", type=int, default=4, help="consumer threads per worker (HUMAS_WORKERS)")
    parser.add_argument("--warmup", type=int, default=2000, help="items processed before each clock starts")
    parser.add_argument(
        "--sources",
        choices=("spread", "national"),
        default="spread",
        help="spread: API sources of the national office and the 38 provinces, round robin per batch; "
        "national: one API source of KPU RI",
    )
    parser.add_argument(
        "--profile-items", type=int, default=2000, help="items for the in-process profile (0: skip)"
    )
    parser.add_argument(
        "--alert-rate", type=float, default=0.0, help="items/s of the paced stream (0: 0.8 x measured)"
    )
    parser.add_argument("--alert-seconds", type=float, default=45.0)
    parser.add_argument("--page-items", type=int, default=1_000_000)
    parser.add_argument("--page-narratives", type=int, default=5_000)
    parser.add_argument("--page-repeats", type=int, default=60, help="timed requests per page")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a stream to drain")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    parser.add_argument(
        "--tree",
        type=Path,
        help="measure the humas package of another tree (a copy with a change to try); default this checkout",
    )
    args = parser.parse_args()
    if args.tree:
        CODE[0] = args.tree.resolve()
        sys.path.insert(0, str(CODE[0]))
    args.worker_counts = [int(x) for x in args.workers.split(",") if x]
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - {"ingest", "alert", "pages"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    started = dt.datetime.now(dt.UTC)
    info = machine()
    header = {
        "command": "python bench/monitoring/run.py" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else ""),
        "date": f"{started:%Y-%m-%d %H:%M} UTC",
        "commit": git_commit() + (f", humas package from {CODE[0]}" if CODE[0] != REPO else ""),
        "machine": info,
        "load_before": loadavg(),
    }
    log(f"load average {header['load_before']}; commit {header['commit']}")
    env = bench_env(args.threads)
    results: dict[str, Any] = {}

    def on_signal(signum: int, frame: object) -> None:
        stop_all()
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        log(f"fresh database {DB_NAME}, Redis db 14, migrate (production settings)")
        header["migrate_seconds"] = round(fresh_database(env), 1)
        django_setup(env)
        import django
        import psycopg
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            header["software"] = {
                "python": platform.python_version(),
                "django": django.get_version(),
                "postgresql": cursor.fetchone()[0],
                "psycopg": psycopg.__version__,
                "huey": importlib.metadata.version("huey"),
                "redis": subprocess.run(
                    ["redis-cli", "INFO", "server"], capture_output=True, text=True, check=False
                )
                .stdout.split("redis_version:")[-1]
                .split()[0],
            }
        world = setup_world(args.sources)
        log(f"{world.claims:,} claims in the knowledge base, {len(world.sources)} API sources")

        def keep(name: str, value: Any) -> None:
            # Each part's figures are written as soon as it ends: a later failure loses no earlier part.
            results[name] = value
            LOGS.mkdir(parents=True, exist_ok=True)
            partial = {"header": header, **{k: _plain(v) for k, v in results.items()}}
            (LOGS / "partial.json").write_text(json.dumps(partial, default=str) + "\n", encoding="utf-8")

        if "ingest" in parts:
            keep("ingest", part_ingest(world, env, args))
        if "alert" in parts:
            rate = args.alert_rate
            if not rate:
                two = [r for r in results["ingest"].runs if r.workers == 2] if "ingest" in results else []
                rate = round(0.8 * two[0].rate, -1) if two and not two[0].timed_out else 500.0
            log(
                f"alert latency: 2 workers, paced stream at {rate:,.0f} items/s for {args.alert_seconds:.0f} s"
            )
            keep("alert", part_alert(world, env, args, rate))
        if "pages" in parts:
            import pages

            log("collectstatic (the pages render with production's hashed static names)")
            subprocess.run(  # noqa: S603
                [str(PYTHON), "-m", "humas.cli", "manage", "collectstatic", "--noinput", "-v", "0"],
                cwd=CODE[0],
                env=env,
                check=True,
            )
            reset_monitoring()
            keep("pages", pages.part_pages(world, args, log))
    finally:
        stop_all()
        header["load_after"] = loadavg()
        if not args.keep:
            with contextlib.suppress(Exception):
                from django.db import connections

                connections.close_all()
                import psycopg

                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            with contextlib.suppress(Exception):
                flush_redis()

    text = report(results, args)
    print()
    print(f"- Command: `{header['command']}`")
    print(f"- Date: {header['date']}, commit `{header['commit']}`")
    print(f"- Machine: {info['nproc']} CPUs ({info['cpu']}), RAM {info['ram']}, {info['kernel']}")
    print(f"- Software: {header.get('software')}")
    print(f"- Load average: {header['load_before']} before, {header['load_after']} after")
    print()
    print(text)
    payload = {"header": header, **{k: _plain(v) for k, v in results.items()}}
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "report.md").write_text(text, encoding="utf-8")
    line = json.dumps(payload, default=str)
    if args.json:
        args.json.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


def _plain(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


if __name__ == "__main__":
    raise SystemExit(main())
