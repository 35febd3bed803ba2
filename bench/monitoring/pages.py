"""Part "pages" of bench/monitoring/run.py: the triage desk with 1,000,000 items and 5,000
narratives, loaded with SQL, timed in-process.

The load (PostgreSQL, one transaction per step):

* narratives are spread over the office tree the way routing spreads them (5 % national, 25 %
  provincial, 70 % regency/city offices, chosen at random with a fixed seed); their sizes follow
  a Zipf law (s = 0.9) over 60 % of the items, so a few narratives hold tens of thousands of items
  and most a few dozen; the largest lies in KPU Kabupaten Jepara. Status mix 70 % baru, 15 %
  perlu klarifikasi, 10 % sudah diklarifikasi, 5 % bukan isu; 20 % matched to a claim, the others
  with three suggestions; risk, reach, platforms and regions per narrative;
* every narrative has one variant per 25 items (at least 1, at most 300), each with a 64-number
  MinHash signature like the pipeline's; items are dealt to their narrative's variants in turn;
* items (``INSERT … SELECT … generate_series``): 60 % in narratives, published over each
  narrative's life (up to 7 days), 40 % irrelevant chatter in no narrative; texts from the
  benchmark's stream, a small raw payload, processed;
* the counters the pipeline keeps are then computed from the items in SQL, so they agree:
  narrative item/variant counts, reach, first/last seen; variant counts and reach;
  ``NarrativeHour`` = items per narrative and UTC hour.

The item table's secondary indexes are dropped before the load and made again after it, with
their own definitions (pg_indexes; on the partitioned table each is made on every partition),
then the tables are analysed.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import corpus
from common import loadavg, verified

SEED = 15
NARRATIVE_SHARE = 0.6
ZIPF_S = 0.9
PLATFORMS = ("x", "facebook", "instagram", "tiktok", "news", "telegram", "youtube")
STATUSES = (("baru", 0.70), ("perlu_klarifikasi", 0.15), ("sudah_diklarifikasi", 0.10), ("bukan_isu", 0.05))
WARMUP_REQUESTS = 3


@dataclass
class PageTiming:
    name: str
    url: str
    status: int = 0
    first_ms: float = 0.0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    repeats: int = 0
    queries: int = 0
    sql_ms: float = 0.0
    bytes: int = 0
    slowest: list[dict[str, Any]] = field(default_factory=list)
    explains: list[str] = field(default_factory=list)


@dataclass
class PagesPart:
    items: int = 0
    narratives: int = 0
    variants: int = 0
    hours: int = 0
    partitions: int = 0
    partition_indexes: int = 0
    load_seconds: dict[str, float] = field(default_factory=dict)
    big_narrative: dict[str, Any] = field(default_factory=dict)
    table_mb: dict[str, float] = field(default_factory=dict)
    pages: list[PageTiming] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)

    def markdown(self) -> str:
        lines = [
            f"Triage pages: {self.items:,} items, {self.narratives:,} narratives, {self.variants:,} variants, "
            f"{self.hours:,} narrative-hours; the items table in {self.partitions} monthly partitions with "
            f"{self.partition_indexes} indexes in all ({self.table_mb.get('monitoring_item', 0):,.0f} MB); load "
            + ", ".join(f"{k} {v:.0f} s" for k, v in self.load_seconds.items())
            + f". Narrative page: narrative {self.big_narrative.get('id')} of "
            f"{self.big_narrative.get('office')} with {self.big_narrative.get('items', 0):,} items and "
            f"{self.big_narrative.get('variants', 0):,} variants. Load average {self.load_before} → {self.load_after}.",
            "",
            "| page | status | first request | median | p95 | max | requests | queries | SQL time (one request) | HTML |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for p in self.pages:
            lines.append(
                f"| {p.name} | {p.status} | {p.first_ms:.1f} ms | **{p.median_ms:.1f} ms** | {p.p95_ms:.1f} ms | "
                f"{p.max_ms:.1f} ms | {p.repeats} | {p.queries} | {p.sql_ms:.1f} ms | {p.bytes / 1024:.0f} KB |"
            )
        lines.append("")
        for p in self.pages:
            slow = "; ".join(f"{q['ms']:.1f} ms `{q['sql'][:110]}…`" for q in p.slowest)
            lines.append(f"- {p.name}: slowest queries {slow}")
        return "\n".join(lines)


def _zipf_sizes(count: int, total: int, rng: random.Random) -> list[int]:
    weights = [1.0 / (k**ZIPF_S) for k in range(1, count + 1)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)  # the rounding rest to the largest
    return sizes


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    x = rng.random()
    for value, weight in weighted:
        x -= weight
        if x <= 0:
            return value
    return weighted[-1][0]


def load(world: Any, items: int, narratives: int, log: Callable[[str], None]) -> PagesPart:
    from django.db import connection, transaction

    from humas.factcheck.models import Claim
    from humas.monitoring.models import Source
    from humas.offices.models import Office

    part = PagesPart()
    rng = random.Random(SEED)
    offices = list(Office.objects.all().values("id", "code", "path", "level"))
    by_level: dict[str, list[dict[str, Any]]] = {}
    for office in offices:
        by_level.setdefault(office["level"], []).append(office)
    national = [o for o in offices if o["code"] == "00"]
    provinces = by_level["provinsi"]
    regencies = by_level["kabupaten-kota"]
    jepara = next(o for o in offices if o["code"] == "33.20")
    claim_ids = list(Claim.objects.values_list("pk", flat=True))
    user_ids = [world.national_operator.pk, world.province_operator.pk, world.regency_operator.pk]
    texts = [t.text for t in corpus.stream_texts()]
    in_narratives = int(items * NARRATIVE_SHARE)
    sizes = _zipf_sizes(narratives, in_narratives, rng)
    now_sql = "now()"

    started = time.perf_counter()
    rows = []
    for n, size in enumerate(sizes):
        if n == 0:
            office = jepara
        else:
            x = rng.random()
            group = national if x < 0.05 else provinces if x < 0.30 else regencies
            office = rng.choice(group)
        status = _pick(rng, STATUSES)
        claim = rng.choice(claim_ids) if rng.random() < 0.2 else None
        suggestions = (
            []
            if claim
            else [{"claim": c, "score": round(rng.uniform(0.3, 0.8), 3)} for c in rng.sample(claim_ids, 3)]
        )
        # Last seen within 30 days; life up to 7 days (the big ones longer).
        last_ago = rng.uniform(0, 30 * 24) if n > 20 else rng.uniform(0, 6)
        life_h = min(7 * 24, 1 + size / 20 + rng.uniform(0, 48))
        plats = rng.sample(PLATFORMS, rng.randint(1, 4))
        codes = [office["code"]] if office["level"] != "pusat" else [rng.choice(provinces)["code"]]
        risk = round(min(100.0, rng.betavariate(2, 5) * 100 + (20 if n < 50 else 0)), 1)
        rows.append(
            (
                n,
                office["id"],
                office["path"],
                status,
                texts[(n * 7919) % len(texts)][:500],
                rng.choice(user_ids) if rng.random() < 0.25 else None,
                claim,
                suggestions,
                size,
                max(1, min(300, size // 25)),
                last_ago,
                life_h,
                plats,
                codes,
                risk,
                rng.random() < 0.3,
            )
        )
    import json

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_plan (n int, office_id bigint, office_path text, status text, title text, "
            "assignee_id bigint, claim_id bigint, suggestions jsonb, size int, nvariants int, last_ago double precision, "
            "life_h double precision, platforms text[], regions text[], risk double precision, targets bool) "
            "ON COMMIT PRESERVE ROWS"
        )
        with cursor.cursor.copy("COPY bench_plan FROM STDIN") as copy:
            for row in rows:
                copy.write_row([*row[:7], json.dumps(row[7]), *row[8:]])
        cursor.execute("CREATE TEMP TABLE bench_text (id int PRIMARY KEY, text text) ON COMMIT PRESERVE ROWS")
        with cursor.cursor.copy("COPY bench_text FROM STDIN") as copy:
            for i, text in enumerate(texts):
                copy.write_row([i, text])
        # One source per office that has narratives, and the national one for chatter.
        cursor.execute(
            "INSERT INTO monitoring_source (office_id, kind, name, config, is_active, poll_interval_minutes, "
            "cursor, health, last_error, consecutive_failures, item_count, created_at) "
            "SELECT DISTINCT office_id, 'api', 'Bench listening', '{}'::jsonb, true, 15, '{}'::jsonb, 'healthy', '', "
            "0, 0, now() FROM bench_plan ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_source ON COMMIT PRESERVE ROWS AS "
            "SELECT office_id, min(id) AS id FROM monitoring_source GROUP BY office_id"
        )
        # Narratives (counters filled from the items below).
        cursor.execute(
            f"""
            INSERT INTO monitoring_narrative (office_id, office_path, status, title, assignee_id, claim_id,
                suggestions, centroid, centroid_norm, item_count, denial_count, variant_count, reach, platforms, regions,
                targets_commission, risk, risk_parts, first_seen_at, last_seen_at, created_at, updated_at,
                clarification_article_id, merged_into_id)
            SELECT office_id, office_path, status, title, assignee_id, claim_id, suggestions,
                '{{}}'::jsonb, 1.0, 0, 0, 0, 0, '{{}}'::jsonb, '{{}}'::jsonb, targets, risk,
                jsonb_build_object('reach', 0.5, 'velocity', 0.2, 'volume', 0.4, 'target', 0, 'severity', 0.5),
                {now_sql} - make_interval(secs => (last_ago + life_h) * 3600),
                {now_sql} - make_interval(secs => last_ago * 3600),
                {now_sql} - make_interval(secs => (last_ago + life_h) * 3600),
                {now_sql} - make_interval(secs => last_ago * 3600), NULL, NULL
            FROM bench_plan ORDER BY n
            """  # noqa: S608 - the benchmark's own constants, no outside input
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_narr ON COMMIT PRESERVE ROWS AS "
            "SELECT p.*, nr.id AS narrative_id FROM bench_plan p JOIN ("
            "  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM monitoring_narrative) nr ON nr.n = p.n"
        )
        cursor.execute("CREATE INDEX ON bench_narr (narrative_id)")
        # Variants, keyed md5(narrative-ordinal), with a MinHash-sized signature.
        cursor.execute(
            """
            INSERT INTO monitoring_variant (narrative_id, exact_key, signature, text, item_count, reach,
                first_seen_at)
            SELECT b.narrative_id, md5(b.narrative_id || '-' || v),
                (SELECT jsonb_agg((hashtext(b.narrative_id || ':' || v || ':' || s) & 2147483647))
                   FROM generate_series(1, 64) s),
                t.text, 0, 0, now()
            FROM bench_narr b CROSS JOIN LATERAL generate_series(0, b.nvariants - 1) v
            JOIN bench_text t ON t.id = (b.narrative_id * 31 + v) % (SELECT count(*) FROM bench_text)
            """
        )
    part.load_seconds["narratives and variants"] = time.perf_counter() - started
    log(
        f"  {narratives:,} narratives and their variants in {part.load_seconds['narratives and variants']:.1f} s"
    )

    # The item table's secondary indexes go while it is filled, and come back after.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'monitoring_item' "
            "AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'monitoring_item'::regclass)"
        )
        secondary = cursor.fetchall()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        item_columns = (
            "source_id, office_id, platform, external_id, author_handle, url, text, published_at, captured_at, "
            "reactions, comments, shares, views, raw, raw_sha256, processed_at, exact_key, relevant, "
            "relevance_terms, regions, routed_office_id, match_decision, match_claim_id, match_score, stance, "
            "narrative_id, variant_id, reach"
        )
        platforms_sql = "(ARRAY['" + "','".join(PLATFORMS) + "'])"
        # Items of narratives: the g-th item of a narrative goes to its variant g % nvariants and is
        # published g/size of the way back through the narrative's life.
        cursor.execute(
            f"""
            INSERT INTO monitoring_item ({item_columns})
            SELECT s.id, b.office_id, b.platforms[1 + g % array_length(b.platforms, 1)],
                'n' || b.narrative_id || '-' || g, 'warga' || ((g * 7919 + b.narrative_id) % 25000),
                'https://example.org/p/' || b.narrative_id || '/' || g, t.text,
                pub, pub + interval '90 seconds', (g * 7919) % 400, (g * 7919) % 57, (g * 7919) % 36,
                CASE WHEN g % 3 = 0 THEN (g * 7919) % 9200 END,
                jsonb_build_object('id', 'n' || b.narrative_id || '-' || g, 'text', t.text),
                md5(t.text) || md5(b.narrative_id || '-' || g), pub + interval '95 seconds',
                md5(b.narrative_id || '-' || (g % b.nvariants)), true, '["pemilu"]'::jsonb,
                jsonb_build_object(b.regions[1], 0.95), b.office_id,
                CASE WHEN b.claim_id IS NULL THEN 'none' ELSE 'match' END, b.claim_id,
                CASE WHEN b.claim_id IS NULL THEN NULL ELSE 0.93 END, '',
                b.narrative_id, v.id,
                CASE WHEN g % 3 = 0 THEN (g * 7919) % 9200 ELSE (g * 7919) % 400 + (g * 7919) % 57 + (g * 7919) % 36 END
            FROM bench_narr b
            JOIN bench_source s ON s.office_id = b.office_id
            CROSS JOIN LATERAL generate_series(0::bigint, b.size - 1) g
            CROSS JOIN LATERAL (SELECT {now_sql} - make_interval(secs => (b.last_ago + b.life_h * g / b.size) * 3600) AS pub) p
            JOIN bench_text t ON t.id = (b.narrative_id * 7 + g) % (SELECT count(*) FROM bench_text)
            JOIN monitoring_variant v ON v.narrative_id = b.narrative_id
                AND v.exact_key = md5(b.narrative_id || '-' || (g % b.nvariants))
            """  # noqa: S608 - the benchmark's own constants, no outside input
        )
        chatter = items - in_narratives
        cursor.execute(
            f"""
            INSERT INTO monitoring_item ({item_columns})
            SELECT s.id, s.office_id, {platforms_sql}[1 + g % {len(PLATFORMS)}], 'c-' || g,
                'warga' || ((g * 104729) % 25000), 'https://example.org/c/' || g, t.text,
                pub, pub + interval '90 seconds', (g * 7919) % 400, (g * 7919) % 57, (g * 7919) % 36, NULL,
                jsonb_build_object('id', 'c-' || g, 'text', t.text), md5(t.text) || md5('c' || g),
                pub + interval '95 seconds', md5('c' || g), false, '[]'::jsonb, '{{}}'::jsonb,
                s.office_id, 'none', NULL, NULL, '', NULL, NULL, (g * 7919) % 493
            FROM generate_series(0::bigint, {chatter} - 1) g
            CROSS JOIN LATERAL (SELECT {now_sql} - make_interval(secs => (g % 2592000)) AS pub) p
            JOIN bench_source s ON s.id = (SELECT min(id) FROM bench_source)
            JOIN bench_text t ON t.id = g % (SELECT count(*) FROM bench_text)
            """  # noqa: S608 - the benchmark's own constants, no outside input
        )
    part.load_seconds["items"] = time.perf_counter() - started
    log(f"  {items:,} items inserted in {part.load_seconds['items']:.1f} s")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, definition in secondary:
            # The items table is partitioned by month: its catalogue definition says "ON ONLY"
            # (the parent alone); made again on the whole table, every partition gets it.
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        cursor.execute(
            "SELECT count(DISTINCT c.relname), count(i.indexrelid) FROM pg_inherits h "
            "JOIN pg_class c ON c.oid = h.inhrelid LEFT JOIN pg_index i ON i.indrelid = c.oid "
            "WHERE h.inhparent = 'monitoring_item'::regclass"
        )
        part.partitions, part.partition_indexes = (int(v) for v in cursor.fetchone())
    part.load_seconds["item indexes"] = time.perf_counter() - started
    log(f"  {len(secondary)} item indexes made in {part.load_seconds['item indexes']:.1f} s")

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE monitoring_variant v SET item_count = a.n, reach = a.reach, first_seen_at = a.first
            FROM (SELECT variant_id, count(*) AS n, sum(reach) AS reach, min(published_at) AS first
                  FROM monitoring_item WHERE variant_id IS NOT NULL GROUP BY variant_id) a
            WHERE v.id = a.variant_id
            """
        )
        cursor.execute(
            """
            INSERT INTO monitoring_narrativehour (narrative_id, hour, count)
            SELECT narrative_id, date_trunc('hour', published_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*)
            FROM monitoring_item WHERE narrative_id IS NOT NULL GROUP BY 1, 2
            """
        )
        cursor.execute(
            """
            UPDATE monitoring_narrative n SET item_count = a.n, reach = a.reach, first_seen_at = a.first,
                last_seen_at = a.last, variant_count = b.nvariants,
                platforms = a.platforms, regions = jsonb_build_object(b.regions[1], a.n)
            FROM (SELECT i.narrative_id, count(*) AS n, sum(i.reach) AS reach, min(i.published_at) AS first,
                         max(i.published_at) AS last,
                         (SELECT jsonb_object_agg(p, c) FROM (
                              SELECT i2.platform AS p, count(*) AS c FROM monitoring_item i2
                              WHERE i2.narrative_id = i.narrative_id GROUP BY i2.platform) x) AS platforms
                  FROM monitoring_item i WHERE i.narrative_id IS NOT NULL GROUP BY i.narrative_id) a
            JOIN bench_narr b ON b.narrative_id = a.narrative_id
            WHERE n.id = a.narrative_id
            """
        )
        cursor.execute(
            "UPDATE monitoring_source s SET item_count = (SELECT count(*) FROM monitoring_item i WHERE i.source_id = s.id)"
        )
    part.load_seconds["counters and hours"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_item")
        cursor.execute("VACUUM ANALYZE monitoring_narrative")
        cursor.execute("VACUUM ANALYZE monitoring_variant")
        cursor.execute("VACUUM ANALYZE monitoring_narrativehour")
        for table in (
            "monitoring_item",
            "monitoring_narrative",
            "monitoring_variant",
            "monitoring_narrativehour",
        ):
            # A partitioned table has no storage of its own: its partitions are counted.
            cursor.execute(
                "SELECT (pg_total_relation_size(%s::regclass) + coalesce((SELECT sum(pg_total_relation_size("
                "inhrelid)) FROM pg_inherits WHERE inhparent = %s::regclass), 0)) / 1048576.0",
                [table, table],
            )
            part.table_mb[table] = float(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM monitoring_item")
        part.items = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM monitoring_narrative")
        part.narratives = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM monitoring_variant")
        part.variants = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM monitoring_narrativehour")
        part.hours = int(cursor.fetchone()[0])
        for temp in ("bench_plan", "bench_text", "bench_source", "bench_narr"):
            cursor.execute(f"DROP TABLE {temp}")
    part.load_seconds["vacuum analyze"] = time.perf_counter() - started
    del Source
    return part


def _signed_in_client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = verified(user).persistent_id
    session.save()
    return client


def time_page(client: Any, name: str, url: str, repeats: int) -> PageTiming:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timing = PageTiming(name=name, url=url, repeats=repeats)
    started = time.perf_counter()
    response = client.get(url)
    timing.first_ms = (time.perf_counter() - started) * 1000
    timing.status = response.status_code
    timing.bytes = len(response.content)
    for _ in range(WARMUP_REQUESTS):
        client.get(url)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    timing.median_ms = statistics.median(samples)
    timing.p95_ms = samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]
    timing.max_ms = samples[-1]
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    timing.queries = len(captured.captured_queries)
    timing.sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    timing.slowest = [{"ms": float(q["time"]) * 1000, "sql": q["sql"]} for q in slowest]
    return timing


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def part_pages(world: Any, args: Any, log: Callable[[str], None]) -> PagesPart:
    from django.db.models import Count
    from django.urls import reverse

    from humas.monitoring.models import Narrative, NarrativeHour, Variant

    log(f"pages: loading {args.page_items:,} items and {args.page_narratives:,} narratives")
    load_before = loadavg()
    part = load(world, args.page_items, args.page_narratives, log)
    part.load_before = load_before
    big = Narrative.objects.select_related("office").order_by("-item_count").first()
    assert big is not None  # noqa: S101 - the load made 5,000
    part.big_narrative = {
        "id": big.pk,
        "office": f"{big.office.code} {big.office.name}",
        "items": big.item_count,
        "variants": Variant.objects.filter(narrative=big).count(),
        "hours": NarrativeHour.objects.filter(narrative=big).count(),
    }
    national, province = world.national, world.province
    open_national = Narrative.objects.filter(status__in=("baru", "perlu_klarifikasi")).count()
    log(
        f"  national queue holds {open_national:,} open narratives; narrative page of {big.item_count:,} items"
    )
    client = _signed_in_client(world.national_operator)
    pages = [
        (
            "national queue (KPU RI, open narratives, page 1)",
            reverse("monitoring:queue", kwargs={"office_slug": national.slug}),
        ),
        (
            "national queue filtered (platform x, last 7 days)",
            reverse("monitoring:queue", kwargs={"office_slug": national.slug}) + "?platform=x&since=7d",
        ),
        (
            f"provincial queue ({province.name}, page 1)",
            reverse("monitoring:queue", kwargs={"office_slug": province.slug}),
        ),
        (
            f"narrative page ({big.item_count:,} items), from KPU RI",
            reverse("monitoring:narrative", kwargs={"office_slug": national.slug, "narrative_id": big.pk}),
        ),
    ]
    for name, url in pages:
        timing = time_page(client, name, url, args.page_repeats)
        log(
            f"  {name}: HTTP {timing.status}, median {timing.median_ms:.1f} ms, p95 {timing.p95_ms:.1f} ms, "
            f"{timing.queries} queries"
        )
        if timing.p95_ms > 300 or timing.median_ms > 300:
            timing.explains = [explain(q["sql"]) for q in timing.slowest]
        part.pages.append(timing)
    part.load_after = loadavg()
    del Count
    return part
