#!/usr/bin/env python3
"""Cek Klaim under load (issue #17): citizens' questions answered from the real knowledge base
(the 6,164 fact-checks of ../shared/data/factchecks/corpus.jsonl and a published clarification of
KPU Kabupaten Jepara), with wrk POSTing the dev queries of ../shared/data/factchecks in turn, in
one run, for

  (a) the embedded default: Granian as `humas demo` runs it + SQLite + the Huey worker;
  (b) the production shape: nginx (deploy/nginx) + `humas serve` (2 x 4) + PostgreSQL + Redis;
  the limit: the claim matcher alone in one process, one question at a time (no HTTP, no page).

And whether the box lowers the page cache's hit rate: while (b) answers questions, the portal's
home page (which carries the box) and the empty Cek Klaim page are fetched 200 times each and
the answers served from the page cache (nginx or Python) counted.

    python bench/tipline/run.py                      # both shapes, 20 s each (about 2 minutes)
    python bench/tipline/run.py --only a --duration 10

Needs nginx and wrk (apt-get install -y nginx wrk), PostgreSQL on 127.0.0.1:5432 (user postgres,
trust) and Redis on 127.0.0.1:6379. It creates (and drops first) the database humas_bench_tipline,
empties Redis database 11 and keeps its files and logs under var/bench-tipline/. The per-client
limit of questions is turned off (HUMAS_CLAIM_CHECKS_PER_MINUTE=0): every question comes from
127.0.0.1. Only loopback is loaded. Figures describe the run; they are not a test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import threading
import urllib.parse
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "bench" / "portal"))  # humas_site, which the portal bench imports


def _portal_bench() -> ModuleType:
    """The portal bench's process plumbing (Runner, nginx, wrk parsing), loaded by path."""
    spec = importlib.util.spec_from_file_location("portal_bench", REPO / "bench" / "portal" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["portal_bench"] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


_pb = _portal_bench()
NGINX_PRODUCTION, USER_AGENT, Runner = _pb.NGINX_PRODUCTION, _pb.USER_AGENT, _pb.Runner
fetch, free_port, humas_env, humas_python, machine = (
    _pb.fetch,
    _pb.free_port,
    _pb.humas_env,
    _pb.humas_python,
    _pb.machine,
)
parse_wrk, run, start_nginx, wait_http = _pb.parse_wrk, _pb.run, _pb.start_nginx, _pb.wait_http
production_env, start_production = _pb.production_env, _pb.start_production

FACTCHECKS = REPO.parent / "shared" / "data" / "factchecks"
PG_URL = "postgres://postgres@127.0.0.1:5432/humas_bench_tipline"
REDIS_URL = "redis://127.0.0.1:6379/11"
CHECK_PATH = "/kab-jepara/cek-klaim/"
HOME_PATH = "/kab-jepara/"
CACHED = ("hit", "nginx")


def bodies_file(work: Path, limit: int) -> tuple[Path, int]:
    """The dev queries as url-encoded form bodies, one per line (what the Cek Klaim form sends)."""
    lines = []
    with (FACTCHECKS / "queries_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line)["text"][:4000]
            lines.append(urllib.parse.urlencode({"teks": text, "tautan": ""}))
            if len(lines) == limit:
                break
    path = work / "bodies.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, len(lines)


def seed(env: dict[str, str]) -> dict[str, object]:
    out = run([humas_python(), str(HERE / "site.py"), "seed", str(FACTCHECKS / "corpus.jsonl")], env=env)
    return json.loads(out.strip().splitlines()[-1])


def embedded(runner: Runner) -> tuple[str, dict[str, str]]:
    data = runner.work / "a"
    shutil.rmtree(data, ignore_errors=True)
    env = humas_env(
        DJANGO_SETTINGS_MODULE="humas.config.settings.local",
        HUMAS_DATA_DIR=str(data),
        HUMAS_CLAIM_CHECKS_PER_MINUTE="0",
    )
    seed(env)
    port = free_port()
    app = runner.start(
        "a-app",
        [humas_python(), "-c", "import os; from humas.cli import demo_threads, server_argv; "
         f"argv = server_argv('127.0.0.1', {port}, workers=1, threads=demo_threads()); os.execv(argv[0], argv)"],
        env=env,
    )  # fmt: skip
    runner.start("a-worker", [humas_python(), "-m", "humas.cli", "worker"], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/healthz", app)
    return base, env


def production(runner: Runner) -> tuple[str, dict[str, str]]:
    data = runner.work / "b"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS humas_bench_tipline"])
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE humas_bench_tipline"])
    run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"])
    env = production_env(
        data=data, database_url=PG_URL, redis_url=REDIS_URL, HUMAS_CLAIM_CHECKS_PER_MINUTE="0"
    )
    seed(env)
    return start_production(runner, env=env, data=data), env


def check_answers(base: str) -> dict[str, str]:
    """One known question and one unknown before the load: the answers are what a citizen sees."""
    known = urllib.parse.urlencode(
        {"teks": "Katanya surat suara di Jepara udah dicoblos duluan di gudang KPU"}
    )
    status, _h, body = fetch(base + CHECK_PATH, method="POST", data=known.encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    page = body.decode()
    if status != 200 or "Tidak benar surat suara di Jepara" not in page:
        raise SystemExit(f"Cek Klaim did not find the clarification (status {status})")
    return {"known": "found the clarification"}


def wrk_checks(base: str, bodies: Path, *, connections: int, duration: int) -> str:
    return run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-H", f"User-Agent: {USER_AGENT}", "-s", str(HERE / "checks.lua"), base, "--", CHECK_PATH, str(bodies)]
    )  # fmt: skip


def cache_sample(base: str, count: int) -> dict[str, object]:
    """GET the home page (with the box) and the empty Cek Klaim page ``count`` times each; how
    many came from the page cache."""
    found: dict[str, object] = {}
    for name, path in (("home", HOME_PATH), ("check page", CHECK_PATH)):
        fetch(base + path, headers={"User-Agent": USER_AGENT})  # the first stores it
        hits = 0
        for _ in range(count):
            status, headers, _body = fetch(base + path, headers={"User-Agent": USER_AGENT})
            hits += status == 200 and headers.get("X-Humas-Cache", "") in CACHED
        found[name] = {"requests": count, "from the page cache": hits, "rate": hits / count}
    return found


def _sample_into(found: dict[str, object], base: str) -> None:
    found.update(cache_sample(base, 200))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="a,b", help="shapes: a, b or a,b")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--queries", type=int, default=500, help="distinct dev queries POSTed in turn")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = REPO / "var" / "bench-tipline"
    work.mkdir(parents=True, exist_ok=True)
    bodies, n = bodies_file(work, args.queries)
    results: dict[str, object] = {"machine": machine(), "queries": n, "connections": args.connections,
                                  "duration_s": args.duration, "shapes": {}}  # fmt: skip
    runner = Runner(work)
    try:
        for key in args.only.split(","):
            base, env = embedded(runner) if key == "a" else production(runner)
            check_answers(base)
            # Warm-up: each app process builds its claim index on its first question.
            wrk_checks(base, bodies, connections=args.connections, duration=5)
            sample: dict[str, object] = {}
            sampler = threading.Thread(target=_sample_into, args=(sample, base))
            sampler.start()
            out = wrk_checks(base, bodies, connections=args.connections, duration=args.duration)
            sampler.join()
            result = parse_wrk(key, "cek klaim", out)
            # One citizen at a time: the time one answer takes, with no queue in front of it.
            alone = parse_wrk(key, "one at a time", wrk_checks(base, bodies, connections=1, duration=5))
            engine = json.loads(
                run([humas_python(), str(HERE / "site.py"), "engine", str(FACTCHECKS / "queries_dev.jsonl")],
                    env=env).strip().splitlines()[-1]
            )  # fmt: skip
            results["shapes"][key] = {  # type: ignore[index]
                "answers_per_second": result.rps,
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "requests": result.requests,
                "non_2xx": result.non_2xx,
                "socket_errors": result.errors,
                "one_at_a_time": {
                    "answers_per_second": alone.rps,
                    "p50_ms": alone.p50_ms,
                    "p99_ms": alone.p99_ms,
                },
                "engine_alone": engine,
                "page_cache_during_load": sample,
            }
            print(f"({key}) {result.rps:,.0f} answers/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                  f"non-2xx {result.non_2xx}; one at a time p50 {alone.p50_ms:.1f} ms p99 {alone.p99_ms:.1f} ms; engine alone {engine['queries_per_second']:,.0f} q/s; "
                  f"cache {json.dumps(sample)}", flush=True)  # fmt: skip
            runner.stop_all()
    finally:
        runner.stop_all()
    results["load_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
