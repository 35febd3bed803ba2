#!/usr/bin/env python3
"""Public portal under election-day load: one anonymous article page (~40 KB of Indonesian text)
at 64 connections with wrk, in one run, for

  (a) the embedded default: the app server as `humas demo` runs it (Granian, 1 process, 5 threads on 2 cores) + SQLite +
      the file page cache served by Python + the Huey worker; no nginx;
  (b) the production shape: PostgreSQL + Redis + `humas serve` (2 processes x 4 threads,
      production settings) + `humas worker` + the shipped nginx configuration (deploy/nginx);
  (c) the limit: nginx serving the same HTML bytes as a static file;
  (d) the peer: a stock Wagtail site (PyPI, in its own virtualenv) serving an article page with
      the same text under gunicorn (same settings as (a)) with Django's per-site cache.

Two loads: "pages" (GET of the page only) and "visits" (what real visits send: the page and the
view-counter beacon POST /_v/<id>; each new visitor keeps the signed id the server's answer sets,
every 4th visitor reloads with it; see visits.lua). After each visits run the counter is flushed and must have risen by exactly
the number of distinct visitors. The peer has no view counter, so it gets the pages load only.

    python bench/portal/run.py                  # everything (about 4 minutes)
    python bench/portal/run.py --only a,c --duration 10

Needs: nginx and wrk (apt-get install -y nginx wrk), PostgreSQL on 127.0.0.1:5432 (user
postgres, trust) and Redis on 127.0.0.1:6379. It creates (and drops first) the PostgreSQL
database humas_bench_portal, empties Redis database 12, and keeps its files, logs and the
Wagtail virtualenv under var/bench-portal/. Only loopback is loaded. Figures describe the run;
they are not a test.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import contextlib
import csv
import datetime as dt
import gzip
import html
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from humas_site import SUMMARY, TITLE  # same title and summary for every shape

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared" / "data"
PYTHON = Path(sys.executable)
HUMAS_VENV_PYTHON = REPO / ".venv" / "bin" / "python"
WAGTAIL_VERSION = "8.0.1"
GUNICORN_VERSION = "27.0.1"  # the version in the project's .venv
PG_URL = "postgres://postgres@127.0.0.1:5432/humas_bench_portal"
REDIS_URL = "redis://127.0.0.1:6379/12"
BODY_BYTES = 33_000  # article body HTML; the rendered Humas page comes to about 40 KB
USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
SECRET = "bench-portal-secret-key-" + "x7Qp2LmZ9vR4tN8wK3yB6cJ1hD5fG0sA"


# --- processes --------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path


@dataclass
class Runner:
    work: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path = REPO) -> Proc:
        log = self.work / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        popen = subprocess.Popen(  # noqa: S603 - our own commands
            argv, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def stop(self, proc: Proc) -> None:
        if proc.popen.poll() is None:
            os.killpg(proc.popen.pid, signal.SIGTERM)
            try:
                proc.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop(proc)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise SystemExit(f"{proc.name} exited:\n{proc.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{proc.name} did not answer {url}:\n{proc.log.read_text()[-3000:]}")


def fetch(url: str, *, method: str = "GET", headers: dict[str, str] | None = None, data: bytes | None = None):
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()  # case-insensitive lookups
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def run(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO) -> str:
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    return out.stdout


# --- the article -------------------------------------------------------------------------------


def article_body(limit: int = BODY_BYTES) -> str:
    """Paragraphs of real Indonesian news text (hoax_news, the rows labelled Valid), ~limit bytes."""
    source = SHARED / "hoax_news" / "pratiwi2017_600_news.csv"
    paragraphs: list[str] = []
    size = 0
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["label"] != "Valid":
                continue
            sentences = re.split(r"(?<=[.!?])\s+", row["text"].replace("Â", " ").strip())
            for start in range(0, len(sentences), 4):
                text = html.escape(" ".join(sentences[start : start + 4]).strip())
                if not text:
                    continue
                paragraph = f"<p>{text}</p>"
                if size + len(paragraph.encode()) > limit:
                    return "\n".join(paragraphs)
                paragraphs.append(paragraph)
                size += len(paragraph.encode()) + 1
    return "\n".join(paragraphs)


# --- wrk ---------------------------------------------------------------------------------------


@dataclass
class Result:
    shape: str
    load: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int
    visitors: int | None = None
    issued: int | None = None  # ids the server set for those visitors (every one must get one)
    per_thread: dict[int, int] = field(default_factory=dict)
    counted: int | None = None
    replay_seconds: float = 0.0


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if not match:
        raise ValueError(value)
    number, unit = float(match.group(1)), match.group(2)
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(shape: str, load: str, output: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result = Result(
        shape,
        load,
        rps,
        p50,
        p99,
        requests,
        int(non.group(1)) if non else 0,
        sum(int(x) for x in sock.groups()) if sock else 0,
    )
    visits = re.search(r"BENCH-VISITS (\S+)", output)
    if visits:
        parts = [part.split(":") for part in visits.group(1).split(",")]
        result.per_thread = {int(t): int(n) for t, n, _issued in parts}
        result.visitors = sum(result.per_thread.values())
        result.issued = sum(int(issued) for _t, _n, issued in parts)
    return result


def wrk_pages(url: str, *, connections: int, duration: int, compressed: bool = False) -> str:
    extra = ["-H", "Accept-Encoding: gzip, deflate"] if compressed else []
    return run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
         "-H", f"User-Agent: {USER_AGENT}",
         "-H", "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "-H", "Accept-Language: id-ID,id;q=0.9,en;q=0.8",
         *extra, url]
    )  # fmt: skip


def wrk_visits(base: str, page: str, beacon: str, ids_file: Path, *, connections: int, duration: int) -> str:
    # New visitors start until 2 s before the end, so that none is in flight when wrk stops.
    stop_new_at = str(max(1, duration - 2))
    return run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s",
         "-s", str(HERE / "visits.lua"), base + page, "--", page, beacon, base, USER_AGENT, stop_new_at,
         str(ids_file)]
    )  # fmt: skip


def replay_beacons(base: str, beacon: str, ids: list[str]) -> float:
    """Send every simulated visitor's beacon once more, with the id the server gave it, after wrk
    stopped: each was counted already and is within the window, so none may count again. With
    the first beacons all answered (visits.lua starts no visitor in the last 2 s), the counter
    must then have risen by exactly the number of distinct visitors.
    """
    host = base.removeprefix("http://")
    failures: list[str] = []

    def send(chunk: list[str]) -> None:
        connection = http.client.HTTPConnection(host, timeout=30)
        for visitor in chunk:
            headers = {
                "User-Agent": USER_AGENT,
                "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
                "Origin": base,
                "Cookie": f"hv={visitor}",
            }
            connection.request("POST", beacon, body=b"r=", headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures.append(f"{visitor}: {response.status}")
            elif response.getheader("Set-Cookie"):  # the server did not recognise its own id
                failures.append(f"{visitor}: a new id was set")
        connection.close()

    started = time.monotonic()
    workers = 8
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(send, [ids[i::workers] for i in range(workers)]))
    if failures:
        raise SystemExit(f"{len(failures)} replayed beacons failed, e.g. {failures[:3]}")
    return time.monotonic() - started


# --- nginx -------------------------------------------------------------------------------------

NGINX_MAIN = """\
{user}worker_processes auto;
daemon off;
pid {conf}/nginx.pid;
error_log {work}/logs/nginx-{name}-error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {work}/client_body_temp;
    proxy_temp_path {work}/proxy_temp;
    fastcgi_temp_path {work}/fastcgi_temp;
    uwsgi_temp_path {work}/uwsgi_temp;
    scgi_temp_path {work}/scgi_temp;
    access_log {work}/logs/nginx-{name}-access.log combined buffer=64k flush=5s;
{body}
}}
"""

# (b): deploy/nginx's logic (http.conf + site.conf) exactly as humas.conf includes it; only the
# TLS server is left out (plain HTTP on loopback, as for (c)).
NGINX_PRODUCTION = """\
    include humas/http.conf;
    upstream humas_app {{
        server 127.0.0.1:{app_port};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1 localhost;
        set $humas_pagecache {data}/pagecache;
        set $humas_static    {data}/static;
        set $humas_media     {data}/media;
        include humas/site.conf;
    }}
"""

# (c): the same HTML bytes as a plain file; beacons answered by nginx itself (no counting), with
# a cookie as the app sets one, so that visits.lua sends the same mix to every shape.
NGINX_STATIC = """\
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1 localhost;
        root {root};
        location / {{
            gzip_static on;  # index.html.gz written beside it: the limit for compressed pages too
            try_files $uri $uri/index.html =404;
        }}
        location /_v/ {{
            default_type application/json;
            add_header Set-Cookie "hv=static; Path=/_v/; HttpOnly; SameSite=Lax";
            return 200 '{{"views": 0}}';
        }}
    }}
"""


def start_nginx(runner: Runner, name: str, body: str) -> Proc:
    conf = runner.work / f"nginx-{name}"
    conf.mkdir(parents=True, exist_ok=True)
    link = conf / "humas"
    if not link.exists():
        link.symlink_to(REPO / "deploy" / "nginx" / "humas")
    user = "user root;\n" if os.geteuid() == 0 else ""
    (conf / "nginx.conf").write_text(
        NGINX_MAIN.format(user=user, work=runner.work, conf=conf, name=name, body=body)
    )
    return runner.start(
        f"nginx-{name}", ["nginx", "-c", str(conf / "nginx.conf"), "-p", str(conf)], env=dict(os.environ)
    )


# --- shapes ------------------------------------------------------------------------------------


def humas_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUMAS_", "DJANGO_", "DATABASE_URL"))}
    # Every simulated visitor comes from 127.0.0.1: the per-address ceiling (100 per article per
    # window by default) is raised so that all of them count; it is still checked on each beacon.
    env.update(PYTHONPATH=str(REPO), DEBUG="false", HUMAS_LOG_LEVEL="WARNING",
               HUMAS_VIEWS_PER_ADDRESS="1000000000", **extra)  # fmt: skip
    return env


def production_env(*, data: Path, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The settings of the production shape, as the README's recipe sets them (plain HTTP on
    loopback; nginx in front); bench/tipline uses them too."""
    return humas_env(
        DJANGO_SETTINGS_MODULE="humas.config.settings.production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        HUMAS_REDIS_URL=redis_url,
        HUMAS_DATA_DIR=str(data),
        HUMAS_PAGECACHE_DIR=str(data / "pagecache"),
        HUMAS_STATIC_ROOT=str(data / "static"),
        HUMAS_MEDIA_ROOT=str(data / "media"),
        HUMAS_TRUSTED_PROXY_COUNT="1",
        HUMAS_ACCESS_LOG="false",  # as the README's production recipe: nginx logs every request
        # Absolute links in stored pages come from these (required by production settings).
        HUMAS_PUBLIC_BASE_URL="http://127.0.0.1",
        HUMAS_BACKOFFICE_URL="http://127.0.0.1",
        # Plain HTTP on loopback: TLS is the same for every shape and left out of all.
        HUMAS_SSL_REDIRECT="false",
        # A Fernet key (channel credentials at rest), required by production settings.
        HUMAS_CREDENTIAL_KEYS=base64.urlsafe_b64encode(b"bench-portal-credential-key-32b!").decode(),
        **extra,
    )


def humas_python() -> str:
    return str(HUMAS_VENV_PYTHON if HUMAS_VENV_PYTHON.exists() else PYTHON)


def counter_available() -> bool:
    try:
        text = (REPO / "humas" / "portal" / "counter.py").read_text()
    except OSError:
        return False
    return "def views_flush" in text and "def article_views_total" in text


@dataclass
class Shape:
    key: str
    label: str
    base: str
    page: str
    article_id: int | None
    env: dict[str, str] | None  # settings to flush and read the counter with; None: no counter
    page_bytes: int = 0
    cache_header: str = ""
    pagecache_file: Path | None = None  # (b): the stored page nginx serves


def views_total(shape: Shape) -> tuple[int, int]:
    assert shape.env is not None and shape.article_id is not None
    out = run([humas_python(), str(HERE / "humas_site.py"), "views", str(shape.article_id)], env=shape.env)
    data = json.loads(out.strip().splitlines()[-1])
    return int(data["flushed"]), int(data["total"])


def check_page(shape: Shape, *, expect_cache: str | None) -> None:
    for _ in range(2):  # the first request of (a)/(b) stores the page
        status, headers, body = fetch(shape.base + shape.page, headers={"User-Agent": USER_AGENT})
    if status != 200:
        raise SystemExit(f"{shape.key}: {shape.page} answered {status}")
    shape.page_bytes = len(body)
    shape.cache_header = headers.get("X-Humas-Cache", "")
    if expect_cache is not None and shape.cache_header != expect_cache:
        raise SystemExit(f"{shape.key}: X-Humas-Cache is {shape.cache_header!r}, expected {expect_cache!r}")


# App-server processes for (a) and (d): 1 is what `humas demo` runs (its threads: humas.cli.demo_threads,
# 5 on 2 cores); --app-processes
# changes both alike, to see what a second process would give the embedded shape.
APP_PROCESSES = [1]


def _gunicorn_shape() -> str:
    return f"{APP_PROCESSES[0]}×{8 // APP_PROCESSES[0]} threads"


def shape_embedded(runner: Runner, body_file: Path) -> Shape:
    data = runner.work / "a"
    shutil.rmtree(data, ignore_errors=True)
    env = humas_env(DJANGO_SETTINGS_MODULE="humas.config.settings.local", HUMAS_DATA_DIR=str(data))
    seeded = json.loads(
        run([humas_python(), str(HERE / "humas_site.py"), "seed", str(body_file)], env=env).splitlines()[-1]
    )
    port = free_port()
    # The app server exactly as `humas demo` starts it (humas/cli.py: server_argv, demo_threads).
    app = runner.start(
        "a-app",
        [humas_python(), "-c", "import os, sys; from humas.cli import demo_threads, server_argv; "
         f"argv = server_argv('127.0.0.1', {port}, workers={APP_PROCESSES[0]}, "
         f"threads=max(1, demo_threads() // {APP_PROCESSES[0]})); "
         "os.execv(argv[0], argv)"],
        env=env,
    )  # fmt: skip
    runner.start("a-worker", [humas_python(), "-m", "humas.cli", "worker"], env=env)
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/healthz", app)
    shape = Shape("a", "embedded: Granian as `humas demo` runs it + SQLite + file page cache (Python)", base,
                  seeded["url"], int(seeded["id"]), env)  # fmt: skip
    check_page(shape, expect_cache="hit")
    return shape


def start_production(runner: Runner, *, env: dict[str, str], data: Path) -> str:
    """The production shape started on a seeded database: static files collected, `humas serve`,
    `humas worker` and nginx with the shipped configuration in front; its base URL (bench/tipline
    starts it the same way)."""
    run([humas_python(), "-m", "humas.cli", "manage", "collectstatic", "--noinput", "-v0"], env=env)
    app_port, port = free_port(), free_port()
    app = runner.start(
        "b-app",
        [humas_python(), "-m", "humas.cli", "serve", "--host", "127.0.0.1", "--port", str(app_port)],
        env=env,
    )
    runner.start("b-worker", [humas_python(), "-m", "humas.cli", "worker"], env=env)
    wait_http(f"http://127.0.0.1:{app_port}/healthz", app)
    proxy = start_nginx(runner, "b", NGINX_PRODUCTION.format(app_port=app_port, port=port, data=data))
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/healthz", proxy)
    return base


def shape_production(runner: Runner, body_file: Path) -> Shape:
    data = runner.work / "b"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS humas_bench_portal"])
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE humas_bench_portal"])
    run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"])
    env = production_env(data=data, database_url=PG_URL, redis_url=REDIS_URL)

    seeded = json.loads(
        run([humas_python(), str(HERE / "humas_site.py"), "seed", str(body_file)], env=env).splitlines()[-1]
    )
    base = start_production(runner, env=env, data=data)
    shape = Shape("b", "production: nginx (deploy/nginx) + Granian 2×4 (humas serve) + PostgreSQL + Redis", base,
                  seeded["url"], int(seeded["id"]), env)  # fmt: skip
    check_page(shape, expect_cache="nginx")
    shape.pagecache_file = data / "pagecache" / "127.0.0.1" / shape.page.strip("/") / "index.html"
    if not shape.pagecache_file.is_file():
        raise SystemExit(f"(b): no page-cache file at {shape.pagecache_file}")
    return shape


def shape_static(runner: Runner, html_bytes: bytes, page: str) -> Shape:
    root = runner.work / "c"
    shutil.rmtree(root, ignore_errors=True)
    target = root / page.strip("/") / "index.html"
    target.parent.mkdir(parents=True)
    target.write_bytes(html_bytes)
    target.with_name("index.html.gz").write_bytes(gzip.compress(html_bytes, 9))
    port = free_port()
    proc = start_nginx(runner, "c", NGINX_STATIC.format(port=port, root=root))
    base = f"http://127.0.0.1:{port}"
    wait_http(base + page, proc)
    shape = Shape("c", "limit: nginx, the same HTML as a static file", base, page, None, None)
    check_page(shape, expect_cache=None)
    return shape


WAGTAIL_SETTINGS = """\
from .base import *  # noqa

DEBUG = False
SECRET_KEY = {secret!r}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {db!r}}}}}
# Django's per-site cache, as documented: Update first, Fetch last.
MIDDLEWARE = (
    ["django.middleware.cache.UpdateCacheMiddleware"]
    + MIDDLEWARE
    + ["django.middleware.cache.FetchFromCacheMiddleware"]
)
CACHES = {{"default": {{"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}}}
CACHE_MIDDLEWARE_SECONDS = 300
CACHE_MIDDLEWARE_KEY_PREFIX = "bench"
"""

WAGTAIL_MODELS = """\
from django.db import models

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    pass


class ArticlePage(Page):
    summary = models.TextField(blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
"""

WAGTAIL_TEMPLATE = """\
{% extends "base.html" %}
{% load wagtailcore_tags %}
{% block content %}
<main>
  <article>
    <h1>{{ page.title }}</h1>
    <p class="meta">{{ page.first_published_at|date:"l, j F Y" }}</p>
    <p class="lede">{{ page.summary }}</p>
    {{ page.body|richtext }}
  </article>
</main>
{% endblock %}
"""

WAGTAIL_SEED = """\
import json, sys
from pathlib import Path
from wagtail.models import Page, Site
from home.models import ArticlePage

home = Site.objects.get(is_default_site=True).root_page
page = ArticlePage(title=sys.argv[1], slug="rekapitulasi", summary=sys.argv[2],
                   body=Path(sys.argv[3]).read_text(encoding="utf-8"))
home.add_child(instance=page)
page.save_revision().publish()
print(json.dumps({"url": page.url}))
"""


def shape_wagtail(runner: Runner, body_file: Path) -> tuple[Shape, str]:
    venv = runner.work / "wagtail-venv"
    py = venv / "bin" / "python"
    if not (venv / "bin" / "wagtail").exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "-q",
                f"wagtail=={WAGTAIL_VERSION}",
                f"gunicorn=={GUNICORN_VERSION}",
            ]
        )
    project = runner.work / "d"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    run([str(venv / "bin" / "wagtail"), "start", "benchsite", str(project)])
    (project / "benchsite" / "settings" / "bench.py").write_text(
        WAGTAIL_SETTINGS.format(secret=SECRET, db=str(project / "db.sqlite3"))
    )
    (project / "home" / "models.py").write_text(WAGTAIL_MODELS)
    (project / "home" / "templates" / "home" / "article_page.html").write_text(WAGTAIL_TEMPLATE)
    (project / "seed.py").write_text(WAGTAIL_SEED)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "PYTHONPATH"))}
    env["DJANGO_SETTINGS_MODULE"] = "benchsite.settings.bench"
    run([str(py), "manage.py", "makemigrations", "home", "-v0"], env=env, cwd=project)
    run([str(py), "manage.py", "migrate", "-v0"], env=env, cwd=project)
    seeded = json.loads(
        run([str(py), "manage.py", "shell", "-c",
             f"import sys; sys.argv=['seed', {TITLE!r}, {SUMMARY!r}, {str(body_file)!r}]; exec(open('seed.py').read())"],
            env=env, cwd=project).splitlines()[-1]
    )  # fmt: skip
    port = free_port()
    app = runner.start(
        "d-gunicorn",
        [str(py), "-m", "gunicorn", "benchsite.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(APP_PROCESSES[0]), "--threads", str(8 // APP_PROCESSES[0]), "--worker-class", "gthread", "--access-logfile", "-",
         "--graceful-timeout", "10"],
        env=env,
        cwd=project,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_http(base + "/", app)
    url = seeded["url"] or "/rekapitulasi/"
    shape = Shape("d", f"peer: Wagtail {WAGTAIL_VERSION}, gunicorn {_gunicorn_shape()} + SQLite + per-site cache (LocMem)",
                  base, url, None, None)  # fmt: skip
    check_page(shape, expect_cache=None)
    status, headers, _ = fetch(base + url, headers={"User-Agent": USER_AGENT})
    return shape, headers.get("Cache-Control", "")


# --- the run -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )

    def version(argv: list[str]) -> str:
        try:
            out = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
        except OSError:
            return "?"
        return (out.stdout + out.stderr).strip().splitlines()[0] if (out.stdout + out.stderr).strip() else "?"

    return {
        "uname": " ".join(platform.uname()),
        "cpu": f"{cpu} ({os.cpu_count()} CPUs visible)",
        "python": platform.python_version(),
        "nginx": version(["nginx", "-v"]),
        "wrk": version(["wrk", "-v"]),
        "postgresql": version(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"]),
        "redis": version(["redis-server", "--version"]),
        "commit": version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
        "load_before": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def measure(shape: Shape, load: str, *, connections: int, duration: int, warmup: int, beacon: str) -> Result:
    if warmup:
        # Page loads only: a beacon still queued when a warm-up stops would land in the count.
        wrk_pages(shape.base + shape.page, connections=connections, duration=warmup)
    if load.startswith("pages"):
        precompressed = None
        if load == "pages-gzip-static" and shape.pagecache_file is not None:
            # What the app does not do yet: a compressed copy beside the stored page, which the
            # shipped config's gzip_static sends instead of compressing on the fly.
            precompressed = shape.pagecache_file.with_name("index.html.gz")
            precompressed.write_bytes(gzip.compress(shape.pagecache_file.read_bytes(), 9))
        try:
            output = wrk_pages(
                shape.base + shape.page,
                connections=connections,
                duration=duration,
                compressed=load != "pages",
            )
        finally:
            if precompressed is not None:
                precompressed.unlink()
        result = parse_wrk(shape.key, load, output)
    else:
        counting = shape.env is not None
        before = views_total(shape)[1] if counting else 0
        ids_file = Path(tempfile.mkdtemp(prefix="bench-visits-")) / "ids.txt"
        output = wrk_visits(
            shape.base, shape.page, beacon, ids_file, connections=connections, duration=duration
        )
        result = parse_wrk(shape.key, load, output)
        ids = ids_file.read_text().split() if ids_file.is_file() else []
        shutil.rmtree(ids_file.parent, ignore_errors=True)
        if counting:
            time.sleep(1)
            result.replay_seconds = replay_beacons(shape.base, beacon, ids)
            result.counted = views_total(shape)[1] - before
    print(f"  {shape.key} {load:6}: {result.rps:9.0f} req/s  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
          + (f"  visitors {result.visitors} counted {result.counted}" if result.counted is not None else ""),
          flush=True)  # fmt: skip
    return result


# Which load of (c) each load is compared with.
LIMIT_OF = {
    "pages": "pages",
    "pages-gzip": "pages-gzip",
    "pages-gzip-static": "pages-gzip",
    "visits": "visits",
}


def table(results: list[Result], limit: dict[str, Result]) -> str:
    lines = [
        "| shape | load | requests/s | p50 | p99 | ÷ (c) requests/s | ÷ (c) p50 | ÷ (c) p99 | errors / non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = limit.get(LIMIT_OF[r.load])
        ratio = (lambda a, b: f"{a / b:.2f}" if b else "—") if c else (lambda a, b: "—")
        lines.append(
            f"| ({r.shape}) | {r.load} | {r.rps:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms | "
            f"{ratio(r.rps, c.rps if c else 0)} | {ratio(r.p50_ms, c.p50_ms if c else 0)} | "
            f"{ratio(r.p99_ms, c.p99_ms if c else 0)} | {r.errors} / {r.non_2xx} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="a,b,c,d", help="shapes to run, e.g. a,c")
    parser.add_argument("--loads", default="", help="loads to run, e.g. visits (default: all)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each measured run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--work", default=str(REPO / "var" / "bench-portal"), help="working directory")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument(
        "--app-processes", type=int, choices=(1, 2, 4, 8), default=1,
        help="gunicorn processes for (a) and (d) (threads = 8 / processes); 1 is what `humas demo` runs",
    )  # fmt: skip
    args = parser.parse_args(argv)
    APP_PROCESSES[0] = args.app_processes
    # A terminated run still stops what it started (the finally below).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    only = set(args.only.split(","))
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: apt-get install -y nginx wrk")

    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    runner = Runner(work)
    body_file = work / "article-body.html"
    body_file.write_text(article_body(), encoding="utf-8")
    started = dt.datetime.now(dt.UTC)
    info = machine()
    counting = counter_available()
    print(
        f"bench/portal: {started:%Y-%m-%d %H:%M} UTC, {info['cpu']}; counter: {'yes' if counting else 'NO'}",
        flush=True,
    )
    results: list[Result] = []
    notes: list[str] = []
    shapes: dict[str, Shape] = {}
    peer_cache = ""
    html_source: tuple[bytes, str, int] | None = None  # the Humas page for (c): bytes, path, article id
    try:
        for key in ("a", "b", "c", "d"):
            if key not in only:
                continue
            # One shape at a time: start it, load it, stop it, so that nothing else runs meanwhile.
            mark = len(runner.procs)
            if key == "a":
                shape = shape_embedded(runner, body_file)
            elif key == "b":
                shape = shape_production(runner, body_file)
            elif key == "c":
                if html_source is None:  # (c) alone: take the bytes from an embedded site
                    source = shape_embedded(runner, body_file)
                    html_source = (fetch(source.base + source.page)[2], source.page, source.article_id or 0)
                    for proc in runner.procs[mark:]:
                        runner.stop(proc)
                shape = shape_static(runner, html_source[0], html_source[1])
            else:
                shape, peer_cache = shape_wagtail(runner, body_file)
            shapes[key] = shape
            if key in ("a", "b"):
                _, _, html_bytes = fetch(shape.base + shape.page, headers={"User-Agent": USER_AGENT})
                html_source = (html_bytes, shape.page, shape.article_id or 0)
            print(f"({key}) {shape.label}: {shape.base}{shape.page} {shape.page_bytes:,} bytes", flush=True)
            loads = ["pages"]
            if key in ("b", "c"):
                loads.append("pages-gzip")
            if key == "b":
                loads.append("pages-gzip-static")
            if key != "d":
                if counting or key == "c":
                    loads.append("visits")
                else:
                    notes.append(f"({key}): the view counter (humas/portal/counter.py) is absent: pages only")
            if args.loads:
                loads = [load for load in loads if load in args.loads.split(",")]
            beacon = f"/_v/{shape.article_id or (html_source[2] if html_source else 1)}"
            for load in loads:
                results.append(measure(shape, load, connections=args.connections, duration=args.duration,
                                       warmup=args.warmup, beacon=beacon))  # fmt: skip
            for proc in runner.procs[mark:]:
                runner.stop(proc)
    finally:
        runner.stop_all()

    limit = {r.load: r for r in results if r.shape == "c"}
    by = {(r.shape, r.load): r for r in results}
    print()
    print(f"Date: {started:%Y-%m-%d %H:%M} UTC, commit {info['commit']}")
    for key in ("uname", "cpu", "python", "nginx", "wrk", "postgresql", "redis", "load_before"):
        print(f"{key}: {info[key]}")
    for key, shape in shapes.items():
        print(
            f"({key}) {shape.label}; page {shape.page_bytes:,} bytes; X-Humas-Cache {shape.cache_header or '—'}"
        )
    if "d" in shapes:
        print(f"(d) Cache-Control of the peer's page: {peer_cache or '—'}")
    print()
    print(table(results, limit))
    print()
    for r in results:
        if r.visitors is not None and r.counted is not None:
            verdict = "exact" if r.counted == r.visitors == r.issued else "MISMATCH"
            print(
                f"({r.shape}) visits: {r.visitors:,} distinct visitors ({r.issued:,} got their id from the server; "
                f"every 4th reloading), counter rose by "
                f"{r.counted:,} after re-sending every visitor's beacon ({r.replay_seconds:.1f} s) and a flush: "
                f"{verdict}"
            )
    b, c, a, d = (
        by.get(("b", "pages")),
        by.get(("c", "pages")),
        by.get(("a", "pages")),
        by.get(("d", "pages")),
    )
    if b and c:
        ok = b.rps >= 0.5 * c.rps and b.p99_ms < 20
        print(
            f"target (b) ≥ 0.5 × (c) with p99 < 20 ms (pages): {b.rps / c.rps:.2f} × (c), p99 {b.p99_ms:.2f} ms: {'met' if ok else 'NOT met'}"
        )
    if a and d:
        print(
            f"target (a) ≥ 2 × (d) (pages): {a.rps / d.rps:.2f} × (d): {'met' if a.rps >= 2 * d.rps else 'NOT met'}"
        )
    for note in notes:
        print(note)
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"machine": info, "results": [r.__dict__ for r in results],
                        "pages": {k: s.page_bytes for k, s in shapes.items()}}, indent=2)
        )  # fmt: skip
    mismatches = [
        r
        for r in results
        if r.visitors is not None and r.counted is not None and not r.counted == r.visitors == r.issued
    ]
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
