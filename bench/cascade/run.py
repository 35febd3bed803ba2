#!/usr/bin/env python3
"""Cascades down the hierarchy at the commission's scale (issue #18): KPU RI sends a post to all
552 offices below it, reads the board of those 552 offices, has the cascade auto-published to
552 offices x 3 channels through the delivery engine, and reads the national calendar month
with 10,000 posts.

On PostgreSQL with the production settings (Redis as the queue), parts 1-3 and 5 in this process
(no worker runs, so the tasks a cascade enqueues wait in Redis instead of running in the measured
call), part 4 with the strict fakes and two ``humas worker`` processes:

  1. **send**: ``cascade_create`` of a fresh approved KPU RI post to every office below
     (``Scope.BELOW``), ``--sends`` times, each a new post: wall time of the call (what the
     person pressing "Teruskan" waits for: checks, one bulk insert of 552 rows, the audit
     event, the commit), and its queries. Then the task it enqueued that tells the offices
     (``cascade_notify_offices``), run here: its time and the notifications it made (an Editor
     and an Operator in every office: 1,104 people; e-mail goes to a dummy backend);
  2. **board**: the last cascade answered the way the demo's is, at scale: 40 % of the offices
     adopt it (``cascade_adopt`` on their portal channel, one after another), 10 % adapt it,
     10 % decline it with a reason; the portal deliveries of half of the adopters are then
     marked sent as the delivery engine would (no worker runs). The board page, its CSV, the
     board filtered to one province's pending offices and Jawa Tengah's part of it are requested
     ``--repeats`` times each with Django's test Client, in-process, as KPU RI's Editor (and
     Jawa Tengah's), after 3 warm-up requests: median, p95, max and the queries of one request;
  3. **auto**: every office opts in (its portal channel and two assisted channels, so nothing
     leaves the machine) and one more cascade is sent; its targets are adopted by
     ``cascade_auto_adopt_many`` in batches of ``AUTO_ADOPT_BATCH``, one after another in this
     process (what each ``cascade_auto_adopt_task`` of a lane runs in a worker): the time per
     office (a batch's time shared by its offices) and in all;
  4. **autopublish**: bench/delivery's set-up (loaded from bench/delivery/run.py: the fakes with
     its latency, limits and faults, 552 seeded accounts, each office's Facebook page, X account
     and Telegram channel connected through ``channel_connect_token``, its worker settings and
     its lower bound ``bound()``); every office opts in on those three channels
     (``cascade_auto_publish_set``, by its own Administrator); ``--workers`` ``humas worker``
     processes of ``--threads`` threads; KPU RI sends one cascade to all offices below
     (``cascade_create``). Clock from the cascade's commit to the last of the 1,656 deliveries
     settled (the adoptions happen in the workers, in the lanes of ``cascade_auto_adopt_task``,
     and each publishes through the delivery engine): wall time, the adoptions' times, wall / bound,
     states, posts on the fakes (exactly one per channel), CPU per process group, the machine's
     busy share, load average. Then the peer with the same workers, fakes and database:
     bench/delivery's own measurement (each office's approved post published to the same three
     channels, 552 publications in one transaction, clock from its commit). The earlier parts'
     leftovers (their tasks in Redis, their unsettled deliveries) are dropped first;
  5. **calendar**: ``--posts`` posts (10,000) and ``--articles`` portal articles in one month,
     spread over the 553 offices (82 % by regencies and cities), written in bulk as the services
     leave them (drafts, in review, approved, published with deliveries sent, queued, waiting for
     a person or failed, the articles deliveries to the portal made), then ``ANALYZE``. Requested
     as KPU RI's Editor: the month feed FullCalendar loads (``coordination:data``, six weeks,
     rolled up over every office), the list view without JavaScript (``coordination:calendar``),
     and Jawa Tengah's month rolled up (feed and list): median, p95, max, queries, SQL time,
     bytes; a cProfile of one request of each and an EXPLAIN ANALYZE of the feed's slowest query
     go to var/bench-cascade/.

    python bench/cascade/run.py                 # every part, about 10 minutes on two cores
    python bench/cascade/run.py --sends 3 --repeats 10
    python bench/cascade/run.py --parts calendar --posts 10000 --month 2026-12

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. It drops
and creates the database humas_bench_cascade (dropped again at the end unless --keep) and empties
Redis database 13. Targets (issue #18): the 552 queue items in under 2 s; the board and the
national calendar month with 10,000 posts in under 300 ms with a bounded number of queries;
auto-publishing to 552 offices x 3 channels within 1.5 x the rate-limit lower bound. The figures
describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import importlib.util
import io
import json
import os
import platform
import pstats
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "humas_bench_cascade"
REDIS_URL = "redis://127.0.0.1:6379/13"
LOGS = REPO / "var" / "bench-cascade"
WARMUP = 3
sys.path.insert(0, str(REPO))


def log(message: str) -> None:
    print(f"[{dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def machine_jiffies() -> tuple[int, int]:
    """(busy, all) CPU time of the whole machine so far, every process of everyone included."""
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the machine's CPU time that was busy between two readings."""
    return round((after[0] - before[0]) / max(1, after[1] - before[1]), 2)


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    found = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{int(found[1]) / 1024 / 1024:.1f} GiB" if found else "?",
        "kernel": platform.platform(),
        "python": platform.python_version(),
    }


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


# --- environment ---------------------------------------------------------------------------------


def bench_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "humas.config.settings.production",
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "HUMAS_REDIS_URL": REDIS_URL,
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


def fresh_database(env: dict[str, str]) -> float:
    import psycopg
    import redis

    started = time.perf_counter()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    for command in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([str(PYTHON), "-m", "humas.cli", "manage", *command], cwd=REPO, env=env, check=True)  # noqa: S603
    return time.perf_counter() - started


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.getLogger("huey").setLevel(logging.WARNING)


# --- the world -----------------------------------------------------------------------------------


def setup_world() -> dict[str, Any]:
    """The 553 offices; KPU RI's Operator, Editor and Administrator; an Editor and an Operator in
    each of the 552 offices below (made in bulk, without passwords: nobody signs in as them)."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from humas.accounts.models import User
    from humas.offices.models import Membership, Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load

    offices_load(text=default_regions_text())
    national = Office.objects.get(code="00")
    below = list(Office.objects.filter(level__in=("provinsi", "kabupaten-kota")).order_by("path"))
    unusable = make_password(None)
    people = {}
    for role, email in (("operator", "operator.ri"), ("editor", "editor.ri"), ("admin", "admin.ri")):
        user = User.objects.create(email=f"{email}@kpu.bench", full_name=email, password=unusable)
        Membership.objects.create(user=user, office=national, role=role)
        people[email] = user
    jateng = Office.objects.get(code="33")
    staff = User.objects.bulk_create(
        [
            User(
                email=f"{role}.{office.slug}@kpu.bench", full_name=f"{role} {office.name}", password=unusable
            )
            for office in below
            for role in ("editor", "operator")
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, office=below[index // 2], role=("editor", "operator")[index % 2])
            for index, user in enumerate(staff)
        ]
    )
    people["editor.jateng"] = User.objects.get(email=f"editor.{jateng.slug}@kpu.bench")
    for user in (people["editor.ri"], people["editor.jateng"]):
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return {
        "national": national,
        "jateng": jateng,
        "below": below,
        "people": people,
        "staff": len(staff),
    }


def national_post(world: dict[str, Any], number: int, text: str = "") -> Any:
    from humas.publishing.portal_channel import portal_channel_ensure
    from humas.publishing.services import post_approve, post_create, post_submit

    people = world["people"]
    post = post_create(
        actor=people["operator.ri"],
        office=world["national"],
        text=text
        or (
            f"Pengumuman {number}: cek DPT online di cekdptonline.kpu.go.id. Datangi {{nama_kantor}} "
            "atau hubungi {kontak}; informasi di {url_portal}."
        ),
        channels=[portal_channel_ensure(office=world["national"])],
    )
    post_submit(actor=people["operator.ri"], post=post)
    return post_approve(actor=people["editor.ri"], post=post)


def client_for(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


# --- the parts -----------------------------------------------------------------------------------


def part_send(world: dict[str, Any], sends: int) -> tuple[dict[str, Any], Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from humas.coordination.cascades import cascade_create, cascade_notify_offices
    from humas.coordination.models import Cascade
    from humas.notifications.models import Notification

    seconds, notify_seconds, queries, told = [], [], 0, 0
    cascade = None
    for number in range(sends):
        post = national_post(world, number)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            cascade = cascade_create(
                actor=world["people"]["editor.ri"],
                office=world["national"],
                source=post,
                scope=Cascade.Scope.BELOW,
                deadline=timezone.now() + dt.timedelta(days=2),
            )
            seconds.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
        before = Notification.objects.count()
        started = time.perf_counter()
        cascade_notify_offices(cascade_id=cascade.pk)
        notify_seconds.append(time.perf_counter() - started)
        told = Notification.objects.count() - before
        log(
            f"send {number + 1}: {seconds[-1] * 1000:.0f} ms, notify {notify_seconds[-1]:.1f} s ({told} people)"
        )
    assert cascade is not None
    return (
        {
            "targets": cascade.targets.count(),
            "sends": sends,
            "create": stats(seconds),
            "create_queries": queries,
            "notify_seconds_median": round(statistics.median(notify_seconds), 2),
            "notifications_per_send": told,
        },
        cascade,
    )


def answer(world: dict[str, Any], cascade: Any) -> dict[str, Any]:
    """40 % adopt, 10 % adapt, 10 % decline; half the adopters' portal deliveries marked sent."""
    from django.utils import timezone

    from humas.accounts.models import User
    from humas.coordination.cascades import cascade_adapt, cascade_adopt, cascade_decline
    from humas.coordination.models import CascadeTarget
    from humas.publishing.models import Delivery
    from humas.publishing.portal_channel import portal_channel_ensure

    targets = list(
        CascadeTarget.objects.filter(cascade=cascade).select_related("office").order_by("office__path")
    )
    operators = {u.email: u for u in User.objects.filter(email__startswith="operator.")}
    adopt_seconds = []
    counts = {"adopted": 0, "adapted": 0, "declined": 0}
    for index, target in enumerate(targets):
        actor = operators[f"operator.{target.office.slug}@kpu.bench"]
        share = index % 10
        if share < 4:
            started = time.perf_counter()
            cascade_adopt(actor=actor, target=target, channels=[portal_channel_ensure(office=target.office)])
            adopt_seconds.append(time.perf_counter() - started)
            counts["adopted"] += 1
        elif share == 4:
            cascade_adapt(actor=actor, target=target)
            counts["adapted"] += 1
        elif share == 5:
            cascade_decline(actor=actor, target=target, reason="Sudah diunggah dengan versi kantor sendiri.")
            counts["declined"] += 1
    adopted_posts = list(
        CascadeTarget.objects.filter(cascade=cascade, status="adopted").values_list("post_id", flat=True)
    )
    sent = Delivery.objects.filter(publication__post_id__in=adopted_posts[::2]).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), url="http://localhost/berita/contoh/"
    )
    return {**counts, "deliveries_marked_sent": sent, "adopt_one": stats(adopt_seconds)}


def timed_get(client: Any, url: str, repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    measured = {
        "url": url,
        **stats(samples),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
        "bytes": len(response.content),
        "repeats": repeats,
    }
    if response["Content-Type"].startswith("application/json"):
        body = json.loads(response.content)
        measured.update(entries=body["total"], events=len(body["events"]))
    return measured


def part_board(world: dict[str, Any], cascade: Any, repeats: int) -> dict[str, Any]:
    ri = client_for(world["people"]["editor.ri"])
    jateng = client_for(world["people"]["editor.jateng"])
    base = f"/app/ri/teruskan/{cascade.pk}/"
    pages = [
        ("board, 552 offices (first page of 100 rows)", ri, base),
        ("board, every row sorted by publication time", ri, f"{base}?urut=terbit"),
        ("board filtered: Jawa Tengah's pending offices", ri, f"{base}?status=pending&provinsi=33"),
        ("CSV, 552 rows", ri, f"{base}csv/"),
        ("Jawa Tengah's part (36 offices)", jateng, f"/app/jateng/teruskan/{cascade.pk}/"),
    ]
    return {"pages": [{"name": name, **timed_get(client, url, repeats)} for name, client, url in pages]}


def office_admins(world: dict[str, Any]) -> list[Any]:
    """An Administrator in each of the 552 offices below (made once, in bulk), in ``below``'s order."""
    from django.contrib.auth.hashers import make_password

    from humas.accounts.models import User
    from humas.offices.models import Membership

    wanted = {f"admin.{o.slug}@kpu.bench": o for o in world["below"]}
    found = {u.email: u for u in User.objects.filter(email__in=wanted)}
    missing = [(email, office) for email, office in wanted.items() if email not in found]
    if missing:
        made = User.objects.bulk_create(
            [
                User(email=email, full_name=f"admin {o.name}", password=make_password(None))
                for email, o in missing
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=user, office=wanted[user.email], role="admin") for user in made]
        )
        found.update({u.email: u for u in made})
    return [found[email] for email in wanted]


def part_auto(world: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from humas.channels.models import Channel
    from humas.coordination.cascades import AUTO_ADOPT_BATCH, cascade_auto_adopt_many, cascade_create
    from humas.coordination.models import Cascade, CascadeAutoPublish, CascadeTarget
    from humas.publishing.models import Delivery
    from humas.publishing.portal_channel import portal_channel_ensure

    below = world["below"]
    admins = office_admins(world)
    assisted = Channel.objects.bulk_create(
        [
            Channel(office=o, platform=platform, name=o.name, handle=f"kpu{o.slug}"[:100])
            for o in below
            for platform in ("tiktok", "whatsapp")
        ]
    )
    by_office: dict[int, list[Any]] = {}
    for channel in assisted:
        by_office.setdefault(channel.office_id, []).append(channel)
    for office, admin in zip(below, admins, strict=True):
        setting = CascadeAutoPublish.objects.create(office=office, set_by=admin)
        setting.channels.set([portal_channel_ensure(office=office), *by_office[office.pk]])
    post = national_post(world, 999)
    cascade = cascade_create(
        actor=world["people"]["editor.ri"],
        office=world["national"],
        source=post,
        scope=Cascade.Scope.BELOW,
        deadline=timezone.now() + dt.timedelta(days=2),
    )
    ids = list(CascadeTarget.objects.filter(cascade=cascade).order_by("pk").values_list("pk", flat=True))
    samples = []
    started = time.perf_counter()
    for start in range(0, len(ids), AUTO_ADOPT_BATCH):
        batch = ids[start : start + AUTO_ADOPT_BATCH]
        one = time.perf_counter()
        cascade_auto_adopt_many(target_ids=batch)
        samples += [(time.perf_counter() - one) / len(batch)] * len(batch)
    total = time.perf_counter() - started
    adopted = CascadeTarget.objects.filter(cascade=cascade, status="adopted", automatic=True).count()
    deliveries = Delivery.objects.filter(publication__post__cascade_targets__cascade=cascade).count()
    return {
        "offices": len(ids),
        "adopted_automatically": adopted,
        "deliveries_created": deliveries,
        "seconds_in_one_process": round(total, 1),
        "per_office": stats(samples),
    }


# --- part 4: auto-publishing a cascade through the delivery engine -------------------------------


def delivery_bench() -> ModuleType:
    """bench/delivery's fakes settings, limits, faults, lower bound and process helpers, loaded by
    path (its own database, Redis database and logs are not used here)."""
    spec = importlib.util.spec_from_file_location("delivery_bench", REPO / "bench" / "delivery" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["delivery_bench"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def start(dl: ModuleType, name: str, argv: list[str], env: dict[str, str]) -> Any:
    """bench/delivery's ``start``, with this bench's log folder."""
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"{name}.log"
    with path.open("wb") as handle:
        popen = subprocess.Popen(argv, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)  # noqa: S603
    return dl.Proc(name, popen, path)


AUTO_PLATFORMS = ("facebook", "x", "telegram")
AUTO_TEXT = (
    "Cek DPT online di cekdptonline.kpu.go.id: cukup masukkan NIK. Informasi pemilu di "
    "{nama_kantor}: {url_portal}"
)


def connect_channels(dl: ModuleType, world: dict[str, Any], fakes_url: str) -> dict[int, list[Any]]:
    """Each office's Facebook page, X account and Telegram channel, connected as bench/delivery
    connects them (its ``connect_channels``), by KPU RI's Administrator."""
    pairs = dl.connect_channels(world["people"]["admin.ri"], world["below"], fakes_url)
    return {office.pk: channels for office, channels in pairs}


def quiet_earlier_parts() -> dict[str, int]:
    """The earlier parts ran no worker: the tasks they enqueued (telling offices, their adoptions'
    deliveries) wait in Redis and their deliveries wait in the database. Dropped here, so that the
    workers started next do this part's work only: Redis database 13 emptied, unsettled deliveries
    marked cancelled (the sweeper would otherwise send them, a minute in)."""
    import redis

    from humas.publishing.models import Delivery

    tasks = int(redis.Redis.from_url(REDIS_URL).dbsize())
    redis.Redis.from_url(REDIS_URL).flushdb()
    cancelled = Delivery.objects.exclude(
        state__in=("sent", "failed", "needs_attention", "cancelled", "withdrawn")
    ).update(state=Delivery.State.CANCELLED, next_attempt_at=None)
    return {"redis_keys_dropped": tasks, "deliveries_cancelled": cancelled}


PEER_TEXT = (
    "KPU mengumumkan jadwal rekapitulasi hasil penghitungan suara tingkat kabupaten/kota. "
    "Ikuti prosesnya secara terbuka dan laporkan kabar bohong kepada kami."
)


def peer_posts(world: dict[str, Any], connected: dict[int, list[Any]]) -> list[tuple[Any, list[Any]]]:
    """bench/delivery's posts: one approved announcement per office on its three channels (written
    by its Operator, approved by its Editor), for the peer measured after the cascade."""
    from humas.accounts.models import User
    from humas.publishing.services import post_approve, post_create, post_submit

    staff = {u.email: u for u in User.objects.filter(email__endswith="@kpu.bench")}
    made = []
    for office in world["below"]:
        operator, editor = (
            staff[f"operator.{office.slug}@kpu.bench"],
            staff[f"editor.{office.slug}@kpu.bench"],
        )
        channels = connected[office.pk]
        post = post_create(
            actor=operator, office=office, text=f"{PEER_TEXT} #{office.code}", channels=channels
        )
        post_submit(actor=operator, post=post)
        made.append((post_approve(actor=editor, post=post), channels))
    return made


def wait_settled(
    dl: ModuleType, deliveries: Any, expected: int, t0: float, timeout: float, done: Any = None
) -> bool:
    """Poll until the ``expected`` deliveries are settled (or ``done()`` says nothing more will
    come); False when ``timeout`` seconds passed first. Logs the states every 5 s."""
    from django.db.models import Count

    last_report = 0.0
    while True:
        counts = Counter(dict(deliveries.values("state").annotate(n=Count("pk")).values_list("state", "n")))
        settled = sum(counts[s] for s in dl.SETTLED)
        now = time.time()
        if now - last_report > 5:
            extra = done.progress() if done is not None else ""
            log(f"  {now - t0:5.1f} s: {extra}" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            last_report = now
        if settled == expected or (done is not None and done.finished() and settled == sum(counts.values())):
            return True
        if now > t0 + timeout:
            return False
        time.sleep(0.25)


def settled_figures(
    dl: ModuleType, deliveries: Any, t0: float, workers: int, threads: int, stalls: int
) -> dict[str, Any]:
    """Wall time (the last ``updated_at`` of a settled delivery), its spread, states, attempts, and
    bench/delivery's lower bound for these deliveries."""
    times = sorted(
        moment.timestamp() - t0
        for moment in deliveries.filter(state__in=dl.SETTLED).values_list("updated_at", flat=True)
    )
    count = deliveries.count()
    offices = deliveries.values("publication__post__office").distinct().count()
    bound, parts = dl.bound(count, offices, workers * threads, stalls)
    wall = round(times[-1], 1) if times else float("nan")
    return {
        "deliveries": count,
        "wall": wall,
        "p50": round(times[len(times) // 2], 1) if times else float("nan"),
        "p90": round(times[int(len(times) * 0.9)], 1) if times else float("nan"),
        "states": dict(Counter(deliveries.values_list("state", flat=True))),
        "attempts": sum(deliveries.values_list("attempt_count", flat=True)),
        "retried": deliveries.filter(attempt_count__gt=1).count(),
        "last": [
            f"{d.channel.platform} {d.updated_at.timestamp() - t0:.1f} s ({d.attempt_count} attempts)"
            for d in deliveries.filter(state__in=dl.SETTLED)
            .select_related("channel")
            .order_by("-updated_at")[:5]
        ],
        "bound": round(bound, 2),
        "bound_parts": [(name, round(seconds, 2), formula) for name, seconds, formula in parts],
        "ratio": round(wall / bound, 2) if times else float("nan"),
    }


def cpu_reading(dl: ModuleType, groups: dict[str, Any]) -> dict[str, dict[int, float]]:
    """CPU seconds so far of each process of each group (``groups``: name -> the pids now)."""
    return {
        name: {pid: dl.cpu_seconds([pid]) for pid in pids() if Path(f"/proc/{pid}/stat").exists()}
        for name, pids in groups.items()
    }


def cpu_used(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
    """CPU seconds each group used between two readings, process by process: a process started
    meanwhile counts from zero; one that ended meanwhile (a PostgreSQL backend past
    CONN_MAX_AGE) is left out, not subtracted."""
    return {
        name: round(sum(seconds - before[name].get(pid, 0.0) for pid, seconds in pids.items()), 1)
        for name, pids in after.items()
    }


def faults_fired(dl: ModuleType, fakes_url: str) -> Counter[str]:
    fired: Counter[str] = Counter()
    for fault in dl.http_json(f"{fakes_url}/_control/faults")["faults"]:
        kind = fault["kind"] + (" after acting" if fault.get("commit") else "")
        fired[f"{fault['platform']} {kind}"] += fault["fired"]
    return fired


def stalls_of(fired: Counter[str]) -> int:
    return sum(v for k, v in fired.items() if "timeout" in k)  # as bench/delivery counts them


def person_step(
    dl: ModuleType, fakes_url: str, deliveries: Any, actors: dict[int, Any], timeout: float
) -> dict[str, Any]:
    """What a delivery that needs a person asks of one (bench/delivery does the same): check the
    channel on the fake, record the post's link where it is there, send again only where it is not."""
    from humas.publishing.assisted import delivery_confirm_published
    from humas.publishing.delivery import delivery_retry

    attention = list(
        deliveries.filter(state="needs_attention").select_related("channel", "publication__post")
    )
    if not attention:
        return {}
    seen, done = dl.fake_posts(fakes_url), Counter()
    for delivery in attention:
        platform, account = delivery.channel.platform, str(delivery.channel.account_id)
        actor = actors[delivery.publication.post.office_id]
        if seen.on(platform, account):
            delivery_confirm_published(actor=actor, delivery=delivery, url=seen.link(platform, account))
            done[f"{platform} found"] += 1
        else:
            delivery_retry(actor=actor, delivery=delivery)
            done[f"{platform} sent again"] += 1
    deadline = time.time() + timeout
    while deliveries.exclude(state__in=dl.SETTLED).exists() and time.time() < deadline:
        time.sleep(0.25)
    return {"done": dict(done), "states_after": dict(Counter(deliveries.values_list("state", flat=True)))}


def part_autopublish(world: dict[str, Any], env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Every office opts in on its Facebook, X and Telegram channels; two ``humas worker``
    processes; KPU RI sends one cascade to all 552 offices; clock from its commit to the last of
    the 1,656 deliveries settled. Then the peer, with the same workers, fakes and database:
    bench/delivery's measurement (each office's own approved post published to the same three
    channels, 552 publications in one transaction, clock from its commit)."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from humas.coordination.cascades import cascade_auto_publish_set, cascade_create
    from humas.coordination.models import Cascade, CascadeTarget
    from humas.publishing.delivery import publication_create
    from humas.publishing.models import Delivery

    dl = delivery_bench()
    port = dl.free_port()
    fakes_url = f"http://127.0.0.1:{port}"
    below = world["below"]
    run_env = {
        **env,
        "HUMAS_PLATFORM_BASE_URLS": ",".join(
            f"{p}={fakes_url}" for p in ("facebook", "instagram", "x", "telegram")
        ),
        "HUMAS_WORKERS": str(args.threads),
        "PYTHONUNBUFFERED": "1",
        **dl.BENCH_SETTINGS,
    }
    result: dict[str, Any] = {
        "workers": args.workers,
        "threads": args.threads,
        "latency_ms": dl.LATENCY_MS,
        "settings": dict(dl.BENCH_SETTINGS),
        "fault_share": dl.FAULT_SHARE,
    }
    fakes = start(
        dl,
        "fakes-autopublish",
        [
            str(PYTHON),
            "-m",
            "humas.cli",
            "fakes",
            "serve",
            "--port",
            str(port),
            "--seed",
            str(len(below)),
            "--quiet",
        ],
        run_env,
    )
    workers: list[Any] = []
    try:
        # This process connects the channels: it talks to this run's fakes.
        settings.HUMAS_PLATFORM_BASE_URLS = dict(
            item.split("=", 1) for item in run_env["HUMAS_PLATFORM_BASE_URLS"].split(",")
        )
        for _ in range(100):
            with contextlib.suppress(OSError):
                dl.http_json(f"{fakes_url}/_control/state", timeout=2)
                break
            time.sleep(0.1)
        result["earlier_parts"] = quiet_earlier_parts()
        started = time.perf_counter()
        connected = connect_channels(dl, world, fakes_url)
        admins = office_admins(world)
        for office, admin in zip(below, admins, strict=True):
            cascade_auto_publish_set(actor=admin, office=office, channels=connected[office.pk])
        source = national_post(world, 0, text=AUTO_TEXT)
        peers = peer_posts(world, connected)
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
        result["channels"] = sum(len(c) for c in connected.values())
        log(
            f"  {len(connected)} offices opted in on {result['channels']} channels connected to the fakes, "
            f"{len(peers)} posts approved for the peer ({result['setup_seconds']:.0f} s)"
        )
        dl.http_json(
            f"{fakes_url}/_control/limits",
            {
                **dl.LIMITS,
                "latency_ms": dict.fromkeys(("facebook", "instagram", "x", "telegram"), dl.LATENCY_MS),
            },
        )
        for fault in dl.graph_and_x_faults():
            dl.http_json(f"{fakes_url}/_control/faults", fault)
        for n in range(args.workers):
            workers.append(
                start(dl, f"worker-{n + 1}-autopublish", [str(PYTHON), "-m", "humas.cli", "worker"], run_env)
            )
        for worker in workers:
            dl.wait_ready(worker)
        time.sleep(1.0)  # every consumer thread blocked on the queue
        stores = dl.postgres_pids()
        groups = {
            "workers": lambda: [w.popen.pid for w in workers],
            "fakes": lambda: [fakes.popen.pid],
            "bench process (sends, polls)": lambda: [os.getpid()],
            "PostgreSQL + Redis": lambda: stores + [p for p in dl.postgres_pids() if p not in stores],
        }
        actors = {office.pk: admin for office, admin in zip(below, admins, strict=True)}

        # 1. The cascade. The clock starts at its commit: a callback registered before
        # cascade_create's own runs first, before its tasks (telling the offices, the adoptions)
        # are enqueued.
        cascade_run: dict[str, Any] = {"load_before": loadavg()}
        cpu_before = cpu_reading(dl, groups)
        machine_before = machine_jiffies()
        fired_before = faults_fired(dl, fakes_url)
        marks: dict[str, float] = {}
        sending = time.time()
        with transaction.atomic():
            transaction.on_commit(lambda: marks.setdefault("t0", time.time()))
            cascade = cascade_create(
                actor=world["people"]["editor.ri"],
                office=world["national"],
                source=source,
                scope=Cascade.Scope.BELOW,
                deadline=timezone.now() + dt.timedelta(days=2),
            )
        t0 = marks["t0"]
        targets = CascadeTarget.objects.filter(cascade=cascade)
        offices = targets.count()
        expected = offices * len(AUTO_PLATFORMS)
        deliveries = Delivery.objects.filter(publication__post__cascade_targets__cascade=cascade)
        log(f"  cascade to {offices} offices committed; waiting for {expected} deliveries")

        class Adoptions:
            def progress(self) -> str:
                return f"adopted {targets.exclude(status='pending').count()}/{offices}; "

            def finished(self) -> bool:
                return not targets.filter(status="pending", auto_error="").exists()

        settled = wait_settled(dl, deliveries, expected, t0, args.timeout, Adoptions())
        cpu_after = cpu_reading(dl, groups)
        cascade_run["machine_busy"] = busy_share(machine_before, machine_jiffies())
        fired = faults_fired(dl, fakes_url) - fired_before
        adopted = sorted(
            moment.timestamp() - t0
            for moment in targets.filter(status="adopted").values_list("decided_at", flat=True)
        )
        first_sent = min(
            (m.timestamp() - t0 for m in deliveries.filter(state="sent").values_list("sent_at", flat=True)),
            default=float("nan"),
        )
        cascade_run.update(
            settled_figures(dl, deliveries, t0, args.workers, args.threads, stalls_of(fired)),
            load_after=loadavg(),
            timed_out=not settled,
            create_seconds=round(t0 - sending, 2),
            offices=offices,
            expected=expected,
            adopted=len(adopted),
            refused=targets.filter(status="pending").exclude(auto_error="").count(),
            adoption={
                "first": round(adopted[0], 1) if adopted else None,
                "half": round(adopted[len(adopted) // 2], 1) if adopted else None,
                "last": round(adopted[-1], 1) if adopted else None,
            },
            first_sent=round(first_sent, 1),
            cpu=cpu_used(cpu_before, cpu_after),
            faults_fired=dict(fired),
            person=person_step(dl, fakes_url, deliveries, actors, args.timeout),
        )
        seen = dl.fake_posts(fakes_url)
        cascade_run["posts"], cascade_run["posts_total"] = dict(seen.live), sum(seen.live.values())
        without = with_two = 0
        for name, accounts in dl.expected_accounts([(None, None, c) for c in connected.values()]).items():
            for account in accounts:
                n = seen.on(name, account)
                without += n == 0
                with_two += n > 1
        cascade_run["channels_without_post"], cascade_run["channels_with_two"] = without, with_two
        result["cascade"] = cascade_run
        log(
            f"  cascade: wall {cascade_run['wall']} s, bound {cascade_run['bound']} s, ratio "
            f"{cascade_run['ratio']}; states {cascade_run['states']}"
        )

        # 2. The peer: bench/delivery's measurement on the same machine, workers and fakes.
        time.sleep(2.0)  # the Telegram bot's one-second window is past
        peer: dict[str, Any] = {"load_before": loadavg()}
        cpu_before = cpu_reading(dl, groups)
        machine_before = machine_jiffies()
        fired_before = faults_fired(dl, fakes_url)
        created = time.time()
        with transaction.atomic():
            publications = [
                publication_create(actor=post.approved_by, post=post, channels=channels)
                for post, channels in peers
            ]
            t1 = time.time()
        peer_deliveries = Delivery.objects.filter(publication__in=[p.pk for p in publications])
        log(f"  peer: {len(publications)} publications committed; waiting for {len(peers) * 3} deliveries")
        settled = wait_settled(dl, peer_deliveries, len(peers) * len(AUTO_PLATFORMS), t1, args.timeout)
        cpu_after = cpu_reading(dl, groups)
        peer["machine_busy"] = busy_share(machine_before, machine_jiffies())
        fired = faults_fired(dl, fakes_url) - fired_before
        peer.update(
            settled_figures(dl, peer_deliveries, t1, args.workers, args.threads, stalls_of(fired)),
            load_after=loadavg(),
            timed_out=not settled,
            create_seconds=round(t1 - created, 1),
            cpu=cpu_used(cpu_before, cpu_after),
            faults_fired=dict(fired),
            person=person_step(dl, fakes_url, peer_deliveries, actors, args.timeout),
        )
        seen = dl.fake_posts(fakes_url)
        peer["posts_total"] = sum(seen.live.values())
        result["peer"] = peer
        log(f"  peer: wall {peer['wall']} s, ratio {peer['ratio']}; states {peer['states']}")
        connection.close()
    finally:
        for worker in workers:
            worker.stop()
        fakes.stop()
    return result


# --- part 5: the national calendar month -------------------------------------------------------

# What the month's posts are, in shares of 100: the calendar's colours (a post "pending" is
# published with its deliveries still queued for their time, shown as scheduled like an approved
# one; a "failed" one has a delivery that failed or needs a person).
CALENDAR_MIX = (
    ("draft", 10),
    ("in_review", 8),
    ("approved", 12),
    ("pending", 10),
    ("published", 55),
    ("failed", 5),
)
# The channels a post goes out on, in shares (Instagram and YouTube need an image or a video).
CALENDAR_PLATFORMS = (
    ("facebook", 30),
    ("x", 25),
    ("telegram", 15),
    ("portal", 15),
    ("tiktok", 8),
    ("whatsapp", 7),
)
ASSISTED = ("tiktok", "whatsapp")
# Who posts: KPU RI 3 %, the 38 provinces 15 %, the 514 regencies and cities 82 %.
OFFICE_SHARES = (("pusat", 3), ("provinsi", 15), ("kabupaten-kota", 82))
CALENDAR_TEXTS = (
    "Sosialisasi tahapan pemilu di {office}: petugas menjelaskan jadwal pemutakhiran data pemilih dan cara "
    "mengecek DPT online di cekdptonline.kpu.go.id. Terbuka untuk umum.",
    "Rapat pleno terbuka rekapitulasi daftar pemilih sementara {office} hari ini. Masyarakat dapat "
    "memberi tanggapan atas DPS melalui PPS setempat.",
    "Hati-hati kabar bohong! Informasi resmi {office} hanya melalui kanal resmi kami.",
    "Pendaftaran badan ad hoc dibuka. Syarat dan jadwal lengkap ada di portal {office}; berkas "
    "diserahkan langsung ke sekretariat, tidak dipungut biaya apa pun.",
    "Bimbingan teknis KPPS {office}: tata cara pemungutan dan penghitungan suara di TPS, pengisian "
    "formulir, serta penanganan pemilih disabilitas dan pemilih pindahan. Materi lengkap dapat "
    "diunduh di portal kami. #PemiluDamai",
)
ARTICLE_MIX = (("published", 60), ("scheduled", 20), ("in_review", 10), ("draft", 10))
ARTICLE_TYPES = ("berita", "berita", "pengumuman", "siaran-pers", "klarifikasi")


def _pick(rng: random.Random, shares: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in shares], weights=[w for _, w in shares])[0]


def calendar_month(raw: str, zone: Any) -> tuple[dt.datetime, dt.datetime]:
    """The month (``raw`` "YYYY-MM", else this month in KPU RI's zone) as [start, end) instants."""
    from django.utils import timezone

    first = (
        dt.datetime.strptime(raw, "%Y-%m").date()
        if raw
        else timezone.localdate(timezone.now(), zone).replace(day=1)
    )
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=zone),
        dt.datetime.combine(following, dt.time(), tzinfo=zone),
    )


def load_month(world: dict[str, Any], *, posts: int, articles: int, month: str) -> dict[str, Any]:
    """``posts`` posts and ``articles`` portal articles of their own in one month, spread over the
    553 offices, written in bulk row by row as the services leave them: drafts and posts in review
    with their time; approved posts with their version; published ones with their version,
    publication and one delivery per channel (sent, with the link; queued for their time; waiting
    for a person on an assisted channel; failed or needing a person), and the article a delivery to
    the portal made. Times of published posts lie before now and of scheduled ones after it, when
    the month has a day of each."""
    from django.db import connection
    from django.utils import timezone

    from humas.accounts.models import User
    from humas.channels.models import Channel, Platform
    from humas.offices.models import Office
    from humas.portal.models import Article, ElectionStage
    from humas.publishing.models import Delivery, DeliveryArticle, Post, PostVersion, Publication
    from humas.publishing.portal_channel import PORTAL_ACCOUNT_ID

    started = time.perf_counter()
    rng = random.Random(18)  # noqa: S311 - a benchmark's data, not a secret
    national = world["national"]
    start, end = calendar_month(month, national.zoneinfo)
    now = timezone.now()
    day = dt.timedelta(days=1)
    past = (start, min(now, end)) if min(now, end) - start >= day else (start, end)
    future = (
        (max(now, start) + dt.timedelta(minutes=10), end) if end - max(now, start) >= day else (start, end)
    )

    def moment(span: tuple[dt.datetime, dt.datetime]) -> dt.datetime:
        seconds = rng.uniform(0, (span[1] - span[0]).total_seconds() - 60)
        instant = span[0] + dt.timedelta(seconds=seconds)
        return instant.replace(minute=instant.minute - instant.minute % 5, second=0, microsecond=0)

    offices = {level: list(Office.objects.filter(level=level).order_by("path")) for level, _ in OFFICE_SHARES}
    staff = {
        (email.split(".", 1)[0], email.split(".", 1)[1].split("@", 1)[0]): user
        for user in User.objects.filter(email__endswith="@kpu.bench")
        for email in (user.email,)
    }
    people = world["people"]

    def crew(office: Any) -> tuple[Any, Any]:
        if office.pk == national.pk:
            return people["operator.ri"], people["editor.ri"]
        return staff[("operator", office.slug)], staff[("editor", office.slug)]

    # The channels of every office for these platforms (the ones the earlier parts made are used).
    have = {
        (c.office_id, c.platform): c
        for c in Channel.objects.filter(platform__in=[p for p, _ in CALENDAR_PLATFORMS])
    }
    everyone = [national, *world["below"]]
    labels = dict(Platform.choices)
    Channel.objects.bulk_create(
        [
            Channel(
                office=office,
                platform=name,
                name=office.name if name == "portal" else f"{office.name} ({labels[name]})",
                handle="" if name == "portal" else f"kpu{office.slug}"[:100],
                account_id=PORTAL_ACCOUNT_ID if name == "portal" else f"kalender-{name}-{office.code}",
                is_official=name != "portal",
                health=Channel.Health.HEALTHY,
            )
            for office in everyone
            for name, _ in CALENDAR_PLATFORMS
            if (office.pk, name) not in have
        ]
    )
    have = {
        (c.office_id, c.platform): c
        for c in Channel.objects.filter(platform__in=[p for p, _ in CALENDAR_PLATFORMS])
    }

    plan = []
    for n in range(posts):
        office = rng.choice(offices[_pick(rng, OFFICE_SHARES)])
        state = _pick(rng, CALENDAR_MIX)
        platforms: list[str] = []
        for _ in range(rng.choices((1, 2, 3), weights=(30, 40, 30))[0]):
            name = _pick(rng, CALENDAR_PLATFORMS)
            if name not in platforms:
                platforms.append(name)
        if state == "failed" and all(p in ASSISTED for p in platforms):
            platforms.insert(0, "facebook")  # only a platform's API fails
        at = moment(
            future
            if state in ("approved", "pending")
            else past
            if state in ("published", "failed")
            else (start, end)
        )
        text = rng.choice(CALENDAR_TEXTS).format(office=office.name)
        plan.append((n, office, state, at, [have[(office.pk, p)] for p in platforms], text))
    made_posts = Post.objects.bulk_create(
        [
            Post(
                office=office,
                author=crew(office)[0],
                last_changed_by=crew(office)[0],
                last_changed_at=at - dt.timedelta(hours=rng.randint(2, 96)),
                text=text,
                status={"draft": "draft", "in_review": "in_review", "approved": "approved"}.get(
                    state, "published"
                ),
                # Published at once (no time) or at the time it was given.
                scheduled_at=None if state in ("published", "failed") and n % 2 else at,
                approved_by=None if state in ("draft", "in_review") else crew(office)[1],
                approved_at=None if state in ("draft", "in_review") else at - dt.timedelta(hours=1),
            )
            for n, office, state, at, _channels, text in plan
        ],
        batch_size=2000,
    )
    for post in made_posts:
        post.created_at = post.last_changed_at
    Post.objects.bulk_update(made_posts, ["created_at"], batch_size=1000)
    Post.channels.through.objects.bulk_create(
        [
            Post.channels.through(post_id=post.pk, channel_id=channel.pk)
            for post, item in zip(made_posts, plan, strict=True)
            for channel in item[4]
        ],
        batch_size=5000,
    )
    approved = [(post, item) for post, item in zip(made_posts, plan, strict=True) if post.approved_by_id]
    PostVersion.objects.bulk_create(
        [
            PostVersion(
                post=post,
                number=1,
                text=post.text,
                channels=[str(channel) for channel in item[4]],
                written_by_id=post.author_id,
                written_at=post.last_changed_at,
                approved_by_id=post.approved_by_id,
                approved_at=post.approved_at,
            )
            for post, item in approved
        ],
        batch_size=2000,
    )
    published = [(post, item) for post, item in approved if item[2] in ("pending", "published", "failed")]
    publications = Publication.objects.bulk_create(
        [Publication(post=post, created_by_id=post.approved_by_id) for post, _ in published], batch_size=2000
    )
    for publication, (post, item) in zip(publications, published, strict=True):
        at = item[3]
        publication.created_at = (
            at if post.scheduled_at is None else at - dt.timedelta(hours=rng.randint(1, 72))
        )
    Publication.objects.bulk_update(publications, ["created_at"], batch_size=1000)
    deliveries = []
    for publication, (_post, (_n, office, state, at, channels, _text)) in zip(
        publications, published, strict=True
    ):
        failing = (
            next((c for c in channels if c.platform not in ASSISTED), None) if state == "failed" else None
        )
        for channel in channels:
            assisted = channel.platform in ASSISTED
            delivery = Delivery(publication=publication, channel=channel, marker=f"kalender-{publication.pk}")
            if state == "pending":
                delivery.state = "manual" if assisted else "queued"
                delivery.next_attempt_at = None if assisted else at
            elif channel is failing:
                attention = rng.random() < 0.4
                delivery.state = "needs_attention" if attention else "failed"
                delivery.next_attempt_at = delivery.attempt_started_at = at
                delivery.attempt_count = 1 if attention else 5
                delivery.error_class = "Ambiguous" if attention else "TransientError"
                delivery.error_message = (
                    "Tidak dapat dipastikan apakah unggahan sudah terbit; periksa kanal."
                    if attention
                    else "Platform tidak menjawab setelah 5 percobaan."
                )
            elif assisted:
                delivery.state = "sent"
                delivery.sent_at = at + dt.timedelta(minutes=rng.randint(5, 120))
                delivery.marked_by = crew(office)[0]
                delivery.url = f"https://{channel.platform}.example/kpu{office.slug}/{publication.pk}"
            else:
                delivery.state = "sent"
                delivery.attempt_count = 1
                delivery.next_attempt_at = delivery.attempt_started_at = at
                delivery.sent_at = at + dt.timedelta(seconds=rng.randint(2, 90))
                delivery.platform_post_id = f"{publication.pk}{channel.pk}"
                delivery.url = f"https://{channel.platform}.example/{delivery.platform_post_id}"
                delivery.metrics_state = "pending" if channel.platform == "portal" else "active"
            deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    portal = [d for d in deliveries if d.channel.platform == "portal" and d.state == "sent"]
    stages = ["", *ElectionStage.values]
    own = []
    for n in range(articles):
        office = rng.choice(offices[_pick(rng, OFFICE_SHARES)])
        status = _pick(rng, ARTICLE_MIX)
        at = moment(past if status == "published" else future if status == "scheduled" else (start, end))
        author, approver = crew(office)
        own.append(
            Article(
                office=office,
                type=ARTICLE_TYPES[n % len(ARTICLE_TYPES)],
                title=f"{rng.choice(('Rapat koordinasi', 'Sosialisasi', 'Bimtek', 'Rekapitulasi'))} {office.name} {n}",
                slug=f"kalender-artikel-{n}",
                body=f"<p>{rng.choice(CALENDAR_TEXTS).format(office=office.name)}</p>",
                body_text=rng.choice(CALENDAR_TEXTS).format(office=office.name),
                status=status,
                election_stage=rng.choice(stages),
                author=author,
                last_changed_by=author,
                approved_by=None if status in ("draft", "in_review") else approver,
                publish_at=at,
                published_at=at + dt.timedelta(seconds=30) if status == "published" else None,
            )
        )
    made_articles = Article.objects.bulk_create(
        [
            Article(
                office=d.channel.office,
                title=d.publication.post.text[:120],
                slug=f"kalender-unggahan-{d.pk}",
                body=f"<p>{d.publication.post.text}</p>",
                body_text=d.publication.post.text,
                status="published",
                author_id=d.publication.post.author_id,
                approved_by_id=d.publication.post.approved_by_id,
                published_at=d.sent_at,
            )
            for d in portal
        ]
        + own,
        batch_size=2000,
    )
    DeliveryArticle.objects.bulk_create(
        [DeliveryArticle(delivery=d, article=a) for d, a in zip(portal, made_articles, strict=False)],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have by the time anyone reads the month
    states = Counter(item[2] for item in plan)
    return {
        "posts": posts,
        "articles_own": articles,
        "articles_from_portal_deliveries": len(portal),
        "publications": len(publications),
        "deliveries": len(deliveries),
        "delivery_states": dict(Counter(d.state for d in deliveries)),
        "post_mix": {name: states[name] for name, _ in CALENDAR_MIX},
        "by_level": dict(Counter(item[1].level for item in plan)),
        "channels_per_post": round(sum(len(item[4]) for item in plan) / max(1, posts), 2),
        "month": start.strftime("%Y-%m"),
        "now_in_month": start <= now < end,
        "seconds": round(time.perf_counter() - started, 1),
    }


def profile_get(client: Any, url: str, name: str) -> str:
    """One request under cProfile: the functions that took the most time, written to the logs."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    path = LOGS / f"calendar-profile-{name}.txt"
    path.write_text(out.getvalue())
    return str(path.relative_to(REPO))


def explain(client: Any, url: str, name: str) -> str:
    """EXPLAIN ANALYZE of the slowest query of one request, written to the logs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    path = LOGS / f"calendar-explain-{name}.txt"
    path.write_text(f"{slowest['time']} s\n{slowest['sql']}\n\n{plan}\n")
    return str(path.relative_to(REPO))


def part_calendar(world: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from django.urls import reverse

    loaded = load_month(world, posts=args.posts, articles=args.articles, month=args.month)
    log(
        f"  {loaded['posts']} posts, {loaded['deliveries']} deliveries, "
        f"{loaded['articles_own'] + loaded['articles_from_portal_deliveries']} articles in {loaded['month']} "
        f"({loaded['seconds']:.0f} s)"
    )
    national, jateng = world["national"], world["jateng"]
    start, _end = calendar_month(loaded["month"], national.zoneinfo)
    # What FullCalendar's month view asks for (firstDay 1, six weeks), in the office's wall time.
    first = start.date()
    grid = first - dt.timedelta(days=first.weekday())
    span = f"start={grid}T00:00&end={grid + dt.timedelta(days=42)}T00:00&cakupan=semua"
    month = f"bulan={loaded['month']}&cakupan=semua"
    ri = client_for(world["people"]["editor.ri"])

    def url(name: str, office: Any, query: str) -> str:
        return f"{reverse(name, kwargs={'office_slug': office.slug})}?{query}"

    pages = [
        (
            "feed",
            "national month feed, all 553 offices (FullCalendar's six weeks)",
            url("coordination:data", national, span),
        ),
        ("list", "national month list, first page of 200", url("coordination:calendar", national, month)),
        (
            "province-feed",
            "Jawa Tengah's month feed (with its 35 regencies)",
            url("coordination:data", jateng, span),
        ),
        (
            "province-list",
            "Jawa Tengah's month list, first page of 200",
            url("coordination:calendar", jateng, month),
        ),
    ]
    measured = []
    for key, name, address in pages:
        row = {"name": name, **timed_get(ri, address, args.repeats)}
        row["profile"] = profile_get(ri, address, key)
        if key == "feed":
            row["explain"] = explain(ri, address, key)
        measured.append(row)
    return {"loaded": loaded, "pages": measured}


# --- report --------------------------------------------------------------------------------------


def _pages_table(pages: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| page | median | p95 | max | queries | SQL | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        lines.append(
            f"| {page['name']} | {page['median_ms']} ms | {page['p95_ms']} ms | {page['max_ms']} ms | "
            f"{page['queries']} | {page['sql_ms']} ms | {page['bytes']:,} |"
        )
    return lines


def markdown_board(result: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if "send" in result:
        send = result["send"]
        lines += [
            "| figure | value |",
            "|---|---|",
            f"| receiving offices per cascade | {send['targets']} |",
            f"| **`cascade_create` to 552 offices** (median / p95 / max of {send['sends']}) | "
            f"**{send['create']['median_ms']} ms** / {send['create']['p95_ms']} ms / {send['create']['max_ms']} ms |",
            f"| its queries (one bulk insert of the 552 rows) | {send['create_queries']} |",
            f"| telling the offices (the task, in a worker): time / notifications | "
            f"{send['notify_seconds_median']} s / {send['notifications_per_send']} |",
        ]
    if "answers" in result:
        answers = result["answers"]
        lines += [
            f"| answers before reading the board | adopted {answers['adopted']}, adapted "
            f"{answers['adapted']}, declined {answers['declined']}; "
            f"{answers['deliveries_marked_sent']} portal deliveries marked sent |",
            f"| one adoption (post, approval from above, publication; median / p95) | "
            f"{answers['adopt_one']['median_ms']} ms / {answers['adopt_one']['p95_ms']} ms |",
        ]
    if "board" in result:
        board = result["board"]
        lines += [
            "",
            f"Pages ({board['pages'][0]['repeats']} requests each after {WARMUP} warm-up; server time in-process):",
            "",
            *_pages_table(board["pages"]),
        ]
    if "auto" in result:
        auto = result["auto"]
        lines += [
            "",
            "Auto-publish (every office opted in on its portal and two assisted channels; adopted one after "
            "another in this process, as the worker's task does):",
            "",
            "| figure | value |",
            "|---|---|",
            f"| offices adopted automatically | {auto['adopted_automatically']} of {auto['offices']} |",
            f"| deliveries created | {auto['deliveries_created']} |",
            f"| time in one process / per office (median, p95) | {auto['seconds_in_one_process']} s / "
            f"{auto['per_office']['median_ms']} ms, {auto['per_office']['p95_ms']} ms |",
        ]
    return lines


def _states(states: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(states.items()))


def markdown_autopublish(a: dict[str, Any]) -> list[str]:
    c, p = a["cascade"], a["peer"]
    concurrency = a["workers"] * a["threads"]
    lines = [
        f"Auto-publishing a cascade through the delivery engine: {c['offices']} offices opted in "
        "(`cascade_auto_publish_set`) on their Facebook page, X account and Telegram channel "
        f"({a['channels']:,} channels connected to the strict fakes through `channel_connect_token`, as "
        f"bench/delivery connects them), {a['workers']} `humas worker` processes × {a['threads']} threads "
        f"(`HUMAS_WORKERS={a['threads']}`, production settings, "
        + ", ".join(f"`{k}={v}`" for k, v in a["settings"].items())
        + f"), {a['latency_ms']} ms latency on every fake call, bench/delivery's limits and "
        f"{a['fault_share'] * 100:.0f} % faults. KPU RI sends one cascade to every office below; the "
        "clock runs from its commit to the last delivery settled. The peer, measured right after with "
        "the same workers, fakes and database, is bench/delivery's measurement: each office's own "
        "approved post published to the same three channels (552 publications in one transaction, "
        "clock from its commit).",
        "",
        "| figure | cascade, auto-published | peer: the same deliveries published directly |",
        "|---|---|---|",
        f"| setup before the clocks (connect {a['channels']:,} channels, 552 opt-ins, 552 posts approved "
        f"for the peer) | {a['setup_seconds']:.0f} s | |",
        f"| the earlier parts' leftovers dropped first | {a['earlier_parts']['redis_keys_dropped']} Redis "
        f"keys, {a['earlier_parts']['deliveries_cancelled']} unsettled deliveries cancelled | |",
        f"| before the clock: `cascade_create` / the 552 `publication_create` in one transaction | "
        f"{c['create_seconds']} s | {p['create_seconds']} s |",
        f"| offices adopted automatically (in the workers) / refused | {c['adopted']} of {c['offices']} / "
        f"{c['refused']} | |",
        f"| adoptions committed: first / half / last | {c['adoption']['first']} s / "
        f"{c['adoption']['half']} s / {c['adoption']['last']} s | |",
        f"| first delivery sent | {c['first_sent']} s | |",
        f"| **wall time to the last of the {c['expected']:,} deliveries settled** | **{c['wall']} s** | "
        f"**{p['wall']} s** |",
        f"| half / 90 % of the deliveries settled at | {c['p50']} s / {c['p90']} s | {p['p50']} s / "
        f"{p['p90']} s |",
        f"| the last five to settle | {'; '.join(c['last'])} | {'; '.join(p['last'])} |",
        f"| lower bound (bench/delivery's `bound()`, parts below) | {c['bound']} s | {p['bound']} s |",
        f"| **wall ÷ bound** (target ≤ 1.5) | **{c['ratio']}** | **{p['ratio']}** |",
        f"| delivery states when the engine had settled | {_states(c['states'])} | {_states(p['states'])} |",
    ]
    if c["person"] or p["person"]:
        lines.append(
            "| needing a person: post found on the channel, link recorded / absent, sent again; states "
            "after | "
            + " | ".join(
                (
                    ", ".join(f"{k} {v}" for k, v in sorted(r["person"]["done"].items()))
                    + "; "
                    + _states(r["person"]["states_after"])
                )
                if r["person"]
                else "none"
                for r in (c, p)
            )
            + " |"
        )
    lines += [
        f"| attempts (first + retries) | {c['attempts']:,} ({c['retried']:,} needed more than one) | "
        f"{p['attempts']:,} ({p['retried']:,}) |",
        f"| posts on the fakes afterwards | {c['posts_total']:,} ("
        + ", ".join(f"{k} {v}" for k, v in c["posts"].items())
        + f") | {p['posts_total']:,} in all (two per channel) |",
        f"| channels without a post / with two or more, after the cascade | {c['channels_without_post']} / "
        f"{c['channels_with_two']} | |",
        "| faults fired | "
        + ", ".join(f"{k} {v}" for k, v in sorted(c["faults_fired"].items()))
        + " | "
        + ", ".join(f"{k} {v}" for k, v in sorted(p["faults_fired"].items()))
        + " |",
        "| CPU seconds while the clock ran, process by process (a PostgreSQL backend that ended meanwhile "
        "is left out) | "
        + " | ".join(
            ", ".join(f"{k} {v}" for k, v in r["cpu"].items())
            + f"; {sum(r['cpu'].values()) / max(1, r['deliveries']) * 1000:.0f} ms per delivery in all"
            for r in (c, p)
        )
        + " |",
        f"| the machine's CPU busy while the clock ran (both cores, everyone's processes) | "
        f"{c['machine_busy'] * 100:.0f} % | {p['machine_busy'] * 100:.0f} % |",
        f"| load average (1/5/15 min) | {c['load_before']} → {c['load_after']} | {p['load_before']} → "
        f"{p['load_after']} |",
    ]
    if c["timed_out"] or p["timed_out"]:
        lines.append(f"| **timed out** | {c['timed_out']} | {p['timed_out']} |")
    lines += [
        "",
        f"Lower bound = the largest of these parts (L = latency, N = channels, C = concurrency = "
        f"{concurrency}; the stall part only when such a fault fired):",
        "",
        "| part | seconds (cascade) | seconds (peer) | formula |",
        "|---|---:|---:|---|",
    ]
    peer_parts = {name: seconds for name, seconds, _ in p["bound_parts"]}
    names = [name for name, _, _ in c["bound_parts"]] + [
        name for name, _, _ in p["bound_parts"] if name not in {n for n, _, _ in c["bound_parts"]}
    ]
    formulas = {name: formula for name, _, formula in [*p["bound_parts"], *c["bound_parts"]]}
    cascade_parts = {name: seconds for name, seconds, _ in c["bound_parts"]}
    for name in names:
        lines.append(
            f"| {name} | {cascade_parts.get(name, '–')} | {peer_parts.get(name, '–')} | {formulas[name]} |"
        )
    return lines


def markdown_calendar(c: dict[str, Any]) -> list[str]:
    loaded = c["loaded"]
    lines = [
        f"National calendar month {loaded['month']}: {loaded['posts']:,} posts written in bulk "
        f"({', '.join(f'{k} {v:,}' for k, v in loaded['post_mix'].items())}; by level "
        f"{', '.join(f'{k} {v:,}' for k, v in sorted(loaded['by_level'].items()))}; "
        f"{loaded['channels_per_post']} channels a post), {loaded['publications']:,} publications, "
        f"{loaded['deliveries']:,} deliveries ({', '.join(f'{k} {v:,}' for k, v in sorted(loaded['delivery_states'].items()))}), "
        f"{loaded['articles_from_portal_deliveries']:,} portal articles made by deliveries and "
        f"{loaded['articles_own']:,} of their own ({loaded['seconds']:.0f} s, then `ANALYZE`). Requested as KPU RI's "
        f"Editor, {c['pages'][0]['repeats']} times each after {WARMUP} warm-up:",
        "",
        *_pages_table(c["pages"]),
        "",
    ]
    for page in c["pages"]:
        if "entries" in page:
            lines.append(
                f"- {page['name']}: {page['events']:,} events of {page['entries']:,} entries in the range"
            )
    return lines


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"### Run ({result['date']}, commit `{result['commit']}` + working tree)",
        "",
        f"- Command: `{result['command']}`",
        f"- Machine: `nproc` {result['machine']['nproc']}, {result['machine']['cpu']}, RAM "
        f"{result['machine']['ram']}, {result['machine']['kernel']}, Python {result['machine']['python']}",
        f"- Load average (1/5/15 min): {result['load_before']} → {result['load_after']}",
        "- PostgreSQL 127.0.0.1, production settings, Redis as the queue; in-process but for the "
        "auto-publish part's workers and fakes",
        "",
        *markdown_board(result),
    ]
    if "autopublish" in result:
        lines += ["", *markdown_autopublish(result["autopublish"])]
    if "calendar" in result:
        lines += ["", *markdown_calendar(result["calendar"])]
    return "\n".join(lines) + "\n"


PARTS = ("send", "board", "auto", "autopublish", "calendar")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="which parts, in this order: " + ", ".join(PARTS)
    )
    parser.add_argument("--sends", type=int, default=5, help="cascades to 552 offices to time")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page")
    parser.add_argument("--workers", type=int, default=2, help="autopublish: `humas worker` processes")
    parser.add_argument(
        "--threads", type=int, default=32, help="autopublish: threads per worker (HUMAS_WORKERS)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="autopublish: seconds to wait at most")
    parser.add_argument("--posts", type=int, default=10_000, help="calendar: posts in the month")
    parser.add_argument("--articles", type=int, default=1_000, help="calendar: portal articles of their own")
    parser.add_argument("--month", default="", help="calendar: YYYY-MM (default: this month in WIB)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = [part for part in parts if part not in PARTS]
    if unknown or ("board" in parts and "send" not in parts):
        parser.error(f"parts are {', '.join(PARTS)}; board needs send")
    LOGS.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    result: dict[str, Any] = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "commit": git_commit(),
        "command": " ".join(["python bench/cascade/run.py", *sys.argv[1:]]),
        "machine": machine(),
        "load_before": loadavg(),
    }
    log(f"fresh database {DB_NAME}, migrate and collectstatic (production settings)")
    result["migrate_seconds"] = round(fresh_database(env), 1)
    django_setup(env)
    try:
        started = time.perf_counter()
        world = setup_world()
        log(
            f"world: 553 offices, {world['staff']} people below KPU RI ({time.perf_counter() - started:.1f} s)"
        )
        if "send" in parts:
            result["send"], cascade = part_send(world, args.sends)
        if "board" in parts:
            log("answering the last cascade (40 % adopt, 10 % adapt, 10 % decline)")
            result["answers"] = answer(world, cascade)
            log("board pages")
            result["board"] = part_board(world, cascade, args.repeats)
        if "auto" in parts:
            log("auto-publish of one more cascade to 552 offices, in this process")
            result["auto"] = part_auto(world)
        if "autopublish" in parts:
            log(f"auto-publish of a cascade to 552 offices x 3 channels: fakes, {args.workers} workers")
            result["autopublish"] = part_autopublish(world, env, args)
        if "calendar" in parts:
            log(f"the national calendar month with {args.posts:,} posts")
            result["calendar"] = part_calendar(world, args)
    finally:
        result["load_after"] = loadavg()
        if not args.keep:
            from django.db import connections

            connections.close_all()
            import psycopg

            with (
                contextlib.suppress(Exception),
                psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn,
            ):
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    (LOGS / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(markdown(result))
    log(f"written {LOGS / 'result.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
