#!/usr/bin/env python
"""Office tree and permission-check benchmark (bench/offices).

Loads the 553 real KPU offices plus a synthetic tree of ad-hoc bodies (7,300 PPK, 83,700 PPS:
91,553 offices in all) into a fresh database and times the hot paths of the office tree:
``policy.can()`` (warm and cold grant cache), ``policy.visible_offices()``, descendant listings
and ancestor lookups, each next to the naive peer a tree without a materialised path would use
(a parent walk with one query per level, a recursive CTE).

    python bench/offices/run.py [--db sqlite|postgres|both]

Each database runs in its own child process (Django settings are per process). The parent prints
the tables and rewrites only the "Office tree and permission checks (bench/offices)" section of
BENCHMARKS.md. Timings are figures to read, never a pass/fail test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BENCHMARKS_FILE = REPO / "BENCHMARKS.md"
SECTION_TITLE = "## Office tree and permission checks (bench/offices)"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/humas_bench"

SEED = 20240214  # election day 2024; any fixed value keeps the synthetic tree reproducible
N_PPK = 7_300
N_PPS = 83_700
BATCH = 2_000
ACTION = "content.approve"  # editor may; a path-only benchmark, the role always matches
ROLE = "editor"

# Fixed anchors for the single-membership users (all exist in the packaged region list).
PROVINCE_CODE = "33"  # Jawa Tengah
REGENCY_CODE = "33.20"  # Kabupaten Jepara
PPK_CODE = "33.20.01"  # first synthetic PPK under Jepara
MULTI_MEMBERSHIPS = 100  # a user with memberships at 100 PPS offices: a limit case for the linear scan

DEPTH_NAMES = {0: "pusat", 1: "provinsi", 2: "kab/kota", 3: "PPK", 4: "PPS"}


# --------------------------------------------------------------------------------------------
# statistics helpers (pure Python)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(samples_ns: list[int]) -> dict[str, Any]:
    return {
        "n": len(samples_ns),
        "median_ns": statistics.median(samples_ns),
        "p95_ns": percentile(samples_ns, 95),
        "min_ns": min(samples_ns),
    }


def fmt_ns(ns: float | None) -> str:
    if ns is None:
        return "—"
    if ns < 1_000_000:
        us = ns / 1_000
        return f"{us:.2f} µs" if us < 10 else f"{us:.1f} µs" if us < 100 else f"{us:.0f} µs"
    ms = ns / 1_000_000
    return f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"


def fmt_pair(stat: dict[str, Any] | None) -> str:
    if not stat:
        return "—"
    return f"{fmt_ns(stat['median_ns'])} / {fmt_ns(stat['p95_ns'])}"


def fmt_ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    if not a or not b or not b["median_ns"]:
        return "—"
    ratio = a["median_ns"] / b["median_ns"]
    if ratio >= 10:
        return f"{ratio:,.0f}×"
    return f"{ratio:.1f}×" if ratio >= 0.1 else f"{ratio:.2g}×"


# --------------------------------------------------------------------------------------------
# child: one database, inside Django


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child_main(db: str, out_path: Path, quick: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    result: dict[str, Any] = {"db": db, "vendor": connection.vendor, "loadavg_start": loadavg()}
    log(f"{db}: migrating a fresh database")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = time.perf_counter() - started
    result["db_version"] = db_version(connection)

    rng = random.Random(SEED)
    result["load"] = load_tree(rng)
    log(
        f"{db}: {result['load']['total']:,} offices "
        f"(bulk load {result['load']['bulk_s']:.1f} s, real offices {result['load']['real_s']:.1f} s)"
    )
    analyze(connection)

    scale = 0.25 if quick else 1.0
    tree = Tree.load()
    users = make_users(tree, rng)
    result["can"], result["can_by_queries"] = bench_can(tree, users, rng, scale)
    log(f"{db}: can() done")
    result["visible"] = bench_visible(users, scale)
    result["descendants"] = bench_descendants(tree, rng, scale, connection)
    log(f"{db}: descendant listings done")
    result["ancestors"] = bench_ancestors(tree, rng, scale)
    result["plans"] = query_plans(tree, connection)
    result["indexes"] = path_indexes(connection)
    result["loadavg_end"] = loadavg()
    log(f"{db}: ancestors and plans done")
    out_path.write_text(json.dumps(result, indent=1, default=str))


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def db_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            import psycopg

            return f"PostgreSQL {cursor.fetchone()[0]} (psycopg {psycopg.__version__})"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def analyze(connection: Any) -> None:
    """Fresh statistics, as autovacuum would have them on a live database."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def spread(
    total: int,
    parents: int,
    rng: random.Random,
    *,
    sigma: float,
    low: int,
    high: int,
    weights: list[float] | None = None,
) -> list[int]:
    """Split ``total`` children over ``parents``: log-normal variance, clamped, exact sum."""
    raw = [rng.lognormvariate(0, sigma) * (weights[i] if weights else 1.0) for i in range(parents)]
    scale = total / sum(raw)
    counts = [min(high, max(low, round(w * scale))) for w in raw]
    while (diff := total - sum(counts)) != 0:
        i = rng.randrange(parents)
        step = 1 if diff > 0 else -1
        if low <= counts[i] + step <= high:
            counts[i] += step
    return counts


def load_tree(rng: random.Random) -> dict[str, Any]:
    from django.db import transaction

    from humas.offices.models import Office
    from humas.offices.regions import default_regions_text
    from humas.offices.services import offices_load

    started = time.perf_counter()
    loaded = offices_load(text=default_regions_text())
    real_s = time.perf_counter() - started
    assert loaded.created == 553, loaded

    regencies = list(Office.objects.filter(level=Office.Level.KABKOTA).order_by("path"))
    # Cities have fewer sub-districts than regencies.
    weights = [0.45 if r.name.split()[1:2] == ["Kota"] else 1.0 for r in regencies]
    ppk_counts = spread(N_PPK, len(regencies), rng, sigma=0.45, low=2, high=80, weights=weights)

    started = time.perf_counter()
    with transaction.atomic():
        ppk: list[Office] = []
        for regency, count in zip(regencies, ppk_counts, strict=True):
            for n in range(1, count + 1):
                code = f"{regency.code}.{n:02d}"
                ppk.append(
                    Office(
                        code=code,
                        name=f"PPK {code}",
                        region_name=f"Kecamatan {code}",
                        level=Office.Level.PPK,
                        parent_id=regency.pk,
                        path=f"{regency.path}{code}/",
                        depth=regency.depth + 1,
                        slug=f"ppk-{code.replace('.', '-')}",
                        time_zone=regency.time_zone,
                    )
                )
        Office.objects.bulk_create(ppk, batch_size=BATCH)
        ppk_s = time.perf_counter() - started
        ppk_ids = dict(Office.objects.filter(level=Office.Level.PPK).values_list("code", "pk"))

        started_pps = time.perf_counter()
        pps_counts = spread(N_PPS, len(ppk), rng, sigma=0.4, low=2, high=90)
        is_city = {r.code: w < 1 for r, w in zip(regencies, weights, strict=True)}
        pps: list[Office] = []
        for parent, count in zip(ppk, pps_counts, strict=True):
            first = 1001 if is_city[parent.code.rsplit(".", 1)[0]] else 2001  # kelurahan 1xxx, desa 2xxx
            for n in range(count):
                code = f"{parent.code}.{first + n}"
                pps.append(
                    Office(
                        code=code,
                        name=f"PPS {code}",
                        region_name=f"Desa/Kelurahan {code}",
                        level=Office.Level.PPS,
                        parent_id=ppk_ids[parent.code],
                        path=f"{parent.path}{code}/",
                        depth=parent.depth + 1,
                        slug=f"pps-{code.replace('.', '-')}",
                        time_zone=parent.time_zone,
                    )
                )
                if len(pps) >= BATCH * 5:
                    Office.objects.bulk_create(pps, batch_size=BATCH)
                    pps.clear()
        Office.objects.bulk_create(pps, batch_size=BATCH)
        pps_s = time.perf_counter() - started_pps
    bulk_s = time.perf_counter() - started
    total = Office.objects.count()
    return {
        "real_s": real_s,
        "ppk_s": ppk_s,
        "pps_s": pps_s,
        "bulk_s": bulk_s,
        "total": total,
        "ppk": len(ppk),
        "pps": N_PPS,
        "rows_per_s": (len(ppk) + N_PPS) / bulk_s,
        "ppk_per_regency": {
            "min": min(ppk_counts),
            "median": statistics.median(ppk_counts),
            "max": max(ppk_counts),
        },
        "pps_per_ppk": {
            "min": min(pps_counts),
            "median": statistics.median(pps_counts),
            "max": max(pps_counts),
        },
    }


class Tree:
    """All offices in memory (id, code, path, depth, parent) for choosing targets and checking answers."""

    def __init__(self, offices: list[Any]) -> None:
        self.offices = offices
        self.by_code = {o.code: o for o in offices}
        self.by_id = {o.pk: o for o in offices}
        self.by_depth: dict[int, list[Any]] = {}
        for office in offices:
            self.by_depth.setdefault(office.depth, []).append(office)

    @classmethod
    def load(cls) -> Tree:
        from humas.offices.models import Office

        return cls(
            list(Office.objects.only("id", "code", "path", "depth", "parent_id", "level").order_by("path"))
        )

    def ancestor_ids(self, office: Any) -> set[int]:
        """Ids of the office and all above it, by following parent ids (independent of the path)."""
        ids = set()
        node = office
        while node is not None:
            ids.add(node.pk)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return ids

    def reaches(self, grant_ids: set[int], office: Any) -> bool:
        return bool(grant_ids & self.ancestor_ids(office))


def make_users(tree: Tree, rng: random.Random) -> dict[str, dict[str, Any]]:
    from humas.accounts.models import User
    from humas.offices.models import Membership

    anchors = {
        "pusat (KPU RI)": ["00"],
        "provinsi (Jawa Tengah)": [PROVINCE_CODE],
        "kab/kota (Kab. Jepara)": [REGENCY_CODE],
        f"PPK ({PPK_CODE})": [PPK_CODE],
        f"{MULTI_MEMBERSHIPS} PPS memberships": [
            o.code for o in rng.sample(tree.by_depth[4], MULTI_MEMBERSHIPS)
        ],
    }
    users = {}
    for i, (label, codes) in enumerate(anchors.items()):
        user = User.objects.create_user(email=f"bench{i}@example.invalid", full_name=label)
        offices = [tree.by_code[c] for c in codes]
        Membership.objects.bulk_create(Membership(user=user, office_id=o.pk, role=ROLE) for o in offices)
        users[label] = {"user": user, "offices": offices, "grant_ids": {o.pk for o in offices}}
    return users


def pick_targets(
    tree: Tree, grant_ids: set[int], per_depth: int, rng: random.Random
) -> dict[bool, list[Any]]:
    """Random targets at every depth, split into reachable (allowed) and not (denied)."""
    chosen: dict[bool, list[Any]] = {True: [], False: []}
    grant_offices = [tree.by_id[i] for i in grant_ids]
    for _depth, offices in sorted(tree.by_depth.items()):
        inside = [o for o in offices if any(o.path.startswith(g.path) for g in grant_offices)]
        # The allowed list is checked against the parent-id walk below, so this path-based split
        # is verified, not assumed.
        inside_ids = {o.pk for o in inside}
        outside = [o for o in offices if o.pk not in inside_ids]
        for allowed, pool in ((True, inside), (False, outside)):
            if pool:
                chosen[allowed].extend(rng.choice(pool) for _ in range(per_depth))
    for allowed in (True, False):
        rng.shuffle(chosen[allowed])
    return chosen


def naive_can(grant_ids: set[int], office: Any) -> tuple[bool, int]:
    """What a tree without a materialised path does: walk up the parent chain, one query per level.

    The grants (office ids) are already loaded, as in the warm case of ``policy.can``. Returns the
    answer and the number of queries issued.
    """
    from humas.offices.models import Office

    if office.pk in grant_ids:
        return True, 0
    queries = 0
    parent_id = office.parent_id
    while parent_id is not None:
        if parent_id in grant_ids:
            return True, queries
        parent_id = Office.objects.filter(pk=parent_id).values_list("parent_id", flat=True).get()
        queries += 1
    return False, queries


def bench_can(
    tree: Tree, users: dict[str, dict[str, Any]], rng: random.Random, scale: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from humas.offices import policy

    pc = time.perf_counter_ns
    can = policy.can
    rows = []
    by_queries: dict[int, list[int]] = {}
    for label, info in users.items():
        user, grant_ids = info["user"], info["grant_ids"]
        targets = pick_targets(tree, grant_ids, per_depth=max(20, int(400 * scale)), rng=rng)
        for allowed, offices in targets.items():
            row: dict[str, Any] = {"user": label, "allowed": allowed, "targets": len(offices)}
            if not offices:
                rows.append(row)
                continue
            expected = [tree.reaches(grant_ids, o) for o in offices]
            mismatches = sum(e != allowed for e in expected)

            # warm: grants cached on the user object, pure Python
            policy.forget(user)
            can(user, ACTION, offices[0])
            samples, answers = [], []
            for _ in range(5):
                for office in offices:
                    t0 = pc()
                    answer = can(user, ACTION, office)
                    samples.append(pc() - t0)
                    answers.append(answer)
            row["warm"] = summary(samples)
            mismatches += sum(a != allowed for a in answers)

            # cold: a fresh grant cache every call, i.e. one membership query included
            cold = offices[: max(50, int(len(offices) * 0.5))]
            samples = []
            for office in cold:
                policy.forget(user)
                t0 = pc()
                answer = can(user, ACTION, office)
                samples.append(pc() - t0)
                mismatches += answer != allowed
            row["cold"] = summary(samples)

            # peer: parent-chain walk, one query per level, grants already loaded
            naive = offices[: max(50, int(len(offices) * 0.5))]
            samples, queries = [], []
            for office in naive:
                t0 = pc()
                answer, issued = naive_can(grant_ids, office)
                elapsed = pc() - t0
                samples.append(elapsed)
                queries.append(issued)
                by_queries.setdefault(issued, []).append(elapsed)
                mismatches += answer != allowed
            row["naive"] = summary(samples)
            row["naive_queries"] = statistics.mean(queries)
            row["mismatches"] = mismatches
            rows.append(row)
    per_level = [{"queries": q, "stat": summary(v)} for q, v in sorted(by_queries.items())]
    return rows, per_level


def timed(fn: Any, *, min_reps: int, max_reps: int, budget_s: float, args: list[Any]) -> dict[str, Any]:
    """Call ``fn(arg)`` cycling over ``args`` until the budget is spent (within min/max reps)."""
    pc = time.perf_counter_ns
    fn(args[0])  # warm-up: plan cache, connection, page cache
    samples: list[int] = []
    deadline = time.perf_counter() + budget_s
    i = 0
    while len(samples) < max_reps and (len(samples) < min_reps or time.perf_counter() < deadline):
        arg = args[i % len(args)]
        i += 1
        t0 = pc()
        fn(arg)
        samples.append(pc() - t0)
    return summary(samples)


def bench_visible(users: dict[str, dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    from humas.offices import policy

    rows = []
    for label, info in users.items():
        user = info["user"]
        policy.forget(user)
        count = policy.visible_offices(user).count()

        def op(u: Any) -> int:
            return policy.visible_offices(u).count()

        stat = timed(op, min_reps=15, max_reps=2000, budget_s=1.0 * scale, args=[user])
        rows.append({"user": label, "rows": count, "count": stat})
    return rows


def cte_sql(table: str, select: str) -> str:
    return (
        f"WITH RECURSIVE sub(id) AS (SELECT id FROM {table} WHERE id = %s "  # noqa: S608 - table from _meta
        f"UNION ALL SELECT o.id FROM {table} o JOIN sub ON o.parent_id = sub.id) SELECT {select} FROM sub"
    )


def bench_descendants(tree: Tree, rng: random.Random, scale: float, connection: Any) -> list[dict[str, Any]]:
    from humas.offices.models import Office

    table = Office._meta.db_table
    count_sql, ids_sql = cte_sql(table, "count(*)"), cte_sql(table, "id")

    def mp_count(o: Any) -> int:
        return Office.objects.filter(path__startswith=o.path).count()

    def mp_ids(o: Any) -> list[int]:
        return list(Office.objects.filter(path__startswith=o.path).values_list("id", flat=True))

    compiled: dict[str, tuple[str, Any]] = {}

    def prefix_raw_ids(o: Any) -> list[int]:
        # Exactly the SQL Django generates for path__startswith, compiled once, run on the cursor.
        if o.path not in compiled:
            compiled[o.path] = (
                Office.objects.filter(path__startswith=o.path).values_list("id").query.sql_with_params()
            )
        sql, params = compiled[o.path]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [r[0] for r in cursor.fetchall()]

    def range_ids(o: Any) -> list[int]:
        # Same subtree as a range: every path below ends in "/", and "0" follows "/" in byte order.
        upper = o.path[:-1] + chr(ord("/") + 1)
        return list(Office.objects.filter(path__gte=o.path, path__lt=upper).values_list("id", flat=True))

    def cte_count(o: Any) -> int:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, [o.pk])
            return cursor.fetchone()[0]

    def cte_ids(o: Any) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(ids_sql, [o.pk])
            return [r[0] for r in cursor.fetchall()]

    def level_walk_ids(o: Any) -> list[int]:
        # One query per level below the root (what the ORM does without a path or a CTE).
        ids, frontier = [o.pk], [o.pk]
        while frontier:
            frontier = list(Office.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
            ids.extend(frontier)
        return ids

    ops = [
        ("path prefix: count()", mp_count, True),
        ("path prefix: ids", mp_ids, True),
        ("path prefix, same SQL on the cursor: ids", prefix_raw_ids, True),
        ("path range (>= / <): ids", range_ids, False),
        ("recursive CTE: count", cte_count, False),
        ("recursive CTE: ids", cte_ids, False),
        ("level walk (1 query/level): ids", level_walk_ids, False),
    ]
    rows = []
    for depth in (1, 2, 3):
        roots = rng.sample(tree.by_depth[depth], 8)
        sizes = [len(mp_ids(r)) for r in roots]
        checks = {
            sorted(cte_ids(r)) == sorted(mp_ids(r)) == sorted(range_ids(r)) == sorted(level_walk_ids(r))
            for r in roots
        }
        for name, fn, _ in ops:
            budget = (1.2 if depth == 1 else 0.6) * scale
            stat = timed(fn, min_reps=15, max_reps=3000, budget_s=budget, args=roots)
            rows.append(
                {
                    "root": DEPTH_NAMES[depth],
                    "op": name,
                    "mean_rows": statistics.mean(sizes),
                    "consistent": checks == {True},
                    "stat": stat,
                }
            )
    return rows


def bench_ancestors(tree: Tree, rng: random.Random, scale: float) -> list[dict[str, Any]]:
    from humas.offices.models import Office

    table = Office._meta.db_table
    targets = rng.sample(tree.by_depth[4], 200)
    up_sql = (
        f"WITH RECURSIVE up AS (SELECT * FROM {table} WHERE id = %s "  # noqa: S608 - table from _meta
        f"UNION ALL SELECT o.* FROM {table} o JOIN up ON o.id = up.parent_id) SELECT * FROM up ORDER BY depth"
    )

    def materialised(o: Any) -> list[Any]:
        return list(Office.objects.filter(code__in=o.ancestor_codes).order_by("depth"))

    def parent_walk(o: Any) -> list[Any]:
        chain, parent_id = [], o.parent_id
        while parent_id is not None:
            parent = Office.objects.get(pk=parent_id)
            chain.append(parent)
            parent_id = parent.parent_id
        chain.reverse()
        return chain

    def cte(o: Any) -> list[Any]:
        return list(Office.objects.raw(up_sql, [o.parent_id]))

    for o in targets[:20]:
        assert [a.pk for a in materialised(o)] == [a.pk for a in parent_walk(o)] == [a.pk for a in cte(o)]
    rows = []
    for name, fn in (
        ("ancestor_codes + 1 query", materialised),
        ("parent walk (1 query/level)", parent_walk),
        ("recursive CTE", cte),
    ):
        stat = timed(fn, min_reps=50, max_reps=3000, budget_s=0.8 * scale, args=targets)
        rows.append({"op": name, "stat": stat})
    return rows


def query_plans(tree: Tree, connection: Any) -> dict[str, str]:
    from humas.offices.models import Office

    regency = tree.by_code[REGENCY_CODE]
    upper = regency.path[:-1] + "0"
    return {
        "path prefix (LIKE)": Office.objects.filter(path__startswith=regency.path)
        .values_list("id")
        .explain(),
        "path range": Office.objects.filter(path__gte=regency.path, path__lt=upper)
        .values_list("id")
        .explain(),
    }


def path_indexes(connection: Any) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'offices_office' ORDER BY indexname"
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute("PRAGMA index_list('offices_office')")
        names = [r[1] for r in cursor.fetchall()]
        described = []
        for name in names:
            cursor.execute(f"PRAGMA index_info('{name}')")
            described.append(f"{name} ({', '.join(r[2] for r in cursor.fetchall())})")
        return described


# --------------------------------------------------------------------------------------------
# parent: orchestration, report, BENCHMARKS.md


def prepare_postgres(url: str) -> str | None:
    """Drop and recreate the benchmark database. Returns an error message, or None when ready."""
    try:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import conninfo_to_dict, make_conninfo
    except ImportError as exc:  # pragma: no cover - psycopg is a project dependency
        return f"psycopg missing: {exc}"
    try:
        params = conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    except psycopg.Error as exc:
        return f"bad URL {url!r}: {exc}"
    name = str(params.get("dbname") or "")
    if "bench" not in name:
        return f"refusing to drop and recreate {name!r}: the benchmark database name must contain 'bench'"
    try:
        admin = make_conninfo(
            url.replace("postgres://", "postgresql://", 1), dbname="postgres", connect_timeout=5
        )
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        return f"cannot prepare {name!r} on the server: {' '.join(str(exc).split())}"
    return None


def run_child(db: str, env: dict[str, str], quick: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", db, "--out", str(out)]
        if quick:
            cmd.append("--quick")
        subprocess.run(cmd, env=env, check=True, cwd=REPO)
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def machine_info() -> dict[str, str]:
    import django

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        uname = " ".join(platform.uname())
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, cwd=REPO
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "uname": uname,
        "cpu": cpu,
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def render(results: list[dict[str, Any]], info: dict[str, str], command: str, skipped: list[str]) -> str:
    label = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
    out = [SECTION_TITLE, ""]
    out.append(
        "What it measures: the office tree at election scale (553 real offices + 7,300 PPK + 83,700 PPS "
        "= 91,553 units, synthetic below the regencies, seed fixed) — permission checks with "
        "`policy.can()`, `policy.visible_offices()`, descendant listings and ancestor lookups on the "
        "materialised path, each next to the peer a tree without a path would use (parent walk with one "
        "query per level, recursive CTE). Figures are median / p95 per operation, one call at a time, "
        "timed with `time.perf_counter_ns` (timer cost ≈ 0.1 µs, included). They describe this run; "
        "they are not a test."
    )
    out.append("")
    out.append(f"- Command: `{command}`")
    out.append(f"- Date: {info['date']}, commit `{info['commit']}`")
    out.append(f"- Machine: `{info['uname']}`")
    out.append(f"- CPU: {info['cpu']} ({info['cpus']} CPUs visible)")
    versions = ", ".join(r["db_version"] for r in results)
    out.append(f"- Software: Python {info['python']}, Django {info['django']}, {versions}")
    loads = "; ".join(f"{label[r['db']]} run {r['loadavg_start']} → {r['loadavg_end']}" for r in results)
    out.append(f"- Load average (1/5/15 min) during the runs: {loads}")
    for note in skipped:
        out.append(f"- Skipped: {note}")
    out.append("")

    out.append("### Bulk load")
    out.append("")
    out.append("| step | " + " | ".join(label[r["db"]] for r in results) + " |")
    out.append("|---|" + "---:|" * len(results))
    rows = [
        ("migrate (fresh database)", lambda r: f"{r['migrate_s']:.1f} s"),
        ("`offices_load`: 553 real offices", lambda r: f"{r['load']['real_s']:.2f} s"),
        ("bulk_create 7,300 PPK", lambda r: f"{r['load']['ppk_s']:.2f} s"),
        ("bulk_create 83,700 PPS", lambda r: f"{r['load']['pps_s']:.2f} s"),
        (
            "synthetic total (rows/s)",
            lambda r: f"{r['load']['bulk_s']:.2f} s ({r['load']['rows_per_s']:,.0f}/s)",
        ),
        ("offices in the table", lambda r: f"{r['load']['total']:,}"),
    ]
    for name, get in rows:
        out.append(f"| {name} | " + " | ".join(get(r) for r in results) + " |")
    first = results[0]["load"]
    out.append("")
    out.append(
        f"PPK per regency/city: min {first['ppk_per_regency']['min']}, median "
        f"{first['ppk_per_regency']['median']:g}, max {first['ppk_per_regency']['max']}; PPS per PPK: min "
        f"{first['pps_per_ppk']['min']}, median {first['pps_per_ppk']['median']:g}, max {first['pps_per_ppk']['max']}."
    )
    out.append("")

    for r in results:
        name = label[r["db"]]
        out.append(f"### {name}: `policy.can()` (median / p95 per call)")
        out.append("")
        out.append(
            "Targets drawn at every depth (pusat, provinsi, kab/kota, PPK, PPS). *warm*: grants cached on "
            "the user object; *cold*: fresh grant cache, so one membership query per call; *peer*: walk up "
            "the parent chain, one query per level, grants already loaded."
        )
        out.append("")
        out.append(
            "| membership | targets | calls (warm) | warm | cold (+1 query) | peer: parent walk "
            "| peer queries (mean) | peer ÷ warm | peer ÷ cold |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for row in r["can"]:
            outcome = "allowed" if row["allowed"] else "denied"
            if "warm" not in row:
                out.append(f"| {row['user']} | {outcome} | 0 | — | — | — | — | — | — |")
                continue
            out.append(
                f"| {row['user']} | {outcome} | {row['warm']['n']:,} | {fmt_pair(row['warm'])} | "
                f"{fmt_pair(row['cold'])} | {fmt_pair(row['naive'])} | {row['naive_queries']:.1f} | "
                f"{fmt_ratio(row['naive'], row['warm'])} | "
                f"{fmt_ratio(row['naive'], row['cold'])} |"
            )
        bad = sum(row.get("mismatches", 0) for row in r["can"])
        out.append("")
        out.append(f"Answers checked against a parent-id walk in memory: {bad} mismatches.")
        out.append("")
        out.append("The peer by number of levels it had to query (all users and targets above pooled):")
        out.append("")
        out.append("| parent-walk queries | checks | median / p95 |")
        out.append("|---:|---:|---:|")
        for level in r["can_by_queries"]:
            out.append(f"| {level['queries']} | {level['stat']['n']:,} | {fmt_pair(level['stat'])} |")
        out.append("")

        out.append(f"### {name}: listings and lookups (median / p95)")
        out.append("")
        out.append("| operation | rows | median / p95 | n |")
        out.append("|---|---:|---:|---:|")
        for row in r["visible"]:
            out.append(
                f"| `visible_offices(user).count()` — {row['user']} | {row['rows']:,} | "
                f"{fmt_pair(row['count'])} | {row['count']['n']:,} |"
            )
        for row in r["descendants"]:
            flag = "" if row["consistent"] else " (row counts differ!)"
            out.append(
                f"| descendants of a {row['root']}: {row['op']}{flag} | {row['mean_rows']:,.0f} | "
                f"{fmt_pair(row['stat'])} | {row['stat']['n']:,} |"
            )
        for row in r["ancestors"]:
            out.append(
                f"| ancestors of a PPS: {row['op']} | 4 | {fmt_pair(row['stat'])} | {row['stat']['n']:,} |"
            )
        out.append("")
        out.append(
            "Descendant rows: mean over 8 random roots at that level, the root included. "
            '"path range" is not what Humas uses; it is listed as the index-friendly form of the same prefix.'
        )
        out.append("")
        path_indexes_used = [d for d in r["indexes"] if re.search(r"\([^)]*\bpath\b[^)]*\)", d)]
        out.append(f"Indexes on `offices_office.path` after migrate ({len(path_indexes_used)}):")
        out.append("")
        out.extend(f"- `{d}`" for d in path_indexes_used)
        out.append("")
        out.append("Query plan of the descendant listing (`path__startswith`) for one regency:")
        out.append("")
        out.append("```")
        out.extend(r["plans"]["path prefix (LIKE)"].splitlines())
        out.append("```")
        out.append("")
        notes = observations(r)
        if notes:
            out.append("Observations computed from this run:")
            out.append("")
            out.extend(f"- {note}" for note in notes)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def observations(r: dict[str, Any]) -> list[str]:
    """Plain facts derived from the figures and plans (no thresholds, no pass/fail)."""
    notes = []
    plan = r["plans"]["path prefix (LIKE)"]
    desc = {(row["root"], row["op"]): row["stat"]["median_ns"] for row in r["descendants"]}
    if r["vendor"] == "sqlite" and "SCAN" in plan and "path>" not in plan:
        ppk_prefix = desc.get(("PPK", "path prefix: ids"))
        ppk_range = desc.get(("PPK", "path range (>= / <): ids"))
        ppk_cte = desc.get(("PPK", "recursive CTE: ids"))
        notes.append(
            "`path__startswith` scans every path: Django's `LIKE ... ESCAPE` is case-insensitive on SQLite, "
            "so the index on `path` cannot serve it (the range form can: plan "
            f"`{r['plans']['path range'].strip()}`). Listing a PPK's ~12 offices: prefix "
            f"{fmt_ns(ppk_prefix)}, range {fmt_ns(ppk_range)}, recursive CTE {fmt_ns(ppk_cte)}."
        )
    definitions: dict[str, list[str]] = {}
    for d in r["indexes"]:
        match = re.match(r"CREATE (?:UNIQUE )?INDEX (\S+) ON (.*)", d)
        if match:
            definitions.setdefault(match.group(2), []).append(match.group(1))
    for target, names in definitions.items():
        if len(names) > 1:
            notes.append(f"Identical indexes `{'`, `'.join(names)}` on `{target.split(' ON ')[-1]}`.")
    multi = [row for row in r["visible"] if row["user"].startswith(str(MULTI_MEMBERSHIPS))]
    single = [row for row in r["visible"] if not row["user"].startswith(str(MULTI_MEMBERSHIPS))]
    if multi and single:
        small = min(single, key=lambda row: row["rows"])
        notes.append(
            f"`visible_offices()` ORs one `path LIKE` branch per membership: {MULTI_MEMBERSHIPS} PPS memberships "
            f"({multi[0]['rows']:,} offices) count in {fmt_ns(multi[0]['count']['median_ns'])}, one "
            f"{small['user']} membership ({small['rows']:,} offices) in {fmt_ns(small['count']['median_ns'])}."
        )
    return notes


def write_section(section: str) -> None:
    """Replace (or append) only our section; re-read right before writing to keep others' edits."""
    text = BENCHMARKS_FILE.read_text() if BENCHMARKS_FILE.exists() else "# Benchmarks\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION_TITLE), None)
    if start is None:
        new = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    BENCHMARKS_FILE.write_text(new)


def print_console(results: list[dict[str, Any]], section: str) -> None:
    print()
    print(section)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--pg-url",
        default=None,
        help=f"PostgreSQL URL of a database the benchmark may drop and recreate "
        f"(default: $DATABASE_URL if it is PostgreSQL, else {DEFAULT_PG_URL})",
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        child_main(args.child, args.out, args.quick)
        return 0

    started = time.perf_counter()
    env_url = os.environ.get("DATABASE_URL", "")
    pg_url = args.pg_url or (
        env_url if env_url.startswith(("postgres://", "postgresql://")) else DEFAULT_PG_URL
    )
    wanted = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results, skipped = [], []
    for db in wanted:
        data_dir = tempfile.mkdtemp(prefix="humas-bench-offices-")
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "humas.config.settings.local")
        env.update({"HUMAS_DATA_DIR": data_dir, "DEBUG": "0", "PYTHONHASHSEED": "0"})
        try:
            if db == "postgres":
                error = prepare_postgres(pg_url)
                if error:
                    message = f"PostgreSQL ({error})"
                    if args.db == "postgres":
                        print(f"bench/offices: {message}", file=sys.stderr)
                        return 2
                    print(f"bench/offices: skipping {message}", file=sys.stderr)
                    skipped.append(message)
                    continue
                env["DATABASE_URL"] = pg_url
            else:
                env.pop("DATABASE_URL", None)
            results.append(run_child(db, env, args.quick))
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    if not results:
        print("bench/offices: nothing ran", file=sys.stderr)
        return 1

    command = (
        "python bench/offices/run.py " + " ".join(sys.argv[1:])
        if sys.argv[1:]
        else "python bench/offices/run.py"
    )
    section = render(results, machine_info(), command.strip(), skipped)
    print_console(results, section)
    if not args.no_write:
        write_section(section)
        print(f"bench/offices: wrote section to {BENCHMARKS_FILE}", file=sys.stderr)
    print(f"bench/offices: total {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
