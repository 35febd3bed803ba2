#!/usr/bin/env python3
"""Cascades down the hierarchy at the commission's scale (issue #18): KPU RI sends a post to all
552 offices below it, and reads the board of those 552 offices.

In one process, on PostgreSQL with the production settings (Redis as the queue, so the tasks a
cascade enqueues wait there instead of running in the measured call):

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
  3. **auto-publish**: every office opts in (its portal channel and two assisted channels, so
     nothing leaves the machine) and one more cascade is sent; its targets are adopted by
     ``cascade_auto_adopt`` one after another in this process (what ``cascade_auto_adopt_task``
     runs in a worker): the time per office and in all. The deliveries themselves are the
     delivery engine's, measured by bench/delivery (1,656 deliveries to 552 offices x 3 channels
     against the fakes' limits).

    python bench/cascade/run.py                 # about 3 minutes on two cores
    python bench/cascade/run.py --sends 3 --repeats 10

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. It drops
and creates the database humas_bench_cascade (dropped again at the end unless --keep) and empties
Redis database 13. Targets (issue #18): the 552 queue items in under 2 s; the board in under
300 ms with a bounded number of queries. The figures describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
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
    return {"national": national, "jateng": jateng, "below": below, "people": people, "staff": len(staff)}


def national_post(world: dict[str, Any], number: int) -> Any:
    from humas.publishing.portal_channel import portal_channel_ensure
    from humas.publishing.services import post_approve, post_create, post_submit

    people = world["people"]
    post = post_create(
        actor=people["operator.ri"],
        office=world["national"],
        text=(
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
    return {
        "url": url,
        **stats(samples),
        "queries": len(captured.captured_queries),
        "sql_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 1),
        "bytes": len(response.content),
        "repeats": repeats,
    }


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


def part_auto(world: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from humas.accounts.models import User
    from humas.channels.models import Channel
    from humas.coordination.cascades import cascade_auto_adopt, cascade_create
    from humas.coordination.models import Cascade, CascadeAutoPublish, CascadeTarget
    from humas.offices.models import Membership
    from humas.publishing.models import Delivery
    from humas.publishing.portal_channel import portal_channel_ensure

    below = world["below"]
    admins = User.objects.bulk_create(
        [
            User(email=f"admin.{o.slug}@kpu.bench", full_name=f"admin {o.name}", password=make_password(None))
            for o in below
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, office=office, role="admin")
            for user, office in zip(admins, below, strict=True)
        ]
    )
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
    ids = list(CascadeTarget.objects.filter(cascade=cascade).values_list("pk", flat=True))
    samples = []
    started = time.perf_counter()
    for pk in ids:
        one = time.perf_counter()
        cascade_auto_adopt(target_id=pk)
        samples.append(time.perf_counter() - one)
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


# --- report --------------------------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    send, board, auto = result["send"], result["board"], result["auto"]
    lines = [
        f"### Run ({result['date']}, commit `{result['commit']}`)",
        "",
        f"- Command: `{result['command']}`",
        f"- Machine: `nproc` {result['machine']['nproc']}, {result['machine']['cpu']}, RAM "
        f"{result['machine']['ram']}, {result['machine']['kernel']}, Python {result['machine']['python']}",
        f"- Load average (1/5/15 min): {result['load_before']} → {result['load_after']}",
        "- PostgreSQL 127.0.0.1, production settings, Redis as the queue (no worker running); in-process",
        "",
        "| figure | value |",
        "|---|---|",
        f"| receiving offices per cascade | {send['targets']} |",
        f"| **`cascade_create` to 552 offices** (median / p95 / max of {send['sends']}) | "
        f"**{send['create']['median_ms']} ms** / {send['create']['p95_ms']} ms / {send['create']['max_ms']} ms |",
        f"| its queries (one bulk insert of the 552 rows) | {send['create_queries']} |",
        f"| telling the offices (the task, in a worker): time / notifications | "
        f"{send['notify_seconds_median']} s / {send['notifications_per_send']} |",
        f"| answers before reading the board | adopted {result['answers']['adopted']}, adapted "
        f"{result['answers']['adapted']}, declined {result['answers']['declined']}; "
        f"{result['answers']['deliveries_marked_sent']} portal deliveries marked sent |",
        f"| one adoption (post, approval from above, publication; median / p95) | "
        f"{result['answers']['adopt_one']['median_ms']} ms / {result['answers']['adopt_one']['p95_ms']} ms |",
        "",
        f"Pages ({board['pages'][0]['repeats']} requests each after {WARMUP} warm-up; server time in-process):",
        "",
        "| page | median | p95 | max | queries | SQL | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in board["pages"]:
        lines.append(
            f"| {page['name']} | {page['median_ms']} ms | {page['p95_ms']} ms | {page['max_ms']} ms | "
            f"{page['queries']} | {page['sql_ms']} ms | {page['bytes']:,} |"
        )
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
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sends", type=int, default=5, help="cascades to 552 offices to time")
    parser.add_argument("--repeats", type=int, default=30, help="requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    result: dict[str, Any] = {
        "date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "commit": git_commit(),
        "command": "python bench/cascade/run.py " + " ".join(sys.argv[1:]),
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
        result["send"], cascade = part_send(world, args.sends)
        log("answering the last cascade (40 % adopt, 10 % adapt, 10 % decline)")
        result["answers"] = answer(world, cascade)
        log("board pages")
        result["board"] = part_board(world, cascade, args.repeats)
        log("auto-publish of one more cascade to 552 offices")
        result["auto"] = part_auto(world)
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
